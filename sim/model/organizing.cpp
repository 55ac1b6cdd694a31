#include "model/organizing.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_set>

#include "model/metrics.hpp"

namespace orgsim {

namespace {
inline float toward_one(float x, double rate) {
  return std::min(1.0f, x + static_cast<float>(rate) * (1.0f - x));
}
/// Staff trust at which a relationship counts as started (the staff return to it).
constexpr float kStartedTrust = 0.05f;
/// Reservoir choice over the neighbours of `o` that satisfy `ok` (one uniform per match).
template <class Pred>
std::int32_t random_neighbour(const Network& net, std::int32_t o, Rng& rng, Pred ok) {
  std::int32_t chosen = -1, seen = 0;
  for (std::int32_t e = net.offsets[o]; e < net.offsets[o + 1]; ++e) {
    const std::int32_t j = net.neighbors[e];
    if (!ok(j)) continue;
    ++seen;
    if (rng.below(static_cast<std::uint64_t>(seen)) == 0) chosen = j;
  }
  return chosen;
}
std::int32_t random_from(const std::vector<std::int32_t>& v, Rng& rng) {
  return v.empty() ? -1 : v[rng.below(v.size())];
}
bool tasks_on(const ModelConfig& cfg) { return cfg.tasks.due_steps > 0; }
/// Agitation felt by i from a push of size `rate` (selfless people feel it less).
double felt(const World& w, std::int32_t i, double rate) {
  return w.pop.type[static_cast<std::size_t>(i)] == PersonType::selfless
             ? rate * w.cfg.types.selfless_agitation
             : rate;
}
void note_attention(World& w, std::int32_t i) {
  if (w.cfg.reach.saturation > 0.0) w.pop.attention[static_cast<std::size_t>(i)] += 1.0f;
}
/// Opens a task for i asked by `asker` (-1: staff), due tasks.due_steps from now.
void open_task(World& w, std::int32_t i, std::int32_t asker) {
  const auto u = static_cast<std::size_t>(i);
  if (w.pop.task[u] == TaskState::open) return;  // already carrying one
  w.pop.task[u] = TaskState::open;
  w.pop.task_due[u] = w.step + w.cfg.tasks.due_steps;
  w.pop.task_asker[u] = asker;
  w.pop.task_nudges[u] = 0;
  w.pop.said_yes[u] = 1;
  if (w.tally) ++w.tally->tasks_asked;
}
/// The contact between i and whoever asked i's task (a tie that may be gone: entry -1).
Contact asker_contact(const World& w, std::int32_t i) {
  const std::int32_t a = w.pop.task_asker[static_cast<std::size_t>(i)];
  if (a < 0) return staff_contact(i);
  return Contact{a, i, w.net.find_entry(a, i), w.net.find_entry(i, a)};
}
}  // namespace

void raise_commitment(World& w, std::int32_t i, double rate) {
  float& c = w.pop.commitment[i];
  const float cap = commitment_ceiling(w.cfg, w.pop, i);
  if (cap >= 1.0f) {
    c = toward_one(c, rate);  // no ceiling: the rule as before ladder.ceiling existed
  } else if (c < cap) {
    c = std::min(cap, c + static_cast<float>(rate) * (cap - c));
  }
}

Contact tie_contact(const Network& net, std::int32_t o, std::int32_t i) {
  return Contact{o, i, net.find_entry(o, i), net.find_entry(i, o)};
}
Contact staff_contact(std::int32_t i) { return Contact{-1, i, -1, -1}; }

float contact_trust(const World& w, const Contact& c) {
  return c.staff() ? w.pop.staff_trust[c.target] : w.net.trust[static_cast<std::size_t>(c.entry)];
}

void set_contact_trust(World& w, const Contact& c, float tau) {
  tau = std::clamp(tau, 0.0f, 1.0f);
  if (c.staff()) {
    w.pop.staff_trust[c.target] = tau;
  } else {
    w.net.set_tie(c.entry, c.twin, tau);
  }
}

float effective_grievance(const World& w, std::int32_t i) {
  return std::clamp(w.pop.grievance[i] + static_cast<float>(w.climate), 0.0f, 1.0f);
}

double ask_probability(const World& w, const Contact& c) {
  const auto& k = w.cfg.one_on_one;
  const std::int32_t i = c.target;
  double p = k.ask_base + k.ask_trust * contact_trust(w, c) +
             k.ask_grievance * effective_grievance(w, i) -
             k.ask_fear * w.pop.fear[i] * (1.0 - w.pop.inoculation[i]) -
             k.ask_fatigue * w.pop.fatigue[i];
  switch (w.pop.type[static_cast<std::size_t>(i)]) {
    case PersonType::selfish: p -= w.cfg.types.selfish_ask; break;
    case PersonType::selfless: p += w.cfg.types.selfless_ask; break;
    case PersonType::self_interested: break;
  }
  return std::clamp(p, 0.0, 1.0);
}

double task_probability(const World& w, std::int32_t i) {
  const auto& k = w.cfg.tasks;
  const auto u = static_cast<std::size_t>(i);
  const Contact a = asker_contact(w, i);
  const bool tied = a.staff() || a.entry >= 0;
  const double tau = tied ? contact_trust(w, a) : 0.0;
  // Accountability of a public relationship: 1 - 2^-k after k one-on-ones (0: private).
  const double acc = a.staff() ? 1.0 - std::ldexp(1.0, -static_cast<int>(w.pop.staff_public[u]))
                               : w.net.accountability(a.entry);
  // Follow-ups while the task is open: the first two count (a reminder, then support).
  const int nudges = std::min<int>(w.pop.task_nudges[u], 2);
  double p = k.base + k.trust * tau + k.accountability * acc + k.nudge * nudges -
             k.fear * w.pop.fear[i] * (1.0 - w.pop.inoculation[i]) -
             w.cfg.one_on_one.ask_fatigue * w.pop.fatigue[i];
  if (w.pop.type[u] == PersonType::selfish) p -= w.cfg.types.selfish_ask;
  return std::clamp(p, 0.0, 1.0);
}

void resolve_tasks(World& w, Rng& rng) {
  if (!tasks_on(w.cfg)) return;
  auto& p = w.pop;
  const double member = w.cfg.ladder_member;
  const double gain = w.cfg.tasks.done_trust;
  const std::int32_t n = w.cfg.n;
  static_assert(sizeof(TaskState) == 1 && static_cast<int>(TaskState::none) == 0);
  for (std::int32_t i = 0; i < n; ++i) {
    const auto u = static_cast<std::size_t>(i);
    // Most agents carry no task, and the loop passes over an agent without one: eight at once
    // when their eight task bytes are 0 as the loop reaches them.
    if ((i & 7) == 0 && i + 8 <= n) {
      std::uint64_t eight;
      std::memcpy(&eight, p.task.data() + u, sizeof eight);
      if (eight == 0) {
        i += 7;
        continue;
      }
    }
    if (p.task[u] == TaskState::missed && w.step > p.task_due[u]) {
      p.task[u] = TaskState::none;  // not recovered in time
      continue;
    }
    if (p.task[u] != TaskState::open || p.task_due[u] > w.step) continue;
    if (rng.uniform() < task_probability(w, i)) {
      // Done: commitment from doing, and the task embeds the person with whoever asked and
      // with an organized coworker they did it with.
      p.task[u] = TaskState::none;
      raise_commitment(w, i, w.cfg.one_on_one.commitment_gain);
      const Contact a = asker_contact(w, i);
      if (a.staff() || a.entry >= 0) set_contact_trust(w, a, toward_one(contact_trust(w, a), gain));
      const std::int32_t j = random_neighbour(w.net, i, rng, [&](std::int32_t x) {
        return x != p.task_asker[u] && committed(p, x, member);
      });
      if (j >= 0) {
        const Contact c = tie_contact(w.net, j, i);
        set_contact_trust(w, c, toward_one(contact_trust(w, c), gain));
      }
      if (w.tally) ++w.tally->tasks_done;
      // An outreach task: the doer has a one-on-one of their own with a coworker who is not yet
      // organized ("show someone else how", seed 001) — which may end in a task for them.
      if (w.cfg.tasks.outreach > 0.0 && rng.uniform() < w.cfg.tasks.outreach) {
        const std::int32_t k = random_neighbour(w.net, i, rng, [&](std::int32_t x) {
          return x != p.task_asker[u] && !committed(p, x, member);
        });
        if (k >= 0) one_on_one(w, tie_contact(w.net, i, k), rng);
      }
    } else {
      p.task[u] = TaskState::missed;  // a soft yes or a no-show
      p.task_due[u] = w.step + w.cfg.tasks.recover_steps;
      if (w.tally) ++w.tally->tasks_missed;
    }
  }
}

std::int32_t referral(World& w, const Contact& c, Rng& rng) {
  const std::int32_t i = c.target, o = c.organizer;
  const std::int32_t j = random_neighbour(w.net, i, rng, [&](std::int32_t x) {
    return x != o && (c.staff() || w.net.find_entry(o, x) < 0);
  });
  if (j < 0) return -1;
  const auto intro = static_cast<float>(w.cfg.weaving.intro_trust);
  if (c.staff()) {
    w.pop.staff_trust[j] = std::max(w.pop.staff_trust[j], intro);  // a warm introduction
    return j;
  }
  if (w.net.add_tie(o, j, intro) && w.tally) {
    ++w.tally->ties_created;
    const auto n = w.cfg.n;
    if (department_of(w.cfg.network, n, o) != department_of(w.cfg.network, n, j))
      ++w.tally->ties_bridging;
  }
  return j;
}

bool one_on_one(World& w, const Contact& c, Rng& rng) {
  const auto& k = w.cfg.one_on_one;
  const std::int32_t i = c.target;
  const auto u = static_cast<std::size_t>(i);
  const double d = damping(w, i);
  const float tau = toward_one(contact_trust(w, c), k.trust_gain * w.cfg.skill * d);
  set_contact_trust(w, c, tau);
  note_attention(w, i);
  if (tau < static_cast<float>(w.cfg.voice)) return false;  // small talk: the relationship grows
  auto& p = w.pop;
  p.known[u] = 1;
  if (!p.evaluated[u] && p.leadership[i] >= w.cfg.training.potential && w.tally)
    ++w.tally->leaders_found;  // a leader found: potential seen in a one-on-one
  p.evaluated[u] = 1;
  // The relationship has gone public: it now carries accountability for commitments.
  if (c.staff()) {
    if (p.staff_public[u] < 255) ++p.staff_public[u];
  } else {
    w.net.set_accountable(c.entry, c.twin, true);
  }
  p.grievance[i] = toward_one(p.grievance[i], felt(w, i, k.agitation) * d);
  p.inoculation[i] = toward_one(p.inoculation[i], k.inoculation * d);
  const bool yes = rng.uniform() < ask_probability(w, c);
  if (yes) {
    p.said_yes[u] = 1;  // on the organizer's sheet, whether or not it holds
    if (tasks_on(w.cfg)) {
      open_task(w, i, c.organizer);  // commitment comes when the task is done
    } else {
      raise_commitment(w, i, k.commitment_gain);
    }
  }
  if (w.cfg.weaving.referral > 0.0 && rng.uniform() < w.cfg.weaving.referral) referral(w, c, rng);
  return yes;
}

bool issue_push(World& w, const Contact& c) {
  const auto& k = w.cfg.issue_push;
  const std::int32_t i = c.target;
  auto& p = w.pop;
  const float tau = contact_trust(w, c);
  if (tau < static_cast<float>(w.cfg.voice)) {
    set_contact_trust(w, c, tau * static_cast<float>(1.0 - k.backfire_trust));
    p.fatigue[i] = toward_one(p.fatigue[i], k.backfire_fatigue);
    p.commitment[i] *= static_cast<float>(1.0 - k.backfire_commitment);
    return true;
  }
  p.known[static_cast<std::size_t>(i)] = 1;
  p.grievance[i] = toward_one(p.grievance[i], felt(w, i, k.agitation) * damping(w, i));
  note_attention(w, i);
  return false;
}

std::int32_t social_time(World& w, std::int32_t host, Rng& rng) {
  const auto& net = w.net;
  const std::int32_t deg = net.offsets[host + 1] - net.offsets[host];
  std::vector<std::int32_t> guests(net.neighbors.begin() + net.offsets[host],
                                   net.neighbors.begin() + net.offsets[host + 1]);
  const std::int32_t k = std::min(w.cfg.social.attendees, deg);
  for (std::int32_t a = 0; a < k; ++a) {  // partial Fisher-Yates: k guests without replacement
    const auto b = a + static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(deg - a)));
    std::swap(guests[static_cast<std::size_t>(a)], guests[static_cast<std::size_t>(b)]);
  }
  guests.resize(static_cast<std::size_t>(k));
  guests.push_back(host);
  std::sort(guests.begin(), guests.end());
  std::int32_t strengthened = 0;
  const double gain = w.cfg.social.trust_gain * w.cfg.skill;
  const double weave = w.cfg.weaving.social_ties;
  // The entries between guests, found by walking each guest's row once rather than by a binary
  // search per pair: guest x's row is asked, in this order, for guests[a] with a < x (as the twin
  // of pair (a, x)) and then for guests[b] with b > x (as pair (x, b)), ascending ids throughout,
  // so one cursor per guest only moves forward. The CSR does not change here (a new tie waits in
  // new_ties), and the same entries are found as find_entry would.
  std::vector<std::int32_t> cursor(guests.size());
  for (std::size_t x = 0; x < guests.size(); ++x) cursor[x] = net.offsets[guests[x]];
  auto entry = [&](std::size_t x, std::int32_t id) -> std::int64_t {
    std::int32_t& c = cursor[x];
    const std::int32_t end = net.offsets[guests[x] + 1];
    while (c < end && net.neighbors[static_cast<std::size_t>(c)] < id) ++c;
    return c < end && net.neighbors[static_cast<std::size_t>(c)] == id ? c : -1;
  };
  for (std::size_t a = 0; a < guests.size(); ++a)
    for (std::size_t b = a + 1; b < guests.size(); ++b) {
      const auto e = entry(a, guests[b]);
      const auto twin = entry(b, guests[a]);
      if (e < 0) {
        // Two guests who did not know each other: the host introduces them (one uniform per
        // such pair, in sorted pair order, only when weaving.social_ties > 0).
        if (weave > 0.0 && rng.uniform() < weave &&
            w.net.add_tie(guests[a], guests[b], static_cast<float>(w.cfg.weaving.intro_trust)) &&
            w.tally) {
          ++w.tally->ties_created;
          const auto n = w.cfg.n;
          if (department_of(w.cfg.network, n, guests[a]) != department_of(w.cfg.network, n, guests[b]))
            ++w.tally->ties_bridging;
        }
        continue;
      }
      const Contact c{guests[a], guests[b], e, twin};
      set_contact_trust(w, c, toward_one(contact_trust(w, c), gain));
      ++strengthened;
    }
  return strengthened;
}

