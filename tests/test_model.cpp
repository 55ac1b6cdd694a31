// The organizing model as a whole: comparative statics over seeds, limit cases, invariants for
// every strategy, and the presets doing what they say.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "engine/simulation.hpp"
#include "helpers.hpp"

using namespace orgsim;

namespace {
/// The default scenario with its two arms (relationship_first, big_messaging).
RunPlan default_plan(std::vector<std::string> sets) {
  sets.push_back("replicates=8");
  return test::plan_for("scenarios/default.json", sets);
}
/// The default workplace with one arm: its strategy and overrides come from `sets`.
RunPlan workplace_plan(std::vector<std::string> sets, std::int64_t replicates = 8) {
  std::ifstream in(test::source_path("scenarios/default.json"));
  nlohmann::json doc = nlohmann::json::parse(in);
  doc.erase("arms");
  sets.push_back("replicates=" + std::to_string(replicates));
  return make_plan(scenario_from_json(doc, "default.json", ".", doc.dump(), sets));
}
/// P(X >= k) for X ~ Binomial(n, p).
double binomial_upper_tail(int n, int k, double p) {
  double tail = 0;
  for (int j = k; j <= n; ++j)
    tail += std::exp(std::lgamma(n + 1.0) - std::lgamma(j + 1.0) - std::lgamma(n - j + 1.0) +
                     j * std::log(p) + (n - j) * std::log1p(-p));
  return tail;
}
std::vector<RunRecord> arm_runs(const std::vector<RunRecord>& all, std::int32_t arm) {
  std::vector<RunRecord> out;
  for (const auto& r : all)
    if (r.arm == arm) out.push_back(r);
  return out;
}
double last(const RunRecord& r, const std::string& name, std::int32_t steps) {
  return test::series(r, name, steps)[static_cast<std::size_t>(steps - 1)];
}
}  // namespace

TEST_CASE("every strategy keeps the invariants at every step", "[model][invariants]") {
  for (const char* s : {"relationship_first", "issue_first", "big_messaging", "hybrid",
                        "organizing_only"}) {
    INFO(s);
    const RunPlan plan = workplace_plan({std::string("campaign.strategy=") + s, "steps=60",
                                       "environment.turnover=0.02", "employer.counter_campaign=0.01"});
    Simulation sim(plan.arms[0], replicate_seed(plan.master_seed, 1));
    for (int t = 0; t < 60; ++t) {
      sim.step();
      REQUIRE_NOTHROW(sim.check_invariants());
    }
  }
}

TEST_CASE("more organizer hours raise trust", "[model][statics]") {
  // Paired over replicates (common random numbers): same workplaces, 5 vs 25 staff hours.
  const RunPlan few = workplace_plan({"campaign.strategy=relationship_first",
                                     "campaign.hours_per_step=5"});
  const RunPlan many = workplace_plan({"campaign.strategy=relationship_first",
                                      "campaign.hours_per_step=25"});
  std::vector<double> diff;
  for (std::int64_t rep = 0; rep < 8; ++rep) {
    const auto a = run_one(few, 0, rep), b = run_one(many, 0, rep);
    diff.push_back(last(b, "trust_mean", few.steps) - last(a, "trust_mean", few.steps));
  }
  const auto m = test::mean_se(diff);
  INFO("mean difference " << m.mean << " se " << m.se);
  CHECK(m.mean > 3 * m.se);
  CHECK(m.mean > 0);
}

TEST_CASE("backfires happen only below the voice threshold", "[model][statics]") {
  // issue_first pushes for the issue. With voice = 0 every conversation is at voice: no
  // backfire ever; with voice = 1 every push backfires.
  const RunPlan none = workplace_plan({"campaign.strategy=issue_first", "trust.voice=0"});
  const RunPlan all = workplace_plan({"campaign.strategy=issue_first", "trust.voice=1"});
  const double cost = 0.25;  // issue_push.hours
  for (std::int64_t rep = 0; rep < 3; ++rep) {
    const auto a = run_one(none, 0, rep);
    CHECK(test::outcome(a, "backfires_total") == 0);
    const auto b = run_one(all, 0, rep);
    double pushes = 0;
    for (float h : test::series(b, "hours_issue_push", all.steps)) pushes += h / cost;
    CHECK(test::outcome(b, "backfires_total") == Approx(pushes));
    CHECK(pushes > 0);
  }
}

TEST_CASE("zero reversal hazard: wins never end", "[model][limits]") {
  // Both terms of the hazard at 0: the gap term and the background no defense removes.
  const auto recs = run_plan(workplace_plan({"campaign.strategy=relationship_first",
                                             "wins.hazard=0", "wins.background_hazard=0",
                                             "employer.resistance=0.1"}),
                             0);
  double wins = 0;
  for (const auto& r : recs) {
    CHECK(test::outcome(r, "reversals") == 0);
    wins += test::outcome(r, "wins");
    for (const auto& w : r.wins) CHECK(w.censored);
  }
  CHECK(wins > 0);  // the check covered real wins
}

