// The command line as a user meets it: exit codes, error messages on stderr, nothing written
// under the output name when input is invalid.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "helpers.hpp"

using namespace orgsim;
namespace fs = std::filesystem;

namespace {
struct Result {
  int code;
  std::string out, err;
};
Result sh(const std::string& args) {
  // ctest runs test cases in parallel processes: every call gets its own capture files.
  static int calls = 0;
  const std::string tag = std::to_string(getpid()) + "-" + std::to_string(++calls);
  const std::string out = test::tmp_path("cli-" + tag + ".out");
  const std::string err = test::tmp_path("cli-" + tag + ".err");
  const std::string cmd = std::string(ORGSIM_BINARY) + " " + args + " >" + out + " 2>" + err;
  const int status = std::system(cmd.c_str());
  auto slurp = [](const std::string& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}
std::string write(const std::string& name, const std::string& text) {
  const std::string p = test::tmp_path(name);
  std::ofstream(p) << text;
  return p;
}
}  // namespace

TEST_CASE("orgsim run writes the results file and prints the summary", "[cli]") {
  const std::string out = test::tmp_path("cli_granovetter.h5");
  fs::remove(out);
  const auto r = sh("run " + test::source_path("scenarios/validation/granovetter.json") + " -o " +
                    out + " --threads 2 --quiet");
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK(fs::exists(out));
  CHECK_FALSE(fs::exists(out + ".partial"));
  CHECK(r.out.find("final_turnout") != std::string::npos);
}

TEST_CASE("invalid input exits 2, names the problem and writes nothing", "[cli]") {
  const std::string out = test::tmp_path("cli_bad.h5");
  fs::remove(out);
  const std::string bad = write("bad_scenario.json",
                                R"({"population": {"size": 100, "thresold": 0.3}})");
  auto r = sh("run " + bad + " -o " + out);
  CHECK(r.code == 2);
  CHECK(r.err.find("bad_scenario.json") != std::string::npos);
  CHECK(r.err.find("population.thresold") != std::string::npos);
  CHECK(r.err.find("did you mean `population.threshold`") != std::string::npos);
  CHECK_FALSE(fs::exists(out));
  CHECK_FALSE(fs::exists(out + ".partial"));

  r = sh("run " + test::source_path("scenarios/validation/granovetter.json") + " -o " + out +
         " --set population.size=-5");
  CHECK(r.code == 2);
  CHECK(r.err.find("population.size") != std::string::npos);
  CHECK_FALSE(fs::exists(out));

  const std::string edges = write("bad_edges.csv", "source,target\n0,1\n1,1\n");
  const std::string el = write("edge_scenario.json",
                               R"({"population": {"size": 3}, "steps": 1, "replicates": 1,
                                   "network": {"type": "edge_list", "path": "bad_edges.csv"}})");
  r = sh("run " + el + " -o " + out);
  CHECK(r.code == 2);
  CHECK(r.err.find("bad_edges.csv") != std::string::npos);
  CHECK(r.err.find("line 3") != std::string::npos);
  CHECK_FALSE(fs::exists(out));

  CHECK(sh("frobnicate").code == 2);
  CHECK(sh("run").code == 2);
  CHECK(sh("run x.json --threads=many").code == 2);
}

TEST_CASE("orgsim check validates and prints the plan", "[cli]") {
  const auto r = sh("check " + test::source_path("scenarios/validation/centola_macy.json"));
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK(r.out.find("3 arm(s) x 20 replicate(s) = 60 runs") != std::string::npos);
  CHECK(r.out.find("time:") != std::string::npos);
}

TEST_CASE("every command has --help", "[cli]") {
  for (const char* c : {"run", "check", "params", "outputs", "summarize"}) {
    INFO(c);
    const auto r = sh(std::string(c) + " --help");
    CHECK(r.code == 0);
    CHECK(r.out.find("usage") != std::string::npos);
  }
}