void follow_up(World& w, const Contact& c, Rng* rng) {
  auto& p = w.pop;
  const std::int32_t i = c.target;
  const auto u = static_cast<std::size_t>(i);
  // Follow-up is upkeep of a relationship already made: no diminishing returns.
  raise_commitment(w, i, w.cfg.follow_up.uplift);
  const float tau = toward_one(contact_trust(w, c), w.cfg.follow_up.trust_gain * w.cfg.skill);
  set_contact_trust(w, c, tau);
  if (!tasks_on(w.cfg)) return;
  p.followed[u] = w.step;
  if (p.task[u] == TaskState::open) {
    if (p.task_nudges[u] < 255) ++p.task_nudges[u];  // support toward getting it done
  } else if (p.task[u] == TaskState::missed) {
    // Recovering a no-show: "see if there's anything you can do to support them".
    p.task[u] = TaskState::none;
    open_task(w, i, c.organizer);
    p.task_nudges[u] = 1;
    if (w.tally) {
      --w.tally->tasks_asked;  // the same task again, not a new ask
      ++w.tally->tasks_recovered;
    }
  } else if (rng && tau >= static_cast<float>(w.cfg.voice)) {
    // Debrief and the next step: a new commitment ask.
    if (rng->uniform() < ask_probability(w, c)) open_task(w, i, c.organizer);
  }
}

