#include "engine/simulation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <unordered_set>

#include <Eigen/SparseCore>

#include "io/outputs.hpp"

namespace orgsim {

namespace {
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

Network make_network(const ModelConfig& cfg, std::uint64_t rep_seed, const Network* prebuilt) {
  Network net;
  if (prebuilt) {
    net = *prebuilt;
  } else {
    Rng rng(rep_seed, Stream::network);
    net = build_network(cfg.network, cfg.n, rng);
  }
  Rng trust_rng(rep_seed, Stream::trust);
  draw_initial_trust(net, cfg.trust_initial, trust_rng, cfg.friendships, cfg.friendship_level);
  return net;
}

CascadeRules make_rules(const ModelConfig& cfg) {
  CascadeRules r;
  r.rule = cfg.rule;
  r.w_social = static_cast<float>(cfg.w_social);
  r.contagion_probability = cfg.contagion_probability;
  r.attempts = cfg.attempts;
  r.update = cfg.update;
  r.complete_trust = static_cast<float>(cfg.trust_initial.value);
  return r;
}

/// Largest connected component of the graph of ties with trust >= 0.5 (union-find, O(m)).
std::int64_t strong_component(const Network& net) {
  if (net.complete || net.n == 0) return 0;
  std::vector<std::int32_t> parent(static_cast<std::size_t>(net.n));
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](std::int32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  bool any = false;
  for (std::int32_t i = 0; i < net.n; ++i)
    for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e) {
      const std::int32_t j = net.neighbors[e];
      if (j <= i || net.trust[e] < 0.5f) continue;
      any = true;
      const std::int32_t a = find(i), b = find(j);
      if (a != b) parent[std::max(a, b)] = std::min(a, b);
    }
  if (!any) return 0;
  std::vector<std::int32_t> size(static_cast<std::size_t>(net.n), 0);
  std::int32_t best = 0;
  for (std::int32_t i = 0; i < net.n; ++i) best = std::max(best, ++size[find(i)]);
  return best;
}
}  // namespace

Simulation::Simulation(const ModelConfig& cfg, std::uint64_t rep_seed, const Network* prebuilt)
    : cfg_(cfg),
      rep_seed_(rep_seed),
      rng_climate_(rep_seed, Stream::climate),
      rng_turnover_(rep_seed, Stream::turnover),
      rng_seeds_(rep_seed, Stream::seeds),
      rng_participation_(rep_seed, Stream::participation),
      rng_campaign_(rep_seed, Stream::campaign),
      rng_employer_(rep_seed, Stream::employer),
      net_(make_network(cfg, rep_seed, prebuilt)),
      pop_([&] {
        Rng rng(rep_seed, Stream::population);
        return draw_population(cfg, rng);
      }()),
      climate_model_(cfg.climate),
      rules_(make_rules(cfg)),
      core_(net_, rules_),
      campaign_([&] {
        World w = world();
        return Campaign(w, rng_campaign_);
      }()),
      wins_(cfg.wins),
      base_(static_cast<std::size_t>(cfg.n), 0.0f),
      series_(per_step_outputs().size() * static_cast<std::size_t>(cfg.steps), kNaN) {}

void Simulation::run() {
  while (t_ < cfg_.steps) step();
}

void Simulation::step() {
  using Clock = std::chrono::steady_clock;
  auto timed = [this](int k, auto&& phase) {
    const auto t0 = Clock::now();
    phase();
    phase_seconds_[static_cast<std::size_t>(k)] +=
        std::chrono::duration<double>(Clock::now() - t0).count();
  };
  timed(0, [this] { environment_phase(); });
  timed(1, [this] { organizing_phase(); });
  timed(2, [this] { action_phase(); });
  timed(3, [this] { wins_phase(); });
  timed(4, [this] { decay_phase(); });
  timed(5, [this] { record_phase(); });
#ifdef ORGSIM_CHECK_INVARIANTS
  check_invariants();
#endif
  ++t_;
}

// ---- 1. environment ----------------------------------------------------------------------------

