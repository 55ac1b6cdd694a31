// Issue 9: hostile or mistaken input is an InputError naming the file, the JSON path (or line),
// what was expected and what was found; never a wrap-around, a silent default, a raw library
// message or a hang. Each case reproduces an input that once got through.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/errors.hpp"
#include "core/files.hpp"
#include "engine/runner.hpp"
#include "engine/sweep.hpp"
#include "helpers.hpp"
#include "model/network.hpp"

using namespace orgsim;
using nlohmann::json;
using Catch::Contains;

namespace {

std::string write(const std::string& name, const std::string& text) {
  const std::string p = test::tmp_path(name);
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

/// The InputError of loading `text` as a scenario file (and planning it), or "".
std::string scenario_error(const std::string& name, const std::string& text,
                           const std::vector<std::string>& sets = {}) {
  const std::string p = write(name, text);
  try {
    make_plan(load_scenario(p, sets));
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

// ---- 1. seed agent ids -----------------------------------------------------------------------

TEST_CASE("seed agent ids are checked as 64-bit values against population.size",
          "[input][seed]") {
  // The fuzzing reproducer: 2^31 wrapped to a negative id and wrote out of bounds.
  try {
    make_plan(load_scenario(test::source_path("fuzz/regressions/scenario/seed_agent_id_2pow31.json")));
    FAIL("accepted agent 2^31");
  } catch (const InputError& e) {
    CHECK_THAT(e.what(), Contains("seed_agent_id_2pow31.json") &&
                             Contains("actions.seed.agents[0]") && Contains("2147483648") &&
                             Contains("population.size = 300"));
  }
  const auto with_ids = [](const std::string& ids) {
    return R"({"population": {"size": 300}, "steps": 2, "replicates": 1,
               "actions": {"seed": {"agents": )" + ids + "}}}";
  };
  // 2^32 + 7 once seeded agent 7.
  auto m = scenario_error("seed_2p32.json", with_ids("[3, 4294967303]"));
  CHECK_THAT(m, Contains("actions.seed.agents[1]") && Contains("4294967303"));
  m = scenario_error("seed_u64.json", with_ids("[18446744073709551615]"));
  CHECK_THAT(m, Contains("actions.seed.agents[0]") && Contains("18446744073709551615"));
  m = scenario_error("seed_negative.json", with_ids("[-1]"));
  CHECK_THAT(m, Contains("actions.seed.agents[0]") && Contains("-1"));
  m = scenario_error("seed_equal_n.json", with_ids("[299, 300]"));
  CHECK_THAT(m, Contains("actions.seed.agents[1]") && Contains("found 300"));
  CHECK(scenario_error("seed_ok.json", with_ids("[0, 299]")).empty());

  // The final size decides: an arm or --set that shrinks the population.
  m = scenario_error("seed_arm.json", R"({"population": {"size": 300}, "steps": 2,
      "replicates": 1, "actions": {"seed": {"agents": [250]}},
      "arms": [{"name": "big"}, {"name": "small", "set": {"population.size": 200}}]})");
  CHECK_THAT(m, Contains("actions.seed.agents[0]") && Contains("population.size = 200"));
  m = scenario_error("seed_set.json", with_ids("[250]"), {"population.size=100"});
  CHECK_THAT(m, Contains("actions.seed.agents[0]") && Contains("population.size = 100"));
  m = scenario_error("seed_set_ids.json", with_ids("[1]"),
                     {"actions.seed.agents=[2147483648]"});
  CHECK_THAT(m, Contains("actions.seed.agents[0]") && Contains("2147483648"));
}

TEST_CASE("a random seed count beyond the population or a fraction outside [0, 1] is an error",
          "[input][seed]") {
  const auto with_seed = [](const std::string& seed) {
    return R"({"population": {"size": 300}, "steps": 2, "replicates": 1,
               "actions": {"seed": )" + seed + "}}";
  };
  // Once seeded nobody (the count wrapped to -1).
  auto m = scenario_error("seed_rand_u64.json", with_seed(R"({"random": 18446744073709551615})"));
  CHECK_THAT(m, Contains("actions.seed.random") && Contains("18446744073709551615"));
  m = scenario_error("seed_rand_big.json", with_seed(R"({"random": 301})"));
  CHECK_THAT(m, Contains("actions.seed.random") && Contains("[0, 300]"));
  CHECK(scenario_error("seed_rand_all.json", with_seed(R"({"random": 300})")).empty());
  m = scenario_error("seed_frac.json", with_seed(R"({"fraction": 1.5})"));
  CHECK_THAT(m, Contains("actions.seed.fraction") && Contains("1.5"));
  m = scenario_error("seed_frac_neg.json", with_seed(R"({"fraction": -0.1})"));
  CHECK_THAT(m, Contains("actions.seed.fraction"));
  // Through --set, too.
  m = scenario_error("seed_rand_set.json", with_seed(R"({"random": 3})"),
                     {"actions.seed.random=5000"});
  CHECK_THAT(m, Contains("actions.seed.random") && Contains("5000"));
}

