// ResultsWriter (io/results_file.hpp): creates "<final>.partial", writes the root attributes, the
// `run` and `step` dimension scales, the per-run and per-step datasets and /provenance, appends
// batches of runs, and at finish() writes the closing groups and renames the file into place.
// HDF5 is used through the C API and the high-level dimension-scale calls, so that xarray
// (engine="h5netcdf"), h5py and netCDF-aware tools read the file without a netCDF library here.
// The groups (/win_events, /action_events, /failures, /durability, /design, /sensitivity,
// /roster, /agents and /networks) are in io/groups/; the names of everything are in
// io/layout.hpp; the layout is described in docs/HDF5_LAYOUT.md.
#include <hdf5.h>
#include <hdf5_hl.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <limits>
#include <memory>
#include <set>
#include <stdexcept>
#include <utility>

#include "core/errors.hpp"
#include "core/rng.hpp"
#include "core/sha256.hpp"
#include "engine/snapshot.hpp"
#include "io/layout.hpp"
#include "io/outputs.hpp"
#include "io/results_file.hpp"
#include "io/results_internal.hpp"
#include "orgsim_version.hpp"

namespace orgsim {

using namespace h5;

namespace {

/// Test hook (tests/test_faults.cpp, docs/RELIABILITY.md): with ORGSIM_FAULT_WRITE_AFTER_RUNS=N
/// in the environment, appending fails like a full disk once N runs have been appended by this
/// process (over all its writers).
void injected_write_fault(const std::string& file, std::size_t adding) {
  static const long long limit = [] {
    const char* v = std::getenv("ORGSIM_FAULT_WRITE_AFTER_RUNS");
    return v && *v ? std::atoll(v) : -1LL;
  }();
  static std::atomic<long long> appended{0};
  if (limit < 0) return;
  if (appended.fetch_add(static_cast<long long>(adding)) + static_cast<long long>(adding) > limit)
    throw RunError("results file '" + file +
                   "': cannot write: No space left on device (injected by "
                   "ORGSIM_FAULT_WRITE_AFTER_RUNS=" + std::to_string(limit) + ")");
}

/// fsync of a file or directory by path; the errno of the failure, or 0.
int sync_path(const std::string& path, bool directory) {
  const int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return errno;
  const int status = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return status;
}

}  // namespace

namespace results_detail {

bool has_space(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n'; });
}

/// A parameter key the layout can hold as a dataset name: a dotted scenario path without '/' or
/// spaces (the dot also keeps it apart from every undotted name the writer uses).
bool is_parameter_key(const std::string& key) {
  return key.find('.') != std::string::npos && key.find('/') == std::string::npos &&
         !has_space(key) && key != "." && key != "..";
}

/// flag_values / flag_meanings of an arm-code dataset: code i is arm_names[i]. Nothing when there
/// are no names.
void write_arm_flags(hid_t ds, const std::vector<std::string>& arm_names, const std::string& file) {
  if (arm_names.empty()) return;
  std::vector<std::int8_t> codes(arm_names.size());
  std::string meanings;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    codes[i] = static_cast<std::int8_t>(i);
    meanings += (i ? " " : "") + arm_names[i];
  }
  attr_array(ds, layout::attr::kFlagValues, H5T_STD_I8LE, H5T_NATIVE_INT8, codes, file);
  attr_string(ds, layout::attr::kFlagMeanings, meanings, file);
}

/// The first string of `names` that occurs a second time (empty if none does).
std::string first_duplicate(const std::vector<std::string>& names) {
  std::set<std::string> seen;
  for (const auto& n : names)
    if (!seen.insert(n).second) return n;
  return {};
}

bool all_rows(const std::vector<std::vector<double>>& m, std::size_t cols) {
  return std::all_of(m.begin(), m.end(), [&](const auto& row) { return row.size() == cols; });
}

/// A nested [i][j][k] or [i][j] array flattened in row-major order (rows of equal length).
std::vector<double> flatten(const std::vector<std::vector<std::vector<double>>>& a) {
  std::vector<double> out;
  for (const auto& x : a)
    for (const auto& y : x) out.insert(out.end(), y.begin(), y.end());
  return out;
}
std::vector<double> flatten(const std::vector<std::vector<double>>& a) {
  std::vector<double> out;
  for (const auto& x : a) out.insert(out.end(), x.begin(), x.end());
  return out;
}

}  // namespace results_detail

using namespace results_detail;

