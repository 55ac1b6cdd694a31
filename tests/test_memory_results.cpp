// Results files built in memory (io/memory_results.hpp, sweep_to_image): the bytes are a results
// file with the same contents as the one the CLI's path writes to disk.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/runner.hpp"
#include "engine/summary.hpp"
#include "engine/sweep.hpp"
#include "helpers.hpp"
#include "io/memory_results.hpp"
#include "io/results_file.hpp"
#include "io/scenario.hpp"

using namespace orgsim;

namespace {

std::string save(const std::vector<unsigned char>& image, const std::string& name) {
  const std::string path = test::tmp_path(name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(image.data()),
            static_cast<std::streamsize>(image.size()));
  return path;
}

bool same_values(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
  return true;
}
bool same_values(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
  return true;
}

void check_same(const ResultsFile& a, const ResultsFile& b) {
  REQUIRE(a.runs.size() == b.runs.size());
  CHECK(a.header.arm_names == b.header.arm_names);
  CHECK(a.header.kind == b.header.kind);
  CHECK(a.header.master_seed == b.header.master_seed);
  CHECK(a.header.resolved_params_json == b.header.resolved_params_json);
  CHECK(a.header.sweep_json == b.header.sweep_json);
  for (std::size_t i = 0; i < a.runs.size(); ++i) {
    CHECK(a.runs[i].arm == b.runs[i].arm);
    CHECK(a.runs[i].replicate == b.runs[i].replicate);
    CHECK(a.runs[i].point == b.runs[i].point);
    CHECK(a.runs[i].seed == b.runs[i].seed);
    CHECK(a.runs[i].wins.size() == b.runs[i].wins.size());
    CHECK(same_values(a.runs[i].per_run, b.runs[i].per_run));
    CHECK(same_values(a.runs[i].per_step, b.runs[i].per_step));
  }
  REQUIRE(a.durability.size() == b.durability.size());
  for (std::size_t k = 0; k < a.durability.size(); ++k) {
    CHECK(a.durability[k].wins == b.durability[k].wins);
    CHECK(a.durability[k].reversals == b.durability[k].reversals);
  }
}

}  // namespace

TEST_CASE("in-memory results: a run's image is the file orgsim run writes", "[hdf5][python]") {
  const Scenario sc = load_scenario(test::source_path("scenarios/default.json"),
                                    {"replicates=2", "steps=20"});
  const auto image = run_to_image(sc, 2, "test");
  REQUIRE(image.size() > 1000);
  CHECK(std::memcmp(image.data(), "\x89HDF", 4) == 0);
  const std::string mem = save(image, "memory_run.h5");
  CHECK(is_results_file(mem));

  const RunPlan plan = make_plan(sc);
  const auto records = run_plan(plan, 1);
  const std::string disk = test::tmp_path("memory_run_disk.h5");
  ResultsWriter writer(disk, run_file_header(sc, plan, "test"));
  writer.append(records);
  writer.set_durability(durability_by_arm(records, plan.arm_names, plan.steps));
  writer.finish();
  CHECK_THROWS_AS(writer.image(), std::logic_error);  // an on-disk writer has no image
  check_same(read_results(mem), read_results(disk));
}

TEST_CASE("in-memory results: a sweep's image is the file orgsim sweep writes", "[hdf5][python]") {
  const std::string spec = R"({"name": "mem", "scenario": "scenarios/default.json",
    "design": {"type": "grid", "parameters": {"environment.turnover": [0.0, 0.02]}},
    "replicates": 2, "seed": 3})";
  const Sweep s = sweep_from_text(spec, "<test>", ORGSIM_SOURCE_DIR);
  CHECK(s.total_runs() == 8);
  std::vector<std::string> failures;
  const std::string mem = save(sweep_to_image(s, 2, "test", &failures), "memory_sweep.h5");
  CHECK(failures.empty());
  const std::string disk = test::tmp_path("memory_sweep_disk.h5");
  std::filesystem::remove_all(disk + ".parts");
  SweepOptions opt;
  opt.threads = 2;
  opt.build_final = true;
  CHECK(run_sweep(s, disk, opt) == 0);
  if (has_parts(disk)) merge_parts(disk + ".parts", disk);
  const ResultsFile a = read_results(mem), b = read_results(disk);
  check_same(a, b);
  CHECK(a.design.points == b.design.points);
  CHECK(a.design.keys == b.design.keys);
}

TEST_CASE("in-memory results: image() before finish() is a logic error", "[hdf5][python]") {
  const Scenario sc = load_scenario(test::source_path("scenarios/default.json"),
                                    {"replicates=1", "steps=2"});
  const RunPlan plan = make_plan(sc);
  ResultsWriter writer(ResultsWriter::InMemory{}, "<test>", run_file_header(sc, plan, "test"));
  CHECK_THROWS_AS(writer.image(), std::logic_error);
}
