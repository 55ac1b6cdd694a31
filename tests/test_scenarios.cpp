// The trainer scenarios (scenarios/*.json, docs/SCENARIOS.md): each story's key claim, checked as
// a paired comparison over replicates. Replicate k of every arm shares the workplace, the climate
// and the turnover draws (common random numbers), so arm differences are taken per replicate and
// required to exceed three standard errors of their mean. The claims are about mechanisms, not
// exact numbers: a recalibration that keeps the story passes; one that reverses it fails here and
// docs/SCENARIOS.md must be updated with it.
#include <catch2/catch.hpp>

#include <cmath>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "helpers.hpp"

using namespace orgsim;

namespace {

struct ScenarioRuns {
  RunPlan plan;
  std::vector<RunRecord> records;
  /// The runs of one arm, ordered by replicate.
  std::vector<RunRecord> arm(const std::string& name) const {
    const auto it = std::find(plan.arm_names.begin(), plan.arm_names.end(), name);
    REQUIRE(it != plan.arm_names.end());
    const auto a = static_cast<std::int32_t>(it - plan.arm_names.begin());
    std::vector<RunRecord> out;
    for (const auto& r : records)
      if (r.arm == a) out.push_back(r);
    std::sort(out.begin(), out.end(),
              [](const RunRecord& x, const RunRecord& y) { return x.replicate < y.replicate; });
    return out;
  }
};

ScenarioRuns run_scenario(const std::string& file, std::vector<std::string> sets) {
  ScenarioRuns s{test::plan_for("scenarios/" + file + ".json", sets), {}};
  s.records = run_plan(s.plan, 0);
  return s;
}

using Metric = std::function<double(const RunRecord&)>;

Metric outcome(const std::string& name) {
  return [name](const RunRecord& r) { return test::outcome(r, name); };
}
/// An outcome that is NaN when a run called no action (turnout), counted as 0: no crowd.
Metric turnout_or_zero(const std::string& name) {
  return [name](const RunRecord& r) {
    const double v = test::outcome(r, name);
    return std::isnan(v) ? 0.0 : v;
  };
}

/// A per-step series at step t (0-based).
Metric at_step(const std::string& name, std::int32_t steps, std::int32_t t) {
  return [=](const RunRecord& r) { return static_cast<double>(test::series(r, name, steps)[t]); };
}

/// Mean and standard error of metric(a_k) - metric(b_k) over replicates k.
test::MeanSe paired(const std::vector<RunRecord>& a, const std::vector<RunRecord>& b,
                    const Metric& metric) {
  REQUIRE(a.size() == b.size());
  std::vector<double> d;
  for (std::size_t k = 0; k < a.size(); ++k) {
    REQUIRE(a[k].replicate == b[k].replicate);
    d.push_back(metric(a[k]) - metric(b[k]));
  }
  return test::mean_se(d);
}

double mean_of(const std::vector<RunRecord>& runs, const Metric& metric) {
  double s = 0;
  for (const auto& r : runs) s += metric(r);
  return s / static_cast<double>(runs.size());
}

double sum_of(const std::vector<RunRecord>& runs, const std::string& name) {
  double s = 0;
  for (const auto& r : runs) s += test::outcome(r, name);
  return s;
}

/// a is larger than b, paired over replicates, by more than three standard errors.
#define CHECK_PAIRED_GREATER(a, b, metric, label)                                       \
  do {                                                                                  \
    const auto m_ = paired((a), (b), (metric));                                         \
    INFO(label << ": mean paired difference " << m_.mean << ", se " << m_.se);         \
    CHECK(m_.mean > 0);                                                                 \
    CHECK(m_.mean > 3 * m_.se);                                                         \
  } while (0)

}  // namespace

TEST_CASE("year1_isolated: no traction either way, relationship-first builds trust, issue-first backfires",
          "[scenarios]") {
  const auto s = run_scenario("year1_isolated", {"replicates=30"});
  const auto issue = s.arm("issue_first"), rel = s.arm("relationship_first"),
             none = s.arm("nobody_organizes");
  // No wins in year one, whichever way she organizes.
  CHECK(sum_of(issue, "wins") == 0);
  CHECK(sum_of(rel, "wins") == 0);
  // Finding the issue before the trust is there backfires; getting to know people never does.
  CHECK(mean_of(issue, outcome("backfires_total")) > 100);
  CHECK(sum_of(rel, "backfires_total") == 0);
  const std::int32_t T = s.plan.steps;
  CHECK_PAIRED_GREATER(rel, issue, at_step("trust_mean", T, T - 1), "trust at the end of the year");
  CHECK_PAIRED_GREATER(rel, issue, at_step("strong_tie_share", T, T - 1), "share of strong ties");
  CHECK_PAIRED_GREATER(rel, issue, outcome("organized_base_end"), "organized base");
  // Relationship-first leaves the workplace more trusting than no organizing at all.
  CHECK_PAIRED_GREATER(rel, none, at_step("trust_mean", T, T - 1), "trust vs nobody organizing");
}

