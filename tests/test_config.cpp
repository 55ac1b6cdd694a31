// The typed config is built from the parameter table alone: every key reaches the config, the
// defaults are the table's, each choice's names are its enum's list (written once), choice names
// outside the table are programming errors, and the cross-field rules hold.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "helpers.hpp"
#include "model/config.hpp"
#include "model/parameters.hpp"

using namespace orgsim;
using nlohmann::json;

namespace {

json describe(const Distribution& d) {
  json j = {{"kind", static_cast<int>(d.kind)}, {"value", d.value},     {"min", d.min},
            {"max", d.max},                     {"has_min", d.has_min}, {"has_max", d.has_max},
            {"mean", d.mean},                   {"sd", d.sd},           {"a", d.a},
            {"b", d.b},                         {"from", d.from},       {"to", d.to},
            {"values", d.values}};
  if (d.of) j["of"] = describe(*d.of);
  return j;
}

/// Every member of the config, so that two configs compare by value. A member added to
/// ModelConfig must be added here, or the key bound to it fails "every key reaches the config".
json describe(const ModelConfig& c) {
  const auto& o = c.one_on_one;
  const auto& ip = c.issue_push;
  const auto& m = c.messaging;
  const auto& dc = c.decay;
  const auto& s = c.seed_set;
  const auto& nw = c.network;
  return {
      {"study",
       {c.name, c.title, c.description, c.steps, c.replicates, c.master_seed, c.n, c.snapshot_every,
        c.component_every}},
      {"agents",
       {describe(c.threshold), describe(c.grievance), describe(c.fear), describe(c.inoculation),
        describe(c.commitment), describe(c.leadership), c.threshold_range.lo,
        c.threshold_range.hi}},
      {"network",
       {static_cast<int>(nw.type), nw.mean_degree, nw.degree, nw.rewire,
        static_cast<int>(nw.rewire_method), nw.m, nw.departments, nw.within_degree,
        nw.between_degree, nw.path, nw.path_for_errors, nw.roster_path,
        nw.roster_path_for_errors, nw.friendships_path, nw.friendships_path_for_errors,
        nw.roster_chances.same_shift, nw.roster_chances.other_shift, nw.roster_chances.across,
        nw.friendship_trust, nw.roster ? nw.roster->size() : -1,
        nw.roster ? static_cast<std::int64_t>(nw.roster->friendships.size()) : -1}},
      {"trust",
       {describe(c.trust_initial), c.trust_baseline, c.friendships, c.friendship_level, c.voice}},
      {"participation",
       {static_cast<int>(c.rule), c.w_grievance, c.w_commitment, c.w_social, c.w_invitation,
        c.w_fear, c.rounds, static_cast<int>(c.update), c.contagion_probability,
        static_cast<int>(c.attempts), c.broadcast_reach, c.broadcast_conversion}},
      {"environment",
       {c.climate.amplitude, c.climate.period, c.climate.phase, c.climate.shock_rate,
        c.climate.shock_size, c.climate.shock_persistence, c.turnover}},
      {"ladder", {c.ladder_supporter, c.ladder_member, c.ladder_leader, c.ladder_ceiling}},
      {"tasks",
       {c.tasks.due_steps, c.tasks.base, c.tasks.trust, c.tasks.accountability, c.tasks.nudge,
        c.tasks.fear, c.tasks.done_trust, c.tasks.outreach, c.tasks.recover_steps}},
      {"weaving", {c.weaving.referral, c.weaving.intro_trust, c.weaving.social_ties}},
      {"reach", {c.reach.saturation, c.reach.memory}},
      {"burnout",
       {c.burnout.rate, c.burnout.staff_hours, c.burnout.worker_hours, c.burnout.support,
        c.burnout.staff_leave}},
      {"types",
       {c.types.selfish, c.types.selfless, c.types.selfish_ask, c.types.selfless_ask,
        c.types.selfless_agitation}},
      {"campaign",
       {static_cast<int>(c.strategy), c.allocation, static_cast<int>(c.targeting),
        c.staff_organizers, c.worker_organizers, c.staff_hours, c.worker_hours, c.skill}},
      {"one_on_one",
       {o.hours, o.trust_gain, o.agitation, o.inoculation, o.ask_base, o.ask_trust,
        o.ask_grievance, o.ask_fear, o.ask_fatigue, o.commitment_gain}},
      {"issue_push",
       {ip.hours, ip.agitation, ip.backfire_trust, ip.backfire_fatigue, ip.backfire_commitment}},
      {"social", {c.social.hours, c.social.attendees, c.social.trust_gain}},
      {"follow_up", {c.follow_up.hours, c.follow_up.uplift, c.follow_up.trust_gain}},
      {"training", {c.training.hours, c.training.sessions, c.training.potential}},
      {"messaging",
       {m.hours, m.reach, m.awareness_gain, m.agitation, m.supporter_rate, m.invitation}},
      {"actions",
       {static_cast<int>(c.policy), c.first_action, c.action_every, c.min_gap, c.hot_threshold,
        c.readiness, c.power_floor, c.participation_commitment, c.action_trust_gain,
        c.participation_fatigue, c.win_commitment, c.loss_fear, c.win_width, c.loss_commitment,
        c.loss_trust, static_cast<int>(c.kind), c.notice_steps, static_cast<int>(c.assessment)}},
      {"elections",
       {c.elections.turnout, c.elections.captive_fear, c.elections.threat_rate,
        c.elections.threat_fear, c.elections.firing_rate, c.elections.contract_rate,
        c.elections.threat_campaign, c.elections.firing_campaign,
        static_cast<int>(c.elections.ballot)}},
      {"seed_set",
       {static_cast<int>(s.kind), static_cast<int>(s.rung_name), s.rung, s.count, s.fraction,
        s.agents, s.with_neighbors}},
      {"employer", {c.resistance, c.retaliation, c.firing, c.counter_campaign, c.firing_steps}},
      {"wins", {c.wins.hold_fraction, c.wins.hazard, c.wins.background}},
      {"decay",
       {dc.trust, dc.staff_trust, dc.commitment, dc.awareness, dc.grievance, dc.fear,
        dc.fatigue}},
  };
}

/// Keys that only reach the config in a context: the organizer counts are zeroed without a
/// strategy; a path is kept only for an edge list.
/// A roster file of the default population's size (300 people) in the test folder; `variant`
/// gives another one (other departments).
std::string roster_file(int variant = 0) {
  const std::string path = test::tmp_path("config_roster" + std::to_string(variant) + ".csv");
  std::ofstream out(path);
  out << "name,department,shift,role\n";
  for (int i = 0; i < 300; ++i)
    out << "p" << i << ",d" << (i % (3 + variant)) << "," << (i % 2 ? "day" : "night")
        << ",worker\n";
  return path;
}
std::string friendships_file() {
  const std::string path = test::tmp_path("config_friends.csv");
  std::ofstream(path) << "p0,p1\n";
  return path;
}

std::vector<std::string> context_for(const std::string& key) {
  if (key == "campaign.staff_organizers" || key == "campaign.worker_organizers")
    return {"campaign.strategy=relationship_first"};
  if (key == "network.path") return {"network.type=edge_list", "network.path=\"a.csv\""};
  if (key == "network.type") return {"network.path=\"a.csv\"", "network.roster=" + roster_file()};
  if (key == "network.roster" || key == "network.friendships")
    return {"network.type=roster", "network.roster=" + roster_file()};
  return {};
}

/// A value for `p` other than its default, inside its range and the cross-field rules.
json other_value(const ParamSpec& p) {
  const json& d = p.default_value;
  switch (p.type) {
    case ParamType::number: {
      if (d.is_null()) return (p.min + p.max) / 2;
      const double x = d.get<double>();
      const double hi = std::isfinite(p.max) ? p.max : x + 10;
      const double y = x + 0.1 * (hi - x);
      return y != x ? y : x - 0.1 * (x - p.min);
    }
    case ParamType::integer: {
      const double x = d.get<double>();
      return static_cast<std::int64_t>(x + 2 <= p.max ? x + 2 : x - 2);
    }
    case ParamType::boolean: return !d.get<bool>();
    case ParamType::text:
    case ParamType::path: return "b.csv";
    case ParamType::distribution: return {{"distribution", "constant"}, {"value", 0.37}};
    case ParamType::seed_set: return {{"fraction", 0.1}};
    case ParamType::rounds: return 3;
    case ParamType::choice: break;  // every choice is tested below
  }
  FAIL("no alternative value for " << p.key);
  return nullptr;
}

json config_with(const std::vector<std::string>& sets, const std::string& key, const json& v) {
  json flat = default_parameters();
  for (const auto& s : sets) {
    const auto [k, x] = parse_set_argument(s);
    set_parameter(flat, k, x, "test", k);
  }
  if (!key.empty()) set_parameter(flat, key, v, "test", key);
  return describe(make_config(flat, "test.json", "/scenarios"));
}

}  // namespace

