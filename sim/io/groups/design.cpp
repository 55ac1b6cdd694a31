// /design: a sweep's design points (point × parameter), written at finish().
#include <hdf5.h>
#include <hdf5_hl.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "io/layout.hpp"
#include "io/results_internal.hpp"

namespace orgsim {

using namespace h5;
using namespace results_detail;

namespace {

namespace dg = layout::design;

const std::set<std::string> kDesignTypes = {"grid", "random", "lhs", "sobol", "morris",
                                             "points"};


}  // namespace

void ResultsWriter::Impl::validate_design(const DesignTable& d) const {
  const std::string which = "results file '" + final_path + "': set_design: ";
  if (!kDesignTypes.count(d.type))
    throw std::logic_error(which + "type '" + d.type +
                           "' is not one of grid, random, lhs, sobol, morris, points");
  for (const auto& k : d.keys)
    if (!is_parameter_key(k))
      throw std::logic_error(which + "parameter '" + k +
                             "' must be a dotted scenario path without '/' or spaces");
  if (const std::string dup = first_duplicate(d.keys); !dup.empty())
    throw std::logic_error(which + "parameter '" + dup + "' is listed twice");
  const std::size_t k = d.keys.size();
  if (!all_rows(d.points, k))
    throw std::logic_error(which + "every point needs one value per parameter (" +
                           std::to_string(k) + ")");
  if (!d.unit.empty() && (d.unit.size() != d.points.size() || !all_rows(d.unit, k)))
    throw std::logic_error(which + "the unit matrix must be empty or have the shape of the " +
                           "points (" + std::to_string(d.points.size()) + " × " +
                           std::to_string(k) + ")");
}

// /design: the design points on the `point` dimension, the parameters on `parameter` (their
// dotted keys as string labels), the values as one (point, parameter) matrix and, for
// analysts, one 1-D column per parameter named by its key; the raw sampler matrix as `unit`.
void ResultsWriter::Impl::write_design() {
  const std::string& f = name();
  const std::string gname = layout::kDesignGroup;
  Hid group = create_ordered_group(file.get(), layout::kDesignGroup, f);
  const hid_t g = group.get();
  attr_string(g, layout::attr::kLongName,
              "the sweep's design: the value of every varied parameter at every design point "
              "(the root `point` of a run is its row here)",
              f);
  attr_string(g, layout::attr::kType, design.type, f);

  const hsize_t n_points = design.points.size(), k = design.keys.size();
  Hid point_scale = write_index_scale(g, gname, dg::kPoint, n_points,
                                      "design point (the root `point` of the runs at it)", f);
  Hid param_scale = write_string_scale(g, gname, dg::kParameter, design.keys,
                                       "varied parameter (dotted scenario path)", f);
  const std::vector<hid_t> both = {point_scale.get(), param_scale.get()};
  {
    const auto values = flatten(design.points);
    write_fixed_dataset(g, gname, dg::kValue, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {n_points, k},
                        values.data(), both, "value of the parameter at the design point",
                        nullptr, nullptr, f);
  }
  if (!design.unit.empty()) {
    const auto unit = flatten(design.unit);
    write_fixed_dataset(g, gname, dg::kUnit, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {n_points, k},
                        unit.data(), both,
                        "the sampler's raw point in the unit hypercube [0,1]^k, before scaling "
                        "to the parameter ranges",
                        "1", nullptr, f);
  }
  std::vector<double> column(n_points);
  for (std::size_t p = 0; p < k; ++p) {
    for (std::size_t i = 0; i < n_points; ++i) column[i] = design.points[i][p];
    const std::string& key = design.keys[p];
    const auto v = std::find_if(header.varied.begin(), header.varied.end(),
                                [&](const VariedParam& x) { return x.key == key; });
    const bool known = v != header.varied.end();
    Hid ds =
        write_fixed_dataset(g, gname, key, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {n_points},
                            column.data(), {point_scale.get()}, key.c_str(), nullptr, nullptr, f);
    if (known) {
      describe_varied(ds.get(), *v, f);
      attr_scalar(ds.get(), layout::attr::kMin, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v->min, f);
      attr_scalar(ds.get(), layout::attr::kMax, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v->max, f);
    }
  }
}

namespace results_detail {

/// The /design group: keys from `parameter`, points from `value`, the sampler matrix from
/// `unit` (if present). A file without /design gives an empty table.
DesignTable read_design(hid_t file, const std::string& path) {
  DesignTable d;
  const htri_t exists = H5Lexists(file, layout::kDesignGroup, H5P_DEFAULT);
  check(exists, path, std::string("look up group '") + layout::kDesignGroup + "'");
  if (exists == 0) return d;
  {
    Hid g = make(H5Gopen2(file, layout::kDesignGroup, H5P_DEFAULT), path,
                 std::string("open group '") + layout::kDesignGroup + "'");
    d.type = read_attr_string(g.get(), layout::attr::kType, path);
  }
  const hsize_t n_points = dimension_length(file, layout::in(layout::kDesignGroup, dg::kPoint), path);
  const hsize_t k = dimension_length(file, layout::in(layout::kDesignGroup, dg::kParameter), path);
  d.keys = read_string_column(file, layout::in(layout::kDesignGroup, dg::kParameter), k, path, dg::kParameter);
  const std::string shape =
      "on (point, parameter) of " + std::to_string(n_points) + " × " + std::to_string(k);
  d.points = unflatten(read_array(file, layout::in(layout::kDesignGroup, dg::kValue), {n_points, k}, shape, path), n_points, k);
  const htri_t has_unit = H5Lexists(file, layout::in(layout::kDesignGroup, dg::kUnit).c_str(), H5P_DEFAULT);
  check(has_unit, path, "look up dataset 'design/unit'");
  if (has_unit > 0)
    d.unit = unflatten(read_array(file, layout::in(layout::kDesignGroup, dg::kUnit), {n_points, k}, shape, path), n_points, k);
  return d;
}

}  // namespace results_detail

}  // namespace orgsim