TEST_CASE("a bad edge list stops check and run before anything is planned, run or written",
          "[cli][edge_list]") {
  const std::string out = test::tmp_path("cli_bad_edges.h5");
  fs::remove(out);
  write("cli_edges_bad.csv", "source,target,trust\n0,1,0.5\n1,2,1.5\n");
  const std::string sc = write("cli_edges_scenario.json",
                               R"({"population": {"size": 3}, "steps": 1, "replicates": 1,
                                   "network": {"type": "edge_list", "path": "cli_edges_bad.csv"}})");
  for (const std::string& cmd : {"check " + sc, "run " + sc + " -o " + out}) {
    INFO(cmd);
    const auto r = sh(cmd);
    CHECK(r.code == 2);
    // The scenario file, the JSON path, the CSV file and line, expected and found.
    CHECK(r.err.find("cli_edges_scenario.json: network.path: expected a trust value") !=
          std::string::npos);
    CHECK(r.err.find("found '1.5' (cli_edges_bad.csv line 3)") != std::string::npos);
    CHECK(r.out.find("plan:") == std::string::npos);
    CHECK(r.err.find("orgsim run") == std::string::npos);  // the run never started
    CHECK_FALSE(fs::exists(out));
    CHECK_FALSE(fs::exists(out + ".partial"));
  }
  const std::string missing = write("cli_edges_missing.json",
                                    R"({"population": {"size": 3},
                                        "network": {"type": "edge_list", "path": "nowhere.csv"}})");
  const auto r = sh("check " + missing);
  CHECK(r.code == 2);
  CHECK(r.err.find("cli_edges_missing.json: network.path: expected a readable CSV edge list") !=
        std::string::npos);
  CHECK(r.err.find("no such file (nowhere.csv)") != std::string::npos);
}

TEST_CASE("orgsim check --explain says where every value came from", "[cli][extends]") {
  const auto r = sh("check " + test::source_path("scenarios/validation/centola_macy.json") +
                    " --explain --set population.size=500");
  INFO(r.err);
  REQUIRE(r.code == 0);
  auto has = [&](const std::string& key, const std::string& origin) {
    for (std::size_t pos = r.out.find("\n  " + key + " "); pos != std::string::npos;
         pos = r.out.find("\n  " + key + " ", pos + 1)) {
      const std::string line = r.out.substr(pos + 1, r.out.find('\n', pos + 1) - pos - 1);
      if (line.size() >= origin.size() + 2 &&
          line.compare(line.size() - origin.size() - 2, origin.size() + 2, "(" + origin + ")") == 0)
        return true;
    }
    return false;
  };
  CHECK(has("decay.trust", "base classic"));
  CHECK(has("employer.firing", "base classic"));
  CHECK(has("participation.threshold_rule", "file"));
  CHECK(has("population.size", "--set"));
  CHECK(has("network.mean_degree", "default"));
  CHECK(has("network.rewire", "arm random"));
  CHECK_FALSE(has("decay.trust", "default"));
}

TEST_CASE("a run written from an extends scenario reruns bit-identically after its base changes",
          "[cli][extends]") {
  write("cli_rerun_base.json", R"({"extends": "classic", "population": {"size": 200,
      "threshold": {"distribution": "uniform", "min": 0, "max": 0.5}},
      "network": {"type": "erdos_renyi", "mean_degree": 6}, "steps": 5, "replicates": 3,
      "actions": {"seed": {"random": 3}}})");
  const std::string sc = write("cli_rerun_top.json",
                               R"({"extends": "cli_rerun_base.json", "seed": 9})");
  const std::string out = test::tmp_path("cli_rerun_extends.h5");
  fs::remove(out);
  auto r = sh("run " + sc + " -o " + out + " --quiet");
  INFO(r.err);
  REQUIRE(r.code == 0);
  // The base file changes (a different population and network) after the run was written.
  write("cli_rerun_base.json", R"({"extends": "classic", "population": {"size": 50},
      "network": {"type": "complete"}})");
  for (int k : {0, 2}) {
    r = sh("rerun " + out + " --run " + std::to_string(k));
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(r.out.find("bit-identical to the file") != std::string::npos);
  }
}

TEST_CASE("a sweep over distribution and seed fields reruns bit-identically from its file",
          "[cli][subpath]") {
  const std::string sweep = write("cli_subpath_sweep.json", R"({"name": "cli-subpath",
      "scenario": {"extends": "classic", "steps": 2, "population": {"size": 300,
                   "threshold": {"distribution": "normal", "mean": 0.2, "sd": 0.05}},
                   "network": {"type": "erdos_renyi", "mean_degree": 5}},
      "design": {"type": "lhs", "samples": 4,
                 "parameters": {"population.threshold.mean": {"min": 0.1, "max": 0.3},
                                "actions.seed.random": {"min": 1, "max": 4}}},
      "replicates": 2, "seed": 4})");
  const std::string out = test::tmp_path("cli_subpath_sweep.h5");
  fs::remove(out);
  fs::remove_all(out + ".parts");
  auto r = sh("sweep " + sweep + " -o " + out + " --threads 2 --quiet");
  INFO(r.err);
  REQUIRE(r.code == 0);
  for (int k : {0, 5}) {
    r = sh("rerun " + out + " --run " + std::to_string(k));
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(r.out.find("bit-identical to the file") != std::string::npos);
  }
}
