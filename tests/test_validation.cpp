// Validation: with every organizing mechanism off, the participation core reproduces the classic
// results, each checked against a published or analytic value derived in docs/VALIDATION.md.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <vector>

#include "core/specfun.hpp"
#include "engine/simulation.hpp"
#include "helpers.hpp"
#include "model/distributions.hpp"

using namespace orgsim;

namespace {
/// Poisson pmf p_k for k = 0..kmax.
std::vector<double> poisson(double z, int kmax) {
  std::vector<double> p(static_cast<std::size_t>(kmax) + 1);
  p[0] = std::exp(-z);
  for (int k = 1; k <= kmax; ++k) p[k] = p[k - 1] * z / k;
  return p;
}

/// Watts (2002), eqs. for the extended vulnerable cluster on a Poisson random graph: u is the
/// probability that a random edge does not lead into the infinite vulnerable cluster,
///   u = 1 - sum_k (k p_k / z) rho_k (1 - u^(k-1)),
/// and a single random seed triggers a global cascade with probability 1 - sum_k p_k u^k.
/// rho_k = 1 when 1/k >= phi (one active neighbour suffices), else 0.
double watts_cascade_probability(double z, double phi) {
  const int kmax = 200;
  const auto p = poisson(z, kmax);
  double u = 0.0;
  for (int it = 0; it < 100000; ++it) {
    double s = 0.0;
    for (int k = 1; k <= kmax; ++k)
      if (1.0 / k >= phi) s += k * p[k] / z * (1.0 - std::pow(u, k - 1));
    const double un = 1.0 - s;
    if (std::fabs(un - u) < 1e-14) break;
    u = un;
  }
  double g = 0.0;
  for (int k = 0; k <= kmax; ++k) g += p[k] * std::pow(u, k);
  return 1.0 - g;
}

/// Giant-component share S of bond percolation with transmissibility T on a Poisson graph:
/// S = 1 - exp(-z T S) (Newman 2002, PRE 66:016128).
/// Rounds until everyone on a ring lattice (n agents, k/2 on each side) has adopted under the
/// synchronous count rule with threshold a, seeded by agent 0 and its k neighbours: a direct
/// loop over ring positions, independent of the engine's CSR and incremental bookkeeping.
int ring_rounds_to_saturation(int n, int k, int a) {
  std::vector<char> on(static_cast<std::size_t>(n), 0), next;
  for (int d = -k / 2; d <= k / 2; ++d) on[static_cast<std::size_t>((d + n) % n)] = 1;
  for (int round = 1; round <= n; ++round) {
    next = on;
    for (int i = 0; i < n; ++i) {
      if (on[i]) continue;
      int active = 0;
      for (int d = 1; d <= k / 2; ++d) active += on[(i + d) % n] + on[(i - d + n) % n];
      if (active >= a) next[i] = 1;
    }
    on.swap(next);
    if (std::all_of(on.begin(), on.end(), [](char c) { return c != 0; })) return round;
  }
  return -1;
}

double sir_final_size(double z, double T) {
  double S = 1.0;
  for (int it = 0; it < 10000; ++it) S = 1.0 - std::exp(-z * T * S);
  return S;
}
}  // namespace

TEST_CASE("Granovetter (1978): the riot of 100 and the one-person difference", "[validation]") {
  // Thresholds 0..99: everyone joins. Granovetter's point: replace the person with threshold 1
  // by one with threshold 2 and the crowd is a lone instigator.
  RunPlan plan = test::plan_for("scenarios/validation/granovetter.json");
  CHECK(test::outcome(run_one(plan, 0, 0), "final_turnout") == 1.0);
  std::string values = "population.threshold={\"distribution\": \"values\", \"values\": [0, 2";
  for (int i = 2; i < 100; ++i) values += ", " + std::to_string(i);
  values += "]}";
  plan = test::plan_for("scenarios/validation/granovetter.json", {values});
  CHECK(test::outcome(run_one(plan, 0, 0), "final_turnout") == Approx(0.01));
}

