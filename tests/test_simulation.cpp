// Runs as a whole: determinism across thread counts, common random numbers across arms,
// invariants every step, environment mechanisms, update-order equivalence.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include "engine/simulation.hpp"
#include "io/outputs.hpp"
#include "helpers.hpp"

using namespace orgsim;
using nlohmann::json;

namespace {
Scenario scenario(const std::string& text, const std::vector<std::string>& sets = {}) {
  return scenario_from_json(json::parse(text), "case.json", ".", text, sets);
}
const char* kSmall = R"({
  "name": "small", "steps": 30, "replicates": 6, "seed": 3,
  "population": {"size": 400, "threshold": {"distribution": "uniform", "min": 0.1, "max": 0.6},
                 "grievance": {"distribution": "beta", "a": 2, "b": 3}},
  "network": {"type": "workplace", "departments": 8, "within_degree": 6, "between_degree": 1},
  "trust": {"initial": {"distribution": "uniform", "min": 0.2, "max": 1.0}},
  "participation": {"threshold_rule": "fraction",
                    "weights": {"grievance": 0.3, "social": 1, "fear": 0.2},
                    "contagion": {"probability": 0.05, "attempts": "once"}},
  "broadcast": {"reach": 0.2, "conversion": 0.05},
  "actions": {"policy": "schedule", "every": 5, "seed": {"fraction": 0.02}},
  "environment": {"turnover": 0.01,
                  "climate": {"amplitude": 0.2, "period": 20, "shock_rate": 0.1}},
  "arms": [{"name": "a"}, {"name": "b", "set": {"broadcast.reach": 0.6}}]
})";

bool same_records(const std::vector<RunRecord>& x, const std::vector<RunRecord>& y) {
  if (x.size() != y.size()) return false;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const auto& a = x[i];
    const auto& b = y[i];
    if (a.run != b.run || a.seed != b.seed || a.per_step.size() != b.per_step.size() ||
        a.per_run.size() != b.per_run.size())
      return false;
    // Bitwise, NaNs included.
    if (std::memcmp(a.per_step.data(), b.per_step.data(), a.per_step.size() * sizeof(float)) != 0)
      return false;
    if (std::memcmp(a.per_run.data(), b.per_run.data(), a.per_run.size() * sizeof(double)) != 0)
      return false;
  }
  return true;
}
}  // namespace

TEST_CASE("results are bit-identical for any thread count", "[simulation][determinism]") {
  const RunPlan plan = make_plan(scenario(kSmall));
  const auto one = run_plan(plan, 1);
  const auto two = run_plan(plan, 2);
  const auto five = run_plan(plan, 5);
  CHECK(same_records(one, two));
  CHECK(same_records(one, five));
  // ...and a different master seed changes them.
  const auto other = run_plan(make_plan(scenario(kSmall, {"seed=4"})), 2);
  CHECK_FALSE(same_records(one, other));
}

TEST_CASE("an exception from the progress callback stops run_plan and leaves it", "[simulation]") {
  // The command line's Ctrl-C throws from the progress callback between runs. It used to leave
  // run_plan with its worker threads joinable: std::terminate.
  struct Stop {};
  const RunPlan plan = make_plan(scenario(kSmall, {"replicates=2000"}));
  std::int64_t done_at_stop = -1, total = 0;
  CHECK_THROWS_AS(run_plan(plan, 2,
                           [&](std::int64_t done, std::int64_t all) {
                             done_at_stop = done;
                             total = all;
                             throw Stop{};
                           }),
                  Stop);
  CHECK(total == 4000);
  CHECK(done_at_stop >= 0);
  CHECK(done_at_stop < total);  // thrown while runs remained (the first call, after <= 250 ms)
}

TEST_CASE("run indices follow (arm, replicate) order", "[simulation]") {
  const RunPlan plan = make_plan(scenario(kSmall));
  const auto recs = run_plan(plan, 2);
  REQUIRE(recs.size() == 12);
  for (std::size_t k = 0; k < recs.size(); ++k) {
    CHECK(recs[k].run == static_cast<std::int64_t>(k));
    CHECK(recs[k].arm == static_cast<std::int32_t>(k / 6));
    CHECK(recs[k].replicate == static_cast<std::int32_t>(k % 6));
    CHECK(recs[k].seed == replicate_seed(3, k % 6));
  }
}

