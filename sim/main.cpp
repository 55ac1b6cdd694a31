// The orgsim command line. The only place that catches everything and picks exit codes:
//   0 success, 2 invalid input or usage, 1 failure while running.
#include <signal.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "core/errors.hpp"
#include "core/rng.hpp"
#include "core/text.hpp"
#include "engine/design.hpp"
#include "engine/pilot.hpp"
#include "engine/runner.hpp"
#include "engine/simulation.hpp"
#include "engine/summary.hpp"
#include "engine/sweep.hpp"
#include "io/layout.hpp"
#include "io/memory_results.hpp"
#include "io/output_path.hpp"
#include "io/outputs.hpp"
#include "io/rerun.hpp"
#include "io/results_file.hpp"
#include "io/scenario.hpp"
#include "model/parameters.hpp"
#include "orgsim_version.hpp"

namespace po = boost::program_options;
using namespace orgsim;

namespace {

const char* kUsage =
    "orgsim — organizing versus mobilizing, an agent-based simulation\n\n"
    "usage: orgsim <command> [options]\n\n"
    "commands:\n"
    "  run SCENARIO.json     run every arm of a scenario, print a summary, write HDF5\n"
    "  sweep SWEEP.json      run a parameter sweep (grid, random, lhs, sobol, morris, points)\n"
    "                        into one file\n"
    "  merge PARTS_DIR       build a sweep's file from its parts (after --shard runs)\n"
    "  status PARTS_DIR      how far a running or interrupted sweep has got\n"
    "  check FILE.json       validate a scenario or sweep and print the plan, without running it\n"
    "  params [--markdown]   the parameter table\n"
    "  outputs [--markdown]  the output dictionary (what a results file holds)\n"
    "  summarize FILE.h5     the summary again, from a results file\n"
    "  rerun FILE --run K    reproduce run K of a results file (or sweep file) bit-identically\n"
    "  report FILE.h5        a one-page HTML report for a room (figures, summary, what differed)\n"
    "  discover SWEEP.h5     where in a sweep's parameter space a condition holds (PRIM)\n"
    "  calibrate CAL.json    fit parameters to observed statistics (ABC-SMC) into a posterior\n"
    "  version               version and build\n\n"
    "`orgsim <command> --help` shows a command's options.\n";

// ---- Ctrl-C and SIGTERM -----------------------------------------------------------------------
// While runs are running (`run`, `sweep`), the first SIGINT or SIGTERM only sets a flag; the
// progress callback, called between runs on the writing thread, sees it and throws Interrupted,
// so that everything unwinds: the workers finish the runs in progress and start no other, and a
// results writer destroyed without finish() deletes its .partial (docs/HDF5_LAYOUT.md, "Writing
// it safely"). The command then says what was kept and how to continue, and exits 128 + signal.
// A second signal, or one while nothing polls the flag (a results file being written, a merge),
// stops at once: the handler deletes the output's .partial, writes the prepared message and
// _exit()s with 128 + signal (only async-signal-safe calls).
namespace interrupt {

volatile std::sig_atomic_t g_signal = 0;  // the first signal, 0 while none came
volatile std::sig_atomic_t g_polled = 0;  // whether a progress callback is watching g_signal
volatile std::sig_atomic_t g_ready = 0;   // whether g_partial and g_message may be read
char g_partial[4096];                     // a .partial to delete when stopping at once ("": none)
char g_message[8192];                     // what to say then

extern "C" void on_signal(int sig) {
  if (g_polled && g_signal == 0) {
    g_signal = sig;
    static const char stopping[] =
        "\norgsim: interrupted: stopping after the runs in progress (interrupt again to stop at "
        "once)\n";
    [[maybe_unused]] const auto n = ::write(STDERR_FILENO, stopping, sizeof stopping - 1);
    return;
  }
  if (g_ready) {
    if (g_partial[0]) ::unlink(g_partial);
    [[maybe_unused]] const auto n = ::write(STDERR_FILENO, g_message, std::strlen(g_message));
  }
  _exit(128 + sig);
}

/// Catches SIGINT and SIGTERM from now on.
void install() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // HDF5's writes and the workers' waits go on undisturbed
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

/// What stopping at once removes (`partial`, "" for nothing) and says (`message`, one line).
void prepare(const std::string& partial, const std::string& message) {
  g_ready = 0;
  std::snprintf(g_partial, sizeof g_partial, "%s", partial.c_str());
  if (message.empty())
    g_message[0] = '\0';
  else
    std::snprintf(g_message, sizeof g_message, "\n%s\n", message.c_str());
  g_ready = 1;
}

/// Whether the progress callback watches the flag (true while runs run).
void poll(bool on) { g_polled = on ? 1 : 0; }

/// The signal that stopped the command; main() turns it into exit status 128 + signal.
class Interrupted : public std::runtime_error {
 public:
  explicit Interrupted(int sig) : std::runtime_error("interrupted"), sig_(sig) {}
  int signal() const { return sig_; }

 private:
  int sig_;
};

/// Throws Interrupted if a signal came.
void check() {
  if (const int sig = g_signal; sig != 0) throw Interrupted(sig);
}

std::string signal_name(int sig) {
  return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "signal " + std::to_string(sig);
}

}  // namespace interrupt

/// A command's arguments (argv[0] its name: run, sweep) as a command a shell would run again,
/// "orgsim" first.
std::string shell_command(int argc, char** argv) {
  std::string s = "orgsim";
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a.empty() || a.find_first_of(" \t'\"$`\\!*?;&|<>()[]{}#~") != std::string::npos) {
      std::string q = "'";
      for (char c : a) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
      a = q + "'";
    }
    s += " " + a;
  }
  return s;
}

std::string command_line_text(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) {
    if (i) s += ' ';
    std::string a = argv[i];
    if (a.find_first_of(" \t\"'") != std::string::npos) a = "'" + a + "'";
    s += a;
  }
  return s;
}

// ---- numeric options ------------------------------------------------------------------------
// Numeric options are read as text and checked here, naming the option and the value: Boost
// reads "-1" into an unsigned as 4294967295, and a negative count used to mean "not given".

/// A whole number in [lo, hi] (decimal digits, optional '-'); a UsageError otherwise.
long long integer_option(const std::string& cmd, const std::string& option,
                         const std::string& text, long long lo, long long hi) {
  long long x = 0;
  const char* first = text.data();
  const char* last = first + text.size();
  const auto [end, ec] = std::from_chars(first, last, x);
  if (text.empty() || ec != std::errc() || end != last || x < lo || x > hi)
    throw UsageError("orgsim " + cmd + ": " + option + " expects an integer in [" +
                     std::to_string(lo) + ", " + std::to_string(hi) + "], found \"" + text +
                     "\"");
  return x;
}