TEST_CASE("more turnover shortens how long wins last", "[model][statics]") {
  // Reversals per standing win-step (events / exposure), pooled over replicates, with and
  // without turnover: the organized base that defends a win leaks away with turnover. Given the
  // total number of reversals, under equal rates the high-turnover count would be
  // Binomial(total, exposure share); we require it to be improbably high (p < 0.01). The
  // background hazard, which no defense touches, is switched off: it would add the same rate to
  // both and only dilute the comparison. hold_fraction = 1 (a win needs a defense as large as its
  // strength): at the default 0.5 the turn-out capacity of relationship-first's base covers its
  // wins whether or not people leave (0 reversals either way without the background hazard).
  auto tally = [](double turnover) {
    const RunPlan plan =
        workplace_plan({"campaign.strategy=relationship_first", "employer.resistance=0.1",
                        "wins.hazard=1", "wins.background_hazard=0", "wins.hold_fraction=1",
                        "environment.turnover=" + std::to_string(turnover)},
                       40);
    double events = 0, exposure = 0;
    for (const auto& r : run_plan(plan, 0))
      for (const auto& w : r.wins) {
        events += w.censored ? 0 : 1;
        exposure += w.duration(plan.steps);
      }
    return std::pair<double, double>{events, exposure};
  };
  const auto [e_low, x_low] = tally(0.0);
  // 0.01 per week (about 40% a year): at 0.02 relationship-first, with tasks and the commitment
  // ceiling (docs/MODEL.md 7.2a), rarely builds a base to win with at all (256 win-steps over 40
  // runs), too few to measure their reversals.
  const auto [e_high, x_high] = tally(0.01);
  INFO("no turnover: " << e_low << " reversals over " << x_low << " win-steps; turnover 0.01: "
                       << e_high << " over " << x_high);
  REQUIRE(x_high > 0);
  CHECK(e_high / x_high > e_low / x_low);
  const int total = static_cast<int>(e_low + e_high);
  CHECK(binomial_upper_tail(total, static_cast<int>(e_high), x_high / (x_low + x_high)) < 0.01);
}

TEST_CASE("strategy presets allocate, target and act as named", "[model][strategies]") {
  SECTION("organizing_only never calls an action") {
    const RunPlan p = workplace_plan({"campaign.strategy=organizing_only"});
    for (std::int64_t rep = 0; rep < 3; ++rep) {
      const auto r = run_one(p, 0, rep);
      CHECK(test::outcome(r, "actions") == 0);
      CHECK(test::outcome(r, "organized_base_end") > 0.05);  // it does organize
    }
  }
  SECTION("big messaging spends its hours on broadcast and issue pushes only") {
    const RunPlan p = workplace_plan({"campaign.strategy=big_messaging"});
    const auto r = run_one(p, 0, 0);
    for (const char* h : {"hours_one_on_one", "hours_social", "hours_follow_up",
                          "hours_leader_training"})
      for (float v : test::series(r, h, p.steps)) CHECK(v == 0.0f);
    double broadcast = 0;
    for (float v : test::series(r, "hours_broadcast", p.steps)) broadcast += v;
    CHECK(broadcast > 0);
  }
  SECTION("a field overrides the preset, null restores it") {
    const RunPlan p = workplace_plan({"campaign.strategy=big_messaging", "actions.policy=never",
                                      "campaign.allocation.one_on_one=0.9"});
    CHECK(p.arms[0].policy == ActionPolicy::never);
    CHECK(p.arms[0].allocation[0] == Approx(0.9 / 1.9));
    const RunPlan q = workplace_plan({"campaign.strategy=big_messaging", "actions.policy=null"});
    CHECK(q.arms[0].policy == ActionPolicy::hot);
  }
}

TEST_CASE("relationship-first builds a base that big messaging does not", "[model][statics]") {
  // The default scenario's two arms, paired by replicate.
  const auto recs = run_plan(default_plan({}), 0);
  const auto rf = arm_runs(recs, 0), bm = arm_runs(recs, 1);
  std::vector<double> base_diff, reversal_diff;
  for (std::size_t k = 0; k < rf.size(); ++k) {
    base_diff.push_back(test::outcome(rf[k], "organized_base_end") -
                        test::outcome(bm[k], "organized_base_end"));
  }
  const auto m = test::mean_se(base_diff);
  CHECK(m.mean > 3 * m.se);
  double rf_rev = 0, bm_rev = 0, bm_wins = 0;
  for (const auto& r : rf) rf_rev += test::outcome(r, "reversals");
  for (const auto& r : bm) {
    bm_rev += test::outcome(r, "reversals");
    bm_wins += test::outcome(r, "wins");
  }
  // Big messaging's wins are reversed more often than relationship-first's. (Before issue 10 the
  // claim was "mostly reversed", > 0.5: that came from a defense only members gave, so big
  // messaging's supporters never defended. With the defense as the capacity to turn out, its
  // share is about half, and it moves with the cohesion of its crowd: tests/test_wins_elections.cpp.)
  double rf_wins = 0;
  for (const auto& r : rf) rf_wins += test::outcome(r, "wins");
  REQUIRE(bm_wins > 0);
  REQUIRE(rf_wins > 0);
  CHECK(bm_rev / bm_wins > 2 * rf_rev / rf_wins);
  CHECK(rf_rev <= bm_rev);
}
