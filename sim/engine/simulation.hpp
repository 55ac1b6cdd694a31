#pragma once
// One run: a population on a network, stepped through the phases of DESIGN.md "Process, one
// step". step() is the list of phases; each phase is a short function below it.
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include "core/rng.hpp"
#include "io/records.hpp"
#include "model/config.hpp"
#include "model/environment.hpp"
#include "model/metrics.hpp"
#include "model/network.hpp"
#include "model/organizing.hpp"
#include "model/participation.hpp"
#include "model/population.hpp"
#include "model/wins.hpp"

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
  const WinBook& wins() const noexcept { return wins_; }
  /// Every action and election so far (one row each; a continuous action is one row).
  const std::vector<ActionEvent>& action_events() const noexcept { return events_; }
  /// The defense of the wins now: the share of workers who would turn out if called now times
  /// the cohesion of that crowd (docs/MODEL.md "Wins and durability"). Cached.
  double defense();
  /// Who would turn out if called now (the crowd of defense()), as participation flags.
  const std::vector<std::uint8_t>& defense_crowd() {
    defense();
    return defense_core_->x();
  }

  /// Per-step outputs in RunRecord layout (variable-major, NaN where undefined) and per-run
  /// outcomes; valid after run().
  std::vector<float> per_step_values() const { return series_; }
  /// The per-step outputs measured on the state before the first step ("week 0", what the
  /// trainer's page draws before the campaign): every stock as the record phase measures it,
  /// every flow NaN (no week has passed), the climate NaN (drawn with the first week). Call
  /// before the first step; the run's results do not change.
  std::vector<float> initial_values();
  std::vector<double> per_run_values() const;

  /// Wall time spent in each phase so far (environment, organizing, actions, wins, decay,
  /// record), for the benchmarks.
  const std::array<double, 6>& phase_seconds() const noexcept { return phase_seconds_; }

  /// How much check_invariants() recomputes.
  enum class Audit {
    /// The state: ranges, counts, the graph's structure (sorted rows, twins, symmetric trust and
    /// accountability), standing wins. O(N + E). What a sweep checks after each run.
    state,
    /// The state and every cached measure against a fresh computation (the strong-tie
    /// component, the utility base, the defense: several passes over the ties and a cascade).
    /// What the invariants build checks after every step, and the tests.
    full,
  };
  /// Checks the invariants; throws std::logic_error naming the broken one.
  void check_invariants(Audit depth = Audit::full) const;

 private:
  /// The graph's part of check_invariants(): sizes, sorted rows, twins, symmetric trust and
  /// accountability: one sequential pass over the entries, then one matching each entry's twin.
  void check_structure(const std::function<void(const std::string&)>& fail) const;

  // ---- phases, in step order ----
  void environment_phase();  // climate G(t), turnover (and firings), counter-campaign
  void organizing_phase();   // organizers spend their hours (strategy allocation, targeting)
  void action_phase();       // call an action (policy), seeds, invitations, participation rounds
  void wins_phase();         // the employer pushes against standing wins; the base defends them
  void decay_phase();        // trust, commitment, awareness, grievance, fear, fatigue relax
  void record_phase();       // the step's metrics
  /// Every per-step output of the state now, as put(index, value); no other effect.
  template <class Put>
  void measure(Put&& put);

  bool action_due();
  void place_seeds();
  void after_action(bool fresh);
  void count_join_causes(std::size_t from, const std::vector<float>& social);
  bool election_kind() const noexcept { return cfg_.kind == ActionKind::election; }
  World world() { return World{cfg_, pop_, net_, climate_now_, t_}; }

  // ---- what changed: a counter per part of the state, bumped by any phase that may have
  // changed it; a cached measure remembers the counters it was computed at, so the step costs
  // what the scenario switches on and what changed (docs/MODEL.md "Implementation").
  enum Part : std::size_t {
    kTrust, kCommitment, kFear, kAwareness, kGrievance, kStaffTrust, kParts  // kCommitment: and roles
  };
  void touch(Part p) noexcept { ++version_[p]; }
  void touch_all() noexcept {
    for (auto& v : version_) ++v;
  }
  template <class T>
  struct Cached {
    T value{};
    std::uint64_t at = 0;  // the version it was computed at (0: never)
  };
  const RungCounts& rungs();
  std::int64_t assessed();  // the support organizers count (actions.assessment)
  const TrustStats& trust_stats_now();
  double mean_of(Part p, const Eigen::ArrayXf& a, Cached<double>& c);
  bool refresh_base();

  ModelConfig cfg_;
  std::uint64_t rep_seed_;
  Rng rng_climate_, rng_turnover_, rng_seeds_, rng_participation_, rng_campaign_, rng_employer_;
  Network net_;
  Population pop_;
  double latent_support_;  // share of the starting workforce with latent support (before organizing)
  Climate climate_model_;
  CascadeRules rules_;
  ParticipationCore core_;
  CascadeRules defense_rules_;
  // The would-turn-out crowd of the defense (threshold only), built the first time defense()
  // runs: a run that never defends a win does not hold it.
  std::optional<ParticipationCore> defense_core_;
  Campaign campaign_;
  WinBook wins_;

  std::int32_t t_ = 0;
  double climate_now_ = 0.0;
  std::vector<float> base_;      // U_i without the social term (cached: see refresh_base)
  std::vector<float> scratch_;   // invitations, embeddedness
  std::vector<std::int32_t> left_;  // who left this step
  std::array<std::uint64_t, kParts> version_{1, 1, 1, 1, 1, 1};
  Cached<RungCounts> rungs_;
  Cached<TrustStats> trust_stats_;
  Cached<double> component_, fear_mean_, awareness_mean_, grievance_mean_,
      staff_trust_mean_;
  StrongComponents strong_components_;  // kept up to date from the network's strong-line log
  std::uint64_t base_at_ = 0;
  std::uint64_t base_serial_ = 0;        // bumped each time base_ is recomputed
  std::uint64_t action_base_serial_ = 0; // base_serial_ at the last action's rounds
  std::vector<std::uint8_t> invite_source_;  // where each agent's strongest invitation came from
  Cached<double> defense_;                // keyed by base_serial_
  double base_climate_ = 0.0;
  GrowingCohesion crowd_;           // cohesion of a continuing action's participants
  std::size_t crowd_seen_ = 0;      // entries of the core's joined log already in crowd_
  std::uint64_t crowd_trust_at_ = 0;
  // step bookkeeping for record_phase
  bool action_now_ = false;
  std::int64_t joined_now_ = 0;
  std::int32_t rounds_now_ = 0;
  double power_now_ = std::numeric_limits<double>::quiet_NaN();
  double cohesion_now_ = std::numeric_limits<double>::quiet_NaN();
  bool won_now_ = false;
  double pending_win_ = -1.0;  // strength of this step's win, recorded after the wins phase
  std::int32_t reversed_now_ = 0;
  OrganizingTally tally_;
  std::int32_t last_action_step_ = -1;
  bool continuous_won_ = false;
  // elections
  std::int32_t election_at_ = -1;   // step of the announced vote (-1: none announced)
  std::int32_t announced_at_ = -1;  // step of its announcement
  bool certified_ = false;          // an election was won: no more elections
  std::int32_t election_win_ = -1;  // index in the win book of the won election's win
  std::size_t election_event_ = 0;  // its row in events_
  bool consolidated_ = false;
  std::int64_t threats_ = 0, firings_ = 0, consolidated_wins_ = 0, decertifications_ = 0,
               elections_won_ = 0;
  std::array<std::int64_t, 3> joined_by_{};  // this step: invited, broadcast, own
  bool threaten_ = true, fire_ = true;  // the employer's tactics chosen for the current campaign
  std::int64_t threat_campaigns_ = 0, firing_campaigns_ = 0;
  // broadcast reach and response: who the step's blasts reached; reached participants of the
  // step's action who came through the broadcast
  std::vector<std::uint8_t> reached_;
  std::int64_t responders_now_ = 0, responders_total_ = 0, reached_total_ = 0;
  double first_participants_ = std::numeric_limits<double>::quiet_NaN();
  double first_election_won_ = std::numeric_limits<double>::quiet_NaN();  // 1 won, 0 lost, NaN none
  std::vector<std::uint8_t> ballot_;  // secret ballot: each worker's vote (scratch)
  std::vector<float> ballot_social_;  // secret ballot: the public supporters' pull on each voter
  std::vector<ActionEvent> events_;
  // run bookkeeping
  std::vector<float> series_;
  std::array<double, 6> phase_seconds_{};
  std::int64_t actions_ = 0, rounds_total_ = 0, backfires_total_ = 0;
  OrganizingTally tally_total_;  // organizing counts summed over the run
  double win_weeks_ = 0.0, organized_base_end_ = std::nan(""), organizers_end_ = std::nan("");
  double last_turnout_ = std::numeric_limits<double>::quiet_NaN();
  double peak_turnout_ = std::numeric_limits<double>::quiet_NaN();
};

}  // namespace orgsim
