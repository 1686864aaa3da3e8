#include "memlab/circuit/simulation.hpp"

#include <algorithm>
#include <optional>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <fmt/format.h>
#include <limits>
#include <Eigen/Dense>

#include <ida/ida.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunlinsol/sunlinsol_klu.h>
#include <suitesparse/cholmod.h>
#include <sunmatrix/sunmatrix_dense.h>
#include <sunmatrix/sunmatrix_sparse.h>

#include "elements.hpp"
#include "memlab/error.hpp"
#include "memlab/units/units.hpp"
#include "memlab/util/interrupt.hpp"

namespace memlab::circuit {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

// ---- Dense LU with equilibration, as a SUNDIALS linear solver ----
// The Newton matrix mixes rows in different units (KCL in A/V, a state's rate in its unit per
// second: a temperature row has entries of 1e8 K/(V s) where a node's row has 1e-2 S). Partial
// pivoting by magnitude then picks a temperature row as the pivot of a voltage column, and the
// elimination fills with 1e14/1e-2: Newton failed at every step size (agsn on synapse.toml, once its
// Jacobian was exact). Rows, then columns, are scaled by powers of two (exact, as LAPACK's dgeequb)
// to a largest entry of about 1 before an Eigen partial-pivoting LU. SUNDIALS' dense solver has no
// equilibration, and LAPACK is not linked by Debian's SUNDIALS; so this small wrapper is written here.
struct equilibrated_dense {
    Eigen::VectorXd row, col;
    Eigen::PartialPivLU<Eigen::MatrixXd> lu;
    Eigen::VectorXd work;
    long last = 0;
};

double power_of_two_inverse(double m) { return m > 0 && std::isfinite(m) ? std::ldexp(1.0, -std::ilogb(m)) : 0.0; }

SUNLinearSolver_Type eq_type(SUNLinearSolver) { return SUNLINEARSOLVER_DIRECT; }
SUNLinearSolver_ID eq_id(SUNLinearSolver) { return SUNLINEARSOLVER_CUSTOM; }
sunindextype eq_lastflag(SUNLinearSolver S) { return static_cast<equilibrated_dense*>(S->content)->last; }

int eq_setup(SUNLinearSolver S, SUNMatrix A) {
    auto* c = static_cast<equilibrated_dense*>(S->content);
    const auto n = static_cast<Eigen::Index>(SM_ROWS_D(A));
    Eigen::Map<const Eigen::MatrixXd> M(SM_DATA_D(A), n, n);  // column-major, as SUNDIALS stores it
    c->row.resize(n);
    c->col.resize(n);
    for (Eigen::Index i = 0; i < n; ++i) c->row[i] = power_of_two_inverse(M.row(i).cwiseAbs().maxCoeff());
    for (Eigen::Index j = 0; j < n; ++j) c->col[j] = power_of_two_inverse((c->row.asDiagonal() * M.col(j)).cwiseAbs().maxCoeff());
    // A zero (or non-finite) row or column is a singular matrix: recoverable, IDA cuts the step.
    if ((c->row.array() == 0).any() || (c->col.array() == 0).any()) return c->last = SUNLS_LUFACT_FAIL, SUNLS_LUFACT_FAIL;
    c->lu.compute(c->row.asDiagonal() * M * c->col.asDiagonal());
    const Eigen::VectorXd u = c->lu.matrixLU().diagonal().cwiseAbs();
    if (!(u.minCoeff() > 0) || !u.allFinite()) return c->last = SUNLS_LUFACT_FAIL, SUNLS_LUFACT_FAIL;
    c->last = 0;
    return SUNLS_SUCCESS;
}

int eq_solve(SUNLinearSolver S, SUNMatrix, N_Vector x, N_Vector b, sunrealtype) {
    auto* c = static_cast<equilibrated_dense*>(S->content);
    const auto n = c->row.size();
    Eigen::Map<const Eigen::VectorXd> B(N_VGetArrayPointer(b), n);
    Eigen::Map<Eigen::VectorXd> X(N_VGetArrayPointer(x), n);
    // (R M C) z = R b, x = C z.
    c->work = c->row.cwiseProduct(B);
    c->work = c->lu.solve(c->work);
    X = c->col.cwiseProduct(c->work);
    return X.allFinite() ? SUNLS_SUCCESS : SUNLS_PACKAGE_FAIL_REC;
}

int eq_free(SUNLinearSolver S) {
    if (!S) return SUNLS_SUCCESS;
    delete static_cast<equilibrated_dense*>(S->content);
    S->content = nullptr;
    SUNLinSolFreeEmpty(S);
    return SUNLS_SUCCESS;
}

SUNLinearSolver equilibrated_dense_solver(SUNContext ctx) {
    SUNLinearSolver S = SUNLinSolNewEmpty(ctx);
    if (!S) return nullptr;
    S->ops->gettype = eq_type;
    S->ops->getid = eq_id;
    S->ops->setup = eq_setup;
    S->ops->solve = eq_solve;
    S->ops->lastflag = eq_lastflag;
    S->ops->free = eq_free;
    S->content = new equilibrated_dense();
    return S;
}

// KLU as IDA's linear solver, with a failed factorization made recoverable: SUNDIALS' KLU returns
// an unrecoverable failure when a full factorization (after a poor condition estimate) finds the
// matrix singular, and leaves no factorization behind. Here the solver is reset to factor afresh
// next time and IDA hears a recoverable failure, so it cuts the step as it does for the dense LU.
int klu_setup_recoverable(SUNLinearSolver S, SUNMatrix A) {
    const int flag = SUNLinSolSetup_KLU(S, A);
    if (flag >= 0) return flag;
    SUNLinSol_KLUReInit(S, A, SM_NNZ_S(A), SUNKLU_REINIT_PARTIAL);
    return SUNLS_LUFACT_FAIL;
}

// IDAReInit, at every breakpoint and event, re-initializes the linear solver, and SUNDIALS' KLU then
// analyses the pattern afresh and factors with pivoting. A circuit's pattern never changes, so the
// analysis and the pivot order are kept: the next setup refactors, and SUNDIALS' KLU still factors
// afresh when the refactored matrix's condition estimate is poor (and klu_setup_recoverable after a
// failure).
int klu_initialize_keeping_analysis(SUNLinearSolver) { return SUNLS_SUCCESS; }

class dense_stamper final : public stamper {
public:
    explicit dense_stamper(SUNMatrix m) : m_(m) {}
    void add(int r, int c, double v) override { SM_ELEMENT_D(m_, r, c) += v; }

private:
    SUNMatrix m_;
};

class eigen_stamper final : public stamper {
public:
    explicit eigen_stamper(Eigen::MatrixXd& m) : m_(m) {}
    void add(int r, int c, double v) override { m_(r, c) += v; }

private:
    Eigen::MatrixXd& m_;
};

class pattern_stamper final : public stamper {
public:
    void add(int r, int c, double) override { entries.emplace_back(c, r); }
    std::vector<std::pair<int, int>> entries;  // (col, row)
};

// Compressed sparse column pattern with a lookup from (row, col) to the data index.
struct csc_pattern {
    std::vector<sunindextype> colptr, rowidx;
    // From (column, row) entries of n columns, the diagonal added: sorted, each entry once.
    template <class I>
    static csc_pattern of(std::vector<std::pair<I, I>> entries, std::size_t n) {
        for (std::size_t k = 0; k < n; ++k) entries.emplace_back(static_cast<I>(k), static_cast<I>(k));
        std::sort(entries.begin(), entries.end());
        entries.erase(std::unique(entries.begin(), entries.end()), entries.end());
        csc_pattern p;
        p.colptr.assign(n + 1, 0);
        p.rowidx.reserve(entries.size());
        for (auto [col, row] : entries) {
            ++p.colptr[static_cast<std::size_t>(col) + 1];
            p.rowidx.push_back(row);
        }
        for (std::size_t k = 0; k < n; ++k) p.colptr[k + 1] += p.colptr[k];
        return p;
    }
    std::size_t index(int r, int c) const {
        const auto b = rowidx.begin() + colptr[static_cast<std::size_t>(c)];
        const auto e = rowidx.begin() + colptr[static_cast<std::size_t>(c) + 1];
        const auto it = std::lower_bound(b, e, static_cast<sunindextype>(r));
        if (it == e || *it != r) throw internal_error(fmt::format("jacobian entry ({}, {}) outside the pattern", r, c));
        return static_cast<std::size_t>(it - rowidx.begin());
    }
};

// KLU's fill-reducing ordering, chosen by CHOLMOD on the pattern of A + A^T (per block of KLU's
// block triangular form): cholmod_analyze tries AMD and METIS nested dissection and keeps the one
// with the smaller factor. A crossbar with line resistance is a 2-D mesh, on which nested
// dissection fills least as it grows (docs/engine.md). Returns CHOLMOD's estimate of nnz(L), KLU's
// first allocation of the factors; 0 if CHOLMOD failed (KLU then reports it).
long cholmod_ordering(long n, long Ap[], long Ai[], long Perm[], klu_l_common*) {
    std::vector<std::pair<sunindextype, sunindextype>> e;  // (column, row) of the upper triangle, row <= column
    e.reserve(static_cast<std::size_t>(Ap[n]));
    for (long j = 0; j < n; ++j)
        for (long p = Ap[j]; p < Ap[j + 1]; ++p) e.emplace_back(std::max(Ai[p], j), std::min(Ai[p], j));
    const auto upper = csc_pattern::of(std::move(e), static_cast<std::size_t>(n));
    cholmod_common cm;
    cholmod_l_start(&cm);
    cm.print = 0;
    cm.error_handler = nullptr;
    cm.nmethods = 3;  // the given ordering (none), AMD, METIS: the best is kept
    long lnz = 0;
    if (cholmod_sparse* A = cholmod_l_allocate_sparse(static_cast<std::size_t>(n), static_cast<std::size_t>(n), upper.rowidx.size(), 1, 1, 1,
                                                      CHOLMOD_PATTERN, &cm)) {
        std::copy(upper.colptr.begin(), upper.colptr.end(), static_cast<long*>(A->p));
        std::copy(upper.rowidx.begin(), upper.rowidx.end(), static_cast<long*>(A->i));
        if (cholmod_factor* L = cholmod_l_analyze(A, &cm)) {
            std::copy_n(static_cast<const long*>(L->Perm), n, Perm);
            lnz = std::max(1L, static_cast<long>(cm.lnz));
            cholmod_l_free_factor(&L, &cm);
        }
        cholmod_l_free_sparse(&A, &cm);
    }
    cholmod_l_finish(&cm);
    return lnz;
}

class sparse_stamper final : public stamper {
public:
    sparse_stamper(const csc_pattern& p, double* data) : p_(p), data_(data) {}
    void add(int r, int c, double v) override { data_[p_.index(r, c)] += v; }

private:
    const csc_pattern& p_;
    double* data_;
};

struct probe_fn {
    io::channel info;
    enum class kind { voltage, current, unknown, random_events } k;
    int a = -1, b = -1;  // voltage: unknowns; unknown: index
    const element* e = nullptr;
};

}  // namespace

