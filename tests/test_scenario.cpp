// Scenario validation at the boundary: unknown keys, types, ranges, cross-field rules, --set,
// arms. Every error must name the file, the JSON path, what was expected and what was found.
#include <catch2/catch.hpp>

#include <fstream>

#include "core/errors.hpp"
#include "helpers.hpp"
#include "model/config.hpp"

using namespace orgsim;
using nlohmann::json;

namespace {
json minimal() {
  return json::parse(R"({"name": "t", "population": {"size": 200}, "steps": 3, "replicates": 2})");
}
std::string error_of(const json& doc, const std::vector<std::string>& sets = {}) {
  try {
    const Scenario sc = scenario_from_json(doc, "case.json", ".", doc.dump(), sets);
    make_plan(sc);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}
}  // namespace

TEST_CASE("a minimal scenario takes every other value from the table", "[scenario]") {
  const Scenario sc = scenario_from_json(minimal(), "case.json", ".", "");
  CHECK(sc.base["population.size"] == 200);
  CHECK(sc.base["network.type"] == "workplace");
  CHECK(sc.arms.size() == 1);
  CHECK(sc.arms[0].name == "baseline");
  CHECK(sc.name == "t");
}

TEST_CASE("unknown keys are rejected with a did-you-mean", "[scenario]") {
  json d = minimal();
  d["population"]["treshold"] = {{"distribution", "constant"}, {"value", 1}};
  const auto e = error_of(d);
  CHECK(contains(e, "case.json"));
  CHECK(contains(e, "population.treshold"));
  CHECK(contains(e, "did you mean `population.threshold`"));

  json d2 = minimal();
  d2["netwrok"] = {{"type", "complete"}};
  CHECK(contains(error_of(d2), "did you mean `network`"));

  json d3 = minimal();
  d3["population"]["threshold"] = {{"distribution", "normal"}, {"mu", 0.3}, {"sd", 0.1}};
  const auto e3 = error_of(d3);
  CHECK(contains(e3, "population.threshold.mu"));
  CHECK(contains(e3, "mean"));
}

TEST_CASE("wrong types and out-of-range values name path, expectation and value", "[scenario]") {
  json d = minimal();
  d["population"]["size"] = "many";
  auto e = error_of(d);
  CHECK(contains(e, "population.size"));
  CHECK(contains(e, "integer"));
  CHECK(contains(e, "\"many\""));

  d = minimal();
  d["network"] = {{"type", "erdos_renyi"}, {"mean_degree", -1}};
  e = error_of(d);
  CHECK(contains(e, "network.mean_degree"));
  CHECK(contains(e, "-1"));

  d = minimal();
  d["network"] = {{"type", "small_world"}};
  e = error_of(d);
  CHECK(contains(e, "network.type"));
  CHECK(contains(e, "watts_strogatz"));

  d = minimal();
  d["participation"] = {{"rounds", "forever"}};
  CHECK(contains(error_of(d), "until_stable"));

  d = minimal();
  d["population"]["grievance"] = {{"distribution", "uniform"}, {"min", 0}, {"max", 2}};
  e = error_of(d);
  CHECK(contains(e, "population.grievance"));

  d = minimal();
  d["population"] = 5;
  CHECK(contains(error_of(d), "an object"));
}

TEST_CASE("cross-field rules are checked", "[scenario]") {
  json d = minimal();
  d["population"]["threshold"] = {{"distribution", "values"}, {"values", {0.1, 0.2, 0.3}}};
  auto e = error_of(d);
  CHECK(contains(e, "population.threshold.values"));
  CHECK(contains(e, "200 values"));
  CHECK(contains(e, "3 values"));

  d = minimal();
  d["network"] = {{"type", "ring_lattice"}, {"degree", 5}};
  CHECK(contains(error_of(d), "even"));

  d = minimal();
  d["network"] = {{"type", "complete"}};
  d["trust"] = {{"initial", {{"distribution", "uniform"}, {"min", 0}, {"max", 1}}}};
  CHECK(contains(error_of(d), "constant for network.type = complete"));

  d = minimal();
  d["actions"] = {{"seed", {{"agents", {3, 270}}}}};
  e = error_of(d);
  CHECK(contains(e, "actions.seed.agents[1]"));
  CHECK(contains(e, "270"));

  d = minimal();
  d["network"] = {{"type", "edge_list"}};
  CHECK(contains(error_of(d), "network.path"));

  d = minimal();
  d["participation"] = {{"update", "random_sequential"}, {"contagion", {{"probability", 0.2}}}};
  CHECK(contains(error_of(d), "participation.update"));
}

TEST_CASE("set-overrides reach every parameter, including inside distribution objects", "[scenario]") {
  json d = minimal();
  d["population"]["threshold"] = {
      {"distribution", "quantiles"},
      {"of", {{"distribution", "normal"}, {"mean", 0.3}, {"sd", 0.1}}}};
  const Scenario sc = scenario_from_json(
      d, "case.json", ".", "",
      {"population.size=80", "population.threshold.of.sd=0.12", "network.type=complete",
       "trust.initial.value=1"});
  CHECK(sc.base["population.size"] == 80);
  CHECK(sc.base["population.threshold"]["of"]["sd"] == 0.12);
  CHECK(sc.base["network.type"] == "complete");
  CHECK(sc.base["trust.initial"]["value"] == 1);

  const Scenario sc2 = scenario_from_json(minimal(), "case.json", ".", "",
                                          {"population.threshold.value=3"});
  CHECK(sc2.base["population.threshold"]["value"] == 3);

  auto e = error_of(minimal(), {"population.sise=3"});
  CHECK(contains(e, "--set"));
  CHECK(contains(e, "did you mean `population.size`"));
  CHECK(contains(error_of(minimal(), {"population.size=0"}), "population.size"));
  CHECK(contains(error_of(minimal(), {"population.size"}), "key=value"));
  CHECK(contains(error_of(minimal(), {"population.threshold.sd=0.1"}), "population.threshold.sd"));
}

TEST_CASE("arms override the base and must be well formed", "[scenario]") {
  json d = minimal();
  d["arms"] = json::parse(R"([{"name": "a", "set": {"network.type": "complete",
                                                     "trust.initial.value": 1}},
                               {"name": "b", "set": {"population.threshold.value": 0.9}}])");
  const Scenario sc = scenario_from_json(d, "case.json", ".", "", {"population.size=60"});
  REQUIRE(sc.arms.size() == 2);
  CHECK(sc.arm_params[0]["network.type"] == "complete");
  CHECK(sc.arm_params[1]["network.type"] == "workplace");
  CHECK(sc.arm_params[1]["population.threshold"]["value"] == 0.9);
  CHECK(sc.arm_params[1]["population.size"] == 60);

  json dup = minimal();
  dup["arms"] = json::parse(R"([{"name": "a"}, {"name": "a"}])");
  CHECK(contains(error_of(dup), "arms[1].name"));
  json bad = minimal();
  bad["arms"] = json::parse(R"([{"name": "a", "set": {"population.size": -2}}])");
  CHECK(contains(error_of(bad), "arms[0].set.population.size"));
  json steps = minimal();
  steps["arms"] = json::parse(R"([{"name": "a"}, {"name": "b", "set": {"steps": 9}}])");
  CHECK(contains(error_of(steps), "same value in every arm"));
}

