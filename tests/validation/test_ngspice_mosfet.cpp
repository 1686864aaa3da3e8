// The access transistor against ngspice's level-1 MOSFET where the EKV form reduces to it: no body
// effect (gamma = 0, so n = 1 and V_P = V_GS - V_T0), bulk at the source, in strong inversion
// (V_GS - V_T0 >= 0.5 V: EKV's weak-inversion tail of the reverse current, which level 1 does not
// have, is then under 0.2 % of the triode current; at 0.3 V it is ~1 %), in the triode and the
// saturation region, with channel-length modulation, away from the saturation edge
// (|V_DS - (V_GS - V_T0)| >= 0.25 V, about 10 U_T: there EKV smooths level 1's kink, by up to 0.3 %
// at V_GS - V_T0 = 0.5 V). Tolerance 0.2 % of the current.
#include <gtest/gtest.h>

#include <cmath>
#include <fmt/format.h>

#include "memlab/device/mosfet.hpp"
#include "memlab/spice/ngspice.hpp"

using namespace memlab;

TEST(NgspiceMosfet, LevelOneAgreesInStrongInversionWithoutBodyEffect) {
    device::mosfet m;
    m.set({{"gamma", 0.0}});  // the rest: the shipped parameter set (Razavi's level-1 NMOS)
    const auto& p = m.params();
    const double lambda = p.lambda_l / p.l;
    const std::vector<double> gates{1.2, 1.5, 2.0, 2.5, 3.0};
    // One deck: every gate on its own transistor, all drains on one swept source through 0 V
    // sense sources.
    std::string deck = "memlab level-1 check\nVD d 0 DC 0\n";
    std::string vectors;
    for (std::size_t k = 0; k < gates.size(); ++k) {
        deck += fmt::format("VS{0} d d{0} DC 0\nVG{0} g{0} 0 DC {1:.17g}\nM{0} d{0} g{0} 0 0 nlev1 W={2:.17g} L={3:.17g}\n", k, gates[k],
                            p.w, p.l);
        vectors += fmt::format(" i(VS{})", k);
    }
    deck += fmt::format(".model nlev1 NMOS LEVEL=1 VTO={:.17g} KP={:.17g} GAMMA=0 LAMBDA={:.17g}\n", p.vt0, p.kp, lambda);
    deck += fmt::format(".control\nset wr_singlescale\nset wr_vecnames\noption numdgt=15\ndc VD 0 3 0.02\nwrdata out.txt{}\n.endc\n.end\n",
                        vectors);
    const auto ng = spice::run_batch(deck, "out.txt", NGSPICE_EXECUTABLE);
    const auto& vd = ng.column("v-sweep");
    ASSERT_GT(vd.size(), 100u);
    double worst = 0;
    std::size_t compared = 0;
    for (std::size_t k = 0; k < gates.size(); ++k) {
        const auto& id = ng.column(fmt::format("i(VS{})", k));
        for (std::size_t j = 0; j < vd.size(); ++j) {
            if (vd[j] < 0.05) continue;  // both currents go through zero at V_DS = 0
            if (std::fabs(vd[j] - (gates[k] - p.vt0)) < 0.25) continue;  // the saturation edge
            const double ours = m.limit(gates[k], vd[j]);
            const double rel = std::fabs(ours - id[j]) / std::fabs(id[j]);
            worst = std::max(worst, rel);
            ++compared;
            EXPECT_LT(rel, 2e-3) << "V_GS " << gates[k] << " V_DS " << vd[j] << ": memlab " << ours << " A, ngspice " << id[j] << " A";
        }
    }
    EXPECT_GT(compared, 500u);
    RecordProperty("worst_relative_difference", fmt::format("{:.3g}", worst));
}
