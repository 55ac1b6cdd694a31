#include "engine/simulation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <unordered_set>

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
  draw_initial_trust(net, cfg.trust_initial, trust_rng);
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
}  // namespace

Simulation::Simulation(const ModelConfig& cfg, std::uint64_t rep_seed, const Network* prebuilt)
    : cfg_(cfg),
      rep_seed_(rep_seed),
      rng_climate_(rep_seed, Stream::climate),
      rng_turnover_(rep_seed, Stream::turnover),
      rng_seeds_(rep_seed, Stream::seeds),
      rng_participation_(rep_seed, Stream::participation),
      net_(make_network(cfg, rep_seed, prebuilt)),
      pop_([&] {
        Rng rng(rep_seed, Stream::population);
        return draw_population(cfg, rng);
      }()),
      climate_model_(cfg.climate),
      rules_(make_rules(cfg)),
      core_(net_, rules_),
      base_(static_cast<std::size_t>(cfg.n), 0.0f),
      series_(per_step_outputs().size() * static_cast<std::size_t>(cfg.steps), kNaN) {}

void Simulation::run() {
  while (t_ < cfg_.steps) step();
}

void Simulation::step() {
  environment_phase();
  action_phase();
  record_phase();
#ifndef NDEBUG
  check_invariants();
#endif
  ++t_;
}

// ---- 1. environment ----------------------------------------------------------------------------

void Simulation::environment_phase() {
  climate_now_ = climate_model_.advance(t_, rng_climate_);
  left_now_ = 0;
  if (cfg_.turnover <= 0.0) return;
  // One uniform per agent every step (a fixed count keeps the stream aligned across arms); a new
  // hire's draws come from a generator keyed by (step, node), so the same person is hired into
  // the same node at the same step in every arm.
  const std::uint64_t hire_key = stream_seed(rep_seed_, Stream::turnover);
  bool continuing = cfg_.policy == ActionPolicy::continuous && t_ > cfg_.first_action;
  for (std::int32_t i = 0; i < cfg_.n; ++i) {
    if (!(rng_turnover_.uniform() < cfg_.turnover)) continue;
    Rng hire(mix64(hire_key ^ mix64(static_cast<std::uint64_t>(t_) * 0x100000000ULL +
                                    static_cast<std::uint64_t>(i))));
    replace_agent(pop_, i, cfg_, hire);
    reset_ties(net_, i, static_cast<float>(cfg_.trust_baseline));
    if (continuing) core_.leave(i);
    ++left_now_;
  }
  if (continuing && left_now_ > 0) core_.recompute_social();
}

// ---- 3. collective action --------------------------------------------------------------------

bool Simulation::action_due() const noexcept {
  if (t_ < cfg_.first_action) return false;
  if (cfg_.policy == ActionPolicy::continuous) return true;
  return (t_ - cfg_.first_action) % cfg_.action_every == 0;
}

void Simulation::place_seeds() {
  const std::int32_t n = cfg_.n;
  const auto& s = cfg_.seed_set;
  std::vector<std::int32_t> chosen;
  if (s.kind == SeedSpec::Kind::agents) {
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
  // term is fixed during the step's rounds. Invitations come from the organizing model (none
  // without a campaign).
  const auto G = static_cast<float>(climate_now_);
  const auto wg = static_cast<float>(cfg_.w_grievance), wc = static_cast<float>(cfg_.w_commitment),
             wf = static_cast<float>(cfg_.w_fear);
  Eigen::Map<Eigen::ArrayXf> base(base_.data(), cfg_.n);
  base = wg * (pop_.grievance + G).max(0.0f).min(1.0f) + wc * pop_.commitment -
         wf * pop_.fear * (1.0f - pop_.inoculation);
}

void Simulation::action_phase() {
  action_now_ = action_due();
  joined_now_ = 0;
  rounds_now_ = 0;
  if (!action_now_) return;
  const std::int64_t before_step =
      (cfg_.policy == ActionPolicy::continuous && t_ > cfg_.first_action) ? core_.participants() : 0;
  const bool fresh = cfg_.policy == ActionPolicy::schedule || t_ == cfg_.first_action;
  if (fresh) {
    core_.reset();
    place_seeds();
    ++actions_;
  }
  compute_base();
  core_.broadcast(cfg_.broadcast_reach, cfg_.broadcast_conversion, rng_participation_);
  const RoundStats st =
      core_.run_rounds(base_.data(), pop_.threshold.data(), cfg_.rounds, rng_participation_);
  rounds_now_ = st.rounds;
  rounds_total_ += st.rounds;
  joined_now_ = core_.participants() - before_step;
}

// ---- 6. record ---------------------------------------------------------------------------------

void Simulation::record_phase() {
  const std::size_t T = static_cast<std::size_t>(cfg_.steps);
  auto put = [&](const char* name, double v) {
    series_[per_step_index(name) * T + static_cast<std::size_t>(t_)] = static_cast<float>(v);
  };
  const double n = cfg_.n;
  if (action_now_) {
    const double turnout = static_cast<double>(core_.participants()) / n;
    put("turnout", turnout);
    put("new_participants", static_cast<double>(joined_now_) / n);
    put("rounds", rounds_now_);
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
  }
  put("climate", climate_now_);
  put("turnover_share", static_cast<double>(left_now_) / n);
}

std::vector<double> Simulation::per_run_values() const {
  std::vector<double> v(per_run_outputs().size(), std::nan(""));
  v[per_run_index("final_turnout")] = last_turnout_;
  v[per_run_index("peak_turnout")] = peak_turnout_;
  v[per_run_index("actions")] = static_cast<double>(actions_);
  v[per_run_index("rounds_total")] = static_cast<double>(rounds_total_);
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
  if (!pop_.threshold.allFinite()) fail("non-finite threshold");
  std::int64_t count = 0;
  for (auto xi : core_.x()) count += xi ? 1 : 0;
  if (count != core_.participants()) fail("participant count differs from the participation flags");
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
