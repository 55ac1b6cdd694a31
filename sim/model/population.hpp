#pragma once
// Agent state as a structure of arrays (one Eigen array per state variable, agents indexed by a
// dense id). The list of state variables is declared once, in docs/MODEL.md "Entities".
#include <cstdint>

#include <Eigen/Core>

#include "core/rng.hpp"
#include "model/config.hpp"
#include "model/network.hpp"

namespace orgsim {

struct Population {
  Eigen::ArrayXf threshold;    // theta_i
  Eigen::ArrayXf grievance;    // g_i in [0,1]
  Eigen::ArrayXf fear;         // f_i in [0,1]
  Eigen::ArrayXf inoculation;  // v_i in [0,1]
  Eigen::ArrayXf commitment;   // c_i in [0,1]

  std::int32_t size() const noexcept { return static_cast<std::int32_t>(threshold.size()); }
};

/// Initial draws from the population stream, in a fixed order: threshold, grievance, fear,
/// inoculation, commitment.
Population draw_population(const ModelConfig& cfg, Rng& rng);

/// Replaces agent i by a new hire: fresh draws from `rng` (quantiles: a draw from the underlying
/// distribution; linspace/values: the node's own value), commitment 0.
void replace_agent(Population& pop, std::int32_t i, const ModelConfig& cfg, Rng& rng);

/// Sets initial trust: every tie whose trust is NaN (not given by an edge list) gets one draw
/// from trust.initial, stored on both entries; ties visited in CSR order (i < j).
void draw_initial_trust(Network& net, const Distribution& d, Rng& rng);

/// Sets every tie of agent i (both entries) to `level`.
void reset_ties(Network& net, std::int32_t i, float level);

/// The grievance climate G(t) = A sin(2 pi t / period + phase) + S(t), where the shock level
/// S(t) = persistence * S(t-1) + size * [shock at t]; one uniform per step from the climate stream.
class Climate {
 public:
  explicit Climate(const ClimateConfig& c) : c_(c) {}
  double advance(std::int32_t t, Rng& rng);

 private:
  ClimateConfig c_;
  double shock_level_ = 0.0;
};

}  // namespace orgsim
