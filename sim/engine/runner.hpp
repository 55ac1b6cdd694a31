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
  std::int64_t total_runs() const { return static_cast<std::int64_t>(arms.size()) * replicates; }
};

/// Builds the plan from a validated scenario (typed config per arm; cross-field checks).
RunPlan make_plan(const Scenario& sc);

/// Runs one run of the plan (arm, replicate) and returns its record. Without `prebuilt`, an
/// arm's edge list comes from the plan.
RunRecord run_one(const RunPlan& plan, std::int32_t arm, std::int64_t replicate,
                  const Network* prebuilt = nullptr);

/// Progress callback: (runs done, runs total).
using Progress = std::function<void(std::int64_t, std::int64_t)>;

/// Runs the whole plan on `threads` workers (0 = all cores); records in run-index order.
std::vector<RunRecord> run_plan(const RunPlan& plan, unsigned threads,
                                const Progress& progress = {});

/// Refuses (InputError naming population.size) a plan whose runs would not fit in memory.
void check_resources(const RunPlan& plan, const std::string& file, unsigned threads);

/// Physical memory in bytes (from /proc/meminfo), or 0 if unknown.
double physical_memory_bytes();

unsigned resolve_threads(unsigned requested);

}  // namespace orgsim
