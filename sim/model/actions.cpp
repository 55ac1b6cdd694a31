#include "model/actions.hpp"

#include <algorithm>
#include <cmath>

#include "model/metrics.hpp"

namespace orgsim {

bool action_due(const ModelConfig& cfg, std::int32_t t, std::int32_t last_action, double climate,
                const std::function<std::int64_t()>& assessed) {
  if (t < cfg.first_action) return false;
  const bool gap_ok = last_action < 0 || t - last_action >= cfg.min_gap;
  const auto ready = [&] { return static_cast<double>(assessed()) >= cfg.readiness * cfg.n; };
  switch (cfg.policy) {
    case ActionPolicy::continuous: return true;
    case ActionPolicy::schedule: return (t - cfg.first_action) % cfg.action_every == 0;
    case ActionPolicy::hot: return gap_ok && climate >= cfg.hot_threshold;
    case ActionPolicy::readiness: return gap_ok && ready();
    case ActionPolicy::ready_and_hot: return gap_ok && climate >= cfg.hot_threshold && ready();
    case ActionPolicy::never: return false;
  }
  return false;
}

std::vector<std::int32_t> choose_seeds(const SeedSpec& s, const Population& pop,
                                       const Network& net, std::int32_t n, Rng& rng) {
  std::vector<std::int32_t> chosen;
  if (s.kind == SeedSpec::Kind::rung) {
    for (std::int32_t i = 0; i < n; ++i)
      if (at_rung_or_organizer(pop, i, s.rung)) chosen.push_back(i);
  } else if (s.kind == SeedSpec::Kind::agents) {
    chosen = s.agents;
    if (s.with_neighbors) {
      for (auto i : s.agents) {
        if (net.complete) {
          for (std::int32_t j = 0; j < n; ++j) chosen.push_back(j);
        } else {
          for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e)
            chosen.push_back(net.neighbors[e]);
        }
      }
    }
  } else {
    const std::int64_t k = s.kind == SeedSpec::Kind::random
                               ? s.count
                               : static_cast<std::int64_t>(std::llround(s.fraction * n));
    chosen = sample_distinct(rng, n, k);
  }
  return chosen;
}

CascadeRules cascade_rules(const ModelConfig& cfg) {
  CascadeRules r;
  r.rule = cfg.rule;
  r.w_social = static_cast<float>(cfg.w_social);
  r.contagion_probability = cfg.contagion_probability;
  r.attempts = cfg.attempts;
  r.update = cfg.update;
  r.complete_trust = static_cast<float>(cfg.trust_initial.value);
  return r;
}

CascadeRules defense_rules(const ModelConfig& cfg) {
  CascadeRules r = cascade_rules(cfg);
  r.contagion_probability = 0.0;
  r.update = UpdateOrder::synchronous;
  if (r.rule == ThresholdRule::off) {
    r.rule = ThresholdRule::fraction;
    r.w_social = 0.0f;
  }
  return r;
}

Defense defense_capacity(ParticipationCore& core, const Network& net, const float* base,
                         const float* threshold, double complete_trust) {
  core.reset();
  Rng unused(0);  // threshold rounds only: no draws
  core.run_rounds(base, threshold, 0, unused, true);
  Defense d;
  d.crowd = core.participants();
  if (d.crowd >= 2) {
    const auto& x = core.x();
    d.cohesion = cohesion(net, [&](std::int32_t i) { return x[static_cast<std::size_t>(i)] != 0; },
                          complete_trust);
  }
  d.value = static_cast<double>(d.crowd) / net.n * d.cohesion;
  return d;
}

