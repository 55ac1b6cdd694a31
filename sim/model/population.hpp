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

/// Motivation (seed 000): self-interested people know what they care about and bring "head and
/// heart"; the selfish ask "what's in it for me?"; the selfless serve rather than act.
enum class PersonType : std::uint8_t { self_interested = 0, selfish = 1, selfless = 2 };

/// A task taken on in a one-on-one (AEIOU "organize", seed 001): open until its due step, then
/// done or missed (a no-show); a missed task can be recovered by a follow-up for a while.
enum class TaskState : std::uint8_t { none = 0, open = 1, missed = 2 };

/// The state arrays a run holds beyond those every run needs (threshold, grievance, fear,
/// commitment, role): each group is allocated only when a mechanism that reads or
/// writes it is switched on, and is empty otherwise; code that would touch an empty array does
/// not run (its mechanism is off) or skips it. The one place that decides is arrays_needed().
struct PopulationArrays {
  /// The campaign (campaign.strategy not none): leadership, awareness, staff trust,
  /// person types, the organizers' records (known, evaluated, training, trained_step), tasks,
  /// follow-ups, attention, strain, public relationships with staff and the yeses.
  bool campaign = true;
  bool fatigue = true;         // the campaign (asks read it), or actions that tire
  /// Inoculation: fear weighs in the utility, the employer presses (a loss's fear, retaliation,
  /// a counter-campaign, an election's campaign), or the campaign inoculates.
  bool inoculation = true;
  bool last_action = true;     // the campaign, or snapshots (who took part in the last action)
  bool exposed_until = true;   // the employer fires exposed leaders (employer.firing > 0)
  bool hired = true;           // turnover, firing or an election campaign's firings
  bool grievance_base = true;  // grievance decays toward the agent's own level
  bool fear_base = true;       // fear decays toward the agent's own level
};

/// Which optional arrays a run of `cfg` needs (see PopulationArrays).
PopulationArrays arrays_needed(const ModelConfig& cfg);

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
  std::vector<PersonType> type;            // motivation (all self-interested unless drawn)
  std::vector<TaskState> task;             // the agent's current task
  std::vector<std::int32_t> task_due;      // open: due step; missed: last step it can be recovered
  std::vector<std::int32_t> task_asker;    // who asked: a worker-organizer's id, or -1 (staff)
  std::vector<std::uint8_t> task_nudges;   // follow-ups received on the open task
  std::vector<std::int32_t> followed;      // last step with a follow-up (tasks on; -1: none)
  std::vector<float> attention;            // recent organizer contacts (diminishing returns)
  std::vector<float> strain;               // a worker-organizer's strain toward burnout, [0,1]
  std::vector<std::uint8_t> staff_public;  // one-on-ones at voice with staff (a public relationship)
  std::vector<std::uint8_t> said_yes;      // said yes to a commitment ask (on an organizer's sheet)

  std::int32_t size() const noexcept { return static_cast<std::int32_t>(threshold.size()); }
};

/// Mean of a state array, 0 for an array the run does not hold (its values would all be 0).
inline double mean_or_zero(const Eigen::ArrayXf& a) {
  return a.size() > 0 ? static_cast<double>(a.mean()) : 0.0;
}

/// Initial draws from the population stream, in a fixed order: threshold, grievance, fear,
/// inoculation, commitment, leadership, then (only when types.selfish or types.selfless is
/// positive) one uniform per agent for the person type. Dynamic state starts at zero. Only the
/// arrays arrays_needed(cfg) lists are allocated; leadership and types, the last draws, are not
/// drawn without a campaign (nothing is drawn after them, so no other draw moves).
Population draw_population(const ModelConfig& cfg, Rng& rng);
/// The same holding the arrays `arrays` lists (PopulationArrays{}: all of them, as the tests of
/// a single rule on a hand-built population use).
Population draw_population(const ModelConfig& cfg, Rng& rng, const PopulationArrays& arrays);

/// Replaces agent i by a new hire: fresh draws from `rng` (quantiles: a draw from the underlying
/// distribution; linspace/values: the node's own value), commitment 0. Arrays `pop` does not
/// hold are skipped, with their draws (leadership and type, the last ones).
void replace_agent(Population& pop, std::int32_t i, const ModelConfig& cfg, Rng& rng);

/// Sets initial trust: every tie whose trust is NaN (not given by an edge list) is a private
/// friendship with probability `friendships` (trust `friendship_level`), else one draw from
/// trust.initial; stored on both entries; ties visited in CSR order (i < j).
void draw_initial_trust(Network& net, const Distribution& d, Rng& rng, double friendships = 0.0,
                        double friendship_level = 0.8);

/// Draws a person type from one uniform: selfish with probability types.selfish, selfless with
/// types.selfless, else self-interested. Draws nothing when both shares are 0.
PersonType draw_type(const ModelConfig& cfg, Rng& rng);

/// Commitment ceiling of agent i under organizing (ladder.ceiling s): 1 - s (1 - l_i).
inline float commitment_ceiling(const ModelConfig& cfg, const Population& p, std::int32_t i) {
  return static_cast<float>(1.0 - cfg.ladder_ceiling * (1.0 - p.leadership[i]));
}

/// Sets every tie of agent i (both entries) to `level` and clears their accountability.
void reset_ties(Network& net, std::int32_t i, float level);


}  // namespace orgsim