struct simulation::impl {
    const circuit& c;
    solver_options opts;
    std::uint64_t seed;
    device::rng rng;                   // stream 0
    std::map<std::size_t, device::rng> streams;  // streams 1, 2, ... (device::model::hazard_stream)
    device::rng& stream(std::size_t s) {
        if (s == 0) return rng;
        // Each stream seeded from (seed, s) by the generator's own splitmix64 seeding.
        return streams.try_emplace(s, seed + 0x9E3779B97F4A7C15ull * s).first->second;
    }
    SUNContext ctx = nullptr;
    void* ida = nullptr;
    N_Vector y = nullptr, yp = nullptr, id = nullptr, atol = nullptr, weights = nullptr;
    SUNMatrix A = nullptr;
    SUNLinearSolver LS = nullptr;
    std::size_t n = 0;
    std::vector<std::string> names;
    std::vector<std::string> units_of;
    csc_pattern pattern;
    bool sparse = false;
    // A run that ended on a breakpoint left the restart there to the next run (a continued run
    // must not carry the history polynomial across the kink).
    bool restart_pending = false;
    // The step in use when the last breakpoint was reached (restart_step::last).
    double step_at_last_break = 0;
    double t = 0;
    // Hazards: (element, k, unknown) and the thresholds -ln U they must reach.
    struct hazard_ref {
        const element* e;
        std::size_t k;
        int unknown;
    };
    std::vector<hazard_ref> hazards;
    std::vector<double> thresholds;
    // Crossings (deterministic events: a comparator's threshold), after the hazards in IDA's roots.
    struct crossing_ref {
        const element* e;
        std::size_t k;
    };
    std::vector<crossing_ref> crossings;
    // The elements with crossings, each once: the only ones whose breakpoints follow their states
    // (asked at every step, so not every element is asked).
    std::vector<const element*> state_timed;
    run_stats stats;
    std::string last_ida_message;
    std::string residual_problem;
    std::string last_event;  // "DUT hazard 0": the element and hazard of the latest event

    impl(const circuit& circ, solver_options o, std::uint64_t s) : c(circ), opts(o), seed(s), rng(s) {}
    ~impl() {
        if (ida) IDAFree(&ida);
        if (LS) SUNLinSolFree(LS);
        if (A) SUNMatDestroy(A);
        for (N_Vector v : {y, yp, id, atol, weights})
            if (v) N_VDestroy(v);
        if (ctx) SUNContext_Free(&ctx);
    }