namespace {


// Per-step chunks aim at ~512 KiB: inside the 256 KiB - 1 MiB band that reads well both by run
// (one chunk per variable) and by step, and within HDF5's default 1 MiB chunk cache. A study
// too small for 8 such chunks gets 8 smaller ones (but not below 64 KiB): a chunk is compressed
// when it is evicted from the writer's one-chunk cache, so with several chunks most of the
// compression happens while a sweep runs, beside its simulations, instead of all of it at the
// end on one thread (issue 8: 0.14 s of 1.4 s for the default 800-run sweep on 2 threads).
constexpr std::size_t kTargetChunkBytes = 512 * 1024;
constexpr std::size_t kMinChunkBytes = 64 * 1024;
constexpr hsize_t kChunksPerSmallStudy = 8;
constexpr hsize_t kMaxRunChunk = 16384;     // 1-D run datasets: at most 128 KiB per chunk
constexpr hsize_t kDefaultRunChunk = 1024;  // when the number of runs is not known

// ---- Small helpers -------------------------------------------------------------------------

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

/// A random (version 4) UUID from /dev/urandom; used only when the caller gave no study_id.
std::string random_uuid() {
  std::array<unsigned char, 16> b{};
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  if (!urandom.read(reinterpret_cast<char*>(b.data()), b.size())) return "";
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  std::string s;
  char hex[3];
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    std::snprintf(hex, sizeof hex, "%02x", b[i]);
    s += hex;
  }
  return s;
}

std::string seed_scheme_text() {
  char salts[160];
  std::snprintf(salts, sizeof salts, "kReplicateSalt = 0x%016llx, kStreamSalt = 0x%016llx",
                static_cast<unsigned long long>(kReplicateSalt),
                static_cast<unsigned long long>(kStreamSalt));
  return std::string(
             "Every run of replicate k (in every arm) uses replicate_seed = mix(mix(master_seed "
             "^ kReplicateSalt) + k); the `seed` dataset stores it. Each sub-model draws from its "
             "own stream, seeded with stream_seed = mix(mix(replicate_seed ^ kStreamSalt) + "
             "stream_id) (population=1, network=2, trust=3, climate=4, turnover=5, seeds=6, "
             "participation=7, campaign=8, employer=9), where mix() is the splitmix64 finaliser "
             "and ") +
         salts +
         ". The generator is xoshiro256**, its state filled by running splitmix64 from the "
         "stream seed. Arms that share a replicate therefore share population, network, climate "
         "and turnover draws (common random numbers), and a run's draws are fixed by master_seed "
         "and its replicate alone (see sim/core/rng.hpp).";
}

hsize_t per_step_chunk_rows(std::int32_t n_steps, std::int64_t n_runs_planned) {
  const std::size_t row_bytes = sizeof(float) * static_cast<std::size_t>(n_steps);
  hsize_t rows = std::max<std::size_t>(1, kTargetChunkBytes / row_bytes);
  if (n_runs_planned > 0) {
    const auto n = static_cast<hsize_t>(n_runs_planned);
    const hsize_t floor_rows = std::max<std::size_t>(1, kMinChunkBytes / row_bytes);
    rows = std::min(rows, std::max((n + kChunksPerSmallStudy - 1) / kChunksPerSmallStudy,
                                   floor_rows));
    rows = std::min(rows, n);
  }
  return rows;
}

hsize_t run_chunk_rows(std::int64_t n_runs_planned) {
  if (n_runs_planned <= 0) return kDefaultRunChunk;
  return std::min<hsize_t>(static_cast<hsize_t>(n_runs_planned), kMaxRunChunk);
}

/// Rejects a header the layout cannot represent (a programming error upstream).
void validate_header(const FileHeader& h) {
  if (h.n_steps < 1) throw std::invalid_argument("results file: n_steps must be at least 1");
  if (h.arm_names.size() > 127)
    throw std::invalid_argument("results file: at most 127 arms fit the int8 `arm` code");
  for (const auto& a : h.arm_names)
    if (a.empty() || has_space(a))
      throw std::invalid_argument("results file: arm name '" + a +
                                  "' must be non-empty and contain no spaces (flag_meanings)");
  // Every link the writer creates in the root group. An output may not take the name of the
  // /provenance, /win_events or /durability groups: HDF5 (and netCDF) allow one object per name in a group.
  std::set<std::string> names = {
      layout::kStep,       layout::kRun,       layout::kArm,        layout::kReplicate,
      layout::kPoint,      layout::kSeed,      layout::kStatus,     layout::kWallSeconds,
      layout::kProvenance, layout::kWinEvents, layout::kActionEvents, layout::kDurability,
      layout::kFailures, layout::kDesignGroup, layout::kSensitivity, layout::kRosterGroup,
      layout::kAgentsGroup, layout::kNetworksGroup};
  const auto claim = [&](const std::string& name, const char* what) {
    if (!names.insert(name).second)
      throw std::invalid_argument(
          std::string("results file: ") + what + " '" + name + "' clashes with another name " +
          "in the root group (the datasets, the /provenance, /durability, /design and "
          "/sensitivity groups and the /win_events, /action_events and /failures tables)");
  };
  for (const auto& v : h.varied) {
    if (!is_parameter_key(v.key))
      throw std::invalid_argument("results file: varied parameter '" + v.key +
                                  "' must be a dotted scenario path without '/' or spaces");
    claim(v.key, "varied parameter");
  }
  for (const auto& o : per_step_outputs()) claim(o.name, "per-step output");
  for (const auto& o : per_run_outputs()) claim(o.name, "per-run output");
}


}  // namespace

// ---- ResultsWriter::Impl: the root group -----------------------------------------------------