TEST_CASE("every parameter table row carries a binding", "[config]") {
  for (const auto& p : parameter_table()) {
    INFO(p.key);
    CHECK(static_cast<bool>(p.bind));
  }
}

TEST_CASE("every table key reaches the config", "[config]") {
  // For each key: the default config (in the key's context) and the same with only that key
  // changed to another valid value must differ. A key read into nothing, or into a member that
  // another key overwrites, fails here.
  for (const auto& p : parameter_table()) {
    INFO(p.key);
    const auto ctx = context_for(p.key);
    const json base = config_with(ctx, "", nullptr);
    if (p.type == ParamType::choice) {
      // Every choice gives its own config.
      std::set<std::string> seen;
      for (const auto& choice : p.choices) {
        INFO(choice);
        CHECK(seen.insert(config_with(ctx, p.key, choice).dump()).second);
      }
      continue;
    }
    const json v = p.key == "network.roster"        ? json(roster_file(1))
                   : p.key == "network.friendships" ? json(friendships_file())
                                                    : other_value(p);
    INFO("value " << v.dump());
    CHECK(config_with(ctx, p.key, v) != base);
  }
}

TEST_CASE("every kind of seed set reaches the config", "[config]") {
  std::set<std::string> seen;
  for (const json& v : {json{{"random", 2}}, json{{"fraction", 0.1}}, json{{"rung", "member"}},
                        json{{"rung", "leader"}}, json{{"agents", {1, 2}}},
                        json{{"agents", {1, 2}}, {"with_neighbors", true}}}) {
    INFO(v.dump());
    CHECK(seen.insert(config_with({}, "actions.seed", v).dump()).second);
  }
}

