// Issue 9: hostile or mistaken input is an InputError naming the file, the JSON path (or line),
// what was expected and what was found; never a wrap-around, a silent default, a raw library
// message or a hang. Each case reproduces an input that once got through.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/errors.hpp"
#include "core/files.hpp"
#include "core/text.hpp"
#include "engine/runner.hpp"
#include "engine/sweep.hpp"
#include "helpers.hpp"
#include "io/scenario.hpp"
#include "model/network.hpp"
#include "model/parameters.hpp"

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
  // Whole numbers written as floats (a sweep's design values are) are ids too: 3.0 is agent 3,
  // and 3e9 is refused against the population like 3000000000, never narrowed to 32 bits.
  CHECK(scenario_error("seed_float_ok.json", with_ids("[3.0, 299.0]")).empty());
  m = scenario_error("seed_float_big.json", with_ids("[3.0, 3000000000.0]"));
  CHECK_THAT(m, Contains("actions.seed.agents[1]") && Contains("found 3000000000") &&
                    Contains("population.size = 300"));
  m = scenario_error("seed_float_frac.json", with_ids("[2.5]"));
  CHECK_THAT(m, Contains("actions.seed.agents[0]") && Contains("integer agent id"));

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

// ---- 9. --set arguments that are not UTF-8 (fuzz_scenario, 2026-12-02) --------------------------