bool training_session(World& w, std::int32_t trainee) {
  auto& p = w.pop;
  const auto k = static_cast<std::size_t>(trainee);
  p.training[k] = static_cast<std::int16_t>(p.training[k] + 1);
  p.trained_step[k] = w.step;
  if (p.training[k] < w.cfg.training.sessions) return false;
  p.role[k] = Role::worker_organizer;
  return true;
}

std::int64_t messaging_blast(World& w, Rng& rng, std::int64_t blasts) {
  const auto& m = w.cfg.messaging;
  auto& p = w.pop;
  const auto supporter = static_cast<float>(w.cfg.ladder_supporter);
  if (blasts <= 0 || m.reach <= 0.0) return 0;
  const auto k = static_cast<double>(blasts);
  const double reach = 1.0 - std::pow(1.0 - m.reach, k);
  // A reached agent received on average k r / reach of the blasts; each compounds the effects.
  const double exposures = k * m.reach / reach;
  const double awareness = 1.0 - std::pow(1.0 - m.awareness_gain, exposures);
  const double agitation = 1.0 - std::pow(1.0 - m.agitation, exposures);
  std::int64_t reached = 0;
  for (std::int32_t i = 0; i < w.cfg.n; ++i) {
    if (!(rng.uniform() < reach)) continue;
    ++reached;
    if (w.reached) (*w.reached)[static_cast<std::size_t>(i)] = 1;
    p.awareness[i] = toward_one(p.awareness[i], awareness);
    p.grievance[i] = toward_one(p.grievance[i], felt(w, i, agitation));
    // The draw is taken by everyone reached; the chance (a pow) is worked out only for those not
    // yet supporters, the only ones it can change.
    const double draw = rng.uniform();
    if (p.commitment[i] < supporter &&
        draw < 1.0 - std::pow(1.0 - m.supporter_rate * effective_grievance(w, i), exposures))
      p.commitment[i] = supporter;  // anonymous supporter
  }
  return reached;
}

