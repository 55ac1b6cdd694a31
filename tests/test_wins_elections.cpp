// Wins, their defense and elections (issue 10, items 1, 3, 4): the background hazard no defense
// removes, the defense as the capacity to turn out, the chance of winning near the line, what a
// lost action costs, the ready_and_hot policy, the election with the employer's counter-campaign,
// the first contract and decertification, and how participants came to take part. Each
// mechanism: its direction and its limit case.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/simulation.hpp"
#include "helpers.hpp"
#include "model/actions.hpp"
#include "model/wins.hpp"

using namespace orgsim;
using Catch::Matchers::WithinAbs;

namespace {

/// Kaplan-Meier over the wins of `runs`.
SurvivalCurve km(const std::vector<RunRecord>& runs, std::int32_t steps) {
  std::vector<double> d;
  std::vector<bool> e;
  for (const auto& r : runs)
    for (const auto& w : r.wins) {
      d.push_back(w.duration(steps));
      e.push_back(!w.censored);
    }
  return kaplan_meier(d, e);
}

const std::string kElection = "scenarios/empirical/union_election.json";

}  // namespace

// ---- the reversal hazard ----------------------------------------------------------------------

TEST_CASE("wins: the background hazard is the floor no defense removes", "[wins]") {
  WinRules r;
  r.hold_fraction = 0.5;
  r.hazard = 0.1;
  r.background = 0.01;
  const WinBook book(r);
  // A fully defended win keeps the background risk; an undefended one adds the full gap term.
  CHECK(book.hazard(0.4, 0.2) == 0.01);
  CHECK(book.hazard(0.4, 5.0) == 0.01);
  CHECK_THAT(book.hazard(0.4, 0.0), WithinAbs(0.11, 1e-15));
  CHECK_THAT(book.hazard(0.4, 0.1), WithinAbs(0.01 + 0.05, 1e-15));
  // Direction: more defense, lower hazard, never below the background.
  double last = 1.0;
  for (double d = 0.0; d <= 0.3; d += 0.05) {
    const double h = book.hazard(0.4, d);
    CHECK(h <= last);
    CHECK(h >= 0.01);
    last = h;
  }
  // Limit: background 0 gives back the gap-only hazard; nothing to defend leaves the background.
  r.background = 0.0;
  CHECK(WinBook(r).hazard(0.4, 0.2) == 0.0);
  r.background = 0.01;
  CHECK(WinBook(r).hazard(0.0, 0.0) == 0.01);
  r.background = 2.0;
  CHECK(WinBook(r).hazard(0.4, 1.0) == 1.0);  // clamped to a probability
}

TEST_CASE("wins: a fully defended win is still reversed at the background rate", "[wins]") {
  // Defense always above what is needed: durations are geometric with the background hazard,
  // mean 1/h, within 4 standard errors over many wins.
  WinRules r;
  r.hold_fraction = 0.5;
  r.hazard = 0.2;
  r.background = 0.02;
  Rng rng(7);
  std::vector<double> durations;
  for (int k = 0; k < 4000; ++k) {
    WinBook book(r);
    book.record_win(0, 0.3);
    std::int32_t t = 1;
    while (book.standing() > 0 && t < 100000) book.push_back(t++, 1.0, rng);
    durations.push_back(book.events()[0].duration(t));
  }
  const auto m = test::mean_se(durations);
  CHECK(std::fabs(m.mean - 1.0 / 0.02) < 4 * m.se);
}

// ---- the chance of winning --------------------------------------------------------------------

