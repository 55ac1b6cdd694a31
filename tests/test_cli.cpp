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