// ---- the campaign --------------------------------------------------------------------------

Campaign::Campaign(World& w, Rng& rng)
    : w_staff_(w.cfg.staff_organizers),
      staff_strain_(static_cast<std::size_t>(std::max(0, w.cfg.staff_organizers)), 0.0f),
      staff_away_until_(static_cast<std::size_t>(std::max(0, w.cfg.staff_organizers)), -1) {
  const std::int32_t n = w.cfg.n;
  const std::int64_t k = w.cfg.worker_organizers;
  std::vector<std::int32_t> chosen = sample_distinct(rng, n, k);
  // A roster's known leaders start as worker-organizers too (no draws: placed by name).
  if (const auto& roster = w.cfg.network.roster; roster && w.cfg.network.type == NetworkType::roster) {
    const std::unordered_set<std::int32_t> taken(chosen.begin(), chosen.end());
    for (std::int32_t i = 0; i < roster->size() && i < n; ++i)
      if (roster->leader[static_cast<std::size_t>(i)] && !taken.count(i)) chosen.push_back(i);
  }
  for (auto i : chosen) {
    const auto u = static_cast<std::size_t>(i);
    w.pop.role[u] = Role::worker_organizer;
    w.pop.commitment[i] = std::max(w.pop.commitment[i], static_cast<float>(w.cfg.ladder_leader));
    if (w.pop.known.empty()) continue;  // no campaign: its records are not kept
    w.pop.known[u] = 1;
    w.pop.evaluated[u] = 1;
  }
}

