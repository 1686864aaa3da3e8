// The figure drawer run beside a reproduce (lab::figure_stream), with a stand-in for the Python
// layer: the experiments' names reach it as they are added and come back as drawn, in order; a
// drawer that dies at once (a broken Python layer) costs the figures, never memlab (SIGPIPE).
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "memlab/lab/figures.hpp"

namespace fs = std::filesystem;

namespace {

// A folder holding memlab/plot.py with `code`, and an empty output folder beside it.
fs::path layer(const std::string& name, const std::string& code) {
    const fs::path d = fs::temp_directory_path() / ("memlab_unit_figures_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d / "py" / "memlab");
    fs::create_directories(d / "out");
    std::ofstream(d / "py" / "memlab" / "__init__.py");
    std::ofstream(d / "py" / "memlab" / "plot.py") << code;
    return d;
}

}  // namespace

TEST(Figures, NamesAddedAreDrawnInOrderThenTheDrawerEnds) {
    ASSERT_EQ(::access("/usr/bin/python3", X_OK), 0) << "memlab's figures need /usr/bin/python3 (scripts/setup.sh installs it)";
    // memlab.plot --progress-fd 3 --jobs N --stream FOLDER: a name per line on stdin, echoed on fd 3.
    const fs::path d = layer("echo", "import os, sys\n"
                                     "assert sys.argv[1:] == ['--progress-fd', '3', '--jobs', '2', '--stream', sys.argv[6]], sys.argv\n"
                                     "for line in sys.stdin:\n"
                                     "    os.write(3, ('drawn ' + line).encode())\n");
    memlab::lab::figure_stream s(d / "out", d / "py", 2);
    const std::vector<std::string> names{"all_or_none", "synapse", "training"};
    for (const auto& n : names) s.add(n);
    std::vector<std::string> seen;
    EXPECT_TRUE(s.finish([&](const std::string& line) { seen.push_back(line); }));
    EXPECT_EQ(seen, (std::vector<std::string>{"drawn all_or_none", "drawn synapse", "drawn training"}));
    EXPECT_FALSE(fs::exists(d / "out" / "figures.log"));  // removed when the drawing succeeded
    fs::remove_all(d);
}

TEST(Figures, ADrawerThatDiesCostsTheFiguresNotMemlab) {
    ASSERT_EQ(::access("/usr/bin/python3", X_OK), 0) << "memlab's figures need /usr/bin/python3 (scripts/setup.sh installs it)";
    const fs::path d = layer("dies", "import sys\nprint('memlab.plot: no matplotlib here')\nsys.exit(3)\n");
    memlab::lab::figure_stream s(d / "out", d / "py", 2);
    // More than a pipe holds: the writes block until the drawer is gone, then fail (EPIPE), and
    // the SIGPIPE that comes with them must not end this process.
    for (int k = 0; k < 20000; ++k) s.add("experiment_" + std::to_string(k));
    EXPECT_FALSE(s.finish());
    std::ifstream log(d / "out" / "figures.log");
    std::string line;
    std::getline(log, line);
    EXPECT_EQ(line, "memlab.plot: no matplotlib here");
    fs::remove_all(d);
}

TEST(Figures, NoPythonLayerIsSaidInTheLog) {
    const fs::path d = layer("none", "");
    fs::remove_all(d / "py");
    memlab::lab::figure_stream s(d / "out", d / "py", 2);
    s.add("all_or_none");
    EXPECT_FALSE(s.finish());
    std::ifstream log(d / "out" / "figures.log");
    std::string line;
    std::getline(log, line);
    EXPECT_NE(line.find("no memlab Python package"), std::string::npos) << line;
    fs::remove_all(d);
}