namespace {

/// A scenario harness input: the file's text, then after a NUL byte one --set argument a line.
std::pair<std::string, std::vector<std::string>> harness_input(const std::string& rel) {
  std::ifstream in(test::source_path(rel), std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  const std::size_t nul = bytes.find('\0');
  std::vector<std::string> sets;
  if (nul != std::string::npos) {
    std::istringstream lines(bytes.substr(nul + 1));
    for (std::string line; std::getline(lines, line);) sets.push_back(line);
  }
  return {bytes.substr(0, nul), sets};
}

/// The InputError of loading and planning a fuzzing reproducer; fails on any other outcome.
InputError reproducer_error(const std::string& rel) {
  const auto [text, sets] = harness_input(rel);
  const std::string p = write("reproducer.json", text);
  try {
    make_plan(load_scenario(p, sets));
  } catch (const InputError& e) {
    return e;
  }
  FAIL("accepted " << rel);
  return InputError("", "", "", "");
}

}  // namespace

TEST_CASE("a --set argument that is not UTF-8 names the argument and the byte", "[input][set]") {
  // Once nlohmann's type_error.316 ("invalid UTF-8 byte"), thrown when the value or the key was
  // dumped into a message: the orgsim command line said "failed" and exited 1.
  InputError e = reproducer_error("fuzz/regressions/scenario/set_key_not_utf8.bin");
  CHECK(e.file() == "--set");
  CHECK(e.where() == "\\xC0");
  CHECK_THAT(e.expected(), Contains("UTF-8"));
  CHECK_THAT(e.found(), Contains("the byte 0xC0") && Contains("at byte 1") && Contains("`\\xC0=`"));
  e = reproducer_error("fuzz/regressions/scenario/set_value_not_utf8.bin");
  CHECK(e.where() == "network.type");
  CHECK_THAT(e.found(), Contains("0xFF") && Contains("at byte 14") && Contains("network.type=\\xFF"));
  // The message is UTF-8 itself, so it can be dumped.
  CHECK(first_invalid_utf8(e.what()) == std::string::npos);
  CHECK_NOTHROW(json(std::string(e.what())).dump());
  // A truncated sequence, an overlong form and a surrogate, in a value of each kind.
  for (const std::string& arg : {std::string("population.threshold=\xC3"), std::string("name=\xC0\xAF"),
                                std::string("steps=\xED\xA0\x80"), std::string("seed=4\xF5")}) {
    INFO(arg);
    CHECK_THROWS_AS(parse_set_argument(arg), InputError);
  }
  // UTF-8 is fine, as a bare word or inside JSON.
  CHECK(parse_set_argument("name=caf\xC3\xA9").second == "caf\xC3\xA9");
  CHECK(parse_set_argument("name=\"\xE2\x82\xAC\"").second == "\xE2\x82\xAC");
  CHECK(scenario_error("utf8_ok.json", R"({"population": {"size": 100}})",
                       {"name=gr\xC3\xBC\xC3\x9F" "e"}).empty());
}

// ---- 10. array indices in sub-keys (fuzz_scenario, 2026-12-02) --------------------------------

TEST_CASE("an array index past the end in a --set or arm key names the key and the length",
          "[input][set]") {
  // Once std::length_error ("vector::_M_default_append"): nlohmann's JSON pointer filled the
  // array with nulls up to the index; 3 x 10^8 asked for 4.8 GB.
  InputError e = reproducer_error("fuzz/regressions/scenario/arm_set_index_1e18.json");
  CHECK_THAT(e.file(), Contains("reproducer.json"));
  CHECK(e.where() == "arms[0].set.actions.seed.agents.1000000000000000000");
  CHECK_THAT(e.expected(), Contains("the index 0") && Contains("`actions.seed.agents` is not set"));
  CHECK_THAT(e.found(), Contains("`1000000000000000000`"));
  e = reproducer_error("fuzz/regressions/scenario/set_index_3e8_oom.bin");
  CHECK(e.file() == "--set");
  CHECK(e.where() == "actions.seed.agents.300000000");
  CHECK_THAT(e.found(), Contains("`300000000`"));
  // Into an existing array: an element or the next one, not further.
  const std::string agents = R"(actions.seed={"agents": [1, 2]})";
  auto m = scenario_error("index_past.json", R"({"population": {"size": 100}})",
                          {agents, "actions.seed.agents.3=5"});
  CHECK_THAT(m, Contains("--set: actions.seed.agents.3") &&
                    Contains("an index into `actions.seed.agents` of at most 2") &&
                    Contains("found `3`"));
  m = scenario_error("index_huge.json", R"({"population": {"size": 100}})",
                     {agents, "actions.seed.agents.99999999999999999999999=5"});
  CHECK_THAT(m, Contains("of at most 2"));
  for (const char* ok : {"actions.seed.agents.1=7", "actions.seed.agents.2=7"}) {
    INFO(ok);
    CHECK(scenario_error("index_ok.json", R"({"population": {"size": 100}})", {agents, ok})
              .empty());
  }
  json flat = default_parameters();
  set_parameter(flat, "actions.seed", json::parse(R"({"agents": [1, 2]})"), "--set", "x");
  set_parameter(flat, "actions.seed.agents.2", 9, "--set", "x");
  CHECK(flat["actions.seed"]["agents"] == json::parse("[1, 2, 9]"));
}

TEST_CASE("range errors print integer bounds exactly, never in floating-point notation",
          "[input][range]") {
  // They read "[1, 2.14748e+09]", "[0, 1.84467e+19]" and "[1, 1e+06]".
  const auto expected = [](const std::string& set) {
    try {
      json flat = default_parameters();
      const auto [key, value] = parse_set_argument(set);
      set_parameter(flat, key, value, "--set", key);
    } catch (const InputError& e) {
      return e.expected();
    }
    return std::string("no error");
  };
  CHECK(expected("population.size=0") == "an integer in [1, 2147483647]");
  CHECK(expected("network.degree=1") == "an integer in [2, 2147483647]");
  CHECK(expected("steps=0") == "an integer in [1, 1000000]");
  CHECK(expected("replicates=0") == "an integer in [1, 10000000]");
  // The seed's upper bound is that of the 64-bit type: no JSON integer exceeds it.
  CHECK(expected("seed=-1") == "an integer >= 0");
  // A number without an upper bound says so, not "[0, inf]".
  CHECK(expected("network.mean_degree=-1") == "a number >= 0");
  CHECK(expected("campaign.skill=-1") == "a number in [0, 5]");
  // The parameter table (orgsim params, PARAMETERS.md) prints them exactly too.
  CHECK_THAT(parameters_text(), Contains("seed  (integer)  default 1  range [0, "
                                         "18446744073709551615]"));
  CHECK_THAT(parameters_text(), !Contains("e+"));
}
