#pragma once
// Agent state as a structure of arrays (one Eigen array per state variable, agents indexed by a
// dense id). The list of state variables is declared once, in docs/MODEL.md "Entities".
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "core/rng.hpp"
#include "model/config.hpp"
#include "model/network.hpp"

namespace orgsim {

/// Roles an agent can hold (staff organizers are not agents).
enum class Role : std::uint8_t { member = 0, worker_organizer = 1 };

struct Population {
  Eigen::ArrayXf threshold;       // theta_i
  Eigen::ArrayXf grievance;       // g_i in [0,1]: felt grievance (agitation raises it)
  Eigen::ArrayXf fear;            // f_i in [0,1]
  Eigen::ArrayXf inoculation;     // v_i in [0,1]
  Eigen::ArrayXf commitment;      // c_i in [0,1]; the ladder rung derives from it
  Eigen::ArrayXf grievance_base;  // the agent's own grievance, which felt grievance returns to
  Eigen::ArrayXf fear_base;       // the agent's own fear, which fear returns to
  Eigen::ArrayXf leadership;      // l_i in [0,1]: hidden until evaluated
  Eigen::ArrayXf awareness;       // a_i in [0,1]: reach of broadcast messaging
  Eigen::ArrayXf fatigue;         // in [0,1]
  Eigen::ArrayXf staff_trust;     // trust in the staff organizers (not peer cohesion)
  std::vector<std::int32_t> hired;         // step the agent was hired (0: the first workforce); tenure = t - hired
  std::vector<Role> role;
  std::vector<std::uint8_t> known;         // self-interest uncovered by an organizer
  std::vector<std::uint8_t> evaluated;     // leadership potential evaluated
  std::vector<std::int16_t> training;      // leader-training sessions completed
  std::vector<std::int32_t> trained_step;  // last step with a training session (-1: none)
  std::vector<std::int32_t> last_action;   // last step the agent took part in an action (-1)
  std::vector<std::int32_t> exposed_until; // visible leader: exposed to firing until this step

  std::int32_t size() const noexcept { return static_cast<std::int32_t>(threshold.size()); }
};

/// Initial draws from the population stream, in a fixed order: threshold, grievance, fear,
/// inoculation, commitment, leadership. Dynamic state starts at zero.
Population draw_population(const ModelConfig& cfg, Rng& rng);

/// Replaces agent i by a new hire: fresh draws from `rng` (quantiles: a draw from the underlying
/// distribution; linspace/values: the node's own value), commitment 0.
void replace_agent(Population& pop, std::int32_t i, const ModelConfig& cfg, Rng& rng);

/// Sets initial trust: every tie whose trust is NaN (not given by an edge list) is a private
/// friendship with probability `friendships` (trust `friendship_level`), else one draw from
/// trust.initial; stored on both entries; ties visited in CSR order (i < j).
void draw_initial_trust(Network& net, const Distribution& d, Rng& rng, double friendships = 0.0,
                        double friendship_level = 0.8);

/// Sets every tie of agent i (both entries) to `level`.
void reset_ties(Network& net, std::int32_t i, float level);


}  // namespace orgsim
