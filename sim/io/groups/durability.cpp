// /durability: the per-arm Kaplan-Meier estimates of win durability, written at finish().
#include <hdf5.h>
#include <hdf5_hl.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "io/layout.hpp"
#include "io/results_internal.hpp"

namespace orgsim {

using namespace h5;
using namespace results_detail;

// ---- /durability ----------------------------------------------------------------------------

namespace {

namespace du = layout::durability;

constexpr hsize_t kKmChunk = 4096;  // rows of the /durability curve table per chunk

/// Median survival time of a Kaplan-Meier curve: the first event time with S(t) <= 0.5, NaN if S
/// never drops to 0.5 (the rule of kaplan_meier(); an empty curve, an arm without reversals,
/// therefore has a NaN median whatever SurvivalCurve::median holds).
double curve_median(const SurvivalCurve& c) {
  for (std::size_t i = 0; i < c.time.size(); ++i)
    if (c.survival[i] <= 0.5) return c.time[i];
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

/// Rejects durability estimates the layout cannot hold (a programming error upstream).
void ResultsWriter::Impl::validate_durability(const std::vector<ArmDurability>& arms) const {
  const std::string which = "results file '" + final_path + "': set_durability: ";
  if (arms.size() > 127)
    throw std::logic_error(which + std::to_string(arms.size()) +
                           " arms; at most 127 fit the int8 `arm` code");
  if (!header.arm_names.empty() && arms.size() != header.arm_names.size())
    throw std::logic_error(which + std::to_string(arms.size()) + " arms, but the file has " +
                           std::to_string(header.arm_names.size()));
  for (std::size_t a = 0; a < arms.size(); ++a) {
    const ArmDurability& d = arms[a];
    const std::string who = which + "arm " + std::to_string(a) + " ('" + d.arm + "')";
    if (d.arm.empty() || has_space(d.arm))
      throw std::logic_error(who + ": the name must be non-empty and contain no spaces");
    if (!header.arm_names.empty() && d.arm != header.arm_names[a])
      throw std::logic_error(who + ": the file's arm " + std::to_string(a) + " is '" +
                             header.arm_names[a] + "' (one entry per arm, in arm order)");
    if (d.wins < 0 || d.reversals < 0 || d.reversals > d.wins)
      throw std::logic_error(who + ": " + std::to_string(d.reversals) + " reversals of " +
                             std::to_string(d.wins) + " wins");
    const SurvivalCurve& c = d.curve;
    const std::size_t n = c.time.size();
    if (c.survival.size() != n || c.lower.size() != n || c.upper.size() != n ||
        c.at_risk.size() != n || c.events.size() != n)
      throw std::logic_error(who + ": the survival curve's columns differ in length");
  }
}

/// One 1-D dataset of /durability, written at once, with `scale` attached (unless it is the scale
/// itself, `scale` < 0), and its attributes from `column` (long_name, description, units and
/// unit_words where it has some). `extendible`: chunked (shuffle + deflate) with an unlimited
/// maximum, as the curve table, which may have no rows; else contiguous and fixed.
Hid ResultsWriter::Impl::write_durability_column(hid_t group, const layout::ColumnDef& column,
                                                 hid_t file_type, hid_t mem_type, hsize_t n,
                                                 const void* data, hid_t scale, bool extendible) {
  const std::string& f = name();
  const std::string op = std::string("create dataset 'durability/") + column.name + "'";
  const hsize_t maxdims = extendible ? H5S_UNLIMITED : n;
  Hid space = make(H5Screate_simple(1, &n, &maxdims), f, op);
  Hid dcpl = make(H5Pcreate(H5P_DATASET_CREATE), f, op);
  if (extendible) {
    const hsize_t chunk = std::clamp<hsize_t>(n, 1, kKmChunk);
    check(H5Pset_chunk(dcpl.get(), 1, &chunk), f, op);
    check(H5Pset_shuffle(dcpl.get()), f, op);
    check(H5Pset_deflate(dcpl.get(), deflate_level), f, op);
  }
  Hid ds = make(
      H5Dcreate2(group, column.name, file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
      f, op);
  if (n > 0)
    check(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, transfer_list(), data), f,
          std::string("write dataset 'durability/") + column.name + "'");
  if (scale >= 0)
    check(H5DSattach_scale(ds.get(), scale, 0), f,
          std::string("attach a dimension scale to durability/") + column.name);
  attr_column(ds.get(), column, f);
  return ds;
}

// /durability: the per-arm Kaplan-Meier estimates of win durability, on the `arm` dimension, and
// the curves as one long table (one row per arm and event time) on the `km` dimension, so that
// xarray.open_dataset(path, engine="h5netcdf", group="durability") opens both in one call. Every
// dataset's attributes come from its ColumnDef (layout::durability).
void ResultsWriter::Impl::write_durability() {
  const std::string& f = name();
  Hid group = create_ordered_group(file.get(), layout::kDurability, f);
  const hid_t g = group.get();
  attr_string(g, layout::attr::kLongName, "Durability of wins", f);
  attr_string(g, layout::attr::kDescription,
              "Kaplan-Meier estimate per arm over the wins of the arm's done runs (reversal = "
              "event, still standing at the end of the run = censored); in a sweep the wins of "
              "every design point are pooled",
              f);

  // Per arm.
  const hsize_t k = durability.size();
  std::vector<std::string> names;
  std::vector<std::int8_t> codes;
  std::vector<std::int64_t> wins, reversals;
  std::vector<double> median;
  for (std::size_t a = 0; a < durability.size(); ++a) {
    names.push_back(durability[a].arm);
    codes.push_back(static_cast<std::int8_t>(a));
    wins.push_back(durability[a].wins);
    reversals.push_back(durability[a].reversals);
    median.push_back(curve_median(durability[a].curve));
  }
  Hid arm_scale = write_durability_column(g, du::kArmIndex, H5T_STD_I8LE, H5T_NATIVE_INT8, k,
                                          codes.data(), -1, false);
  check(H5DSset_scale(arm_scale.get(), du::kArm), f, "make 'durability/arm' a dimension scale");
  write_arm_flags(arm_scale.get(), names, f);
  const hid_t arm_id = arm_scale.get();
  write_durability_column(g, du::kArmColumns[du::kWins], H5T_STD_I64LE, H5T_NATIVE_INT64, k,
                          wins.data(), arm_id, false);
  write_durability_column(g, du::kArmColumns[du::kReversals], H5T_STD_I64LE, H5T_NATIVE_INT64, k,
                          reversals.data(), arm_id, false);
  {
    Hid ds = write_durability_column(g, du::kArmColumns[du::kMedian], H5T_IEEE_F64LE,
                                     H5T_NATIVE_DOUBLE, k, median.data(), arm_id, false);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    attr_scalar(ds.get(), layout::attr::kFillValue, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, nan, f);
  }

  // The curves, one row per (arm, event time), arms in order.
  std::vector<std::int64_t> row, at_risk, events;
  std::vector<std::int8_t> km_arm;
  std::vector<double> time, survival, lower, upper;
  for (std::size_t a = 0; a < durability.size(); ++a) {
    const SurvivalCurve& c = durability[a].curve;
    for (std::size_t i = 0; i < c.time.size(); ++i) {
      row.push_back(static_cast<std::int64_t>(row.size()));
      km_arm.push_back(static_cast<std::int8_t>(a));
      time.push_back(c.time[i]);
      survival.push_back(c.survival[i]);
      lower.push_back(c.lower[i]);
      upper.push_back(c.upper[i]);
      at_risk.push_back(c.at_risk[i]);
      events.push_back(c.events[i]);
    }
  }
  const hsize_t n = row.size();
  Hid km = write_durability_column(g, du::kKmIndex, H5T_STD_I64LE, H5T_NATIVE_INT64, n, row.data(),
                                   -1, true);
  check(H5DSset_scale(km.get(), du::kKm), f, "make 'durability/km' a dimension scale");
  const hid_t km_id = km.get();
  {
    Hid ds = write_durability_column(g, du::kKmColumns[du::kKmArm], H5T_STD_I8LE, H5T_NATIVE_INT8,
                                     n, km_arm.data(), km_id, true);
    write_arm_flags(ds.get(), names, f);
  }
  write_durability_column(g, du::kKmColumns[du::kTime], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n,
                          time.data(), km_id, true);
  const std::string coords =
      std::string(du::kKmColumns[du::kKmArm].name) + " " + du::kKmColumns[du::kTime].name;
  for (auto [c, values] :
       {std::pair<du::KmColumn, const std::vector<double>*>{du::kSurvival, &survival},
        {du::kLower, &lower},
        {du::kUpper, &upper}}) {
    Hid ds = write_durability_column(g, du::kKmColumns[c], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n,
                                     values->data(), km_id, true);
    attr_string(ds.get(), layout::attr::kCoordinates, coords, f);
  }
  for (auto [c, values] :
       {std::pair<du::KmColumn, const std::vector<std::int64_t>*>{du::kAtRisk, &at_risk},
        {du::kEvents, &events}}) {
    Hid ds = write_durability_column(g, du::kKmColumns[c], H5T_STD_I64LE, H5T_NATIVE_INT64, n,
                                     values->data(), km_id, true);
    attr_string(ds.get(), layout::attr::kCoordinates, coords, f);
  }
}

namespace results_detail {

/// The /durability group: per-arm counts and medians on `arm`, and the Kaplan-Meier curves from
/// the long table on `km` (rows of an arm in table order), each dataset named by its ColumnDef
/// (layout::durability). Arm names come from the flag_meanings of durability/arm. A file without
/// /durability has no durability estimates.
std::vector<ArmDurability> read_durability(hid_t file, const std::string& path) {
  std::vector<ArmDurability> out;
  const htri_t exists = H5Lexists(file, layout::kDurability, H5P_DEFAULT);
  check(exists, path, std::string("look up group '") + layout::kDurability + "'");
  if (exists == 0) return out;
  const auto in_group = [](const char* ds_name) {
    return layout::in(layout::kDurability, ds_name);
  };
  const std::string arm_path = in_group(du::kArmIndex.name);
  const hsize_t k = dimension_length(file, arm_path, path);
  std::vector<std::string> names;
  {
    Hid arm = make(H5Dopen2(file, arm_path.c_str(), H5P_DEFAULT), path,
                   "open dataset '" + arm_path + "'");
    names = split_meanings(read_attr_string(arm.get(), layout::attr::kFlagMeanings, path));
  }
  if (names.size() < k)
    throw InputError(path, "/" + arm_path + "/@" + layout::attr::kFlagMeanings,
                     "one name per arm (" + std::to_string(k) + ")",
                     std::to_string(names.size()) + " names");
  const auto per_arm = [&](auto type_tag, du::ArmColumn c, hid_t mem_type) {
    using T = decltype(type_tag);
    return read_column<T>(file, in_group(du::kArmColumns[c].name), mem_type, k, path, du::kArm);
  };
  const auto codes = read_column<std::int8_t>(file, arm_path, H5T_NATIVE_INT8, k, path, du::kArm);
  const auto wins = per_arm(std::int64_t{}, du::kWins, H5T_NATIVE_INT64);
  const auto reversals = per_arm(std::int64_t{}, du::kReversals, H5T_NATIVE_INT64);
  const auto median = per_arm(double{}, du::kMedian, H5T_NATIVE_DOUBLE);
  out.resize(k);
  for (std::size_t a = 0; a < k; ++a) {
    if (codes[a] != static_cast<std::int8_t>(a))
      throw InputError(path, "/" + arm_path, "the codes 0 … " + std::to_string(k - 1),
                       std::to_string(codes[a]) + " at position " + std::to_string(a));
    out[a].arm = names[a];
    out[a].wins = wins[a];
    out[a].reversals = reversals[a];
    out[a].curve.median = median[a];
  }

  const hsize_t n = dimension_length(file, in_group(du::kKmIndex.name), path);
  const auto per_row = [&](auto type_tag, du::KmColumn c, hid_t mem_type) {
    using T = decltype(type_tag);
    return read_column<T>(file, in_group(du::kKmColumns[c].name), mem_type, n, path, du::kKm);
  };
  const auto km_arm = per_row(std::int8_t{}, du::kKmArm, H5T_NATIVE_INT8);
  const auto time = per_row(double{}, du::kTime, H5T_NATIVE_DOUBLE);
  const auto survival = per_row(double{}, du::kSurvival, H5T_NATIVE_DOUBLE);
  const auto lower = per_row(double{}, du::kLower, H5T_NATIVE_DOUBLE);
  const auto upper = per_row(double{}, du::kUpper, H5T_NATIVE_DOUBLE);
  const auto at_risk = per_row(std::int64_t{}, du::kAtRisk, H5T_NATIVE_INT64);
  const auto events = per_row(std::int64_t{}, du::kEvents, H5T_NATIVE_INT64);
  for (std::size_t i = 0; i < n; ++i) {
    if (km_arm[i] < 0 || static_cast<hsize_t>(km_arm[i]) >= k)
      throw InputError(path, "/" + in_group(du::kKmColumns[du::kKmArm].name),
                       "an arm code below " + std::to_string(k),
                       std::to_string(km_arm[i]) + " (row " + std::to_string(i) + ")");
    SurvivalCurve& c = out[static_cast<std::size_t>(km_arm[i])].curve;
    c.time.push_back(time[i]);
    c.survival.push_back(survival[i]);
    c.lower.push_back(lower[i]);
    c.upper.push_back(upper[i]);
    c.at_risk.push_back(at_risk[i]);
    c.events.push_back(events[i]);
  }
  return out;
}

}  // namespace results_detail

}  // namespace orgsim