/// An integer option whose range is that of parameter `key` in the parameter table.
long long parameter_option(const std::string& cmd, const std::string& option,
                           const std::string& text, const std::string& key) {
  const ParamSpec* spec = find_param(key);
  if (!spec) throw std::logic_error("option " + option + ": no parameter " + key);
  return integer_option(cmd, option, text, static_cast<long long>(spec->min),
                        static_cast<long long>(spec->max));
}

/// --threads: 0 (or not given) means every core.
unsigned threads_option(const std::string& cmd, const std::string& text) {
  if (text.empty()) return 0;
  return static_cast<unsigned>(integer_option(cmd, "--threads", text, 0, 4096));
}

/// A finite number > 0 (sizes in GB); 0 when not given.
double positive_number_option(const std::string& cmd, const std::string& option,
                              const std::string& text) {
  if (text.empty()) return 0.0;
  double x = 0;
  const char* first = text.data();
  const char* last = first + text.size();
  const auto [end, ec] = std::from_chars(first, last, x);
  if (ec != std::errc() || end != last || !std::isfinite(x) || !(x > 0))
    throw UsageError("orgsim " + cmd + ": " + option + " expects a number > 0, found \"" + text +
                     "\"");
  return x;
}

struct ScenarioOptions {
  std::string scenario;
  std::vector<std::string> sets;
  std::string replicates, steps;  // checked by load_with_overrides
  std::string seed;
  std::string command = "run";
};

void add_scenario_options(po::options_description& d, ScenarioOptions& o) {
  d.add_options()
      ("set", po::value<std::vector<std::string>>(&o.sets)->composing(),
       "override a parameter: --set path=value (repeatable), e.g. --set population.size=500 or "
       "--set population.threshold.value=3")
      ("replicates", po::value<std::string>(&o.replicates), "replicates per arm (= --set replicates=N)")
      ("steps", po::value<std::string>(&o.steps), "steps per run (= --set steps=T)")
      ("seed", po::value<std::string>(&o.seed), "master seed (= --set seed=S)");
}

Scenario load_with_overrides(const ScenarioOptions& o) {
  std::vector<std::string> sets = o.sets;
  if (!o.replicates.empty())
    sets.push_back("replicates=" + std::to_string(parameter_option(
                                       o.command, "--replicates", o.replicates, "replicates")));
  if (!o.steps.empty())
    sets.push_back("steps=" + std::to_string(parameter_option(o.command, "--steps", o.steps, "steps")));
  if (!o.seed.empty()) sets.push_back("seed=" + o.seed);
  Scenario sc = load_scenario(o.scenario, sets);
  for (const auto& w : sc.warnings) std::cerr << "orgsim: warning: " << w << "\n";
  return sc;
}

/// `check` and `sweep` of a sweep file take none of the scenario options (a sweep file sets its
/// own): refused with what to do instead, never ignored.
void refuse_scenario_options(const std::string& cmd, const ScenarioOptions& o) {
  if (!o.sets.empty() || !o.replicates.empty() || !o.steps.empty() || !o.seed.empty())
    throw UsageError("orgsim " + cmd +
                     ": --set, --replicates, --steps and --seed change a scenario; " + o.scenario +
                     " is a sweep file: set them in it (its \"scenario\", "
                     "\"replicates\" and \"seed\")");
}

/// Parses the options of one command; returns false when --help was printed.
bool parse(int argc, char** argv, const po::options_description& visible,
           const po::options_description& all, const po::positional_options_description& pos,
           const std::string& usage) {
  po::variables_map vm;
  po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
  if (vm.count("help")) {
    std::cout << usage << "\n" << visible << "\n";
    return false;
  }
  po::notify(vm);
  return true;
}

class ProgressLine {
 public:
  explicit ProgressLine(bool quiet) : tty_(!quiet && isatty(STDERR_FILENO)), quiet_(quiet) {
    start_ = last_ = std::chrono::steady_clock::now();
  }
  void operator()(std::int64_t done, std::int64_t total, std::int64_t failed = 0) {
    if (quiet_) return;
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double since = std::chrono::duration<double>(now - last_).count();
    const bool finished = done >= total;
    // On a terminal: a line redrawn in place; otherwise a line every 10 s on long runs.
    if (tty_ ? (since < 0.2 && !finished) || elapsed < 1.0 : since < 10.0 || finished) return;
    last_ = now;
    const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
    const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0.0;
    char buf[200];
    const int width = 24;
    const int filled = total > 0 ? static_cast<int>(width * done / total) : width;
    const std::string bar = tty_ ? "[" + std::string(static_cast<std::size_t>(filled), '#') +
                                       std::string(static_cast<std::size_t>(width - filled), '.') + "] "
                                 : std::string();
    std::snprintf(buf, sizeof buf, "%sruns %lld/%lld%s  %.1f runs/s  elapsed %.0f s  ETA %.0f s",
                  bar.c_str(), static_cast<long long>(done), static_cast<long long>(total),
                  failed > 0 ? (" (" + std::to_string(failed) + " failed)").c_str() : "", rate,
                  elapsed, eta);
    if (tty_) {
      std::cerr << "\r" << buf << "\033[K" << (finished ? "\n" : "") << std::flush;
    } else {
      std::cerr << buf << "\n";
    }
  }

 private:
  bool tty_, quiet_;
  std::chrono::steady_clock::time_point start_, last_;
};

/// The lines a finished run or sweep ends with: where its results are, and the two commands that
/// say in words what they mean (a path with characters a shell would split is quoted).
std::string results_lines(const std::string& out) {
  std::string arg = out;
  if (out.find_first_of(" \t'\"$`\\!*?;&|<>()[]{}#~") != std::string::npos) {
    arg = "'";
    for (char c : out) arg += c == '\'' ? std::string("'\\''") : std::string(1, c);
    arg += "'";
  }
  return "results: " + out + "\n" + "the story in words: orgsim report " + arg +
         "   (each row's meaning: orgsim outputs)\n";
}

