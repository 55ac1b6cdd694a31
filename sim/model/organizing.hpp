#pragma once
// Organizing work (DESIGN.md "Process, one step", 2): organizers spend their hours on activities
// chosen by the strategy's allocation, and a targeting rule picks whom. Each activity is a small
// function over the state so that tests can check its direction and size by hand.
#include <array>
#include <cstdint>
#include <vector>

#include "core/rng.hpp"
#include "model/config.hpp"
#include "model/network.hpp"
#include "model/population.hpp"

namespace orgsim {

/// Per-step tallies of organizing work (recorded as outputs).
struct OrganizingTally {
  std::array<double, kActivities> hours{};
  std::int64_t backfires = 0, asks_won = 0, new_organizers = 0, blasts = 0;
  std::int64_t tasks_asked = 0, tasks_done = 0, tasks_missed = 0, tasks_recovered = 0;
  std::int64_t ties_created = 0, ties_bridging = 0, burnouts = 0, leaders_found = 0;
  // Contacts: one-on-ones held by staff and by worker-organizers; agents a blast reached.
  std::int64_t one_on_ones_staff = 0, one_on_ones_peer = 0, broadcast_reached = 0;
};

/// What organizers and agents act on this step.
struct World {
  const ModelConfig& cfg;
  Population& pop;
  Network& net;
  double climate = 0.0;   // G(t)
  std::int32_t step = 0;
  OrganizingTally* tally = nullptr;  // where the rules count tasks, ties, leaders (optional)
  std::vector<std::uint8_t>* reached = nullptr;  // marks agents a blast reached (optional, size N)
};

/// A conversation between an organizer and a target. A staff organizer (organizer == -1) relies
/// on the target's staff_trust; an embedded worker-organizer on the trust of their tie
/// (entry = the entry (organizer, target) in CSR, twin = (target, organizer)).
struct Contact {
  std::int32_t organizer = -1;
  std::int32_t target = 0;
  std::int64_t entry = -1, twin = -1;
  bool staff() const noexcept { return organizer < 0; }
};

/// A contact between worker-organizer `o` and neighbour `i` (they must be tied).
Contact tie_contact(const Network& net, std::int32_t o, std::int32_t i);
Contact staff_contact(std::int32_t i);

float contact_trust(const World& w, const Contact& c);
void set_contact_trust(World& w, const Contact& c, float tau);

/// Effective grievance g_eff = clamp(g + G(t), 0, 1).
float effective_grievance(const World& w, std::int32_t i);

/// One-on-one: trust += a1 * skill * (1 - trust); then, if trust >= voice: self-interest known,
/// agitation, inoculation, a commitment ask (success probability
/// clamp(ask_base + ask_trust*tau + ask_grievance*g_eff - ask_fear*f(1-v) - ask_fatigue*fatigue)),
/// leadership evaluated. Returns true when the ask succeeded.
bool one_on_one(World& w, const Contact& c, Rng& rng);
/// Probability that the commitment ask succeeds for this contact now.
double ask_probability(const World& w, const Contact& c);

/// Issue push ("what agitates you?"): below the voice threshold it backfires (trust, commitment
/// down; fatigue up) and returns true; at or above voice it agitates.
bool issue_push(World& w, const Contact& c);

/// Social time: the host and up to `social.attendees` of the host's neighbours; trust rises on
/// every tie among the attendees. Returns the number of ties strengthened.
std::int32_t social_time(World& w, std::int32_t host, Rng& rng);

/// Follow-up / uplift: commitment += uplift (1 - c); a little trust. With tasks on (and `rng`
/// given): an open task gets a nudge, a missed task still recoverable is reopened, and someone
/// at voice without a task is asked the next step (a commitment ask that opens a task).
void follow_up(World& w, const Contact& c, Rng* rng = nullptr);

/// Diminishing returns: 1 / (1 + reach.saturation * attention_i) (exactly 1 when off). Inline:
/// weighted targeting asks it for every neighbour it weighs.
inline double damping(const World& w, std::int32_t i) {
  const double s = w.cfg.reach.saturation;
  return s > 0.0 ? 1.0 / (1.0 + s * w.pop.attention[static_cast<std::size_t>(i)]) : 1.0;
}

/// Raises i's commitment by `rate` toward its ceiling (docs/MODEL.md, ladder.ceiling).
void raise_commitment(World& w, std::int32_t i, double rate);

/// Probability that agent i does their open task now (at its due step).
double task_probability(const World& w, std::int32_t i);

/// Tasks whose due step has come are done or missed (one uniform each, in node order); missed
/// tasks past recovery are dropped. Nothing happens (no draws) with tasks off.
void resolve_tasks(World& w, Rng& rng);

/// A referral: agent i introduces the organizer of `c` to one of i's coworkers (a random
/// neighbour other than the organizer, not already tied to them): a new tie at
/// weaving.intro_trust for a worker-organizer, staff trust raised to it for staff. Returns
/// the coworker or -1.
std::int32_t referral(World& w, const Contact& c, Rng& rng);

/// One leader-training session; returns true when the trainee becomes a worker-organizer.
bool training_session(World& w, std::int32_t trainee);

/// The step's broadcast: k = `blasts` blasts pooled. Each agent is reached with probability
/// 1 - (1 - r)^k (r = messaging.reach); a reached agent received on average e = k r / that of
/// them, and gains awareness 1 - (1 - gain)^e, felt grievance likewise, and becomes an anonymous
/// supporter with probability 1 - (1 - supporter_rate * g_eff)^e. No trust. One uniform per
/// agent plus one per reached agent: O(N) however many blasts. Returns the number reached.
std::int64_t messaging_blast(World& w, Rng& rng, std::int64_t blasts = 1);

/// The campaign: who organizes and how they spend their hours each step.
class Campaign {
 public:
  /// Places the initial worker-organizers (random agents, from `rng`): role worker-organizer,
  /// commitment at least the leader cut, leadership evaluated.
  Campaign(World& w, Rng& rng);

