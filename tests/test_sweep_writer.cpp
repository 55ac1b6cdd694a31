// The sweep writer (engine/sweep.cpp run_sweep): a fresh single-process sweep builds its final
// file while it runs (build_final) and leaves no parts; that file holds exactly what the parts
// merged afterwards give, for any thread count, and an interrupted or sharded sweep still goes
// through the parts.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "engine/sweep.hpp"
#include "helpers.hpp"
#include "io/results_file.hpp"

using namespace orgsim;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string sweep_file() {
  std::ifstream in(test::source_path("scenarios/default.json"));
  json sc = json::parse(in);
  sc["population"]["size"] = 100;
  sc["network"]["departments"] = 5;
  sc["steps"] = 30;
  const json sweep = {{"name", "writer"},
                      {"scenario", sc},
                      {"design", json::parse(R"({"type": "morris", "trajectories": 3, "levels": 4,
                          "parameters": {"campaign.hours_per_step": {"min": 5, "max": 30},
                                         "environment.turnover": {"min": 0, "max": 0.02}}})")},
                      {"replicates", 2},
                      {"seed", 9}};
  const std::string path = test::tmp_path("sweep_writer.json");
  std::ofstream(path) << sweep.dump(2);
  return path;
}

std::string fresh(const std::string& name) {
  const std::string out = test::tmp_path(name + ".h5");
  fs::remove(out);
  fs::remove_all(out + ".parts");
  return out;
}

/// Equal values, NaN equal to NaN (undefined indices are NaN in both).
bool same_values(const std::vector<std::vector<std::vector<double>>>& a,
                 const std::vector<std::vector<std::vector<double>>>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].size() != b[i].size()) return false;
    for (std::size_t j = 0; j < a[i].size(); ++j) {
      if (a[i][j].size() != b[i][j].size()) return false;
      for (std::size_t k = 0; k < a[i][j].size(); ++k) {
        const double x = a[i][j][k], y = b[i][j][k];
        if (!(x == y || (std::isnan(x) && std::isnan(y)))) return false;
      }
    }
  }
  return true;
}

void require_same(const ResultsFile& a, const ResultsFile& b) {
  REQUIRE(a.runs.size() == b.runs.size());
  for (std::size_t i = 0; i < a.runs.size(); ++i) {
    const auto &x = a.runs[i], &y = b.runs[i];
    INFO("run " << i);
    CHECK(x.run == y.run);
    CHECK(x.seed == y.seed);
    CHECK(x.params == y.params);
    CHECK(x.wins.size() == y.wins.size());
    REQUIRE(x.per_step.size() == y.per_step.size());
    CHECK(std::memcmp(x.per_step.data(), y.per_step.data(), x.per_step.size() * sizeof(float)) == 0);
    CHECK(std::memcmp(x.per_run.data(), y.per_run.data(), x.per_run.size() * sizeof(double)) == 0);
  }
  REQUIRE(a.durability.size() == b.durability.size());
  for (std::size_t k = 0; k < a.durability.size(); ++k) {
    CHECK(a.durability[k].wins == b.durability[k].wins);
    CHECK(a.durability[k].curve.survival == b.durability[k].curve.survival);
  }
  CHECK(a.design.points == b.design.points);
  CHECK(same_values(a.sensitivity.mu_star, b.sensitivity.mu_star));
  CHECK(same_values(a.sensitivity.sigma, b.sensitivity.sigma));
  CHECK(a.sensitivity.method == "morris");
}

}  // namespace

TEST_CASE("sweep writer: the file built while running equals the merged parts, any threads",
          "[sweep]") {
  const Sweep s = load_sweep(sweep_file());
  const std::string merged = fresh("sweep_writer_merged");
  SweepOptions opt;
  opt.threads = 1;
  opt.part_runs = 7;  // several parts
  run_sweep(s, merged, opt);
  REQUIRE(has_parts(merged));
  merge_parts(merged + ".parts", merged);
  const ResultsFile reference = read_results(merged);

  for (unsigned threads : {1u, 2u, 3u}) {
    const std::string out = fresh("sweep_writer_built_" + std::to_string(threads));
    SweepOptions built = opt;
    built.threads = threads;
    built.build_final = true;
    run_sweep(s, out, built);
    INFO(threads << " thread(s)");
    CHECK_FALSE(has_parts(out));
    CHECK_FALSE(fs::exists(out + ".parts"));
    CHECK_FALSE(fs::exists(out + ".partial"));
    require_same(reference, read_results(out));
  }
}

TEST_CASE("sweep writer: a sharded sweep still leaves parts to merge", "[sweep]") {
  const Sweep s = load_sweep(sweep_file());
  const std::string out = fresh("sweep_writer_shard");
  SweepOptions opt;
  opt.threads = 2;
  opt.build_final = true;
  opt.shards = 2;
  opt.shard = 0;
  run_sweep(s, out, opt);
  CHECK(has_parts(out));
  CHECK_FALSE(fs::exists(out));
}