int cmd_run(int argc, char** argv, const std::string& cmdline) {
  ScenarioOptions so;
  std::string out, threads_text;
  bool quiet = false, force = false;
  po::options_description visible("options");
  visible.add_options()("help,h", "this help")
      ("output,o", po::value<std::string>(&out), "results file (default results/<name>.h5)")
      ("force", po::bool_switch(&force), "replace an existing output that is not a run's results file")
      ("threads", po::value<std::string>(&threads_text), "worker threads (default or 0: all cores)")
      ("quiet,q", po::bool_switch(&quiet), "no progress line");
  add_scenario_options(visible, so);
  po::options_description all;
  all.add(visible).add_options()("scenario", po::value<std::string>(&so.scenario));
  po::positional_options_description pos;
  pos.add("scenario", 1);
  if (!parse(argc, argv, visible, all, pos, "usage: orgsim run SCENARIO.json [options]")) return 0;
  if (so.scenario.empty()) throw UsageError("orgsim run: missing SCENARIO.json (see orgsim run --help)");
  const unsigned threads = threads_option("run", threads_text);

  const Scenario sc = load_with_overrides(so);
  const RunPlan plan = make_plan(sc);
  check_resources(plan, sc.file, threads);
  if (out.empty()) out = default_output(sc.name, sc.file);
  check_output_folder(out);
  check_replaceable(out, force, layout::kKindRun);
  make_output_folder(out);

  const unsigned nt = threads_used(threads, static_cast<long double>(plan.total_runs()));
  if (!quiet)
    std::cerr << "orgsim run " << sc.name << ": " << plan.arms.size() << " arm(s) x "
              << plan.replicates << " replicate(s) = " << plan.total_runs() << " runs of "
              << plan.steps << " steps, " << plan.arms.front().n << " agents, " << nt
              << " thread(s)\n";
  ProgressLine progress(quiet);
  // Ctrl-C: a run keeps every record in memory until its file is written at the end, so an
  // interrupted run has nothing to keep.
  const std::string nothing_written =
      "orgsim run: interrupted: nothing written (" + out +
      " is written when every run has finished); run it again with: " + shell_command(argc, argv);
  interrupt::prepare("", nothing_written);
  interrupt::install();
  interrupt::poll(true);
  std::vector<RunRecord> records;
  try {
    records = run_plan(plan, threads, [&](std::int64_t done, std::int64_t total) {
      interrupt::check();
      progress(done, total);
    });
  } catch (const interrupt::Interrupted& e) {
    std::cerr << "\n" << nothing_written << "\n";
    return 128 + e.signal();
  }
  interrupt::poll(false);  // from here a signal stops at once, deleting the .partial
  if (const int sig = interrupt::g_signal; sig != 0) {
    std::cerr << "\n" << nothing_written << "\n";
    return 128 + sig;
  }
  interrupt::prepare(out + ".partial", nothing_written);

  const auto durability = durability_by_arm(records, plan.arm_names, plan.steps);
  ResultsWriter writer(out, run_file_header(sc, plan, cmdline));  // the writer draws a study id
  writer.append(records);
  writer.set_durability(durability);
  writer.finish();
  interrupt::prepare("", "");

  std::cout << format_summary(summarize(records, plan.arm_names),
                              sc.name + " (" + std::to_string(plan.replicates) +
                                  (plan.replicates == 1 ? " replicate" : " replicates") +
                                  " per arm)",
                              durability)
            << results_lines(out);
  return 0;
}

std::pair<std::int64_t, std::int64_t> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  try {
    if (slash != std::string::npos) {
      const long long i = std::stoll(text.substr(0, slash)), n = std::stoll(text.substr(slash + 1));
      if (n >= 1 && i >= 0 && i < n) return {i, n};
    }
  } catch (...) {
  }
  throw InputError("--shard", "", "i/N with 0 <= i < N (e.g. 0/4)", "\"" + text + "\"");
}

void check_output_limit(const Sweep& s, double max_gb);

/// A sweep keeps its parts in the folder OUT.parts: anything else there is an input error (it
/// used to end as a filesystem error, exit 1).
void check_parts_folder(const std::string& out) {
  const std::string parts = out + ".parts";
  std::error_code ec;
  const auto st = std::filesystem::status(parts, ec);
  if (std::filesystem::exists(st) && !std::filesystem::is_directory(st))
    throw InputError("-o", out, "nothing at " + parts + ", or the folder of this sweep's parts",
                     "a file there", "give another -o, or move that file away");
}

/// The line a sweep ends with when some of its runs failed (each failure printed its reproduce
/// command as it happened).
std::string failed_runs_line(std::int64_t failed) {
  return std::to_string(failed) +
         " run(s) failed (status 2 in the file; the reproduce commands are above)\n";
}

/// What an interrupted sweep says: the runs its parts keep (all shards') and the command that
/// continues it (`again`), or that nothing was kept.
std::string interrupted_sweep_lines(const Sweep& s, const std::string& out, const SweepOptions& opt,
                                    int sig, const std::string& again) {
  const std::string parts_dir = out + ".parts";
  std::int64_t kept = 0;
  try {
    kept = kept_runs(s, out, opt.allow_commit_change);
  } catch (const std::exception& e) {
    return "orgsim sweep: interrupted (" + interrupt::signal_name(sig) + "); the parts in " +
           parts_dir + " could not be counted (" + e.what() + "); continue with: " + again + "\n";
  }
  if (kept == 0)
    return "orgsim sweep: interrupted (" + interrupt::signal_name(sig) +
           ") before any part was written: nothing kept; run it again with: " + again + "\n";
  return "orgsim sweep: interrupted (" + interrupt::signal_name(sig) +
         "): " + std::to_string(kept) + " of " + std::to_string(s.total_runs()) + " runs kept in " +
         parts_dir + " (runs finished since the last part run again); continue with: " + again +
         "\n";
}