TEST_CASE("replicate k of every arm shares population, network, climate and turnover",
          "[simulation][crn]") {
  const RunPlan plan = make_plan(scenario(kSmall));
  const std::uint64_t rs = replicate_seed(plan.master_seed, 2);
  Simulation a(plan.arms[0], rs), b(plan.arms[1], rs);
  CHECK((a.population().threshold == b.population().threshold).all());
  CHECK((a.population().grievance == b.population().grievance).all());
  CHECK(a.network().neighbors == b.network().neighbors);
  CHECK(a.network().trust == b.network().trust);
  for (int t = 0; t < 30; ++t) {
    a.step();
    b.step();
    REQUIRE(a.climate() == b.climate());
    // Same people leave and are hired into the same nodes with the same draws.
    REQUIRE((a.population().threshold == b.population().threshold).all());
  }
  // ...while the arms' actions differ (broadcast reach 0.2 vs 0.6).
  const auto ra = run_one(plan, 0, 2), rb = run_one(plan, 1, 2);
  CHECK(test::outcome(ra, "peak_turnout") != test::outcome(rb, "peak_turnout"));
}

TEST_CASE("invariants hold at every step", "[simulation][invariants]") {
  const RunPlan plan = make_plan(scenario(kSmall, {"actions.policy=continuous", "steps=40"}));
  for (std::int64_t rep = 0; rep < 3; ++rep) {
    Simulation sim(plan.arms[1], replicate_seed(plan.master_seed, static_cast<std::uint64_t>(rep)));
    for (int t = 0; t < 40; ++t) {
      sim.step();
      REQUIRE_NOTHROW(sim.check_invariants());
    }
  }
}

TEST_CASE("turnout series: NaN without an action, shares in [0,1] with one", "[simulation]") {
  const RunPlan plan = make_plan(scenario(kSmall));
  const RunRecord r = run_one(plan, 0, 0);
  const auto turnout = test::series(r, "turnout", 30);
  for (int t = 0; t < 30; ++t) {
    if (t % 5 == 0) {
      CHECK(turnout[t] >= 0.02f - 1e-6f);  // at least the seeds
      CHECK(turnout[t] <= 1.0f);
    } else {
      CHECK(std::isnan(turnout[t]));
    }
  }
  CHECK(test::outcome(r, "actions") == 6);
  CHECK(test::outcome(r, "final_turnout") == Approx(turnout[25]));
}

TEST_CASE("no organizers, no climate, no turnover: nothing moves but decay",
          "[simulation][limits]") {
  // Without a campaign, climate or turnover, thresholds stay put and trust only decays toward
  // the baseline: tau_t = b + (tau_0 - b)(1 - d)^t.
  const RunPlan plan =
      make_plan(scenario(kSmall, {"environment.turnover=0", "environment.climate.amplitude=0",
                                  "environment.climate.shock_rate=0", "decay.trust=0.02", "actions.trust_gain=0",
                                  "employer.firing=0"}));
  Simulation sim(plan.arms[0], replicate_seed(plan.master_seed, 0));
  const auto theta0 = sim.population().threshold;
  const auto trust0 = sim.network().trust;
  for (int t = 0; t < 30; ++t) {
    sim.step();
    CHECK(sim.climate() == 0.0);
  }
  CHECK((sim.population().threshold == theta0).all());
  const double b = 0.1, keep = std::pow(0.98, 30);
  for (std::size_t e = 0; e < trust0.size(); ++e)
    REQUIRE(sim.network().trust[e] == Approx(b + (trust0[e] - b) * keep).margin(1e-5));
  const RunRecord r = run_one(plan, 0, 0);
  for (float v : test::series(r, "turnover_share", 30)) CHECK(v == 0.0f);
  for (float v : test::series(r, "hours_one_on_one", 30)) CHECK(v == 0.0f);
  const RunPlan frozen = make_plan(scenario(
      kSmall, {"environment.turnover=0", "environment.climate.amplitude=0",
               "environment.climate.shock_rate=0", "decay.trust=0", "employer.firing=0",
               "actions.trust_gain=0"}));
  Simulation still(frozen.arms[0], replicate_seed(frozen.master_seed, 0));
  const auto trust1 = still.network().trust;
  still.run();
  CHECK(still.network().trust == trust1);  // a decay rate of 0 changes nothing
}

TEST_CASE("turnover replaces the expected share of agents", "[simulation]") {
  const RunPlan plan = make_plan(scenario(kSmall, {"environment.turnover=0.05", "steps=200",
                                                   "replicates=1"}));
  const RunRecord r = run_one(plan, 0, 0);
  const auto share = test::series(r, "turnover_share", 200);
  double sum = 0;
  for (float v : share) sum += v;
  const double mean = sum / 200.0;
  // 200 steps x 400 agents Bernoulli(0.05) draws.
  CHECK(std::fabs(mean - 0.05) < 4 * std::sqrt(0.05 * 0.95 / (200.0 * 400)));
}

