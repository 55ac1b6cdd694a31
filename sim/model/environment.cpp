#include "model/environment.hpp"

#include <cmath>
#include <numbers>

#include "model/metrics.hpp"

namespace orgsim {

double Climate::advance(std::int32_t t, Rng& rng) {
  const bool shock = rng.uniform() < c_.shock_rate;
  shock_level_ = c_.shock_persistence * shock_level_ + (shock ? c_.shock_size : 0.0);
  return c_.amplitude * std::sin(2.0 * std::numbers::pi * t / c_.period + c_.phase) + shock_level_;
}

void counter_campaign(Population& pop, double intensity) {
  if (!(intensity > 0.0)) return;
  const auto x = static_cast<float>(intensity);
  pop.fear += x * (1.0f - pop.inoculation) * (1.0f - pop.fear);
}

void turnover(const ModelConfig& cfg, Population& pop, Network& net, std::int32_t t,
              std::uint64_t hire_key, Rng& rng, std::vector<std::int32_t>& left) {
  left.clear();
  if (cfg.turnover <= 0.0 && cfg.firing <= 0.0) return;
  for (std::int32_t i = 0; i < cfg.n; ++i) {
    const bool exposed =
        cfg.firing > 0.0 && pop.exposed_until[static_cast<std::size_t>(i)] >= t;
    const double p = cfg.turnover + (exposed ? cfg.firing : 0.0);
    if (!(rng.uniform() < p)) continue;
    Rng hire(mix64(hire_key ^ mix64(static_cast<std::uint64_t>(t) * 0x100000000ULL +
                                    static_cast<std::uint64_t>(i))));
    replace_agent(pop, i, cfg, hire);
    if (!pop.hired.empty()) pop.hired[static_cast<std::size_t>(i)] = t;
    reset_ties(net, i, static_cast<float>(cfg.trust_baseline));
    left.push_back(i);
  }
}

CounterCampaignWeek election_counter_campaign(const ModelConfig& cfg, Population& pop, Network& net,
                                              std::int32_t t, std::uint64_t hire_key, Rng& rng,
                                              std::vector<std::int32_t>& left, bool threaten,
                                              bool fire) {
  CounterCampaignWeek week;
  const auto& e = cfg.elections;
  counter_campaign(pop, e.captive_fear);
  if (threaten && e.threat_rate > 0.0) {
    const auto x = static_cast<float>(e.threat_fear);
    for (std::int32_t i = 0; i < cfg.n; ++i) {
      if (!at_rung_or_organizer(pop, i, cfg.ladder_supporter)) continue;
      if (!(rng.uniform() < e.threat_rate)) continue;
      pop.fear[i] += x * (1.0f - pop.inoculation[i]) * (1.0f - pop.fear[i]);
      ++week.threats;
    }
  }
  if (fire && e.firing_rate > 0.0) {
    for (std::int32_t i = 0; i < cfg.n; ++i) {
      const auto u = static_cast<std::size_t>(i);
      if (!pop.hired.empty() && pop.hired[u] == t && t > 0) continue;  // already replaced this step
      if (!at_rung_or_organizer(pop, i, cfg.ladder_leader)) continue;
      if (!(rng.uniform() < e.firing_rate)) continue;
      Rng hire(mix64(hire_key ^ mix64(static_cast<std::uint64_t>(t) * 0x100000000ULL +
                                      static_cast<std::uint64_t>(i))));
      replace_agent(pop, i, cfg, hire);
      if (!pop.hired.empty()) pop.hired[u] = t;
      reset_ties(net, i, static_cast<float>(cfg.trust_baseline));
      left.push_back(i);
      ++week.firings;
    }
  }
  return week;
}

}  // namespace orgsim
