// read_results (io/results_file.hpp): reads a results file back into plain types: the header
// from the root attributes and /provenance, the runs from the root datasets, then each group
// through its reader in io/groups/. Names come from io/layout.hpp.
#include <hdf5.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>
#include <utility>

#include "core/errors.hpp"
#include "core/files.hpp"
#include "io/layout.hpp"
#include "io/outputs.hpp"
#include "io/results_file.hpp"
#include "io/results_internal.hpp"

namespace orgsim {

using namespace h5;

namespace results_detail {

/// Rows of `n_rows` × `n_cols` values (row-major) as nested vectors.
std::vector<std::vector<double>> unflatten(const std::vector<double>& v, std::size_t n_rows,
                                           std::size_t n_cols) {
  std::vector<std::vector<double>> out(n_rows);
  for (std::size_t i = 0; i < n_rows; ++i)
    out[i].assign(v.begin() + static_cast<std::ptrdiff_t>(i * n_cols),
                  v.begin() + static_cast<std::ptrdiff_t>((i + 1) * n_cols));
  return out;
}

}  // namespace results_detail

using namespace results_detail;

namespace {

std::string read_string_dataset(hid_t group, const char* ds_name, const std::string& path) {
  const htri_t exists = H5Lexists(group, ds_name, H5P_DEFAULT);
  check(exists, path, std::string("look up provenance/") + ds_name);
  if (exists == 0) return {};
  const std::string op = std::string("read provenance/") + ds_name;
  Hid ds = make(H5Dopen2(group, ds_name, H5P_DEFAULT), path, op);
  Hid ftype = make(H5Dget_type(ds.get()), path, op);
  if (H5Tget_class(ftype.get()) != H5T_STRING)
    throw InputError(path, std::string("/provenance/") + ds_name, "a string", "another type");
  const htri_t is_vlen = H5Tis_variable_str(ftype.get());
  check(is_vlen, path, op);
  if (is_vlen > 0) {
    Hid mtype = utf8_string_type(path);
    char* s = nullptr;
    const ReadDeadline limit(path, std::string("/provenance/") + ds_name);
    check(H5Dread(ds.get(), mtype.get(), H5S_ALL, H5S_ALL, transfer_list(), &s), path, op);
    std::string out = s ? s : "";
    if (s) H5free_memory(s);
    return out;
  }
  const std::size_t size = H5Tget_size(ftype.get());
  Hid mtype = make(H5Tcopy(H5T_C_S1), path, op);
  check(H5Tset_size(mtype.get(), size), path, op);
  std::string out(size, '\0');
  check(H5Dread(ds.get(), mtype.get(), H5S_ALL, H5S_ALL, transfer_list(), out.data()), path, op);
  out.resize(std::strlen(out.c_str()));
  return out;
}

}  // namespace

namespace results_detail {

RunRecord& run_of_row(std::vector<RunRecord>& runs, std::int64_t run, const std::string& path,
                      const std::string& column, const char* row_kind, std::size_t row) {
  const auto by_run = [](const RunRecord& r, std::int64_t k) { return r.run < k; };
  const auto it = std::lower_bound(runs.begin(), runs.end(), run, by_run);
  if (it == runs.end() || it->run != run)
    throw InputError(path, "/" + column, "the index of a run in the file",
                     std::to_string(run) + " (" + row_kind + " " + std::to_string(row) + ")");
  return *it;
}

}  // namespace results_detail

std::string results_file_kind(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return {};
  QuietHdf5 quiet;
  CrashGuard guard(path);
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return {};
  }
  Hid file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!file.valid()) {
    H5Eclear2(H5E_DEFAULT);
    return {};
  }
  try {
    if (read_attr_string(file.get(), layout::attr::kSchema, path) != layout::kSchema) return {};
    return read_attr_string(file.get(), layout::attr::kKind, path);
  } catch (const std::exception&) {
    return {};
  }
}

bool is_results_file(const std::string& path) { return !results_file_kind(path).empty(); }