TEST_CASE("malformed JSON reports line and column", "[scenario]") {
  const std::string path = test::tmp_path("broken.json");
  {
    std::ofstream f(path);
    f << "{\n  \"steps\": 3,\n  \"population\": {\"size\": 10,}\n}\n";
  }
  try {
    load_scenario(path);
    FAIL("no error");
  } catch (const InputError& e) {
    const std::string m = e.what();
    CHECK(contains(m, "broken.json"));
    CHECK(contains(m, "line 3"));
  }
  CHECK_THROWS_AS(load_scenario(test::tmp_path("does-not-exist.json")), InputError);
}

TEST_CASE("absurd sizes are refused up front with the memory they need", "[scenario]") {
  json d = minimal();
  // More tie entries than the graph's 32-bit offsets hold: refused when the scenario loads.
  d["population"]["size"] = 2000000000;
  d["network"] = {{"type", "erdos_renyi"}, {"mean_degree", 50}};
  try {
    make_plan(scenario_from_json(d, "case.json", ".", ""));
    FAIL("accepted");
  } catch (const InputError& e) {
    const std::string m = e.what();
    CHECK(contains(m, "case.json: network.mean_degree"));
    CHECK(contains(m, "32-bit"));
  }
  // Within that bound but beyond any machine's memory: refused by the resource check.
  d["population"]["size"] = 1000000000;
  d["network"] = {{"type", "erdos_renyi"}, {"mean_degree", 2}};
  const Scenario sc = scenario_from_json(d, "case.json", ".", "");
  const RunPlan plan = make_plan(sc);
  try {
    check_resources(plan, sc.file, 2);
    FAIL("accepted");
  } catch (const InputError& e) {
    const std::string m = e.what();
    CHECK(contains(m, "population.size"));
    CHECK(contains(m, "GiB"));
  }
}

