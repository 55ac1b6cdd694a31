// Wins and durability (sim/model/wins.*): the reversal hazard by hand, its limit cases (no
// hazard, full defense: wins never end), the geometric law of durations without defense (within
// 4 standard errors), the bookkeeping invariant standing = wins - reversals, the draw contract
// (one uniform per standing win), and the Kaplan-Meier estimator against a textbook example.
#include <catch2/catch.hpp>

#include "helpers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include "core/rng.hpp"
#include "model/wins.hpp"

using namespace orgsim;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

/// Pushes with constant `defense` from step `from` until no win stands (or `max_steps` pass);
/// returns the step after the last push.
std::int32_t push_until_none(WinBook& book, std::int32_t from, double defense, Rng& rng,
                             std::int32_t max_steps) {
  std::int32_t t = from;
  for (; book.standing() > 0 && t < from + max_steps; ++t) book.push_back(t, defense, rng);
  return t;
}

using test::mean_se;

}  // namespace

// ---- The hazard ------------------------------------------------------------------------------

TEST_CASE("wins: the reversal hazard, hand-computed", "[wins]") {
  const WinBook book(WinRules{0.5, 0.1});
  // strength 0.4: the win holds while defense >= 0.5 * 0.4 = 0.2.
  CHECK(book.hazard(0.4, 0.2) == 0.0);
  CHECK(book.hazard(0.4, 0.3) == 0.0);
  CHECK(book.hazard(0.4, 1.0) == 0.0);
  CHECK_THAT(book.hazard(0.4, 0.1), WithinAbs(0.1 * (1 - 0.1 / 0.2), 1e-15));    // 0.05
  CHECK_THAT(book.hazard(0.4, 0.05), WithinAbs(0.1 * (1 - 0.05 / 0.2), 1e-15));  // 0.075
  CHECK(book.hazard(0.4, 0.0) == 0.1);  // no defense: the full hazard
  // strength 0.8: needs 0.4; defense 0.3 leaves a quarter of the hazard.
  CHECK_THAT(book.hazard(0.8, 0.3), WithinAbs(0.025, 1e-15));
}

TEST_CASE("wins: hazard limit cases and clamping", "[wins]") {
  const WinBook book(WinRules{0.5, 0.1});
  SECTION("a win of strength <= 0 counts as fully defended") {
    CHECK(book.hazard(0.0, 0.0) == 0.0);
    CHECK(book.hazard(-1.0, 0.0) == 0.0);
    CHECK(book.hazard(std::nan(""), 0.0) == 0.0);
  }
  SECTION("negative or NaN defense counts as none: never above the full hazard") {
    CHECK(book.hazard(0.4, -0.3) == 0.1);
    CHECK(book.hazard(0.4, std::nan("")) == 0.1);
  }
  SECTION("hold_fraction 0: every win holds with no defense") {
    CHECK(WinBook(WinRules{0.0, 0.1}).hazard(0.4, 0.0) == 0.0);
  }
  SECTION("zero hazard: nothing is ever reversed") {
    CHECK(WinBook(WinRules{0.5, 0.0}).hazard(0.4, 0.0) == 0.0);
  }
  SECTION("a hazard above 1 is clamped to a probability") {
    const WinBook big(WinRules{0.5, 2.0});
    CHECK(big.hazard(0.4, 0.0) == 1.0);
    CHECK(big.hazard(0.4, 0.1) == 1.0);                        // 2 * 0.5
    CHECK_THAT(big.hazard(0.4, 0.15), WithinAbs(0.5, 1e-15));  // 2 * 0.25
  }
}

// ---- Pushing back ---------------------------------------------------------------------------

TEST_CASE("wins: with zero hazard no win ever ends, and one uniform is drawn per standing win",
          "[wins]") {
  WinBook book(WinRules{0.5, 0.0});
  Rng rng(11), reference(11);
  std::int64_t draws = 0;
  for (std::int32_t t = 0; t < 300; ++t) {
    draws += book.standing();
    CHECK(book.push_back(t, 0.0, rng) == 0);  // no defense at all
    if (t % 7 == 0) book.record_win(t, 0.1 + 0.01 * t);
  }
  CHECK(book.wins() == 43);
  CHECK(book.standing() == 43);
  CHECK(book.reversals() == 0);
  for (const auto& w : book.events()) {
    CHECK(w.censored);
    CHECK(w.end_step == -1);
    CHECK(w.duration(300) == 300 - w.start_step);
  }
  for (std::int64_t i = 0; i < draws; ++i) reference.uniform();
  CHECK(rng.next_u64() == reference.next_u64());  // exactly `draws` uniforms were taken
}

