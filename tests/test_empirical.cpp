// The mechanisms the empirical patterns need (issue 10, items 4-5; docs/VALIDATION_EMPIRICAL.md):
// the employer's choice of tactics once per campaign (C2, C3), organizers' assessment that counts
// every yes (C1), latent support as a property of the starting workforce (C5), broadcast reach and
// response (C8), and the in-model contact experiment (C7). Each: its direction and its limit case.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/simulation.hpp"
#include "helpers.hpp"
#include "model/actions.hpp"

using namespace orgsim;

namespace {

const std::string kElection = "scenarios/empirical/union_election.json";
const std::string kContact = "scenarios/empirical/contact_experiment.json";

/// Share of the runs that came to an election in which `name` > 0.
double share_with(const std::vector<RunRecord>& runs, const std::string& name, std::int64_t* n) {
  std::int64_t held = 0, with = 0;
  for (const auto& r : runs) {
    if (r.actions.empty()) continue;
    ++held;
    with += test::outcome(r, name) > 0 ? 1 : 0;
  }
  *n = held;
  return held > 0 ? static_cast<double>(with) / static_cast<double>(held) : std::nan("");
}

bool same_runs(const std::vector<RunRecord>& a, const std::vector<RunRecord>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (a[k].per_step.size() != b[k].per_step.size()) return false;
    for (std::size_t j = 0; j < a[k].per_step.size(); ++j) {
      const float x = a[k].per_step[j], y = b[k].per_step[j];
      if (!(x == y || (std::isnan(x) && std::isnan(y)))) return false;
    }
  }
  return true;
}

}  // namespace

// ---- the employer's tactics, chosen once per campaign ------------------------------------------

TEST_CASE("employer tactics: threats and firings are chosen once per campaign", "[elections][empirical]") {
  // A harsh per-person rate given the choice, so that a campaign that chooses threats threatens.
  auto runs = [](std::vector<std::string> sets) {
    sets.insert(sets.end(), {"replicates=60", "population.size=25", "elections.threat_rate=0.5",
                             "elections.firing_rate=0.3"});
    return test::arm_runs(test::plan_for(kElection, sets), 0);
  };
  std::int64_t n = 0;
  // Limit: a tactic never chosen never happens, and draws nothing.
  const auto never = runs({"elections.threat_campaign=0", "elections.firing_campaign=0"});
  CHECK(test::total(never, "threats") == 0);
  CHECK(test::total(never, "firings") == 0);
  CHECK(test::total(never, "threat_campaigns") == 0);
  // Limit: always chosen (1) is the per-person model of before, with no draw: bit for bit.
  const auto always = runs({"elections.threat_campaign=1", "elections.firing_campaign=1"});
  double held = 0;
  for (const auto& r : always) held += static_cast<double>(r.actions.size());
  CHECK(test::total(always, "threat_campaigns") == held);
  CHECK(share_with(always, "threats", &n) == 1.0);
  // Direction and size: the share of campaigns with threats follows the chosen share (given the
  // choice, a threat is near certain with 0.5 per supporter and week), within 4 standard errors.
  for (double q : {0.3, 0.6}) {
    const auto some = runs({"elections.threat_campaign=" + std::to_string(q),
                            "elections.firing_campaign=" + std::to_string(q / 2)});
    const double s = share_with(some, "threats", &n);
    REQUIRE(n >= 30);
    const double se = std::sqrt(q * (1 - q) / static_cast<double>(n));
    INFO("threat_campaign " << q << ": threats in " << s << " of " << n << " campaigns");
    CHECK(std::fabs(s - q) < 4 * se);
    const double f = share_with(some, "firings", &n);
    CHECK(f <= s + 4 * se);  // firings chosen half as often
    CHECK(test::total(some, "firing_campaigns") < test::total(some, "threat_campaigns"));
  }
}

// ---- what organizers count --------------------------------------------------------------------