    eval_point point(double tt, const double* yy, const double* yyp) const { return {tt, yy, yyp}; }

    void residual(double tt, const double* yy, const double* yyp, double* F) const {
        std::fill(F, F + n, 0.0);
        const eval_point p = point(tt, yy, yyp);
        for (const auto& e : c.elements()) e->residual(p, F);
    }

    static int res_fn(sunrealtype tt, N_Vector yy, N_Vector yyp, N_Vector rr, void* user) {
        auto* s = static_cast<impl*>(user);
        double* F = N_VGetArrayPointer(rr);
        s->residual(tt, N_VGetArrayPointer(yy), N_VGetArrayPointer(yyp), F);
        ++s->stats.residual_evals;
        for (std::size_t k = 0; k < s->n; ++k)
            if (!std::isfinite(F[k])) {
                s->residual_problem = fmt::format("equation of {} is not finite at t = {}", s->names[k], units::format(tt, "s"));
                return 1;  // recoverable: IDA retries with a smaller step
            }
        return 0;
    }

    static int jac_fn(sunrealtype tt, sunrealtype cj, N_Vector yy, N_Vector yyp, N_Vector, SUNMatrix J, void* user,
                      N_Vector, N_Vector, N_Vector) {
        auto* s = static_cast<impl*>(user);
        const eval_point p = s->point(tt, N_VGetArrayPointer(yy), N_VGetArrayPointer(yyp));
        ++s->stats.jacobian_evals;
        if (!s->sparse) {
            SUNMatZero(J);
            dense_stamper st(J);
            for (const auto& e : s->c.elements()) e->jacobian(p, cj, st);
        } else {
            std::copy(s->pattern.colptr.begin(), s->pattern.colptr.end(), SM_INDEXPTRS_S(J));
            std::copy(s->pattern.rowidx.begin(), s->pattern.rowidx.end(), SM_INDEXVALS_S(J));
            double* data = SM_DATA_S(J);
            std::fill(data, data + s->pattern.rowidx.size(), 0.0);
            sparse_stamper st(s->pattern, data);
            for (const auto& e : s->c.elements()) e->jacobian(p, cj, st);
            // A non-finite entry: recoverable, IDA cuts the step (the dense solver's check).
            for (std::size_t k = 0; k < s->pattern.rowidx.size(); ++k)
                if (!std::isfinite(data[k])) return 1;
        }
        // A device whose derivatives are not finite (NaN from its current or rates): recoverable,
        // IDA retries with a smaller step; if the steps collapse, this is the fault named.
        const double* data = s->sparse ? SM_DATA_S(J) : SM_DATA_D(J);
        const std::size_t entries = s->sparse ? s->pattern.rowidx.size() : s->n * s->n;
        for (std::size_t k = 0; k < entries; ++k)
            if (!std::isfinite(data[k])) {
                const std::size_t col = s->sparse ? 0 : k / s->n;
                s->residual_problem = s->sparse ? fmt::format("Jacobian is not finite at t = {}", units::format(tt, "s"))
                                                : fmt::format("Jacobian column of {} is not finite at t = {}", s->names[col], units::format(tt, "s"));
                return 1;
            }
        return 0;
    }

    static int root_fn(sunrealtype tt, N_Vector yy, N_Vector yyp, sunrealtype* g, void* user) {
        auto* s = static_cast<impl*>(user);
        const double* Y = N_VGetArrayPointer(yy);
        for (std::size_t k = 0; k < s->hazards.size(); ++k) g[k] = Y[s->hazards[k].unknown] - s->thresholds[k];
        const eval_point p = s->point(tt, Y, N_VGetArrayPointer(yyp));
        for (std::size_t k = 0; k < s->crossings.size(); ++k) g[s->hazards.size() + k] = s->crossings[k].e->crossing(s->crossings[k].k, p);
        return 0;
    }

    static void err_fn(int, const char*, const char*, char* msg, void* user) {
        static_cast<impl*>(user)->last_ida_message = msg;
    }

    // The unknowns a failure report shows: all of them in a small circuit; in a large one (an
    // array has thousands) the neighbourhood of `focus` first, the unknown with the largest local
    // error: its element's unknowns (or its node), its nodes' voltages, the unknowns of every element
    // on those nodes, then those elements' other nodes (at most 4 x `limit` in all); then the first
    // others, up to `limit`.
    std::vector<std::size_t> shown_unknowns(std::optional<std::size_t> focus, std::size_t limit = 24) const {
        std::vector<std::size_t> out;
        std::vector<char> taken(n, 0);
        auto take = [&](std::size_t k) {
            if (k < n && !taken[k]) taken[k] = 1, out.push_back(k);
        };
        if (focus && n > limit) {
            const std::size_t nn = c.nodes().size() - 1;
            std::vector<int> nodes;  // the focus's nodes (0 = ground)
            take(*focus);
            if (*focus < nn) nodes.push_back(static_cast<int>(*focus) + 1);
            for (const auto& ep : c.elements()) {
                const auto extras = static_cast<std::size_t>(ep->extras().size());
                if (ep->first >= 0 && *focus >= static_cast<std::size_t>(ep->first) && *focus < static_cast<std::size_t>(ep->first) + extras)
                    nodes = ep->nodes;
            }
            // Its nodes' voltages, then the unknowns of the elements on them, then their other nodes.
            for (int x : nodes)
                if (x > 0) take(static_cast<std::size_t>(element::unknown_of_node(x)));
            std::vector<const element*> touching;
            for (const auto& ep : c.elements())
                if (std::any_of(ep->nodes.begin(), ep->nodes.end(),
                                [&](int x) { return x > 0 && std::find(nodes.begin(), nodes.end(), x) != nodes.end(); }))
                    touching.push_back(ep.get());
            for (const element* e : touching)
                if (e->first >= 0)
                    for (std::size_t j = 0; j < e->extras().size(); ++j) take(static_cast<std::size_t>(e->first) + j);
            for (const element* e : touching)
                for (int x : e->nodes)
                    if (x > 0) take(static_cast<std::size_t>(element::unknown_of_node(x)));
            limit = std::max(limit, std::min<std::size_t>(out.size(), 4 * limit));
        }
        for (std::size_t k = 0; k < n && out.size() < limit; ++k) take(k);
        if (out.size() > limit) out.resize(limit);
        return out;
    }

    std::string state_text(const double* Y) const {
        std::string out;
        const auto shown = shown_unknowns(worst_index());
        for (std::size_t k : shown)
            out += fmt::format("{}{}={}", out.empty() ? "" : ", ", names[k], units::format(Y[k], units_of[k], 6));
        if (shown.size() < n) out += fmt::format(", ... ({} more)", n - shown.size());
        return out;
    }

