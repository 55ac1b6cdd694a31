#pragma once
// Parameter sweeps (`orgsim sweep`): a base scenario, a design over dotted parameter keys, and
// replicates. Every design point runs every arm of the base scenario for every replicate.
//
// Run index: run = (point * n_arms + arm) * replicates + replicate.
// Seeds: replicate k of every point and arm shares its replicate seed (common random numbers
// across points as across arms), so differences between points are not masked by new draws.
// Order of application: defaults, the scenario file, the design point's values, then the arm's
// overrides (an arm may not override a design parameter: that is an error).
//
// Finished runs stream into part files `<out>.parts/part-<writer>-<seq>.h5` (each written under a
// temporary name and renamed), in increasing run order per writer; the final file is merged from
// the parts in run order and renamed into place. Memory does not grow with the number of runs.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/design.hpp"
#include "engine/runner.hpp"
#include "io/results_file.hpp"
#include "io/scenario.hpp"
#include "model/config.hpp"

namespace orgsim {

struct Sweep {
  std::string file;      // as given
  std::string raw_text;  // verbatim sweep file
  std::string name;
  Scenario scenario;     // the base scenario (by path or inline), with its arms
  Design design;
  std::int64_t replicates = 1;
  std::uint64_t seed = 1;
  /// Whether the sweep file sets `replicates` and `seed` itself (else they are the scenario's).
  bool sets_replicates = false, sets_seed = false;
  std::vector<std::string> outputs;  // per-run outputs analysed for sensitivity
  int bootstrap = 200;
  /// The rosters (network.type = roster) its configs use, read once for the whole sweep: at
  /// load, when the points are checked, and reused by every run. Shared by copies of the sweep.
  std::shared_ptr<RosterCache> rosters = std::make_shared<RosterCache>();

