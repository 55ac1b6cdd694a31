// /action_events: one row per action or election of every run, on its own unlimited `event`
// dimension: created empty with the file, appended batch by batch, read back into
// RunRecord::actions. Laid out like /win_events.
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

namespace ae = layout::action_events;

// The number of actions is not known in advance; 4096 rows is 32 KiB of int64.
constexpr hsize_t kActionChunk = 4096;

}  // namespace

Hid ResultsWriter::Impl::create_action_dataset(const std::string& ds_name, hid_t file_type) {
  return create_table_dataset(actions_group.get(), layout::kActionEvents, ds_name, file_type,
                              ds_name == ae::kEvent ? H5I_INVALID_HID : action_scale.get(),
                              kActionChunk);
}

// /action_events: one row per action or election, columnar, on its own unlimited `event`
// dimension scale (xarray.open_dataset(path, engine="h5netcdf", group="action_events")). The
// group and its (empty) datasets exist even when no run called an action.
void ResultsWriter::Impl::create_actions_group() {
  const std::string& f = name();
  actions_group = create_ordered_group(file.get(), layout::kActionEvents, f);
  attr_string(actions_group.get(), layout::attr::kLongName,
              "every action and election of every run: one row each", f);

  action_scale = create_action_dataset(ae::kEvent, H5T_STD_I64LE);
  check(H5DSset_scale(action_scale.get(), ae::kEvent), f,
        "make 'action_events/event' a dimension scale");
  attr_column(action_scale.get(), ae::kIndex, f);

  const std::array<hid_t, ae::kColumnCount> types = {
      H5T_STD_I64LE, H5T_STD_I8LE,   H5T_STD_I32LE,  H5T_STD_I32LE,  H5T_STD_I32LE,
      H5T_STD_I8LE,  H5T_IEEE_F64LE, H5T_IEEE_F64LE, H5T_IEEE_F64LE, H5T_IEEE_F64LE,
      H5T_STD_I8LE,  H5T_STD_I32LE,  H5T_STD_I32LE};
  for (std::size_t c = 0; c < ae::kColumnCount; ++c) {
    Hid ds = create_action_dataset(ae::kColumns[c].name, types[c]);
    attr_column(ds.get(), ae::kColumns[c], f);
    action_columns.push_back(std::move(ds));
  }
  set_arm_flags(action_columns[ae::kArm].get());
  attr_array(action_columns[ae::kKind].get(), layout::attr::kFlagValues, H5T_STD_I8LE,
             H5T_NATIVE_INT8, std::vector<std::int8_t>{0, 1}, f);
  attr_string(action_columns[ae::kKind].get(), layout::attr::kFlagMeanings, "action election", f);
  attr_array(action_columns[ae::kWon].get(), layout::attr::kFlagValues, H5T_STD_I8LE,
             H5T_NATIVE_INT8, std::vector<std::int8_t>{0, 1}, f);
  attr_string(action_columns[ae::kWon].get(), layout::attr::kFlagMeanings, "lost won", f);
  std::string coordinates;
  for (std::size_t c : {ae::kRun, ae::kArm, ae::kReplicate, ae::kPoint})
    coordinates += (coordinates.empty() ? "" : " ") + std::string(ae::kColumns[c].name);
  for (std::size_t c = ae::kStep; c < ae::kColumnCount; ++c)
    attr_string(action_columns[c].get(), layout::attr::kCoordinates, coordinates, f);
}