void Simulation::environment_phase() {
  climate_now_ = climate_model_.advance(t_, rng_climate_);
  left_now_ = 0;
  // The employer's counter-campaign raises fear once the campaign has surfaced (after an action).
  if (cfg_.counter_campaign > 0 && actions_ > 0) {
    const auto x = static_cast<float>(cfg_.counter_campaign);
    pop_.fear += x * (1.0f - pop_.inoculation) * (1.0f - pop_.fear);
  }
  if (cfg_.turnover <= 0.0 && cfg_.firing <= 0.0) return;
  // One uniform per agent every step (a fixed count keeps the stream aligned across arms); a new
  // hire's draws come from a generator keyed by (step, node), so the same person is hired into
  // the same node at the same step in every arm. Visible leaders face the employer's firings.
  const std::uint64_t hire_key = stream_seed(rep_seed_, Stream::turnover);
  const bool continuing = cfg_.policy == ActionPolicy::continuous && t_ > cfg_.first_action;
  for (std::int32_t i = 0; i < cfg_.n; ++i) {
    const double p = cfg_.turnover +
                     (pop_.exposed_until[static_cast<std::size_t>(i)] >= t_ ? cfg_.firing : 0.0);
    if (!(rng_turnover_.uniform() < p)) continue;
    Rng hire(mix64(hire_key ^ mix64(static_cast<std::uint64_t>(t_) * 0x100000000ULL +
                                    static_cast<std::uint64_t>(i))));
    replace_agent(pop_, i, cfg_, hire);
    reset_ties(net_, i, static_cast<float>(cfg_.trust_baseline));
    if (continuing) core_.leave(i);
    ++left_now_;
  }
  if (continuing && left_now_ > 0) core_.recompute_social();
}

// ---- 2. organizing work ------------------------------------------------------------------------

void Simulation::organizing_phase() {
  World w = world();
  tally_ = campaign_.work(w, rng_campaign_);
  backfires_total_ += tally_.backfires;
}

// ---- 3. collective action ----------------------------------------------------------------------

bool Simulation::action_due() const noexcept {
  if (t_ < cfg_.first_action) return false;
  const bool gap_ok = last_action_step_ < 0 || t_ - last_action_step_ >= cfg_.min_gap;
  switch (cfg_.policy) {
    case ActionPolicy::continuous: return true;
    case ActionPolicy::schedule: return (t_ - cfg_.first_action) % cfg_.action_every == 0;
    case ActionPolicy::hot: return gap_ok && climate_now_ >= cfg_.hot_threshold;
    case ActionPolicy::readiness: {
      if (!gap_ok) return false;
      std::int64_t base = 0;
      for (std::int32_t i = 0; i < cfg_.n; ++i) base += committed(i) ? 1 : 0;
      return static_cast<double>(base) >= cfg_.readiness * cfg_.n;
    }
    case ActionPolicy::never: return false;
  }
  return false;
}

void Simulation::place_seeds() {
  const std::int32_t n = cfg_.n;
  const auto& s = cfg_.seed_set;
  std::vector<std::int32_t> chosen;
  if (s.kind == SeedSpec::Kind::rung) {
    for (std::int32_t i = 0; i < n; ++i)
      if (pop_.commitment[i] >= s.rung ||
          pop_.role[static_cast<std::size_t>(i)] == Role::worker_organizer)
        chosen.push_back(i);
  } else if (s.kind == SeedSpec::Kind::agents) {
    chosen = s.agents;
    if (s.with_neighbors) {
      const auto base = chosen;
      for (auto i : base) {
        if (net_.complete) {
          for (std::int32_t j = 0; j < n; ++j) chosen.push_back(j);
        } else {
          for (std::int32_t e = net_.offsets[i]; e < net_.offsets[i + 1]; ++e)
            chosen.push_back(net_.neighbors[e]);
        }
      }
    }
  } else {
    const std::int64_t k = s.kind == SeedSpec::Kind::random
                               ? s.count
                               : static_cast<std::int64_t>(std::llround(s.fraction * n));
    // Floyd's algorithm: k distinct agents in O(k), in a deterministic order.
    std::unordered_set<std::int32_t> taken;
    for (std::int64_t j = n - k; j < n; ++j) {
      auto t = static_cast<std::int32_t>(rng_seeds_.below(static_cast<std::uint64_t>(j + 1)));
      if (taken.count(t)) t = static_cast<std::int32_t>(j);
      taken.insert(t);
      chosen.push_back(t);
    }
  }
  for (auto i : chosen) core_.join(i);
}