TEST_CASE("turnover resets a new hire's ties to the baseline", "[simulation]") {
  const RunPlan plan = make_plan(scenario(
      kSmall, {"environment.turnover=1", "trust.baseline=0.05", "actions.trust_gain=0", "trust.initial.min=0.5",
               "trust.initial.max=1"}));
  Simulation sim(plan.arms[0], replicate_seed(plan.master_seed, 0));
  sim.step();  // everyone leaves in step 0
  for (float tau : sim.network().trust) CHECK(tau == 0.05f);
}

TEST_CASE("the climate follows its cycle", "[simulation]") {
  const RunPlan plan = make_plan(scenario(kSmall, {"environment.climate.shock_rate=0"}));
  Simulation sim(plan.arms[0], replicate_seed(plan.master_seed, 0));
  for (int t = 0; t < 30; ++t) {
    sim.step();
    CHECK(sim.climate() == Approx(0.2 * std::sin(2 * M_PI * t / 20.0)).margin(1e-12));
  }
}

TEST_CASE("synchronous and random-sequential updates reach the same final set",
          "[simulation][update-order]") {
  // A monotone threshold cascade (Watts's rule, heterogeneous thresholds and trust) has a unique
  // final set reachable from the seeds, whatever the update order.
  const char* text = R"({
    "name": "order", "steps": 1, "replicates": 1, "seed": 21,
    "population": {"size": 3000,
                   "threshold": {"distribution": "uniform", "min": 0.05, "max": 0.4}},
    "network": {"type": "erdos_renyi", "mean_degree": 5},
    "trust": {"initial": {"distribution": "uniform", "min": 0.5, "max": 1}},
    "actions": {"seed": {"random": 20}}
  })";
  int nontrivial = 0;
  for (std::uint64_t rep = 0; rep < 8; ++rep) {
    const RunPlan sync = make_plan(scenario(text));
    const RunPlan seq = make_plan(scenario(text, {"participation.update=random_sequential"}));
    Simulation a(sync.arms[0], replicate_seed(21, rep)), b(seq.arms[0], replicate_seed(21, rep));
    a.step();
    b.step();
    REQUIRE(a.participation().x() == b.participation().x());
    nontrivial += a.participation().participants() > 100 ? 1 : 0;
  }
  CHECK(nontrivial > 0);  // the comparison covered real cascades
}

TEST_CASE("a step past the run's last is refused, not written past the series", "[simulation]") {
  const RunPlan plan = test::plan_for("scenarios/default.json", {"steps=3", "replicates=1"});
  Simulation sim(plan.arms[0], replicate_seed(plan.master_seed, 0));
  for (int t = 0; t < 3; ++t) REQUIRE_NOTHROW(sim.step());
  CHECK_THROWS_WITH(sim.step(), Catch::Contains("all were taken"));
  CHECK(sim.current_step() == 3);
}

