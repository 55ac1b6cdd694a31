#pragma once
// One run: a population on a network, stepped through the phases of DESIGN.md "Process, one
// step". step() is the list of phases; each phase is a short function below it.
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/rng.hpp"
#include "io/results_file.hpp"
#include "model/config.hpp"
#include "model/network.hpp"
#include "model/participation.hpp"
#include "model/population.hpp"

namespace orgsim {

class Simulation {
 public:
  /// `rep_seed` is replicate_seed(master, replicate): every stream derives from it, so arms of
  /// the same replicate share population, network, climate and turnover draws. `prebuilt` is an
  /// already read edge list (shared between runs; copied).
  Simulation(const ModelConfig& cfg, std::uint64_t rep_seed, const Network* prebuilt = nullptr);

  /// Advances one step.
  void step();
  /// Runs every remaining step.
  void run();

  std::int32_t current_step() const noexcept { return t_; }
  const Network& network() const noexcept { return net_; }
  const Population& population() const noexcept { return pop_; }
  const ParticipationCore& participation() const noexcept { return core_; }
  double climate() const noexcept { return climate_now_; }

  /// Per-step outputs in RunRecord layout (variable-major, NaN where undefined) and per-run
  /// outcomes; valid after run().
  std::vector<float> per_step_values() const { return series_; }
  std::vector<double> per_run_values() const;

  /// Checks the invariants (ranges, symmetric trust, participation count); throws
  /// std::logic_error naming the broken one. Called every step in debug builds and by tests.
  void check_invariants() const;

 private:
  // ---- phases, in step order ----
  void environment_phase();  // climate G(t), turnover
  void action_phase();       // call an action (policy), seeds, broadcast, participation rounds
  void record_phase();       // the step's metrics

  bool action_due() const noexcept;
  void place_seeds();
  void compute_base();

  ModelConfig cfg_;
  std::uint64_t rep_seed_;
  Rng rng_climate_, rng_turnover_, rng_seeds_, rng_participation_;
  Network net_;
  Population pop_;
  Climate climate_model_;
  CascadeRules rules_;
  ParticipationCore core_;

  std::int32_t t_ = 0;
  double climate_now_ = 0.0;
  std::vector<float> base_;  // U_i without the social term, this step
  // step bookkeeping for record_phase
  bool action_now_ = false;
  std::int64_t joined_now_ = 0;
  std::int32_t rounds_now_ = 0;
  std::int64_t left_now_ = 0;
  // run bookkeeping
  std::vector<float> series_;
  std::int64_t actions_ = 0, rounds_total_ = 0;
  double last_turnout_ = std::numeric_limits<double>::quiet_NaN();
  double peak_turnout_ = std::numeric_limits<double>::quiet_NaN();
};

}  // namespace orgsim