TEST_CASE("the config's defaults are the table's, and the header holds none", "[config]") {
  // A value-initialised config is empty: nothing can fall back on a second set of defaults.
  const ModelConfig empty{};
  CHECK(empty.readiness == 0.0);
  CHECK(empty.firing_steps == 0);
  CHECK(empty.steps == 0);
  CHECK(empty.climate.period == 0.0);
  CHECK(empty.seed_set.rung == 0.0);
  // The defaults come from the table (these two had drifted in the header before).
  const ModelConfig c = test::default_config();
  CHECK(c.readiness == find_param("actions.readiness")->default_value.get<double>());
  CHECK(c.readiness == 0.15);
  CHECK(c.firing_steps == find_param("employer.firing_steps")->default_value.get<int>());
  CHECK(c.firing_steps == 8);
  CHECK(c.steps == 156);
  CHECK(c.n == 300);
  CHECK(c.policy == ActionPolicy::schedule);    // strategy none's preset
  CHECK(c.targeting == Targeting::list);        // strategy none's preset
  CHECK(c.staff_organizers == 0);               // no strategy: no organizers
  CHECK(c.threshold_range.hi == find_param("population.threshold")->max);
}

TEST_CASE("strategy presets fill the nulls, fields override them", "[config]") {
  const ModelConfig rf = test::default_config({"campaign.strategy=relationship_first"});
  CHECK(rf.policy == ActionPolicy::readiness);
  CHECK(rf.targeting == Targeting::network);
  CHECK(rf.allocation[0] == Approx(0.4));
  const ModelConfig over = test::default_config(
      {"campaign.strategy=relationship_first", "actions.policy=hot", "campaign.targeting=list",
       "campaign.allocation.broadcast=1"});
  CHECK(over.policy == ActionPolicy::hot);
  CHECK(over.targeting == Targeting::list);
  CHECK(over.allocation[5] == Approx(1.0 / 2.0));
  CHECK(over.allocation[0] == Approx(0.4 / 2.0));
}

TEST_CASE("a seed rung resolves to the ladder's cut point", "[config]") {
  const ModelConfig c = test::default_config({"actions.seed={\"rung\": \"leader\"}",
                                              "ladder.leader=0.9"});
  CHECK(c.seed_set.kind == SeedSpec::Kind::rung);
  CHECK(c.seed_set.rung_name == LadderRung::leader);
  CHECK(c.seed_set.rung == 0.9);
}