TEST_CASE("actions: P(win) is a logistic in power minus resistance, width 0 the step",
          "[actions][wins]") {
  CHECK(win_probability(0.25, 0.25, 0.03) == 0.5);
  CHECK_THAT(win_probability(0.28, 0.25, 0.03), WithinAbs(1.0 / (1.0 + std::exp(-1.0)), 1e-12));
  // Direction: rises with power, falls with resistance; a wider band is less certain.
  CHECK(win_probability(0.30, 0.25, 0.03) > win_probability(0.26, 0.25, 0.03));
  CHECK(win_probability(0.26, 0.30, 0.03) < win_probability(0.26, 0.25, 0.03));
  CHECK(win_probability(0.30, 0.25, 0.10) < win_probability(0.30, 0.25, 0.03));
  // Limit: width 0 is the step P >= R, and a very narrow band approaches it off the line.
  CHECK(win_probability(0.25, 0.25, 0.0) == 1.0);
  CHECK(win_probability(0.2499, 0.25, 0.0) == 0.0);
  CHECK(win_probability(0.26, 0.25, 1e-6) == 1.0);
  CHECK(win_probability(0.24, 0.25, 1e-6) < 1e-100);
}

TEST_CASE("actions: with width 0 a win is exactly P >= R, with a width some near-line actions "
          "go either way",
          "[actions][wins]") {
  for (double width : {0.0, 0.05}) {
    INFO("actions.win_width " << width);
    const RunPlan plan = test::plan_for(
        "scenarios/default.json",
        {"replicates=6", "steps=104", "actions.win_width=" + std::to_string(width)});
    std::int64_t n = 0, upsets = 0;
    for (const auto& r : run_plan(plan, 2))
      for (const auto& a : r.actions) {
        ++n;
        const bool step = a.power >= plan.arms[0].resistance;
        if (a.won != step) ++upsets;
      }
    REQUIRE(n > 50);
    if (width == 0.0) CHECK(upsets == 0);
    else CHECK(upsets > 0);
  }
}

// ---- what a lost action costs -----------------------------------------------------------------

TEST_CASE("actions: a lost action costs its participants commitment and its callers trust",
          "[actions]") {
  ModelConfig cfg = test::default_config({"population.size=6", "network.type=ring_lattice",
                                          "network.degree=2", "actions.loss_commitment=0.2",
                                          "actions.loss_trust=0.5", "actions.loss_fear=0",
                                          "employer.retaliation=0",
                                          "actions.participation_commitment=0"});
  Rng rng(1);
  Population pop = draw_population(cfg, rng, PopulationArrays{});  // every array: staff trust too
  for (std::int32_t i = 0; i < 6; ++i) {
    pop.commitment[i] = 0.6f;
    pop.staff_trust[i] = 0.4f;
  }
  pop.role[0] = Role::worker_organizer;
  Network net = build_network(cfg.network, cfg.n, rng);
  for (auto& t : net.trust) t = 0.8f;
  std::vector<std::uint8_t> x = {0, 1, 1, 0, 0, 0};  // 1 is a neighbour of organizer 0, 2 is not
  ActionConsequences lost;
  lost.lost = true;
  consequences(cfg, pop, x, 3, lost);
  CHECK_THAT(pop.commitment[1], WithinAbs(0.6 * 0.8, 1e-6));
  CHECK_THAT(pop.commitment[3], WithinAbs(0.6, 1e-6));  // not a participant
  const auto [staff, peer] = blame_callers(cfg, pop, net, x, true);
  CHECK(staff);
  CHECK(peer);
  CHECK_THAT(pop.staff_trust[1], WithinAbs(0.2, 1e-6));
  CHECK_THAT(pop.staff_trust[3], WithinAbs(0.4, 1e-6));
  CHECK_THAT(net.trust[net.find_entry(0, 1)], WithinAbs(0.4, 1e-6));  // organizer - participant
  CHECK_THAT(net.trust[net.find_entry(1, 0)], WithinAbs(0.4, 1e-6));  // both entries alike
  CHECK_THAT(net.trust[net.find_entry(1, 2)], WithinAbs(0.8, 1e-6));  // no organizer on the tie
  CHECK_THAT(net.trust[net.find_entry(0, 5)], WithinAbs(0.8, 1e-6));  // not a participant
  // Limit: loss_trust 0 changes nothing; a won action costs no commitment.
  cfg.loss_trust = 0.0;
  const auto none = blame_callers(cfg, pop, net, x, true);
  CHECK(!none.first);
  CHECK(!none.second);
  ActionConsequences won;
  won.won = true;
  cfg.win_commitment = 0.0;
  const float before = pop.commitment[1];
  consequences(cfg, pop, x, 4, won);
  CHECK(pop.commitment[1] == before);
}

