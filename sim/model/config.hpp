#pragma once
// The typed configuration of one arm, built from a validated flat parameter map. Cross-field
// rules (those that involve more than one parameter) are checked here.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/distributions.hpp"
#include "model/network.hpp"
#include "model/strategy.hpp"
#include "model/wins.hpp"

namespace orgsim {

enum class ThresholdRule { fraction, count, off };
enum class Attempts { once, every_round };
enum class UpdateOrder { synchronous, random_sequential };

struct SeedSpec {
  enum class Kind { random, fraction, agents, rung } kind = Kind::random;
  double rung = 0.5;           // rung: the commitment cut point
  std::int64_t count = 1;      // random
  double fraction = 0.0;       // fraction: round(f * N) agents chosen at random
  std::vector<std::int32_t> agents;
  bool with_neighbors = false;
};

struct ClimateConfig {
  double amplitude = 0, period = 52, phase = 0;
  double shock_rate = 0, shock_size = 0.2, shock_persistence = 0.8;
};

struct ModelConfig {
  std::string name;
  std::int32_t steps = 1;
  std::int64_t replicates = 1;
  std::uint64_t master_seed = 1;

  std::int32_t n = 0;
  Distribution threshold, grievance, fear, inoculation, commitment;
  Range threshold_range, unit_range{0.0, 1.0};

  NetworkSpec network;
  Distribution trust_initial;
  double trust_baseline = 0.1;

  ThresholdRule rule = ThresholdRule::fraction;
  double w_grievance = 0, w_commitment = 0, w_social = 1, w_invitation = 0, w_fear = 0;
  std::int32_t rounds = 0;  // 0 = until stable
  UpdateOrder update = UpdateOrder::synchronous;
  double contagion_probability = 0;
  Attempts attempts = Attempts::once;
  double broadcast_reach = 0, broadcast_conversion = 0;

  ClimateConfig climate;
  double turnover = 0;

  // The organizing model (docs/MODEL.md).
  Distribution leadership;
  double ladder_supporter = 0.2, ladder_member = 0.5, ladder_leader = 0.8;
  double friendships = 0, friendship_level = 0.8, voice = 0.4;

  Strategy strategy = Strategy::none;
  std::array<double, kActivities> allocation{};  // normalised shares (all 0: no organizing work)
  Targeting targeting = Targeting::network;
  std::int32_t staff_organizers = 0, worker_organizers = 0;
  double staff_hours = 0, worker_hours = 0, skill = 1;

  struct OneOnOne {
    double hours, trust_gain, agitation, inoculation, ask_base, ask_trust, ask_grievance, ask_fear,
        ask_fatigue, commitment_gain;
  } one_on_one{};
  struct IssuePush {
    double hours, agitation, backfire_trust, backfire_fatigue, backfire_commitment;
  } issue_push{};
  struct Social {
    double hours;
    std::int32_t attendees;
    double trust_gain;
  } social{};
  struct FollowUp {
    double hours, uplift, trust_gain;
  } follow_up{};
  struct Training {
    double hours;
    std::int32_t sessions;
    double potential;
  } training{};
  struct Messaging {
    double hours, reach, awareness_gain, agitation, supporter_rate, invitation;
  } messaging{};

  ActionPolicy policy = ActionPolicy::schedule;
  std::int32_t first_action = 0, action_every = 1, min_gap = 8;
  double hot_threshold = 0.1, readiness = 0.2;
  SeedSpec seed_set;
  double power_floor = 0.3, participation_commitment = 0, action_trust_gain = 0, participation_fatigue = 0,
         win_commitment = 0, loss_fear = 0;

  double resistance = 0.25, retaliation = 0, firing = 0, counter_campaign = 0;
  std::int32_t firing_steps = 0;
  WinRules wins;

  struct Decay {
    double trust, staff_trust, commitment, awareness, grievance, fear, fatigue;
  } decay{};
};

/// Builds the typed config from a flat map of one arm (already validated key by key).
/// `file` names the scenario in error messages; relative paths resolve from `dir`.
ModelConfig make_config(const nlohmann::json& flat, const std::string& file,
                        const std::string& dir);

/// Expected number of directed CSR entries (2 x ties) of the configured network.
double expected_entries(const ModelConfig& cfg);
/// Peak bytes one run needs (agent state + network + buffers), an upper estimate.
double estimate_run_bytes(const ModelConfig& cfg);

}  // namespace orgsim