TEST_CASE("Granovetter (1978): normal thresholds, mean 25, the jump near sd 12.2",
          "[validation]") {
  // The equilibrium r* is the first fixed point of r = #{i : theta_i <= r} from r = 0
  // (Granovetter's eq. for the cumulative threshold distribution). The simulated crowd must hit
  // that fixed point exactly for the same threshold set; and as Granovetter reports (critical
  // sd ~ 12.2 for N = 100, mean 25) it jumps from a handful to everyone between sd 12 and 13.
  for (double sd : {5.0, 10.0, 12.0, 12.2, 13.0, 15.0, 20.0}) {
    INFO("sd = " << sd);
    const RunPlan plan = test::plan_for("scenarios/validation/granovetter_normal.json",
                                        {"population.threshold.of.sd=" + std::to_string(sd)});
    Simulation sim(plan.arms[0], replicate_seed(plan.master_seed, 0));
    std::vector<float> theta(sim.population().threshold.data(),
                             sim.population().threshold.data() + 100);
    std::int64_t r = 0;
    for (;;) {
      std::int64_t next = 0;
      for (float th : theta) next += th <= static_cast<float>(r) ? 1 : 0;
      if (next == r) break;
      r = next;
    }
    sim.run();
    CHECK(sim.participation().participants() == r);
    if (sd <= 12.0) CHECK(r < 10);
    if (sd >= 13.0) CHECK(r == 100);
  }
}

TEST_CASE("Watts (2002): cascade frequency on Erdos-Renyi graphs matches the analytic window",
          "[validation][slow]") {
  // phi = 0.18, N = 10^4, one random seed. Inside the window (z = 2, 4) the frequency of global
  // cascades (> 5% of N) matches the extended-vulnerable-cluster probability; beyond the upper
  // boundary (z = 10, where sum k(k-1) rho_k p_k < z) global cascades vanish.
  const int reps = 400;
  for (double z : {2.0, 4.0, 10.0}) {
    INFO("z = " << z);
    const RunPlan plan =
        test::plan_for("scenarios/validation/watts.json",
                       {"network.mean_degree=" + std::to_string(z), "replicates=" + std::to_string(reps)});
    const auto recs = run_plan(plan, 0);
    std::vector<double> global;
    for (const auto& r : recs) global.push_back(test::outcome(r, "final_turnout") > 0.05 ? 1.0 : 0.0);
    const auto m = test::mean_se(global);
    const double expected = watts_cascade_probability(z, 0.18);
    const double se = std::sqrt(std::max(expected * (1 - expected), 0.01) / reps);
    // 4 standard errors plus 0.03 for finite size (N = 10^4 against the N -> infinity theory).
    CHECK(std::fabs(m.mean - expected) < 4 * se + 0.03);
    if (z == 10.0) CHECK(m.mean < 0.01);
  }
}

TEST_CASE("Watts (2002): cascade frequency at z = 4, fast check", "[validation]") {
  const RunPlan plan = test::plan_for("scenarios/validation/watts.json",
                                      {"replicates=150", "population.size=5000"});
  const auto recs = run_plan(plan, 0);
  std::vector<double> global;
  for (const auto& r : recs) global.push_back(test::outcome(r, "final_turnout") > 0.05 ? 1.0 : 0.0);
  const double expected = watts_cascade_probability(4.0, 0.18);  // 0.865
  CHECK(expected == Approx(0.8653).margin(1e-3));
  const auto m = test::mean_se(global);
  CHECK(std::fabs(m.mean - expected) < 4 * std::sqrt(expected * (1 - expected) / 150) + 0.04);
}

TEST_CASE("Centola & Macy (2007): complex contagion spreads on the lattice at a fixed speed",
          "[validation]") {
  // Ring lattice, degree k = 6, threshold a = 2 (count), seed = agent 0 and its 6 neighbours.
  // Each synchronous round the front advances k/2 - a + 1 = 2 agents on each side, so the 993
  // others are all in after about 993 / 4 rounds (one round per step); the exact count, where
  // the two fronts meet, comes from a direct simulation of the ring.
  const RunPlan plan = test::plan_for("scenarios/validation/centola_macy.json", {"replicates=1"});
  const RunRecord r = run_one(plan, 0, 0);
  const auto turnout = test::series(r, "turnout", plan.steps);
  int saturated = -1;
  for (int t = 0; t < plan.steps; ++t)
    if (turnout[t] >= 1.0f) {
      saturated = t;
      break;
    }
  const int expected = ring_rounds_to_saturation(1000, 6, 2);
  CHECK(std::abs(expected - 993 / 4) <= 2);
  CHECK(saturated + 1 == expected);
  CHECK(turnout[0] == Approx((7.0 + 4.0) / 1000.0));
}