std::int32_t Campaign::staff_active(std::int32_t step) const {
  std::int32_t k = 0;
  for (auto until : staff_away_until_) k += step >= until ? 1 : 0;
  return k;
}

std::int32_t Campaign::worker_organizers(const World& w) const {
  return static_cast<std::int32_t>(
      std::count(w.pop.role.begin(), w.pop.role.end(), Role::worker_organizer));
}

void Campaign::refresh_lists(const World& w) {
  const auto& p = w.pop;
  members_.clear();
  supporters_known_.clear();
  trainees_.clear();
  participants_.clear();
  in_progress_.clear();
  embedded_.clear();
  staff_tasks_.clear();
  const std::int32_t latest = *std::max_element(p.last_action.begin(), p.last_action.end());
  for (std::int32_t i = 0; i < w.cfg.n; ++i) {
    const auto u = static_cast<std::size_t>(i);
    const float c = p.commitment[i];
    const bool wo = p.role[u] == Role::worker_organizer;
    if (committed(p, i, w.cfg.ladder_member)) members_.push_back(i);
    if (wo) {
      embedded_.push_back(i);
      continue;
    }
    if (p.task_asker[u] < 0 && p.task[u] != TaskState::none) staff_tasks_.push_back(i);
    if (p.known[u] && c >= w.cfg.ladder_supporter) supporters_known_.push_back(i);
    if (c < w.cfg.ladder_member && p.staff_trust[i] >= kStartedTrust) in_progress_.push_back(i);
    if (p.evaluated[u] && p.leadership[i] >= w.cfg.training.potential && c >= w.cfg.ladder_leader)
      trainees_.push_back(i);
    if (latest >= 0 && p.last_action[u] == latest && c < w.cfg.ladder_member)
      participants_.push_back(i);
  }
}

