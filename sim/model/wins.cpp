// Wins, their reversal hazard, and the Kaplan-Meier estimate of how long they last
// (DESIGN.md "Wins and durability"; the interface and the hazard formula are in wins.hpp).
//
// Conventions decided here:
// - A win with strength <= 0 (or a rule with hold_fraction <= 0) needs no defense: it counts as
//   fully defended, so only the background hazard applies. So does any defense at or above
//   hold_fraction * strength.
// - Defense below zero (or NaN) counts as no defense: the hazard never exceeds `hazard`.
// - The hazard is clamped to [0, 1], so a mis-set `hazard` cannot give a probability outside it.
// - push_back(step) pushes against every win standing when it is called, drawing exactly one
//   uniform per standing win in win order, whether or not its hazard is 0 (so the draws of the
//   employer stream do not depend on the defense). The engine should call it before recording
//   the step's new win, so that a win is first pushed the step after it was won and a reversed
//   win stood at least one step (a win pushed in its own step can end with duration 0).
//   Pushing at a step before a standing win's start is a programming error (std::logic_error,
//   thrown before anything changes).
#include "model/wins.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace orgsim {

void WinBook::record_win(std::int32_t step, double strength) {
  WinEvent w;
  w.start_step = step;
  w.end_step = -1;
  w.censored = true;
  w.strength = strength;
  events_.push_back(w);
  ++standing_;
}

double WinBook::hazard(double strength, double defense) const noexcept {
  const double bg = rules_.background > 0.0 ? rules_.background : 0.0;
  const double needed = rules_.hold_fraction * strength;
  double gap = 0.0;  // the share of the needed defense that is missing
  if (needed > 0.0) {  // (also false for NaN strength: nothing to defend)
    const double d = defense > 0.0 ? defense : 0.0;  // negative or NaN defense: none
    if (d < needed) gap = 1.0 - d / needed;
  }
  const double h = bg + rules_.hazard * gap;
  if (!(h > 0.0)) return 0.0;
  return h < 1.0 ? h : 1.0;
}

std::int32_t WinBook::push_back(std::int32_t step, double defense, Rng& rng) {
  return push_back(step, [defense] { return defense; }, rng);
}

std::int32_t WinBook::push_back(std::int32_t step, const std::function<double()>& defense,
                                Rng& rng) {
  for (const auto& w : events_)
    if (w.censored && w.start_step > step)
      throw std::logic_error("WinBook::push_back at step " + std::to_string(step) +
                             " against a win of step " + std::to_string(w.start_step));
  std::int32_t reversed = 0;
  bool known = false;
  double d = 0.0;
  for (auto& w : events_) {
    if (!w.censored) continue;
    const double u = rng.uniform();  // always drawn: one uniform per standing win
    bool falls;
    if (u < hazard(w.strength, std::numeric_limits<double>::infinity())) {
      falls = true;  // reversed even at full defense
    } else if (u >= hazard(w.strength, 0.0)) {
      falls = false;  // held even with no defense
    } else {
      if (!known) {
        d = defense();
        known = true;
      }
      falls = u < hazard(w.strength, d);
    }
    if (falls) {
      w.end_step = step;
      w.censored = false;
      ++reversed;
    }
  }
  standing_ -= reversed;
  return reversed;
}

// ---- Kaplan-Meier ---------------------------------------------------------------------------

namespace {
// Two-sided 95% standard normal quantile, Phi^-1(0.975).
constexpr double kZ95 = 1.959963984540054;
}  // namespace

double SurvivalCurve::at(double t) const noexcept {
  if (std::isnan(t)) return std::numeric_limits<double>::quiet_NaN();
  // Right-continuous step function: S(t) is the value after the last event time <= t.
  const auto it = std::upper_bound(time.begin(), time.end(), t);
  if (it == time.begin()) return 1.0;
  return survival[static_cast<std::size_t>(it - time.begin()) - 1];
}

// Product-limit estimator (Kaplan & Meier 1958, JASA 53:457-481). Ties: all events at time t are
// taken together, and wins censored at t are still at risk at t (events precede censorings).
// Variance by Greenwood's formula, Var S(t) = S(t)^2 sum_{t_i <= t} d_i / (n_i (n_i - d_i)).
// The 95% interval is computed for log(-log S) with variance
// sum d_i/(n_i(n_i - d_i)) / (log S)^2 and mapped back, S^exp(+-z se) (Kalbfleisch & Prentice
// 2002, The Statistical Analysis of Failure Time Data, 2nd ed., sec. 1.4; R survival's
// conf.type = "log-log"): it stays inside [0, 1]. Degenerate cases: where S = 0 (every win at
// risk was reversed) both bounds are 0; where S = 1 both are 1.
SurvivalCurve kaplan_meier(const std::vector<double>& durations, const std::vector<bool>& event) {
  if (durations.size() != event.size())
    throw std::invalid_argument("kaplan_meier: " + std::to_string(durations.size()) +
                                " durations but " + std::to_string(event.size()) + " event flags");
  for (std::size_t i = 0; i < durations.size(); ++i)
    if (std::isnan(durations[i]))
      throw std::invalid_argument("kaplan_meier: duration " + std::to_string(i) + " is NaN");

  std::vector<std::size_t> order(durations.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return durations[a] < durations[b]; });

  SurvivalCurve c;
  c.median = std::numeric_limits<double>::quiet_NaN();
  double s = 1.0;
  double greenwood = 0.0;  // sum d / (n (n - d))
  auto n_at_risk = static_cast<std::int64_t>(durations.size());
  std::size_t i = 0;
  while (i < order.size()) {
    const double t = durations[order[i]];
    std::int64_t d = 0, leaving = 0;
    for (; i < order.size() && durations[order[i]] == t; ++i, ++leaving)
      if (event[order[i]]) ++d;
    if (d > 0) {
      const auto n = static_cast<double>(n_at_risk);
      const auto dd = static_cast<double>(d);
      s *= 1.0 - dd / n;
      if (d == n_at_risk) s = 0.0;  // exactly, not a rounding residue
      double lo = s, hi = s;
      if (s > 0.0 && s < 1.0) {
        greenwood += dd / (n * (n - dd));
        const double log_s = std::log(s);
        const double se = std::sqrt(greenwood) / std::fabs(log_s);
        lo = std::pow(s, std::exp(kZ95 * se));
        hi = std::pow(s, std::exp(-kZ95 * se));
      }
      c.time.push_back(t);
      c.survival.push_back(s);
      c.lower.push_back(std::clamp(lo, 0.0, 1.0));
      c.upper.push_back(std::clamp(hi, 0.0, 1.0));
      c.at_risk.push_back(n_at_risk);
      c.events.push_back(d);
      if (std::isnan(c.median) && s <= 0.5) c.median = t;
    }
    n_at_risk -= leaving;
  }
  return c;
}

}  // namespace orgsim