// ---- the defense: the capacity to turn out ----------------------------------------------------

TEST_CASE("defense: supporters who would turn out defend, and nobody who would act gives no defense",
          "[wins][defense]") {
  // Everyone is a supporter (commitment 0.3, below the member cut 0.5): the old ladder defense
  // was 0; the capacity to turn out is not.
  const std::vector<std::string> base = {
      "population.commitment={\"distribution\": \"constant\", \"value\": 0.3}",
      "participation.weights.commitment=1", "participation.weights.grievance=0",
      "participation.weights.fear=0", "participation.weights.invitation=0",
      "trust.initial={\"distribution\": \"constant\", \"value\": 0.5}", "campaign.strategy=none"};
  auto with = [&](const std::string& threshold) {
    auto sets = base;
    sets.push_back("population.threshold={\"distribution\": \"constant\", \"value\": " +
                   threshold + "}");
    Simulation sim(test::default_config(sets), 11);
    return sim.defense();
  };
  // Thresholds 0.25 < 0.3: everyone would turn out, defense = 1 x cohesion 0.5.
  CHECK_THAT(with("0.25"), WithinAbs(0.5, 1e-6));
  // Thresholds 0.35: nobody alone, but the social term could carry them only once someone is in:
  // from nobody, nobody (the limit case: no one who would act, no defense).
  CHECK(with("0.35") == 0.0);
  // Direction: higher cohesion of the same crowd, more defense.
  auto sets = base;
  sets[5] = "trust.initial={\"distribution\": \"constant\", \"value\": 0.8}";
  sets.push_back("population.threshold={\"distribution\": \"constant\", \"value\": 0.25}");
  Simulation sim(test::default_config(sets), 11);
  CHECK_THAT(sim.defense(), WithinAbs(0.8, 1e-6));
}

TEST_CASE("big messaging's durability responds to the cohesion of the crowd it mobilized",
          "[wins][defense][slow]") {
  // Same hazard, same strategy; the workplace's ties are warmer, so the crowd big messaging
  // mobilizes is more cohesive: its wins last longer.
  const std::vector<std::string> common = {"replicates=16", "wins.hazard=0.1"};
  auto median = [&](const std::string& trust) {
    auto sets = common;
    sets.push_back("trust.initial={\"distribution\": \"constant\", \"value\": " + trust + "}");
    sets.push_back("trust.baseline=" + trust);
    const RunPlan plan = test::plan_for("scenarios/default.json", sets);
    const auto runs = test::arm_runs(plan, 1);  // big_messaging
    const SurvivalCurve c = km(runs, plan.arms[1].steps);
    INFO("trust " << trust << ": " << c.time.size() << " event times");
    return std::make_pair(c, runs);
  };
  const auto [cold, cold_runs] = median("0.1");
  const auto [warm, warm_runs] = median("0.6");
  REQUIRE(test::total(cold_runs, "wins") >= 20);
  REQUIRE(test::total(warm_runs, "wins") >= 20);
  // Survival at 26 weeks: higher in the warm workplace (and the median no shorter).
  INFO("S(26) cold " << cold.at(26) << " warm " << warm.at(26));
  CHECK(warm.at(26) > cold.at(26) + 0.1);
  // The cold crowd's median is reached; the warm one's is later or never reached.
  REQUIRE_FALSE(std::isnan(cold.median));
  CHECK((std::isnan(warm.median) ? 1e9 : warm.median) > cold.median);
}

// ---- ready and hot ----------------------------------------------------------------------------

