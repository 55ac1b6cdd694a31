#pragma once
// Internal to the results-file code in sim/io (not for other callers): the writer's state
// (ResultsWriter::Impl), whose methods live in results_writer.cpp (root datasets, provenance,
// appending runs) and in groups/*.cpp (one file per group: its writer and its reader), the
// readers of the groups that read_results() (results_reader.cpp) calls, and small helpers they
// share. The names of the layout are in io/layout.hpp.
#include <cstdint>
#include <memory>
#include <utility>
#include <string>
#include <vector>

#include "engine/snapshot.hpp"
#include "io/hdf5.hpp"
#include "io/layout.hpp"
#include "io/results_file.hpp"
#include "io/step_chunks.hpp"

namespace orgsim {

namespace results_detail {

bool has_space(const std::string& s);
/// A parameter key the layout can hold as a dataset name: a dotted scenario path without '/' or
/// spaces (the dot also keeps it apart from every undotted name the writer uses).
bool is_parameter_key(const std::string& key);
/// flag_values / flag_meanings of an arm-code dataset: code i is arm_names[i]. Nothing when there
/// are no names.
void write_arm_flags(hid_t ds, const std::vector<std::string>& arm_names, const std::string& file);
/// The first string of `names` that occurs a second time (empty if none does).
std::string first_duplicate(const std::vector<std::string>& names);
bool all_rows(const std::vector<std::vector<double>>& m, std::size_t cols);
/// A nested [i][j][k] or [i][j] array flattened in row-major order (rows of equal length).
std::vector<double> flatten(const std::vector<std::vector<std::vector<double>>>& a);
std::vector<double> flatten(const std::vector<std::vector<double>>& a);
/// Rows of `n_rows` × `n_cols` values (row-major) as nested vectors.
std::vector<std::vector<double>> unflatten(const std::vector<double>& v, std::size_t n_rows,
                                           std::size_t n_cols);

/// The run an event-table row belongs to: `runs` is in increasing run order, `run` the row's run
/// index (from the dataset `column`, e.g. "win_events/run"); a run not in the file is an error
/// naming the file, the column, the index and the row ("win 3").
RunRecord& run_of_row(std::vector<RunRecord>& runs, std::int64_t run, const std::string& path,
                      const std::string& column, const char* row_kind, std::size_t row);

// ---- Readers of the groups (groups/*.cpp); each is a no-op or empty for a file without it ----

/// /win_events, appended to the runs they belong to (runs in increasing run order).
void read_wins(hid_t file, std::vector<RunRecord>& runs, const std::string& path);
/// /action_events, appended to the runs they belong to (runs in increasing run order).
void read_actions(hid_t file, std::vector<RunRecord>& runs, const std::string& path);
/// /failures: each row's message goes to its run.
void read_failures(hid_t file, std::vector<RunRecord>& runs, const std::string& path);
/// /durability: per-arm Kaplan-Meier estimates.
std::vector<ArmDurability> read_durability(hid_t file, const std::string& path);
/// /design.
DesignTable read_design(hid_t file, const std::string& path);
/// /sensitivity.
SensitivityTable read_sensitivity(hid_t file, const std::string& path);
/// /roster: into the header's roster_* columns (left empty for a file without the group).
void read_roster(hid_t file, FileHeader& h, const std::string& path);

}  // namespace results_detail

struct ResultsWriter::Impl {
  std::string final_path, partial_path;
  FileHeader header;
  bool created = false;   // we created the partial file (so we may delete it)
  bool finished = false;  // renamed into place
  bool broken = false;    // an HDF5 call failed half-way through an append
  std::int64_t n_written = 0;
  std::int64_t last_run = -1;
  int deflate_level = layout::kDeflateLevel;  // of every chunked dataset
  bool in_memory = false;              // core driver, no file (ResultsWriter::InMemory)
  std::vector<unsigned char> image;    // the finished in-memory file

