// The pilot run of `orgsim check` (engine/pilot.hpp): a tiny run finishes within its budget and
// reports sensible times; a run that fails is a RunError carrying its error.
#include <catch2/catch.hpp>

#include <chrono>

#include "core/errors.hpp"
#include "engine/pilot.hpp"
#include "helpers.hpp"

using namespace orgsim;

TEST_CASE("run_pilot: a tiny run finishes within the budget with sensible times", "[engine]") {
  const ModelConfig cfg = test::default_config({"population.size=100", "steps=5"});
  const double budget = 5.0;  // far more than needed: the run ends first
  const auto t0 = std::chrono::steady_clock::now();
  const Pilot p = run_pilot(cfg, 12345, nullptr, budget);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(p.setup_done);
  CHECK(p.steps_done == cfg.steps);
  CHECK(p.setup_seconds >= 0.0);
  CHECK(p.seconds >= p.setup_seconds);
  CHECK(p.seconds <= took);
  // The pilot returns as soon as the run ends, not when the budget is spent.
  CHECK(took < 1.0);
}

TEST_CASE("run_pilot: a budget already spent reports nothing done", "[engine]") {
  const ModelConfig cfg = test::default_config({"population.size=100", "steps=5"});
  const Pilot p = run_pilot(cfg, 1, nullptr, 0.0);
  CHECK(p.steps_done == 0);
  CHECK_FALSE(p.setup_done);
}

TEST_CASE("run_pilot: an input error in the run stays an input error, a failure a run error",
          "[engine]") {
  // The loader refuses an impossible network; a configuration changed after it (as a library
  // user might) reaches the generator, whose error must keep its parts (exit 2, not 1).
  ModelConfig cfg = test::default_config({"population.size=100", "steps=5"});
  cfg.network.within_degree = 50.0;  // departments of 10 agents
  try {
    run_pilot(cfg, 1, nullptr, 5.0);
    FAIL("accepted");
  } catch (const InputError& e) {
    CHECK(e.where() == "network.within_degree");
    CHECK_THAT(e.expected(), Catch::Contains("within-department mean degree"));
    CHECK(e.found() == "50");
  }
  // A failure only the run meets (swaps on a lattice of degree 98 of 100 give up): a RunError.
  const ModelConfig stuck = test::default_config(
      {"population.size=100", "steps=5", "network.type=\"ring_lattice\"", "network.degree=98",
       "network.rewire=0.5", "network.rewire_method=\"swap\""});
  CHECK_THROWS_AS(run_pilot(stuck, 1, nullptr, 20.0), RunError);
}