namespace {

ResultsFile read_results_file(const std::string& path, bool with_series) {
  const std::string expected = "an orgsim results file";
  require_regular_file(path, "orgsim results file");  // not a directory, FIFO or device

  QuietHdf5 quiet;
  CrashGuard guard(path);  // a file from elsewhere may crash HDF5 itself: exit 1 naming it
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    throw InputError(path, "", expected, "a file that is not HDF5");
  }
  // A file of up to 64 MiB (every run file and most sweeps) is read into memory in one read and
  // parsed there (HDF5's core driver): its metadata, some 130 datasets' headers and B-tree nodes,
  // otherwise costs a small pread each, and on a network file system each is a round trip.
  std::error_code size_ec;
  const auto bytes = std::filesystem::file_size(path, size_ec);
  Hid fapl = make(H5Pcreate(H5P_FILE_ACCESS), path, "open the file");
  if (!size_ec && bytes <= (std::uintmax_t{64} << 20))
    H5Pset_fapl_core(fapl.get(), 1 << 20, /*backing_store=*/0);
  Hid file = make(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()), path, "open the file");
  const hid_t f = file.get();

  const std::string schema = read_attr_string(f, layout::attr::kSchema, path);
  if (schema != layout::kSchema)
    throw InputError(path, "", expected,
                     schema.empty() ? "an HDF5 file without a schema attribute"
                                    : "an HDF5 file with schema \"" + schema + "\"");
  const std::string version = read_attr_string(f, layout::attr::kSchemaVersion, path);
  if (version.substr(0, version.find('.')) != layout::kSchemaMajor)
    throw InputError(path, "/@schema_version", "schema version 1.x (this build of orgsim)",
                     "\"" + version + "\"", "read it with a matching orgsim version");

  ResultsFile out;
  FileHeader& h = out.header;
  h.kind = read_attr_string(f, layout::attr::kKind, path, layout::kKindRun);
  h.design = read_attr_string(f, layout::attr::kDesign, path, "none");
  h.master_seed = read_attr_number<std::uint64_t>(f, layout::attr::kMasterSeed, H5T_NATIVE_UINT64, 0, path);
  h.n_runs_planned = read_attr_number<std::int64_t>(f, layout::attr::kNRunsPlanned, H5T_NATIVE_INT64, 0, path);
  h.command_line = read_attr_string(f, layout::attr::kCommandLine, path);
  h.study_id = read_attr_string(f, layout::attr::kStudyId, path);
  h.orgsim_version = read_attr_string(f, layout::attr::kOrgsimVersion, path);
  h.git_commit = read_attr_string(f, layout::attr::kGitCommit, path);
  h.git_dirty = read_attr_string(f, layout::attr::kGitDirty, path);

  // Dimensions.
  hsize_t n_steps = 0, n_runs = 0;
  for (auto [ds_name, n] : {std::pair<const char*, hsize_t*>{layout::kStep, &n_steps}, {layout::kRun, &n_runs}}) {
    const htri_t exists = H5Lexists(f, ds_name, H5P_DEFAULT);
    check(exists, path, std::string("look up dataset '") + ds_name + "'");
    if (exists == 0)
      throw InputError(path, std::string("/") + ds_name, "a dimension-scale dataset",
                       "no such dataset");
    Hid ds = make(H5Dopen2(f, ds_name, H5P_DEFAULT), path,
                  std::string("open dataset '") + ds_name + "'");
    Hid space = make(H5Dget_space(ds.get()), path, std::string("read dataset '") + ds_name + "'");
    if (H5Sget_simple_extent_ndims(space.get()) != 1)
      throw InputError(path, std::string("/") + ds_name, "a 1-D dataset", "another shape");
    check(H5Sget_simple_extent_dims(space.get(), n, nullptr), path,
          std::string("read dataset '") + ds_name + "'");
  }
  if (n_steps > static_cast<hsize_t>(std::numeric_limits<std::int32_t>::max()))
    throw InputError(path, "/step", "at most 2^31-1 steps", std::to_string(n_steps));
  h.n_steps = static_cast<std::int32_t>(n_steps);

  // Arm names from the flag_meanings of `arm`.
  {
    const htri_t exists = H5Lexists(f, layout::kArm, H5P_DEFAULT);
    check(exists, path, "look up dataset 'arm'");
    if (exists == 0) throw InputError(path, "/arm", "a 1-D dataset on run", "no such dataset");
    Hid arm = make(H5Dopen2(f, layout::kArm, H5P_DEFAULT), path, "open dataset 'arm'");
    h.arm_names = split_meanings(read_attr_string(arm.get(), layout::attr::kFlagMeanings, path));
  }

  // Varied parameters: the dotted names among the `coordinates` of the per-step datasets (the
  // writer lists arm, replicate, point, seed and then every varied parameter there), each a 1-D
  // float64 dataset on run. They are looked up by name rather than found by listing the root
  // group: listing a damaged root group by index is where libhdf5 1.10 crashes most often
  // (docs/FUZZING.md), and the names are the writer's own statement of what it varied.
  std::vector<std::string> varied_names;
  {
    const char* first_series = per_step_outputs().front().name.c_str();
    const htri_t exists = H5Lexists(f, first_series, H5P_DEFAULT);
    check(exists, path, std::string("look up dataset '") + first_series + "'");
    if (exists == 0)
      throw InputError(path, std::string("/") + first_series,
                       "a (run, step) dataset (an output of this orgsim)", "no such dataset",
                       "the file may come from another orgsim version");
    Hid ds = make(H5Dopen2(f, first_series, H5P_DEFAULT), path,
                  std::string("open dataset '") + first_series + "'");
    for (auto& name : split_meanings(read_attr_string(ds.get(), layout::attr::kCoordinates, path)))
      if (name.find('.') != std::string::npos) varied_names.push_back(std::move(name));
  }
  for (const auto& link : varied_names) {
    const std::string where = "/" + link;
    const htri_t exists = H5Lexists(f, link.c_str(), H5P_DEFAULT);
    check(exists, path, "look up dataset '" + link + "'");
    if (exists == 0)
      throw InputError(path, where, "the varied parameter's dataset named in the coordinates",
                       "no such dataset");
    Hid obj = make(H5Oopen(f, link.c_str(), H5P_DEFAULT), path, "open '" + link + "'");
    if (H5Iget_type(obj.get()) != H5I_DATASET)
      throw InputError(path, where, "a 1-D float64 dataset on run", "another kind of object");
    Hid space = make(H5Dget_space(obj.get()), path, "read dataset '" + link + "'");
    Hid type = make(H5Dget_type(obj.get()), path, "read dataset '" + link + "'");
    if (H5Sget_simple_extent_ndims(space.get()) != 1 || H5Tget_class(type.get()) != H5T_FLOAT ||
        H5Tget_size(type.get()) != 8)
      throw InputError(path, where, "a 1-D float64 dataset on run", "another shape or type");
    VariedParam v;
    v.key = link;
    v.units = read_attr_string(obj.get(), layout::attr::kUnits, path);
    v.long_name = read_attr_string(obj.get(), layout::attr::kLongName, path);
    v.description = read_attr_string(obj.get(), layout::attr::kDescription, path);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    v.min = read_attr_number<double>(obj.get(), layout::attr::kMin, H5T_NATIVE_DOUBLE, nan, path);
    v.max = read_attr_number<double>(obj.get(), layout::attr::kMax, H5T_NATIVE_DOUBLE, nan, path);
    v.levels = read_attr_string(obj.get(), layout::attr::kLevels, path);
    h.varied.push_back(std::move(v));
  }

  // Provenance.
  {
    const htri_t exists = H5Lexists(f, layout::kProvenance, H5P_DEFAULT);
    check(exists, path, "look up group 'provenance'");
    if (exists > 0) {
      Hid g = make(H5Gopen2(f, layout::kProvenance, H5P_DEFAULT), path, "open group 'provenance'");
      h.scenario_json = read_string_dataset(g.get(), layout::provenance::kScenarioJson, path);
      h.resolved_params_json = read_string_dataset(g.get(), layout::provenance::kResolvedParamsJson, path);
      h.parameter_table_json = read_string_dataset(g.get(), layout::provenance::kParameterTableJson, path);
      h.sweep_json = read_string_dataset(g.get(), layout::provenance::kSweepJson, path);
    }
  }

  // The roster's people (network.type = roster), so that a merge of parts keeps them.
  read_roster(f, h, path);

  // Runs.
  const auto run_idx = read_column<std::int64_t>(f, layout::kRun, H5T_NATIVE_INT64, n_runs, path, layout::kRun);
  const auto arm = read_column<std::int32_t>(f, layout::kArm, H5T_NATIVE_INT32, n_runs, path, layout::kRun);
  const auto rep = read_column<std::int32_t>(f, layout::kReplicate, H5T_NATIVE_INT32, n_runs, path, layout::kRun);
  const auto point = read_column<std::int32_t>(f, layout::kPoint, H5T_NATIVE_INT32, n_runs, path, layout::kRun);
  const auto seed = read_column<std::uint64_t>(f, layout::kSeed, H5T_NATIVE_UINT64, n_runs, path, layout::kRun);
  const auto status = read_column<std::int8_t>(f, layout::kStatus, H5T_NATIVE_INT8, n_runs, path, layout::kRun);
  const auto wall = read_column<float>(f, layout::kWallSeconds, H5T_NATIVE_FLOAT, n_runs, path, layout::kRun);

  // Every index read from the file is range-checked here, both ways, once: the callers (merge,
  // resume, status, summarize, rerun) index arrays with them.
  {
    const std::int64_t planned = h.n_runs_planned;
    const std::int64_t n_arms = static_cast<std::int64_t>(h.arm_names.size());
    if (planned < 0 || static_cast<std::uint64_t>(planned) < n_runs)
      throw InputError(path, "/@n_runs_planned",
                       "at least the number of runs in the file (" + std::to_string(n_runs) + ")",
                       std::to_string(planned));
    const auto bad = [&](const char* ds, std::size_t r, const std::string& range, std::int64_t v) {
      throw InputError(path, std::string("/") + ds + "[" + std::to_string(r) + "]",
                       "a code in " + range, std::to_string(v));
    };
    const std::string run_range = "0.." + std::to_string(planned - 1);
    for (std::size_t r = 0; r < n_runs; ++r) {
      if (run_idx[r] < 0 || run_idx[r] >= planned) bad(layout::kRun, r, run_range, run_idx[r]);
      if (r > 0 && run_idx[r] <= run_idx[r - 1])
        throw InputError(path, std::string("/") + layout::kRun + "[" + std::to_string(r) + "]",
                         "run indices in increasing order, each once",
                         std::to_string(run_idx[r]) + " after " + std::to_string(run_idx[r - 1]));
      if (arm[r] < 0 || arm[r] >= n_arms)
        bad(layout::kArm, r, "0.." + std::to_string(n_arms - 1) + " (the arms of flag_meanings)",
            arm[r]);
      if (point[r] < 0 || point[r] >= planned) bad(layout::kPoint, r, run_range, point[r]);
      if (rep[r] < 0 || rep[r] >= planned) bad(layout::kReplicate, r, run_range, rep[r]);
      if (status[r] < 0 || status[r] > 2) bad(layout::kStatus, r, "0..2", status[r]);
    }
  }

  const std::size_t n_step_vars = per_step_outputs().size();
  out.runs.resize(n_runs);
  for (std::size_t r = 0; r < n_runs; ++r) {
    RunRecord& rec = out.runs[r];
    rec.run = run_idx[r];
    rec.arm = arm[r];
    rec.replicate = rep[r];
    rec.point = point[r];
    rec.seed = seed[r];
    rec.status = status[r];
    rec.wall_seconds = wall[r];
    if (with_series)
      rec.per_step.assign(n_step_vars * n_steps, std::numeric_limits<float>::quiet_NaN());
    rec.per_run.resize(per_run_outputs().size());
    rec.params.resize(h.varied.size());
  }
  for (std::size_t p = 0; p < h.varied.size(); ++p) {
    const auto v = read_column<double>(f, h.varied[p].key, H5T_NATIVE_DOUBLE, n_runs, path, layout::kRun);
    for (std::size_t r = 0; r < n_runs; ++r) out.runs[r].params[p] = v[r];
  }
  for (std::size_t o = 0; o < per_run_outputs().size(); ++o) {
    const auto v = read_column<double>(f, per_run_outputs()[o].name, H5T_NATIVE_DOUBLE, n_runs,
                                       path, layout::kRun);
    for (std::size_t r = 0; r < n_runs; ++r) out.runs[r].per_run[o] = v[r];
  }
  std::vector<float> block(with_series ? n_runs * n_steps : 0);
  for (std::size_t o = 0; o < n_step_vars; ++o) {
    const std::string& ds_name = per_step_outputs()[o].name;
    const htri_t exists = H5Lexists(f, ds_name.c_str(), H5P_DEFAULT);
    check(exists, path, "look up dataset '" + ds_name + "'");
    if (exists == 0)
      throw InputError(path, "/" + ds_name, "a (run, step) dataset (an output of this orgsim)",
                       "no such dataset", "the file may come from another orgsim version");
    Hid ds = make(H5Dopen2(f, ds_name.c_str(), H5P_DEFAULT), path,
                  "open dataset '" + ds_name + "'");
    Hid space = make(H5Dget_space(ds.get()), path, "read dataset '" + ds_name + "'");
    hsize_t dims[2] = {0, 0};
    if (H5Sget_simple_extent_ndims(space.get()) != 2 ||
        H5Sget_simple_extent_dims(space.get(), dims, nullptr) < 0 || dims[0] != n_runs ||
        dims[1] != n_steps)
      throw InputError(path, "/" + ds_name,
                       "a (run, step) dataset of " + std::to_string(n_runs) + " × " +
                           std::to_string(n_steps),
                       "another shape");
    if (block.empty()) continue;  // no runs, or the series were not asked for
    check(H5Dread(ds.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, transfer_list(), block.data()), path,
          "read dataset '" + ds_name + "'");
    for (std::size_t r = 0; r < n_runs; ++r)
      std::copy_n(block.begin() + static_cast<std::ptrdiff_t>(r * n_steps), n_steps,
                  out.runs[r].per_step.begin() + static_cast<std::ptrdiff_t>(o * n_steps));
  }
  read_wins(f, out.runs, path);
  read_actions(f, out.runs, path);
  read_failures(f, out.runs, path);
  out.durability = read_durability(f, path);
  out.design = read_design(f, path);
  out.sensitivity = read_sensitivity(f, path);
  return out;
}

}  // namespace

ResultsFile read_results(const std::string& path, bool with_series) {
  try {
    return read_results_file(path, with_series);
  } catch (const Hdf5Error& e) {
    // HDF5 cannot open or read what the file holds (a truncated copy, flipped bytes): the file
    // is invalid input, not a failure of this run. A system call that failed underneath (an
    // I/O error of the disk or the network file system) stays a RunError.
    if (e.system_failure()) throw;
    const bool truncated = e.detail().find("truncated file") != std::string::npos;
    throw InputError(path, "", "an orgsim results file that HDF5 can read",
                     std::string(truncated ? "a truncated" : "a damaged") + " HDF5 file: cannot " +
                         e.operation() +
                         (e.detail().empty() ? std::string() : " (HDF5: " + e.detail() + ")"),
                     truncated ? "the copy or the write stopped early; copy or write it again"
                               : "write it again or restore a copy");
  }
}

}  // namespace orgsim