void Simulation::compute_base() {
  // U_i = w_g g_eff + w_c c + w_i invite - w_f f (1 - v) + w_n n_i; everything but the social
  // term is fixed during the step's rounds.
  const auto G = static_cast<float>(climate_now_);
  const auto wg = static_cast<float>(cfg_.w_grievance), wc = static_cast<float>(cfg_.w_commitment),
             wf = static_cast<float>(cfg_.w_fear);
  Eigen::Map<Eigen::ArrayXf> base(base_.data(), cfg_.n);
  base = wg * (pop_.grievance + G).max(0.0f).min(1.0f) + wc * pop_.commitment -
         wf * pop_.fear * (1.0f - pop_.inoculation);
  if (cfg_.w_invitation <= 0.0) return;
  // Invitations: a committed agent invites trusted neighbours (strength = trust); messaging gives
  // a weak invitation to the aware; staff call those who trust them.
  const auto wi = static_cast<float>(cfg_.w_invitation);
  const auto msg = static_cast<float>(cfg_.messaging.invitation);
  const bool staff = campaign_.staff() > 0;
  for (std::int32_t i = 0; i < cfg_.n; ++i) {
    float invite = msg * pop_.awareness[i];
    if (staff) invite = std::max(invite, pop_.staff_trust[i]);
    if (!net_.complete)
      for (std::int32_t e = net_.offsets[i]; e < net_.offsets[i + 1]; ++e)
        if (committed(net_.neighbors[e])) invite = std::max(invite, net_.trust[e]);
    base_[static_cast<std::size_t>(i)] += wi * invite;
  }
}

template <class In>
double Simulation::cohesion(In in) const {
  if (net_.complete) return cfg_.trust_initial.value;
  double sum = 0.0;
  std::int64_t ties = 0;
  for (std::int32_t i = 0; i < cfg_.n; ++i) {
    if (!in(i)) continue;
    for (std::int32_t e = net_.offsets[i]; e < net_.offsets[i + 1]; ++e)
      if (in(net_.neighbors[e])) {
        sum += net_.trust[e];
        ++ties;
      }
  }
  return ties > 0 ? sum / static_cast<double>(ties) : 0.0;
}

void Simulation::action_phase() {
  action_now_ = action_due();
  joined_now_ = 0;
  rounds_now_ = 0;
  won_now_ = false;
  power_now_ = cohesion_now_ = std::nan("");
  if (!action_now_) return;
  const bool fresh = cfg_.policy != ActionPolicy::continuous || t_ == cfg_.first_action;
  const std::int64_t before_step = fresh ? 0 : core_.participants();
  if (fresh) {
    core_.reset();
    place_seeds();
    ++actions_;
    continuous_won_ = false;
  }
  compute_base();
  core_.broadcast(cfg_.broadcast_reach, cfg_.broadcast_conversion, rng_participation_);
  const RoundStats st =
      core_.run_rounds(base_.data(), pop_.threshold.data(), cfg_.rounds, rng_participation_);
  rounds_now_ = st.rounds;
  rounds_total_ += st.rounds;
  joined_now_ = core_.participants() - before_step;
  last_action_step_ = t_;
  after_action(fresh);
}