TEST_CASE("readiness: counting every yes runs ahead of real support and loses votes",
          "[elections][actions][empirical]") {
  auto runs = [](const std::string& assessment) {
    return test::arm_runs(test::plan_for(kElection, {"replicates=40", "population.size=25",
                                               "actions.assessment=" + assessment}),
                    0);
  };
  const auto organized = runs("organized"), yeses = runs("yeses");
  const std::int32_t T = 104;
  // The assessment never counts fewer than the organized base.
  for (const auto& r : yeses) {
    const auto a = test::series(r, "assessed_support", T), b = test::series(r, "organized_base", T);
    for (std::int32_t t = 0; t < T; ++t) CHECK(a[t] >= b[t]);
  }
  // Limit: counting the organized is the readiness of before (assessed = organized base).
  for (const auto& r : organized) {
    const auto a = test::series(r, "assessed_support", T), b = test::series(r, "organized_base", T);
    for (std::int32_t t = 0; t < T; ++t) CHECK(a[t] == b[t]);
  }
  // Direction: counting yeses calls the vote earlier, on less real support, and wins less often.
  auto first = [](const std::vector<RunRecord>& rs, std::vector<double>& step, std::vector<double>& sup,
                  std::vector<double>& won) {
    for (const auto& r : rs)
      if (!r.actions.empty()) {
        step.push_back(r.actions.front().step);
        sup.push_back(r.actions.front().support);
        won.push_back(r.actions.front().won ? 1.0 : 0.0);
      }
  };
  std::vector<double> s0, p0, w0, s1, p1, w1;
  first(organized, s0, p0, w0);
  first(yeses, s1, p1, w1);
  REQUIRE(s0.size() >= 20);
  REQUIRE(s1.size() >= 20);
  const auto a0 = test::mean_se(s0), a1 = test::mean_se(s1);
  const auto q0 = test::mean_se(p0), q1 = test::mean_se(p1);
  const auto v0 = test::mean_se(w0), v1 = test::mean_se(w1);
  INFO("vote step " << a0.mean << " -> " << a1.mean << ", yes share " << q0.mean << " -> "
                    << q1.mean << ", won " << v0.mean << " -> " << v1.mean);
  CHECK(a1.mean < a0.mean);
  CHECK(q0.mean - q1.mean > 3 * std::hypot(q0.se, q1.se));
  // Never more wins; in this unit both still win (nearly) every vote: the C1 miss of
  // docs/VALIDATION_EMPIRICAL.md.
  CHECK(v1.mean <= v0.mean);
}

// ---- latent support ---------------------------------------------------------------------------

TEST_CASE("latent support: who would say yes on their own view, a property of the workforce",
          "[population][empirical]") {
  ModelConfig cfg = test::default_config({"participation.weights.grievance=0.5",
                                          "participation.weights.commitment=0.5"});
  Population p;
  p.threshold = Eigen::ArrayXf(4);
  p.grievance = Eigen::ArrayXf(4);
  p.commitment = Eigen::ArrayXf(4);
  p.fear = Eigen::ArrayXf::Ones(4);  // fear plays no part
  p.threshold << 0.15f, 0.25f, 0.5f, 0.0f;
  p.grievance << 0.4f, 0.4f, 0.4f, 0.0f;
  p.commitment << 0.0f, 0.2f, 0.4f, 0.0f;
  // Utilities 0.2, 0.3, 0.4, 0: yes, yes, no, yes (0 >= 0).
  CHECK(latent_support(cfg, p) == 0.75);
  // Direction: a higher threshold, fewer say yes; more grievance, more.
  p.threshold += 0.35f;
  CHECK(latent_support(cfg, p) == 0.0);
  p.grievance += 1.0f;  // clamped to 1: utilities 0.5, 0.6, 0.7, 0.5
  CHECK(latent_support(cfg, p) > 0.0);
  // Limit: no weight on one's own view, only those with threshold <= 0 say yes.
  cfg.w_grievance = cfg.w_commitment = 0.0;
  p.threshold << 0.1f, 0.0f, -0.1f, 0.2f;
  CHECK(latent_support(cfg, p) == 0.5);
  // In a run: the output is the starting workforce's, the same in every arm (common random
  // numbers), and falls with the threshold.
  auto mean_latent = [](const std::string& mean) {
    double s = 0;
    std::int64_t k = 0;
    std::vector<double> per_arm[2];
    for (const auto& r : run_plan(test::plan_for(kElection, {"replicates=20", "steps=2",
                                                            "population.threshold.mean=" + mean}),
                                  2)) {
      s += test::outcome(r, "latent_support");
      per_arm[r.arm].push_back(test::outcome(r, "latent_support"));
      ++k;
    }
    CHECK(per_arm[0] == per_arm[1]);
    return s / static_cast<double>(k);
  };
  CHECK(mean_latent("0.5") < mean_latent("0.3"));
}