OrganizingTally Campaign::work(World& w, Rng& rng) {
  OrganizingTally tally;
  if (w.cfg.strategy == Strategy::none) return tally;
  w.tally = &tally;
  // Attention fades; due tasks are done or missed (before anyone works: the week's news).
  if (w.cfg.reach.saturation > 0.0)
    for (auto& a : w.pop.attention) a *= static_cast<float>(1.0 - w.cfg.reach.memory);
  resolve_tasks(w, rng);
  refresh_lists(w);
  // The worker-organizers who work this step: those of its start, in node order (listed by
  // refresh_lists; one trained during the step starts the next).
  const std::vector<std::int32_t>& embedded = embedded_;
  const bool burnout = w.cfg.burnout.rate > 0.0;
  const auto team = static_cast<double>(staff_active(w.step)) + static_cast<double>(embedded.size());
  for (std::int32_t s = 0; s < w_staff_; ++s) {
    const auto k = static_cast<std::size_t>(s);
    if (w.step < staff_away_until_[k]) continue;  // away after a burnout
    const double spent = organize(w, -1, w.cfg.staff_hours, rng, tally);
    if (!burnout) continue;
    // Staff are supported by a team of worker-organizers sharing the work.
    const double support = team > 0 ? static_cast<double>(embedded.size()) / team : 0.0;
    strain(w, staff_strain_[k], spent, w.cfg.burnout.staff_hours, support, tally);
    if (staff_strain_[k] >= 1.0f) {
      staff_strain_[k] = 0.0f;
      staff_away_until_[k] = w.step + 1 + w.cfg.burnout.staff_leave;
    }
  }
  for (auto o : embedded) {
    const double spent = organize(w, o, w.cfg.worker_hours, rng, tally);
    if (!burnout) continue;
    // A worker-organizer is carried by strong relationships into the organized base.
    const auto& net = w.net;
    const std::int32_t deg = net.offsets[o + 1] - net.offsets[o];
    std::int32_t strong = 0;
    for (std::int32_t e = net.offsets[o]; e < net.offsets[o + 1]; ++e)
      if (net.trust[e] >= kStrongTie && committed(w.pop, net.neighbors[e], w.cfg.ladder_member))
        ++strong;
    const double support = deg > 0 ? static_cast<double>(strong) / deg : 0.0;
    float& s = w.pop.strain[static_cast<std::size_t>(o)];
    strain(w, s, spent, w.cfg.burnout.worker_hours, support, tally);
    if (s >= 1.0f) {
      s = 0.0f;
      w.pop.role[static_cast<std::size_t>(o)] = Role::member;  // steps back from organizing
    }
  }
  tally.broadcast_reached = messaging_blast(w, rng, tally.blasts);
  w.tally = nullptr;
  return tally;
}

void Campaign::strain(World& w, float& s, double spent, double sustainable, double support,
                      OrganizingTally& t) const {
  const auto& b = w.cfg.burnout;
  const double next = s + b.rate * (spent / sustainable - 1.0) - b.support * support;
  s = static_cast<float>(std::clamp(next, 0.0, 1.0));
  if (s >= 1.0f) ++t.burnouts;
}