void Simulation::after_action(bool fresh) {
  const auto& x = core_.x();
  const double turnout = static_cast<double>(core_.participants()) / cfg_.n;
  const double c = core_.participants() >= 2
                       ? cohesion([&](std::int32_t i) { return x[static_cast<std::size_t>(i)] != 0; })
                       : 0.0;
  cohesion_now_ = c;
  power_now_ = turnout * (cfg_.power_floor + (1.0 - cfg_.power_floor) * c);
  const bool won = power_now_ >= cfg_.resistance;
  // A scheduled, hot or ready action is won or lost when its rounds end; a continuous action
  // (a petition drive) wins once, the first step its power reaches the resistance.
  const bool decided = fresh || (won && !continuous_won_);
  if (won && decided) {
    pending_win_ = power_now_;  // enters the book after this step's push (no 0-step reversals)
    won_now_ = true;
    if (!fresh) continuous_won_ = true;
  }
  // Acting together strengthens the ties between participants (both entries alike).
  if (cfg_.action_trust_gain > 0 && !net_.complete) {
    const auto g = static_cast<float>(cfg_.action_trust_gain);
    for (std::int32_t i = 0; i < cfg_.n; ++i) {
      if (!x[static_cast<std::size_t>(i)]) continue;
      for (std::int32_t e = net_.offsets[i]; e < net_.offsets[i + 1]; ++e)
        if (x[static_cast<std::size_t>(net_.neighbors[e])]) net_.trust[e] += g * (1.0f - net_.trust[e]);
    }
  }
  for (std::int32_t i = 0; i < cfg_.n; ++i) {
    const auto u = static_cast<std::size_t>(i);
    if (!x[u]) continue;
    pop_.last_action[u] = t_;
    pop_.commitment[i] += static_cast<float>(cfg_.participation_commitment) * (1.0f - pop_.commitment[i]);
    pop_.fatigue[i] += static_cast<float>(cfg_.participation_fatigue) * (1.0f - pop_.fatigue[i]);
    const float exposed = (1.0f - pop_.inoculation[i]) * (1.0f - pop_.fear[i]);
    if (decided && won)
      pop_.commitment[i] += static_cast<float>(cfg_.win_commitment) * (1.0f - pop_.commitment[i]);
    if (fresh && !won) pop_.fear[i] += static_cast<float>(cfg_.loss_fear) * exposed;
    // The employer retaliates against visible participants, and targets visible leaders.
    pop_.fear[i] += static_cast<float>(cfg_.retaliation) * (1.0f - pop_.inoculation[i]) *
                    (1.0f - pop_.fear[i]);
    if (pop_.commitment[i] >= cfg_.ladder_leader || pop_.role[u] == Role::worker_organizer)
      pop_.exposed_until[u] = t_ + cfg_.firing_steps;
  }
}

// ---- 4. wins and durability --------------------------------------------------------------------

void Simulation::wins_phase() {
  // The employer pushes against the wins standing from earlier steps; the defense is the
  // organized base now: its share of the workplace times its cohesion. A win of this step joins
  // the book afterwards, so every win stands at least one step.
  reversed_now_ = 0;
  if (wins_.standing() > 0) {
    std::int64_t base = 0;
    for (std::int32_t i = 0; i < cfg_.n; ++i) base += committed(i) ? 1 : 0;
    const double share = static_cast<double>(base) / cfg_.n;
    const double defense =
        base >= 2 ? share * cohesion([&](std::int32_t i) { return committed(i); }) : 0.0;
    reversed_now_ = wins_.push_back(t_, defense, rng_employer_);
  }
  if (pending_win_ >= 0.0) {
    wins_.record_win(t_, pending_win_);
    pending_win_ = -1.0;
  }
}

// ---- 5. decay ----------------------------------------------------------------------------------