// ---- 2. numbers beyond the double range ------------------------------------------------------

TEST_CASE("a number beyond the double range names the file, the path, line and column",
          "[input][json]") {
  try {
    load_scenario(test::source_path("fuzz/regressions/scenario/number_overflow_1e309.json"));
    FAIL("accepted 1e309");
  } catch (const InputError& e) {
    const std::string m = e.what();
    CHECK_THAT(m, Contains("number_overflow_1e309.json") && Contains("steps") &&
                      Contains("line 1") && Contains("1e309") && Contains("double"));
    CHECK_THAT(m, !Contains("out_of_range") && !Contains("[json.exception"));
  }
  const auto m = scenario_error("overflow_nested.json",
                                "{\"population\": {\n  \"size\": 100,\n  \"threshold\": 2e485}}");
  CHECK_THAT(m, Contains("population.threshold") && Contains("line 3") && Contains("2e485"));
  // In a sweep file.
  const std::string sweep = write("overflow_sweep.json", R"({"scenario": {"steps": 2},
      "design": {"type": "grid", "parameters": {"population.size": {"values": [10, 1e400]}}}})");
  try {
    load_sweep(sweep);
    FAIL("accepted 1e400");
  } catch (const InputError& e) {
    CHECK_THAT(e.what(), Contains("overflow_sweep.json") &&
                             Contains("design.parameters.population.size.values[1]") &&
                             Contains("1e400"));
  }
  // In a --set value: names the argument.
  try {
    parse_set_argument("steps=1e309");
    FAIL("accepted --set steps=1e309");
  } catch (const InputError& e) {
    CHECK(e.file() == "--set");
    CHECK(e.where() == "steps");
    CHECK_THAT(e.what(), Contains("steps=1e309") && Contains("double"));
  }
  // A bare word is still a string.
  CHECK(parse_set_argument("network.type=complete").second == "complete");
}

// ---- 3. keys that break JSON-pointer handling --------------------------------------------------

TEST_CASE("a --set or arm key with ~ or / is refused naming the key", "[input][set]") {
  for (const char* key : {"population.threshold.~", "population.threshold.a~2",
                          "population.threshold.value/x", "population..size",
                          "population.threshold.value "}) {
    INFO(key);
    const auto m = scenario_error("key_set.json", R"({"population": {"size": 100}})",
                                  {std::string(key) + "=3"});
    CHECK_THAT(m, Contains("--set") && Contains("dotted parameter key"));
  }
  const auto m = scenario_error("key_arm.json", R"({"population": {"size": 100},
      "arms": [{"name": "a", "set": {"population.threshold.~1": 3}}]})");
  CHECK_THAT(m, Contains("key_arm.json") && Contains("arms[0].set.population.threshold.~1") &&
                    Contains("dotted parameter key"));
}

// ---- 4. duplicate keys -----------------------------------------------------------------------

TEST_CASE("a key given twice in one object names the path and both places", "[input][json]") {
  auto m = scenario_error("dup_top.json",
                          "{\"population\": {\"size\": 100},\n\"steps\": 2,\n"
                          "\"population\": {\"size\": 5000}}");
  CHECK_THAT(m, Contains("dup_top.json: population: expected each key once") &&
                    Contains("first at line 1") && Contains("again at line 3"));
  m = scenario_error("dup_nested.json",
                     "{\"population\": {\"size\": 100,\n  \"size\": 200}}");
  CHECK_THAT(m, Contains("population.size") && Contains("line 1") && Contains("line 2"));
  m = scenario_error("dup_arm.json", R"({"arms": [{"name": "a"},
      {"name": "b", "set": {"steps": 3, "steps": 4}}]})");
  CHECK_THAT(m, Contains("arms[1].set.steps"));
  // Sweep files use the same parser.
  const std::string sweep = write("dup_sweep.json", "{\"scenario\": {\"steps\": 2},\n"
                                                    "\"replicates\": 2,\n\"replicates\": 3}");
  CHECK_THROWS_WITH(load_sweep(sweep), Contains("dup_sweep.json: replicates") &&
                                           Contains("line 2") && Contains("line 3"));
  // Equal keys in different objects are fine.
  CHECK(scenario_error("dup_ok.json", R"({"population": {"size": 100},
      "arms": [{"name": "a", "set": {"steps": 3}}, {"name": "b", "set": {"steps": 3}}]})")
            .empty());
}

// ---- 6. edge lists and files that are not regular --------------------------------------------

