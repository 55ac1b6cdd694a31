// `orgsim rerun` (sim/io/rerun.*): a run recomputed from what its results file holds is
// bit-identical in every per-step and per-run value and every win, for files written by
// `orgsim run` and by `orgsim sweep`; a file from another orgsim version gets a warning naming
// both versions; and the comparison does notice a changed value.
#include <hdf5.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli.hpp"
#include "helpers.hpp"
#include "io/outputs.hpp"
#include "io/rerun.hpp"
#include "io/results_file.hpp"
#include "orgsim_version.hpp"

using namespace orgsim;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

/// Runs the orgsim binary (as a user would); its exit code.
int orgsim_cli(const std::string& args) { return test::run_cli(args).code; }

/// The default scenario, small: 120 agents, 40 steps (wins and actions still happen).
std::string small_scenario(const std::string& name) {
  std::ifstream in(test::source_path("scenarios/default.json"));
  json sc = json::parse(in);
  sc["population"]["size"] = 120;
  sc["network"]["departments"] = 6;
  sc["steps"] = 40;
  sc["replicates"] = 2;
  sc.erase("extends");
  const std::string path = test::tmp_path(name + ".json");
  std::ofstream(path) << sc.dump(2);
  return path;
}

void require_every_run_identical(const std::string& file) {
  const ResultsFile rf = read_results(file);
  REQUIRE(rf.runs.size() >= 2);
  for (const RunRecord& stored : rf.runs) {
    const Rerun r = rerun(file, stored.run);
    INFO("run " << stored.run);
    CHECK(r.from_results);
    CHECK(r.version_warning.empty());
    CHECK(r.differences.empty());
    // The comparison itself, spelled out: every value bit for bit.
    REQUIRE(r.record.per_step.size() == stored.per_step.size());
    CHECK(std::memcmp(r.record.per_step.data(), stored.per_step.data(),
                      stored.per_step.size() * sizeof(float)) == 0);
    CHECK(std::memcmp(r.record.per_run.data(), stored.per_run.data(),
                      stored.per_run.size() * sizeof(double)) == 0);
    CHECK(r.record.wins.size() == stored.wins.size());
  }
}

}  // namespace

TEST_CASE("rerun: every run of an `orgsim run` file is bit-identical", "[rerun]") {
  const std::string out = test::tmp_path("rerun_run.h5");
  fs::remove(out);
  REQUIRE(orgsim_cli("run " + small_scenario("rerun_run") + " -o " + out + " --threads 2 --quiet") ==
          0);
  require_every_run_identical(out);
}

TEST_CASE("rerun: every run of an `orgsim sweep` file is bit-identical", "[rerun][sweep]") {
  std::ifstream in(small_scenario("rerun_sweep_base"));
  const json sweep = {
      {"name", "rerun-sweep"},
      {"scenario", json::parse(in)},
      {"design", json::parse(R"({"type": "grid", "parameters": {
          "campaign.hours_per_step": [5, 20], "environment.turnover": [0, 0.01]}})")},
      {"replicates", 1},
      {"seed", 5}};
  const std::string sweep_file = test::tmp_path("rerun_sweep.json");
  std::ofstream(sweep_file) << sweep.dump(2);
  const std::string out = test::tmp_path("rerun_sweep.h5");
  fs::remove(out);
  fs::remove_all(out + ".parts");
  REQUIRE(orgsim_cli("sweep " + sweep_file + " -o " + out + " --threads 2 --quiet") == 0);
  require_every_run_identical(out);
  // Rerunning from the sweep file itself gives the stored run too.
  const ResultsFile rf = read_results(out);
  const Rerun r = rerun(sweep_file, 3);
  CHECK_FALSE(r.from_results);
  CHECK(differing_values(rf.runs[3], r.record).empty());
}

TEST_CASE("rerun: a file from another orgsim version is rerun with a warning naming both",
          "[rerun]") {
  const std::string out = test::tmp_path("rerun_version.h5");
  fs::remove(out);
  REQUIRE(orgsim_cli("run " + small_scenario("rerun_version") + " -o " + out + " --quiet") == 0);
  {  // Pretend an older orgsim wrote it.
    const hid_t f = H5Fopen(out.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(f >= 0);
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    const hid_t attr = H5Aopen(f, "orgsim_version", H5P_DEFAULT);
    REQUIRE(attr >= 0);
    const char* old_version = "0.0.1-old";
    REQUIRE(H5Awrite(attr, type, &old_version) >= 0);
    H5Aclose(attr);
    H5Tclose(type);
    H5Fclose(f);
  }
  const Rerun r = rerun(out, 1);
  CHECK_THAT(r.version_warning, Catch::Contains("0.0.1-old") && Catch::Contains(kVersion) &&
                                    Catch::Contains(out));
  CHECK(r.differences.empty());  // the engine did not change, so neither did the run
  CHECK(version_warning(out, kVersion).empty());
  CHECK(version_warning(out, "").empty());
}

TEST_CASE("rerun: the comparison names what differs", "[rerun]") {
  RunRecord a;
  a.per_step.assign(per_step_outputs().size() * 3, 0.5f);
  a.per_run.assign(per_run_outputs().size(), 1.0);
  RunRecord b = a;
  CHECK(differing_values(a, b).empty());
  b.per_step[per_step_index("power") * 3 + 2] = 0.25f;
  b.per_run[per_run_index("wins")] = 2.0;
  b.wins.push_back(WinEvent{});
  const auto d = differing_values(a, b);
  CHECK(d == std::vector<std::string>{"power", "wins", "win_events"});
}