    [[noreturn]] void fail(int flag, double at) const {
        // IDAGetReturnFlagName hands over a malloc'd string (a leak per failed run, found by fuzz_experiment).
        const std::unique_ptr<char, decltype(&std::free)> name(IDAGetReturnFlagName(flag), &std::free);
        std::string why = name ? name.get() : "IDA failure";
        solver_failure kind = solver_failure::no_progress;
        if (!residual_problem.empty()) {  // equations or derivatives not finite since the last good step
            why += ": " + residual_problem;
            kind = solver_failure::not_finite;
        } else if (!last_ida_message.empty()) {
            why += ": " + last_ida_message;
        }
        // The Jacobian's factorisation failed: an unknown the equations no longer determine.
        if ((flag == IDA_LSETUP_FAIL || flag == IDA_LSOLVE_FAIL) && residual_problem.empty()) kind = solver_failure::singular;
        fail_with(why, at, kind);
    }

    // The unknown with the largest weighted local error estimate: where the step control is stuck.
    std::optional<std::size_t> worst_index() const {
        if (!ida) return std::nullopt;
        N_Vector w = N_VClone(y), e = N_VClone(y);
        std::optional<std::size_t> out;
        if (IDAGetErrWeights(ida, w) == IDA_SUCCESS && IDAGetEstLocalErrors(ida, e) == IDA_SUCCESS) {
            const double *W = N_VGetArrayPointer(w), *E = N_VGetArrayPointer(e);
            double m = -1;
            for (std::size_t k = 0; k < n; ++k)
                if (std::fabs(E[k] * W[k]) > m) m = std::fabs(E[k] * W[k]), out = k;
            if (!(m > 0)) out.reset();
        }
        N_VDestroy(w);
        N_VDestroy(e);
        return out;
    }

    std::string worst_unknown() const {
        if (!ida) return "";
        std::string out;
        if (const auto k = worst_index()) out = fmt::format("; largest local error in {}", names[*k]);
        long etf = 0, ncf = 0;
        IDAGetNumErrTestFails(ida, &etf);
        IDAGetNumNonlinSolvConvFails(ida, &ncf);
        out += fmt::format("; since restart {} error-test and {} Newton failures", etf, ncf);
        return out;
    }

    [[noreturn]] void fail_with(const std::string& why, double at, solver_failure kind = solver_failure::no_progress) const {
        throw solver_error(fmt::format("solver failed at t = {} ({}{}); state: {}", units::format(at, "s"), why,
                                       worst_unknown(), state_text(N_VGetArrayPointer(y))),
                           at, kind);
    }

    void check_flag(int flag, const char* what) const {
        if (flag < 0) throw internal_error(fmt::format("SUNDIALS {} failed with flag {}", what, flag));
    }

    run_stats banked;  // IDA counters from before the last re-initialisation
    void bank_counters();
    void setup();
    void check_singular() const;
    void reinit(double tstop, bool values_jump = true, double h0 = 0);
    int restart(double tstop, bool values_jump, double h0 = 0);  // reinit without throwing: the CalcIC flag
    void restart_after_event(double tstop, const std::vector<double>& before);
    bool settle_counters();  // at a breakpoint: true if a state jumped
    double next_breakpoint(double tt) const {
        double b = inf;
        const double* Y = N_VGetArrayPointer(y);
        for (const auto& e : c.elements()) b = std::min(b, e->next_breakpoint(tt));
        for (const element* e : state_timed) b = std::min(b, e->state_breakpoint(tt, Y));
        return b;
    }
    void handle_roots();
    std::vector<probe_fn> make_probes(const std::vector<std::string>& specs) const;
    double eval_probe(const probe_fn& p) const;
};