TEST_CASE("an edge list of binary data, NUL bytes or no ties is an error naming file and line",
          "[input][edge_list]") {
  struct Case {
    const char* what;
    std::string content;
    std::string where, mention;
  };
  const std::vector<Case> cases = {
      {"binary garbage on one line", std::string("\x89PNG\r\n\x1a\n\x00\x01\xff", 11), "line 1",
       "0x89"},
      {"a NUL byte after ties", std::string("0,1\n1,2\n2,\0" "3\n", 13), "line 3", "NUL"},
      {"not UTF-8", "source,target\n0,1\n1,2 \xe9t\xe9\n", "line 3", "0xe9"},
      {"header only", "source,target\n", "", "only a header"},
      {"empty", "", "", "no ties"},
      {"comments only", "# nothing yet\n\n", "", "no ties"},
  };
  int k = 0;
  for (const auto& c : cases) {
    INFO(c.what);
    const std::string path = write("strict_edges" + std::to_string(k++) + ".csv", c.content);
    try {
      read_edge_list(path, "data/staff.csv", 5);
      FAIL("accepted");
    } catch (const InputError& e) {
      CHECK(e.file() == "data/staff.csv");
      CHECK(e.where() == c.where);
      CHECK_THAT(e.what(), Contains(c.mention));
    }
  }
  // UTF-8 text in a header is fine.
  const std::string ok = write("strict_edges_utf8.csv", "s\xc3\xa9lection,cible\n0,1\n");
  CHECK(read_edge_list(ok, "ok.csv", 5).num_ties() == 1);
}

TEST_CASE("a directory, FIFO or device named as an input file is an error, not a hang",
          "[input][files]") {
  const std::string dir = test::tmp_path("strict_dir.json");
  std::filesystem::create_directories(dir);
  const std::string fifo = test::tmp_path("strict_fifo.json");
  std::filesystem::remove(fifo);
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  const std::string link = test::tmp_path("strict_link_to_dir.json");
  std::filesystem::remove(link);
  std::filesystem::create_directory_symlink(dir, link);
  struct Case {
    std::string path, found;
  };
  for (const auto& [path, found] : std::vector<Case>{{dir, "a directory"},
                                                     {fifo, "a FIFO"},
                                                     {"/dev/zero", "a character device"},
                                                     {link, "a directory"}}) {
    INFO(path);
    CHECK_THROWS_WITH(load_scenario(path), Contains(path) && Contains(found));
    CHECK_THROWS_WITH(load_sweep(path), Contains(path) && Contains(found));
    CHECK_THROWS_WITH(read_edge_list(path, "edges.csv", 5),
                      Contains("edges.csv") && Contains(found));
    CHECK_THROWS_WITH(read_results(path), Contains(path) && Contains(found));
    CHECK_THROWS_AS(require_regular_file(path, "test file"), InputError);
  }
  // As a base (extends) or an edge list named by a scenario.
  write("strict_fifo_base.json", R"({"extends": "strict_fifo.json"})");
  CHECK_THROWS_WITH(load_scenario(test::tmp_path("strict_fifo_base.json")),
                    Contains("extends") && Contains("a FIFO"));
  write("strict_fifo_edges.json", R"({"population": {"size": 5},
      "network": {"type": "edge_list", "path": "/dev/zero"}})");
  CHECK_THROWS_WITH(load_scenario(test::tmp_path("strict_fifo_edges.json")),
                    Contains("network.path") && Contains("a character device"));
  std::filesystem::remove(fifo);
  std::filesystem::remove(link);
}

// ---- 8. the memory refusal names the terms that cause it ---------------------------------------

TEST_CASE("the memory refusal blames the dominant terms with their values", "[input][memory]") {
  json d = {{"population", {{"size", 100}}}, {"steps", 1000000}, {"replicates", 10000000},
            {"network", {{"type", "erdos_renyi"}, {"mean_degree", 4}}}};
  const Scenario sc = scenario_from_json(d, "long.json", ".", "");
  try {
    check_resources(make_plan(sc), sc.file, 2);
    FAIL("accepted");
  } catch (const InputError& e) {
    CHECK(e.where() == "steps, replicates");
    CHECK_THAT(e.what(), Contains("1000000 steps") && Contains("10000000 runs"));
    CHECK_THAT(e.hint(), Contains("fewer steps or replicates"));
  }
  json big = {{"population", {{"size", 1000000000}}}, {"steps", 2}, {"replicates", 64},
              {"network", {{"type", "complete"}}}, {"campaign", {{"strategy", "none"}}}};
  const Scenario sb = scenario_from_json(big, "big.json", ".", "");
  try {
    check_resources(make_plan(sb), sb.file, 64);
    FAIL("accepted");
  } catch (const InputError& e) {
    CHECK(e.where() == "population.size");
  }
}