double Campaign::organize(World& w, std::int32_t o, double hours, Rng& rng, OrganizingTally& t) {
  double spent = 0.0;
  const auto& cfg = w.cfg;
  const std::array<double, kActivities> cost = {cfg.one_on_one.hours, cfg.issue_push.hours,
                                                cfg.social.hours,     cfg.follow_up.hours,
                                                cfg.training.hours,   cfg.messaging.hours};
  for (int a = 0; a < kActivities; ++a) {
    if (cfg.allocation[a] <= 0.0) continue;
    // Whole activities from the hours, the fraction rounded stochastically (one draw always).
    const double want = hours * cfg.allocation[a] / cost[a];
    auto count = static_cast<std::int64_t>(std::floor(want));
    if (rng.uniform() < want - std::floor(want)) ++count;
    for (std::int64_t k = 0; k < count; ++k) {
      std::int32_t target = -1;
      switch (static_cast<Activity>(a)) {
        case Activity::one_on_one:
          target = pick_conversation_target(w, o, rng);
          if (target >= 0) ++(o < 0 ? t.one_on_ones_staff : t.one_on_ones_peer);
          if (target >= 0 && one_on_one(w, o < 0 ? staff_contact(target) : tie_contact(w.net, o, target), rng))
            ++t.asks_won;
          break;
        case Activity::issue_push:
          target = pick_conversation_target(w, o, rng);
          if (target >= 0 && issue_push(w, o < 0 ? staff_contact(target) : tie_contact(w.net, o, target)))
            ++t.backfires;
          break;
        case Activity::social:
          target = pick_host(w, o, rng);
          if (target >= 0) social_time(w, target, rng);
          break;
        case Activity::follow_up:
          target = pick_follow_up(w, o, rng);
          if (target >= 0)
            follow_up(w, o < 0 ? staff_contact(target) : tie_contact(w.net, o, target), &rng);
          break;
        case Activity::leader_training:
          target = pick_trainee(w, o, rng);
          if (target >= 0 && training_session(w, target)) ++t.new_organizers;
          break;
        case Activity::broadcast:
          ++t.blasts;  // pooled: the step's blasts go out together after all organizers worked
          target = 0;
          break;
      }
      if (target < 0) break;  // no one to approach: the rest of these hours go unspent
      t.hours[static_cast<std::size_t>(a)] += cost[a];
      spent += cost[a];
    }
  }
  return spent;
}

std::int32_t Campaign::pick_conversation_target(const World& w, std::int32_t o, Rng& rng) const {
  const auto& p = w.pop;
  const double member = w.cfg.ladder_member;
  const std::int32_t latest =
      participants_.empty() ? -2 : p.last_action[static_cast<std::size_t>(participants_.front())];
  if (o >= 0) {  // embedded: along their own ties, weaving outward
    if (w.cfg.targeting == Targeting::participants) {
      const std::int32_t j = random_neighbour(w.net, o, rng, [&](std::int32_t x) {
        return p.last_action[static_cast<std::size_t>(x)] == latest && !committed(p, x, member);
      });
      if (j >= 0) return j;
    }
    if (w.cfg.targeting == Targeting::list)
      return random_neighbour(w.net, o, rng, [&](std::int32_t x) { return !committed(p, x, member); });
    // network: deepen warm relationships first. Weighted reservoir sampling (Efraimidis &
    // Spirakis 2006): neighbour j is chosen with probability proportional to tau_oj + 0.05.
    std::int32_t chosen = -1;
    double best = -1.0;
    for (std::int32_t e = w.net.offsets[o]; e < w.net.offsets[o + 1]; ++e) {
      const std::int32_t j = w.net.neighbors[e];
      if (committed(p, j, member)) continue;
      const double key =
          std::pow(rng.uniform_pos(), 1.0 / ((w.net.trust[e] + 0.05) * damping(w, j)));
      if (key > best) {
        best = key;
        chosen = j;
      }
    }
    return chosen;
  }
  // Staff: the turnout list, relationships already started, referrals from members, or a list.
  if (w.cfg.targeting == Targeting::participants && !participants_.empty())
    return random_from(participants_, rng);
  if (w.cfg.targeting != Targeting::list && !in_progress_.empty() && rng.uniform() < 0.6)
    return random_from(in_progress_, rng);
  if (w.cfg.targeting == Targeting::network && !members_.empty()) {
    const std::int32_t m = random_from(members_, rng);
    const std::int32_t j = random_neighbour(w.net, m, rng, [&](std::int32_t x) {
      return !p.known[static_cast<std::size_t>(x)] && !committed(p, x, member);
    });
    if (j >= 0) return j;
  }
  return static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(w.cfg.n)));
}