TEST_CASE("year2_hot_no_relationships: hot-moment actions draw people out but lose, and raise fear",
          "[scenarios]") {
  const auto s = run_scenario("year2_hot_no_relationships", {"replicates=30"});
  const auto hot = s.arm("act_on_the_anger"), keep = s.arm("keep_building");
  // The anger calls actions and brings people out beyond the organized base...
  CHECK(mean_of(hot, outcome("actions")) >= 3);
  CHECK(mean_of(hot, outcome("peak_turnout")) > 1.5 * mean_of(hot, outcome("organized_base_end")));
  // ...but without trust between them nearly every action is lost.
  const double actions = sum_of(hot, "actions"), wins = sum_of(hot, "wins");
  INFO("act_on_the_anger: " << wins << " wins in " << actions << " actions");
  CHECK(wins <= 0.05 * actions);
  // Lost actions and retaliation leave people more afraid than a year of building.
  CHECK_PAIRED_GREATER(hot, keep, at_step("fear_mean", s.plan.steps, s.plan.steps - 1), "fear");
}

TEST_CASE("year3_base_clicks: with a base, actions called when ready win and hold", "[scenarios]") {
  const auto s = run_scenario("year3_base_clicks", {"replicates=20"});
  const auto ready = s.arm("act_when_ready"), mob = s.arm("mobilize");
  // Both approaches win with this base...
  REQUIRE(mean_of(ready, outcome("wins")) >= 2);
  REQUIRE(mean_of(mob, outcome("wins")) >= 1);
  // ...but the wins of the organized campaign are still standing at the end of the year.
  CHECK_PAIRED_GREATER(ready, mob, outcome("win_weeks"), "win-weeks");
  CHECK_PAIRED_GREATER(ready, mob, outcome("organized_base_end"), "organized base at the end");
  const double ready_kept = 1 - sum_of(ready, "reversals") / sum_of(ready, "wins");
  const double mob_kept = 1 - sum_of(mob, "reversals") / sum_of(mob, "wins");
  INFO("share of wins still standing: act_when_ready " << ready_kept << ", mobilize " << mob_kept);
  CHECK(ready_kept > 0.7);
  // Before issue 10 mobilizing kept under half of its wins here; since the defense of a win is
  // the capacity to turn out for it (docs/MODEL.md 7.4), the supporters it mobilized defend too
  // and it keeps most (0.84 at 20 replicates): the story now rests on win-weeks and the base.
}

TEST_CASE("big_messaging_no_base: bigger crowds, wins easily reversed, relationship-first's wins last",
          "[scenarios]") {
  const auto s = run_scenario("big_messaging_no_base", {"replicates=60"});
  const auto big = s.arm("big_messaging"), rel = s.arm("relationship_first");
  // Since tasks and the commitment ceiling (docs/MODEL.md 7.2a) some relationship-first runs
  // never reach readiness in this scenario: no action, no crowd (peak turnout 0, not NaN).
  CHECK_PAIRED_GREATER(big, rel, turnout_or_zero("peak_turnout"), "peak turnout");
  CHECK_PAIRED_GREATER(big, rel, outcome("reversals"), "reversals");
  CHECK_PAIRED_GREATER(rel, big, at_step("standing_wins", s.plan.steps, s.plan.steps - 1),
                       "wins standing at the end");
  CHECK_PAIRED_GREATER(rel, big, outcome("organized_base_end"), "organized base");
  const double big_wins = sum_of(big, "wins"), rel_wins = sum_of(rel, "wins");
  REQUIRE(big_wins > 0);
  REQUIRE(rel_wins > 0);
  const double big_share = sum_of(big, "reversals") / big_wins,
               rel_share = sum_of(rel, "reversals") / rel_wins;
  INFO("share of wins reversed: big_messaging " << big_share << ", relationship_first "
                                                << rel_share);
  // "Easily reversed": more of big messaging's wins are lost than the background risk alone
  // (wins.background_hazard, which no defense removes: docs/MODEL.md 7.4) would take. Under that
  // null each win w, standing for the T - 1 - start_w steps after it, falls with probability
  // p_w = 1 - (1 - h_bg)^(T - 1 - start_w), independently (one uniform per win per step): the
  // reversals must exceed the sum of p_w by three standard deviations of that sum.
  const auto big_code = std::find(s.plan.arm_names.begin(), s.plan.arm_names.end(),
                                  "big_messaging") - s.plan.arm_names.begin();
  const double h_bg = s.plan.arms[static_cast<std::size_t>(big_code)].wins.background;
  REQUIRE(h_bg > 0);
  double expected = 0, variance = 0;
  for (const auto& r : big)
    for (const auto& w : r.wins) {
      const double p = 1 - std::pow(1 - h_bg, s.plan.steps - 1 - w.start_step);
      expected += p;
      variance += p * (1 - p);
    }
  const double big_reversals = sum_of(big, "reversals");
  INFO("big_messaging: " << big_reversals << " of " << big_wins << " wins reversed; the background "
                         << "risk alone would take " << expected << " +- " << std::sqrt(variance));
  CHECK(big_reversals > expected + 3 * std::sqrt(variance));
  // Wins are never safe (the background hazard), but big messaging's go far more often.
  CHECK(rel_share < 0.5 * big_share);
}