TEST_CASE("Centola & Macy (2007): rewiring helps simple contagion and stops complex contagion",
          "[validation]") {
  const RunPlan plan = test::plan_for("scenarios/validation/centola_macy.json", {"replicates=10"});
  const auto recs = run_plan(plan, 0);
  std::vector<double> lattice, random;
  for (const auto& r : recs) {
    if (r.arm == 0) lattice.push_back(test::outcome(r, "final_turnout"));
    if (r.arm == 2) random.push_back(test::outcome(r, "final_turnout"));
  }
  CHECK(test::mean_se(lattice).mean == 1.0);
  CHECK(test::mean_se(random).mean < 0.1);  // complex contagion fails on the random graph
  // Simple contagion (a = 1): 10% rewiring makes saturation much faster than the lattice.
  const RunPlan simple = test::plan_for("scenarios/validation/centola_macy.json",
                                        {"replicates=5", "population.threshold.value=1"});
  auto time_to_all = [&](std::int32_t arm) {
    std::vector<double> times;
    for (std::int64_t rep = 0; rep < 5; ++rep) {
      const auto s = test::series(run_one(simple, arm, rep), "turnout", simple.steps);
      int t = 0;
      while (t < simple.steps && s[t] < 1.0f) ++t;
      times.push_back(t);
    }
    return test::mean_se(times).mean;
  };
  const double t_lattice = time_to_all(0), t_rewired = time_to_all(1);
  CHECK(t_lattice + 1 == ring_rounds_to_saturation(1000, 6, 1));  // 3 per side per round
  CHECK(t_rewired < 0.5 * t_lattice);
}

TEST_CASE("Bass (1969): broadcast + imitation follows the Bass curve", "[validation][slow]") {
  // Mean-field: per week p = 0.03/52 (broadcast) and each adopter converts with q/N, q = 0.38/52
  // (Sultan, Farley & Lehmann 1990 average p, q per year). (1) The mean adoption curve matches
  // the exact expected recurrence of the discrete model within sampling error; (2) it matches
  // the continuous Bass solution F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}) within the
  // discretisation error; (3) the adoption rate peaks near t* = ln(q/p)/(p+q) = 6.19 years.
  const RunPlan plan = test::plan_for("scenarios/validation/bass.json");
  const auto recs = run_plan(plan, 0);
  const int T = plan.steps;
  const double N = 10000, p = 0.03 / 52, q = 0.38 / 52;
  std::vector<double> mean(T, 0.0);
  for (const auto& r : recs) {
    const auto s = test::series(r, "turnout", T);
    for (int t = 0; t < T; ++t) mean[t] += s[t] / static_cast<double>(recs.size());
  }
  double F = 0.0, max_gap_recurrence = 0.0, max_gap_bass = 0.0;
  int inflection_step = -1;
  const double F_star = (0.38 - 0.03) / (2 * 0.38);  // F at the peak adoption rate
  for (int t = 0; t < T; ++t) {
    const double after_broadcast = F + (1 - F) * p;
    F = after_broadcast + (1 - after_broadcast) * (1 - std::pow(1 - q / N, N * after_broadcast));
    max_gap_recurrence = std::max(max_gap_recurrence, std::fabs(mean[t] - F));
    const double years = (t + 1) / 52.0, P = 0.03, Q = 0.38;
    const double e = std::exp(-(P + Q) * years);
    const double bass = (1 - e) / (1 + (Q / P) * e);
    max_gap_bass = std::max(max_gap_bass, std::fabs(mean[t] - bass));
    if (inflection_step < 0 && mean[t] >= F_star) inflection_step = t + 1;
  }
  // Binomial noise of a mean of 10 runs of 10^4 agents is < 0.002; imitation amplifies early
  // fluctuations, so allow 0.02.
  CHECK(max_gap_recurrence < 0.02);
  CHECK(max_gap_bass < 0.03);
  // The adoption rate peaks when F reaches (q - p) / (2q), at t* = ln(q/p)/(p+q) = 6.19 years.
  const double t_star = std::log(0.38 / 0.03) / 0.41 * 52;  // in weeks
  INFO("inflection at week " << inflection_step << ", Bass t* = " << t_star);
  CHECK(std::fabs(inflection_step - t_star) < 8);
}