JoinCauses count_join_causes(const std::vector<std::int32_t>& joined, std::size_t from,
                             const std::vector<std::uint8_t>& x,
                             const std::vector<JoinCause>& cause,
                             const std::vector<std::uint8_t>& source, double social_weight,
                             const std::vector<float>& social,
                             const std::vector<std::uint8_t>& reached) {
  JoinCauses out;
  const bool sources = source.size() == x.size();
  for (std::size_t k = from; k < joined.size(); ++k) {
    const auto i = static_cast<std::size_t>(joined[k]);
    if (!x[i]) continue;
    int c = 2;
    switch (cause[i]) {
      case JoinCause::contagion: c = 0; break;
      case JoinCause::broadcast: c = 1; break;
      case JoinCause::threshold: {
        const std::uint8_t src = sources ? source[i] : kInviteNone;
        if (src == kInviteRelationship || (social_weight > 0 && social[i] > 0.0f)) c = 0;
        else if (src == kInviteMessaging) c = 1;
        break;
      }
      default: break;
    }
    ++out.by[static_cast<std::size_t>(c)];
    if (c == 1 && !reached.empty() && reached[i]) ++out.responders;
  }
  return out;
}

bool decide_action(double power, double resistance, double width, Rng& rng) {
  return width > 0.0 ? rng.uniform() < win_probability(power, resistance, width)
                     : action_wins(power, resistance);
}

void utility_base(const ModelConfig& cfg, const Population& pop, const Network& net,
                  double climate, bool staff_present, std::vector<float>& base,
                  std::vector<float>& invite, std::vector<std::uint8_t>* source) {
  const std::int32_t n = cfg.n;
  base.resize(static_cast<std::size_t>(n));
  // Without invitations every source is "none": the vector is left empty (count_join_causes
  // reads an empty one so).
  // With invitations every source is written below (the same pass that adds them to the base).
  if (source) {
    if (cfg.w_invitation > 0.0) source->resize(static_cast<std::size_t>(n));
    else *source = {};
  }
  const auto G = static_cast<float>(climate);
  const auto wg = static_cast<float>(cfg.w_grievance), wc = static_cast<float>(cfg.w_commitment),
             wf = static_cast<float>(cfg.w_fear);
  Eigen::Map<Eigen::ArrayXf> b(base.data(), n);
  // A run without inoculation has w_fear 0 (arrays_needed): its fear term is +0, and x - 0 is x,
  // so leaving the term out gives the same bits.
  if (pop.inoculation.size() == n)
    b = wg * (pop.grievance + G).max(0.0f).min(1.0f) + wc * pop.commitment -
        wf * pop.fear * (1.0f - pop.inoculation);
  else
    b = wg * (pop.grievance + G).max(0.0f).min(1.0f) + wc * pop.commitment;
  if (cfg.w_invitation <= 0.0) return;
  // Invitations: a committed agent invites trusted neighbours (strength = trust); messaging gives
  // a weak invitation to the aware; staff call those who trust them. The strongest counts, so
  // scattering from the committed agents gives the same maximum as gathering over every tie.
  const auto msg = static_cast<float>(cfg.messaging.invitation);
  invite.resize(static_cast<std::size_t>(n));
  Eigen::Map<Eigen::ArrayXf> inv(invite.data(), n);
  // Awareness and staff trust are campaign state: without a campaign both are 0 everywhere.
  const bool aware = pop.awareness.size() == n;
  const bool staff = staff_present && pop.staff_trust.size() == n;
  if (aware && staff) inv = (msg * pop.awareness).max(pop.staff_trust);  // one pass, same values
  else if (aware) inv = msg * pop.awareness;
  else if (staff) inv = Eigen::ArrayXf::Zero(n).max(pop.staff_trust);
  else inv.setZero();
  if (!net.complete)
    for (std::int32_t j = 0; j < n; ++j) {
      if (!committed(pop, j, cfg.ladder_member)) continue;
      for (std::int32_t e = net.offsets[j]; e < net.offsets[j + 1]; ++e) {
        float& v = invite[static_cast<std::size_t>(net.neighbors[e])];
        v = std::max(v, net.trust[e]);  // trust is symmetric: entry (j, i) = entry (i, j)
      }
    }
  const auto wi = static_cast<float>(cfg.w_invitation);
  if (!source) {
    b += wi * inv;
    return;
  }
  // Where each invitation came from, in the pass that adds it to the base (b_i + wi inv_i: the
  // same single-precision operations as the array expression).
  std::uint8_t* const src = source->data();
  float* const bp = base.data();
  const float* const iv = invite.data();
  const auto where = [](float v, float m) {
    return v > m ? kInviteRelationship : (v > 0.0f ? kInviteMessaging : kInviteNone);
  };
  if (aware) {
    const float* const aw = pop.awareness.data();
    for (std::int32_t i = 0; i < n; ++i) {
      src[i] = where(iv[i], msg * aw[i]);
      bp[i] += wi * iv[i];
    }
  } else {
    for (std::int32_t i = 0; i < n; ++i) {
      src[i] = where(iv[i], 0.0f);
      bp[i] += wi * iv[i];
    }
  }
}