Hid ResultsWriter::Impl::create_run_dataset(const std::string& ds_name, hid_t file_type,
                                            const void* fill, hid_t fill_type) {
  const hsize_t dims = 0, maxdims = H5S_UNLIMITED, chunk = run_chunk_rows(header.n_runs_planned);
  const std::string op = "create dataset '" + ds_name + "'";
  Hid space = make(H5Screate_simple(1, &dims, &maxdims), name(), op);
  Hid dcpl = make(H5Pcreate(H5P_DATASET_CREATE), name(), op);
  check(H5Pset_chunk(dcpl.get(), 1, &chunk), name(), op);
  if (deflate_level > 0) {  // level 0: no filters (in-memory files, read back at once)
    check(H5Pset_shuffle(dcpl.get()), name(), op);
    check(H5Pset_deflate(dcpl.get(), deflate_level), name(), op);
  }
  if (fill) check(H5Pset_fill_value(dcpl.get(), fill_type, fill), name(), op);
  Hid ds = make(H5Dcreate2(file.get(), ds_name.c_str(), file_type, space.get(), H5P_DEFAULT,
                           dcpl.get(), H5P_DEFAULT),
                name(), op);
  if (ds_name != layout::kRun)
    check(H5DSattach_scale(ds.get(), run.get(), 0), name(), "attach dimension 'run' to " + ds_name);
  return ds;
}
Hid ResultsWriter::Impl::create_step_dataset(const std::string& ds_name) {
  const hsize_t n_steps = static_cast<hsize_t>(header.n_steps);
  const hsize_t dims[2] = {0, n_steps};
  const hsize_t maxdims[2] = {H5S_UNLIMITED, n_steps};
  const hsize_t chunk[2] = {per_step_chunk_rows(header.n_steps, header.n_runs_planned), n_steps};
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::string op = "create dataset '" + ds_name + "'";
  Hid space = make(H5Screate_simple(2, dims, maxdims), name(), op);
  Hid dcpl = make(H5Pcreate(H5P_DATASET_CREATE), name(), op);
  check(H5Pset_chunk(dcpl.get(), 2, chunk), name(), op);
  if (deflate_level > 0) {  // level 0: no filters (in-memory files, read back at once)
    check(H5Pset_shuffle(dcpl.get()), name(), op);
    check(H5Pset_deflate(dcpl.get(), deflate_level), name(), op);
  }
  check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_FLOAT, &nan), name(), op);
  // Its chunks are written whole by step_chunks (H5Dwrite_chunk), never through the chunk cache.
  Hid ds = make(H5Dcreate2(file.get(), ds_name.c_str(), H5T_IEEE_F32LE, space.get(), H5P_DEFAULT,
                           dcpl.get(), H5P_DEFAULT),
                name(), op);
  check(H5DSattach_scale(ds.get(), run.get(), 0), name(), "attach dimension 'run' to " + ds_name);
  check(H5DSattach_scale(ds.get(), step.get(), 1), name(),
        "attach dimension 'step' to " + ds_name);
  return ds;
}

/// An empty, appendable column of an event table (/win_events, /failures): 1-D, unlimited,
/// chunked `chunk` rows, shuffle + deflate, no fill value; `scale` attached unless it is < 0 (the
/// table's own dimension scale).
Hid ResultsWriter::Impl::create_table_dataset(hid_t group, const std::string& group_name,
                                              const std::string& ds_name, hid_t file_type,
                                              hid_t scale, hsize_t chunk) {
  const hsize_t dims = 0, maxdims = H5S_UNLIMITED;
  const std::string full = group_name + "/" + ds_name;
  const std::string op = "create dataset '" + full + "'";
  Hid space = make(H5Screate_simple(1, &dims, &maxdims), name(), op);
  Hid dcpl = make(H5Pcreate(H5P_DATASET_CREATE), name(), op);
  check(H5Pset_chunk(dcpl.get(), 1, &chunk), name(), op);
  if (deflate_level > 0) {  // level 0: no filters (in-memory files, read back at once)
    check(H5Pset_shuffle(dcpl.get()), name(), op);
    check(H5Pset_deflate(dcpl.get(), deflate_level), name(), op);
  }
  Hid ds = make(H5Dcreate2(group, ds_name.c_str(), file_type, space.get(), H5P_DEFAULT,
                           dcpl.get(), H5P_DEFAULT),
                name(), op);
  if (scale >= 0)
    check(H5DSattach_scale(ds.get(), scale, 0), name(), "attach a dimension scale to " + full);
  return ds;
}

/// flag_values / flag_meanings of an `arm` dataset (root and /win_events): code i is arm_names[i].
void ResultsWriter::Impl::set_arm_flags(hid_t ds) { write_arm_flags(ds, header.arm_names, name()); }