TEST_CASE("the one seed-set parser builds the SeedSpec of each form", "[config][seed]") {
  const auto parse = [](const char* text) {
    return parse_seed_set(json::parse(text), "s.json", "actions.seed");
  };
  SeedSpec s = parse(R"({"random": 7})");
  CHECK(s.kind == SeedSpec::Kind::random);
  CHECK(s.count == 7);
  CHECK(s.agents.empty());
  s = parse(R"({"random": 3.0})");  // a design value or a rerun writes the count as a float
  CHECK(s.kind == SeedSpec::Kind::random);
  CHECK(s.count == 3);
  s = parse(R"({"fraction": 0.25})");
  CHECK(s.kind == SeedSpec::Kind::fraction);
  CHECK(s.fraction == 0.25);
  s = parse(R"({"agents": [4, 0, 9], "with_neighbors": true})");
  CHECK(s.kind == SeedSpec::Kind::agents);
  CHECK(s.agents == std::vector<std::int32_t>{4, 0, 9});
  CHECK(s.with_neighbors);
  s = parse(R"({"agents": [2]})");
  CHECK(s.agents == std::vector<std::int32_t>{2});
  CHECK_FALSE(s.with_neighbors);
  s = parse(R"({"rung": "member"})");
  CHECK(s.kind == SeedSpec::Kind::rung);
  CHECK(s.rung_name == LadderRung::member);

  // The same parser reaches the config: make_config's SeedSpec is the parser's, the rung
  // resolved to the ladder's cut point.
  const ModelConfig c = test::default_config(
      {R"(actions.seed={"agents": [1, 5], "with_neighbors": true})"});
  CHECK(c.seed_set.kind == SeedSpec::Kind::agents);
  CHECK(c.seed_set.agents == std::vector<std::int32_t>{1, 5});
  CHECK(c.seed_set.with_neighbors);
  const ModelConfig m = test::default_config({R"(actions.seed={"rung": "member"})",
                                              "ladder.member=0.4"});
  CHECK(m.seed_set.kind == SeedSpec::Kind::rung);
  CHECK(m.seed_set.rung_name == LadderRung::member);
  CHECK(m.seed_set.rung == 0.4);
  const ModelConfig f = test::default_config({R"(actions.seed={"fraction": 0.1})"});
  CHECK(f.seed_set.kind == SeedSpec::Kind::fraction);
  CHECK(f.seed_set.fraction == 0.1);
  const ModelConfig r = test::default_config({R"(actions.seed={"random": 12})"});
  CHECK(r.seed_set.kind == SeedSpec::Kind::random);
  CHECK(r.seed_set.count == 12);
}

TEST_CASE("the seed-set parser's errors name the file, the path, the rule and the value",
          "[config][seed][input]") {
  const auto error_of = [](const char* text) -> InputError {
    try {
      parse_seed_set(json::parse(text), "s.json", "actions.seed");
    } catch (const InputError& e) {
      return e;
    }
    FAIL("no InputError for " << text);
    return InputError("", "", "", "");
  };
  InputError e = error_of(R"([1, 2])");
  CHECK(e.file() == "s.json");
  CHECK(e.where() == "actions.seed");
  CHECK_THAT(e.expected(), Catch::Contains("a seed set"));
  CHECK(e.found() == "an array");
  e = error_of(R"({"random": -1})");
  CHECK(e.where() == "actions.seed.random");
  CHECK(e.found() == "the integer -1");
  e = error_of(R"({"fraction": 1.5})");
  CHECK(e.where() == "actions.seed.fraction");
  CHECK(e.expected() == "a number in [0, 1]");
  e = error_of(R"({"agents": [1, "x"]})");
  CHECK(e.where() == "actions.seed.agents[1]");
  e = error_of(R"({"rung": "boss"})");
  CHECK(e.where() == "actions.seed.rung");
  CHECK(e.found() == "\"boss\"");
  e = error_of(R"({"with_neighbors": true})");
  CHECK(e.where() == "actions.seed.with_neighbors");
  e = error_of(R"({"random": 1, "fraction": 0.5})");
  CHECK(e.where() == "actions.seed");
  CHECK(e.found() == "several kinds");
  e = error_of(R"({"agent": [1]})");
  CHECK(e.where() == "actions.seed.agent");
  CHECK(e.hint() == "did you mean `actions.seed.agents`?");
}

