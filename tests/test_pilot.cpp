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