void Simulation::decay_phase() {
  const auto& d = cfg_.decay;
  if (d.trust > 0 && !net_.complete) {
    const auto rate = static_cast<float>(d.trust), base = static_cast<float>(cfg_.trust_baseline);
    for (float& tau : net_.trust) tau -= rate * (tau - base);  // both entries alike: stays symmetric
  }
  if (d.staff_trust > 0) pop_.staff_trust *= static_cast<float>(1.0 - d.staff_trust);
  if (d.commitment > 0) {
    // Embeddedness e_i = sum_j tau_ij [j committed] / deg_i: a sparse product over the CSR arrays.
    embedded_.assign(static_cast<std::size_t>(cfg_.n), 0.0f);
    if (!net_.complete && net_.num_entries() > 0) {
      Eigen::VectorXf committed_flag(cfg_.n);
      for (std::int32_t i = 0; i < cfg_.n; ++i) committed_flag[i] = committed(i) ? 1.0f : 0.0f;
      Eigen::Map<const Eigen::SparseMatrix<float, Eigen::RowMajor, std::int32_t>> A(
          cfg_.n, cfg_.n, net_.num_entries(), net_.offsets.data(), net_.neighbors.data(),
          net_.trust.data());
      Eigen::Map<Eigen::VectorXf> e(embedded_.data(), cfg_.n);
      e.noalias() = A * committed_flag;
      for (std::int32_t i = 0; i < cfg_.n; ++i) {
        const std::int32_t deg = net_.degree(i);
        embedded_[static_cast<std::size_t>(i)] = deg > 0 ? e[i] / static_cast<float>(deg) : 0.0f;
      }
    }
    const auto rate = static_cast<float>(d.commitment);
    for (std::int32_t i = 0; i < cfg_.n; ++i) {
      if (pop_.role[static_cast<std::size_t>(i)] == Role::worker_organizer) continue;
      pop_.commitment[i] -= rate * (1.0f - embedded_[static_cast<std::size_t>(i)]) * pop_.commitment[i];
    }
  }
  if (d.awareness > 0) pop_.awareness *= static_cast<float>(1.0 - d.awareness);
  if (d.grievance > 0)
    pop_.grievance += static_cast<float>(d.grievance) * (pop_.grievance_base - pop_.grievance);
  if (d.fear > 0) pop_.fear += static_cast<float>(d.fear) * (pop_.fear_base - pop_.fear);
  if (d.fatigue > 0) pop_.fatigue *= static_cast<float>(1.0 - d.fatigue);
  for (auto& t : pop_.tenure) ++t;
}

// ---- 6. record ---------------------------------------------------------------------------------

void Simulation::record_phase() {
  const std::size_t T = static_cast<std::size_t>(cfg_.steps);
  auto put = [&](const std::string& name, double v) {
    series_[per_step_index(name) * T + static_cast<std::size_t>(t_)] = static_cast<float>(v);
  };
  const double n = cfg_.n;
  if (action_now_) {
    const double turnout = static_cast<double>(core_.participants()) / n;
    put("turnout", turnout);
    put("new_participants", static_cast<double>(joined_now_) / n);
    put("rounds", rounds_now_);
    put("power", power_now_);
    put("cohesion", cohesion_now_);
    last_turnout_ = turnout;
    peak_turnout_ = std::isnan(peak_turnout_) ? turnout : std::max(peak_turnout_, turnout);
  }
  if (net_.complete) {
    const double tau = cfg_.trust_initial.value;
    put("trust_mean", n > 1 ? tau : std::nan(""));
    put("strong_tie_share", n > 1 ? (tau >= 0.5 ? 1.0 : 0.0) : std::nan(""));
  } else if (net_.num_entries() > 0) {
    // Every tie is stored twice with the same trust, so entry means equal tie means.
    double sum = 0.0;
    std::int64_t strong = 0;
    for (float tau : net_.trust) {
      sum += tau;
      strong += tau >= 0.5f ? 1 : 0;
    }
    const auto m = static_cast<double>(net_.num_entries());
    put("trust_mean", sum / m);
    put("strong_tie_share", static_cast<double>(strong) / m);
    put("strong_component", static_cast<double>(strong_component(net_)) / n);
  }
  std::int64_t sup = 0, mem = 0, lead = 0;
  for (std::int32_t i = 0; i < cfg_.n; ++i) {
    const float c = pop_.commitment[i];
    if (c >= cfg_.ladder_leader) ++lead;
    else if (c >= cfg_.ladder_member) ++mem;
    else if (c >= cfg_.ladder_supporter) ++sup;
  }
  const std::int32_t workers = campaign_.worker_organizers(world());
  put("rung_supporter", static_cast<double>(sup));
  put("rung_member", static_cast<double>(mem));
  put("rung_leader", static_cast<double>(lead));
  std::int64_t base = 0;
  for (std::int32_t i = 0; i < cfg_.n; ++i) base += committed(i) ? 1 : 0;
  put("organized_base", static_cast<double>(base) / n);
  put("organizers_staff", campaign_.staff());
  put("organizers_worker", workers);
  for (int a = 0; a < kActivities; ++a)
    put(std::string("hours_") + kActivityNames[a], tally_.hours[static_cast<std::size_t>(a)]);
  put("backfires", static_cast<double>(tally_.backfires));
  put("awareness_mean", pop_.awareness.mean());
  put("fear_mean", pop_.fear.mean());
  put("grievance_mean", pop_.grievance.mean());
  put("staff_trust_mean", pop_.staff_trust.mean());
  put("climate", climate_now_);
  put("turnover_share", static_cast<double>(left_now_) / n);
  put("standing_wins", wins_.standing());
  put("wins_new", won_now_ ? 1.0 : 0.0);
  put("reversals_new", reversed_now_);
  win_weeks_ += wins_.standing();
  if (t_ + 1 == cfg_.steps) {
    organized_base_end_ = static_cast<double>(base) / n;
    organizers_end_ = workers;
  }
}