void ResultsWriter::Impl::write_provenance_string(const char* ds_name, const std::string& text,
                                                  bool with_sha) {
  const std::string op = std::string("write provenance/") + ds_name;
  Hid type = utf8_string_type(name());
  Hid space = make(H5Screate(H5S_SCALAR), name(), op);
  Hid ds = make(H5Dcreate2(provenance.get(), ds_name, type.get(), space.get(), H5P_DEFAULT,
                           H5P_DEFAULT, H5P_DEFAULT),
                name(), op);
  const char* p = text.c_str();
  check(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, transfer_list(), &p), name(), op);
  if (with_sha) attr_string(ds.get(), layout::attr::kSha256, sha256_hex(text), name());
}
void ResultsWriter::Impl::write_root_attributes() {
  const hid_t root = file.get();
  const std::string& f = name();
  attr_string(root, layout::attr::kSchema, layout::kSchema, f);
  attr_string(root, layout::attr::kSchemaVersion, layout::kSchemaVersion, f);
  attr_string(root, layout::attr::kOrgsimVersion, kVersion, f);
  attr_string(root, layout::attr::kGitCommit, kGitCommit, f);
  attr_string(root, layout::attr::kGitDirty, kGitDirty, f);
  attr_string(root, layout::attr::kBuildType, kBuildType, f);
  attr_string(root, layout::attr::kCompiler, kCompiler, f);
  attr_string(root, layout::attr::kHdf5Version, hdf5_library_version(), f);
  attr_string(root, layout::attr::kCreatedUtc, utc_now_iso8601(), f);
  attr_string(root, layout::attr::kHost, host_name(), f);
  attr_string(root, layout::attr::kCommandLine, header.command_line, f);
  attr_string(root, layout::attr::kKind, header.kind, f);
  attr_string(root, layout::attr::kStudyId, header.study_id, f);
  attr_scalar(root, layout::attr::kMasterSeed, H5T_STD_U64LE, H5T_NATIVE_UINT64, header.master_seed, f);
  attr_string(root, layout::attr::kRng, "xoshiro256**", f);
  attr_string(root, layout::attr::kSeedScheme, seed_scheme_text(), f);
  attr_scalar(root, layout::attr::kNRunsPlanned, H5T_STD_I64LE, H5T_NATIVE_INT64, header.n_runs_planned, f);
  attr_scalar(root, layout::attr::kNRunsDone, H5T_STD_I64LE, H5T_NATIVE_INT64, std::int64_t{0}, f);
  attr_string(root, layout::attr::kDesign, header.design, f);
}