  /// One step of organizing work by every organizer (staff first, then worker-organizers in
  /// node order), each activity in allocation order.
  OrganizingTally work(World& w, Rng& rng);

  std::int32_t staff() const noexcept { return w_staff_; }
  /// Staff organizers not away after a burnout at this step.
  std::int32_t staff_active(std::int32_t step) const;
  /// Current worker-organizers (rebuilt from roles each step).
  std::int32_t worker_organizers(const World& w) const;

 private:
  /// Returns the hours actually spent.
  double organize(World& w, std::int32_t organizer, double hours, Rng& rng, OrganizingTally& t);
  /// Strain and burnout of one organizer after their work (burnout.*).
  void strain(World& w, float& s, double spent, double sustainable, double support,
              OrganizingTally& t) const;
  std::int32_t pick_conversation_target(const World& w, std::int32_t organizer, Rng& rng) const;
  std::int32_t pick_follow_up(const World& w, std::int32_t organizer, Rng& rng) const;
  std::int32_t pick_trainee(const World& w, std::int32_t organizer, Rng& rng) const;
  std::int32_t pick_host(const World& w, std::int32_t organizer, Rng& rng) const;
  void refresh_lists(const World& w);

  std::int32_t w_staff_ = 0;
  // Rebuilt each step (O(N)): candidates for staff targeting (in_progress_: not yet committed,
  // staff relationship started), and the worker-organizers in node order (embedded_).
  std::vector<std::int32_t> members_, supporters_known_, trainees_, participants_, in_progress_;
  std::vector<std::int32_t> embedded_;
  std::vector<std::int32_t> staff_tasks_;  // open or recoverable tasks the staff asked for
  std::vector<float> staff_strain_;
  std::vector<std::int32_t> staff_away_until_;
};

}  // namespace orgsim