TEST_CASE("actions: ready_and_hot acts only when the base is ready and the moment hot",
          "[actions]") {
  auto run = [](const std::string& policy, double hot) {
    const RunPlan plan = test::plan_for(
        "scenarios/default.json",
        {"replicates=4", "actions.hot_threshold=" + std::to_string(hot),
         "environment.climate.shock_rate=0"});
    RunPlan p = plan;
    p.arms.resize(1);
    p.arm_names.resize(1);
    if (p.networks.size() > 1) p.networks.resize(1);
    p.arms[0].policy = policy_from_name(policy);
    return run_plan(p, 2);
  };
  const auto both = run("ready_and_hot", 0.1);
  const auto ready = run("readiness", 0.1);
  double n_both = 0, n_ready = 0;
  for (const auto& r : both) {
    n_both += test::outcome(r, "actions");
    const auto climate = test::series(r, "climate", 156);
    for (const auto& a : r.actions) CHECK(climate[static_cast<std::size_t>(a.step)] >= 0.1f);
  }
  for (const auto& r : ready) n_ready += test::outcome(r, "actions");
  CHECK(n_both > 0);
  CHECK(n_both < n_ready);
  // Limit: a moment that is always hot gives back the readiness policy, draw for draw.
  const auto always = run("ready_and_hot", -2.0);
  const auto ready_again = run("readiness", -2.0);
  REQUIRE(always.size() == ready_again.size());
  for (std::size_t k = 0; k < always.size(); ++k) {
    REQUIRE(always[k].actions.size() == ready_again[k].actions.size());
    for (std::size_t e = 0; e < always[k].actions.size(); ++e) {
      CHECK(always[k].actions[e].step == ready_again[k].actions[e].step);
      CHECK(always[k].actions[e].power == ready_again[k].actions[e].power);
    }
    CHECK(test::outcome(always[k], "wins") == test::outcome(ready_again[k], "wins"));
  }
}

// ---- elections ----------------------------------------------------------------------------------

TEST_CASE("elections: a majority of the votes cast wins, at most one is won, turnout as set",
          "[elections]") {
  const RunPlan plan = test::plan_for(kElection, {"replicates=20"});
  std::int64_t elections = 0;
  std::vector<double> turnout;
  for (const auto& r : run_plan(plan, 2)) {
    std::int32_t won = 0;
    for (const auto& a : r.actions) {
      REQUIRE(a.kind == 1);
      ++elections;
      CHECK(a.won == (a.support > 0.5));
      CHECK(a.notice_weeks == plan.arms[0].notice_steps);
      turnout.push_back(a.turnout);
      won += a.won ? 1 : 0;
      if (a.consolidated_step >= 0) CHECK(a.won);
    }
    CHECK(won <= 1);
    CHECK(test::outcome(r, "elections_won") == won);
    // first_election_won: the first vote's outcome, NaN for a run without one.
    const double first = test::outcome(r, "first_election_won");
    if (r.actions.empty()) CHECK(std::isnan(first));
    else CHECK(first == (r.actions.front().won ? 1.0 : 0.0));
  }
  REQUIRE(elections >= 20);
  const auto m = test::mean_se(turnout);
  // Each of 30 workers votes with probability 0.85.
  CHECK(std::fabs(m.mean - 0.85) < 4 * std::max(m.se, 1e-3));
  // Limit: everyone votes.
  for (const auto& r : run_plan(test::plan_for(kElection, {"replicates=4", "elections.turnout=1"}), 2))
    for (const auto& a : r.actions) CHECK(a.turnout == 1.0);
}