void ResultsWriter::Impl::create() {
  const std::string& f = name();
  // The root group (and /provenance) track link creation order, so readers list variables in
  // the order written here and read_results() recovers the order of the varied parameters.
  Hid fcpl = make(H5Pcreate(H5P_FILE_CREATE), f, "create file properties");
  check(H5Pset_link_creation_order(fcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), f,
        "create file properties");
  Hid fapl = make(H5Pcreate(H5P_FILE_ACCESS), f, "create file properties");
  // Closing the file closes every object still open in it, so an error path cannot leave ids
  // behind for HDF5's exit handler.
  check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), f, "create file properties");
  if (in_memory) {
    // The core driver without a backing store: the file lives in memory only; finish() copies
    // its image out (ResultsWriter::image()).
    check(H5Pset_fapl_core(fapl.get(), 1 << 20, 0), f, "create file properties");
  } else {
#if (H5_VERS_MAJOR == 1 && H5_VERS_MINOR == 10 && H5_VERS_RELEASE >= 7) || \
    H5_VERSION_GE(1, 12, 1)
    // Lock where the file system supports it; carry on where it has locks disabled (ENOSYS).
    // HDF5_USE_FILE_LOCKING=FALSE in the environment still overrides this (see the docs).
    check(H5Pset_file_locking(fapl.get(), true, true), f, "set file locking");
#endif
  }
  file = make(H5Fcreate(f.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()), f, "create the file");
  created = !in_memory;

  write_root_attributes();

  // run: unlimited dimension scale, so batches of runs can be appended.
  run = create_run_dataset(layout::kRun, H5T_STD_I64LE, nullptr, H5T_NATIVE_INT64);
  check(H5DSset_scale(run.get(), layout::kRun), f, "make 'run' a dimension scale");
  attr_string(run.get(), layout::attr::kLongName, "Run", f);
  attr_string(run.get(), layout::attr::kDescription, "run index (position in the study design)", f);

  // step: fixed-size dimension scale, 0 .. n_steps-1.
  {
    const hsize_t n = static_cast<hsize_t>(header.n_steps);
    Hid space = make(H5Screate_simple(1, &n, nullptr), f, "create dataset 'step'");
    step = make(H5Dcreate2(file.get(), layout::kStep, H5T_STD_I32LE, space.get(), H5P_DEFAULT,
                           H5P_DEFAULT, H5P_DEFAULT),
                f, "create dataset 'step'");
    std::vector<std::int32_t> values(n);
    for (std::size_t t = 0; t < values.size(); ++t) values[t] = static_cast<std::int32_t>(t);
    check(H5Dwrite(step.get(), H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, transfer_list(), values.data()), f,
          "write dataset 'step'");
    check(H5DSset_scale(step.get(), layout::kStep), f, "make 'step' a dimension scale");
    attr_string(step.get(), layout::attr::kUnits, layout::kStepUnits, f);
    attr_string(step.get(), layout::attr::kLongName, "Week", f);
    attr_string(step.get(), layout::attr::kDescription, "simulation step (one week), 0-based", f);
  }

  arm = create_run_dataset(layout::kArm, H5T_STD_I8LE, nullptr, H5T_NATIVE_INT8);
  attr_string(arm.get(), layout::attr::kLongName, "Strategy arm", f);
  attr_string(arm.get(), layout::attr::kDescription,
              "the run's arm of the scenario, as a code: code i is the i-th name of flag_meanings",
              f);
  set_arm_flags(arm.get());
  replicate = create_run_dataset(layout::kReplicate, H5T_STD_I32LE, nullptr, H5T_NATIVE_INT32);
  attr_string(replicate.get(), layout::attr::kLongName, "Replicate", f);
  attr_string(replicate.get(), layout::attr::kDescription,
              "replicate (same replicate: same population, network and shocks in every arm)", f);
  point = create_run_dataset(layout::kPoint, H5T_STD_I32LE, nullptr, H5T_NATIVE_INT32);
  attr_string(point.get(), layout::attr::kLongName, "Design point", f);
  attr_string(point.get(), layout::attr::kDescription, "design point (0 for a single scenario)", f);
  seed = create_run_dataset(layout::kSeed, H5T_STD_U64LE, nullptr, H5T_NATIVE_UINT64);
  attr_string(seed.get(), layout::attr::kLongName, "Replicate seed", f);
  attr_string(seed.get(), layout::attr::kDescription,
              "the run's replicate seed (see the seed_scheme attribute)", f);
  status = create_run_dataset(layout::kStatus, H5T_STD_I8LE, nullptr, H5T_NATIVE_INT8);
  attr_string(status.get(), layout::attr::kLongName, "Run status", f);
  attr_array(status.get(), layout::attr::kFlagValues, H5T_STD_I8LE, H5T_NATIVE_INT8,
             std::vector<std::int8_t>{0, 1, 2}, f);
  attr_string(status.get(), layout::attr::kFlagMeanings, "planned done failed", f);

  std::string coordinates = std::string(layout::kArm) + " " + layout::kReplicate + " " +
                            layout::kPoint + " " + layout::kSeed;
  for (const auto& v : header.varied) {
    Hid ds = create_run_dataset(v.key, H5T_IEEE_F64LE, nullptr, H5T_NATIVE_DOUBLE);
    describe_varied(ds.get(), v, f);
    attr_scalar(ds.get(), layout::attr::kMin, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.min, f);
    attr_scalar(ds.get(), layout::attr::kMax, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.max, f);
    if (!v.levels.empty()) attr_string(ds.get(), layout::attr::kLevels, v.levels, f);
    params.push_back(std::move(ds));
    coordinates += " " + v.key;
  }

  const double nan64 = std::numeric_limits<double>::quiet_NaN();
  for (const auto& o : per_run_outputs()) {
    Hid ds = create_run_dataset(o.name, H5T_IEEE_F64LE, &nan64, H5T_NATIVE_DOUBLE);
    attr_string(ds.get(), layout::attr::kLongName, o.long_name, f);
    attr_string(ds.get(), layout::attr::kDescription, o.description, f);
    attr_string(ds.get(), layout::attr::kUnits, o.units, f);
    if (!o.unit_words.empty()) attr_string(ds.get(), layout::attr::kUnitWords, o.unit_words, f);
    attr_scalar(ds.get(), layout::attr::kFillValue, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, nan64, f);
    per_run.push_back(std::move(ds));
  }
  wall_seconds = create_run_dataset(layout::kWallSeconds, H5T_IEEE_F32LE, nullptr, H5T_NATIVE_FLOAT);
  attr_string(wall_seconds.get(), layout::attr::kLongName, "Wall-clock time of the run", f);
  attr_string(wall_seconds.get(), layout::attr::kUnits, "s", f);

  const float nan32 = std::numeric_limits<float>::quiet_NaN();
  for (const auto& o : per_step_outputs()) {
    Hid ds = create_step_dataset(o.name);
    attr_string(ds.get(), layout::attr::kLongName, o.long_name, f);
    attr_string(ds.get(), layout::attr::kDescription, o.description, f);
    attr_string(ds.get(), layout::attr::kUnits, o.units, f);
    if (!o.unit_words.empty()) attr_string(ds.get(), layout::attr::kUnitWords, o.unit_words, f);
    attr_scalar(ds.get(), layout::attr::kFillValue, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, nan32, f);
    attr_string(ds.get(), layout::attr::kCoordinates, coordinates, f);
    per_step.push_back(std::move(ds));
  }
  {
    std::vector<hid_t> ids;
    std::vector<std::string> names;
    for (std::size_t o = 0; o < per_step.size(); ++o) {
      ids.push_back(per_step[o].get());
      names.push_back(per_step_outputs()[o].name);
    }
    step_chunks = std::make_unique<StepChunks>(
        std::move(ids), std::move(names), per_step_chunk_rows(header.n_steps, header.n_runs_planned),
        static_cast<std::size_t>(header.n_steps), deflate_level, f);
  }

  create_wins_group();
  create_actions_group();
  create_failures_group();

  Hid gcpl = make(H5Pcreate(H5P_GROUP_CREATE), f, "create group 'provenance'");
  check(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), f,
        "create group 'provenance'");
  provenance = make(H5Gcreate2(file.get(), layout::kProvenance, H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), f,
                    "create group 'provenance'");
  write_provenance_string(layout::provenance::kScenarioJson, header.scenario_json, true);
  write_provenance_string(layout::provenance::kResolvedParamsJson, header.resolved_params_json, true);
  write_provenance_string(layout::provenance::kParameterTableJson, header.parameter_table_json, true);
  if (!header.sweep_json.empty()) write_provenance_string(layout::provenance::kSweepJson, header.sweep_json, true);
  write_provenance_string(layout::provenance::kCommandLine, header.command_line, false);
  if (!header.roster_names.empty()) write_roster_group();
}