TEST_CASE("wins: fully defended wins never end", "[wins]") {
  WinBook book(WinRules{0.5, 0.9});
  Rng rng(12);
  for (std::int32_t k = 0; k < 100; ++k) book.record_win(0, 0.01 * (k + 1));  // up to 1.0
  const double defense = 0.5;  // = hold_fraction * the strongest win
  for (std::int32_t t = 1; t <= 1000; ++t) CHECK(book.push_back(t, defense, rng) == 0);
  CHECK(book.standing() == 100);
  CHECK(book.reversals() == 0);
}

TEST_CASE("wins: without defense, durations are geometric with mean 1/h (within 4 SE)",
          "[wins]") {
  const int n_wins = 20000;
  // (defense, effective hazard): none, then half the needed defense (hazard halves).
  for (const auto& [defense, h] : {std::pair{0.0, 0.05}, std::pair{0.25, 0.025}}) {
    INFO("defense " << defense << ", effective hazard " << h);
    WinBook book(WinRules{0.5, 0.05});
    Rng rng(replicate_seed(2024, 0), Stream::employer);
    for (int k = 0; k < n_wins; ++k) book.record_win(0, 1.0);
    const std::int32_t end = push_until_none(book, 1, defense, rng, 100000);
    REQUIRE(book.standing() == 0);
    REQUIRE(book.reversals() == n_wins);

    std::vector<double> d;
    std::int64_t first_step = 0;
    for (const auto& w : book.events()) {
      REQUIRE_FALSE(w.censored);
      REQUIRE(w.end_step >= 1);  // first pushed the step after the win
      REQUIRE(w.duration(end) == w.end_step - w.start_step);
      d.push_back(w.duration(end));
      first_step += w.duration(end) == 1;
    }
    // Geometric on {1, 2, ...}: mean 1/h, variance (1-h)/h^2, P(D = 1) = h.
    const auto m = mean_se(d);
    const double se_theory = std::sqrt((1 - h) / (h * h) / n_wins);
    CHECK(std::fabs(m.mean - 1 / h) < 4 * se_theory);
    CHECK_THAT(m.se, WithinRel(se_theory, 0.05));
    const double p1 = static_cast<double>(first_step) / n_wins;
    CHECK(std::fabs(p1 - h) < 4 * std::sqrt(h * (1 - h) / n_wins));

    // The Kaplan-Meier curve of these uncensored durations follows S(k) = (1 - h)^k.
    const SurvivalCurve km = kaplan_meier(d, std::vector<bool>(d.size(), true));
    for (double k : {5.0, 20.0, 40.0}) {
      const double s = std::pow(1 - h, k);
      CHECK(std::fabs(km.at(k) - s) < 4 * std::sqrt(s * (1 - s) / n_wins));
    }
  }
}

TEST_CASE("wins: standing = wins - reversals at every step, and the events agree", "[wins]") {
  WinBook book(WinRules{0.4, 0.2});
  Rng rng(replicate_seed(99, 3), Stream::employer);
  Rng world(7);  // drives when wins happen, their strengths and the defense
  std::int32_t reversed_total = 0;
  for (std::int32_t t = 0; t < 500; ++t) {
    const double defense = world.uniform(0.0, 0.4);
    const std::int32_t reversed = book.push_back(t, defense, rng);
    REQUIRE(reversed >= 0);
    reversed_total += reversed;
    if (world.bernoulli(0.2)) book.record_win(t, world.uniform(0.0, 1.0));

    REQUIRE(book.standing() == book.wins() - book.reversals());
    REQUIRE(book.reversals() == reversed_total);
    std::int32_t censored = 0, ended_now = 0;
    for (const auto& w : book.events()) {
      censored += w.censored;
      ended_now += !w.censored && w.end_step == t;
      if (w.censored) {
        REQUIRE(w.end_step == -1);
      } else {
        REQUIRE(w.end_step > w.start_step);
      }
    }
    REQUIRE(censored == book.standing());
    REQUIRE(ended_now == reversed);
  }
  CHECK(book.wins() > 50);
  CHECK(book.reversals() > 0);
  CHECK(book.standing() > 0);
}

TEST_CASE("wins: pushing before a standing win was won is a programming error", "[wins]") {
  WinBook book(WinRules{0.5, 0.05});
  Rng rng(1), reference(1);
  book.record_win(10, 0.5);
  CHECK_THROWS_AS(book.push_back(9, 0.0, rng), std::logic_error);
  CHECK(book.standing() == 1);
  CHECK(rng.next_u64() == reference.next_u64());  // nothing drawn
}