int cmd_sweep(int argc, char** argv, const std::string& cmdline) {
  std::string file, out, shard = "0/1", threads_text, part_runs_text, max_gb_text;
  const long long default_part_runs = SweepChoices{}.part_runs;
  bool resume = false, quiet = false, force = false, allow_commit_change = false;
  po::options_description visible("options");
  visible.add_options()("help,h", "this help")
      ("output,o", po::value<std::string>(&out), "results file (default results/<name>.h5)")
      ("resume", po::bool_switch(&resume), "continue an interrupted sweep from its parts")
      ("allow-commit-change", po::bool_switch(&allow_commit_change),
       "resume from parts that a build of another git commit wrote (with a warning)")
      ("force", po::bool_switch(&force), "replace an existing output that is not a sweep's results file")
      ("threads", po::value<std::string>(&threads_text), "worker threads (default or 0: all cores)")
      ("shard", po::value<std::string>(&shard), "run only runs with run % N == i (i/N); "
                                                "then `orgsim merge` the parts")
      ("part-runs", po::value<std::string>(&part_runs_text),
       ("runs per part file (default " + std::to_string(default_part_runs) +
        "; parts are also written every 60 s)").c_str())
      ("max-output-gb", po::value<std::string>(&max_gb_text),
       "refuse to start if the file would exceed this (a number > 0)")
      ("quiet,q", po::bool_switch(&quiet), "no progress line");
  // Not listed in --help: taken only to say that a sweep file sets them itself.
  ScenarioOptions scenario_options;
  po::options_description hidden;
  add_scenario_options(hidden, scenario_options);
  po::options_description all;
  all.add(visible).add(hidden).add_options()("file", po::value<std::string>(&file));
  po::positional_options_description pos;
  pos.add("file", 1);
  if (!parse(argc, argv, visible, all, pos, "usage: orgsim sweep SWEEP.json [options]")) return 0;
  if (file.empty()) throw UsageError("orgsim sweep: missing SWEEP.json (see orgsim sweep --help)");
  scenario_options.scenario = file;
  refuse_scenario_options("sweep", scenario_options);
  const unsigned threads = threads_option("sweep", threads_text);
  const long long part_runs =
      part_runs_text.empty()
          ? default_part_runs
          : integer_option("sweep", "--part-runs", part_runs_text, 1,
                           std::numeric_limits<long long>::max());
  const double max_gb = positive_number_option("sweep", "--max-output-gb", max_gb_text);
  const auto [si, sn] = parse_shard(shard);
  const Sweep s = load_sweep(file);
  check_output_limit(s, max_gb);
  check_resources(s, threads);
  if (out.empty()) out = default_output(s.name, s.file);
  check_output_folder(out);
  check_replaceable(out, force, layout::kKindSweep);
  check_parts_folder(out);
  make_output_folder(out);
  const bool other_rank = std::getenv("OMPI_COMM_WORLD_RANK") &&
                          std::string(std::getenv("OMPI_COMM_WORLD_RANK")) != "0";
  if (other_rank) quiet = true;  // under mpirun only rank 0 talks
  if (!quiet)
    std::cerr << "orgsim sweep " << s.name << ": " << s.points() << " point(s) x " << s.arms()
              << " arm(s) x " << s.replicates << " replicate(s) = " << s.total_runs() << " runs ("
              << design_type_name(s.design.type) << " design)"
              << (sn > 1 ? ", shard " + shard : std::string()) << "\n";
  SweepChoices choices;
  choices.threads = threads;
  choices.shard = si;
  choices.shards = sn;
  choices.resume = resume;
  choices.allow_commit_change = allow_commit_change;
  choices.part_runs = part_runs;
  choices.command_line = cmdline;
  if (other_rank) choices.warn_as.clear();  // under mpirun only rank 0 warns (with --quiet too)
  SweepOptions opt = sweep_options(choices);
  ProgressLine line(quiet);
#ifdef ORGSIM_WITH_MPI
  if (mpi_launched()) {
    if (sn > 1) throw UsageError("orgsim sweep: use either mpirun or --shard, not both");
    bool merged_here = false;
    std::int64_t failed = 0;
    const int status = mpi_sweep(s, out, opt, [&](const SweepProgress& p) { line(p.done, p.total); },
                                 merged_here, failed);
    if (merged_here) {
      std::cout << "results: " << out << "\n";
      if (failed > 0)
        std::cout << failed_runs_line(failed);
    }
    return status;
  }
#endif
  SweepRecap recap;
  opt.recap = &recap;
  // Ctrl-C (see `interrupt`): the finished parts stay for --resume; the final file being built
  // as the runs finish is deleted by its writer, or by the handler when stopping at once.
  const std::string parts_dir = out + ".parts";
  std::string again = shell_command(argc, argv);
  if (!resume) again += " --resume";
  interrupt::prepare(out + ".partial", "orgsim sweep: stopped: the finished parts in " + parts_dir +
                                           " are kept (orgsim status " + parts_dir +
                                           "); continue with: " + again);
  interrupt::install();
  interrupt::poll(true);
  std::int64_t failed = 0;
  try {
    failed = run_sweep(s, out, opt, [&](const SweepProgress& p) {
      interrupt::check();
      line(p.done, p.total, p.failed);
    });
  } catch (const interrupt::Interrupted& e) {
    interrupt::poll(false);
    std::cerr << "\n" << interrupted_sweep_lines(s, out, opt, e.signal(), again);
    return 128 + e.signal();
  }
  interrupt::poll(false);
  // A signal that came while the last runs were written was not seen: the sweep is complete, or
  // (--resume, shards) its runs all in parts; a signal from here on stops at once.
  if (const int sig = interrupt::g_signal; sig != 0 && sn == 1 && has_parts(out)) {
    std::cerr << "\n" << interrupted_sweep_lines(s, out, opt, sig, again);
    return 128 + sig;
  }
  if (sn > 1) {
    std::cout << "shard " << shard << " done" << (failed ? " (" + std::to_string(failed) + " failed)" : "")
              << "; when every shard is done: orgsim merge " << out << ".parts -o " << out << "\n";
    return failed > 0 ? 1 : 0;
  }
  if (has_parts(out)) {
    merge_parts(out + ".parts", out, opt.allow_commit_change);  // the resume warned already
    recap.filled = false;  // the merged file is the one to summarize
  }
  interrupt::prepare("", "");  // the file is in place: a signal now only stops the summary
  // The summary: from what the sweep kept when it built the file as it ran, else from the file.
  if (!recap.filled) {
    ResultsFile rf = read_results(out, /*with_series=*/false);
    recap.arm_names = std::move(rf.header.arm_names);
    recap.runs = std::move(rf.runs);
    recap.durability = std::move(rf.durability);
  }
  std::cout << format_summary(summarize(recap.runs, recap.arm_names),
                              s.name + " (" + std::to_string(recap.runs.size()) +
                                  " runs, pooled over the design points)",
                              recap.durability)
            << results_lines(out);
  if (failed > 0) {
    std::cout << failed_runs_line(failed);
    return 1;
  }
  return 0;
}

int cmd_status(int argc, char** argv) {
  std::string dir;
  po::options_description visible("options");
  visible.add_options()("help,h", "this help");
  po::options_description all;
  all.add(visible).add_options()("dir", po::value<std::string>(&dir));
  po::positional_options_description pos;
  pos.add("dir", 1);
  if (!parse(argc, argv, visible, all, pos, "usage: orgsim status PARTS_DIR")) return 0;
  if (dir.empty()) throw UsageError("orgsim status: missing PARTS_DIR (e.g. results/study.h5.parts)");
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  std::cout << sweep_status(dir);
  return 0;
}