  h5::Hid file, provenance;
  h5::Hid step, run, arm, replicate, point, seed, status, wall_seconds;
  std::vector<h5::Hid> params, per_run, per_step;
  // The per-step datasets' chunk rows, compressed and written by the writer (io/step_chunks.hpp).
  std::unique_ptr<StepChunks> step_chunks;
  // The /win_events event table: `win` dimension scale and one column per field (kWinColumnNames order).
  std::int64_t n_wins_written = 0;
  h5::Hid wins_group, win;
  std::vector<h5::Hid> win_columns;
  // The /action_events event table: `event` dimension scale and one column per field.
  std::int64_t n_actions_written = 0;
  h5::Hid actions_group, action_scale;
  std::vector<h5::Hid> action_columns;
  // The /failures table: `failure` dimension scale and one column per field
  // (kFailureColumnNames order).
  std::int64_t n_failures_written = 0;
  h5::Hid failures_group, failure;
  std::vector<h5::Hid> failure_columns;
  // The /durability group, written at finish() if set_durability() was called.
  bool has_durability = false;
  std::vector<ArmDurability> durability;
  // The /design and /sensitivity groups, written at finish() if set_design() / set_sensitivity()
  // was called.
  bool has_design = false, has_sensitivity = false;
  DesignTable design;
  SensitivityTable sensitivity;

  // Snapshots handed over with the runs (RunRecord::snapshots): /agents and /networks at finish().
  std::vector<std::pair<std::int64_t, std::shared_ptr<const Snapshots>>> snapshots;

  const std::string& name() const { return partial_path; }

  void create();
  h5::Hid create_run_dataset(const std::string& ds_name, hid_t file_type, const void* fill,
                         hid_t fill_type);
  h5::Hid create_step_dataset(const std::string& ds_name);
  h5::Hid create_table_dataset(hid_t group, const std::string& group_name,
                           const std::string& ds_name, hid_t file_type, hid_t scale,
                           hsize_t chunk);
  h5::Hid create_win_dataset(const std::string& ds_name, hid_t file_type);
  void create_wins_group();
  h5::Hid create_action_dataset(const std::string& ds_name, hid_t file_type);
  void create_actions_group();
  void append_actions(const RunList& runs);
  void create_failures_group();
  void set_arm_flags(hid_t ds);
  void write_provenance_string(const char* ds_name, const std::string& text, bool with_sha);
  void write_roster_group();  // groups/roster.cpp
  void write_snapshots();     // groups/snapshots.cpp
  void write_root_attributes();
  void write_rows(hid_t ds, const std::string& ds_name, hid_t mem_type, hsize_t cols,
                  hsize_t count, const void* buf);
  void write_rows_at(hid_t ds, const std::string& ds_name, hid_t mem_type, hsize_t start,
                     hsize_t cols, hsize_t count, const void* buf);
  void append_wins(const RunList& runs);
  void append_failures(const RunList& runs);
  void append(const RunList& runs);
  void validate_durability(const std::vector<ArmDurability>& arms) const;
  h5::Hid write_durability_column(hid_t group, const layout::ColumnDef& column, hid_t file_type,
                                  hid_t mem_type, hsize_t n, const void* data, hid_t scale,
                                  bool extendible);
  void write_durability();
  void validate_design(const DesignTable& d) const;
  void write_design();
  void validate_sensitivity(const SensitivityTable& t) const;
  void write_sensitivity();

  /// Closes every handle, datasets first; returns false if any close failed.
  bool close_all() noexcept {
    bool ok = true;
    step_chunks.reset();  // a chunk row not yet written is dropped with the file
    for (auto* v : {&params, &per_run, &per_step, &win_columns, &action_columns, &failure_columns})
      for (auto& h : *v) ok = h.close() >= 0 && ok;
    for (h5::Hid* h : {&step, &run, &arm, &replicate, &point, &seed, &status, &wall_seconds,
                   &provenance, &win, &wins_group, &action_scale, &actions_group, &failure,
                   &failures_group})
      ok = h->close() >= 0 && ok;
    ok = file.close() >= 0 && ok;
    return ok;
  }
};

}  // namespace orgsim