TEST_CASE("network paths resolve against the scenario's directory", "[config]") {
  json flat = default_parameters();
  flat["network.type"] = "edge_list";
  flat["network.path"] = "edges.csv";
  const ModelConfig c = make_config(flat, "s.json", "/data/study");
  CHECK(c.network.path == "/data/study/edges.csv");
  CHECK(c.network.path_for_errors == "edges.csv");
  flat["network.path"] = "/abs/edges.csv";
  CHECK(make_config(flat, "s.json", "/data/study").network.path == "/abs/edges.csv");
  flat["network.type"] = "workplace";  // a path is not kept for generated networks
  CHECK(make_config(flat, "s.json", "/data/study").network.path.empty());
  flat["network.type"] = "edge_list";
  flat["network.path"] = "";
  CHECK_THROWS_WITH(make_config(flat, "s.json", "/data/study"),
                    Catch::Contains("network.path") && Catch::Contains("no path"));
}

TEST_CASE("from-name functions throw on names outside the table", "[config]") {
  CHECK_THROWS_AS(strategy_from_name("relationship_frist"), std::invalid_argument);
  CHECK_THROWS_AS(targeting_from_name("everyone"), std::invalid_argument);
  CHECK_THROWS_AS(policy_from_name("sometimes"), std::invalid_argument);
  CHECK_THROWS_AS(network_type_from_name("small_world"), std::invalid_argument);
  CHECK_THROWS_AS(rewire_method_from_name("shuffle"), std::invalid_argument);
  CHECK_THROWS_AS(threshold_rule_from_name("share"), std::invalid_argument);
  CHECK_THROWS_AS(update_order_from_name("asynchronous"), std::invalid_argument);
  CHECK_THROWS_AS(attempts_from_name("twice"), std::invalid_argument);
  CHECK_THROWS_AS(ladder_rung_from_name("boss"), std::invalid_argument);
  CHECK_THROWS_AS(action_kind_from_name("strike"), std::invalid_argument);
  CHECK_THROWS_AS(assessment_from_name("vibes"), std::invalid_argument);
  CHECK_THROWS_AS(ballot_from_name("postal"), std::invalid_argument);
  CHECK_THROWS_AS(strategy_from_name(""), std::invalid_argument);
  // The names the table offers are all known (and map to distinct values).
  CHECK(strategy_from_name("none") == Strategy::none);
  CHECK(targeting_from_name("network") == Targeting::network);
  CHECK(policy_from_name("schedule") == ActionPolicy::schedule);
  CHECK(network_type_from_name("workplace") == NetworkType::workplace);
  CHECK(action_kind_from_name("election") == ActionKind::election);
  CHECK(assessment_from_name("yeses") == Assessment::yeses);
  CHECK(ballot_from_name("open") == Ballot::open);
  // A value that bypassed validation (a programming error) is not read as some default.
  json flat = default_parameters();
  flat["campaign.strategy"] = "bogus";
  CHECK_THROWS_AS(make_config(flat, "t.json", "."), std::invalid_argument);
  flat = default_parameters();
  flat["network.type"] = "small_world";
  CHECK_THROWS_AS(make_config(flat, "t.json", "."), std::invalid_argument);
}

namespace {

template <std::size_t N>
std::vector<std::string> as_strings(const std::array<const char*, N>& names) {
  return {names.begin(), names.end()};
}

/// Every name of `names` turns into the enumerator of its index and back into itself; the names
/// are distinct; a name outside the list throws.
template <class E, std::size_t N>
void check_round_trip(const std::array<const char*, N>& names, E (*from_name)(const std::string&),
                      const char* (*to_name)(E)) {
  for (std::size_t i = 0; i < N; ++i) {
    INFO(names[i]);
    const E e = from_name(names[i]);
    CHECK(static_cast<std::size_t>(e) == i);
    CHECK(std::string(to_name(e)) == names[i]);
  }
  CHECK(std::set<std::string>(names.begin(), names.end()).size() == N);
  CHECK_THROWS_AS(from_name("no_such_name"), std::invalid_argument);
  CHECK_THROWS_AS(from_name(""), std::invalid_argument);
  CHECK_THROWS_AS(from_name(std::string(names[0]) + " "), std::invalid_argument);
}

}  // namespace