void check_output_limit(const Sweep& s, double max_gb) {
  if (max_gb <= 0) return;
  const double bytes = static_cast<double>(s.total_runs()) * sweep_output_bytes_per_run(s);
  if (bytes > max_gb * 1024.0 * 1024.0 * 1024.0)
    throw InputError(s.file, "--max-output-gb",
                     "a sweep whose output fits in " + format_bytes(max_gb * 1024 * 1024 * 1024),
                     std::to_string(s.total_runs()) + " runs writing about " + format_bytes(bytes),
                     "fewer points, replicates or steps, or a higher --max-output-gb");
}

int cmd_merge(int argc, char** argv) {
  std::string dir, out;
  bool force = false, allow_commit_change = false;
  po::options_description visible("options");
  visible.add_options()("help,h", "this help")
      ("output,o", po::value<std::string>(&out), "results file (default: the parts directory "
                                                  "without .parts)")
      ("force", po::bool_switch(&force), "replace an existing output that is not a sweep's results file")
      ("allow-commit-change", po::bool_switch(&allow_commit_change),
       "merge parts written by a build of another git commit (warns; the file records this "
       "build's commit)");
  po::options_description all;
  all.add(visible).add_options()("dir", po::value<std::string>(&dir));
  po::positional_options_description pos;
  pos.add("dir", 1);
  if (!parse(argc, argv, visible, all, pos, "usage: orgsim merge PARTS_DIR [-o OUT.h5]")) return 0;
  if (dir.empty()) throw UsageError("orgsim merge: missing PARTS_DIR");
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (out.empty()) {
    if (dir.size() <= 6 || dir.substr(dir.size() - 6) != ".parts")
      throw UsageError("orgsim merge: give -o OUT.h5 (the parts directory does not end in .parts)");
    out = dir.substr(0, dir.size() - 6);
  }
  check_output_folder(out);
  check_replaceable(out, force, layout::kKindSweep);
  make_output_folder(out);
  // Ctrl-C stops at once (see `interrupt`): the parts are untouched until the file is in place.
  interrupt::prepare(out + ".partial",
                     "orgsim merge: stopped: the parts in " + dir +
                         " are kept; merge them again with: " + shell_command(argc, argv));
  interrupt::install();
  merge_parts(dir, out, allow_commit_change,
              [](const std::string& w) { std::cerr << "orgsim merge: warning: " << w << "\n"; });
  interrupt::prepare("", "");
  std::cout << "results: " << out << "\n";
  return 0;
}

int cmd_rerun(int argc, char** argv) {
  std::string file, run_text;
  po::options_description visible("options");
  visible.add_options()("help,h", "this help")("run", po::value<std::string>(&run_text),
                                               "run index K (0, 1, ...)");
  po::options_description all;
  all.add(visible).add_options()("file", po::value<std::string>(&file));
  po::positional_options_description pos;
  pos.add("file", 1);
  if (!parse(argc, argv, visible, all, pos,
             "usage: orgsim rerun FILE.h5 --run K   (or a sweep file: orgsim rerun SWEEP.json --run K)"))
    return 0;
  if (file.empty() || run_text.empty()) throw UsageError("orgsim rerun: give a file and --run K");
  const long long run =
      integer_option("rerun", "--run", run_text, 0, std::numeric_limits<long long>::max());
  const Rerun r = rerun(file, run);
  if (!r.version_warning.empty()) std::cerr << "orgsim rerun: warning: " << r.version_warning << "\n";
  if (r.from_results) {
    std::cout << "run " << run << ": "
              << (r.identical() ? "bit-identical to the file" : "DIFFERS from the file") << "\n";
    if (!r.identical()) {
      std::cout << "  differing values:";
      for (const auto& name : r.differences) std::cout << " " << name;
      std::cout << "\n";
      for (std::size_t k = 0; k < per_run_outputs().size(); ++k)
        std::cout << "  " << per_run_outputs()[k].name << ": file " << r.stored.per_run[k]
                  << ", rerun " << r.record.per_run[k] << "\n";
      return 1;
    }
  }
  const RunRecord& rec = r.record;
  std::cout << "run " << run << " (point " << rec.point << ", arm " << rec.arm << " \""
            << r.arm_name << "\", replicate " << rec.replicate << ", seed " << rec.seed << ")\n";
  if (!r.point_values.empty()) {
    std::cout << "  point " << rec.point << ":";
    for (std::size_t k = 0; k < r.point_values.size(); ++k) {
      const auto& [key, value] = r.point_values[k];
      std::cout << (k ? ", " : " ") << key << "="
                << (value.is_string() ? value.get<std::string>() : value.dump());
    }
    std::cout << "\n";
  }
  for (std::size_t k = 0; k < per_run_outputs().size(); ++k)
    std::cout << "  " << per_run_outputs()[k].name << " = " << rec.per_run[k] << "\n";
  return 0;
}