TEST_CASE("SIR bond percolation (once-contagion) on Erdos-Renyi graphs", "[validation][slow]") {
  // z = 4, T = 0.5 (z T = 2, above the threshold T_c = 1/z): a large outbreak occurs with
  // probability S and reaches a share S, S = 1 - exp(-z T S) = 0.797 (Newman 2002).
  // Below the threshold (T = 0.15, z T = 0.6) the mean outbreak from one seed has size
  // 1 / (1 - z T) = 2.5 (branching process with Poisson(z T) offspring).
  const RunPlan plan = test::plan_for("scenarios/validation/sir_percolation.json");
  const auto recs = run_plan(plan, 0);
  const double S = sir_final_size(4.0, 0.5);
  CHECK(S == Approx(0.7968).margin(1e-3));
  std::vector<double> major, sizes;
  for (const auto& r : recs) {
    const double f = test::outcome(r, "final_turnout");
    major.push_back(f > 0.05 ? 1.0 : 0.0);
    if (f > 0.05) sizes.push_back(f);
  }
  const auto pm = test::mean_se(major), ps = test::mean_se(sizes);
  CHECK(std::fabs(pm.mean - S) < 4 * std::sqrt(S * (1 - S) / 400.0) + 0.01);
  CHECK(std::fabs(ps.mean - S) < 4 * ps.se + 0.01);

  const RunPlan sub = test::plan_for("scenarios/validation/sir_percolation.json",
                                     {"participation.contagion.probability=0.15",
                                      "replicates=2000"});
  const auto small = run_plan(sub, 0);
  std::vector<double> counts;
  for (const auto& r : small) counts.push_back(test::outcome(r, "final_turnout") * 10000.0);
  const auto m = test::mean_se(counts);
  CHECK(std::fabs(m.mean - 2.5) < 4 * m.se + 0.05);
}

TEST_CASE("SIR threshold: below T = 1/z outbreaks stay small", "[validation]") {
  const RunPlan plan = test::plan_for("scenarios/validation/sir_percolation.json",
                                      {"participation.contagion.probability=0.2",
                                       "replicates=200", "population.size=4000"});
  const auto recs = run_plan(plan, 0);
  for (const auto& r : recs) CHECK(test::outcome(r, "final_turnout") < 0.05);
}

// ---- the classic base: the participation core alone, over any number of steps -------------------

TEST_CASE("Centola & Macy over many steps: on the classic base turnout never falls",
          "[validation][classic]") {
  // A continuous action accumulates adopters; with every other mechanism off nothing can take an
  // adopter out again, so turnout is non-decreasing in every arm, and the lattice saturates.
  const RunPlan plan = test::plan_for("scenarios/validation/centola_macy.json", {"replicates=2"});
  for (std::int32_t arm = 0; arm < 3; ++arm)
    for (std::int64_t rep = 0; rep < 2; ++rep) {
      INFO("arm " << arm << ", replicate " << rep);
      const auto s = test::series(run_one(plan, arm, rep), "turnout", plan.steps);
      for (int t = 1; t < plan.steps; ++t) REQUIRE(s[t] >= s[t - 1]);
      if (arm == 0) CHECK(s.back() == 1.0f);
    }
  // The same experiment on the organizing model's defaults (no classic base): taking part makes
  // leaders, the employer fires visible leaders and trust decays, so turnout falls back from its
  // peak. The check above would catch that.
  std::ifstream in(test::source_path("scenarios/validation/centola_macy.json"));
  nlohmann::json doc = nlohmann::json::parse(in);
  doc.erase("extends");
  doc["participation"]["weights"] = {{"grievance", 0}, {"commitment", 0}, {"social", 1},
                                     {"invitation", 0}, {"fear", 0}};
  doc["trust"] = {{"initial", {{"distribution", "constant"}, {"value", 1.0}}}};
  const RunPlan organizing = make_plan(scenario_from_json(doc, "no_classic.json", ".", "",
                                                          {"replicates=1"}));
  const auto s = test::series(run_one(organizing, 0, 0), "turnout", organizing.steps);
  const float peak = *std::max_element(s.begin(), s.end());
  INFO("peak " << peak << ", final " << s.back());
  CHECK(s.back() < peak - 0.05f);
}