TEST_CASE("every choice enum round-trips name to enum to name over its whole list", "[config]") {
  check_round_trip(kStrategyNames, strategy_from_name, strategy_name);
  check_round_trip(kTargetingNames, targeting_from_name, targeting_name);
  check_round_trip(kActionPolicyNames, policy_from_name, policy_name);
  check_round_trip(kActionKindNames, action_kind_from_name, action_kind_name);
  check_round_trip(kAssessmentNames, assessment_from_name, assessment_name);
  check_round_trip(kBallotNames, ballot_from_name, ballot_name);
  check_round_trip(kNetworkTypeNames, network_type_from_name, network_type_name);
  check_round_trip(kRewireMethodNames, rewire_method_from_name, rewire_method_name);
  check_round_trip(kThresholdRuleNames, threshold_rule_from_name, threshold_rule_name);
  check_round_trip(kUpdateOrderNames, update_order_from_name, update_order_name);
  check_round_trip(kAttemptsNames, attempts_from_name, attempts_name);
  check_round_trip(kLadderRungNames, ladder_rung_from_name, ladder_rung_name);
}

TEST_CASE("every enumerator has its own name, written out here apart from the lists", "[config]") {
  // The lists tie a name to an enumerator by position only: a reordered enum or list would
  // round-trip above and still bind a scenario's "list" to Targeting::network. Here every
  // enumerator is named a second time, by hand, and the size checks that none is left out.
  auto check = [](const auto& names, auto from_name, auto to_name, const auto& expected) {
    CHECK(names.size() == expected.size());
    for (const auto& [value, name] : expected) {
      INFO(name);
      CHECK(from_name(name) == value);
      CHECK(std::string(to_name(value)) == name);
    }
  };
  using S = Strategy;
  check(kStrategyNames, strategy_from_name, strategy_name,
        std::vector<std::pair<S, std::string>>{{S::none, "none"},
                                               {S::relationship_first, "relationship_first"},
                                               {S::issue_first, "issue_first"},
                                               {S::big_messaging, "big_messaging"},
                                               {S::hybrid, "hybrid"},
                                               {S::organizing_only, "organizing_only"}});
  using T = Targeting;
  check(kTargetingNames, targeting_from_name, targeting_name,
        std::vector<std::pair<T, std::string>>{
            {T::network, "network"}, {T::list, "list"}, {T::participants, "participants"}});
  using P = ActionPolicy;
  check(kActionPolicyNames, policy_from_name, policy_name,
        std::vector<std::pair<P, std::string>>{{P::schedule, "schedule"},
                                               {P::continuous, "continuous"},
                                               {P::hot, "hot"},
                                               {P::readiness, "readiness"},
                                               {P::ready_and_hot, "ready_and_hot"},
                                               {P::never, "never"}});
  check(kActionKindNames, action_kind_from_name, action_kind_name,
        std::vector<std::pair<ActionKind, std::string>>{{ActionKind::action, "action"},
                                                        {ActionKind::election, "election"}});
  check(kAssessmentNames, assessment_from_name, assessment_name,
        std::vector<std::pair<Assessment, std::string>>{{Assessment::organized, "organized"},
                                                        {Assessment::yeses, "yeses"}});
  check(kBallotNames, ballot_from_name, ballot_name,
        std::vector<std::pair<Ballot, std::string>>{{Ballot::secret, "secret"},
                                                    {Ballot::open, "open"}});
  using N = NetworkType;
  check(kNetworkTypeNames, network_type_from_name, network_type_name,
        std::vector<std::pair<N, std::string>>{{N::erdos_renyi, "erdos_renyi"},
                                               {N::ring_lattice, "ring_lattice"},
                                               {N::watts_strogatz, "watts_strogatz"},
                                               {N::barabasi_albert, "barabasi_albert"},
                                               {N::complete, "complete"},
                                               {N::workplace, "workplace"},
                                               {N::edge_list, "edge_list"},
                                               {N::roster, "roster"}});
  check(kRewireMethodNames, rewire_method_from_name, rewire_method_name,
        std::vector<std::pair<RewireMethod, std::string>>{{RewireMethod::endpoint, "endpoint"},
                                                          {RewireMethod::swap, "swap"}});
  using R = ThresholdRule;
  check(kThresholdRuleNames, threshold_rule_from_name, threshold_rule_name,
        std::vector<std::pair<R, std::string>>{
            {R::fraction, "fraction"}, {R::count, "count"}, {R::off, "off"}});
  check(kUpdateOrderNames, update_order_from_name, update_order_name,
        std::vector<std::pair<UpdateOrder, std::string>>{
            {UpdateOrder::synchronous, "synchronous"},
            {UpdateOrder::random_sequential, "random_sequential"}});
  check(kAttemptsNames, attempts_from_name, attempts_name,
        std::vector<std::pair<Attempts, std::string>>{{Attempts::once, "once"},
                                                      {Attempts::every_round, "every_round"}});
  using L = LadderRung;
  check(kLadderRungNames, ladder_rung_from_name, ladder_rung_name,
        std::vector<std::pair<L, std::string>>{
            {L::supporter, "supporter"}, {L::member, "member"}, {L::leader, "leader"}});
}