void ResultsWriter::Impl::write_rows(hid_t ds, const std::string& ds_name, hid_t mem_type,
                                     hsize_t cols, hsize_t count, const void* buf) {
  write_rows_at(ds, ds_name, mem_type, static_cast<hsize_t>(n_written), cols, count, buf);
}

void ResultsWriter::Impl::write_rows_at(hid_t ds, const std::string& ds_name, hid_t mem_type,
                                        hsize_t start, hsize_t cols, hsize_t count,
                                        const void* buf) {
  const int rank = cols ? 2 : 1;
  const hsize_t new_dims[2] = {start + count, cols};
  check(H5Dset_extent(ds, new_dims), name(), "extend dataset '" + ds_name + "'");
  const std::string op = "write dataset '" + ds_name + "'";
  Hid fspace = make(H5Dget_space(ds), name(), op);
  const hsize_t offset[2] = {start, 0};
  const hsize_t counts[2] = {count, cols};
  check(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, offset, nullptr, counts, nullptr),
        name(), op);
  Hid mspace = make(H5Screate_simple(rank, counts, nullptr), name(), op);
  check(H5Dwrite(ds, mem_type, mspace.get(), fspace.get(), transfer_list(), buf), name(), op);
}

void ResultsWriter::Impl::append(const RunList& runs) {
  const std::size_t n_steps = static_cast<std::size_t>(header.n_steps);
  const std::size_t n_step_vars = per_step_outputs().size();
  const std::size_t n_run_vars = per_run_outputs().size();
  const std::size_t n_params = header.varied.size();

  // Validate the whole batch first, so a rejected batch leaves the file untouched.
  std::int64_t last = last_run;
  for (const auto& r : runs) {
    const std::string which = "results file '" + name() + "': run " + std::to_string(r.run);
    if (r.run <= last)
      throw std::logic_error(which + " appended after run " + std::to_string(last) +
                             ": runs must be appended in increasing run order");
    if (r.per_step.size() != n_step_vars * n_steps)
      throw std::logic_error(which + " has " + std::to_string(r.per_step.size()) +
                             " per-step values, expected " + std::to_string(n_step_vars) + " × " +
                             std::to_string(n_steps));
    if (r.per_run.size() != n_run_vars)
      throw std::logic_error(which + " has " + std::to_string(r.per_run.size()) +
                             " per-run values, expected " + std::to_string(n_run_vars));
    if (r.params.size() != n_params)
      throw std::logic_error(which + " has " + std::to_string(r.params.size()) +
                             " parameter values, expected " + std::to_string(n_params));
    const auto n_arms = static_cast<std::int32_t>(header.arm_names.size());
    if (r.arm < 0 || r.arm > 127 || (n_arms > 0 && r.arm >= n_arms))
      throw std::logic_error(which + " has arm " + std::to_string(r.arm) + ", outside the " +
                             std::to_string(n_arms) + " arms of the file");
    if (r.status < 0 || r.status > 2)
      throw std::logic_error(which + " has status " + std::to_string(r.status) +
                             " (0 planned, 1 done, 2 failed)");
    for (std::size_t k = 0; k < r.wins.size(); ++k) {
      const WinEvent& w = r.wins[k];
      const auto steps = header.n_steps;
      const bool ok = w.start_step >= 0 && w.start_step < steps &&
                      (w.censored ? w.end_step == -1
                                  : w.end_step >= w.start_step && w.end_step < steps);
      if (!ok)
        throw std::logic_error(which + ": win " + std::to_string(k) + " (start_step " +
                               std::to_string(w.start_step) + ", end_step " +
                               std::to_string(w.end_step) + ", censored " +
                               (w.censored ? "true" : "false") + ") is not a win of a " +
                               std::to_string(steps) + "-step run");
    }
    for (std::size_t k = 0; k < r.actions.size(); ++k) {
      const ActionEvent& a = r.actions[k];
      const auto steps = header.n_steps;
      if (a.step < 0 || a.step >= steps || (a.kind != 0 && a.kind != 1) ||
          a.consolidated_step >= steps || (a.consolidated_step >= 0 && a.consolidated_step <= a.step))
        throw std::logic_error(which + ": action " + std::to_string(k) + " (step " +
                               std::to_string(a.step) + ", kind " + std::to_string(a.kind) +
                               ", consolidated_step " + std::to_string(a.consolidated_step) +
                               ") is not an action of a " + std::to_string(steps) + "-step run");
    }
    last = r.run;
  }
  if (runs.empty()) return;

  const hsize_t count = runs.size();
  const auto column = [&](auto get) {
    using T = decltype(get(runs.front()));
    std::vector<T> v;
    v.reserve(runs.size());
    for (const auto& r : runs) v.push_back(get(r));
    return v;
  };
  {
    const auto v = column([](const RunRecord& r) { return r.run; });
    write_rows(run.get(), layout::kRun, H5T_NATIVE_INT64, 0, count, v.data());
  }
  {
    const auto v = column([](const RunRecord& r) { return static_cast<std::int8_t>(r.arm); });
    write_rows(arm.get(), layout::kArm, H5T_NATIVE_INT8, 0, count, v.data());
  }
  {
    const auto v = column([](const RunRecord& r) { return r.replicate; });
    write_rows(replicate.get(), layout::kReplicate, H5T_NATIVE_INT32, 0, count, v.data());
  }
  {
    const auto v = column([](const RunRecord& r) { return r.point; });
    write_rows(point.get(), layout::kPoint, H5T_NATIVE_INT32, 0, count, v.data());
  }
  {
    const auto v = column([](const RunRecord& r) { return r.seed; });
    write_rows(seed.get(), layout::kSeed, H5T_NATIVE_UINT64, 0, count, v.data());
  }
  {
    const auto v = column([](const RunRecord& r) { return r.status; });
    write_rows(status.get(), layout::kStatus, H5T_NATIVE_INT8, 0, count, v.data());
  }
  {
    const auto v = column([](const RunRecord& r) { return r.wall_seconds; });
    write_rows(wall_seconds.get(), layout::kWallSeconds, H5T_NATIVE_FLOAT, 0, count, v.data());
  }
  for (std::size_t p = 0; p < n_params; ++p) {
    const auto v = column([p](const RunRecord& r) { return r.params[p]; });
    write_rows(params[p].get(), header.varied[p].key, H5T_NATIVE_DOUBLE, 0, count, v.data());
  }
  for (std::size_t o = 0; o < n_run_vars; ++o) {
    const auto v = column([o](const RunRecord& r) { return r.per_run[o]; });
    write_rows(per_run[o].get(), per_run_outputs()[o].name, H5T_NATIVE_DOUBLE, 0, count,
               v.data());
  }
  // The per-step series: the datasets grow, then each run's rows go into the chunk row being
  // filled (written, compressed, when the runs move past it).
  for (std::size_t o = 0; o < n_step_vars; ++o) {
    const hsize_t new_dims[2] = {static_cast<hsize_t>(n_written) + count, n_steps};
    check(H5Dset_extent(per_step[o].get(), new_dims), name(),
          "extend dataset '" + per_step_outputs()[o].name + "'");
  }
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto row = static_cast<std::size_t>(n_written) + i;
    const float* from = runs[i].per_step.data();
    for (std::size_t o = 0; o < n_step_vars; ++o)
      std::memcpy(step_chunks->row(o, row), from + o * n_steps, n_steps * sizeof(float));
  }

  append_wins(runs);
  append_actions(runs);
  append_failures(runs);

  n_written += static_cast<std::int64_t>(count);
  last_run = last;
  for (const auto& r : runs)
    if (r.snapshots && !r.snapshots->frames.empty()) snapshots.emplace_back(r.run, r.snapshots);
  attr_scalar(file.get(), layout::attr::kNRunsDone, H5T_STD_I64LE, H5T_NATIVE_INT64, n_written, name());
}