std::vector<double> Simulation::per_run_values() const {
  std::vector<double> v(per_run_outputs().size(), std::nan(""));
  v[per_run_index("final_turnout")] = last_turnout_;
  v[per_run_index("peak_turnout")] = peak_turnout_;
  v[per_run_index("actions")] = static_cast<double>(actions_);
  v[per_run_index("rounds_total")] = static_cast<double>(rounds_total_);
  v[per_run_index("wins")] = wins_.wins();
  v[per_run_index("reversals")] = wins_.reversals();
  v[per_run_index("win_weeks")] = win_weeks_;
  v[per_run_index("organized_base_end")] = organized_base_end_;
  v[per_run_index("organizers_end")] = organizers_end_;
  v[per_run_index("backfires_total")] = static_cast<double>(backfires_total_);
  return v;
}

void Simulation::check_invariants() const {
  auto fail = [&](const std::string& what) {
    throw std::logic_error("invariant broken at step " + std::to_string(t_) + ": " + what);
  };
  auto in_unit = [](const Eigen::ArrayXf& a) {
    return a.size() == 0 || (a.minCoeff() >= 0.0f && a.maxCoeff() <= 1.0f);
  };
  if (!in_unit(pop_.grievance)) fail("grievance outside [0,1]");
  if (!in_unit(pop_.fear)) fail("fear outside [0,1]");
  if (!in_unit(pop_.inoculation)) fail("inoculation outside [0,1]");
  if (!in_unit(pop_.commitment)) fail("commitment outside [0,1]");
  if (!in_unit(pop_.awareness)) fail("awareness outside [0,1]");
  if (!in_unit(pop_.fatigue)) fail("fatigue outside [0,1]");
  if (!in_unit(pop_.staff_trust)) fail("staff trust outside [0,1]");
  if (!in_unit(pop_.leadership)) fail("leadership outside [0,1]");
  if (!pop_.threshold.allFinite()) fail("non-finite threshold");
  std::int64_t count = 0;
  for (auto xi : core_.x()) count += xi ? 1 : 0;
  if (count != core_.participants()) fail("participant count differs from the participation flags");
  std::int64_t sup = 0, mem = 0, lead = 0, none = 0;
  for (std::int32_t i = 0; i < cfg_.n; ++i) {
    const float c = pop_.commitment[i];
    if (c >= cfg_.ladder_leader) ++lead;
    else if (c >= cfg_.ladder_member) ++mem;
    else if (c >= cfg_.ladder_supporter) ++sup;
    else ++none;
  }
  if (sup + mem + lead + none != cfg_.n) fail("ladder counts do not sum to N");
  std::int32_t open = 0;
  for (const auto& w : wins_.events()) open += w.end_step < 0 ? 1 : 0;
  if (open != wins_.standing()) fail("standing wins differ from the wins not yet reversed");
  if (!net_.complete) {
    for (std::int32_t i = 0; i < net_.n; ++i)
      for (std::int32_t e = net_.offsets[i]; e < net_.offsets[i + 1]; ++e) {
        const float tau = net_.trust[e];
        if (!(tau >= 0.0f && tau <= 1.0f)) fail("trust outside [0,1]");
        if (net_.trust[net_.find_entry(net_.neighbors[e], i)] != tau) fail("asymmetric trust");
      }
  }
}

}  // namespace orgsim