void simulation::impl::setup() {
    c.check();
    // Number the unknowns: nodes, then each element's extras.
    const std::size_t nn = c.nodes().size() - 1;
    std::vector<double> y0(nn, 0.0), atol0(nn, opts.atol_voltage);
    std::vector<double> id0(nn, 0.0);
    for (std::size_t k = 0; k < nn; ++k) {
        names.push_back(fmt::format("v({})", c.nodes()[k + 1]));
        units_of.emplace_back("V");
    }
    int next = static_cast<int>(nn);
    for (const auto& ep : c.elements()) {
        element& e = *ep;
        e.first = next;
        for (std::size_t term : e.differential_terminals())
            if (e.u(term) >= 0) id0[static_cast<std::size_t>(e.u(term))] = 1.0;
        for (const auto& x : e.extras()) {
            names.push_back(x.name == "i" && (e.kind() == "voltage_source" || e.kind() == "smu")
                                ? fmt::format("i({})", e.name())
                                : fmt::format("{}.{}", e.name(), x.name));
            units_of.push_back(x.unit);
            y0.push_back(x.initial);
            id0.push_back(x.differential ? 1.0 : 0.0);
            // Currents and voltages: the engine's tolerance, raised where an element says its
            // unknown cannot be resolved that finely; device states: their own, scaled.
            double a = 0;
            if (x.unit == "A") a = std::max(x.atol, opts.atol_current);
            else if (x.unit == "V") a = std::max(x.atol, opts.atol_voltage);
            else a = x.atol > 0 ? x.atol * opts.state_atol_scale : 1e-9;
            atol0.push_back(a);
            ++next;
        }
        if (opts.hazards)
            for (std::size_t k = 0; k < e.n_hazards(); ++k) hazards.push_back({&e, k, e.hazard_unknown(k)});
        for (std::size_t k = 0; k < e.n_crossings(); ++k) crossings.push_back({&e, k});
        if (e.n_crossings() > 0) state_timed.push_back(&e);
    }
    n = y0.size();
    stats.unknowns = n;
    units::positive(opts.rtol, "solver.rtol");
    units::positive(opts.atol_voltage, "solver.atol_voltage");
    units::positive(opts.atol_current, "solver.atol_current");
    units::non_negative(opts.max_step, "solver.max_step");
    units::positive(opts.state_atol_scale, "solver.state_atol_scale");

    check_flag(SUNContext_Create(nullptr, &ctx), "SUNContext_Create");
    const auto len = static_cast<sunindextype>(n);
    y = N_VNew_Serial(len, ctx);
    yp = N_VNew_Serial(len, ctx);
    id = N_VNew_Serial(len, ctx);
    atol = N_VNew_Serial(len, ctx);
    weights = N_VNew_Serial(len, ctx);
    std::copy(y0.begin(), y0.end(), N_VGetArrayPointer(y));
    N_VConst(0.0, yp);
    std::copy(id0.begin(), id0.end(), N_VGetArrayPointer(id));
    std::copy(atol0.begin(), atol0.end(), N_VGetArrayPointer(atol));

    check_singular();

    ida = IDACreate(ctx);
    check_flag(IDASetErrHandlerFn(ida, err_fn, this), "IDASetErrHandlerFn");
    check_flag(IDAInit(ida, res_fn, t, y, yp), "IDAInit");
    check_flag(IDASVtolerances(ida, opts.rtol, atol), "IDASVtolerances");
    check_flag(IDASetUserData(ida, this), "IDASetUserData");
    check_flag(IDASetId(ida, id), "IDASetId");
    // Algebraic unknowns (node voltages without capacitance, branch currents) follow from the
    // differential ones; their derivatives are not consistent after a breakpoint, so they are left
    // out of the local error test (the usual choice for index-1 circuit DAEs).
    check_flag(IDASetSuppressAlg(ida, SUNTRUE), "IDASetSuppressAlg");
    // Compliance limits and device thresholds are steep: allow Newton more iterations before a
    // step is cut (IDA default 4).
    check_flag(IDASetMaxNonlinIters(ida, 10), "IDASetMaxNonlinIters");
    // A tighter Newton test than IDA's 0.33: the algebraic constraints (KCL, compliance law) must
    // hold to the tolerance, not only the local error of the states.
    check_flag(IDASetNonlinConvCoef(ida, 0.01), "IDASetNonlinConvCoef");
    // Consistent initial conditions after an event may have to move an SMU across its compliance
    // transition: give the IC Newton more room than IDA's defaults (10 iterations, 4 Jacobians).
    check_flag(IDASetMaxNumItersIC(ida, 50), "IDASetMaxNumItersIC");
    check_flag(IDASetMaxNumJacsIC(ida, 20), "IDASetMaxNumJacsIC");
    check_flag(IDASetMaxNumStepsIC(ida, 20), "IDASetMaxNumStepsIC");
    check_flag(IDASetMaxNumSteps(ida, static_cast<long>(opts.max_steps_between_outputs)), "IDASetMaxNumSteps");
    if (opts.max_step > 0) check_flag(IDASetMaxStep(ida, opts.max_step), "IDASetMaxStep");

    sparse = opts.linsol == linear_solver::klu || (opts.linsol == linear_solver::automatic && n > opts.dense_limit);
    if (!sparse) {
        A = SUNDenseMatrix(len, len, ctx);
        LS = equilibrated_dense_solver(ctx);
        stats.linear_solver = "dense";
    } else {
        pattern_stamper ps;
        const eval_point p = point(t, N_VGetArrayPointer(y), N_VGetArrayPointer(yp));
        for (const auto& e : c.elements()) e->jacobian(p, 1.0, ps);
        pattern = csc_pattern::of(std::move(ps.entries), n);
        A = SUNSparseMatrix(len, len, static_cast<sunindextype>(pattern.rowidx.size()), CSC_MAT, ctx);
        LS = SUNLinSol_KLU(y, A, ctx);
        if (LS) {
            LS->ops->setup = klu_setup_recoverable;
            LS->ops->initialize = klu_initialize_keeping_analysis;
            SUNLinSol_KLUGetCommon(LS)->ordering = 3;  // the user ordering: cholmod_ordering
            SUNLinSol_KLUGetCommon(LS)->user_order = cholmod_ordering;
        }
        stats.linear_solver = "klu";
    }
    if (!A || !LS) throw internal_error("could not create the linear solver");
    check_flag(IDASetLinearSolver(ida, LS, A), "IDASetLinearSolver");
    check_flag(IDASetJacFn(ida, jac_fn), "IDASetJacFn");

    if (!hazards.empty() || !crossings.empty()) {
        thresholds.resize(hazards.size());
        for (std::size_t k = 0; k < hazards.size(); ++k)
            thresholds[k] = hazards[k].e->hazard_threshold(hazards[k].k, stream(hazards[k].e->hazard_stream(hazards[k].k)));
        check_flag(IDARootInit(ida, static_cast<int>(hazards.size() + crossings.size()), root_fn), "IDARootInit");
    }
}

// A structurally singular circuit (a loop of voltage sources, a node held only by current-driven
// elements) has no solution; find it before IDA fails with a bare "singular matrix", and name the
// unknowns involved. Rows and columns are equilibrated first, since conductances span 1e-15..1e3 S.
void simulation::impl::check_singular() const {
    // The test is a dense full-pivoting LU, O(n^3): a few ms at 200 unknowns, minutes at 1000. Large
    // circuits, and sparse ones above 200 unknowns (arrays, built by code), are left to the linear
    // solver's own failure.
    const bool klu = opts.linsol == linear_solver::klu || (opts.linsol == linear_solver::automatic && n > opts.dense_limit);
    if (n > 1500 || (klu && n > 200)) return;
    Eigen::MatrixXd M = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
    eigen_stamper st(M);
    const eval_point p = point(t, N_VGetArrayPointer(y), N_VGetArrayPointer(yp));
    for (const auto& e : c.elements()) e->jacobian(p, 1e6, st);
    for (Eigen::Index r = 0; r < M.rows(); ++r) {
        const double m = M.row(r).cwiseAbs().maxCoeff();
        if (m > 0) M.row(r) /= m;
    }
    for (Eigen::Index k = 0; k < M.cols(); ++k) {
        const double m = M.col(k).cwiseAbs().maxCoeff();
        if (m > 0) M.col(k) /= m;
    }
    Eigen::FullPivLU<Eigen::MatrixXd> lu(M);
    lu.setThreshold(1e-12);
    if (lu.rank() == M.rows()) return;
    const Eigen::MatrixXd ker = lu.kernel();
    std::vector<std::string> involved;
    for (Eigen::Index k = 0; k < ker.rows(); ++k)
        if (std::fabs(ker(k, 0)) > 1e-6 * ker.col(0).cwiseAbs().maxCoeff()) involved.push_back(names[static_cast<std::size_t>(k)]);
    throw solver_error(fmt::format("circuit is singular at t = {}: {} not determined (a floating node, a loop of voltage "
                                   "sources, or sources in parallel?); state: {}",
                                   units::format(t, "s"), fmt::join(involved, ", "), state_text(N_VGetArrayPointer(y))),
                       t, solver_failure::singular);
}

// IDA's counters restart with IDAReInit: bank them first.
void simulation::impl::bank_counters() {
    long v = 0;
    IDAGetNumSteps(ida, &v);
    banked.steps += v;
    IDAGetNumErrTestFails(ida, &v);
    banked.error_test_failures += v;
    IDAGetNumNonlinSolvConvFails(ida, &v);
    banked.nonlinear_failures += v;
}

void simulation::impl::reinit(double tstop, bool values_jump, double h0) {
    const int flag = restart(tstop, values_jump, h0);
    if (flag < 0) fail(flag, t);
}