TEST_CASE("elections: the counter-campaign runs in the notice weeks and costs support",
          "[elections]") {
  auto runs = [](std::vector<std::string> sets) {
    sets.push_back("replicates=30");
    return test::arm_runs(test::plan_for(kElection, sets), 0);
  };
  const auto base = runs({});
  CHECK(test::total(base, "threats") > 0);
  // Limit: no notice weeks, no counter-campaign events.
  const auto none = runs({"actions.notice_steps=0"});
  CHECK(test::total(none, "threats") == 0);
  CHECK(test::total(none, "firings") == 0);
  for (const auto& r : none)
    for (const auto& a : r.actions) CHECK(a.notice_weeks == 0);
  // Direction: more firing, more firings; harsher captive meetings, lower support at the vote.
  // Direction: more notice weeks or a higher threat rate, more threats; no firing rate, none.
  CHECK(test::total(runs({"actions.notice_steps=8"}), "threats") > test::total(base, "threats"));
  CHECK(test::total(runs({"elections.threat_rate=0.3"}), "threats") > test::total(base, "threats"));
  CHECK(test::total(runs({"elections.firing_rate=0"}), "firings") == 0);
  const auto firing = runs({"elections.firing_rate=0.6"});
  CHECK(test::total(firing, "firings") > test::total(base, "firings"));
  auto support = [](const std::vector<RunRecord>& rs) {
    std::vector<double> v;
    for (const auto& r : rs)
      for (const auto& a : r.actions) v.push_back(a.support);
    return test::mean_se(v);
  };
  // A drive that votes on a thinner base (half the unit organized, not the scenario's three
  // quarters), where the undecided are many enough for fear to move the count.
  const auto mild = support(runs({"elections.captive_fear=0", "elections.threat_rate=0",
                                  "elections.firing_rate=0", "actions.notice_steps=8",
                                  "actions.readiness=0.5"}));
  const auto harsh = support(runs({"elections.captive_fear=0.3", "elections.threat_rate=0",
                                   "elections.firing_rate=0", "actions.notice_steps=8",
                                   "actions.readiness=0.5"}));
  INFO("support mild " << mild.mean << " harsh " << harsh.mean);
  CHECK(mild.mean - harsh.mean > 3 * std::hypot(mild.se, harsh.se));
}

TEST_CASE("elections: a won election is consolidated by a first contract or decertified",
          "[elections]") {
  auto runs = [](std::vector<std::string> sets) {
    sets.push_back("replicates=30");
    return test::arm_runs(test::plan_for(kElection, sets), 0);
  };
  const auto base = runs({});
  REQUIRE(test::total(base, "elections_won") >= 5);
  // Limit: no contract chance, no consolidation.
  CHECK(test::total(runs({"elections.contract_rate=0"}), "consolidated_wins") == 0);
  // Direction: a higher contract chance consolidates more won elections.
  const auto fast = runs({"elections.contract_rate=0.5"});
  CHECK(test::total(fast, "consolidated_wins") > test::total(runs({"elections.contract_rate=0.01"}), "consolidated_wins"));
  // Limit: a certain reversal undoes every won election the step after the vote, before any
  // contract.
  const auto undone = runs({"wins.background_hazard=1"});
  CHECK(test::total(undone, "decertifications") == test::total(undone, "elections_won"));
  CHECK(test::total(undone, "consolidated_wins") == 0);
  for (const auto& r : base)
    CHECK(test::outcome(r, "consolidated_wins") + test::outcome(r, "decertifications") <=
          test::outcome(r, "elections_won"));
}

TEST_CASE("elections: the union election scenario runs from 10 to 500 workers", "[elections][scenarios]") {
  for (int n : {10, 25, 500}) {
    INFO("population.size " << n);
    const RunPlan plan =
        test::plan_for(kElection, {"replicates=2", "population.size=" + std::to_string(n)});
    for (std::size_t a = 0; a < plan.arms.size(); ++a) {
      Simulation sim(plan.arms[a], replicate_seed(plan.master_seed, 0));
      while (sim.current_step() < plan.arms[a].steps) {
        REQUIRE_NOTHROW(sim.step());
        if (sim.current_step() % 13 == 0) REQUIRE_NOTHROW(sim.check_invariants());
      }
      for (const auto& e : sim.action_events()) {
        CHECK(e.kind == 1);
        CHECK(e.turnout >= 0.0);
        CHECK(e.turnout <= 1.0);
      }
    }
    if (n == 25) {
      // Unions call the vote when ready: the relationship-first arm holds elections.
      std::int64_t held = 0;
      for (const auto& r : run_plan(plan, 2))
        if (r.arm == 0) held += static_cast<std::int64_t>(r.actions.size());
      CHECK(held > 0);
    }
  }
}

// ---- how participants came to take part -------------------------------------------------------

