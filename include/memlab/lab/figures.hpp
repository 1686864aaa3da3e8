#pragma once
// Figures and report.html, drawn by the Python layer (memlab.plot: matplotlib, h5py) in a child
// `/usr/bin/python3 -m memlab.plot`. The package is the one the build makes (BUILD/python/memlab),
// found beside the running program or at the build's configured python folder: never in the
// source tree. Without Python, matplotlib or h5py the data files are complete anyway; the caller
// says so.
#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace memlab::lab {

// The folder that holds the memlab Python package (memlab/plot.py): BIN/../python beside the
// running program (/proc/self/exe: the build's bin/memlab and python/), else the build's python
// folder as configured (CMake: MEMLAB_PYTHON_DIR). Empty when neither holds memlab/plot.py.
std::filesystem::path python_dir();

// Runs `/usr/bin/python3 -m memlab.plot ARGS...` with `python` (empty: python_dir()) first on
// PYTHONPATH, its output into `log`. True when it succeeded (the log is then removed); false, with
// the reason in the log, when it could not. With on_line, the drawer is also given a pipe on its fd 3
// (`--progress-fd 3`) and every line it writes there is passed to on_line as it comes.
bool run_plot(const std::vector<std::string>& args, const std::filesystem::path& log, const std::filesystem::path& python = {},
              const std::function<void(const std::string&)>& on_line = {});

// The figure of one run's folder (memlab run): FOLDER/figure.png; FOLDER/figure.log on failure.
bool draw_run_figure(const std::filesystem::path& folder, const std::filesystem::path& python = {});

// The figures of a reproduce folder (one figure.png per experiment) and its report.html, drawn
// while the experiments still run: the drawer starts at once, with up to `jobs` Python workers,
// and draws each experiment as add() names it (its folder complete); finish() says there are no
// more, waits for the rest and report.html (report.json must be written by then), calls on_drawn
// with each experiment's name as its figure is done, and is true when every figure was drawn
// (FOLDER/figures.log says why not). A stream not finished (an error or an interrupt unwinds)
// stops the drawer and its workers.
class figure_stream {
public:
    figure_stream(const std::filesystem::path& folder, const std::filesystem::path& python, int jobs);
    ~figure_stream();
    figure_stream(const figure_stream&) = delete;
    figure_stream& operator=(const figure_stream&) = delete;
    void add(const std::string& name);
    std::size_t added() const { return added_; }  // the names add() was given
    bool finish(const std::function<void(const std::string&)>& on_drawn = {});

private:
    std::filesystem::path log_;
    std::string why_;  // why the drawer did not start
    pid_t pid_ = -1;
    int in_ = -1, lines_ = -1;
    std::size_t added_ = 0;
};

// The page of a reproduce over seeds (seeds.json): FOLDER/seeds.html, every target at every seed,
// linked to each seed's report.html; FOLDER/figures.log on failure.
bool draw_seeds_page(const std::filesystem::path& folder, const std::filesystem::path& python = {});

// The figure of a sweep folder: FOLDER/distributions.png (the histograms of distributions.json's
// chosen metrics); FOLDER/figure.log on failure.
bool draw_sweep_figure(const std::filesystem::path& folder, const std::filesystem::path& python = {});

}  // namespace memlab::lab