TEST_CASE("wins: the defense is asked for only when a win's fate depends on it, same results",
          "[wins]") {
  // Two books with the same wins, pushed with the same draws: one given the defense, the other
  // asking for it. Reversals agree step by step and the streams end in the same state; the
  // defense is asked for at most once a step, and not at all in steps where every draw falls
  // below the hazard at full defense (the background) or at or above the hazard with none.
  WinRules rules;
  rules.hold_fraction = 0.5;
  rules.hazard = 0.3;
  rules.background = 0.02;
  WinBook eager(rules), lazy(rules);
  Rng draws(7), rng_eager(8), rng_lazy(8);
  for (int k = 0; k < 40; ++k) {
    const double strength = k % 5 == 0 ? 0.0 : draws.uniform();
    eager.record_win(0, strength);
    lazy.record_win(0, strength);
  }
  int asked = 0, steps_asking = 0, steps = 0;
  for (std::int32_t t = 1; t <= 200 && eager.standing() > 0; ++t, ++steps) {
    const double d = 0.4 * draws.uniform();
    const int before = asked;
    const std::function<double()> defense = [&] {
      ++asked;
      return d;
    };
    REQUIRE(lazy.push_back(t, defense, rng_lazy) == eager.push_back(t, d, rng_eager));
    CHECK(asked - before <= 1);
    steps_asking += asked > before ? 1 : 0;
    REQUIRE(lazy.standing() == eager.standing());
  }
  CHECK(rng_lazy.next_u64() == rng_eager.next_u64());
  CHECK(steps_asking > 0);
  CHECK(asked == steps_asking);
  INFO("steps that asked: " << steps_asking << " of " << steps);
  CHECK(steps_asking < steps);
  SECTION("no hazard beyond the background: never asked") {
    rules.hazard = 0.0;
    WinBook book(rules);
    book.record_win(0, 0.5);
    int calls = 0;
    const std::function<double()> count = [&] {
      ++calls;
      return 0.0;
    };
    for (std::int32_t t = 1; t <= 50; ++t) book.push_back(t, count, rng_lazy);
    CHECK(calls == 0);
  }
}

// ---- Kaplan-Meier -----------------------------------------------------------------------------

// Freireich et al. (1963), 6-MP arm: remission times in weeks, + = censored. Textbook example of
// Kaplan-Meier (Kleinbaum & Klein, Survival Analysis, ch. 2; Klein & Moeschberger, sec. 4.2).
// Expected S, Greenwood SE and the log(-log) 95% interval as printed by R,
// survfit(Surv(time, status) ~ 1, conf.type = "log-log").
TEST_CASE("wins: Kaplan-Meier reproduces the 6-MP leukemia example", "[wins]") {
  const std::vector<double> time = {6,  6,  6,  6,  7,  9,  10, 10, 11, 13, 16,
                                    17, 19, 20, 22, 23, 25, 32, 32, 34, 35};
  const std::vector<bool> event = {true,  true,  true,  false, true,  false, true,
                                   false, false, true,  true,  false, false, false,
                                   true,  true,  false, false, false, false, false};
  const SurvivalCurve km = kaplan_meier(time, event);

  const std::vector<double> t = {6, 7, 10, 13, 16, 22, 23};
  const std::vector<std::int64_t> n = {21, 17, 15, 12, 11, 7, 6};
  const std::vector<std::int64_t> d = {3, 1, 1, 1, 1, 1, 1};
  const std::vector<double> s = {0.857, 0.807, 0.753, 0.690, 0.627, 0.538, 0.448};
  const std::vector<double> se = {0.0764, 0.0869, 0.0963, 0.1068, 0.1141, 0.1282, 0.1346};
  const std::vector<double> lo = {0.620, 0.563, 0.503, 0.432, 0.368, 0.268, 0.188};
  const std::vector<double> hi = {0.952, 0.923, 0.889, 0.849, 0.805, 0.747, 0.680};
  REQUIRE(km.time == t);
  REQUIRE(km.at_risk == n);
  REQUIRE(km.events == d);
  REQUIRE(km.survival.size() == t.size());
  REQUIRE(km.lower.size() == t.size());
  REQUIRE(km.upper.size() == t.size());
  constexpr double z = 1.959963984540054;
  for (std::size_t i = 0; i < t.size(); ++i) {
    INFO("t = " << t[i]);
    CHECK_THAT(km.survival[i], WithinAbs(s[i], 5e-4));
    CHECK_THAT(km.lower[i], WithinAbs(lo[i], 5e-4));
    CHECK_THAT(km.upper[i], WithinAbs(hi[i], 5e-4));
    // Greenwood's SE, recovered from the interval: log(log lo / log S) = z * se(log(-log S)),
    // and se(S) = S |log S| se(log(-log S)) (delta method).
    const double ls = std::log(km.survival[i]);
    const double se_cll = std::log(std::log(km.lower[i]) / ls) / z;
    CHECK_THAT(km.survival[i] * std::fabs(ls) * se_cll, WithinAbs(se[i], 5e-5));
  }
  CHECK_THAT(km.survival[0], WithinAbs(18.0 / 21.0, 1e-15));  // exactly, at the 3-way tie
  CHECK(km.median == 23.0);
  // The step function: 1 before the first event, right-continuous, flat between events and
  // after the last one.
  CHECK(km.at(0.0) == 1.0);
  CHECK(km.at(5.99) == 1.0);
  CHECK(km.at(6.0) == km.survival[0]);
  CHECK(km.at(6.5) == km.survival[0]);
  CHECK(km.at(9.0) == km.survival[1]);
  CHECK(km.at(23.0) == km.survival[6]);
  CHECK(km.at(1000.0) == km.survival[6]);
  CHECK(std::isnan(km.at(std::nan(""))));
}