// After an event the device's states jump and the circuit's algebraic unknowns must follow. If the
// consistent-IC solve fails (a jump that takes an SMU out of its compliance: IDACalcIC's line search
// stalls on the nearly flat compliance law), the jump is applied in 8, then 64 equal parts from the
// consistent state before the event, each followed by its own consistent-IC solve: the same end
// state, reached by a homotopy of small steps.
void simulation::impl::restart_after_event(double tstop, const std::vector<double>& before) {
    double* Y = N_VGetArrayPointer(y);
    const std::vector<double> after(Y, Y + n);
    int flag = restart(tstop, true);
    if (flag >= 0) return;
    const double* ID = N_VGetArrayPointer(id);
    for (int parts : {8, 64}) {
        std::copy(before.begin(), before.end(), Y);
        int f = 0;
        for (int m = 1; m <= parts && f >= 0; ++m) {
            const double lambda = static_cast<double>(m) / parts;
            for (std::size_t k = 0; k < n; ++k)
                if (ID[k] != 0.0) Y[k] = before[k] + lambda * (after[k] - before[k]);  // states; the circuit keeps its last solution
            f = restart(tstop, true);
        }
        if (f >= 0) {
            ++stats.event_homotopies;
            return;
        }
    }
    fail(flag, t);
}

// h0: the first step (0: IDA's own, 1/1000 of the distance to the first output).
int simulation::impl::restart(double tstop, bool values_jump, double h0) {
    bank_counters();
    // Restart at order 1: the history polynomial must not reach across a kink.
    {
        // The algebraic unknowns' y' (a node voltage following a source's ramp) are stale after a
        // breakpoint, and IDACalcIC does not recompute them (IDA_YA_YDP_INIT solves for the
        // algebraic y and the differential y' only). IDA's first predictor y + h y' would carry the
        // old ramp across the whole first step: after a 20 ns edge and a 1000 s wait, a node
        // predicted 1e5 V off, and Newton failing at every step size (found with VTEAM on the
        // retention protocol). Start them flat.
        const double* ID = N_VGetArrayPointer(id);
        double* YP = N_VGetArrayPointer(yp);
        for (std::size_t k = 0; k < n; ++k)
            if (ID[k] == 0.0) YP[k] = 0.0;
    }
    check_flag(IDAReInit(ida, t, y, yp), "IDAReInit");
    check_flag(IDASetInitStep(ida, h0), "IDASetInitStep");
    if (!values_jump) return 0;  // only slopes changed: y and the differential y' are still consistent
    const double tout1 = std::isfinite(tstop) && tstop > t ? tstop : t + 1e-9 * std::max(1.0, std::fabs(t));
    const int flag = IDACalcIC(ida, IDA_YA_YDP_INIT, tout1);
    if (flag < 0) return flag;
    check_flag(IDAGetConsistentIC(ida, y, yp), "IDAGetConsistentIC");
    return flag;
}

// At a breakpoint, where the integrator restarts anyway: each counter that settles draws what it
// has counted so far and starts again from 0.
bool simulation::impl::settle_counters() {
    if (hazards.empty()) return false;
    double* Y = N_VGetArrayPointer(y);
    const eval_point p = point(t, Y, N_VGetArrayPointer(yp));
    bool jumped = false;
    for (const auto& h : hazards) {
        if (!h.e->settles(h.k) || !(Y[h.unknown] > 0.0)) continue;
        if (h.e->on_settle(h.k, Y[h.unknown], p, Y, stream(h.e->hazard_stream(h.k)))) {
            jumped = true;
            ++stats.settled_draws;
            ++stats.random_events;  // a draw from a random stream, as a hazard's event is
            last_event = fmt::format("{} hazard {} (settled)", h.e->name(), h.k);
        }
        Y[h.unknown] = 0.0;
    }
    return jumped;
}

void simulation::impl::handle_roots() {
    std::vector<int> found(hazards.size() + crossings.size(), 0);
    check_flag(IDAGetRootInfo(ida, found.data()), "IDAGetRootInfo");
    double* Y = N_VGetArrayPointer(y);
    const eval_point p = point(t, Y, N_VGetArrayPointer(yp));
    for (std::size_t k = 0; k < hazards.size(); ++k) {
        if (found[k] <= 0) continue;
        device::rng& r = stream(hazards[k].e->hazard_stream(hazards[k].k));
        for (const std::size_t d : hazards[k].e->draw_streams(hazards[k].k)) hazards[k].e->on_event_draw(hazards[k].k, p, Y, d, stream(d));
        hazards[k].e->on_event(hazards[k].k, p, Y, r);
        last_event = fmt::format("{} hazard {}", hazards[k].e->name(), hazards[k].k);
        Y[hazards[k].unknown] = 0.0;
        thresholds[k] = hazards[k].e->hazard_threshold(hazards[k].k, r);
        ++stats.events;
        ++stats.random_events;
    }
    for (std::size_t k = 0; k < crossings.size(); ++k) {
        const int direction = found[hazards.size() + k];
        if (direction == 0) continue;
        crossings[k].e->on_crossing(crossings[k].k, p, Y, direction);
        last_event = fmt::format("{} crossing {}", crossings[k].e->name(), crossings[k].k);
        ++stats.events;
    }
}

std::vector<probe_fn> simulation::impl::make_probes(const std::vector<std::string>& specs) const {
    std::vector<probe_fn> out;
    for (const auto& spec : specs) {
        probe_fn p{{spec, ""}, probe_fn::kind::unknown};
        const auto open = spec.find('(');
        if (spec == "events") {
            p.k = probe_fn::kind::random_events;
            p.info.unit = "1";
        } else if (open != std::string::npos && spec.back() == ')') {
            const std::string fn = spec.substr(0, open);
            const std::string arg = spec.substr(open + 1, spec.size() - open - 2);
            if (fn == "v") {
                const auto comma = arg.find(',');
                const std::string a = arg.substr(0, comma);
                const std::string b = comma == std::string::npos ? "0" : arg.substr(comma + 1);
                if (!c.has_node(a) || !c.has_node(b))
                    throw input_error(fmt::format("probe '{}': unknown node '{}'", spec, c.has_node(a) ? b : a));
                p.k = probe_fn::kind::voltage;
                p.a = element::unknown_of_node(static_cast<int>(c.node_index(a)));
                p.b = element::unknown_of_node(static_cast<int>(c.node_index(b)));
                p.info.unit = "V";
            } else if (fn == "i") {
                try {
                    p.e = &c.find(arg);
                } catch (const input_error&) {
                    throw input_error(fmt::format("probe '{}': unknown element '{}'", spec, arg));
                }
                p.k = probe_fn::kind::current;
                p.info.unit = "A";
            } else {
                throw input_error(fmt::format("probe '{}': unknown probe function '{}' (use v(...), i(...) or element.state)", spec, fn));
            }
        } else {
            const auto dot = spec.find('.');
            if (dot == std::string::npos)
                throw input_error(fmt::format("probe '{}': expected v(node), i(element), element.state or events", spec));
            const element* e = nullptr;
            try {
                e = &c.find(spec.substr(0, dot));
            } catch (const input_error&) {
                throw input_error(fmt::format("probe '{}': unknown element '{}'", spec, spec.substr(0, dot)));
            }
            const int idx = e->extra_index(spec.substr(dot + 1));
            if (idx < 0) throw input_error(fmt::format("probe '{}': element '{}' has no state '{}'", spec, e->name(), spec.substr(dot + 1)));
            p.a = idx;
            p.info.unit = units_of[static_cast<std::size_t>(idx)];
        }
        out.push_back(std::move(p));
    }
    return out;
}

