#pragma once
// The rules of collective action (DESIGN.md "Process, one step", 3) that surround the
// participation core: the part of each agent's utility fixed during an action's rounds
// (grievance, commitment, invitations, fear), the action's power and outcome, and what taking
// part does to the participants and their ties.
#include <array>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "core/rng.hpp"
#include "model/config.hpp"
#include "model/network.hpp"
#include "model/participation.hpp"
#include "model/population.hpp"

namespace orgsim {

/// Whether the campaign calls an action at step t under actions.policy (docs/MODEL.md "When an
/// action is called"). Nothing before actions.first_action; then
///   continuous: every step (one action that continues);
///   schedule: every action_every steps from first_action;
///   hot: when the climate G(t) >= hot_threshold;
///   readiness: when the assessed support reaches readiness x N;
///   ready_and_hot: both;
///   never: never.
/// hot, readiness and ready_and_hot also wait min_gap steps after the last action
/// (`last_action` < 0: none yet). `assessed` (the organizers' count of support, assessed() of the
/// engine) is asked only by the policies that read it, and only once the rest allows an action.
bool action_due(const ModelConfig& cfg, std::int32_t t, std::int32_t last_action, double climate,
                const std::function<std::int64_t()>& assessed);

/// The seeds of a fresh action (actions.seed), in the order they join:
///   rung: every agent at the rung or a worker-organizer (at_rung_or_organizer), in node order;
///   agents: the listed ids, then with_neighbors each one's neighbours in row order (everyone on
///     a complete network), repeats kept (joining twice is joining once);
///   random k / fraction f (k = round(f N)): k distinct agents by Floyd's algorithm, one draw
///     per seed from `rng` (below(j + 1) for j = N - k .. N - 1), in draw order.
/// No draws for rung and agents.
std::vector<std::int32_t> choose_seeds(const SeedSpec& seeds, const Population& pop,
                                       const Network& net, std::int32_t n, Rng& rng);

/// The participation core's rules for an action, from the configuration.
CascadeRules cascade_rules(const ModelConfig& cfg);
/// The rules of the defense's crowd: the action's threshold rule alone, synchronous. Contagion
/// and broadcast are chances of an action's day, not a capacity to count on, and leaving them
/// out makes the crowd a deterministic function of the state (no draws). With the threshold
/// channel off, the crowd is those whose private utility alone reaches their threshold.
CascadeRules defense_rules(const ModelConfig& cfg);

/// The capacity to turn out for the wins (docs/MODEL.md "Wins and durability"):
///   D = (k / N) x C,
/// where k is the crowd the threshold rule of `core` (built with defense_rules()) gathers from
/// nobody on the utility base `base` and thresholds `threshold`, and C its cohesion (mean trust
/// on the ties among it, cohesion() of metrics.hpp; `complete_trust` on a complete network);
/// 0 when fewer than two would turn out. `core` is reset first; no draws.
struct Defense {
  std::int64_t crowd = 0;
  double cohesion = 0.0;
  double value = 0.0;
};
Defense defense_capacity(ParticipationCore& core, const Network& net, const float* base,
                         const float* threshold, double complete_trust);

/// How an action's joiners came to take part (the joined_invited, joined_broadcast, joined_own
/// and broadcast_responders outputs). For each agent in `joined` from index `from` on who still
/// takes part (x != 0), by the channel that brought them in (`cause`):
///   contagion: invited (a participating neighbour converted them);
///   broadcast: broadcast;
///   threshold: invited when their strongest invitation came through a relationship
///     (`source` = kInviteRelationship) or the social term pulled (`social_weight` > 0 and
///     their social sum S_i > 0); else broadcast when it came from messaging; else their own;
///   a seed: their own.
/// A broadcast joiner whom this step's blasts reached (`reached`, empty: none) is a responder.
/// An empty `source` means no invitations (every source none).
struct JoinCauses {
  std::array<std::int64_t, 3> by{};  // invited, broadcast, own
  std::int64_t responders = 0;
};
JoinCauses count_join_causes(const std::vector<std::int32_t>& joined, std::size_t from,
                             const std::vector<std::uint8_t>& x,
                             const std::vector<JoinCause>& cause,
                             const std::vector<std::uint8_t>& source, double social_weight,
                             const std::vector<float>& social,
                             const std::vector<std::uint8_t>& reached);

/// Whether an action of power P wins against resistance R: P >= R when width <= 0 (no draw);
/// otherwise with chance win_probability(P, R, width), one uniform from `rng`.
bool decide_action(double power, double resistance, double width, Rng& rng);

/// U_i without the social term, for every agent:
///   base_i = w_g clamp(g_i + G, 0, 1) + w_c c_i - w_f f_i (1 - v_i) + w_i invite_i,
/// where invite_i is the strongest invitation i receives: a committed neighbour's trust on the
/// tie (committed() of metrics.hpp), the staff's trust when `staff_present`, or the messaging
/// invitation times awareness. `invite` is scratch (resized to N). O(N) plus the ties of the
/// committed agents. If `source` is given, it receives (resized to N) where each agent's
/// strongest invitation came from: kInviteNone, kInviteMessaging or kInviteRelationship (a
/// committed neighbour or the staff, strictly stronger than the messaging invitation).
inline constexpr std::uint8_t kInviteNone = 0, kInviteMessaging = 1, kInviteRelationship = 2;
void utility_base(const ModelConfig& cfg, const Population& pop, const Network& net,
                  double climate, bool staff_present, std::vector<float>& base,
                  std::vector<float>& invite, std::vector<std::uint8_t>* source = nullptr);

/// Power of an action: P = T (floor + (1 - floor) C) for turnout share T and cohesion C.
double action_power(double turnout, double cohesion, double power_floor) noexcept;

/// Latent support of a workforce (docs/MODEL.md "Latent support"): the share of agents whose
/// own utility with no fear, no invitation and no social pull, w_g clamp(g_i, 0, 1) + w_c c_i,
/// reaches their threshold theta_i: who would say yes on their own view of the workplace, what a
/// survey asks. A property of the individuals, not of a cascade. 0 for an empty population.
double latent_support(const ModelConfig& cfg, const Population& pop);
/// Whether an action of power P beats resistance R: P >= R.
bool action_wins(double power, double resistance) noexcept;
/// The chance that an action of power P beats resistance R: the logistic
/// 1 / (1 + exp(-(P - R) / width)); width <= 0 gives the step (1 if P >= R, else 0).
double win_probability(double power, double resistance, double width) noexcept;

/// What a lost action costs whoever called it: each participant's trust in the staff falls by
/// loss_trust x staff_trust (when `staff_present`), and trust on every tie between a
/// worker-organizer and a participant falls by loss_trust x tau (both entries alike). Returns
/// whether (staff trust, peer trust) may have changed. No-op when loss_trust <= 0.
std::pair<bool, bool> blame_callers(const ModelConfig& cfg, Population& pop, Network& net,
                                    const std::vector<std::uint8_t>& x, bool staff_present);

/// Acting together strengthens the ties between participants: trust += gain (1 - trust) on every
/// tie with both ends participating (x_i != 0), both entries alike. Returns the crowd's cohesion
/// before the gain (mean trust over those ties, 0 if none: cohesion() of metrics.hpp, the same
/// sums in the same order), measured in the same pass. gain <= 0 only measures.
double cohesion_then_strengthen(Network& net, const std::vector<std::uint8_t>& x, double gain);

/// What an action's outcome does to its participants this step.
struct ActionConsequences {
  bool won = false;    // a win decided this step (commitment rises by win_commitment)
  bool lost = false;   // a fresh action lost (fear rises by loss_fear, scaled by exposure)
  bool mark_last_action = false;  // record the step in last_action (organizers' targeting)
  bool secret = false;  // a secret ballot: voting yes is neither visible nor tiring (elections)
};
/// Which state consequences() changes.
struct Touched {
  bool commitment = false, fear = false, fatigue = false;
};
/// Consequences for every participant i (x_i != 0), in node order:
///   commitment += participation_commitment (1 - c), fatigue += participation_fatigue (1 - F);
///   won: commitment += win_commitment (1 - c); lost: fear += loss_fear (1 - v)(1 - f);
///   retaliation: fear += retaliation (1 - v)(1 - f); a visible leader (leader rung or
///   worker-organizer) is exposed to firing for firing_steps steps; last, if lost,
///   commitment -= loss_commitment c.
/// A secret ballot (`secret`) skips taking part, retaliation and exposure: only the outcome's
/// effects reach the yes-voters.
/// Skips the pass entirely when none of these can change anything.
Touched consequences(const ModelConfig& cfg, Population& pop, const std::vector<std::uint8_t>& x,
                     std::int32_t t, const ActionConsequences& what);

}  // namespace orgsim