ResultsWriter::ResultsWriter(std::string final_path, FileHeader header, int deflate_level)
    : ResultsWriter(std::move(final_path), std::move(header), deflate_level, false) {}

ResultsWriter::ResultsWriter(InMemory, std::string label, FileHeader header)
    : ResultsWriter(std::move(label), std::move(header), 0, true) {}

ResultsWriter::ResultsWriter(std::string final_path, FileHeader header, int deflate_level,
                             bool in_memory)
    : impl_(nullptr) {
  validate_header(header);
  auto impl = std::make_unique<Impl>();
  impl->in_memory = in_memory;
  impl->final_path = std::move(final_path);
  impl->partial_path = in_memory ? impl->final_path : impl->final_path + ".partial";
  impl->header = std::move(header);
  if (deflate_level < 0 || deflate_level > 9)
    throw std::invalid_argument("results file: deflate level " + std::to_string(deflate_level) +
                                " is not in 0..9");
  impl->deflate_level = deflate_level;
  if (impl->header.study_id.empty()) impl->header.study_id = random_uuid();
  QuietHdf5 quiet;
  try {
    impl->create();
  } catch (...) {
    impl->close_all();
    if (impl->created) std::remove(impl->partial_path.c_str());
    throw;
  }
  impl_ = impl.release();
}