  std::int64_t points() const { return static_cast<std::int64_t>(design.points.size()); }
  std::int64_t arms() const { return static_cast<std::int64_t>(scenario.arms.size()); }
  std::int64_t total_runs() const { return points() * arms() * replicates; }
};

/// Reads and validates a sweep file (InputError naming the file, JSON path, expectation, value).
Sweep load_sweep(const std::string& path);
/// The same from the text of a sweep file; `path` names it in messages, `dir` resolves relative
/// paths in it (the Python module passes a dict as text, with the working directory).
Sweep sweep_from_text(const std::string& text, const std::string& path, const std::string& dir);
/// Whether `path` is a sweep file (a JSON object with a "design"), not a scenario or results file.
bool is_sweep_file(const std::string& path);

/// The typed configuration of one run's (point, arm).
ModelConfig sweep_config(const Sweep& s, std::int64_t point, std::int32_t arm);

/// The (point, arm) configuration whose run needs the most memory (by estimate_run_bytes),
/// looking at every design parameter at its maximum; `size_key` (if given) gets the key an error
/// should name (design.parameters.population.size when the design varies it).
ModelConfig sweep_largest_config(const Sweep& s, std::string* size_key = nullptr);
/// What one run adds to the sweep's file (uncompressed).
double sweep_output_bytes_per_run(const Sweep& s);
/// The sweep's plan size (runs, memory with the threads actually used, output).
ResourceEstimate estimate_resources(const Sweep& s, unsigned threads);
/// Refuses a sweep whose largest run x threads (+ what the merge keeps) exceeds memory.
void check_resources(const Sweep& s, unsigned threads);

/// A run's identity from its index (point-major, then arm, then replicate): run, point, arm,
/// replicate, its replicate seed and its design point's parameter values; nothing run yet.
RunRecord sweep_run_identity(const Sweep& s, std::int64_t run);

/// Runs one run of the sweep by its index.
RunRecord run_sweep_run(const Sweep& s, std::int64_t run);

/// File header for parts and the merged file.
FileHeader sweep_header(const Sweep& s, const std::string& command_line);

/// Runs finished by other processes of an MPI sweep, on their way to rank 0's writer: the
/// coordinator adds them as they arrive and closes the inbox when every rank has said it is done;
/// run_sweep (SweepOptions::remote) takes them. Thread-safe.
class RemoteRuns {
 public:
  void add(RunRecord&& r) {
    std::lock_guard<std::mutex> lock(mu_);
    runs_.push_back(std::move(r));
  }
  void close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  /// What arrived since the last call; `closed` tells whether more can come.
  std::vector<RunRecord> take(bool& closed) {
    std::lock_guard<std::mutex> lock(mu_);
    closed = closed_;
    std::vector<RunRecord> out;
    out.swap(runs_);
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<RunRecord> runs_;
  bool closed_ = false;
};

/// What a sweep that built its final file as it ran knows without reading the file back: every
/// run as read_results(out, false) returns it, but without its action events, and the
/// durability estimates the file holds. `orgsim sweep` prints its summary from this.
struct SweepRecap {
  bool filled = false;
  std::vector<std::string> arm_names;  // as in the file's header
  std::vector<RunRecord> runs;
  std::vector<ArmDurability> durability;
};

struct SweepOptions {
  unsigned threads = 0;
  std::int64_t shard = 0, shards = 1;  // this process runs run % shards == shard
  bool resume = false;
  std::int64_t part_runs = 1024;       // runs per part file (also flushed every part_seconds)
  double part_seconds = 60.0;
  std::string command_line;
  /// Names this process's parts (default "s<shard>of<shards>"); MPI ranks use "r<rank>".
  std::string writer;
  /// When set, runs come from here (the MPI coordinator) instead of this shard's share, in
  /// increasing order, until it returns -1. Called from worker threads, one call at a time.
  std::function<std::int64_t()> next_run;
  /// A single-process sweep that starts afresh (no parts yet, no shards, no MPI) then also
  /// builds the final file `out` as runs finish, renames it into place and removes the parts,
  /// so that no merge is left (has_parts(out) is false afterwards). Otherwise ignored.
  bool build_final = false;
  /// MPI rank 0 of a fresh sweep (with next_run and build_final): the other ranks' runs arrive
  /// here, and this process writes every run of the sweep, into its parts and into the final
  /// file as they come, so that no merge is left. Runs are then ordered by index, not by fetch.
  RemoteRuns* remote = nullptr;
  /// When set and the final file was built as the runs finished (build_final), filled once the
  /// file is in place.
  SweepRecap* recap = nullptr;
  /// MPI ranks but 0 of a fresh sweep: every finished run goes to `sink` (from one thread at a
  /// time, in no particular order), and this process writes nothing.
  std::function<void(RunRecord&&)> sink;
  /// Parts in the directory written by a build of another git commit (their git_commit) are
  /// refused unless this is set (`--allow-commit-change`); then `warn` is told, naming both.
  bool allow_commit_change = false;
  /// Warnings for the user (one line each, no prefix); none are given when unset.
  std::function<void(const std::string&)> warn;
};

/// What the user chose for a sweep that writes a file, in the terms of `orgsim sweep`'s options
/// and of orgsim.sweep(..., out=...)'s keywords (the Python face runs one shard with the default
/// part size). sweep_options() turns them into SweepOptions: both faces call it, so that each
/// choice reaches SweepOptions in one place. The defaults are the CLI's (`orgsim sweep --help`).
struct SweepChoices {
  unsigned threads = 0;                // --threads, threads=: 0 = all cores
  std::int64_t shard = 0, shards = 1;  // --shard i/N (0/1: the whole sweep)
  bool resume = false;                 // --resume, resume=True
  bool allow_commit_change = false;    // --allow-commit-change, allow_commit_change=True
  std::string command_line;            // as the file's header records it
  /// --part-runs: runs per part file (the Python face keeps the default)
  std::int64_t part_runs = SweepOptions{}.part_runs;
  /// Warnings go to stderr as "<warn_as>: warning: <line>"; empty: none are given (an MPI rank
  /// other than 0, which says nothing).
  std::string warn_as = "orgsim sweep";
};

/// The SweepOptions for `c`: threads, shard/shards, resume, allow_commit_change, part_runs and
/// command_line as chosen; warn prints to stderr under c.warn_as (unset when it is empty);
/// build_final when the sweep is not sharded (a fresh sweep builds its file as it runs). Every
/// other field keeps its default.
SweepOptions sweep_options(const SweepChoices& c);

struct SweepProgress {
  std::int64_t done = 0, failed = 0, total = 0;
};

/// Runs this process's runs of the sweep into `<out>.parts/`. With resume, runs already in the
/// parts are skipped (after checking that the sweep file, the engine version and the git commit
/// match: see SweepOptions::allow_commit_change).
/// Returns the number of failed runs.
std::int64_t run_sweep(const Sweep& s, const std::string& out, const SweepOptions& opt,
                       const std::function<void(const SweepProgress&)>& progress = {});

/// Runs the whole sweep on `threads` workers (0 = all cores) and returns the results file a fresh
/// `orgsim sweep` would write, built in memory (every record is held until the end: for big
/// sweeps use run_sweep). Failed runs are recorded as in run_sweep; their messages are appended
/// to `failures` when given.
std::vector<unsigned char> sweep_to_image(const Sweep& s, unsigned threads,
                                          const std::string& command_line,
                                          std::vector<std::string>* failures = nullptr);

/// The runs a sweep still needs (all runs not found in `<out>.parts`), in increasing order. The
/// parts are checked as a resume checks them (a part of another commit is refused unless
/// `allow_commit_change`).
std::vector<std::int64_t> pending_runs(const Sweep& s, const std::string& out,
                                       bool allow_commit_change = false);
/// The runs an interrupted sweep's parts keep (all shards'): total_runs() less pending_runs().
std::int64_t kept_runs(const Sweep& s, const std::string& out, bool allow_commit_change = false);
/// Whether `<out>.parts` holds any part.
bool has_parts(const std::string& out);
/// `orgsim status`: how far a running or interrupted sweep has got, from its parts alone
/// (never opens a file being written).
std::string sweep_status(const std::string& parts_dir);

/// Sensitivity indices per arm and output from per-run outcomes y[arm][output][point][replicate]
/// (point means over finite replicates; Sobol with bootstrap intervals, or Morris), and the share
/// of each output's variance that is replicate noise.
SensitivityTable sensitivity(const Design& d, const std::vector<std::string>& outputs,
                             const std::vector<std::vector<std::vector<std::vector<double>>>>& y,
                             int bootstrap, std::uint64_t seed);

/// MPI (sim/mpi_sweep.cpp, linked into the orgsim executable only when CMake finds MPI):
/// whether this process was started by mpirun, and the sweep spread over the ranks with dynamic
/// load balancing (rank 0 hands out runs and merges). Returns the exit status; on rank 0 sets
/// `merged_here` and `failed` (the runs that failed on every rank).
bool mpi_launched();
int mpi_sweep(const Sweep& s, const std::string& out, SweepOptions opt,
              const std::function<void(const SweepProgress&)>& progress, bool& merged_here,
              std::int64_t& failed);

/// Merges every part in `parts_dir` into `out` (in run order), checks that every planned run is
/// there exactly once, adds the design, the durability and (sobol, morris) the sensitivity
/// indices, renames into place and removes the parts. Every part must have been written by this
/// build of orgsim, as for a resume: a part of another git commit is refused before anything is
/// written, unless `allow_commit_change` (then `warn` is told, naming both).
void merge_parts(const std::string& parts_dir, const std::string& out,
                 bool allow_commit_change = false,
                 const std::function<void(const std::string&)>& warn = {});

}  // namespace orgsim