std::int32_t Campaign::pick_follow_up(const World& w, std::int32_t o, Rng& rng) const {
  const auto& p = w.pop;
  if (tasks_on(w.cfg)) {
    // Follow-up follows the tasks first (open ones not yet followed up twice, no-shows), then
    // known supporters (the next step), then renews contact with people met who are not yet
    // organized. Nobody is followed up twice in a step.
    const double member = w.cfg.ladder_member;
    // The three rules, each written once and without short-circuit branches: bit 0 needs help
    // (a task), bit 1 a known supporter, bit 2 met and not yet organized; all only for someone
    // not followed up this step and not an organizer.
    auto rules = [&](std::int32_t x) -> unsigned {
      const auto u = static_cast<std::size_t>(x);
      const bool fresh = (p.followed[u] != w.step) & (p.role[u] == Role::member);
      const TaskState task = p.task[u];
      const bool help = (task == TaskState::missed) |
                        ((task == TaskState::open) & (p.task_nudges[u] < 2));
      const bool known = (p.known[u] != 0) & (p.commitment[x] >= w.cfg.ladder_supporter);
      const bool met = !((p.commitment[x] >= member) | (p.role[u] == Role::worker_organizer));
      return fresh ? (help ? 1u : 0u) | (known ? 2u : 0u) | (met ? 4u : 0u) : 0u;
    };
    auto needs_help = [&](std::int32_t x) { return (rules(x) & 1u) != 0; };
    auto supporter = [&](std::int32_t x) { return (rules(x) & 2u) != 0; };
    auto met = [&](std::int32_t x) { return (rules(x) & 4u) != 0; };
    if (o >= 0) {
      const std::int32_t first = w.net.offsets[o], last = w.net.offsets[o + 1];
      constexpr std::int32_t kRoom = 64;
      if (last - first > kRoom) {
        std::int32_t j = random_neighbour(w.net, o, rng, needs_help);
        if (j < 0) j = random_neighbour(w.net, o, rng, supporter);
        if (j < 0) j = random_neighbour(w.net, o, rng, met);
        return j;
      }
      // The same three reservoir choices (random_neighbour with needs_help, then supporter,
      // then met) in one pass over the row: each neighbour is listed, without a branch, under
      // every rule it meets; the first rule with a match then draws over its list exactly as
      // random_neighbour draws over the row (the later rules, as before, draw nothing).
      std::int32_t listed[3][kRoom];
      std::int32_t count[3] = {0, 0, 0};
      for (std::int32_t e = first; e < last; ++e) {
        const std::int32_t x = w.net.neighbors[e];
        const unsigned r = rules(x);
        for (int k = 0; k < 3; ++k) {
          listed[k][count[k]] = x;
          count[k] += static_cast<std::int32_t>((r >> k) & 1u);
        }
      }
      for (int k = 0; k < 3; ++k) {
        if (count[k] == 0) continue;
        std::int32_t chosen = -1;
        for (std::int32_t q = 0; q < count[k]; ++q)
          if (rng.below(static_cast<std::uint64_t>(q + 1)) == 0) chosen = listed[k][q];
        return chosen;
      }
      return -1;
    }
    auto from = [&](const std::vector<std::int32_t>& v, auto ok) {
      for (int tries = 0; tries < 4 && !v.empty(); ++tries) {
        const std::int32_t x = random_from(v, rng);
        if (ok(x)) return x;
      }
      return -1;
    };
    std::int32_t j = from(staff_tasks_, needs_help);
    if (j < 0) j = from(supporters_known_, supporter);
    if (j < 0) j = from(in_progress_, met);
    return j;
  }
  if (o >= 0)
    return random_neighbour(w.net, o, rng, [&](std::int32_t x) {
      const auto u = static_cast<std::size_t>(x);
      return p.known[u] && p.role[u] == Role::member && p.commitment[x] >= w.cfg.ladder_supporter;
    });
  return random_from(supporters_known_, rng);
}

std::int32_t Campaign::pick_trainee(const World& w, std::int32_t o, Rng& rng) const {
  const auto& p = w.pop;
  auto eligible = [&](std::int32_t x) {
    const auto u = static_cast<std::size_t>(x);
    return p.role[u] == Role::member && p.evaluated[u] && p.trained_step[u] != w.step &&
           p.leadership[x] >= w.cfg.training.potential && p.commitment[x] >= w.cfg.ladder_leader;
  };
  if (o >= 0) return random_neighbour(w.net, o, rng, eligible);
  for (int tries = 0; tries < 4 && !trainees_.empty(); ++tries) {
    const std::int32_t x = random_from(trainees_, rng);
    if (eligible(x)) return x;
  }
  return -1;
}

std::int32_t Campaign::pick_host(const World& w, std::int32_t o, Rng& rng) const {
  if (o >= 0) return o;  // a worker-organizer hosts among their own coworkers
  (void)w;
  return random_from(members_, rng);  // staff organize a gathering through a member
}

}  // namespace orgsim
