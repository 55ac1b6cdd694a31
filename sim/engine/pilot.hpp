#pragma once
// The pilot run of `orgsim check`: the first steps of one run, timed, to estimate how long a
// scenario or sweep would take. Part of orgsim_lib, not of the engine library: it forks (POSIX),
// which the browser and Python faces do not need.
#include <cstdint>

#include "model/config.hpp"
#include "model/network.hpp"

namespace orgsim {

/// How far the pilot got within its budget.
struct Pilot {
  std::int64_t steps_done = 0;  // steps finished within the budget
  double setup_seconds = 0;     // building the population and network
  double seconds = 0;           // wall time at the last finished step (including the setup)
  bool setup_done = false;      // the population and network were built within the budget
};

/// Times one run of `cfg` (seed `seed`; `edges` a given network or nullptr, as for Simulation)
/// step by step in a child process for at most `budget_seconds` of wall time, then stops it: a
/// step that never ends (e.g. 10^9 participation rounds) cannot hold `check` up. Stops earlier
/// when the run ends (steps_done == cfg.steps). An input error the run meets is thrown as the
/// InputError it is (exit 2); any other failure, or a child that cannot be started, as a
/// RunError carrying the run's error. Flushes std::cout and std::cerr
/// first, so that the child inherits no buffered output.
Pilot run_pilot(const ModelConfig& cfg, std::uint64_t seed, const Network* edges,
                double budget_seconds);

}  // namespace orgsim
