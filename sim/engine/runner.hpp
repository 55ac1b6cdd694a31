#pragma once
// Runs every (arm, replicate) of a scenario over worker threads. Results do not depend on the
// thread count: each run draws only from streams derived from (master seed, replicate), and its
// record lands at its own run index.
//
// Run index order (documented in docs/HDF5_LAYOUT.md): run = (point * n_arms + arm) * replicates
// + replicate; for `orgsim run` point = 0.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "io/records.hpp"
#include "io/scenario.hpp"
#include "model/config.hpp"

namespace orgsim {

struct RunPlan {
  std::string file;  // the scenario, for error messages
  std::vector<std::string> arm_names;
  std::vector<ModelConfig> arms;  // one config per arm
  /// Per arm, its edge list as read when the scenario was loaded (shared), or nullptr.
  std::vector<std::shared_ptr<const Network>> networks;
  std::int64_t replicates = 1;
  std::uint64_t master_seed = 1;
  std::int32_t steps = 1;
  std::int32_t snapshot_every = 0;  // output.snapshots (0: none)
  std::int64_t total_runs() const { return static_cast<std::int64_t>(arms.size()) * replicates; }
};

/// Builds the plan from a validated scenario (typed config per arm; cross-field checks).
RunPlan make_plan(const Scenario& sc);

/// Runs one run of the plan (arm, replicate) and returns its record. Without `prebuilt`, an
/// arm's edge list comes from the plan.
RunRecord run_one(const RunPlan& plan, std::int32_t arm, std::int64_t replicate,
                  const Network* prebuilt = nullptr);

/// The same, calling `before_first` once before the first step (e.g. for
/// Simulation::initial_values() and a week-0 snapshot) and `after_step` after every step (e.g.
/// to take snapshots, engine/snapshot.hpp). Both only observe: the record equals run_one's.
class Simulation;
using StepObserver = std::function<void(const Simulation&)>;
using StartObserver = std::function<void(Simulation&)>;
RunRecord run_one(const RunPlan& plan, std::int32_t arm, std::int64_t replicate,
                  const Network* prebuilt, const StepObserver& after_step,
                  const StartObserver& before_first = {});

/// Tells the C library to keep freed memory in the process (glibc: mmap threshold 32 MiB, trim
/// threshold 1 GiB), so that run after run reuses the pages of the first instead of faulting in
/// fresh ones; the peak is unchanged, since every run of a plan needs the same arrays. It
/// changes the whole process's allocator, so programs choose it: `orgsim` and `bench_core` call
/// it at start, the Python module offers it (`orgsim.keep_freed_memory()`); a no-op elsewhere.
void keep_freed_memory();

/// run_one with a frame (engine/snapshot.hpp) after every plan.snapshot_every-th step and the
/// last, kept in the record's `snapshots` (what run_plan does when output.snapshots > 0).
RunRecord run_with_snapshots(const RunPlan& plan, std::int32_t arm, std::int64_t replicate);

/// Progress callback: (runs done, runs total), called from the calling thread. An exception it
/// throws (the command line's Ctrl-C) stops the run: no further run starts, the runs in progress
/// finish, and the exception leaves run_plan.
using Progress = std::function<void(std::int64_t, std::int64_t)>;

/// Runs the whole plan on `threads` workers (0 = all cores); records in run-index order.
std::vector<RunRecord> run_plan(const RunPlan& plan, unsigned threads,
                                const Progress& progress = {});

/// What a plan needs, computed without overflow (long double counts, double bytes): what
/// `orgsim check` prints and what check_resources compares with the machine. One estimate for
/// `orgsim run` and `orgsim sweep`.
struct ResourceEstimate {
  long double runs = 0;        // points x arms x replicates
  std::int64_t steps = 0;      // steps per run
  unsigned threads = 1;        // threads actually used: min(requested or all cores, runs)
  double per_run_bytes = 0;    // the largest run: agents, ties and its per-step series
  double held_bytes = 0;       // kept until the end (run: every run's record; sweep: outcomes)
  double memory_bytes = 0;     // per_run_bytes x threads + held_bytes
  double output_bytes = 0;     // the results file, uncompressed
};

/// Plans of more runs than this (2^53, where a double stops counting exactly) are refused.
constexpr long double kMaxPlanRuns = 9007199254740992.0L;

/// Threads a plan of `runs` runs uses: the requested count (0 = all cores), at most `runs`.
unsigned threads_used(unsigned requested, long double runs);

/// What one run of `cfg` holds in memory per agent and per directed CSR entry (a tie is two),
/// in bytes, summed from the element sizes of the arrays it allocates: the population arrays
/// arrays_needed(cfg) lists and the buffers its mechanisms use (run_footprint() in runner.cpp).
struct RunFootprint {
  double per_agent = 0.0;        // agent state, the run's per-agent buffers and the CSR offsets
  double per_entry = 0.0;        // the CSR's per-entry arrays
  double build_per_entry = 0.0;  // the generator's tie list, alive only while the graph is built
};
RunFootprint run_footprint(const ModelConfig& cfg);
/// Peak bytes one run needs: the larger of n x per_agent and expected entries x
/// build_per_entry (the tie list is freed before the agents' arrays are allocated), plus
/// expected entries x per_entry.
double estimate_run_bytes(const ModelConfig& cfg);

/// The estimate for `runs` runs of `steps` steps whose largest run is `largest`;
/// `held_bytes_per_run`: what the command keeps in memory per run until the end;
/// `output_bytes_per_run`: what each run adds to the results file.
ResourceEstimate estimate_resources(const ModelConfig& largest, long double runs,
                                    std::int64_t steps, unsigned threads,
                                    double held_bytes_per_run, double output_bytes_per_run);
/// Bytes of one run's snapshots (output.snapshots = `every`, 0: none): held in memory until the
/// file is written, and added to the file (uncompressed).
struct SnapshotBytes {
  double held = 0, output = 0;
};
SnapshotBytes estimate_snapshot_bytes(const ModelConfig& c, std::int64_t steps,
                                      std::int32_t every);
/// The estimate of `orgsim run` (every record is held in memory until the file is written).
ResourceEstimate estimate_resources(const RunPlan& plan, unsigned threads);

/// Refuses (InputError naming `size_key`, e.g. population.size, and the numbers) a plan whose
/// memory would not fit in the machine's physical memory. `largest` is the largest run's config.
void check_resources(const ResourceEstimate& e, const ModelConfig& largest,
                     const std::string& file, const std::string& size_key);
/// The same for `orgsim run`'s plan.
void check_resources(const RunPlan& plan, const std::string& file, unsigned threads);

/// Physical memory in bytes (from /proc/meminfo), or 0 if unknown.
double physical_memory_bytes();

unsigned resolve_threads(unsigned requested);

}  // namespace orgsim