TEST_CASE("every shipped validation scenario is valid", "[scenario]") {
  for (const char* f : {"granovetter", "granovetter_normal", "watts", "centola_macy", "bass",
                        "sir_percolation"}) {
    INFO(f);
    CHECK_NOTHROW(test::plan_for(std::string("scenarios/validation/") + f + ".json"));
  }
}

TEST_CASE("the generators' checks run when the scenario loads and name the scenario file",
          "[scenario]") {
  // A complete ring lattice (degree = N - 1) has no room for degree-preserving swaps: the
  // generator's own check (check_network_spec) refuses it before any run.
  json d = minimal();
  d["population"]["size"] = 5;
  d["network"] = {{"type", "ring_lattice"}, {"degree", 4}, {"rewire", 0.5},
                  {"rewire_method", "swap"}};
  try {
    make_plan(scenario_from_json(d, "case.json", ".", ""));
    FAIL("accepted");
  } catch (const InputError& e) {
    const std::string m = e.what();
    CHECK(contains(m, "case.json"));
    CHECK(contains(m, "network.rewire"));
  }
}

// ---- "extends": bases, resolution order, provenance ---------------------------------------------

namespace {
std::string write_file(const std::string& name, const std::string& text) {
  const std::string p = test::tmp_path(name);
  std::filesystem::create_directories(std::filesystem::path(p).parent_path());
  std::ofstream(p) << text;
  return p;
}
std::string load_error(const std::string& path, const std::vector<std::string>& sets = {}) {
  try {
    make_plan(load_scenario(path, sets));
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("extends classic: defaults < base < file < --set < arm, with provenance", "[scenario][extends]") {
  const json doc = json::parse(R"({"extends": "classic", "name": "t", "steps": 4,
      "population": {"size": 50}, "decay": {"fear": 0.5}, "trust": {"voice": 0.3},
      "arms": [{"name": "a", "set": {"decay.fatigue": 0.25, "steps": 4}}]})");
  const Scenario sc = scenario_from_json(doc, "case.json", ".", doc.dump(), {"trust.voice=0.7"});
  // Every value of the classic base arrives, except where the file, --set or an arm says otherwise.
  CHECK(sc.bases == std::vector<std::string>{"classic"});
  CHECK(sc.base["decay.trust"] == 0);
  CHECK(sc.origin.at("decay.trust") == "base classic");
  CHECK(sc.base["participation.weights.social"] == 1);
  CHECK(sc.base["trust.initial"]["value"] == 1);
  CHECK(sc.base["campaign.strategy"] == "none");
  CHECK(sc.base["decay.fear"] == 0.5);  // the file beats the base
  CHECK(sc.origin.at("decay.fear") == "file");
  CHECK(sc.base["trust.voice"] == 0.7);  // --set beats the file
  CHECK(sc.origin.at("trust.voice") == "--set");
  CHECK(sc.base["network.type"] == "workplace");
  CHECK(sc.origin.at("network.type") == "default");
  CHECK(sc.arm_params[0]["decay.fatigue"] == 0.25);  // the arm beats the base
  CHECK(sc.arm_origin[0].at("decay.fatigue") == "arm a");
  CHECK(sc.arm_origin[0].at("decay.fear") == "file");
  CHECK(sc.base["decay.fatigue"] == 0);
  // Every key the classic base names resolves from it (and nothing else does).
  const Scenario plain = scenario_from_json(json::parse(R"({"extends": "classic"})"), "c.json", ".", "");
  int from_base = 0;
  for (const auto& [key, origin] : plain.origin) from_base += origin == "base classic" ? 1 : 0;
  CHECK(from_base >= 20);
}

TEST_CASE("extends a file: relative to the naming file, chained, arms inherited, name per file",
          "[scenario][extends]") {
  write_file("extends/base/edges.csv", "0,1\n1,2\n");
  write_file("extends/base/b.json", R"({"extends": "classic", "name": "b-name",
      "description": "the base", "population": {"size": 3},
      "network": {"type": "edge_list", "path": "edges.csv"},
      "arms": [{"name": "x", "set": {"trust.voice": 0.2}}, {"name": "y"}]})");
  const std::string a = write_file("extends/a.json", R"({"extends": "base/b.json", "steps": 2,
      "replicates": 1})");
  const Scenario sc = load_scenario(a);
  CHECK(sc.bases == std::vector<std::string>{"classic", "base/b.json"});
  CHECK(sc.origin.at("decay.trust") == "base classic");
  CHECK(sc.origin.at("population.size") == "base base/b.json");
  CHECK(sc.origin.at("steps") == "file");
  CHECK(sc.name == "a");  // not "b-name": a name is the file's own
  CHECK(sc.base["description"] == "");
  REQUIRE(sc.arms.size() == 2);  // the base's arms, as the file lists none
  CHECK(sc.arm_params[0]["trust.voice"] == 0.2);
  // The base's relative edge list is found next to the base, and read at load.
  const std::string path = sc.base["network.path"].get<std::string>();
  CHECK(std::filesystem::path(path).is_absolute());
  CHECK(std::filesystem::path(path).filename() == "edges.csv");
  REQUIRE(sc.arm_networks.size() == 2);
  REQUIRE(sc.arm_networks[0] != nullptr);
  CHECK(sc.arm_networks[0] == sc.arm_networks[1]);  // read once, shared
  CHECK(sc.arm_networks[0]->num_ties() == 2);
  const RunPlan plan = make_plan(sc);
  CHECK(test::outcome(run_one(plan, 1, 0), "actions") == 2);

