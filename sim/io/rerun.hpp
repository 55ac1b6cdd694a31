#pragma once
// `orgsim rerun`: recompute one run from what a results file holds (its arm's resolved
// parameters, for sweeps the run's design values, and the run's seed) and compare it with what the
// file recorded, or compute run K of a sweep file. The CLI only parses arguments and prints.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/records.hpp"

namespace orgsim {

/// The outcome of rerunning one run.
struct Rerun {
  RunRecord record;           // the run as computed now
  bool from_results = false;  // from a results file (else from a sweep file: nothing to compare)
  RunRecord stored;           // what the results file recorded for the run
  std::string arm_name;       // the name of the run's arm
  /// A sweep's run: each varied parameter's key and its value at the run's design point (a
  /// choice by name); empty for a run file.
  std::vector<std::pair<std::string, nlohmann::json>> point_values;
  /// Non-empty when the results file was written by another orgsim version; names both versions.
  std::string version_warning;
  /// What differs from the file: the names of per-step and per-run outputs with any value not
  /// bit-identical, and "win_events" if the win events differ. Empty when bit-identical.
  std::vector<std::string> differences;
  bool identical() const { return differences.empty(); }
};

/// Reruns run `run` of `file`, a results file (.h5) or a sweep file (JSON with a "design").
/// Throws InputError when the run index is out of range or the file cannot be read.
Rerun rerun(const std::string& file, std::int64_t run);

/// Recomputes `stored` (a run of `rf`, read from `file`) from the file's resolved parameters.
RunRecord rerun_from_file(const ResultsFile& rf, const RunRecord& stored, const std::string& file);

/// The outputs whose values differ bit for bit between `a` and `b` (NaN equals NaN), plus
/// "win_events" when the win events differ.
std::vector<std::string> differing_values(const RunRecord& a, const RunRecord& b);

/// The warning for a file written by orgsim `file_version` (empty if it is this version or
/// unknown).
std::string version_warning(const std::string& file, const std::string& file_version);

}  // namespace orgsim