// ---- broadcast reach and response, the contact experiment -------------------------------------

TEST_CASE("broadcast: exposures are counted and responders are reached joiners", "[actions][empirical]") {
  const RunPlan plan = test::plan_for(kContact, {"replicates=30"});
  const std::int32_t n = plan.arms[0].n;
  for (const auto& r : run_plan(plan, 2)) {
    const double reached = test::outcome(r, "broadcast_reached_total");
    const double resp = test::outcome(r, "broadcast_responders_total");
    const auto bc = test::series(r, "joined_broadcast", 1);
    CHECK(resp <= reached);
    CHECK(resp <= bc[0]);
    if (plan.arms[static_cast<std::size_t>(r.arm)].allocation[static_cast<int>(Activity::broadcast)] > 0) {
      CHECK(reached > 0);
      CHECK(reached <= n);
    } else {
      CHECK(reached == 0);  // limit: no blast, nobody reached, nobody responds
      CHECK(resp == 0);
    }
  }
  // Direction: a blast that reaches everyone reaches more than one that reaches 60%.
  auto reached = [](const std::string& r) {
    double s = 0;
    for (const auto& x : run_plan(test::plan_for(kContact, {"replicates=20", "messaging.reach=" + r}), 2))
      s += test::outcome(x, "broadcast_reached_total");
    return s;
  };
  CHECK(reached("1") > reached("0.6"));
  CHECK(reached("0") == 0);
}

TEST_CASE("contact experiment: arms share the workplace, and contacts add participants",
          "[actions][empirical]") {
  const RunPlan plan = test::plan_for(kContact, {"replicates=60"});
  REQUIRE(plan.arms.size() == 4);
  std::vector<RunRecord> arms[4];
  for (auto& r : run_plan(plan, 2)) arms[r.arm].push_back(std::move(r));
  // Common random numbers: the same starting workforce in every arm.
  for (int a = 1; a < 4; ++a)
    for (std::size_t k = 0; k < arms[0].size(); ++k)
      CHECK(test::outcome(arms[a][k], "latent_support") == test::outcome(arms[0][k], "latent_support"));
  // The control makes no contact.
  CHECK(test::total(arms[0], "one_on_ones_staff_total") + test::total(arms[0], "one_on_ones_peer_total") +
            test::total(arms[0], "broadcast_reached_total") == 0);
  // Each treated arm makes its own kind of contact, and adds participants on average.
  const char* contacts[4] = {"", "one_on_ones_staff_total", "broadcast_reached_total",
                             "one_on_ones_peer_total"};
  for (int a = 1; a < 4; ++a) {
    INFO("arm " << plan.arm_names[static_cast<std::size_t>(a)]);
    CHECK(test::total(arms[a], contacts[a]) > 0);
    std::vector<double> extra;
    for (std::size_t k = 0; k < arms[0].size(); ++k)
      extra.push_back(test::outcome(arms[a][k], "first_action_participants") -
                      test::outcome(arms[0][k], "first_action_participants"));
    const auto m = test::mean_se(extra);
    INFO("extra participants " << m.mean << " +- " << m.se);
    CHECK(m.mean >= -2 * m.se);
  }
  // Limit: a treated arm with no hours is the control, bit for bit.
  RunPlan idle = test::plan_for(kContact, {"replicates=5"});
  idle.arms[1].staff_hours = 0.0;  // the one-on-one arm with no hours to hold them
  std::vector<RunRecord> by_arm[4];
  for (auto& r : run_plan(idle, 2)) by_arm[r.arm].push_back(std::move(r));
  CHECK(same_runs(by_arm[0], by_arm[1]));
  CHECK_FALSE(same_runs(by_arm[0], by_arm[3]));
}

// ---- the calibrated patterns (slow) -----------------------------------------------------------