TEST_CASE("the classic base switches off every mechanism but participation", "[validation][classic]") {
  // A workplace of 300 with an action every step that draws a crowd (low thresholds, 10% seeds),
  // run 60 steps on {"extends": "classic"}: every agent's state but participation is what it was
  // drawn as, every tie keeps trust 1, nobody leaves, the climate stays 0 and no win is reversed.
  // Without the base the same run moves all of these (the contrast proves the checks can fail).
  const nlohmann::json doc = nlohmann::json::parse(R"({"extends": "classic", "steps": 60,
      "replicates": 1, "population": {"size": 300,
        "threshold": {"distribution": "uniform", "min": 0.0, "max": 0.4}},
      "actions": {"policy": "schedule", "every": 1, "seed": {"fraction": 0.1}},
      "employer": {"resistance": 0.2}})");
  struct Moved {
    bool agents = false, trust = false, trust_one = false, turnover = false, climate = false,
         reversals = false;
    double turnout = 0;
  };
  auto run = [](const nlohmann::json& d, const std::vector<std::string>& sets) {
    const RunPlan plan = make_plan(scenario_from_json(d, "classic_case.json", ".", "", sets));
    const ModelConfig& cfg = plan.arms[0];
    const std::uint64_t seed = replicate_seed(plan.master_seed, 0);
    Simulation start(cfg, seed), sim(cfg, seed);
    sim.run();
    const Population &p0 = start.population(), &p = sim.population();
    Moved m;
    for (auto member : {&Population::grievance, &Population::fear, &Population::inoculation,
                        &Population::commitment, &Population::awareness, &Population::fatigue,
                        &Population::staff_trust, &Population::leadership, &Population::threshold})
      m.agents = m.agents || ((p0.*member) != (p.*member)).any();
    m.agents = m.agents || p0.role != p.role || p0.known != p.known;
    m.trust = start.network().trust != sim.network().trust;
    m.trust_one = std::all_of(sim.network().trust.begin(), sim.network().trust.end(),
                              [](float tau) { return tau == 1.0f; });
    RunRecord r;
    r.per_step = sim.per_step_values();
    r.per_run = sim.per_run_values();
    for (float x : test::series(r, "turnover_share", cfg.steps)) m.turnover = m.turnover || x != 0;
    for (float x : test::series(r, "climate", cfg.steps)) m.climate = m.climate || x != 0;
    m.reversals = test::outcome(r, "reversals") > 0;
    m.turnout = test::outcome(r, "final_turnout");
    return m;
  };
  const Moved classic = run(doc, {});
  CHECK(classic.turnout > 0.5);  // the actions did draw a crowd, every step
  CHECK_FALSE(classic.agents);
  CHECK_FALSE(classic.trust);
  CHECK(classic.trust_one);
  CHECK_FALSE(classic.turnover);
  CHECK_FALSE(classic.climate);
  CHECK_FALSE(classic.reversals);

  // Each switch the base turns off, turned back on, is seen by the checks above.
  nlohmann::json organizing = doc;
  organizing.erase("extends");
  CHECK(run(organizing, {"trust.initial.value=1"}).agents);  // retaliation, commitment, fatigue, ...
  CHECK(run(organizing, {"trust.initial.value=0.5"}).trust);  // decay, acting together
  CHECK(run(doc, {"environment.turnover=0.01"}).turnover);
  CHECK(run(doc, {"environment.climate.amplitude=0.2"}).climate);
  CHECK(run(doc, {"campaign.strategy=relationship_first"}).agents);
  const std::vector<std::vector<std::string>> agent_mechanisms = {
      {"employer.retaliation=0.1"},
      {"employer.counter_campaign=0.05"},
      {"actions.participation_commitment=0.05"},
      {"actions.participation_fatigue=0.1"},
      {"actions.win_commitment=0.1"},
      {"actions.loss_fear=0.1", "employer.resistance=2"},  // every action lost
  };
  for (const auto& sets : agent_mechanisms) {
    INFO(sets[0]);
    CHECK(run(doc, sets).agents);
  }
  // Firing needs visible leaders, which only the switched-off commitment gains make.
  CHECK_FALSE(run(doc, {"actions.participation_commitment=0.5"}).turnover);
  CHECK(run(doc, {"actions.participation_commitment=0.5", "employer.firing=0.5"}).turnover);
  CHECK(run(doc, {"wins.hazard=0.5"}).reversals);
  CHECK(run(doc, {"trust.initial.value=0.5", "trust.baseline=0.1"}).trust == false);
  CHECK(run(doc, {"trust.initial.value=0.5", "actions.trust_gain=0.1"}).trust);
  CHECK(run(doc, {"trust.initial.value=0.5", "decay.trust=0.1"}).trust);
  CHECK(run(doc, {"trust.friendships=0.5", "trust.friendship_level=0.8"}).trust_one == false);
}