double latent_support(const ModelConfig& cfg, const Population& pop) {
  const std::int32_t n = pop.size();
  if (n == 0) return 0.0;
  std::int64_t yes = 0;
  for (std::int32_t i = 0; i < n; ++i) {
    const double u = cfg.w_grievance * std::clamp(static_cast<double>(pop.grievance[i]), 0.0, 1.0) +
                     cfg.w_commitment * static_cast<double>(pop.commitment[i]);
    if (u >= static_cast<double>(pop.threshold[i])) ++yes;
  }
  return static_cast<double>(yes) / n;
}

double action_power(double turnout, double cohesion, double power_floor) noexcept {
  return turnout * (power_floor + (1.0 - power_floor) * cohesion);
}

bool action_wins(double power, double resistance) noexcept { return power >= resistance; }

double win_probability(double power, double resistance, double width) noexcept {
  if (!(width > 0.0)) return action_wins(power, resistance) ? 1.0 : 0.0;
  return 1.0 / (1.0 + std::exp(-(power - resistance) / width));
}

std::pair<bool, bool> blame_callers(const ModelConfig& cfg, Population& pop, Network& net,
                                    const std::vector<std::uint8_t>& x, bool staff_present) {
  if (!(cfg.loss_trust > 0.0)) return {false, false};
  const auto lt = static_cast<float>(cfg.loss_trust);
  bool staff = false, peer = false;
  if (staff_present && pop.staff_trust.size() > 0)
    for (std::int32_t i = 0; i < cfg.n; ++i)
      if (x[static_cast<std::size_t>(i)]) {
        pop.staff_trust[i] -= lt * pop.staff_trust[i];
        staff = true;
      }
  if (net.complete) return {staff, false};
  // A blamed tie joins a worker-organizer to a participant: it is found from the organizers'
  // rows (a few hundred at 10^5 agents) and both of its entries fall by the same amount, so
  // trust stays symmetric. A tie of two organizers is taken from its lower end's row only.
  const auto role = [&](std::int32_t k) { return pop.role[static_cast<std::size_t>(k)]; };
  for (std::int32_t i = 0; i < net.n; ++i) {
    if (role(i) != Role::worker_organizer) continue;
    const bool x_i = x[static_cast<std::size_t>(i)] != 0;
    for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e) {
      const std::int32_t j = net.neighbors[e];
      const bool org_j = role(j) == Role::worker_organizer;
      if (org_j && j < i) continue;  // taken from row j
      const bool blamed = x[static_cast<std::size_t>(j)] || (org_j && x_i);
      if (!blamed) continue;
      const float tau = net.trust[e];
      net.set_tie(e, net.find_entry(j, i), tau - lt * tau);  // logs a strong-line crossing
      peer = true;
    }
  }
  return {staff, peer};
}