double simulation::impl::eval_probe(const probe_fn& p) const {
    const double* Y = N_VGetArrayPointer(y);
    const eval_point pt = point(t, Y, N_VGetArrayPointer(yp));
    switch (p.k) {
        case probe_fn::kind::voltage: return pt.v(p.a) - pt.v(p.b);
        case probe_fn::kind::current: return p.e->current(pt);
        case probe_fn::kind::unknown: return Y[p.a];
        case probe_fn::kind::random_events: return static_cast<double>(stats.random_events);
    }
    return 0;
}

simulation::simulation(const circuit& c, solver_options opts, std::uint64_t seed)
    : impl_(std::make_unique<impl>(c, opts, seed)) {
    impl_->setup();
    impl_->reinit(impl_->next_breakpoint(0.0));
}

simulation::~simulation() = default;

double simulation::time() const { return impl_->t; }
const std::vector<std::string>& simulation::unknown_names() const { return impl_->names; }
std::span<const double> simulation::unknowns() const { return {N_VGetArrayPointer(impl_->y), impl_->n}; }

const run_stats& simulation::stats() const {
    auto& s = *impl_;
    long v = 0;
    IDAGetNumSteps(s.ida, &v);
    s.stats.steps = s.banked.steps + v;
    IDAGetNumErrTestFails(s.ida, &v);
    s.stats.error_test_failures = s.banked.error_test_failures + v;
    IDAGetNumNonlinSolvConvFails(s.ida, &v);
    s.stats.nonlinear_failures = s.banked.nonlinear_failures + v;
    return s.stats;
}

double simulation::probe(const std::string& spec) const {
    const auto p = impl_->make_probes({spec});
    return impl_->eval_probe(p[0]);
}

void simulation::advance(double t_end) {
    io::null_trace sink;
    run(t_end, recording{}, sink);
}