  // An array of bases applies in order; the later wins.
  const std::string two = write_file("extends/two.json",
                                     R"({"extends": ["classic", "base/b.json"], "steps": 1})");
  CHECK(load_scenario(two).origin.at("network.type") == "base base/b.json");

  // "arms": [] drops the base's arms: the file runs as one arm, as written (an arm's overrides
  // would otherwise replace the file's own values).
  const std::string one = write_file("extends/one.json", R"({"extends": "base/b.json",
      "trust": {"voice": 0.3}, "arms": []})");
  const Scenario single = load_scenario(one);
  REQUIRE(single.arms.size() == 1);
  CHECK(single.arms[0].name == "baseline");
  CHECK(single.arm_params[0]["trust.voice"] == 0.3);
  // Not an array at all is still an error, naming the file and `arms`.
  const std::string bad = write_file("extends/bad_arms.json", R"({"extends": "base/b.json",
      "arms": {}})");
  CHECK_THROWS_WITH(load_scenario(bad), Catch::Contains("bad_arms.json") &&
                                            Catch::Contains("arms") &&
                                            Catch::Contains("expected an array"));
}

TEST_CASE("extends: a distribution or seed set written without its kind changes only its keys",
          "[scenario][extends]") {
  write_file("extends/normal.json", R"({"population": {"size": 200,
      "threshold": {"distribution": "normal", "mean": 0.2, "sd": 0.05}},
      "actions": {"seed": {"agents": [1, 2]}}})");
  // The file names only the mean and with_neighbors: the base's normal and agents stay.
  const std::string partial = write_file("extends/partial.json", R"({"extends": "normal.json",
      "population": {"threshold": {"mean": 0.3}}, "actions": {"seed": {"with_neighbors": true}},
      "arms": [{"name": "a"}, {"name": "b", "set": {"population.threshold": {"sd": 0.1}}}]})");
  const Scenario sc = load_scenario(partial);
  CHECK(sc.base["population.threshold"] ==
        json::parse(R"({"distribution": "normal", "mean": 0.3, "sd": 0.05})"));
  CHECK(sc.origin.at("population.threshold") == "file");
  CHECK(sc.base["actions.seed"] == json::parse(R"({"agents": [1, 2], "with_neighbors": true})"));
  // An arm's object merges the same way, onto the file's value.
  CHECK(sc.arm_params[1]["population.threshold"] ==
        json::parse(R"({"distribution": "normal", "mean": 0.3, "sd": 0.1})"));
  // Over the table's default too (a constant 0.5): the value alone changes.
  const Scenario own = scenario_from_json(
      json::parse(R"({"population": {"size": 200, "threshold": {"value": 0.3}}})"), "o.json", ".",
      "");
  CHECK(own.base["population.threshold"] ==
        json::parse(R"({"distribution": "constant", "value": 0.3})"));
  // An object that names its kind replaces the value whole.
  const std::string whole = write_file("extends/whole.json", R"({"extends": "normal.json",
      "population": {"threshold": {"distribution": "constant", "value": 0.4}},
      "actions": {"seed": {"random": 3}}})");
  const Scenario w = load_scenario(whole);
  CHECK(w.base["population.threshold"] ==
        json::parse(R"({"distribution": "constant", "value": 0.4})"));
  CHECK(w.base["actions.seed"] == json::parse(R"({"random": 3})"));
  // Inside too: a quantiles distribution's `of` written without its kind keeps the base's, as
  // `--set population.threshold.of.sd=0.2` does; `of` naming its kind replaces it whole.
  write_file("extends/quantiles.json", R"({"population": {"size": 200, "threshold":
      {"distribution": "quantiles", "of": {"distribution": "normal", "mean": 0.2, "sd": 0.05}}}})");
  const std::string nested = write_file("extends/nested.json", R"({"extends": "quantiles.json",
      "population": {"threshold": {"of": {"sd": 0.2}}}})");
  const json want = json::parse(
      R"({"distribution": "quantiles", "of": {"distribution": "normal", "mean": 0.2, "sd": 0.2}})");
  CHECK(load_scenario(nested).base["population.threshold"] == want);
  CHECK(load_scenario(write_file("extends/by_set.json", R"({"extends": "quantiles.json"})"),
                      {"population.threshold.of.sd=0.2"})
            .base["population.threshold"] == want);
  const std::string of_whole = write_file("extends/of_whole.json", R"({"extends":
      "quantiles.json", "population": {"threshold": {"of": {"distribution": "constant",
      "value": 0.4}}}})");
  CHECK(load_scenario(of_whole).base["population.threshold"]["of"] ==
        json::parse(R"({"distribution": "constant", "value": 0.4})"));
  // A key of another kind is still an error naming the file and the key.
  const std::string wrong = write_file("extends/wrong.json", R"({"extends": "normal.json",
      "population": {"threshold": {"value": 0.3}}})");
  const std::string m = load_error(wrong);
  CHECK(contains(m, "wrong.json: population.threshold.value"));
  CHECK(contains(m, "not of normal ones"));
}

