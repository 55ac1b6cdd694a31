// /sensitivity: Sobol or Morris indices of a sweep per arm, output and parameter, written at
// finish().
#include <hdf5.h>
#include <hdf5_hl.h>

#include <algorithm>
#include <array>
#include <limits>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "io/layout.hpp"
#include "io/results_internal.hpp"

namespace orgsim {

using namespace h5;
using namespace results_detail;

namespace {

namespace se = layout::sensitivity;

/// The arrays of a SensitivityTable, by method: name, member, long name.
struct SensitivityArray {
  const char* name;
  std::vector<std::vector<std::vector<double>>> SensitivityTable::*member;
  const char* long_name;
};
const std::array<SensitivityArray, 4> kSobolArrays = {{
    {se::kS1, &SensitivityTable::S1,
     "first-order Sobol index (Saltelli 2010): share of the variance of the design-point means "
     "due to the parameter alone"},
    {se::kS1Conf, &SensitivityTable::S1_conf,
     "half-width of the 95% bootstrap confidence interval of S1"},
    {se::kST, &SensitivityTable::ST,
     "total Sobol index (Jansen 1999): share of the variance due to the parameter, interactions "
     "included"},
    {se::kSTConf, &SensitivityTable::ST_conf,
     "half-width of the 95% bootstrap confidence interval of ST"},
}};
const std::array<SensitivityArray, 3> kMorrisArrays = {{
    {se::kMu, &SensitivityTable::mu,
     "Morris mean elementary effect (unit-hypercube coordinates) on the design-point means"},
    {se::kMuStar, &SensitivityTable::mu_star, "Morris mean absolute elementary effect"},
    {se::kSigma, &SensitivityTable::sigma, "standard deviation of the Morris elementary effects"},
}};

}  // namespace

/// Rejects sensitivity indices the layout cannot hold (a programming error upstream).
void ResultsWriter::Impl::validate_sensitivity(const SensitivityTable& t) const {
  const std::string which = "results file '" + final_path + "': set_sensitivity: ";
  const bool sobol = t.method == se::kSobol;
  if (!sobol && t.method != se::kMorris)
    throw std::logic_error(which + "method '" + t.method + "' is neither sobol nor morris");
  for (const auto* labels : {&t.outputs, &t.parameters}) {
    const char* what = labels == &t.outputs ? se::kOutput : se::kParameter;
    if (const std::string dup = first_duplicate(*labels); !dup.empty())
      throw std::logic_error(which + what + " '" + dup + "' is listed twice");
  }
  const std::size_t n_arms = t.noise_share.size(), n_out = t.outputs.size(),
                    n_par = t.parameters.size();
  if (n_arms > 127)
    throw std::logic_error(which + std::to_string(n_arms) +
                           " arms; at most 127 fit the int8 `arm` code");
  if (!header.arm_names.empty() && n_arms != header.arm_names.size())
    throw std::logic_error(which + std::to_string(n_arms) + " arms (noise_share), but the file "
                           "has " + std::to_string(header.arm_names.size()));
  if (!all_rows(t.noise_share, n_out))
    throw std::logic_error(which + "noise_share needs one value per output (" +
                           std::to_string(n_out) + ") for every arm");
  const auto check_array = [&](const SensitivityArray& a, bool used) {
    const auto& v = t.*(a.member);
    if (!used) {
      if (!v.empty())
        throw std::logic_error(which + a.name + " must be empty for method '" + t.method + "'");
      return;
    }
    const bool ok = v.size() == n_arms && std::all_of(v.begin(), v.end(), [&](const auto& per_arm) {
                      return per_arm.size() == n_out && all_rows(per_arm, n_par);
                    });
    if (!ok)
      throw std::logic_error(which + a.name + " must be " + std::to_string(n_arms) + " arms × " +
                             std::to_string(n_out) + " outputs × " + std::to_string(n_par) +
                             " parameters");
  };
  for (const auto& a : kSobolArrays) check_array(a, sobol);
  for (const auto& a : kMorrisArrays) check_array(a, !sobol);
}

// /sensitivity: the indices of a sobol or morris sweep on (arm, output, parameter), the replicate
// noise share on (arm, output); `output` and `parameter` are string dimension scales, so
// ds.S1.sel(output="final_turnout", parameter="environment.turnover") works.
void ResultsWriter::Impl::write_sensitivity() {
  const std::string& f = name();
  const std::string gname = layout::kSensitivity;
  Hid group = create_ordered_group(file.get(), layout::kSensitivity, f);
  const hid_t g = group.get();
  attr_string(g, layout::attr::kLongName,
              "sensitivity of per-run outputs to the varied parameters, per arm, computed on the "
              "design-point means over replicates",
              f);
  attr_string(g, layout::attr::kMethod, sensitivity.method, f);

  const hsize_t n_arms = sensitivity.noise_share.size(), n_out = sensitivity.outputs.size(),
                n_par = sensitivity.parameters.size();
  Hid arm_scale;
  {
    std::vector<std::int8_t> codes(n_arms);
    for (std::size_t a = 0; a < codes.size(); ++a) codes[a] = static_cast<std::int8_t>(a);
    arm_scale = write_fixed_dataset(g, gname, se::kArm, H5T_STD_I8LE, H5T_NATIVE_INT8, {n_arms},
                                    codes.data(), {}, "strategy arm (code; see flag_meanings)",
                                    nullptr, nullptr, f);
    check(H5DSset_scale(arm_scale.get(), se::kArm), f, "make 'sensitivity/arm' a dimension scale");
    set_arm_flags(arm_scale.get());
  }
  Hid out_scale = write_string_scale(g, gname, se::kOutput, sensitivity.outputs,
                                     "per-run output (the root variable of that name)", f);
  Hid par_scale = write_string_scale(g, gname, se::kParameter, sensitivity.parameters,
                                     "varied parameter (dotted scenario path)", f);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<hid_t> scales = {arm_scale.get(), out_scale.get(), par_scale.get()};
  const auto write_array = [&](const SensitivityArray& a) {
    const auto values = flatten(sensitivity.*(a.member));
    write_fixed_dataset(g, gname, a.name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                        {n_arms, n_out, n_par}, values.data(), scales, a.long_name, "1", &nan,
                        f);
  };
  if (sensitivity.method == se::kSobol)
    for (const auto& a : kSobolArrays) write_array(a);
  else
    for (const auto& a : kMorrisArrays) write_array(a);
  const auto noise = flatten(sensitivity.noise_share);
  write_fixed_dataset(g, gname, se::kNoiseShare, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                      {n_arms, n_out}, noise.data(), {arm_scale.get(), out_scale.get()},
                      "share of the output's variance that is replicate noise (the within-point "
                      "variance over the total variance)",
                      "1", &nan, f);
}

namespace results_detail {

/// The /sensitivity group: labels from the `output` and `parameter` scales, one entry per arm
/// of `arm`, the arrays of the group's method. A file without /sensitivity gives an empty table.
SensitivityTable read_sensitivity(hid_t file, const std::string& path) {
  SensitivityTable t;
  const htri_t exists = H5Lexists(file, layout::kSensitivity, H5P_DEFAULT);
  check(exists, path, std::string("look up group '") + layout::kSensitivity + "'");
  if (exists == 0) return t;
  {
    Hid g = make(H5Gopen2(file, layout::kSensitivity, H5P_DEFAULT), path,
                 std::string("open group '") + layout::kSensitivity + "'");
    t.method = read_attr_string(g.get(), layout::attr::kMethod, path);
  }
  if (t.method != se::kSobol && t.method != se::kMorris)
    throw InputError(path, "/" + std::string(layout::kSensitivity) + "/@" + layout::attr::kMethod, "\"sobol\" or \"morris\"",
                     "\"" + t.method + "\"");
  const hsize_t n_arms = dimension_length(file, layout::in(layout::kSensitivity, se::kArm), path);
  const hsize_t n_out = dimension_length(file, layout::in(layout::kSensitivity, se::kOutput), path);
  const hsize_t n_par = dimension_length(file, layout::in(layout::kSensitivity, se::kParameter), path);
  t.outputs = read_string_column(file, layout::in(layout::kSensitivity, se::kOutput), n_out, path, se::kOutput);
  t.parameters = read_string_column(file, layout::in(layout::kSensitivity, se::kParameter), n_par, path, se::kParameter);
  const std::string shape3 = "on (arm, output, parameter) of " + std::to_string(n_arms) + " × " +
                             std::to_string(n_out) + " × " + std::to_string(n_par);
  const auto read3 = [&](const SensitivityArray& a) {
    const auto v = read_array(file, layout::in(layout::kSensitivity, a.name), {n_arms, n_out, n_par},
                              shape3, path);
    auto& dst = t.*(a.member);
    dst.resize(n_arms);
    for (std::size_t i = 0; i < n_arms; ++i) {
      const std::vector<double> arm(v.begin() + static_cast<std::ptrdiff_t>(i * n_out * n_par),
                                    v.begin() +
                                        static_cast<std::ptrdiff_t>((i + 1) * n_out * n_par));
      dst[i] = unflatten(arm, n_out, n_par);
    }
  };
  if (t.method == se::kSobol)
    for (const auto& a : kSobolArrays) read3(a);
  else
    for (const auto& a : kMorrisArrays) read3(a);
  t.noise_share = unflatten(
      read_array(file, layout::in(layout::kSensitivity, se::kNoiseShare), {n_arms, n_out},
                 "on (arm, output) of " + std::to_string(n_arms) + " × " + std::to_string(n_out),
                 path),
      n_arms, n_out);
  return t;
}

}  // namespace results_detail

}  // namespace orgsim