TEST_CASE("staffer_pushed_ava: pushing strangers backfires, the same team getting to know people wins",
          "[scenarios]") {
  const auto s = run_scenario("staffer_pushed_ava", {"replicates=20"});
  const auto push = s.arm("staff_push"), alone = s.arm("coworkers_alone"),
             back = s.arm("staff_back_the_coworkers");
  CHECK(mean_of(push, outcome("backfires_total")) > 1000);
  CHECK(sum_of(back, "backfires_total") == 0);
  // Same people, same hours: relationship first wins, pushing does not.
  CHECK_PAIRED_GREATER(back, push, outcome("wins"), "wins");
  CHECK_PAIRED_GREATER(back, push, outcome("win_weeks"), "win-weeks");
  // With many times the hours, the push still leaves fewer strong ties between coworkers than
  // two coworkers getting to know people on their own.
  const std::int32_t T = s.plan.steps;
  CHECK_PAIRED_GREATER(alone, push, at_step("strong_tie_share", T, T - 1), "strong ties");
}

TEST_CASE("organizing_never_mobilizes: a base but no wins, acting together grows the base",
          "[scenarios]") {
  const auto s = run_scenario("organizing_never_mobilizes", {"replicates=30"});
  const auto only = s.arm("organizing_only"), rel = s.arm("relationship_first");
  CHECK(sum_of(only, "actions") == 0);
  CHECK(sum_of(only, "wins") == 0);
  CHECK(mean_of(only, outcome("organized_base_end")) > 0.15);  // it does build a base
  CHECK_PAIRED_GREATER(rel, only, outcome("wins"), "wins");
  CHECK_PAIRED_GREATER(rel, only, outcome("organized_base_end"), "organized base at the end");
}

TEST_CASE("mobilizing_back_to_organizing: the hybrid's base and durable wins grow", "[scenarios]") {
  const auto s = run_scenario("mobilizing_back_to_organizing", {"replicates=80"});
  const auto big = s.arm("big_messaging"), hyb = s.arm("hybrid");
  CHECK_PAIRED_GREATER(hyb, big, outcome("organized_base_end"), "organized base");
  // The hybrid's lead in win-weeks (69 vs 140 before issue 10) is no longer clear: big
  // messaging's mobilized supporters now defend its wins (docs/SCENARIOS.md).
  REQUIRE(sum_of(hyb, "wins") > 0);
  REQUIRE(sum_of(big, "wins") > 0);
  const double hyb_kept = 1 - sum_of(hyb, "reversals") / sum_of(hyb, "wins");
  const double big_kept = 1 - sum_of(big, "reversals") / sum_of(big, "wins");
  INFO("share of wins still standing: hybrid " << hyb_kept << ", big_messaging " << big_kept);
  CHECK(hyb_kept > big_kept + 0.2);
  // The hybrid's base grows year by year.
  const std::int32_t T = s.plan.steps;
  const double y1 = mean_of(hyb, at_step("organized_base", T, 51));
  const double y2 = mean_of(hyb, at_step("organized_base", T, 103));
  const double y3 = mean_of(hyb, at_step("organized_base", T, T - 1));
  INFO("hybrid organized base at weeks 52, 104, 156: " << y1 << ", " << y2 << ", " << y3);
  CHECK(y1 < y2);
  CHECK(y2 < y3);
}

TEST_CASE("high_turnover: mobilizing does better when people leave fast (the flip when they stay no longer holds)",
          "[scenarios]") {
  const auto fast = run_scenario("high_turnover", {"replicates=80"});
  CHECK_PAIRED_GREATER(fast.arm("big_messaging"), fast.arm("relationship_first"),
                       outcome("win_weeks"), "win-weeks at turnover 0.02/week");
  // The same workplaces where people stay: before issue 10 the answer reversed at 0.004/week.
  // It no longer does, and people staying no longer helps relationship-first more than big
  // messaging (difference in differences -16 win-weeks, se 24, at 80 replicates): mobilized
  // supporters now defend wins, and tasks and the commitment ceiling slow the base. The story's
  // second half is reported as not holding in docs/SCENARIOS.md, not re-tuned back.
}
