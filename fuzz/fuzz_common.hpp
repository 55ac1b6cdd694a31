#pragma once
// Shared pieces of the libFuzzer harnesses (docs/FUZZING.md).
//
// What counts as a finding: anything the sanitizers or libFuzzer report (a crash, a memory error,
// undefined behaviour, a leak, a timeout, running out of the memory limit), and a broken engine
// invariant. orgsim's typed errors (InputError, UsageError, RunError) are the expected answer to
// bad input and are not findings. Any other exception (a raw nlohmann::json or std:: error that
// escaped validation) is noted on stderr once per kind as "orgsim-fuzz: untyped exception";
// with ORGSIM_FUZZ_STRICT=1 it aborts, so that libFuzzer saves and minimises the input.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "model/config.hpp"

namespace orgsim::fuzz {

/// Pilot limits: a harness validates every input completely, but simulates only small inputs,
/// for a few steps, so that no input can make it allocate more than a few megabytes.
inline constexpr std::int32_t kPilotMaxAgents = 1000;
inline constexpr std::int32_t kPilotSteps = 8;
inline constexpr std::int32_t kPilotMaxSteps = 10000;  // the run's series are allocated in full
inline constexpr std::int64_t kPilotMaxOrganizers = 1000;
/// Sweep designs with more points than this are skipped before loading (a valid design may have
/// up to 10^8 points, gigabytes of design table).
inline constexpr double kMaxDesignPoints = 1e5;

/// A private directory (under $TMPDIR, removed at exit) laid out like the repository's
/// scenarios/: copies of the shipped scenarios (so that a sweep's "../default.json" resolves),
/// scenarios/sweeps/, and scenarios/edges.csv (a small valid edge list for 20 agents).
const std::filesystem::path& workdir();

/// Writes `size` bytes to `path` (replacing it).
void write_file(const std::filesystem::path& path, const std::uint8_t* data, std::size_t size);

/// Whether a parsed input names a path the harness must not read (devices, /proc, /sys: an
/// endless or blocking read is the user's choice, not a bug), checked on every string in `doc`.
bool names_special_file(const nlohmann::json& doc);

/// Notes an exception that is not one of orgsim's typed errors (see the header comment).
void note_untyped(const std::exception& e, const char* stage);

/// Runs `f`; typed orgsim errors are the expected outcome for bad input, anything else is noted.
template <class F>
void expect_typed_errors(const char* stage, F&& f);

/// A pilot of one run of `cfg`: kPilotSteps steps and the invariant check, when the population,
/// the run length and the organizers are within the pilot limits. A broken invariant aborts.
void pilot(const ModelConfig& cfg, std::uint64_t rep_seed);

}  // namespace orgsim::fuzz

#include "core/errors.hpp"

template <class F>
void orgsim::fuzz::expect_typed_errors(const char* stage, F&& f) {
  try {
    f();
  } catch (const orgsim::InputError&) {
  } catch (const orgsim::UsageError&) {
  } catch (const orgsim::RunError&) {
  } catch (const std::exception& e) {
    note_untyped(e, stage);
  }
}
