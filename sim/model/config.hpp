#pragma once
// The typed configuration of one arm, built from a validated flat parameter map. Cross-field
// rules (those that involve more than one parameter) are checked here.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/distributions.hpp"
#include "model/network.hpp"

namespace orgsim {

enum class ThresholdRule { fraction, count, off };
enum class Attempts { once, every_round };
enum class UpdateOrder { synchronous, random_sequential };
enum class ActionPolicy { schedule, continuous };
enum class Strategy { none };

struct SeedSpec {
  enum class Kind { random, fraction, agents } kind = Kind::random;
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

  Strategy strategy = Strategy::none;
  ActionPolicy policy = ActionPolicy::schedule;
  std::int32_t first_action = 0, action_every = 1;
  SeedSpec seed_set;
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
