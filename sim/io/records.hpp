#pragma once
// What a results file holds, as plain C++ types: one finished run (RunRecord), the file's header,
// and the tables of a sweep. No HDF5 here: the engine library (simulation, runner, summaries)
// produces and consumes these types and builds without HDF5; io/results_file.hpp writes and reads
// them (layout in docs/HDF5_LAYOUT.md).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/wins.hpp"

namespace orgsim {
struct Snapshots;
}

namespace orgsim {

/// One finished run, as the recorder hands it to the writer.
/// (A new field must also reach FinalFile::add's copy without the series, in engine/sweep.cpp.)
struct RunRecord {
  std::int64_t run = 0;        // run index = position in the design
  std::int32_t arm = 0;
  std::int32_t replicate = 0;
  std::int32_t point = 0;      // design point (0 for `orgsim run`)
  std::uint64_t seed = 0;      // the run's replicate seed (see core/rng.hpp)
  std::int8_t status = 1;      // 0 planned, 1 done, 2 failed
  float wall_seconds = 0.0f;
  /// per_step_outputs().size() × n_steps values, variable-major: per_step[v * n_steps + t].
  /// NaN where undefined.
  std::vector<float> per_step;
  /// per_run_outputs().size() values in dictionary order.
  std::vector<double> per_run;
  /// One value per varied parameter (FileHeader::varied), in that order.
  std::vector<double> params;
  /// Every win of the run (the /win_events event table).
  std::vector<WinEvent> wins;
  /// Every action and election of the run (the /action_events event table).
  std::vector<ActionEvent> actions;
  /// Why the run failed (status 2), for the /failures table; empty otherwise.
  std::string message;
  /// The run's snapshots (output.snapshots > 0, `orgsim run` only), or nullptr.
  std::shared_ptr<const Snapshots> snapshots;
};

struct VariedParam {
  std::string key;   // dotted scenario path, e.g. "environment.turnover"
  std::string units;  // a UDUNITS-2 string (udunits_of the table's unit); empty: no attribute
  double min = 0, max = 0;
  std::string long_name;    // a short label (param_text of the key)
  std::string description;  // the parameter table's meaning (empty: no attribute)
  /// A choice, a switch or a text varied by a grid or points design: its values as a JSON array
  /// (the `levels` attribute); the run's value is the index into it. Empty for a number.
  std::string levels;
};

/// What goes into root attributes and /provenance.
struct FileHeader {
  std::string kind = "run";            // "run" | "sweep"
  std::string design = "none";         // none | grid | random | lhs | sobol | morris | points
  std::uint64_t master_seed = 0;
  std::int64_t n_runs_planned = 0;
  std::int32_t n_steps = 0;
  std::vector<std::string> arm_names;  // flag_meanings of `arm`
  std::vector<VariedParam> varied;
  std::string scenario_json;           // verbatim, as read
  std::string resolved_params_json;    // every parameter after defaults, arms and --set
  std::string parameter_table_json;    // the parameter table itself
  std::string sweep_json;              // sweeps only
  std::string command_line;
  std::string study_id;                // UUID (random, from /dev/urandom: not part of results)
  std::string orgsim_version;          // read back from a file (the writer writes its own)
  std::string git_commit, git_dirty;   // the same: the build that wrote the file ("" if absent)
  /// network.type = roster: the people of the roster, one entry per agent (written as /roster;
  /// empty: no roster, no group).
  std::vector<std::string> roster_names, roster_departments, roster_shifts, roster_roles;
  std::vector<std::uint8_t> roster_leader;
};

/// Per-arm Kaplan-Meier estimate of win durability (all wins of the arm's runs pooled),
/// written as the /durability group when the file is finished.
struct ArmDurability {
  std::string arm;
  std::int64_t wins = 0, reversals = 0;
  SurvivalCurve curve;
};

/// A sweep's design (/design): one row per design point.
struct DesignTable {
  std::string type;                              // grid | random | lhs | sobol | morris
  std::vector<std::string> keys;                 // the varied parameters (dotted keys)
  std::vector<std::vector<double>> points;       // point x parameter: values
  std::vector<std::vector<double>> unit;         // point x parameter in [0,1] (empty for grid)
};

/// Sensitivity indices of a sobol or morris sweep (/sensitivity), per arm, output and parameter.
/// Arrays are indexed [arm][output][parameter]; the unused method's arrays are empty.
struct SensitivityTable {
  std::string method;  // "sobol" | "morris"
  std::vector<std::string> outputs, parameters;
  std::vector<std::vector<std::vector<double>>> S1, S1_conf, ST, ST_conf;  // sobol
  std::vector<std::vector<std::vector<double>>> mu, mu_star, sigma;        // morris
  /// [arm][output]: share of the output's variance that is replicate noise (within points).
  std::vector<std::vector<double>> noise_share;
};

/// What a results file holds, read back (used by `orgsim summarize`, rerun and the tests).
struct ResultsFile {
  FileHeader header;
  std::vector<RunRecord> runs;
  std::vector<ArmDurability> durability;  // empty for files without /durability
  DesignTable design;                     // empty for files without /design
  SensitivityTable sensitivity;           // empty for files without /sensitivity
};

}  // namespace orgsim