TEST_CASE("a run holds only the state arrays its mechanisms use", "[simulation][memory]") {
  // The benchmark's product path on the classic base: no campaign, employer, decay or turnover.
  const std::string rel = "bench/watts_product.json";
  const RunPlan plan = test::plan_for(rel, {"population.size=500", "steps=5", "replicates=1"});
  const ModelConfig& cfg = plan.arms[0];
  Simulation sim(cfg, replicate_seed(plan.master_seed, 0));
  sim.run();
  const Population& p = sim.population();
  CHECK(p.threshold.size() == 500);
  CHECK(p.commitment.size() == 500);
  CHECK(p.role.size() == 500);
  for (const Eigen::ArrayXf* a : {&p.inoculation, &p.leadership, &p.awareness, &p.fatigue,
                                  &p.staff_trust, &p.grievance_base, &p.fear_base})
    CHECK(a->size() == 0);
  CHECK(p.known.empty());
  CHECK(p.type.empty());
  CHECK(p.task.empty());
  CHECK(p.said_yes.empty());
  CHECK(p.last_action.empty());
  CHECK(p.exposed_until.empty());
  CHECK(p.hired.empty());
  // Each mechanism switched on brings back the arrays it reads or writes.
  const auto with = [&](std::vector<std::string> sets) {
    sets.push_back("population.size=500");
    return arrays_needed(test::plan_for(rel, sets).arms[0]);
  };
  CHECK(with({"campaign.strategy=relationship_first"}).campaign);
  CHECK(with({"campaign.strategy=relationship_first"}).fatigue);
  CHECK(with({"actions.participation_fatigue=0.1"}).fatigue);
  CHECK(with({"output.snapshots=1"}).last_action);
  CHECK(with({"participation.weights.fear=0.2"}).inoculation);
  CHECK(with({"employer.retaliation=0.1"}).inoculation);
  CHECK(with({"actions.kind=election", "actions.policy=schedule"}).inoculation);
  CHECK(with({"employer.firing=0.01"}).exposed_until);
  CHECK(with({"employer.firing=0.01"}).hired);
  CHECK(with({"environment.turnover=0.01"}).hired);
  CHECK(with({"decay.grievance=0.1"}).grievance_base);
  CHECK(with({"decay.fear=0.1"}).fear_base);
  const PopulationArrays none = with({"steps=5"});
  CHECK_FALSE((none.campaign || none.fatigue || none.inoculation || none.last_action ||
               none.exposed_until || none.hired || none.grievance_base || none.fear_base));
  // The default scenario keeps every array.
  const RunPlan def = test::plan_for("scenarios/default.json", {"population.size=300",
                                                                "network.departments=10"});
  Simulation full(def.arms[0], replicate_seed(def.master_seed, 0));
  const Population& q = full.population();
  CHECK(q.inoculation.size() == 300);
  CHECK(q.leadership.size() == 300);
  CHECK(q.staff_trust.size() == 300);
  CHECK(q.task.size() == 300);
  CHECK(q.last_action.size() == 300);
}

namespace {

/// The per-step series and per-run values of replicate 0 of a plan's first arm, run to the end.
struct RunOutputs {
  std::vector<float> series;
  std::vector<double> per_run;
};
RunOutputs run_first(const RunPlan& p) {
  Simulation sim(p.arms[0], replicate_seed(p.master_seed, 0));
  sim.run();
  return {sim.per_step_values(), sim.per_run_values()};
}

}  // namespace

TEST_CASE("arrays held for a mechanism that moves nothing leave a classic run bit-identical",
          "[simulation][memory]") {
  // In the classic workload grievance and fear are 0 and fatigue is read by nobody: switching
  // on their decay and fatigue allocates grievance_base, fear_base and fatigue (and recomputes
  // the utility base each step) but must not move a single output.
  const std::string rel = "bench/watts_product.json";
  const std::vector<std::string> sets = {"population.size=2000", "steps=20", "replicates=1"};
  auto with_extra = sets;
  for (const char* s : {"decay.grievance=0.5", "decay.fear=0.5", "actions.participation_fatigue=0.5",
                        "output.snapshots=5"})
    with_extra.emplace_back(s);
  const RunPlan a = test::plan_for(rel, sets), b = test::plan_for(rel, with_extra);
  REQUIRE(arrays_needed(b.arms[0]).grievance_base);
  REQUIRE_FALSE(arrays_needed(a.arms[0]).grievance_base);
  // Bit for bit (NaN where undefined in both).
  const RunOutputs ra = run_first(a), rb = run_first(b);
  CHECK(test::same_bits(ra.series, rb.series));
  CHECK(test::same_bits(ra.per_run, rb.per_run));
}

TEST_CASE("output.component_every measures the strong-tie component every k steps and at the last, "
          "and changes nothing else", "[simulation][outputs]") {
  // Big messaging's crowds move thousands of ties across the strong line every step: the case
  // the cadence is for. Every series but strong_component is the same bit for bit; that one
  // equals the every-step value at the measured steps (multiples of k, and the last) and is NaN
  // at the others, so the log of crossings carried over the skipped steps loses nothing.
  const std::vector<std::string> sets = {"population.size=600", "steps=23", "replicates=1",
                                         "campaign.strategy=big_messaging", "actions.policy=schedule",
                                         "actions.every=1"};
  auto with_cadence = sets;
  with_cadence.emplace_back("output.component_every=4");
  const RunPlan a = test::plan_for("scenarios/default.json", sets),
                b = test::plan_for("scenarios/default.json", with_cadence);
  REQUIRE(b.arms[0].component_every == 4);
  const RunOutputs ra = run_first(a), rb = run_first(b);
  const auto &series_a = ra.series, &series_b = rb.series;
  REQUIRE(series_a.size() == series_b.size());
  const std::size_t T = 23, kc = per_step_index("strong_component");
  std::int64_t measured = 0, changed = 0;
  float last_measured = std::nanf("");
  for (std::size_t k = 0; k < series_a.size() / T; ++k)
    for (std::size_t t = 0; t < T; ++t) {
      const float x = series_a[k * T + t], y = series_b[k * T + t];
      if (k != kc) {
        CHECK(test::same_bits(&x, &y, sizeof x));
        continue;
      }
      REQUIRE_FALSE(std::isnan(x));
      if (t % 4 == 0 || t == T - 1) {
        CHECK(x == y);
        ++measured;
        if (t > 0 && x != last_measured) ++changed;
        last_measured = x;
      } else {
        CHECK(std::isnan(y));
      }
    }
  CHECK(measured == 7);  // steps 0, 4, 8, 12, 16, 20 and 22
  CHECK(changed > 0);  // it moved between measurements: the log carried over skipped steps
  CHECK(test::same_bits(ra.per_run, rb.per_run));
}