TEST_CASE("extends: an error inside a base names the base and each file that extends it",
          "[scenario][extends]") {
  write_file("extends/bad_base.json", R"({"population": {"size": -5}})");
  write_file("extends/mid.json", R"({"extends": "bad_base.json", "steps": 2})");
  const std::string top = write_file("extends/top.json", R"({"extends": ["classic", "mid.json"]})");
  const std::string m = load_error(top);
  CHECK(contains(m, "bad_base.json: population.size: expected an integer"));
  CHECK(contains(m, "bad_base.json is the base of"));
  CHECK(contains(m, "mid.json (`extends`)"));
  CHECK(contains(m, "mid.json is the base of"));
  CHECK(contains(m, "top.json (`extends[1]`)"));
}

TEST_CASE("extends: cycles and missing bases name the file, `extends`, expected and found",
          "[scenario][extends]") {
  const std::string a = write_file("cycle/a.json", R"({"extends": "b.json"})");
  write_file("cycle/b.json", R"({"extends": "./a.json"})");
  std::string e = load_error(a);
  CHECK(contains(e, "b.json: extends: expected a base that does not lead back"));
  CHECK(contains(e, "a cycle:"));
  CHECK(contains(e, "a.json -> b.json -> ./a.json"));
  const std::string self = write_file("cycle/self.json", R"({"extends": "self.json"})");
  CHECK(contains(load_error(self), "self.json: extends: expected a base that does not lead back"));

  const std::string typo = write_file("missing/typo.json", R"({"extends": "clasic"})");
  e = load_error(typo);
  CHECK(contains(e, "typo.json: extends: expected a built-in base (classic) or the path"));
  CHECK(contains(e, "found \"clasic\""));
  CHECK(contains(e, "did you mean \"classic\"?"));
  const std::string gone = write_file("missing/gone.json",
                                      R"({"extends": ["classic", "nowhere/base.json"]})");
  e = load_error(gone);
  CHECK(contains(e, "gone.json: extends[1]: expected"));
  CHECK(contains(e, "\"nowhere/base.json\": no such file"));
  const std::string bad = write_file("missing/bad.json", R"({"extends": 3})");
  CHECK(contains(load_error(bad), "bad.json: extends: expected a base"));
  // A base's own errors name the base file.
  write_file("missing/broken_base.json", R"({"population": {"size": -1}})");
  const std::string top = write_file("missing/top.json", R"({"extends": "broken_base.json"})");
  e = load_error(top);
  CHECK(contains(e, "broken_base.json: population.size"));
}

TEST_CASE("an edge list is read and checked when the scenario loads, errors naming both files",
          "[scenario][edge_list]") {
  write_file("edges_at_load/bad.csv", "source,target\n0,1\n1,7\n");
  const std::string sc = write_file("edges_at_load/sc.json", R"({"population": {"size": 3},
      "network": {"type": "edge_list", "path": "bad.csv"}})");
  try {
    load_scenario(sc);  // no plan, no run: the loader alone
    FAIL("accepted");
  } catch (const InputError& e) {
    const std::string m = e.what();
    CHECK(e.file() == sc);
    CHECK(e.where() == "network.path");
    CHECK(contains(m, "bad.csv line 3"));
    CHECK(contains(m, "expected a target agent id in [0, 3)"));
    CHECK(contains(m, "found 7"));
  }
  const std::string armed = write_file("edges_at_load/arm.json", R"({"population": {"size": 3},
      "arms": [{"name": "a"}, {"name": "b", "set": {"network.type": "edge_list",
                                                  "network.path": "missing.csv"}}]})");
  const std::string e = load_error(armed);
  CHECK(contains(e, "arm.json: arms[1].set.network.path: expected"));
  CHECK(contains(e, "no such file (missing.csv)"));
}