/// Debian's interpreter sees Debian's python3-* packages; a pyenv python3 on PATH may not.
std::string python_interpreter() {
  return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

/// Runs args (an interpreter and its arguments) with the source tree on PYTHONPATH, so that
/// `-m analysis.<module>` finds the package; returns its exit status. `subject` is the file it
/// reads: when the interpreter dies of a signal (h5py's HDF5 does not survive every damaged
/// file: a corrupt superblock can make it free an invalid pointer), the error names that file,
/// and the exit status is 1, never the signal.
int run_python(std::vector<std::string> args, const std::string& command,
               const std::string& subject) {
  const std::string source = ORGSIM_SOURCE_DIR;
  const char* old = std::getenv("PYTHONPATH");
  const std::string path = source + (old && *old ? ":" + std::string(old) : std::string());
  const pid_t pid = fork();
  if (pid < 0) throw RunError("orgsim " + command + ": cannot start " + args.front());
  if (pid == 0) {
    setenv("PYTHONPATH", path.c_str(), 1);
    std::vector<char*> cargs;
    for (auto& a : args) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    execvp(cargs[0], cargs.data());
    std::perror(("orgsim " + command + ": cannot run " + args.front()).c_str());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* name = strsignal(sig);
    std::cerr << "orgsim " << command << ": " << subject << ": the analysis died of signal "
              << sig << " (" << (name ? name : "unknown") << ") while reading it; the file is "
              << "probably damaged (HDF5 does not survive every corrupt file). Check it with "
              << "`orgsim summarize " << subject << "`, or write it again.\n";
  }
  return 1;
}

/// `orgsim report FILE.h5 [-o OUT.html]`: the trainer's one-page report, written by the Python
/// package analysis/ (analysis.report) with Debian's interpreter.
int cmd_report(int argc, char** argv) {
  std::string file, out;
  bool force = false;
  po::options_description visible("options");
  visible.add_options()("help,h", "this help")
      ("output,o", po::value<std::string>(&out), "HTML file (default: next to FILE, .html)")
      ("force", po::bool_switch(&force),
       "replace an existing output that is not an earlier report (never the results file)");
  po::options_description all;
  all.add(visible).add_options()("file", po::value<std::string>(&file));
  po::positional_options_description pos;
  pos.add("file", 1);
  if (!parse(argc, argv, visible, all, pos, "usage: orgsim report FILE.h5 [-o report.html]"))
    return 0;
  if (file.empty()) throw UsageError("orgsim report: missing FILE.h5");
  if (!out.empty()) check_output_folder(out);  // as run and sweep say it (analysis.report did not)
  std::vector<std::string> args = {python_interpreter(), "-m", "analysis.report", file};
  if (!out.empty()) {
    args.push_back("-o");
    args.push_back(out);
  }
  if (force) args.push_back("--force");
  return run_python(args, "report", file);
}

/// A subcommand done by a module of analysis/ whose own --help lists the options: the arguments
/// are passed through as they are. `usage` is printed when there is not even a first argument
/// (the file the command is about, named in its errors).
int pass_to_python(int argc, char** argv, const char* command, const char* module,
                   const char* usage, bool tell_own_path = false) {
  if (argc < 2) {
    std::cerr << usage << "\n";
    return 2;
  }
  std::vector<std::string> args = {python_interpreter(), "-m", module};
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  if (tell_own_path) {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
      args.push_back("--orgsim");
      args.push_back(self.string());
    }
  }
  return run_python(args, command, argv[1]);
}

/// `orgsim discover SWEEP.h5 --where "..." [options]`: scenario discovery with PRIM, done by
/// analysis.discover.
int cmd_discover(int argc, char** argv) {
  return pass_to_python(argc, argv, "discover", "analysis.discover",
                        "usage: orgsim discover SWEEP.h5 --where \"CONDITION\" (see orgsim "
                        "discover --help)");
}

/// `orgsim calibrate CAL.json [-o OUT.h5] [--threads N] [--resume] [--launcher "mpirun ..."]`:
/// ABC-SMC calibration (docs/CALIBRATION.md), done by analysis.calibrate, which runs every batch
/// of proposals as a sweep of this same binary (passed on as --orgsim).
int cmd_calibrate(int argc, char** argv) {
  // The output's folder is checked here, as run, sweep and report check theirs (analysis.calibrate
  // would fail with exit 1 on a folder that is a file).
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "-o" || a == "--output") && i + 1 < argc) check_output_folder(argv[i + 1]);
    if (a.rfind("--output=", 0) == 0) check_output_folder(a.substr(9));
  }
  return pass_to_python(argc, argv, "calibrate", "analysis.calibrate",
                        "usage: orgsim calibrate CAL.json [-o OUT.h5] [--threads N] [--resume] "
                        "(see orgsim calibrate --help)",
                        true);
}

/// `orgsim check --explain`: every resolved value and where it came from (default, base NAME,
/// file, --set), then what each arm sets (arm NAME). For a sweep (`sweep` given): its own
/// `replicates` and `seed` (sweep file), and each design parameter with the values the design
/// gives it (sweep design: ...) instead of the scenario's one value, which no run uses.
void print_explanation(const Scenario& sc, const Sweep* sweep = nullptr) {
  if (sweep) {
    std::cout << "resolved values of " << sweep->file << " (scenario " << sc.file
              << "; default < base < scenario file < sweep file < sweep design < arm";
  } else {
    std::cout << "resolved values of " << sc.file << " (default < base < file < --set < arm";
  }
  if (!sc.bases.empty()) {
    std::cout << "; bases applied:";
    for (const auto& b : sc.bases) std::cout << " " << b;
  }
  std::cout << ")\n";
  std::size_t width = 0;
  for (const auto& key : parameter_keys()) width = std::max(width, key.size());
  if (sweep)
    for (const auto& p : sweep->design.params) width = std::max(width, p.key.size());
  auto line = [&](const std::string& key, const std::string& value, const std::string& origin) {
    std::cout << "  " << key << std::string(width - key.size() + 2, ' ') << value << "  (" << origin
              << ")\n";
  };
  for (const auto& key : parameter_keys()) {
    std::string value = sc.base.at(key).dump(), origin = sc.origin.at(key);
    if (sweep && origin == "file") origin = "scenario file";
    if (sweep && key == "replicates" && sweep->sets_replicates) {
      value = std::to_string(sweep->replicates);
      origin = "sweep file";
    } else if (sweep && key == "seed" && sweep->sets_seed) {
      value = std::to_string(sweep->seed);
      origin = "sweep file";
    }
    // A design parameter: the design's values replace the scenario's; one inside an object
    // (population.threshold.mean) follows the object's line.
    std::vector<const DesignParam*> inside;
    if (sweep)
      for (const auto& p : sweep->design.params) {
        if (p.key == key) {
          const DesignValuesText t = design_values_text(sweep->design, p, sweep->file);
          value = t.values;
          origin = "sweep design: " + t.how;
        } else if (table_key_of(p.key) == key) {
          inside.push_back(&p);
        }
      }
    line(key, value, origin);
    for (const DesignParam* p : inside) {
      const DesignValuesText t = design_values_text(sweep->design, *p, sweep->file);
      line(p->key, t.values, "sweep design: " + t.how);
    }
  }
  for (std::size_t a = 0; a < sc.arms.size(); ++a) {
    std::cout << "arm " << sc.arms[a].name << ":";
    bool any = false;
    for (const auto& key : parameter_keys())
      if (sc.arm_origin[a].at(key) != sc.origin.at(key)) {
        if (!any) std::cout << "\n";
        any = true;
        line(key, sc.arm_params[a].at(key).dump(), sc.arm_origin[a].at(key));
      }
    if (!any) std::cout << " no overrides\n";
  }
}