namespace {
struct Share {
  double p = 0, se = 0;
  std::int64_t n = 0;
};
Share share(std::int64_t k, std::int64_t n) {
  Share s;
  s.n = n;
  s.p = n > 0 ? static_cast<double>(k) / static_cast<double>(n) : std::nan("");
  s.se = n > 0 ? std::sqrt(std::max(s.p * (1 - s.p), 0.25 / static_cast<double>(n)) / static_cast<double>(n)) : 0;
  return s;
}
/// The estimate's 95% interval (v +- 1.96 se) reaches its tolerance band: what the generated
/// table of docs/VALIDATION_EMPIRICAL.md calls "inside" or "overlapping", never "outside"
/// (analysis.empirical.verdict). It was 3 standard errors, which let through estimates the table
/// would call outside.
bool within(double v, double se, double low, double high, double k = 1.959963984540054) {
  return v + k * se >= low && v - k * se <= high;
}
}  // namespace

TEST_CASE("empirical: the calibrated patterns C2-C5, C7 and C8 within their tolerance",
          "[slow][empirical]") {
  // docs/VALIDATION_EMPIRICAL.md: targets and tolerances of analysis/empirical_targets.json. Each
  // calibrated pattern's 95% interval must reach its tolerance band (`within`); the documented
  // misses (C1, C7b) must still miss in the documented direction (when they stop missing, the
  // docs are out of date).
  const std::int32_t steps = 156;
  const RunPlan plan = test::plan_for(kElection, {"replicates=120", "population.size=25",
                                                  "steps=" + std::to_string(steps)});
  std::int64_t held = 0, won = 0, fired = 0, threatened = 0, c4n = 0, c4k = 0;
  std::vector<double> latent;
  for (const auto& r : test::arm_runs(plan, 0)) {
    latent.push_back(test::outcome(r, "latent_support"));
    if (r.actions.empty()) continue;
    const auto& e = r.actions.front();
    ++held;
    won += e.won ? 1 : 0;
    fired += test::outcome(r, "firings") > 0 ? 1 : 0;
    threatened += test::outcome(r, "threats") > 0 ? 1 : 0;
    if (e.won && e.step + 52 <= steps - 1) {
      ++c4n;
      c4k += (e.consolidated_step >= 0 && e.consolidated_step - e.step <= 52) ? 1 : 0;
    }
  }
  REQUIRE(held >= 60);
  const Share c1 = share(won, held), c2 = share(fired, held), c3 = share(threatened, held),
              c4 = share(c4k, c4n);
  const auto c5 = test::mean_se(latent);
  INFO("C1 " << c1.p << " C2 " << c2.p << " C3 " << c3.p << " C4 " << c4.p << " (" << c4n
             << ") C5 " << c5.mean);
  CHECK(within(c2.p, c2.se, 0.20, 0.34));
  CHECK(within(c3.p, c3.se, 0.54, 0.63));
  CHECK(within(c4.p, c4.se, 0.40, 0.56));
  CHECK(within(c5.mean, c5.se, 0.30, 0.50));
  CHECK(c1.p - 3 * c1.se > 0.76);  // documented miss: the union wins (nearly) every vote it calls

  const RunPlan contact = test::plan_for(kContact, {"replicates=150"});
  std::vector<RunRecord> arms[4];
  for (auto& r : run_plan(contact, 2)) arms[r.arm].push_back(std::move(r));
  const char* contacts[4] = {"", "one_on_ones_staff_total", "broadcast_reached_total",
                             "one_on_ones_peer_total"};
  test::MeanSe per[4];
  for (int a = 1; a < 4; ++a) {
    std::vector<double> v;
    for (std::size_t k = 0; k < arms[0].size(); ++k) {
      const double c = test::outcome(arms[a][k], contacts[a]);
      if (c > 0)
        v.push_back((test::outcome(arms[a][k], "first_action_participants") -
                     test::outcome(arms[0][k], "first_action_participants")) / c);
    }
    per[a] = test::mean_se(v);
  }
  std::vector<double> takeup;
  for (const auto& r : arms[2])
    takeup.push_back(test::outcome(r, "broadcast_responders_total") /
                     test::outcome(r, "broadcast_reached_total"));
  const auto c8 = test::mean_se(takeup);
  INFO("C7a " << per[1].mean << " C7b " << per[2].mean << " C7c " << per[3].mean << " C8 " << c8.mean);
  CHECK(within(per[1].mean, per[1].se, 0.05, 0.13));
  CHECK(within(per[3].mean, per[3].se, 0.09, 0.13));
  CHECK(within(c8.mean, c8.se, 0.01, 0.04));
  CHECK(per[2].mean - 3 * per[2].se > 0.006);  // documented miss: broadcast exposures do too much
}