TEST_CASE("week 0: the workplace before the first step, measured as every week is",
          "[simulation][week0]") {
  const RunPlan plan = make_plan(scenario(kSmall));
  const std::size_t K = per_step_outputs().size();
  std::vector<std::vector<float>> w0(2);
  for (std::int32_t a = 0; a < 2; ++a) {
    const RunRecord plain = run_one(plan, a, 1);
    const RunRecord seen =
        run_one(plan, a, 1, nullptr, {}, [&](Simulation& s) { w0[a] = s.initial_values(); });
    // Looking before the first step changes nothing in the run.
    CHECK(same_records({plain}, {seen}));
    REQUIRE(w0[a].size() == K);
  }
  // Both arms of a replicate start from the same workplace: week 0 is the same, bit for bit
  // (NaNs included), though the arms differ by week 30.
  CHECK(std::memcmp(w0[0].data(), w0[1].data(), K * sizeof(float)) == 0);
  // No week has passed: every flow is NaN, and so is the climate (drawn with the first week);
  // the stocks are measured on the workplace as built.
  Simulation fresh(plan.arms[0], replicate_seed(plan.master_seed, 1));
  double sum = 0, strong = 0;
  for (float t : fresh.network().trust) {
    sum += t;
    strong += t >= kStrongTie ? 1 : 0;
  }
  const double entries = static_cast<double>(fresh.network().trust.size());
  // The climate is the one stock the dictionary marks as drawn with each week.
  for (const OutputVar& o : per_step_outputs()) CHECK(o.drawn_each_week == (o.name == "climate"));
  CHECK(std::isnan(w0[0][per_step_index("climate")]));
  for (std::size_t k = 0; k < K; ++k) {
    const OutputVar& o = per_step_outputs()[k];
    INFO(o.name);
    if (!measured_at_week0(o)) CHECK(std::isnan(w0[0][k]));
  }
  CHECK(w0[0][per_step_index("trust_mean")] == Approx(sum / entries).epsilon(1e-6));
  CHECK(w0[0][per_step_index("strong_tie_share")] == Approx(strong / entries).epsilon(1e-6));
  CHECK(w0[0][per_step_index("standing_wins")] == 0.0f);
  CHECK(w0[0][per_step_index("strong_component")] > 0.0f);
  // After a step the state before it is gone.
  fresh.step();
  CHECK_THROWS_AS(fresh.initial_values(), std::logic_error);
}

TEST_CASE("week 0 equals week 1 where nothing moves", "[simulation][week0][limits]") {
  // No campaign, no action, no decay, climate, turnover or employer: the workplace after one
  // week is the one before it, so every stock measured at week 0 is the week-1 record's value.
  const RunPlan plan = make_plan(
      scenario(kSmall, {"environment.turnover=0", "environment.climate.amplitude=0",
                        "environment.climate.shock_rate=0", "decay.trust=0", "employer.firing=0",
                        "actions.trust_gain=0", "actions.policy=never", "broadcast.reach=0"}));
  std::vector<float> w0;
  const RunRecord r =
      run_one(plan, 0, 0, nullptr, {}, [&](Simulation& s) { w0 = s.initial_values(); });
  int compared = 0;
  for (std::size_t k = 0; k < per_step_outputs().size(); ++k) {
    const OutputVar& o = per_step_outputs()[k];
    if (!measured_at_week0(o)) continue;
    INFO(o.name);
    const float week1 = r.per_step[k * 30];
    if (std::isnan(week1)) {
      CHECK(std::isnan(w0[k]));
    } else {
      CHECK(w0[k] == week1);
      ++compared;
    }
  }
  CHECK(compared >= 10);
}