double cohesion_then_strengthen(Network& net, const std::vector<std::uint8_t>& x, double gain) {
  if (net.complete) return 0.0;
  const auto g = static_cast<float>(gain > 0.0 ? gain : 0.0);
  double sum = 0.0;
  std::int64_t ties = 0;
  for (std::int32_t i = 0; i < net.n; ++i) {
    if (!x[static_cast<std::size_t>(i)]) continue;
    // Branch-free over who participates: an entry to a non-participant adds exactly 0 to the
    // sum and to its trust (same values, same order as skipping it).
    // The 0/1 weight is an arithmetic mask, not a branch: three quarters of a big crowd's
    // neighbours take part, an outcome a branch predictor cannot learn.
    for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e) {
      const std::uint8_t both = x[static_cast<std::size_t>(net.neighbors[e])] != 0 ? 1 : 0;
      const auto w = static_cast<float>(both);
      // Each entry is visited once, from its own row: read before it is raised. Its twin is
      // raised from the other row by the same amount, so trust stays symmetric.
      float& tau = net.trust[e];
      sum += static_cast<double>(tau) * static_cast<double>(w);
      ties += both;
      if (g > 0.0f) {
        const bool was = tau >= kStrongTie;
        tau += (g * w) * (1.0f - tau);
        if (was != (tau >= kStrongTie)) net.note_entry_flip(i, net.neighbors[e]);
      }
    }
  }
  return ties > 0 ? sum / static_cast<double>(ties) : 0.0;
}

Touched consequences(const ModelConfig& cfg, Population& pop, const std::vector<std::uint8_t>& x,
                     std::int32_t t, const ActionConsequences& what) {
  Touched touched;
  const bool open = !what.secret;
  touched.commitment = (open && cfg.participation_commitment > 0) ||
                       (what.won && cfg.win_commitment > 0) ||
                       (what.lost && cfg.loss_commitment > 0);
  touched.fatigue = open && cfg.participation_fatigue > 0;
  touched.fear = (what.lost && cfg.loss_fear > 0) || (open && cfg.retaliation > 0);
  const bool expose = open && cfg.firing > 0;
  if (!touched.commitment && !touched.fatigue && !touched.fear && !expose && !what.mark_last_action)
    return touched;
  const auto pc = static_cast<float>(open ? cfg.participation_commitment : 0.0),
             pf = static_cast<float>(open ? cfg.participation_fatigue : 0.0),
             wc = static_cast<float>(cfg.win_commitment), lf = static_cast<float>(cfg.loss_fear),
             rt = static_cast<float>(open ? cfg.retaliation : 0.0),
             lc = static_cast<float>(cfg.loss_commitment);
  // The mark, fatigue and exposure are kept only by runs that read them (arrays_needed).
  // Without inoculation a loss's fear and retaliation are 0 (arrays_needed): fear stays as it is.
  const bool mark = !pop.last_action.empty(), tire = pop.fatigue.size() > 0,
             exposure = !pop.exposed_until.empty(), pressed = pop.inoculation.size() > 0;
  for (std::int32_t i = 0; i < cfg.n; ++i) {
    const auto u = static_cast<std::size_t>(i);
    if (!x[u]) continue;
    if (mark) pop.last_action[u] = t;
    pop.commitment[i] += pc * (1.0f - pop.commitment[i]);
    if (tire) pop.fatigue[i] += pf * (1.0f - pop.fatigue[i]);
    const float exposed = pressed ? (1.0f - pop.inoculation[i]) * (1.0f - pop.fear[i]) : 0.0f;
    if (what.won) pop.commitment[i] += wc * (1.0f - pop.commitment[i]);
    if (what.lost && pressed) pop.fear[i] += lf * exposed;
    if (open) {
      // The employer retaliates against visible participants, and targets visible leaders (as
      // they were seen at the action, before a defeat's demoralization).
      if (pressed) pop.fear[i] += rt * (1.0f - pop.inoculation[i]) * (1.0f - pop.fear[i]);
      if (exposure && at_rung_or_organizer(pop, i, cfg.ladder_leader))
        pop.exposed_until[u] = t + cfg.firing_steps;
    }
    if (what.lost && lc > 0.0f) pop.commitment[i] -= lc * pop.commitment[i];
  }
  return touched;
}

}  // namespace orgsim
