// The orgsim command line. The only place that catches everything and picks exit codes:
//   0 success, 2 invalid input or usage, 1 failure while running.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "core/errors.hpp"
#include "core/text.hpp"
#include "engine/runner.hpp"
#include "engine/summary.hpp"
#include "engine/simulation.hpp"
#include "engine/sweep.hpp"
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
    "  sweep SWEEP.json      run a parameter sweep (grid, random, lhs, sobol, morris) into one file\n"
    "  merge PARTS_DIR       build a sweep's file from its parts (after --shard runs)\n"
    "  status PARTS_DIR      how far a running or interrupted sweep has got\n"
    "  check FILE.json       validate a scenario or sweep and print the plan, without running it\n"
    "  params [--markdown]   the parameter table\n"
    "  outputs [--markdown]  the output dictionary (what a results file holds)\n"
    "  summarize FILE.h5     the summary again, from a results file\n"
    "  rerun FILE --run K    reproduce run K of a results file (or sweep file) bit-identically\n"
    "  report FILE.h5        a one-page HTML report for a room (figures, summary, what differed)\n"
    "  version               version and build\n\n"
    "`orgsim <command> --help` shows a command's options.\n";

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

std::string new_uuid() {
  std::random_device rd;  // identifies the file only; never feeds the model
  unsigned char b[16];
  for (auto& x : b) x = static_cast<unsigned char>(rd() & 0xff);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
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
  return load_scenario(o.scenario, sets);
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

FileHeader make_header(const Scenario& sc, const RunPlan& plan, const std::string& cmdline) {
  FileHeader h;
  h.kind = "run";
  h.design = "none";
  h.master_seed = plan.master_seed;
  h.n_runs_planned = plan.total_runs();
  h.n_steps = plan.steps;
  h.arm_names = plan.arm_names;
  h.scenario_json = sc.raw_text;
  nlohmann::json resolved = {{"base", sc.base}, {"arms", nlohmann::json::array()}};
  for (std::size_t a = 0; a < sc.arms.size(); ++a)
    resolved["arms"].push_back({{"name", sc.arms[a].name},
                                {"description", sc.arms[a].description},
                                {"overrides", sc.arms[a].overrides},
                                {"parameters", sc.arm_params[a]}});
  h.resolved_params_json = resolved.dump(2);
  h.parameter_table_json = parameters_json().dump(2);
  h.command_line = cmdline;
  h.study_id = new_uuid();
  return h;
}

int cmd_run(int argc, char** argv, const std::string& cmdline) {
  ScenarioOptions so;
  std::string out, threads_text;
  bool quiet = false;
  po::options_description visible("options");
  visible.add_options()("help,h", "this help")
      ("output,o", po::value<std::string>(&out), "results file (default results/<name>.h5)")
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
  if (out.empty()) out = "results/" + sc.name + ".h5";
  const auto out_dir = std::filesystem::path(out).parent_path();
  if (!out_dir.empty()) std::filesystem::create_directories(out_dir);

  const unsigned nt = resolve_threads(threads);
  if (!quiet)
    std::cerr << "orgsim run " << sc.name << ": " << plan.arms.size() << " arm(s) x "
              << plan.replicates << " replicate(s) = " << plan.total_runs() << " runs of "
              << plan.steps << " steps, " << plan.arms.front().n << " agents, " << nt
              << " thread(s)\n";
  ProgressLine progress(quiet);
  const auto records = run_plan(plan, threads, std::ref(progress));

  const auto durability = durability_by_arm(records, plan.arm_names, plan.steps);
  ResultsWriter writer(out, make_header(sc, plan, cmdline));
  writer.append(records);
  writer.set_durability(durability);
  writer.finish();

  std::cout << format_summary(summarize(records, plan.arm_names),
                              sc.name + " (" + std::to_string(plan.replicates) +
                                  " replicates per arm)",
                              durability)
            << "results: " << out << "\n";
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
  throw InputError("--shard", "--shard", "i/N with 0 <= i < N (e.g. 0/4)", "\"" + text + "\"");
}

void check_output_limit(const Sweep& s, double max_gb);

int cmd_sweep(int argc, char** argv, const std::string& cmdline) {
  std::string file, out, shard = "0/1", threads_text, part_runs_text, max_gb_text;
  const long long default_part_runs = SweepOptions{}.part_runs;
  bool resume = false, quiet = false;
  po::options_description visible("options");
  visible.add_options()("help,h", "this help")
      ("output,o", po::value<std::string>(&out), "results file (default results/<name>.h5)")
      ("resume", po::bool_switch(&resume), "continue an interrupted sweep from its parts")
      ("threads", po::value<std::string>(&threads_text), "worker threads (default or 0: all cores)")
      ("shard", po::value<std::string>(&shard), "run only runs with run % N == i (i/N); "
                                                "then `orgsim merge` the parts")
      ("part-runs", po::value<std::string>(&part_runs_text),
       ("runs per part file (default " + std::to_string(default_part_runs) +
        "; parts are also written every 60 s)").c_str())
      ("max-output-gb", po::value<std::string>(&max_gb_text),
       "refuse to start if the file would exceed this (a number > 0)")
      ("quiet,q", po::bool_switch(&quiet), "no progress line");
  po::options_description all;
  all.add(visible).add_options()("file", po::value<std::string>(&file));
  po::positional_options_description pos;
  pos.add("file", 1);
  if (!parse(argc, argv, visible, all, pos, "usage: orgsim sweep SWEEP.json [options]")) return 0;
  if (file.empty()) throw UsageError("orgsim sweep: missing SWEEP.json (see orgsim sweep --help)");
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
  if (out.empty()) out = "results/" + s.name + ".h5";
  const auto out_dir = std::filesystem::path(out).parent_path();
  if (!out_dir.empty()) std::filesystem::create_directories(out_dir);
 if (!quiet && std::getenv("OMPI_COMM_WORLD_RANK") && std::string(std::getenv("OMPI_COMM_WORLD_RANK")) != "0")
    quiet = true;  // under mpirun only rank 0 talks
  if (!quiet)
    std::cerr << "orgsim sweep " << s.name << ": " << s.points() << " point(s) x " << s.arms()
              << " arm(s) x " << s.replicates << " replicate(s) = " << s.total_runs() << " runs ("
              << design_type_name(s.design.type) << " design)"
              << (sn > 1 ? ", shard " + shard : std::string()) << "\n";
  SweepOptions opt;
  opt.threads = threads;
  opt.shard = si;
  opt.shards = sn;
  opt.resume = resume;
  opt.command_line = cmdline;
  opt.part_runs = part_runs;
  opt.build_final = sn == 1;  // a fresh sweep builds its file as it runs (no merge at the end)
  ProgressLine line(quiet);
#ifdef ORGSIM_WITH_MPI
  if (mpi_launched()) {
    if (sn > 1) throw UsageError("orgsim sweep: use either mpirun or --shard, not both");
    bool merged_here = false;
    const int status = mpi_sweep(s, out, opt, [&](const SweepProgress& p) { line(p.done, p.total); },
                                 merged_here);
    if (merged_here) std::cout << "results: " << out << "\n";
    return status;
  }
#endif
  const std::int64_t failed = run_sweep(s, out, opt, [&](const SweepProgress& p) {
    line(p.done, p.total, p.failed);
  });
  if (sn > 1) {
    std::cout << "shard " << shard << " done" << (failed ? " (" + std::to_string(failed) + " failed)" : "")
              << "; when every shard is done: orgsim merge " << out << ".parts -o " << out << "\n";
    return failed > 0 ? 1 : 0;
  }
  if (has_parts(out)) merge_parts(out + ".parts", out);
  const ResultsFile rf = read_results(out, /*with_series=*/false);
  std::cout << format_summary(summarize(rf.runs, rf.header.arm_names),
                              s.name + " (" + std::to_string(rf.runs.size()) + " runs, pooled over points)",
                              rf.durability)
            << "results: " << out << "\n";
  if (failed > 0) {
    std::cout << failed << " run(s) failed (status 2 in the file; the reproduce commands are above)\n";
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

/// Estimated uncompressed size of a sweep's results file.
double sweep_output_bytes(const Sweep& s) {
  const std::int32_t steps = s.scenario.base.at("steps").get<std::int32_t>();
  return static_cast<double>(s.total_runs()) *
         (static_cast<double>(steps) * static_cast<double>(per_step_outputs().size()) * 4.0 +
          static_cast<double>(per_run_outputs().size() + s.design.params.size()) * 8.0 + 64.0);
}

void check_output_limit(const Sweep& s, double max_gb) {
  if (max_gb <= 0) return;
  const double bytes = sweep_output_bytes(s);
  if (bytes > max_gb * 1024.0 * 1024.0 * 1024.0)
    throw InputError(s.file, "--max-output-gb",
                     "a sweep whose output fits in " + format_bytes(max_gb * 1024 * 1024 * 1024),
                     std::to_string(s.total_runs()) + " runs writing about " + format_bytes(bytes),
                     "fewer points, replicates or steps, or a higher --max-output-gb");
}

int cmd_merge(int argc, char** argv) {
  std::string dir, out;
  po::options_description visible("options");
  visible.add_options()("help,h", "this help")
      ("output,o", po::value<std::string>(&out), "results file (default: the parts directory "
                                                  "without .parts)");
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
  merge_parts(dir, out);
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
  std::cout << "run " << run << " (point " << rec.point << ", arm " << rec.arm << ", replicate "
            << rec.replicate << ", seed " << rec.seed << ")\n";
  for (std::size_t k = 0; k < per_run_outputs().size(); ++k)
    std::cout << "  " << per_run_outputs()[k].name << " = " << rec.per_run[k] << "\n";
  return 0;
}

/// `orgsim report FILE.h5 [-o OUT.html]`: the trainer's one-page report, written by the Python
/// package analysis/ (analysis.report) with Debian's interpreter.
int cmd_report(int argc, char** argv) {
  std::string file, out;
  po::options_description visible("options");
  visible.add_options()("help,h", "this help")
      ("output,o", po::value<std::string>(&out), "HTML file (default: next to FILE, .html)");
  po::options_description all;
  all.add(visible).add_options()("file", po::value<std::string>(&file));
  po::positional_options_description pos;
  pos.add("file", 1);
  if (!parse(argc, argv, visible, all, pos, "usage: orgsim report FILE.h5 [-o report.html]"))
    return 0;
  if (file.empty()) throw UsageError("orgsim report: missing FILE.h5");
  // Debian's interpreter sees Debian's python3-* packages; a pyenv python3 on PATH may not.
  const std::string python =
      std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  std::vector<std::string> args = {python, "-m", "analysis.report", file};
  if (!out.empty()) {
    args.push_back("-o");
    args.push_back(out);
  }
  const std::string source = ORGSIM_SOURCE_DIR;
  const char* old = std::getenv("PYTHONPATH");
  const std::string path = source + (old && *old ? ":" + std::string(old) : std::string());
  const pid_t pid = fork();
  if (pid < 0) throw RunError("orgsim report: cannot start " + python);
  if (pid == 0) {
    setenv("PYTHONPATH", path.c_str(), 1);
    std::vector<char*> cargs;
    for (auto& a : args) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    execvp(cargs[0], cargs.data());
    std::perror(("orgsim report: cannot run " + python).c_str());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 1;
}

/// `orgsim check --explain`: every resolved value and where it came from (default, base NAME,
/// file, --set), then what each arm sets (arm NAME).
void print_explanation(const Scenario& sc) {
  std::cout << "resolved values of " << sc.file << " (default < base < file < --set < arm";
  if (!sc.bases.empty()) {
    std::cout << "; bases applied:";
    for (const auto& b : sc.bases) std::cout << " " << b;
  }
  std::cout << ")\n";
  std::size_t width = 0;
  for (const auto& key : parameter_keys()) width = std::max(width, key.size());
  auto line = [&](const std::string& key, const nlohmann::json& value, const std::string& origin) {
    std::cout << "  " << key << std::string(width - key.size() + 2, ' ') << value.dump() << "  ("
              << origin << ")\n";
  };
  for (const auto& key : parameter_keys()) line(key, sc.base.at(key), sc.origin.at(key));
  for (std::size_t a = 0; a < sc.arms.size(); ++a) {
    std::cout << "arm " << sc.arms[a].name << ":";
    bool any = false;
    for (const auto& key : parameter_keys())
      if (sc.arm_origin[a].at(key) != sc.origin.at(key)) {
        if (!any) std::cout << "\n";
        any = true;
        line(key, sc.arm_params[a].at(key), sc.arm_origin[a].at(key));
      }
    if (!any) std::cout << " no overrides\n";
  }
}

int cmd_check_sweep(const std::string& file, unsigned threads, double max_gb, bool explain) {
  const Sweep s = load_sweep(file);
  check_output_limit(s, max_gb);
  const auto nt = static_cast<unsigned>(std::min<std::int64_t>(resolve_threads(threads), s.total_runs()));
  const std::int32_t steps = s.scenario.base.at("steps").get<std::int32_t>();
  double per_run = 0;
  for (std::int64_t pt : {std::int64_t{0}, s.points() - 1})
    for (std::int32_t a = 0; a < static_cast<std::int32_t>(s.arms()); ++a)
      per_run = std::max(per_run, estimate_run_bytes(sweep_config(s, pt, a)));
  const double out_bytes = sweep_output_bytes(s);
  std::cout << file << ": valid\n"
            << "plan: " << s.points() << " point(s) x " << s.arms() << " arm(s) x " << s.replicates
            << " replicate(s) = " << s.total_runs() << " runs of " << steps << " steps ("
            << design_type_name(s.design.type) << " design over " << s.design.params.size()
            << " parameter(s))\n"
            << "memory: ~" << format_bytes(per_run * nt + 256.0 * (out_bytes / static_cast<double>(std::max<std::int64_t>(1, s.total_runs()))))
            << " peak with " << nt << " thread(s) (runs stream to parts)\n"
            << "output: at most ~" << format_bytes(out_bytes) << " uncompressed\n";
  if (per_run < 512.0 * 1024 * 1024) {
    const auto t0 = std::chrono::steady_clock::now();
    run_sweep_run(s, 0);
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    char buf[160];
    std::snprintf(buf, sizeof buf, "time: ~%.3g s (pilot run %.3g s x %lld runs / %u threads)\n",
                  sec * static_cast<double>(s.total_runs()) / nt, sec,
                  static_cast<long long>(s.total_runs()), nt);
    std::cout << buf;
  }
  if (explain) {
    print_explanation(s.scenario);
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
  po::options_description visible("options");
  visible.add_options()("help,h", "this help")
      ("explain", po::bool_switch(&explain),
       "print every resolved value and where it came from (default, base NAME, file, --set, "
       "arm NAME)")
      ("threads", po::value<std::string>(&threads_text),
       "threads the run would use (default or 0: all cores)")
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
  if (is_sweep_file(so.scenario)) return cmd_check_sweep(so.scenario, threads, max_gb, explain);
  const Scenario sc = load_with_overrides(so);
  const RunPlan plan = make_plan(sc);
  check_resources(plan, sc.file, threads);
  const auto nt = static_cast<unsigned>(std::min<std::int64_t>(resolve_threads(threads), plan.total_runs()));
  double per_run = 0;
  for (const auto& c : plan.arms) per_run = std::max(per_run, estimate_run_bytes(c));
  const double out_bytes = static_cast<double>(plan.total_runs()) *
                           (static_cast<double>(plan.steps) *
                                static_cast<double>(per_step_outputs().size()) * 4.0 +
                            static_cast<double>(per_run_outputs().size()) * 8.0 + 64.0);
  std::cout << sc.file << ": valid\n"
            << "plan: " << plan.arms.size() << " arm(s) x " << plan.replicates
            << " replicate(s) = " << plan.total_runs() << " runs of " << plan.steps << " steps\n";
  for (std::size_t a = 0; a < plan.arms.size(); ++a)
    std::cout << "  arm " << a << ": " << plan.arm_names[a] << " (" << plan.arms[a].n
              << " agents, ~" << static_cast<long long>(expected_entries(plan.arms[a]) / 2)
              << " ties)\n";
  std::cout << "memory: ~" << format_bytes(per_run) << " per run, ~" << format_bytes(per_run * nt)
            << " with " << nt << " thread(s)\n"
            << "output: at most ~" << format_bytes(out_bytes) << " uncompressed\n";
  // A pilot: one replicate of the first arm, timed, when it is cheap enough to try.
  if (per_run < 512.0 * 1024 * 1024) {
    const auto t0 = std::chrono::steady_clock::now();
    run_one(plan, 0, 0);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double est = s * static_cast<double>(plan.total_runs()) / nt;
    char buf[128];
    std::snprintf(buf, sizeof buf, "time: ~%.3g s (pilot run %.3g s x %lld runs / %u threads)\n",
                  est, s, static_cast<long long>(plan.total_runs()), nt);
    std::cout << buf;
  } else {
    std::cout << "time: not estimated (a pilot run would need " << format_bytes(per_run) << ")\n";
  }
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
                  << ")  [" << o.units << "]\n    " << o.long_name << "\n";
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
  std::cout << format_summary(summarize(rf.runs, rf.header.arm_names),
                              file + " (" + std::to_string(rf.runs.size()) + " runs)",
                              durability_by_arm(rf.runs, rf.header.arm_names, rf.header.n_steps));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
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
    if (cmd == "params") return cmd_table(argc - 1, argv + 1, false);
    if (cmd == "outputs") return cmd_table(argc - 1, argv + 1, true);
    if (cmd == "summarize") return cmd_summarize(argc - 1, argv + 1);
    std::string guess = did_you_mean(cmd, {"run", "sweep", "merge", "status", "rerun", "report", "check", "params",
                            "outputs", "summarize", "version"});
    std::cerr << "orgsim: unknown command '" << cmd << "'"
              << (guess.empty() ? "" : " (did you mean '" + guess + "'?)") << "\n\n"
              << kUsage;
    return 2;
  } catch (const InputError& e) {
    std::cerr << "orgsim: error: " << e.what() << "\n";
    return 2;
  } catch (const UsageError& e) {
    std::cerr << "orgsim: error: " << e.what() << "\n";
    return 2;
  } catch (const po::error& e) {
    std::cerr << "orgsim " << cmd << ": error: " << e.what() << " (see orgsim " << cmd
              << " --help)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "orgsim: failed: " << e.what() << "\n";
    return 1;
  }
}
