// /win_events: one row per win of every run (an event table with censoring), on its own
// unlimited `win` dimension: created empty with the file, appended batch by batch, read back
// into RunRecord::wins.
#include <hdf5.h>
#include <hdf5_hl.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "io/layout.hpp"
#include "io/results_internal.hpp"

namespace orgsim {

using namespace h5;
using namespace results_detail;

namespace {

namespace we = layout::win_events;

// The number of wins is not known in advance; 4096 rows is 32 KiB of int64.
constexpr hsize_t kWinChunk = 4096;

}  // namespace

Hid ResultsWriter::Impl::create_win_dataset(const std::string& ds_name, hid_t file_type) {
  return create_table_dataset(wins_group.get(), layout::kWinEvents, ds_name, file_type,
                              ds_name == we::kWin ? H5I_INVALID_HID : win.get(), kWinChunk);
}

// /win_events: one row per win, columnar, on its own unlimited `win` dimension scale, so that
// xarray.open_dataset(path, engine="h5netcdf", group="win_events") opens it in one call. The group and
// its (empty) datasets exist even when no run has a win.
void ResultsWriter::Impl::create_wins_group() {
  const std::string& f = name();
  wins_group = create_ordered_group(file.get(), layout::kWinEvents, f);
  attr_string(wins_group.get(), layout::attr::kLongName,
              "every win of every run: one row per win (event table with censoring)", f);

  win = create_win_dataset(we::kWin, H5T_STD_I64LE);
  check(H5DSset_scale(win.get(), we::kWin), f, "make 'win_events/win' a dimension scale");
  attr_column(win.get(), we::kIndex, f);

  const std::array<hid_t, we::kColumnCount> types = {H5T_STD_I64LE, H5T_STD_I8LE,   H5T_STD_I32LE,
                                                     H5T_STD_I32LE, H5T_STD_I32LE,  H5T_STD_I32LE,
                                                     H5T_STD_I8LE,  H5T_IEEE_F64LE, H5T_STD_I32LE};
  for (std::size_t c = 0; c < we::kColumnCount; ++c) {
    Hid ds = create_win_dataset(we::kColumns[c].name, types[c]);
    attr_column(ds.get(), we::kColumns[c], f);
    win_columns.push_back(std::move(ds));
  }
  set_arm_flags(win_columns[we::kArm].get());
  attr_array(win_columns[we::kCensored].get(), layout::attr::kFlagValues, H5T_STD_I8LE, H5T_NATIVE_INT8,
             std::vector<std::int8_t>{0, 1}, f);
  attr_string(win_columns[we::kCensored].get(), layout::attr::kFlagMeanings, "reversed censored", f);
  // The run-level columns become xarray coordinates of the event columns (as on the root).
  std::string coordinates;
  for (std::size_t c : {we::kRun, we::kArm, we::kReplicate, we::kPoint})
    coordinates += (coordinates.empty() ? "" : " ") + std::string(we::kColumns[c].name);
  for (std::size_t c : {we::kStart, we::kEnd, we::kCensored, we::kStrength, we::kDuration})
    attr_string(win_columns[c].get(), layout::attr::kCoordinates, coordinates, f);
}

void ResultsWriter::Impl::append_wins(const RunList& runs) {
  std::size_t n = 0;
  for (const auto& r : runs) n += r.wins.size();
  if (n == 0) return;
  std::vector<std::int64_t> index, run_of;
  std::vector<std::int8_t> arm_of, censored;
  std::vector<std::int32_t> rep_of, point_of, start, end, duration;
  std::vector<double> strength;
  for (auto* v : {&index, &run_of}) v->reserve(n);
  for (auto* v : {&arm_of, &censored}) v->reserve(n);
  for (auto* v : {&rep_of, &point_of, &start, &end, &duration}) v->reserve(n);
  strength.reserve(n);
  for (const auto& r : runs)
    for (const auto& w : r.wins) {
      index.push_back(n_wins_written + static_cast<std::int64_t>(index.size()));
      run_of.push_back(r.run);
      arm_of.push_back(static_cast<std::int8_t>(r.arm));
      rep_of.push_back(r.replicate);
      point_of.push_back(r.point);
      start.push_back(w.start_step);
      end.push_back(w.censored ? -1 : w.end_step);
      censored.push_back(w.censored ? std::int8_t{1} : std::int8_t{0});
      strength.push_back(w.strength);
      duration.push_back(w.duration(header.n_steps));
    }
  const auto at = static_cast<hsize_t>(n_wins_written);
  const auto write = [&](hid_t ds, const std::string& ds_name, hid_t mem_type, const void* buf) {
    write_rows_at(ds, layout::in(layout::kWinEvents, ds_name), mem_type, at, 0, n, buf);
  };
  write(win.get(), we::kWin, H5T_NATIVE_INT64, index.data());
  const auto col = [&](we::Column c) { return win_columns[c].get(); };
  const auto nm = [](we::Column c) { return std::string(we::kColumns[c].name); };
  write(col(we::kRun), nm(we::kRun), H5T_NATIVE_INT64, run_of.data());
  write(col(we::kArm), nm(we::kArm), H5T_NATIVE_INT8, arm_of.data());
  write(col(we::kReplicate), nm(we::kReplicate), H5T_NATIVE_INT32, rep_of.data());
  write(col(we::kPoint), nm(we::kPoint), H5T_NATIVE_INT32, point_of.data());
  write(col(we::kStart), nm(we::kStart), H5T_NATIVE_INT32, start.data());
  write(col(we::kEnd), nm(we::kEnd), H5T_NATIVE_INT32, end.data());
  write(col(we::kCensored), nm(we::kCensored), H5T_NATIVE_INT8, censored.data());
  write(col(we::kStrength), nm(we::kStrength), H5T_NATIVE_DOUBLE, strength.data());
  write(col(we::kDuration), nm(we::kDuration), H5T_NATIVE_INT32, duration.data());
  n_wins_written += static_cast<std::int64_t>(n);
}

namespace results_detail {

/// The /win_events event table, appended to the runs it belongs to (in table order, which is win
/// order within a run). A file without /win_events (written before the table existed) has no wins.
void read_wins(hid_t file, std::vector<RunRecord>& runs, const std::string& path) {
  const htri_t exists = H5Lexists(file, layout::kWinEvents, H5P_DEFAULT);
  check(exists, path, std::string("look up group '") + layout::kWinEvents + "'");
  if (exists == 0) return;
  const hsize_t n = dimension_length(file, layout::in(layout::kWinEvents, we::kWin), path);
  const auto column = [&](auto type_tag, we::Column c, hid_t mem_type) {
    using T = decltype(type_tag);
    return read_column<T>(file, layout::in(layout::kWinEvents, we::kColumns[c].name), mem_type, n,
                          path, we::kWin);
  };
  const auto run = column(std::int64_t{}, we::kRun, H5T_NATIVE_INT64);
  const auto start = column(std::int32_t{}, we::kStart, H5T_NATIVE_INT32);
  const auto end = column(std::int32_t{}, we::kEnd, H5T_NATIVE_INT32);
  const auto censored = column(std::int8_t{}, we::kCensored, H5T_NATIVE_INT8);
  const auto strength = column(double{}, we::kStrength, H5T_NATIVE_DOUBLE);
  const std::string run_column = layout::in(layout::kWinEvents, we::kColumns[we::kRun].name);
  for (std::size_t i = 0; i < n; ++i) {
    RunRecord& owner = run_of_row(runs, run[i], path, run_column, "win", i);
    WinEvent w;
    w.start_step = start[i];
    w.censored = censored[i] != 0;
    w.end_step = w.censored ? -1 : end[i];
    w.strength = strength[i];
    owner.wins.push_back(w);
  }
}

}  // namespace results_detail

}  // namespace orgsim
