#pragma once
// The names of the results-file layout (docs/HDF5_LAYOUT.md): every group, dataset and attribute
// name that the writer creates and the reader looks up, in one place. Writer and reader use these
// constants, never their own literals; the per-step and per-run output names come from the output
// dictionary (io/outputs.hpp) and the varied parameters are named by their dotted keys.
// The event tables' columns and /durability's datasets are described here too, each by one
// ColumnDef (name, short label, units, explanation, what a count counts): the writer's attributes
// and docs/OUTPUTS.md come from it.
// No HDF5 here: the header only names and describes things.
#include <array>
#include <cstddef>
#include <string>

namespace orgsim::layout {

// ---- Identity (root attributes schema / schema_version) ----
inline constexpr const char* kSchema = "orgsim.results";
inline constexpr const char* kSchemaVersion = "1.0";
inline constexpr const char* kSchemaMajor = "1";  // the reader accepts schema_version 1.x
// Values of the root attribute `kind`.
inline constexpr const char* kKindRun = "run";
inline constexpr const char* kKindSweep = "sweep";
// Compression of the final file (shuffle + deflate at this level, OUTPUT_LAYOUT 3.1.6).
inline constexpr int kDeflateLevel = 4;
// Sweep parts are temporary (merged into the final file): compressed for speed, not size.
inline constexpr int kPartDeflateLevel = 1;

// ---- Root attributes ----
namespace attr {
inline constexpr const char* kSchema = "schema";
inline constexpr const char* kSchemaVersion = "schema_version";
inline constexpr const char* kOrgsimVersion = "orgsim_version";
inline constexpr const char* kGitCommit = "git_commit";
inline constexpr const char* kGitDirty = "git_dirty";
inline constexpr const char* kBuildType = "build_type";
inline constexpr const char* kCompiler = "compiler";
inline constexpr const char* kHdf5Version = "hdf5_version";
inline constexpr const char* kCreatedUtc = "created_utc";
inline constexpr const char* kHost = "host";
inline constexpr const char* kCommandLine = "command_line";
inline constexpr const char* kKind = "kind";
inline constexpr const char* kStudyId = "study_id";
inline constexpr const char* kMasterSeed = "master_seed";
inline constexpr const char* kRng = "rng";
inline constexpr const char* kSeedScheme = "seed_scheme";
inline constexpr const char* kNRunsPlanned = "n_runs_planned";
inline constexpr const char* kNRunsDone = "n_runs_done";
inline constexpr const char* kDesign = "design";

// ---- Variable attributes (CF conventions) ----
inline constexpr const char* kLongName = "long_name";  // a short label (CF)
/// The explanation behind a short long_name (not CF, whose free-text attribute is `comment`).
inline constexpr const char* kDescription = "description";
/// A UDUNITS-2 string, or absent (docs/HDF5_LAYOUT.md, "Units").
inline constexpr const char* kUnits = "units";
/// What a count's unit is in words ("agents"), beside units="count" (not CF; outputs and the
/// counts of /durability).
inline constexpr const char* kUnitWords = "unit_words";
inline constexpr const char* kFlagValues = "flag_values";
inline constexpr const char* kFlagMeanings = "flag_meanings";
inline constexpr const char* kFillValue = "_FillValue";
inline constexpr const char* kCoordinates = "coordinates";
inline constexpr const char* kMin = "min";
inline constexpr const char* kMax = "max";
/// On a varied parameter that is a choice: its values as a JSON array; the column holds indices.
inline constexpr const char* kLevels = "levels";
inline constexpr const char* kSha256 = "sha256";     // on each /provenance string
inline constexpr const char* kType = "type";         // on /design
inline constexpr const char* kMethod = "method";     // on /sensitivity
}  // namespace attr

// ---- Root datasets (besides the outputs and the varied parameters) ----
inline constexpr const char* kStep = "step";  // dimension scale
/// The units of a step, and of every count of steps: one step is a week (docs/MODEL.md).
inline constexpr const char* kStepUnits = "week";
inline constexpr const char* kRun = "run";    // dimension scale
inline constexpr const char* kArm = "arm";
inline constexpr const char* kReplicate = "replicate";
inline constexpr const char* kPoint = "point";
inline constexpr const char* kSeed = "seed";
inline constexpr const char* kStatus = "status";
inline constexpr const char* kWallSeconds = "wall_seconds";

// ---- Groups of the root ----
inline constexpr const char* kProvenance = "provenance";
inline constexpr const char* kWinEvents = "win_events";
inline constexpr const char* kActionEvents = "action_events";
inline constexpr const char* kFailures = "failures";
inline constexpr const char* kDurability = "durability";
inline constexpr const char* kDesignGroup = "design";
inline constexpr const char* kSensitivity = "sensitivity";

inline constexpr const char* kRosterGroup = "roster";  // network.type = roster only

/// "group/name": the path of a dataset in a group, relative to the root.
inline std::string in(const char* group, const std::string& name) {
  return std::string(group) + "/" + name;
}

// ---- /provenance (scalar UTF-8 strings) ----
namespace provenance {
inline constexpr const char* kScenarioJson = "scenario_json";
inline constexpr const char* kResolvedParamsJson = "resolved_params_json";
inline constexpr const char* kParameterTableJson = "parameter_table_json";
inline constexpr const char* kSweepJson = "sweep_json";
inline constexpr const char* kCommandLine = "command_line";
}  // namespace provenance

// ---- /agents and /networks: snapshots (output.snapshots > 0, `orgsim run` only) ----
inline constexpr const char* kAgentsGroup = "agents";
inline constexpr const char* kNetworksGroup = "networks";
namespace agents {
inline constexpr const char* kSnapshotStep = "snapshot_step";  // (snapshot) int32, 0-based step
inline constexpr const char* kDepartment = "department";       // (run, agent) int32
inline constexpr const char* kRung = "rung";                   // (run, snapshot, agent) int8
inline constexpr const char* kCommitment = "commitment";       // float32
inline constexpr const char* kTrustDegree = "trust_degree";    // float32
inline constexpr const char* kRole = "role";                   // int8
inline constexpr const char* kTookPart = "took_part";          // int8
}  // namespace agents
namespace networks {
inline constexpr const char* kSource = "source";  // (run, edge) int32, -1 past the run's ties
inline constexpr const char* kTarget = "target";  // (run, edge) int32
inline constexpr const char* kTrust = "trust";    // (run, snapshot, edge) float32, NaN: no tie yet
}  // namespace networks

// ---- /roster: one entry per person (agent i), in roster order ----
namespace roster {
inline constexpr const char* kName = "name";
inline constexpr const char* kDepartment = "department";
inline constexpr const char* kShift = "shift";
inline constexpr const char* kRole = "role";
inline constexpr const char* kLeader = "leader";  // uint8: 1 = known leader
}  // namespace roster

/// One column of an event table or of /durability (or its index scale): its dataset name, its
/// `long_name` (a short label, at most kLabelMaxChars as for outputs), its `units` (a UDUNITS-2
/// string, nullptr for codes, flags and indices, which have none), its `description` (the
/// explanation) and, for a count (units "count"), its `unit_words`: what is counted ("wins";
/// nullptr elsewhere, docs/HDF5_LAYOUT.md "Units and CF"). The ONE place these texts live: the
/// writer's attributes and docs/OUTPUTS.md use them.
struct ColumnDef {
  const char* name;
  const char* long_name;
  const char* units;
  const char* description;
  const char* unit_words = nullptr;
};

// ---- /win_events: the `win` scale and one column per field, in the order written ----
namespace win_events {
inline constexpr const char* kWin = "win";  // dimension scale
inline constexpr ColumnDef kIndex = {kWin, "Win", nullptr,
                                     "win index (row of the event table, in run order)"};
enum Column : std::size_t {
  kRun, kArm, kReplicate, kPoint, kStart, kEnd, kCensored, kStrength, kDuration, kColumnCount
};
inline constexpr std::array<ColumnDef, kColumnCount> kColumns = {{
    {"run", "Run", nullptr, "run of the win (index on the root `run` dimension)"},
    {"arm", "Strategy arm", nullptr, "strategy arm of the run (code; see flag_meanings)"},
    {"replicate", "Replicate", nullptr, "replicate of the run"},
    {"point", "Design point", nullptr, "design point of the run"},
    {"start_step", "Week the win was won", kStepUnits,
     "step at which the win was won (weeks since the start of the run)"},
    {"end_step", "Week the win was reversed", kStepUnits,
     "step at which the win was reversed; -1 if censored (still standing at the end of the run)"},
    {"censored", "Still standing at the end", nullptr,
     "1 if the win still stood at the end of the run (censored), 0 if it was reversed"},
    {"strength", "Strength of the win", "1",
     "strength of the win: the power of the action that won it"},
    {"duration", "Weeks the win stood", kStepUnits,
     "steps the win stood: end_step - start_step, or n_steps - start_step if censored"},
}};
}  // namespace win_events

// ---- /action_events: the `event` scale and one column per field, in the order written ----
namespace action_events {
inline constexpr const char* kEvent = "event";  // dimension scale
inline constexpr ColumnDef kIndex = {kEvent, "Event", nullptr,
                                     "action index (row of the event table, in run order)"};
enum Column : std::size_t {
  kRun, kArm, kReplicate, kPoint, kStep, kKind, kTurnout, kSupport, kCohesion, kPower, kWon,
  kNoticeWeeks, kConsolidatedStep, kColumnCount
};
inline constexpr std::array<ColumnDef, kColumnCount> kColumns = {{
    {"run", "Run", nullptr, "run of the action (index on the root `run` dimension)"},
    {"arm", "Strategy arm", nullptr, "strategy arm of the run (code; see flag_meanings)"},
    {"replicate", "Replicate", nullptr, "replicate of the run"},
    {"point", "Design point", nullptr, "design point of the run"},
    {"step", "Week of the action", kStepUnits,
     "step of the action (of the vote, for an election; a continuous action: its first step)"},
    {"kind", "Action or election", nullptr, "0 action, 1 election"},
    {"turnout", "Turnout", "1",
     "share of the workforce taking part (action) or casting a vote (election)"},
    {"support", "Support", "1",
     "share taking part (action) or share of the votes cast that are yes (election)"},
    {"cohesion", "Cohesion", "1",
     "mean trust on ties among the participants (the yes-voters of an election)"},
    {"power", "Power", "1", "power of the participants, P = T (floor + (1 - floor) C)"},
    {"won", "Won", nullptr, "1 if the action or election was won"},
    {"notice_weeks", "Notice weeks before the vote", kStepUnits,
     "weeks of the employer's counter-campaign between announcement and vote (0 for actions)"},
    {"consolidated_step", "Week of the first contract", kStepUnits,
     "step a won election reached its first contract (consolidated); -1 if it did not"},
}};
}  // namespace action_events

// ---- /failures: the `failure` scale and one column per field, in the order written ----
namespace failures {
inline constexpr const char* kFailure = "failure";  // dimension scale
inline constexpr ColumnDef kIndex = {kFailure, "Failure", nullptr,
                                     "failure index (row of the table, in run order)"};
enum Column : std::size_t { kRun, kPoint, kArm, kReplicate, kSeed, kMessage, kColumnCount };
inline constexpr std::array<ColumnDef, kColumnCount> kColumns = {{
    {"run", "Run", nullptr, "the failed run (index on the root `run` dimension)"},
    {"point", "Design point", nullptr, "design point of the run"},
    {"arm", "Strategy arm", nullptr, "strategy arm of the run (code; see flag_meanings)"},
    {"replicate", "Replicate", nullptr, "replicate of the run"},
    {"seed", "Replicate seed", nullptr,
     "the run's replicate seed (see the root seed_scheme attribute)"},
    {"message", "Error message", nullptr, "why the run failed (the error message)"},
}};
}  // namespace failures

// ---- /durability: per arm on `arm`, the Kaplan-Meier curves on `km` ----
// Each dataset described by its ColumnDef, in the order written: the `arm` scale and the per-arm
// columns, then the `km` scale and the curve columns.
namespace durability {
inline constexpr const char* kArm = "arm";  // dimension scale of the per-arm columns
inline constexpr const char* kKm = "km";    // dimension scale of the curve table
inline constexpr ColumnDef kArmIndex = {
    kArm, "Strategy arm", nullptr,
    "strategy arm (code; see flag_meanings): the dimension of wins, reversals and median"};
enum ArmColumn : std::size_t { kWins, kReversals, kMedian, kArmColumnCount };
inline constexpr std::array<ColumnDef, kArmColumnCount> kArmColumns = {{
    {"wins", "Wins in the arm's runs", "count",
     "wins in the arm's done runs (status 1), all replicates (in a sweep, every design point) "
     "pooled",
     "wins"},
    {"reversals", "Wins reversed", "count",
     "of those wins, the ones reversed before the end of their run (the observed events; the "
     "others are censored)",
     "reversals"},
    {"median", "Median weeks a win stood", kStepUnits,
     "median win duration: the first event time at which the Kaplan-Meier S(t) <= 0.5 (NaN if "
     "S never drops to 0.5)"},
}};
inline constexpr ColumnDef kKmIndex = {
    kKm, "Curve row", nullptr,
    "row of the Kaplan-Meier table: one per (arm, event time), arms in order, times ascending "
    "within an arm"};
enum KmColumn : std::size_t {
  kKmArm,
  kTime,
  kSurvival,
  kLower,
  kUpper,
  kAtRisk,
  kEvents,
  kKmColumnCount
};
inline constexpr std::array<ColumnDef, kKmColumnCount> kKmColumns = {{
    {"km_arm", "Strategy arm", nullptr, "strategy arm of the row (code; see flag_meanings)"},
    {"time", "Weeks after the win", kStepUnits,
     "event time: a duration (steps after the win) at which wins of the arm were reversed"},
    {"survival", "Share of wins still standing", "1",
     "Kaplan-Meier estimate S(t): share of the arm's wins still standing just after time"},
    {"lower", "Lower 95% bound of S(t)", "1",
     "lower bound of the 95% confidence interval of S(t) (Greenwood's variance on the "
     "log(-log S) scale; equal to S where S is 0 or 1)"},
    {"upper", "Upper 95% bound of S(t)", "1",
     "upper bound of the 95% confidence interval of S(t) (Greenwood's variance on the "
     "log(-log S) scale; equal to S where S is 0 or 1)"},
    {"at_risk", "Wins at risk", "count",
     "wins at risk just before time: neither reversed nor censored earlier", "wins"},
    {"events", "Wins reversed at this time", "count",
     "wins reversed at time (having stood exactly that long): the events of this step of S(t)",
     "reversals"},
}};
}  // namespace durability

// ---- /design: `point` and `parameter` scales, the (point, parameter) matrices ----
namespace design {
inline constexpr const char* kPoint = "point";          // dimension scale
inline constexpr const char* kParameter = "parameter";  // dimension scale (dotted keys)
inline constexpr const char* kValue = "value";
inline constexpr const char* kUnit = "unit";
}  // namespace design

// ---- /sensitivity: `arm`, `output`, `parameter` scales, index arrays, noise share ----
namespace sensitivity {
inline constexpr const char* kArm = "arm";              // dimension scale
inline constexpr const char* kOutput = "output";        // dimension scale
inline constexpr const char* kParameter = "parameter";  // dimension scale
inline constexpr const char* kNoiseShare = "noise_share";
inline constexpr const char* kSobol = "sobol";    // values of the `method` attribute
inline constexpr const char* kMorris = "morris";
inline constexpr const char* kS1 = "S1";
inline constexpr const char* kS1Conf = "S1_conf";
inline constexpr const char* kST = "ST";
inline constexpr const char* kSTConf = "ST_conf";
inline constexpr const char* kMu = "mu";
inline constexpr const char* kMuStar = "mu_star";
inline constexpr const char* kSigma = "sigma";
}  // namespace sensitivity

}  // namespace orgsim::layout