/// The `time:` line and, over an hour, a warning. `runs` runs of `steps` steps on `nt` threads.
void print_time(const Pilot& p, std::int64_t steps, long double runs, unsigned nt,
                double budget) {
  const double per_thread = static_cast<double>(runs / static_cast<long double>(nt));
  double total = 0;
  std::string basis;
  bool lower_bound = false;
  char buf[200];
  if (p.steps_done >= steps) {
    total = p.seconds * per_thread;
    std::snprintf(buf, sizeof buf, "pilot run %.3g s", p.seconds);
    basis = buf;
  } else if (p.steps_done > 0) {
    const double per_step = (p.seconds - p.setup_seconds) / static_cast<double>(p.steps_done);
    const double run = p.setup_seconds + per_step * static_cast<double>(steps);
    total = run * per_thread;
    std::snprintf(buf, sizeof buf, "pilot: %lld of %lld steps in %.3g s, extrapolated to %.3g s "
                  "per run", static_cast<long long>(p.steps_done), static_cast<long long>(steps),
                  p.seconds, run);
    basis = buf;
  } else {
    // Not one step within the budget: a run takes longer than the budget.
    lower_bound = true;
    total = budget * per_thread;
    std::snprintf(buf, sizeof buf, "the pilot run %s within %.3g s",
                  p.setup_done ? "did not finish one step" : "did not finish building the population",
                  budget);
    basis = buf;
  }
  std::cout << "time: " << (lower_bound ? "more than " : "~") << format_duration(total) << " ("
            << basis << " x " << format_count(runs) << " runs / " << nt << " thread(s))\n";
  if (total > 3600.0)
    std::cout << "warning: time: " << (lower_bound ? "more than " : "about ")
              << format_duration(total) << " (" << format_count(runs) << " runs of " << steps
              << " steps on " << nt << " thread(s)), more than an hour\n";
}

/// Free bytes where the results would be written (the nearest existing folder), or -1.
double free_disk_bytes(const std::string& out) {
  std::filesystem::path dir = std::filesystem::absolute(out).parent_path();
  while (!dir.empty() && !std::filesystem::exists(dir) && dir != dir.root_path())
    dir = dir.parent_path();
  struct statvfs st {};
  if (statvfs(dir.c_str(), &st) != 0) return -1;
  return static_cast<double>(st.f_bavail) * static_cast<double>(st.f_frsize);
}

void print_output(const ResourceEstimate& e, const std::string& out) {
  std::cout << "output: at most ~" << format_bytes(e.output_bytes) << " uncompressed (" << out
            << ")\n";
  const double free = free_disk_bytes(out);
  if (free >= 0 && e.output_bytes > free)
    std::cout << "warning: output: ~" << format_bytes(e.output_bytes) << " for "
              << format_count(e.runs) << " runs of " << e.steps << " steps, more than the "
              << format_bytes(free) << " free where " << out << " would be written\n";
}

constexpr double kPilotSeconds = 2.0;

/// The pilot of `check`; an input error it meets (the plan was already printed) names the
/// scenario or sweep file when the error itself knows none, and says the pilot found it.
Pilot pilot_for(const std::string& file, const ModelConfig& cfg, std::uint64_t seed,
                const Network* edges) {
  try {
    return run_pilot(cfg, seed, edges, kPilotSeconds);
  } catch (const InputError& e) {
    const std::string found_by = "found by the pilot run of the first steps";
    throw InputError(e.file().empty() ? file : e.file(), e.where(), e.expected(), e.found(),
                     e.hint().empty() ? found_by : e.hint() + "; " + found_by);
  }
}

int cmd_check_sweep(const std::string& file, unsigned threads, double max_gb, bool explain,
                    std::string out) {
  const Sweep s = load_sweep(file);
  check_output_limit(s, max_gb);
  check_resources(s, threads);
  const ResourceEstimate e = estimate_resources(s, threads);
  const std::int64_t steps = e.steps;
  // Without -o, the name must make a plain file stem, as `sweep` requires (an InputError).
  if (out.empty()) out = default_output(s.name, s.file);
  check_output_folder(out);
  check_parts_folder(out);
  std::cout << file << ": valid\n"
            << "plan: " << s.points() << " point(s) x " << s.arms() << " arm(s) x " << s.replicates
            << " replicate(s) = " << format_count(e.runs) << " runs of " << steps << " steps ("
            << design_type_name(s.design.type) << " design over " << s.design.params.size()
            << " parameter(s))\n"
            << "memory: ~" << format_bytes(e.per_run_bytes) << " for the largest run ("
            << sweep_largest_config(s).n << " agents), ~" << format_bytes(e.memory_bytes)
            << " peak with " << e.threads << " thread(s) (runs stream to parts)\n";
  print_output(e, out);
  const auto& nets = s.scenario.arm_networks;
  const ModelConfig cfg = sweep_config(s, 0, 0);
  const Network* edges = !nets.empty() && nets[0] && nets[0]->n == cfg.n ? nets[0].get() : nullptr;
  print_time(pilot_for(s.file, cfg, replicate_seed(s.seed, 0), edges), steps, e.runs, e.threads,
             kPilotSeconds);
  if (explain) {
    print_explanation(s.scenario, &s);
    std::cout << "varied by the design:";
    for (const auto& p : s.design.params) std::cout << " " << p.key;
    std::cout << "\n";
  }
  return 0;
}

