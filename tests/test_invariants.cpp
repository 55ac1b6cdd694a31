// The invariants (Simulation::check_invariants) hold at every step of every trainer scenario, and
// a build configured with -DORGSIM_INVARIANTS=ON really checks them inside step(): the sanitizer
// pass of tests/run_all.sh builds that way and sets ORGSIM_EXPECT_INVARIANTS=1, so the test below
// fails there if the checks are not compiled in.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/simulation.hpp"
#include "helpers.hpp"

using namespace orgsim;

namespace {

bool invariants_expected() {
  const char* e = std::getenv("ORGSIM_EXPECT_INVARIANTS");
  return e && std::string(e) == "1";
}

/// A ring of n agents whose every tie holds trust 1.5: a state no mechanism can produce.
Network corrupted_ring(std::int32_t n) {
  std::vector<std::pair<std::int32_t, std::int32_t>> ties;
  for (std::int32_t i = 0; i < n; ++i) ties.emplace_back(std::min(i, (i + 1) % n),
                                                         std::max(i, (i + 1) % n));
  Network net = csr_from_ties(n, ties);
  std::fill(net.trust.begin(), net.trust.end(), 1.5f);
  return net;
}

}  // namespace

TEST_CASE("check_invariants detects trust outside [0,1]", "[invariants]") {
  const ModelConfig cfg = test::default_config(
      {"population.size=10", "network.departments=1", "network.between_degree=0",
       "network.within_degree=2"});
  const Network bad = corrupted_ring(10);
  const Simulation sim(cfg, replicate_seed(cfg.master_seed, 0), &bad);
  CHECK_THROWS_AS(sim.check_invariants(), std::logic_error);
  CHECK_THROWS_WITH(sim.check_invariants(), Catch::Contains("trust outside [0,1]"));
}

TEST_CASE("check_invariants finds a tie without its twin, asymmetric trust and an unsorted row at "
          "either depth", "[invariants]") {
  // The graph's checks are one sequential pass over the entries with a checksum of the twins,
  // and an exact pass (a cursor per row) only when the checksum differs; each kind of damage must
  // still be found and named, by the audit a sweep runs after every run (state) and by the full
  // one.
  const ModelConfig cfg = test::default_config(
      {"population.size=10", "network.departments=1", "network.between_degree=0",
       "network.within_degree=2"});
  auto ring = [] {
    Network net = corrupted_ring(10);
    std::fill(net.trust.begin(), net.trust.end(), 0.5f);
    return net;
  };
  struct Damage {
    const char* message;
    void (*apply)(Network&);
  };
  const Damage damages[] = {
      // Row 0 is {1, 9}; {2, 9} is still sorted, but row 2 ({1, 3}) has no entry for 0.
      {"tie without its twin entry", [](Network& n) { n.neighbors[static_cast<std::size_t>(n.offsets[0])] = 2; }},
      {"asymmetric trust", [](Network& n) { n.trust[static_cast<std::size_t>(n.offsets[3])] = 0.25f; }},
      {"asymmetric accountability",
       [](Network& n) {
         n.accountable.assign(n.trust.size(), 2);
         n.accountable[static_cast<std::size_t>(n.offsets[5] + 1)] = 3;
       }},
      {"row not sorted or duplicate tie",
       [](Network& n) { std::swap(n.neighbors[static_cast<std::size_t>(n.offsets[4])],
                                  n.neighbors[static_cast<std::size_t>(n.offsets[4] + 1)]); }},
  };
  const Network good = ring();
  for (const auto depth : {Simulation::Audit::state, Simulation::Audit::full}) {
    const Simulation fine(cfg, replicate_seed(cfg.master_seed, 0), &good);
    CHECK_NOTHROW(fine.check_invariants(depth));
    for (const Damage& d : damages) {
      INFO(d.message);
      Network bad = ring();
      d.apply(bad);
      const Simulation sim(cfg, replicate_seed(cfg.master_seed, 0), &bad);
      CHECK_THROWS_WITH(sim.check_invariants(depth), Catch::Contains(d.message));
    }
  }
}

TEST_CASE("step() checks the invariants in a build with ORGSIM_INVARIANTS", "[invariants]") {
  const ModelConfig cfg = test::default_config(
      {"population.size=10", "network.departments=1", "network.between_degree=0",
       "network.within_degree=2"});
  const Network bad = corrupted_ring(10);
  Simulation sim(cfg, replicate_seed(cfg.master_seed, 0), &bad);
#ifdef ORGSIM_CHECK_INVARIANTS
  CHECK_THROWS_WITH(sim.step(), Catch::Contains("invariant broken at step 0") &&
                                    Catch::Contains("trust outside [0,1]"));
#else
  if (invariants_expected())
    FAIL("ORGSIM_EXPECT_INVARIANTS=1 but this build was configured without "
         "-DORGSIM_INVARIANTS=ON: step() does not check the invariants");
  WARN("invariant checks are not compiled into step() in this build (ORGSIM_INVARIANTS=OFF)");
#endif
}

TEST_CASE("every trainer scenario keeps the invariants over its first steps", "[invariants]") {
  // In an ORGSIM_INVARIANTS build step() checks too; here they are checked explicitly, so the
  // claim is tested in every build. (tests/test_model.cpp does the same for each strategy.)
  std::vector<std::filesystem::path> files;
  for (const char* dir : {"scenarios", "scenarios/empirical"})
    for (const auto& e : std::filesystem::directory_iterator(test::source_path(dir)))
      if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 10);
  for (const auto& f : files) {
    const RunPlan plan = make_plan(load_scenario(f.string()));
    for (std::size_t a = 0; a < plan.arms.size(); ++a) {
      INFO(f.filename().string() << " arm " << plan.arm_names[a]);
      Simulation sim(plan.arms[a], replicate_seed(plan.master_seed, 0));
      for (int t = 0; t < std::min(12, plan.arms[a].steps); ++t) {
        REQUIRE_NOTHROW(sim.step());
        REQUIRE_NOTHROW(sim.check_invariants());
      }
    }
  }
}