TEST_CASE("the table's choices for each choice key are its enum's names", "[config]") {
  const std::map<std::string, std::vector<std::string>> lists = {
      {"network.type", as_strings(kNetworkTypeNames)},
      {"network.rewire_method", as_strings(kRewireMethodNames)},
      {"participation.threshold_rule", as_strings(kThresholdRuleNames)},
      {"participation.update", as_strings(kUpdateOrderNames)},
      {"participation.contagion.attempts", as_strings(kAttemptsNames)},
      {"campaign.strategy", as_strings(kStrategyNames)},
      {"campaign.targeting", as_strings(kTargetingNames)},
      {"actions.policy", as_strings(kActionPolicyNames)},
      {"actions.kind", as_strings(kActionKindNames)},
      {"actions.assessment", as_strings(kAssessmentNames)},
      {"elections.ballot", as_strings(kBallotNames)},
  };
  std::size_t choice_rows = 0;
  for (const auto& p : parameter_table()) {
    if (p.type != ParamType::choice) continue;
    INFO(p.key);
    ++choice_rows;
    REQUIRE(lists.count(p.key) == 1);  // every choice row is bound to an enum listed here
    const auto& names = lists.at(p.key);
    CHECK(p.choices == names);
    // The default is null (the strategy's preset) or one of the names.
    if (!p.default_value.is_null())
      CHECK(std::find(names.begin(), names.end(), p.default_value.get<std::string>()) !=
            names.end());
  }
  CHECK(choice_rows == lists.size());
  // The two that may be null: the strategy's preset fills them.
  CHECK(find_param("campaign.targeting")->default_value.is_null());
  CHECK(find_param("actions.policy")->default_value.is_null());
}

TEST_CASE("a parameter map without a table key is a programming error", "[config]") {
  json flat = default_parameters();
  flat.erase("actions.readiness");
  CHECK_THROWS_AS(make_config(flat, "t.json", "."), std::logic_error);
  CHECK_THROWS_WITH(make_config(flat, "t.json", "."), Catch::Contains("actions.readiness"));
}

TEST_CASE("cross-field rules name the key, the rule and the value", "[config]") {
  CHECK_THROWS_WITH(test::default_config({"population.size=5",
                                          "population.grievance={\"distribution\": \"values\", "
                                          "\"values\": [0.1, 0.2]}"}),
                    Catch::Contains("population.grievance.values") &&
                        Catch::Contains("5 values") && Catch::Contains("2 values"));
  CHECK_THROWS_WITH(test::default_config({"network.type=ring_lattice", "network.degree=5"}),
                    Catch::Contains("network.degree") && Catch::Contains("even"));
  CHECK_THROWS_WITH(
      test::default_config({"ladder.supporter=0.6"}),
      Catch::Contains("supporter <= member <= leader"));
  CHECK_THROWS_WITH(
      test::default_config({"trust.initial={\"distribution\": \"linspace\", \"from\": 0, "
                            "\"to\": 1}"}),
      Catch::Contains("trust.initial.distribution") && Catch::Contains("\"linspace\""));
  CHECK_THROWS_WITH(
      test::default_config({"network.type=complete",
                            "trust.initial={\"distribution\": \"uniform\", \"min\": 0, "
                            "\"max\": 1}"}),
      Catch::Contains("trust.initial.distribution") && Catch::Contains("\"uniform\""));
  CHECK_THROWS_WITH(
      test::default_config({"network.type=complete", "campaign.strategy=hybrid"}),
      Catch::Contains("campaign.strategy") && Catch::Contains("\"hybrid\""));
  CHECK_THROWS_WITH(test::default_config({"actions.seed={\"agents\": [0, 400]}"}),
                    Catch::Contains("actions.seed.agents[1]"));
}