int cmd_check(int argc, char** argv) {
  ScenarioOptions so;
  so.command = "check";
  std::string threads_text, max_gb_text;
  bool explain = false;
  std::string out;
  po::options_description visible("options");
  visible.add_options()("help,h", "this help")
      ("explain", po::bool_switch(&explain),
       "print every resolved value and where it came from (default, base NAME, file, --set, "
       "arm NAME)")
      ("threads", po::value<std::string>(&threads_text),
       "threads the run would use (default or 0: all cores)")
      ("output,o", po::value<std::string>(&out),
       "where the results would go (default results/<name>.h5; its free space is checked)")
      ("max-output-gb", po::value<std::string>(&max_gb_text),
       "sweeps: fail if the file would exceed this (a number > 0)");
  add_scenario_options(visible, so);
  po::options_description all;
  all.add(visible).add_options()("scenario", po::value<std::string>(&so.scenario));
  po::positional_options_description pos;
  pos.add("scenario", 1);
  if (!parse(argc, argv, visible, all, pos, "usage: orgsim check SCENARIO.json [options]")) return 0;
  if (so.scenario.empty()) throw UsageError("orgsim check: missing SCENARIO.json");
  const unsigned threads = threads_option("check", threads_text);
  const double max_gb = positive_number_option("check", "--max-output-gb", max_gb_text);
  if (is_sweep_file(so.scenario)) {
    // `orgsim sweep` takes none of these (a sweep file sets its own): refused, not ignored.
    refuse_scenario_options("check", so);
    return cmd_check_sweep(so.scenario, threads, max_gb, explain, out);
  }
  const Scenario sc = load_with_overrides(so);
  const RunPlan plan = make_plan(sc);
  check_resources(plan, sc.file, threads);
  const ResourceEstimate e = estimate_resources(plan, threads);
  if (out.empty()) out = default_output(sc.name, sc.file);  // as `run` requires
  check_output_folder(out);
  std::cout << sc.file << ": valid\n"
            << "plan: " << plan.arms.size() << " arm(s) x " << plan.replicates
            << " replicate(s) = " << format_count(e.runs) << " runs of " << plan.steps
            << " steps\n";
  for (std::size_t a = 0; a < plan.arms.size(); ++a)
    std::cout << "  arm " << a << ": " << plan.arm_names[a] << " (" << plan.arms[a].n
              << " agents, ~" << static_cast<long long>(expected_entries(plan.arms[a]) / 2)
              << " ties)\n";
  std::cout << "memory: ~" << format_bytes(e.per_run_bytes) << " per run, ~"
            << format_bytes(e.memory_bytes) << " with " << e.threads << " thread(s) and "
            << format_bytes(e.held_bytes) << " of results kept until the file is written\n";
  print_output(e, out);
  // A pilot: the first steps of one replicate of the first arm, for at most kPilotSeconds.
  const Network* edges = plan.networks.empty() ? nullptr : plan.networks.front().get();
  print_time(pilot_for(sc.file, plan.arms.front(), replicate_seed(plan.master_seed, 0), edges),
             plan.steps, e.runs, e.threads, kPilotSeconds);
  if (explain) print_explanation(sc);
  return 0;
}

int cmd_table(int argc, char** argv, bool outputs) {
  bool markdown = false;
  po::options_description visible("options");
  visible.add_options()("help,h", "this help")("markdown", po::bool_switch(&markdown),
                                               "print the Markdown document");
  po::positional_options_description pos;
  if (!parse(argc, argv, visible, visible, pos,
             outputs ? "usage: orgsim outputs [--markdown]" : "usage: orgsim params [--markdown]"))
    return 0;
  if (outputs) {
    if (markdown) {
      std::cout << outputs_markdown();
    } else {
      for (const auto& o : output_dictionary())
        std::cout << o.name << "  (" << (o.scope == OutputScope::per_step ? "run, step" : "run")
                  << ")  [" << units_text(o) << "]\n    " << o.long_name << ": " << o.description
                  << "\n";
    }
  } else {
    std::cout << (markdown ? parameters_markdown() : parameters_text());
  }
  return 0;
}

int cmd_summarize(int argc, char** argv) {
  std::string file;
  po::options_description visible("options");
  visible.add_options()("help,h", "this help");
  po::options_description all;
  all.add(visible).add_options()("file", po::value<std::string>(&file));
  po::positional_options_description pos;
  pos.add("file", 1);
  if (!parse(argc, argv, visible, all, pos, "usage: orgsim summarize FILE.h5")) return 0;
  if (file.empty()) throw UsageError("orgsim summarize: missing FILE.h5");
  const ResultsFile rf = read_results(file, /*with_series=*/false);
  const bool sweep = rf.header.kind == layout::kKindSweep;  // as `orgsim sweep` titles it
  std::cout << format_summary(summarize(rf.runs, rf.header.arm_names),
                              file + " (" + std::to_string(rf.runs.size()) +
                                  (rf.runs.size() == 1 ? " run" : " runs") +
                                  (sweep ? ", pooled over the design points)" : ")"),
                              durability_by_arm(rf.runs, rf.header.arm_names, rf.header.n_steps));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  keep_freed_memory();  // runs reuse the pages of the first (sim/engine/runner.hpp)
  const std::string cmdline = command_line_text(argc, argv);
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string cmd = argv[1];
  try {
    if (cmd == "-h" || cmd == "--help" || cmd == "help") {
      std::cout << kUsage;
      return 0;
    }
    if (cmd == "version" || cmd == "--version") {
      std::cout << "orgsim " << kVersion << " (" << kGitCommit << ", " << kBuildType << ", "
                << kCompiler << ")\n";
      return 0;
    }
    if (cmd == "run") return cmd_run(argc - 1, argv + 1, cmdline);
    if (cmd == "check") return cmd_check(argc - 1, argv + 1);
    if (cmd == "sweep") return cmd_sweep(argc - 1, argv + 1, cmdline);
    if (cmd == "merge") return cmd_merge(argc - 1, argv + 1);
    if (cmd == "status") return cmd_status(argc - 1, argv + 1);
    if (cmd == "rerun") return cmd_rerun(argc - 1, argv + 1);
    if (cmd == "report") return cmd_report(argc - 1, argv + 1);
    if (cmd == "discover") return cmd_discover(argc - 1, argv + 1);
    if (cmd == "calibrate") return cmd_calibrate(argc - 1, argv + 1);
    if (cmd == "params") return cmd_table(argc - 1, argv + 1, false);
    if (cmd == "outputs") return cmd_table(argc - 1, argv + 1, true);
    if (cmd == "summarize") return cmd_summarize(argc - 1, argv + 1);
    std::string guess =
        did_you_mean(cmd, {"run", "sweep", "merge", "status", "rerun", "report", "discover",
                           "calibrate", "check", "params", "outputs", "summarize", "version"});
    std::cerr << "orgsim: error: unknown command '" << cmd << "'"
              << (guess.empty() ? "" : " (did you mean '" + guess + "'?)") << "\n\n"
              << kUsage;
    return 2;
  } catch (const interrupt::Interrupted& e) {
    std::cerr << "orgsim " << cmd << ": interrupted (" << interrupt::signal_name(e.signal())
              << ")\n";
    return 128 + e.signal();
  } catch (const InputError& e) {
    std::cerr << "orgsim: error: " << e.what() << "\n";
    return 2;
  } catch (const UsageError& e) {
    // A message that names its command ("orgsim sweep: ...") says so once, not after "orgsim:".
    const std::string msg = e.what(), own = "orgsim " + cmd + ": ";
    if (msg.rfind(own, 0) == 0)
      std::cerr << own << "error: " << msg.substr(own.size()) << "\n";
    else
      std::cerr << "orgsim: error: " << msg << "\n";
    return 2;
  } catch (const po::error& e) {
    std::cerr << "orgsim: error: " << e.what() << " (see orgsim " << cmd << " --help)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "orgsim: failed: " << e.what() << "\n";
    return 1;
  }
}