void ResultsWriter::Impl::append_actions(const RunList& runs) {
  std::size_t n = 0;
  for (const auto& r : runs) n += r.actions.size();
  if (n == 0) return;
  std::vector<std::int64_t> index, run_of;
  std::vector<std::int8_t> arm_of, kind, won;
  std::vector<std::int32_t> rep_of, point_of, step_of, notice, consolidated;
  std::vector<double> turnout, support, cohesion, power;
  for (const auto& r : runs)
    for (const auto& a : r.actions) {
      index.push_back(n_actions_written + static_cast<std::int64_t>(index.size()));
      run_of.push_back(r.run);
      arm_of.push_back(static_cast<std::int8_t>(r.arm));
      rep_of.push_back(r.replicate);
      point_of.push_back(r.point);
      step_of.push_back(a.step);
      kind.push_back(a.kind);
      turnout.push_back(a.turnout);
      support.push_back(a.support);
      cohesion.push_back(a.cohesion);
      power.push_back(a.power);
      won.push_back(a.won ? std::int8_t{1} : std::int8_t{0});
      notice.push_back(a.notice_weeks);
      consolidated.push_back(a.consolidated_step);
    }
  const auto at = static_cast<hsize_t>(n_actions_written);
  const auto write = [&](hid_t ds, const std::string& ds_name, hid_t mem_type, const void* buf) {
    write_rows_at(ds, layout::in(layout::kActionEvents, ds_name), mem_type, at, 0, n, buf);
  };
  write(action_scale.get(), ae::kEvent, H5T_NATIVE_INT64, index.data());
  const auto col = [&](ae::Column c) { return action_columns[c].get(); };
  const auto nm = [](ae::Column c) { return std::string(ae::kColumns[c].name); };
  write(col(ae::kRun), nm(ae::kRun), H5T_NATIVE_INT64, run_of.data());
  write(col(ae::kArm), nm(ae::kArm), H5T_NATIVE_INT8, arm_of.data());
  write(col(ae::kReplicate), nm(ae::kReplicate), H5T_NATIVE_INT32, rep_of.data());
  write(col(ae::kPoint), nm(ae::kPoint), H5T_NATIVE_INT32, point_of.data());
  write(col(ae::kStep), nm(ae::kStep), H5T_NATIVE_INT32, step_of.data());
  write(col(ae::kKind), nm(ae::kKind), H5T_NATIVE_INT8, kind.data());
  write(col(ae::kTurnout), nm(ae::kTurnout), H5T_NATIVE_DOUBLE, turnout.data());
  write(col(ae::kSupport), nm(ae::kSupport), H5T_NATIVE_DOUBLE, support.data());
  write(col(ae::kCohesion), nm(ae::kCohesion), H5T_NATIVE_DOUBLE, cohesion.data());
  write(col(ae::kPower), nm(ae::kPower), H5T_NATIVE_DOUBLE, power.data());
  write(col(ae::kWon), nm(ae::kWon), H5T_NATIVE_INT8, won.data());
  write(col(ae::kNoticeWeeks), nm(ae::kNoticeWeeks), H5T_NATIVE_INT32, notice.data());
  write(col(ae::kConsolidatedStep), nm(ae::kConsolidatedStep), H5T_NATIVE_INT32,
        consolidated.data());
  n_actions_written += static_cast<std::int64_t>(n);
}

namespace results_detail {

/// The /action_events table, appended to the runs it belongs to (in table order, which is action
/// order within a run). A file without /action_events (written before the table existed) has none.
void read_actions(hid_t file, std::vector<RunRecord>& runs, const std::string& path) {
  const htri_t exists = H5Lexists(file, layout::kActionEvents, H5P_DEFAULT);
  check(exists, path, std::string("look up group '") + layout::kActionEvents + "'");
  if (exists == 0) return;
  const hsize_t n = dimension_length(file, layout::in(layout::kActionEvents, ae::kEvent), path);
  const auto column = [&](auto type_tag, ae::Column c, hid_t mem_type) {
    using T = decltype(type_tag);
    return read_column<T>(file, layout::in(layout::kActionEvents, ae::kColumns[c].name), mem_type,
                          n, path, ae::kEvent);
  };
  const auto run = column(std::int64_t{}, ae::kRun, H5T_NATIVE_INT64);
  const auto step = column(std::int32_t{}, ae::kStep, H5T_NATIVE_INT32);
  const auto kind = column(std::int8_t{}, ae::kKind, H5T_NATIVE_INT8);
  const auto turnout = column(double{}, ae::kTurnout, H5T_NATIVE_DOUBLE);
  const auto support = column(double{}, ae::kSupport, H5T_NATIVE_DOUBLE);
  const auto cohesion = column(double{}, ae::kCohesion, H5T_NATIVE_DOUBLE);
  const auto power = column(double{}, ae::kPower, H5T_NATIVE_DOUBLE);
  const auto won = column(std::int8_t{}, ae::kWon, H5T_NATIVE_INT8);
  const auto notice = column(std::int32_t{}, ae::kNoticeWeeks, H5T_NATIVE_INT32);
  const auto consolidated = column(std::int32_t{}, ae::kConsolidatedStep, H5T_NATIVE_INT32);
  const std::string run_column = layout::in(layout::kActionEvents, ae::kColumns[ae::kRun].name);
  for (std::size_t i = 0; i < n; ++i) {
    RunRecord& owner = run_of_row(runs, run[i], path, run_column, "action", i);
    ActionEvent a;
    a.step = step[i];
    a.kind = kind[i];
    a.turnout = turnout[i];
    a.support = support[i];
    a.cohesion = cohesion[i];
    a.power = power[i];
    a.won = won[i] != 0;
    a.notice_weeks = notice[i];
    a.consolidated_step = consolidated[i];
    owner.actions.push_back(a);
  }
}

}  // namespace results_detail

}  // namespace orgsim
