// One regression baseline: the default scenario's outcomes, stored in
// tests/baselines/default.json. It moves only by a deliberate command:
//   ORGSIM_UPDATE_BASELINE=1 build/tests/orgsim_tests "[regression]"
// (then review the diff and commit it with the change that explains it).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

#include "helpers.hpp"

using namespace orgsim;
using nlohmann::json;

namespace {
json current_summary() {
  const RunPlan plan = test::plan_for("scenarios/default.json", {"replicates=4"});
  const auto recs = run_plan(plan, 0);
  json out = json::object();
  for (std::size_t a = 0; a < plan.arm_names.size(); ++a) {
    json arm = json::object();
    for (std::size_t k = 0; k < per_run_outputs().size(); ++k) {
      double sum = 0;
      int n = 0;
      for (const auto& r : recs)
        if (r.arm == static_cast<std::int32_t>(a) && std::isfinite(r.per_run[k])) {
          sum += r.per_run[k];
          ++n;
        }
      arm[per_run_outputs()[k].name] = n > 0 ? json(sum / n) : json(nullptr);
    }
    for (const char* v : {"trust_mean", "organized_base", "fear_mean", "standing_wins"}) {
      double sum = 0;
      int n = 0;
      for (const auto& r : recs)
        if (r.arm == static_cast<std::int32_t>(a)) {
          sum += test::series(r, v, plan.steps)[static_cast<std::size_t>(plan.steps - 1)];
          ++n;
        }
      arm[std::string(v) + "_last_step"] = sum / n;
    }
    out[plan.arm_names[a]] = arm;
  }
  return out;
}
}  // namespace

TEST_CASE("the default scenario matches its regression baseline", "[regression]") {
  const std::string path = test::source_path("tests/baselines/default.json");
  const json now = current_summary();
  if (const char* u = std::getenv("ORGSIM_UPDATE_BASELINE"); u && std::string(u) == "1") {
    std::ofstream(path) << now.dump(2) << "\n";
    WARN("baseline rewritten: " << path);
    return;
  }
  std::ifstream in(path);
  REQUIRE(in.good());
  const json base = json::parse(in);
  INFO("to accept a deliberate change: ORGSIM_UPDATE_BASELINE=1 build/tests/orgsim_tests "
       "\"[regression]\"");
  REQUIRE(base.size() == now.size());
  for (auto arm = base.begin(); arm != base.end(); ++arm) {
    REQUIRE(now.contains(arm.key()));
    for (auto v = arm->begin(); v != arm->end(); ++v) {
      INFO(arm.key() << " / " << v.key());
      const json& got = now[arm.key()][v.key()];
      if (v->is_null()) {
        CHECK(got.is_null());
      } else {
        CHECK(got.get<double>() == Approx(v->get<double>()).epsilon(1e-9));
      }
    }
  }
}