TEST_CASE("participation: every joiner has one cause, and broadcast joins come from broadcast",
          "[participation][actions]") {
  const RunPlan plan = test::plan_for("scenarios/default.json", {"replicates=3", "steps=80"});
  double invited[2] = {0, 0}, broadcast[2] = {0, 0};
  for (const auto& r : run_plan(plan, 2)) {
    const std::int32_t T = plan.arms[0].steps;
    const auto inv = test::series(r, "joined_invited", T), bc = test::series(r, "joined_broadcast", T),
               own = test::series(r, "joined_own", T), fresh = test::series(r, "new_participants", T);
    for (std::int32_t t = 0; t < T; ++t) {
      if (std::isnan(fresh[t])) {
        CHECK(std::isnan(inv[t]));
        continue;
      }
      CHECK_THAT(inv[t] + bc[t] + own[t],
                 WithinAbs(fresh[t] * static_cast<float>(plan.arms[0].n), 1e-3));
      invited[r.arm] += inv[t];
      broadcast[r.arm] += bc[t];
    }
  }
  // Relationship-first brings people through relationships; big messaging more by broadcast.
  CHECK(invited[0] > broadcast[0]);
  CHECK(broadcast[1] / (broadcast[1] + invited[1] + 1e-9) >
        broadcast[0] / (broadcast[0] + invited[0] + 1e-9));
}

TEST_CASE("elections: a secret ballot is neither visible nor tiring", "[elections][actions]") {
  ModelConfig cfg = test::default_config({"population.size=4", "network.type=ring_lattice",
                                          "network.degree=2", "employer.retaliation=0.5",
                                          "employer.firing=0.1", "actions.participation_fatigue=0.5"});
  Rng rng(3);
  Population pop = draw_population(cfg, rng);
  pop.commitment[0] = 0.9f;  // a leader
  const Population before = pop;
  const std::vector<std::uint8_t> x = {1, 1, 0, 0};
  ActionConsequences vote;
  vote.won = true;
  vote.secret = true;
  consequences(cfg, pop, x, 5, vote);
  CHECK((pop.fear == before.fear).all());
  CHECK((pop.fatigue == before.fatigue).all());
  CHECK(pop.exposed_until == before.exposed_until);
  CHECK(pop.commitment[1] > before.commitment[1]);  // the win still counts for the yes-voters
  // The same outcome of an open action: retaliation, fatigue and exposure.
  Population open = before;
  vote.secret = false;
  consequences(cfg, open, x, 5, vote);
  CHECK(open.fear[1] > before.fear[1]);
  CHECK(open.fatigue[1] > before.fatigue[1]);
  CHECK(open.exposed_until[0] == 5 + cfg.firing_steps);
}

TEST_CASE("elections: a secret ballot counts private decisions, never more yes votes than an open one",
          "[elections]") {
  // Until the first vote the two ballots' runs are the same run (the rule acts only at the vote);
  // with everyone voting, each secret yes is an open yes (tests/test_participation.cpp), so the
  // first vote's support under the secret ballot is at most the open one's, replicate by replicate.
  const std::vector<std::string> common = {"replicates=40", "elections.turnout=1",
                                           "participation.weights.fear=1.2",
                                           "elections.captive_fear=0.25"};
  auto with = [&](const char* ballot) {
    auto sets = common;
    sets.push_back(std::string("elections.ballot=") + ballot);
    return run_plan(test::plan_for(kElection, sets), 2);
  };
  const auto secret = with("secret"), open = with("open");
  REQUIRE(secret.size() == open.size());
  int compared = 0, lower = 0;
  for (std::size_t k = 0; k < secret.size(); ++k) {
    if (secret[k].arm != 0 || secret[k].actions.empty()) continue;
    REQUIRE_FALSE(open[k].actions.empty());
    const auto& s = secret[k].actions.front();
    const auto& o = open[k].actions.front();
    REQUIRE(s.step == o.step);  // the same petition on the same workplace
    CHECK(s.support <= o.support);
    ++compared;
    lower += s.support < o.support ? 1 : 0;
  }
  REQUIRE(compared >= 20);
  // Under a hard counter-campaign some card signers (the seeds) vote no in secret.
  CHECK(lower > 0);
}