void simulation::run(double t_end, const recording& rec, io::trace_sink& sink) {
    auto& s = *impl_;
    units::finite(t_end, "t_end");
    if (t_end < s.t) throw input_error(fmt::format("run: end time {} is before the current time {}",
                                                   units::format(t_end, "s"), units::format(s.t, "s")));
    units::non_negative(rec.sample_interval, "sample_interval");
    const auto probes = s.make_probes(rec.probes);
    std::vector<io::channel> channels{{"time", "s"}};
    for (const auto& p : probes) channels.push_back(p.info);
    sink.begin(channels);
    std::vector<double> row(channels.size()), last_row;
    auto record = [&] {
        row[0] = s.t;
        for (std::size_t k = 0; k < probes.size(); ++k) {
            row[k + 1] = s.eval_probe(probes[k]);
            if (!std::isfinite(row[k + 1]))
                throw solver_error(fmt::format("probe {} is not finite at t = {}; state: {}", probes[k].info.name,
                                               units::format(s.t, "s"), s.state_text(N_VGetArrayPointer(s.y))),
                                   s.t, solver_failure::not_finite);
        }
        // An event that changes nothing recorded would give a duplicate row: every sink skips it.
        if (!last_row.empty() && row == last_row) return;
        sink.append(row);
        last_row = row;
    };
    const bool sampled = rec.sample_interval > 0;
    const double t_start = s.t;
    long sample_k = 0;
    auto sample_time = [&](long k) { return t_start + static_cast<double>(k) * rec.sample_interval; };
    record();
    ++sample_k;
    const double eps = 1e-13 * std::max(std::fabs(t_end), 1e-12);
    std::size_t steps_since_break = 0, events_since_break = 0, tiny_steps = 0, tiny_events = 0;
    int retries_here = 0;
    // An event storm: stochastic events so dense that the solution cannot advance (a hazard rate
    // far beyond any physical one). The times of the latest storm_events events: all of them within
    // a billionth of the run's span is a storm.
    constexpr std::size_t storm_events = 1000;
    const double storm_span = 1e-9 * (t_end - t_start);
    std::vector<double> event_times(storm_events, -inf);
    std::size_t event_k = 0;
    bool first_step_guessed = false;  // the segment began with restart_step::last's first step
    auto restart_at_break = [&] {
        ++s.stats.breakpoints;
        steps_since_break = 0;
        events_since_break = 0;
        bool jump = s.settle_counters();
        for (const auto& e : s.c.elements()) jump = jump || e->jumps_at(s.t);
        if (retries_here > 0) {
            s.check_flag(IDASVtolerances(s.ida, s.opts.rtol, s.atol), "IDASVtolerances");
            retries_here = 0;
        }
        const double next = s.next_breakpoint(s.t);
        // The first step after a kink (a ramp starts or ends, no value jumps): the larger of the
        // step in use now and the one in use at the previous breakpoint (a 10 ns edge clamps the
        // step to 10 ns; the plateau after it has the scale of the segment before the edge), bounded
        // as IDA bounds its own first step, by 0.5 / ||y'|| (no differential unknown moves by more
        // than half its tolerance at its present slope: a capacitor node held by a source keeps the
        // old ramp's slope, which no consistent-IC solve corrects, and without this bound the
        // 1T1R training file's sweep reversals failed the error test at every step size), and by
        // the distance to the next breakpoint. IDA's error test then takes or cuts it as any step.
        // From scratch (IDA's own: 1/1000 of the distance, then doubling) every 1 us segment of a
        // pulse train cost about 11 steps whatever the tolerance: 44 steps per pulse against 15
        // (bench/results/engine_vs_ngspice.json). After a jump: IDA's own first step.
        double h0 = 0;
        if (!jump && s.opts.first_step == restart_step::last) {
            double h_now = 0;
            IDAGetCurrentStep(s.ida, &h_now);
            h0 = std::max(h_now, s.step_at_last_break);
            s.step_at_last_break = h_now;
            if (IDAGetErrWeights(s.ida, s.weights) == IDA_SUCCESS) {
                const double norm = N_VWrmsNormMask(s.yp, s.weights, s.id);
                if (norm > 0) h0 = std::min(h0, 0.5 / norm);
            }
            h0 = std::min(h0, next - s.t);
            if (!(h0 > 0) || !std::isfinite(h0)) h0 = 0;
        }
        s.reinit(next, jump, h0);
        first_step_guessed = h0 > 0;
    };
    if (s.restart_pending && s.t < t_end - eps) {
        // The last run stopped on a breakpoint; sources may have been given new breakpoints since
        // (an array controller schedules its next pulse): restart here, as the loop would have.
        s.restart_pending = false;
        restart_at_break();
    }
    while (s.t < t_end - eps) {
        util::check_interrupt();  // SIGINT / SIGTERM: unwind (staged output folders remove themselves)
        const double tb = std::min(s.next_breakpoint(s.t), t_end);
        s.check_flag(IDASetStopTime(s.ida, tb), "IDASetStopTime");
        double tret = s.t;
        int flag = 0;
        if (sampled) {
            const double tout = std::min(sample_time(sample_k), tb);
            flag = IDASolve(s.ida, tout, &tret, s.y, s.yp, IDA_NORMAL);
        } else if (probes.empty()) {
            // Nothing to record: let IDA run to the breakpoint in one call.
            flag = IDASolve(s.ida, tb, &tret, s.y, s.yp, IDA_NORMAL);
        } else {
            flag = IDASolve(s.ida, tb, &tret, s.y, s.yp, IDA_ONE_STEP);
        }
        if ((flag == IDA_CONV_FAIL || flag == IDA_ERR_FAIL) && first_step_guessed && tret == s.t) {
            // The guessed first step failed at every size before any progress: a slope that
            // changed at the kink without the bound seeing it (a capacitor node held by a source,
            // at rest before a ramp starts). Start again from IDA's own first step.
            first_step_guessed = false;
            ++s.stats.restart_fallbacks;
            s.reinit(tb, false);
            continue;
        }
        if (flag == IDA_CONV_FAIL || flag == IDA_ERR_FAIL) {
            // A step that fails at every size usually carries a bad history (a kink the
            // predictor reached across, an SMU entering compliance). Restart at the last good
            // point (IDA returns it) with consistent initial conditions and a 10x tighter rtol
            // until the next breakpoint, at most 3 times per segment; then give up with the error.
            if (retries_here < 3) {
                ++retries_here;
                ++s.stats.retries;
                s.t = tret;
                s.check_flag(IDASVtolerances(s.ida, s.opts.rtol * std::pow(0.1, retries_here), s.atol), "IDASVtolerances");
                s.reinit(tb, true);
                continue;
            }
        }
        if (flag < 0) s.fail(flag, tret);
        // IDA's own step limit counts per call, and a call in one-step mode is one step: guard
        // against a solution that runs away with a collapsing step (a finite-time blow-up).
        double h_last = 0;
        IDAGetLastStep(s.ida, &h_last);
        if (++steps_since_break > s.opts.max_steps_between_outputs) {
            if (2 * events_since_break > steps_since_break)
                s.fail_with(fmt::format("event storm: {} events in {} steps without reaching the next breakpoint (latest: {})",
                                        events_since_break, steps_since_break, s.last_event),
                            tret, solver_failure::event_storm);
            s.fail_with(fmt::format("more than {} steps without reaching the next breakpoint", s.opts.max_steps_between_outputs), tret);
        }
        // A restart may legitimately begin with a few tiny steps; many in a row mean the solution
        // cannot advance any more.
        if (h_last > 0 && h_last < 64 * std::numeric_limits<double>::epsilon() * std::fabs(tret)) {
            tiny_events += flag == IDA_ROOT_RETURN;
            if (++tiny_steps > 100) {
                if (2 * tiny_events > tiny_steps)  // the steps are cut short by events
                    s.fail_with(fmt::format("event storm: {} of the last {} steps ended in an event, each shorter than {} (latest: {})",
                                            tiny_events, tiny_steps, units::format(h_last, "s"), s.last_event),
                                tret, solver_failure::event_storm);
                // Steps cut down by equations that are not finite (a device returning NaN) are that fault.
                if (!s.residual_problem.empty())
                    s.fail_with(fmt::format("step size collapsed to {}: the {}", units::format(h_last, "s"), s.residual_problem), tret,
                                solver_failure::not_finite);
                s.fail_with(fmt::format("step size collapsed to {}", units::format(h_last, "s")), tret);
            }
        } else {
            tiny_steps = tiny_events = 0;
            s.residual_problem.clear();  // a step of normal size: what failed before was recovered from
        }
        s.t = tret;
        const double* Y = N_VGetArrayPointer(s.y);
        for (std::size_t k = 0; k < s.n; ++k)
            if (!std::isfinite(Y[k])) {
                s.residual_problem = fmt::format("{} is not finite", s.names[k]);
                s.fail(IDA_RES_FAIL, s.t);
            }
        const bool at_break = flag == IDA_TSTOP_RETURN || s.t >= tb - 1e-13 * std::max(std::fabs(tb), 1e-12);
        if (sampled) {
            while (sample_time(sample_k) <= s.t + eps) {
                if (std::fabs(sample_time(sample_k) - s.t) <= eps) record();
                ++sample_k;
            }
        } else {
            record();
        }
        if (flag == IDA_ROOT_RETURN) {
            const std::vector<double> before(Y, Y + s.n);
            s.handle_roots();
            ++events_since_break;
            const double oldest = event_times[event_k];
            event_times[event_k] = s.t;
            event_k = (event_k + 1) % storm_events;
            if (s.t - oldest <= storm_span)
                s.fail_with(fmt::format("event storm: {} events within {} (latest: {})", storm_events,
                                        units::format(s.t - oldest, "s"), s.last_event),
                            s.t, solver_failure::event_storm);
            if (!sampled) record();
            // A crossing may have started a pulse: its first corner may come before tb.
            s.restart_after_event(std::min(tb, s.next_breakpoint(s.t)), before);
        } else if (at_break && s.t < t_end - eps) {
            // IDA stops "at" tstop within roundoff, so tret can sit a few ulps before tb; asked
            // for the next breakpoint from there, the pulse returned tb again and the loop spun
            // on steps of a few ulps until "step size collapsed" (seen at t = 583.5 s on a 100 ns
            // edge). Continue from tb itself.
            s.t = std::max(s.t, tb);
            restart_at_break();
        } else if (at_break && tb < t_end + eps && s.next_breakpoint(tb - eps) <= tb + eps) {
            // Stopped on a source's breakpoint at t_end: the next run restarts there.
            s.t = std::max(s.t, tb);
            s.restart_pending = true;
        }
    }
    if (retries_here > 0) s.check_flag(IDASVtolerances(s.ida, s.opts.rtol, s.atol), "IDASVtolerances");
    sink.finish();
}

}  // namespace memlab::circuit