TEST_CASE("wins: without censoring Kaplan-Meier is the empirical survival function", "[wins]") {
  Rng rng(3);
  std::vector<double> d;
  for (int i = 0; i < 500; ++i) d.push_back(1.0 + static_cast<double>(rng.geometric(0.1)));
  const SurvivalCurve km = kaplan_meier(d, std::vector<bool>(d.size(), true));
  for (double t = 0; t <= 80; t += 0.5) {
    double beyond = 0;
    for (double x : d) beyond += x > t;
    INFO("t = " << t);
    CHECK_THAT(km.at(t), WithinAbs(beyond / static_cast<double>(d.size()), 1e-12));
  }
  CHECK(km.survival.back() == 0.0);  // the last win ends: no one is left
  CHECK(km.lower.back() == 0.0);
  CHECK(km.upper.back() == 0.0);
  for (std::size_t i = 0; i < km.time.size(); ++i) {
    CHECK(km.lower[i] <= km.survival[i]);
    CHECK(km.survival[i] <= km.upper[i]);
    CHECK(km.lower[i] >= 0.0);
    CHECK(km.upper[i] <= 1.0);
  }
  // Median: the first time the empirical survival is <= 0.5.
  std::vector<double> sorted = d;
  std::sort(sorted.begin(), sorted.end());
  CHECK(km.median == sorted[sorted.size() / 2 - 1]);
}

TEST_CASE("wins: all censored, Kaplan-Meier stays at 1 and the median is undefined", "[wins]") {
  const std::vector<double> d = {3, 5, 5, 8, 13};
  const SurvivalCurve km = kaplan_meier(d, std::vector<bool>(d.size(), false));
  CHECK(km.time.empty());
  CHECK(km.survival.empty());
  CHECK(std::isnan(km.median));
  for (double t : {0.0, 5.0, 100.0}) CHECK(km.at(t) == 1.0);

  const SurvivalCurve none = kaplan_meier({}, {});
  CHECK(none.time.empty());
  CHECK(std::isnan(none.median));
  CHECK(none.at(1.0) == 1.0);
}

TEST_CASE("wins: Kaplan-Meier ties (events before censorings) and medians", "[wins]") {
  SECTION("a win censored at t is at risk at t") {
    // t = 2: 3 at risk, 1 event (the censored 2 still counts) -> 2/3; t = 3: 1 at risk, 1 event.
    const SurvivalCurve km = kaplan_meier({2, 2, 3}, {true, false, true});
    REQUIRE(km.time == std::vector<double>{2, 3});
    CHECK(km.at_risk == std::vector<std::int64_t>{3, 1});
    CHECK_THAT(km.survival[0], WithinAbs(2.0 / 3.0, 1e-15));
    CHECK(km.survival[1] == 0.0);
    CHECK(km.lower[1] == 0.0);
    CHECK(km.upper[1] == 0.0);
    CHECK(km.median == 3.0);
  }
  SECTION("the median is the first time with S <= 0.5, reached exactly") {
    const SurvivalCurve km = kaplan_meier({1, 2, 3, 4}, {true, true, true, true});
    CHECK(km.median == 2.0);
  }
  SECTION("S never reaches 0.5: the median is NaN") {
    const SurvivalCurve km = kaplan_meier({1, 2, 3, 4}, {true, false, false, false});
    CHECK_THAT(km.survival[0], WithinAbs(0.75, 1e-15));
    CHECK(std::isnan(km.median));
  }
  SECTION("input order does not matter") {
    const SurvivalCurve a = kaplan_meier({5, 1, 3, 3, 2}, {true, false, true, true, true});
    const SurvivalCurve b = kaplan_meier({1, 2, 3, 3, 5}, {false, true, true, true, true});
    CHECK(a.time == b.time);
    CHECK(a.survival == b.survival);
    CHECK(a.lower == b.lower);
    CHECK(a.upper == b.upper);
  }
  SECTION("mismatched lengths and NaN durations are rejected") {
    CHECK_THROWS_AS(kaplan_meier({1, 2}, {true}), std::invalid_argument);
    CHECK_THROWS_AS(kaplan_meier({1, std::nan("")}, {true, true}), std::invalid_argument);
  }
}