ResultsWriter::~ResultsWriter() {
  if (!impl_) return;
  {
    QuietHdf5 quiet;
    impl_->close_all();
    if (!impl_->finished && impl_->created) std::remove(impl_->partial_path.c_str());
  }
  delete impl_;
}

void ResultsWriter::append(const RunList& runs) {
  if (impl_->finished)
    throw std::logic_error("results file '" + impl_->final_path + "': append() after finish()");
  if (impl_->broken)
    throw RunError("results file '" + impl_->partial_path +
                   "': unusable after an earlier write error");
  QuietHdf5 quiet;
  try {
    injected_write_fault(impl_->partial_path, runs.size());
    impl_->append(runs);
  } catch (const RunError&) {
    // Close every HDF5 identifier now, before the error travels (a full disk must not leave
    // open ids for HDF5's exit handler), and drop the partial file.
    impl_->broken = true;
    impl_->close_all();
    if (impl_->created) std::remove(impl_->partial_path.c_str());
    throw;
  }
}

void ResultsWriter::set_threads(unsigned threads) {
  if (impl_->step_chunks) impl_->step_chunks->set_threads(threads);
}

void ResultsWriter::set_durability(std::vector<ArmDurability> durability) {
  if (impl_->finished)
    throw std::logic_error("results file '" + impl_->final_path +
                           "': set_durability() after finish()");
  impl_->validate_durability(durability);
  impl_->durability = std::move(durability);
  impl_->has_durability = true;
}

void ResultsWriter::set_design(DesignTable design) {
  if (impl_->finished)
    throw std::logic_error("results file '" + impl_->final_path +
                           "': set_design() after finish()");
  impl_->validate_design(design);
  impl_->design = std::move(design);
  impl_->has_design = true;
}

void ResultsWriter::set_sensitivity(SensitivityTable sensitivity) {
  if (impl_->finished)
    throw std::logic_error("results file '" + impl_->final_path +
                           "': set_sensitivity() after finish()");
  impl_->validate_sensitivity(sensitivity);
  impl_->sensitivity = std::move(sensitivity);
  impl_->has_sensitivity = true;
}

void ResultsWriter::finish() {
  Impl& m = *impl_;
  if (m.finished)
    throw std::logic_error("results file '" + m.final_path + "': finish() called twice");
  if (m.broken)
    throw RunError("results file '" + m.partial_path + "': unusable after an earlier write error");
  {
    QuietHdf5 quiet;
    try {
      m.step_chunks->flush();
      if (!m.snapshots.empty()) m.write_snapshots();
      if (m.has_durability) m.write_durability();
      if (m.has_design) m.write_design();
      if (m.has_sensitivity) m.write_sensitivity();
      attr_scalar(m.file.get(), layout::attr::kNRunsDone, H5T_STD_I64LE, H5T_NATIVE_INT64,
                  m.n_written, m.name());
      check(H5Fflush(m.file.get(), H5F_SCOPE_GLOBAL), m.name(), "flush the file");
      if (m.in_memory) {
        const ssize_t size = H5Fget_file_image(m.file.get(), nullptr, 0);
        if (size < 0) hdf5_fail(m.name(), "get the in-memory file image");
        m.image.resize(static_cast<std::size_t>(size));
        if (H5Fget_file_image(m.file.get(), m.image.data(), m.image.size()) != size)
          hdf5_fail(m.name(), "copy the in-memory file image");
      }
      if (!m.close_all()) hdf5_fail(m.name(), "close the file");
    } catch (const RunError&) {
      // A half-written group or a failed flush (a full disk): the file cannot be finished. Close
      // every identifier before the error travels, and drop the partial file.
      m.broken = true;
      m.close_all();
      if (m.created) std::remove(m.partial_path.c_str());
      throw;
    }
  }
  if (m.in_memory) {
    m.finished = true;
    return;
  }
  // Durable before it takes the final name: a crash after the rename never leaves a file whose
  // blocks were not yet written.
  if (const int err = sync_path(m.partial_path, false); err != 0) {
    std::remove(m.partial_path.c_str());
    throw RunError("results file '" + m.partial_path + "': cannot fsync: " + std::strerror(err));
  }
  if (std::rename(m.partial_path.c_str(), m.final_path.c_str()) != 0) {
    const int err = errno;
    throw RunError("results file: cannot rename '" + m.partial_path + "' to '" + m.final_path +
                   "': " + std::strerror(err));
  }
  m.finished = true;
  const auto dir = std::filesystem::path(m.final_path).parent_path();
  sync_path(dir.empty() ? "." : dir.string(), true);  // the rename itself (best effort)
}

const std::vector<unsigned char>& ResultsWriter::image() const {
  if (!impl_->in_memory || !impl_->finished)
    throw std::logic_error("results file '" + impl_->final_path +
                           "': image() of a writer that is not a finished in-memory one");
  return impl_->image;
}

}  // namespace orgsim
