// The engine library alone (orgsim_engine, no HDF5): a scenario from scenarios/ loads, runs on two
// threads, and gives records of the documented shape that do not depend on the thread count.
// Built both in the full test binary and, by tests/run_all.sh, in an ORGSIM_ENGINE_ONLY
// configuration that has no HDF5 include path, which proves the engine compiles without HDF5.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <vector>

#include "engine/runner.hpp"
#include "engine/summary.hpp"
#include "io/outputs.hpp"
#include "io/scenario.hpp"

using namespace orgsim;

TEST_CASE("engine library: the default scenario runs without HDF5", "[engine]") {
  const std::string file =
      (std::filesystem::path(ORGSIM_SOURCE_DIR) / "scenarios" / "default.json").string();
  const RunPlan plan = make_plan(load_scenario(file, {"replicates=2", "steps=20"}));
  const auto one = run_plan(plan, 1);
  const auto two = run_plan(plan, 2);
  REQUIRE(one.size() == static_cast<std::size_t>(plan.total_runs()));
  REQUIRE(two.size() == one.size());
  for (std::size_t i = 0; i < one.size(); ++i) {
    CHECK(one[i].run == static_cast<std::int64_t>(i));
    REQUIRE(one[i].per_step.size() == per_step_outputs().size() * 20);
    REQUIRE(one[i].per_run.size() == per_run_outputs().size());
    CHECK(std::memcmp(one[i].per_step.data(), two[i].per_step.data(),
                      one[i].per_step.size() * sizeof(float)) == 0);
    CHECK(std::memcmp(one[i].per_run.data(), two[i].per_run.data(),
                      one[i].per_run.size() * sizeof(double)) == 0);
  }
  // Mean trust is a share of trust on ties: within [0, 1] at every step of every run.
  const std::size_t v = per_step_index("trust_mean");
  for (const auto& r : one)
    for (std::size_t t = 0; t < 20; ++t) {
      const float x = r.per_step[v * 20 + t];
      CHECK((x >= 0.0f && x <= 1.0f));
    }
  const Summary s = summarize(one, plan.arm_names);
  CHECK(s.arms.size() == plan.arm_names.size());
}
