// Results files: HDF5 written with the C API and the high-level dimension-scale calls, so that
// xarray (engine="h5netcdf"), h5py and netCDF-aware tools read it without a netCDF library here.
// The layout is described in docs/HDF5_LAYOUT.md; keep the two in step.
#include "io/results_file.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <set>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "core/errors.hpp"
#include "core/files.hpp"
#include "core/rng.hpp"
#include "io/outputs.hpp"
#include "orgsim_version.hpp"

namespace orgsim {

namespace {

constexpr const char* kSchema = "orgsim.results";
constexpr const char* kSchemaVersion = "1.0";
constexpr int kDeflateLevel = 4;
// Per-step chunks aim at ~512 KiB: inside the 256 KiB - 1 MiB band that reads well both by run
// (one chunk per variable) and by step, and within HDF5's default 1 MiB chunk cache.
constexpr std::size_t kTargetChunkBytes = 512 * 1024;
constexpr hsize_t kMaxRunChunk = 16384;     // 1-D run datasets: at most 128 KiB per chunk
constexpr hsize_t kDefaultRunChunk = 1024;  // when the number of runs is not known
// /win_events columns: the number of wins is not known in advance; 4096 rows is 32 KiB of int64.
constexpr hsize_t kWinChunk = 4096;
// /failures columns: failed runs should be rare; 1024 rows per chunk.
constexpr hsize_t kFailureChunk = 1024;

// ---- SHA-256 (FIPS 180-4), for the provenance checksums ------------------------------------

std::string sha256_hex(const std::string& message) {
  static constexpr std::array<std::uint32_t, 64> k = {
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
      0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
      0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
      0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
      0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
      0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
      0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
      0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
      0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
      0xc67178f2};
  std::array<std::uint32_t, 8> h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  const auto rotr = [](std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); };

  std::string data = message;
  const std::uint64_t bit_len = static_cast<std::uint64_t>(message.size()) * 8;
  data.push_back(static_cast<char>(0x80));
  while (data.size() % 64 != 56) data.push_back('\0');
  for (int i = 7; i >= 0; --i) data.push_back(static_cast<char>((bit_len >> (8 * i)) & 0xff));

  std::array<std::uint32_t, 64> w{};
  for (std::size_t block = 0; block < data.size(); block += 64) {
    for (std::size_t i = 0; i < 16; ++i) {
      const auto byte = [&](std::size_t j) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(data[block + 4 * i + j]));
      };
      w[i] = (byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3);
    }
    for (std::size_t i = 16; i < 64; ++i) {
      const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6],
                  hh = h[7];
    for (std::size_t i = 0; i < 64; ++i) {
      const std::uint32_t s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const std::uint32_t ch = (e & f) ^ (~e & g);
      const std::uint32_t t1 = hh + s1 + ch + k[i] + w[i];
      const std::uint32_t s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const std::uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
      const std::uint32_t t2 = s0 + maj;
      hh = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
  }
  std::string hex;
  char buf[9];
  for (std::uint32_t v : h) {
    std::snprintf(buf, sizeof buf, "%08x", v);
    hex += buf;
  }
  return hex;
}

// ---- HDF5 error handling -------------------------------------------------------------------

/// Turns off HDF5's automatic printing of its error stack for the lifetime of the guard (we turn
/// the stack into a RunError instead) and restores the previous handler afterwards, so the
/// process-wide setting is unchanged outside our calls. Nested guards are fine.
class QuietHdf5 {
 public:
  QuietHdf5() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietHdf5() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
  QuietHdf5(const QuietHdf5&) = delete;
  QuietHdf5& operator=(const QuietHdf5&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

/// The API-level and the innermost description on HDF5's error stack, then clears it.
std::string hdf5_error_detail() {
  struct Walk {
    std::string innermost, outermost;
  } walk;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned n, const H5E_error2_t* err, void* client) -> herr_t {
        auto* w = static_cast<Walk*>(client);
        const std::string desc = err->desc ? err->desc : "";
        if (n == 0) w->innermost = desc;
        w->outermost = desc;
        return 0;
      },
      &walk);
  H5Eclear2(H5E_DEFAULT);
  if (walk.outermost.empty() || walk.outermost == walk.innermost) return walk.innermost;
  if (walk.innermost.empty()) return walk.outermost;
  return walk.outermost + ": " + walk.innermost;
}

[[noreturn]] void hdf5_fail(const std::string& file, const std::string& operation) {
  const std::string detail = hdf5_error_detail();
  throw RunError("results file '" + file + "': cannot " + operation +
                 (detail.empty() ? std::string() : " (HDF5: " + detail + ")"));
}

hid_t check_id(hid_t id, const std::string& file, const std::string& operation) {
  if (id < 0) hdf5_fail(file, operation);
  return id;
}
void check(herr_t status, const std::string& file, const std::string& operation) {
  if (status < 0) hdf5_fail(file, operation);
}

herr_t close_any(hid_t id) {
  switch (H5Iget_type(id)) {
    case H5I_FILE: return H5Fclose(id);
    case H5I_GROUP: return H5Gclose(id);
    case H5I_DATASET: return H5Dclose(id);
    case H5I_DATASPACE: return H5Sclose(id);
    case H5I_DATATYPE: return H5Tclose(id);
    case H5I_ATTR: return H5Aclose(id);
    case H5I_GENPROP_LST: return H5Pclose(id);
    default: return -1;
  }
}

/// Owns one HDF5 identifier and closes it when it goes out of scope.
class Hid {
 public:
  Hid() = default;
  explicit Hid(hid_t id) : id_(id) {}
  ~Hid() { close(); }
  Hid(Hid&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
  Hid& operator=(Hid&& other) noexcept {
    if (this != &other) {
      close();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
    }
    return *this;
  }
  Hid(const Hid&) = delete;
  Hid& operator=(const Hid&) = delete;

  hid_t get() const noexcept { return id_; }
  bool valid() const noexcept { return id_ >= 0; }
  /// Closes now; returns HDF5's status (negative on failure, 0 if nothing was open).
  herr_t close() noexcept {
    herr_t status = 0;
    if (id_ >= 0) status = close_any(id_);
    id_ = H5I_INVALID_HID;
    return status;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

/// Calls HDF5 and wraps the returned identifier, failing with a RunError that names `what`.
Hid make(hid_t id, const std::string& file, const std::string& operation) {
  return Hid(check_id(id, file, operation));
}

// ---- Attributes ----------------------------------------------------------------------------

Hid utf8_string_type(const std::string& file) {
  Hid type = make(H5Tcopy(H5T_C_S1), file, "create a string type");
  check(H5Tset_size(type.get(), H5T_VARIABLE), file, "create a string type");
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), file, "create a string type");
  return type;
}

std::string describe(hid_t obj, const char* attr) {
  char name[512] = "";
  H5Iget_name(obj, name, sizeof name);
  return std::string("attribute '") + attr + "' of '" + name + "'";
}

/// Writes an attribute, creating it or overwriting an existing one of the same name.
void write_attr(hid_t obj, const char* name, hid_t file_type, hid_t mem_type, hid_t space,
                const void* value, const std::string& file) {
  const htri_t exists = H5Aexists(obj, name);
  check(exists, file, "look up " + describe(obj, name));
  Hid attr = exists > 0 ? make(H5Aopen(obj, name, H5P_DEFAULT), file, "open " + describe(obj, name))
                        : make(H5Acreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT),
                               file, "create " + describe(obj, name));
  check(H5Awrite(attr.get(), mem_type, value), file, "write " + describe(obj, name));
}

void attr_string(hid_t obj, const char* name, const std::string& value, const std::string& file) {
  Hid type = utf8_string_type(file);
  Hid space = make(H5Screate(H5S_SCALAR), file, "create a dataspace");
  const char* p = value.c_str();
  write_attr(obj, name, type.get(), type.get(), space.get(), &p, file);
}

template <class T>
void attr_scalar(hid_t obj, const char* name, hid_t file_type, hid_t mem_type, T value,
                 const std::string& file) {
  Hid space = make(H5Screate(H5S_SCALAR), file, "create a dataspace");
  write_attr(obj, name, file_type, mem_type, space.get(), &value, file);
}

template <class T>
void attr_array(hid_t obj, const char* name, hid_t file_type, hid_t mem_type,
                const std::vector<T>& values, const std::string& file) {
  const hsize_t n = values.size();
  Hid space = make(H5Screate_simple(1, &n, nullptr), file, "create a dataspace");
  write_attr(obj, name, file_type, mem_type, space.get(), values.data(), file);
}

/// Reads a string attribute (variable- or fixed-length); `fallback` if it does not exist.
std::string read_attr_string(hid_t obj, const char* name, const std::string& file,
                             const std::string& fallback = {}) {
  const htri_t exists = H5Aexists(obj, name);
  check(exists, file, "look up " + describe(obj, name));
  if (exists == 0) return fallback;
  Hid attr = make(H5Aopen(obj, name, H5P_DEFAULT), file, "open " + describe(obj, name));
  Hid ftype = make(H5Aget_type(attr.get()), file, "read the type of " + describe(obj, name));
  if (H5Tget_class(ftype.get()) != H5T_STRING) return fallback;
  Hid space = make(H5Aget_space(attr.get()), file, "read " + describe(obj, name));
  if (H5Sget_simple_extent_npoints(space.get()) != 1) return fallback;
  const htri_t is_vlen = H5Tis_variable_str(ftype.get());
  check(is_vlen, file, "read the type of " + describe(obj, name));
  if (is_vlen > 0) {
    Hid mtype = utf8_string_type(file);
    char* s = nullptr;
    check(H5Aread(attr.get(), mtype.get(), &s), file, "read " + describe(obj, name));
    std::string out = s ? s : "";
    if (s) H5free_memory(s);
    return out;
  }
  const std::size_t size = H5Tget_size(ftype.get());
  Hid mtype = make(H5Tcopy(H5T_C_S1), file, "create a string type");
  check(H5Tset_size(mtype.get(), size), file, "create a string type");
  std::string out(size, '\0');
  check(H5Aread(attr.get(), mtype.get(), out.data()), file, "read " + describe(obj, name));
  out.resize(std::strlen(out.c_str()));
  return out;
}

/// Reads a numeric scalar attribute converted to T; `fallback` if it does not exist.
template <class T>
T read_attr_number(hid_t obj, const char* name, hid_t mem_type, T fallback,
                   const std::string& file) {
  const htri_t exists = H5Aexists(obj, name);
  check(exists, file, "look up " + describe(obj, name));
  if (exists == 0) return fallback;
  Hid attr = make(H5Aopen(obj, name, H5P_DEFAULT), file, "open " + describe(obj, name));
  Hid space = make(H5Aget_space(attr.get()), file, "read " + describe(obj, name));
  if (H5Sget_simple_extent_npoints(space.get()) != 1) return fallback;
  T value = fallback;
  check(H5Aread(attr.get(), mem_type, &value), file, "read " + describe(obj, name));
  return value;
}

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

std::string hdf5_library_version() {
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
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
  if (n_runs_planned > 0) rows = std::min<hsize_t>(rows, static_cast<hsize_t>(n_runs_planned));
  return rows;
}

hsize_t run_chunk_rows(std::int64_t n_runs_planned) {
  if (n_runs_planned <= 0) return kDefaultRunChunk;
  return std::min<hsize_t>(static_cast<hsize_t>(n_runs_planned), kMaxRunChunk);
}

bool has_space(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n'; });
}

/// A parameter key the layout can hold as a dataset name: a dotted scenario path without '/' or
/// spaces (the dot also keeps it apart from every undotted name the writer uses).
bool is_parameter_key(const std::string& key) {
  return key.find('.') != std::string::npos && key.find('/') == std::string::npos &&
         !has_space(key) && key != "." && key != "..";
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
  std::set<std::string> names = {"step",       "run",        "arm",         "replicate",
                                 "point",      "seed",       "status",      "wall_seconds",
                                 "provenance", "win_events", "durability",  "failures",
                                 "design",     "sensitivity"};
  const auto claim = [&](const std::string& name, const char* what) {
    if (!names.insert(name).second)
      throw std::invalid_argument(
          std::string("results file: ") + what + " '" + name + "' clashes with another name " +
          "in the root group (the datasets, the /provenance, /durability, /design and "
          "/sensitivity groups and the /win_events and /failures tables)");
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

// ---- ResultsWriter -------------------------------------------------------------------------

struct ResultsWriter::Impl {
  std::string final_path, partial_path;
  FileHeader header;
  bool created = false;   // we created the partial file (so we may delete it)
  bool finished = false;  // renamed into place
  bool broken = false;    // an HDF5 call failed half-way through an append
  std::int64_t n_written = 0;
  std::int64_t last_run = -1;

  Hid file, provenance;
  Hid step, run, arm, replicate, point, seed, status, wall_seconds;
  std::vector<Hid> params, per_run, per_step;
  // The /win_events event table: `win` dimension scale and one column per field (kWinColumnNames order).
  std::int64_t n_wins_written = 0;
  Hid wins_group, win;
  std::vector<Hid> win_columns;
  // The /failures table: `failure` dimension scale and one column per field
  // (kFailureColumnNames order).
  std::int64_t n_failures_written = 0;
  Hid failures_group, failure;
  std::vector<Hid> failure_columns;
  // The /durability group, written at finish() if set_durability() was called.
  bool has_durability = false;
  std::vector<ArmDurability> durability;
  // The /design and /sensitivity groups, written at finish() if set_design() / set_sensitivity()
  // was called.
  bool has_design = false, has_sensitivity = false;
  DesignTable design;
  SensitivityTable sensitivity;

  const std::string& name() const { return partial_path; }

  void create();
  Hid create_run_dataset(const std::string& ds_name, hid_t file_type, const void* fill,
                         hid_t fill_type);
  Hid create_step_dataset(const std::string& ds_name);
  Hid create_table_dataset(hid_t group, const std::string& group_name,
                           const std::string& ds_name, hid_t file_type, hid_t scale,
                           hsize_t chunk);
  Hid create_win_dataset(const std::string& ds_name, hid_t file_type);
  void create_wins_group();
  void create_failures_group();
  void set_arm_flags(hid_t ds);
  void write_provenance_string(const char* ds_name, const std::string& text, bool with_sha);
  void write_root_attributes();
  void write_rows(hid_t ds, const std::string& ds_name, hid_t mem_type, hsize_t cols,
                  hsize_t count, const void* buf);
  void write_rows_at(hid_t ds, const std::string& ds_name, hid_t mem_type, hsize_t start,
                     hsize_t cols, hsize_t count, const void* buf);
  void append_wins(const std::vector<RunRecord>& runs);
  void append_failures(const std::vector<RunRecord>& runs);
  void append(const std::vector<RunRecord>& runs);
  void validate_durability(const std::vector<ArmDurability>& arms) const;
  Hid write_durability_column(hid_t group, const char* ds_name, hid_t file_type, hid_t mem_type,
                              hsize_t n, const void* data, hid_t scale, bool extendible,
                              const char* long_name, const char* units);
  void write_durability();
  void validate_design(const DesignTable& d) const;
  void write_design();
  void validate_sensitivity(const SensitivityTable& t) const;
  void write_sensitivity();

  /// Closes every handle, datasets first; returns false if any close failed.
  bool close_all() noexcept {
    bool ok = true;
    for (auto* v : {&params, &per_run, &per_step, &win_columns, &failure_columns})
      for (auto& h : *v) ok = h.close() >= 0 && ok;
    for (Hid* h : {&step, &run, &arm, &replicate, &point, &seed, &status, &wall_seconds,
                   &provenance, &win, &wins_group, &failure, &failures_group})
      ok = h->close() >= 0 && ok;
    ok = file.close() >= 0 && ok;
    return ok;
  }
};

Hid ResultsWriter::Impl::create_run_dataset(const std::string& ds_name, hid_t file_type,
                                            const void* fill, hid_t fill_type) {
  const hsize_t dims = 0, maxdims = H5S_UNLIMITED, chunk = run_chunk_rows(header.n_runs_planned);
  const std::string op = "create dataset '" + ds_name + "'";
  Hid space = make(H5Screate_simple(1, &dims, &maxdims), name(), op);
  Hid dcpl = make(H5Pcreate(H5P_DATASET_CREATE), name(), op);
  check(H5Pset_chunk(dcpl.get(), 1, &chunk), name(), op);
  check(H5Pset_shuffle(dcpl.get()), name(), op);
  check(H5Pset_deflate(dcpl.get(), kDeflateLevel), name(), op);
  if (fill) check(H5Pset_fill_value(dcpl.get(), fill_type, fill), name(), op);
  Hid ds = make(H5Dcreate2(file.get(), ds_name.c_str(), file_type, space.get(), H5P_DEFAULT,
                           dcpl.get(), H5P_DEFAULT),
                name(), op);
  if (ds_name != "run")
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
  check(H5Pset_shuffle(dcpl.get()), name(), op);
  check(H5Pset_deflate(dcpl.get(), kDeflateLevel), name(), op);
  check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_FLOAT, &nan), name(), op);
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
  check(H5Pset_shuffle(dcpl.get()), name(), op);
  check(H5Pset_deflate(dcpl.get(), kDeflateLevel), name(), op);
  Hid ds = make(H5Dcreate2(group, ds_name.c_str(), file_type, space.get(), H5P_DEFAULT,
                           dcpl.get(), H5P_DEFAULT),
                name(), op);
  if (scale >= 0)
    check(H5DSattach_scale(ds.get(), scale, 0), name(), "attach a dimension scale to " + full);
  return ds;
}

Hid ResultsWriter::Impl::create_win_dataset(const std::string& ds_name, hid_t file_type) {
  return create_table_dataset(wins_group.get(), "win_events", ds_name, file_type,
                              ds_name == "win" ? H5I_INVALID_HID : win.get(), kWinChunk);
}

namespace {

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
  attr_array(ds, "flag_values", H5T_STD_I8LE, H5T_NATIVE_INT8, codes, file);
  attr_string(ds, "flag_meanings", meanings, file);
}

}  // namespace

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
  check(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &p), name(), op);
  if (with_sha) attr_string(ds.get(), "sha256", sha256_hex(text), name());
}

void ResultsWriter::Impl::write_root_attributes() {
  const hid_t root = file.get();
  const std::string& f = name();
  attr_string(root, "schema", kSchema, f);
  attr_string(root, "schema_version", kSchemaVersion, f);
  attr_string(root, "orgsim_version", kVersion, f);
  attr_string(root, "git_commit", kGitCommit, f);
  attr_string(root, "git_dirty", kGitDirty, f);
  attr_string(root, "build_type", kBuildType, f);
  attr_string(root, "compiler", kCompiler, f);
  attr_string(root, "hdf5_version", hdf5_library_version(), f);
  attr_string(root, "created_utc", utc_now_iso8601(), f);
  attr_string(root, "host", host_name(), f);
  attr_string(root, "command_line", header.command_line, f);
  attr_string(root, "kind", header.kind, f);
  attr_string(root, "study_id", header.study_id, f);
  attr_scalar(root, "master_seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, header.master_seed, f);
  attr_string(root, "rng", "xoshiro256**", f);
  attr_string(root, "seed_scheme", seed_scheme_text(), f);
  attr_scalar(root, "n_runs_planned", H5T_STD_I64LE, H5T_NATIVE_INT64, header.n_runs_planned, f);
  attr_scalar(root, "n_runs_done", H5T_STD_I64LE, H5T_NATIVE_INT64, std::int64_t{0}, f);
  attr_string(root, "design", header.design, f);
}

void ResultsWriter::Impl::create() {
  const std::string& f = name();
  // The root group (and /provenance) track link creation order, so readers list variables in
  // the order written here and read_results() recovers the order of the varied parameters.
  Hid fcpl = make(H5Pcreate(H5P_FILE_CREATE), f, "create file properties");
  check(H5Pset_link_creation_order(fcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), f,
        "create file properties");
  Hid fapl = make(H5Pcreate(H5P_FILE_ACCESS), f, "create file properties");
#if (H5_VERS_MAJOR == 1 && H5_VERS_MINOR == 10 && H5_VERS_RELEASE >= 7) || \
    H5_VERSION_GE(1, 12, 1)
  // Lock where the file system supports it; carry on where it has locks disabled (ENOSYS).
  // HDF5_USE_FILE_LOCKING=FALSE in the environment still overrides this (see the docs).
  check(H5Pset_file_locking(fapl.get(), true, true), f, "set file locking");
#endif
  file = make(H5Fcreate(f.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()), f, "create the file");
  created = true;

  write_root_attributes();

  // run: unlimited dimension scale, so batches of runs can be appended.
  run = create_run_dataset("run", H5T_STD_I64LE, nullptr, H5T_NATIVE_INT64);
  check(H5DSset_scale(run.get(), "run"), f, "make 'run' a dimension scale");
  attr_string(run.get(), "long_name", "run index (position in the study design)", f);

  // step: fixed-size dimension scale, 0 .. n_steps-1.
  {
    const hsize_t n = static_cast<hsize_t>(header.n_steps);
    Hid space = make(H5Screate_simple(1, &n, nullptr), f, "create dataset 'step'");
    step = make(H5Dcreate2(file.get(), "step", H5T_STD_I32LE, space.get(), H5P_DEFAULT,
                           H5P_DEFAULT, H5P_DEFAULT),
                f, "create dataset 'step'");
    std::vector<std::int32_t> values(n);
    for (std::size_t t = 0; t < values.size(); ++t) values[t] = static_cast<std::int32_t>(t);
    check(H5Dwrite(step.get(), H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), f,
          "write dataset 'step'");
    check(H5DSset_scale(step.get(), "step"), f, "make 'step' a dimension scale");
    attr_string(step.get(), "units", "week", f);
    attr_string(step.get(), "long_name", "simulation step (one week), 0-based", f);
  }

  arm = create_run_dataset("arm", H5T_STD_I8LE, nullptr, H5T_NATIVE_INT8);
  attr_string(arm.get(), "long_name", "strategy arm (code; see flag_meanings)", f);
  set_arm_flags(arm.get());
  replicate = create_run_dataset("replicate", H5T_STD_I32LE, nullptr, H5T_NATIVE_INT32);
  attr_string(replicate.get(), "long_name",
              "replicate (same replicate: same population, network and shocks in every arm)", f);
  point = create_run_dataset("point", H5T_STD_I32LE, nullptr, H5T_NATIVE_INT32);
  attr_string(point.get(), "long_name", "design point (0 for a single scenario)", f);
  seed = create_run_dataset("seed", H5T_STD_U64LE, nullptr, H5T_NATIVE_UINT64);
  attr_string(seed.get(), "long_name", "the run's replicate seed (see the seed_scheme attribute)",
              f);
  status = create_run_dataset("status", H5T_STD_I8LE, nullptr, H5T_NATIVE_INT8);
  attr_string(status.get(), "long_name", "run status", f);
  attr_array(status.get(), "flag_values", H5T_STD_I8LE, H5T_NATIVE_INT8,
             std::vector<std::int8_t>{0, 1, 2}, f);
  attr_string(status.get(), "flag_meanings", "planned done failed", f);

  std::string coordinates = "arm replicate point seed";
  for (const auto& v : header.varied) {
    Hid ds = create_run_dataset(v.key, H5T_IEEE_F64LE, nullptr, H5T_NATIVE_DOUBLE);
    attr_string(ds.get(), "long_name", v.long_name, f);
    attr_string(ds.get(), "units", v.units, f);
    attr_scalar(ds.get(), "min", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.min, f);
    attr_scalar(ds.get(), "max", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.max, f);
    params.push_back(std::move(ds));
    coordinates += " " + v.key;
  }

  const double nan64 = std::numeric_limits<double>::quiet_NaN();
  for (const auto& o : per_run_outputs()) {
    Hid ds = create_run_dataset(o.name, H5T_IEEE_F64LE, &nan64, H5T_NATIVE_DOUBLE);
    attr_string(ds.get(), "long_name", o.long_name, f);
    attr_string(ds.get(), "units", o.units, f);
    attr_scalar(ds.get(), "_FillValue", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, nan64, f);
    per_run.push_back(std::move(ds));
  }
  wall_seconds = create_run_dataset("wall_seconds", H5T_IEEE_F32LE, nullptr, H5T_NATIVE_FLOAT);
  attr_string(wall_seconds.get(), "long_name", "wall-clock time of the run", f);
  attr_string(wall_seconds.get(), "units", "s", f);

  const float nan32 = std::numeric_limits<float>::quiet_NaN();
  for (const auto& o : per_step_outputs()) {
    Hid ds = create_step_dataset(o.name);
    attr_string(ds.get(), "long_name", o.long_name, f);
    attr_string(ds.get(), "units", o.units, f);
    attr_scalar(ds.get(), "_FillValue", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, nan32, f);
    attr_string(ds.get(), "coordinates", coordinates, f);
    per_step.push_back(std::move(ds));
  }

  create_wins_group();
  create_failures_group();

  Hid gcpl = make(H5Pcreate(H5P_GROUP_CREATE), f, "create group 'provenance'");
  check(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), f,
        "create group 'provenance'");
  provenance = make(H5Gcreate2(file.get(), "provenance", H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), f,
                    "create group 'provenance'");
  write_provenance_string("scenario_json", header.scenario_json, true);
  write_provenance_string("resolved_params_json", header.resolved_params_json, true);
  write_provenance_string("parameter_table_json", header.parameter_table_json, true);
  if (!header.sweep_json.empty()) write_provenance_string("sweep_json", header.sweep_json, true);
  write_provenance_string("command_line", header.command_line, false);
}

namespace {

/// The columns of /win_events after the `win` scale, in the order written and read.
enum WinColumn : std::size_t {
  kWinRun, kWinArm, kWinReplicate, kWinPoint, kWinStart, kWinEnd, kWinCensored, kWinStrength,
  kWinDuration, kWinColumnCount
};
constexpr std::array<const char*, kWinColumnCount> kWinColumnNames = {
    "run", "arm", "replicate", "point", "start_step", "end_step", "censored", "strength",
    "duration"};

}  // namespace

// /win_events: one row per win, columnar, on its own unlimited `win` dimension scale, so that
// xarray.open_dataset(path, engine="h5netcdf", group="win_events") opens it in one call. The group and
// its (empty) datasets exist even when no run has a win.
void ResultsWriter::Impl::create_wins_group() {
  const std::string& f = name();
  Hid gcpl = make(H5Pcreate(H5P_GROUP_CREATE), f, "create group 'wins'");
  check(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), f,
        "create group 'wins'");
  wins_group = make(H5Gcreate2(file.get(), "win_events", H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), f,
                    "create group 'wins'");
  attr_string(wins_group.get(), "long_name",
              "every win of every run: one row per win (event table with censoring)", f);

  win = create_win_dataset("win", H5T_STD_I64LE);
  check(H5DSset_scale(win.get(), "win"), f, "make 'win_events/win' a dimension scale");
  attr_string(win.get(), "long_name", "win index (row of the event table, in run order)", f);

  const std::array<hid_t, kWinColumnCount> types = {
      H5T_STD_I64LE, H5T_STD_I8LE, H5T_STD_I32LE,  H5T_STD_I32LE, H5T_STD_I32LE,
      H5T_STD_I32LE, H5T_STD_I8LE, H5T_IEEE_F64LE, H5T_STD_I32LE};
  const std::array<const char*, kWinColumnCount> long_names = {
      "run of the win (index on the root `run` dimension)",
      "strategy arm of the run (code; see flag_meanings)",
      "replicate of the run",
      "design point of the run",
      "step at which the win was won",
      "step at which the win was reversed; -1 if censored (still standing at the end of the run)",
      "1 if the win still stood at the end of the run (censored), 0 if it was reversed",
      "strength of the win: the power of the action that won it",
      "steps the win stood: end_step - start_step, or n_steps - start_step if censored"};
  const std::array<const char*, kWinColumnCount> units = {nullptr, nullptr, nullptr, nullptr,
                                                          "week",  "week",  nullptr, "1",
                                                          "week"};
  for (std::size_t c = 0; c < kWinColumnCount; ++c) {
    Hid ds = create_win_dataset(kWinColumnNames[c], types[c]);
    attr_string(ds.get(), "long_name", long_names[c], f);
    if (units[c]) attr_string(ds.get(), "units", units[c], f);
    win_columns.push_back(std::move(ds));
  }
  set_arm_flags(win_columns[kWinArm].get());
  attr_array(win_columns[kWinCensored].get(), "flag_values", H5T_STD_I8LE, H5T_NATIVE_INT8,
             std::vector<std::int8_t>{0, 1}, f);
  attr_string(win_columns[kWinCensored].get(), "flag_meanings", "reversed censored", f);
  // The run-level columns become xarray coordinates of the event columns (as on the root).
  for (std::size_t c : {kWinStart, kWinEnd, kWinCensored, kWinStrength, kWinDuration})
    attr_string(win_columns[c].get(), "coordinates", "run arm replicate point", f);
}

namespace {

/// The columns of /failures after the `failure` scale, in the order written and read.
enum FailureColumn : std::size_t {
  kFailRun, kFailPoint, kFailArm, kFailReplicate, kFailSeed, kFailMessage, kFailureColumnCount
};
constexpr std::array<const char*, kFailureColumnCount> kFailureColumnNames = {
    "run", "point", "arm", "replicate", "seed", "message"};

/// `s` with every byte sequence that is not well-formed UTF-8 replaced by U+FFFD, so that readers
/// that decode the strings (h5py .asstr(), xarray) never fail on an exception's message.
std::string valid_utf8(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  std::size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = byte(i);
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c < 0x80) len = 1;
    else if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // no overlong forms
      if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;  // at most U+10FFFF
    }
    bool ok = len > 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const unsigned char b = byte(i + k);
      ok = k == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF);
    }
    if (ok) {
      out.append(s, i, len);
      i += len;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++i;
    }
  }
  return out;
}

}  // namespace

// /failures: one row per failed run (status 2), columnar, on its own unlimited `failure`
// dimension scale, appended batch by batch like /win_events. The group and its (empty) columns
// exist in every file, so xarray.open_dataset(path, engine="h5netcdf", group="failures") always
// works.
void ResultsWriter::Impl::create_failures_group() {
  const std::string& f = name();
  Hid gcpl = make(H5Pcreate(H5P_GROUP_CREATE), f, "create group 'failures'");
  check(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), f,
        "create group 'failures'");
  failures_group = make(H5Gcreate2(file.get(), "failures", H5P_DEFAULT, gcpl.get(), H5P_DEFAULT),
                        f, "create group 'failures'");
  attr_string(failures_group.get(), "long_name",
              "every failed run (status 2): one row per failed run, in run order, with the error "
              "message",
              f);

  failure = create_table_dataset(failures_group.get(), "failures", "failure", H5T_STD_I64LE,
                                 H5I_INVALID_HID, kFailureChunk);
  check(H5DSset_scale(failure.get(), "failure"), f,
        "make 'failures/failure' a dimension scale");
  attr_string(failure.get(), "long_name", "failure index (row of the table, in run order)", f);

  Hid string_type = utf8_string_type(f);
  const std::array<hid_t, kFailureColumnCount> types = {
      H5T_STD_I64LE, H5T_STD_I32LE, H5T_STD_I8LE, H5T_STD_I32LE, H5T_STD_U64LE,
      string_type.get()};
  const std::array<const char*, kFailureColumnCount> long_names = {
      "the failed run (index on the root `run` dimension)",
      "design point of the run",
      "strategy arm of the run (code; see flag_meanings)",
      "replicate of the run",
      "the run's replicate seed (see the root seed_scheme attribute)",
      "why the run failed (the error message)"};
  for (std::size_t c = 0; c < kFailureColumnCount; ++c) {
    Hid ds = create_table_dataset(failures_group.get(), "failures", kFailureColumnNames[c],
                                  types[c], failure.get(), kFailureChunk);
    attr_string(ds.get(), "long_name", long_names[c], f);
    failure_columns.push_back(std::move(ds));
  }
  set_arm_flags(failure_columns[kFailArm].get());
  // The run-level columns become xarray coordinates of the message (as in /win_events).
  attr_string(failure_columns[kFailMessage].get(), "coordinates", "run point arm replicate seed",
              f);
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
  check(H5Dwrite(ds, mem_type, mspace.get(), fspace.get(), H5P_DEFAULT, buf), name(), op);
}

void ResultsWriter::Impl::append_wins(const std::vector<RunRecord>& runs) {
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
    write_rows_at(ds, "win_events/" + ds_name, mem_type, at, 0, n, buf);
  };
  write(win.get(), "win", H5T_NATIVE_INT64, index.data());
  const auto col = [&](WinColumn c) { return win_columns[c].get(); };
  const auto nm = [](WinColumn c) { return std::string(kWinColumnNames[c]); };
  write(col(kWinRun), nm(kWinRun), H5T_NATIVE_INT64, run_of.data());
  write(col(kWinArm), nm(kWinArm), H5T_NATIVE_INT8, arm_of.data());
  write(col(kWinReplicate), nm(kWinReplicate), H5T_NATIVE_INT32, rep_of.data());
  write(col(kWinPoint), nm(kWinPoint), H5T_NATIVE_INT32, point_of.data());
  write(col(kWinStart), nm(kWinStart), H5T_NATIVE_INT32, start.data());
  write(col(kWinEnd), nm(kWinEnd), H5T_NATIVE_INT32, end.data());
  write(col(kWinCensored), nm(kWinCensored), H5T_NATIVE_INT8, censored.data());
  write(col(kWinStrength), nm(kWinStrength), H5T_NATIVE_DOUBLE, strength.data());
  write(col(kWinDuration), nm(kWinDuration), H5T_NATIVE_INT32, duration.data());
  n_wins_written += static_cast<std::int64_t>(n);
}

void ResultsWriter::Impl::append_failures(const std::vector<RunRecord>& runs) {
  std::vector<std::int64_t> index, run_of;
  std::vector<std::int32_t> point_of, rep_of;
  std::vector<std::int8_t> arm_of;
  std::vector<std::uint64_t> seed_of;
  std::vector<std::string> message;
  for (const auto& r : runs) {
    if (r.status != 2) continue;
    index.push_back(n_failures_written + static_cast<std::int64_t>(index.size()));
    run_of.push_back(r.run);
    point_of.push_back(r.point);
    arm_of.push_back(static_cast<std::int8_t>(r.arm));
    rep_of.push_back(r.replicate);
    seed_of.push_back(r.seed);
    message.push_back(valid_utf8(r.message));
  }
  const std::size_t n = index.size();
  if (n == 0) return;
  std::vector<const char*> message_ptr;
  message_ptr.reserve(n);
  for (const auto& m : message) message_ptr.push_back(m.c_str());

  const auto at = static_cast<hsize_t>(n_failures_written);
  const auto write = [&](hid_t ds, const std::string& ds_name, hid_t mem_type, const void* buf) {
    write_rows_at(ds, "failures/" + ds_name, mem_type, at, 0, n, buf);
  };
  write(failure.get(), "failure", H5T_NATIVE_INT64, index.data());
  const auto col = [&](FailureColumn c) { return failure_columns[c].get(); };
  const auto nm = [](FailureColumn c) { return std::string(kFailureColumnNames[c]); };
  write(col(kFailRun), nm(kFailRun), H5T_NATIVE_INT64, run_of.data());
  write(col(kFailPoint), nm(kFailPoint), H5T_NATIVE_INT32, point_of.data());
  write(col(kFailArm), nm(kFailArm), H5T_NATIVE_INT8, arm_of.data());
  write(col(kFailReplicate), nm(kFailReplicate), H5T_NATIVE_INT32, rep_of.data());
  write(col(kFailSeed), nm(kFailSeed), H5T_NATIVE_UINT64, seed_of.data());
  Hid string_type = utf8_string_type(name());
  write(col(kFailMessage), nm(kFailMessage), string_type.get(), message_ptr.data());
  n_failures_written += static_cast<std::int64_t>(n);
}

void ResultsWriter::Impl::append(const std::vector<RunRecord>& runs) {
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
    write_rows(run.get(), "run", H5T_NATIVE_INT64, 0, count, v.data());
  }
  {
    const auto v = column([](const RunRecord& r) { return static_cast<std::int8_t>(r.arm); });
    write_rows(arm.get(), "arm", H5T_NATIVE_INT8, 0, count, v.data());
  }
  {
    const auto v = column([](const RunRecord& r) { return r.replicate; });
    write_rows(replicate.get(), "replicate", H5T_NATIVE_INT32, 0, count, v.data());
  }
  {
    const auto v = column([](const RunRecord& r) { return r.point; });
    write_rows(point.get(), "point", H5T_NATIVE_INT32, 0, count, v.data());
  }
  {
    const auto v = column([](const RunRecord& r) { return r.seed; });
    write_rows(seed.get(), "seed", H5T_NATIVE_UINT64, 0, count, v.data());
  }
  {
    const auto v = column([](const RunRecord& r) { return r.status; });
    write_rows(status.get(), "status", H5T_NATIVE_INT8, 0, count, v.data());
  }
  {
    const auto v = column([](const RunRecord& r) { return r.wall_seconds; });
    write_rows(wall_seconds.get(), "wall_seconds", H5T_NATIVE_FLOAT, 0, count, v.data());
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
  std::vector<float> block(runs.size() * n_steps);
  for (std::size_t o = 0; o < n_step_vars; ++o) {
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const auto first = runs[i].per_step.begin() + static_cast<std::ptrdiff_t>(o * n_steps);
      std::copy(first, first + static_cast<std::ptrdiff_t>(n_steps), block.begin() +
                static_cast<std::ptrdiff_t>(i * n_steps));
    }
    write_rows(per_step[o].get(), per_step_outputs()[o].name, H5T_NATIVE_FLOAT, n_steps, count,
               block.data());
  }

  append_wins(runs);
  append_failures(runs);

  n_written += static_cast<std::int64_t>(count);
  last_run = last;
  attr_scalar(file.get(), "n_runs_done", H5T_STD_I64LE, H5T_NATIVE_INT64, n_written, name());
}

// ---- /durability ----------------------------------------------------------------------------

namespace {

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
/// itself, `scale` < 0). `extendible`: chunked (shuffle + deflate) with an unlimited maximum, as
/// the curve table, which may have no rows; else contiguous and fixed.
Hid ResultsWriter::Impl::write_durability_column(hid_t group, const char* ds_name,
                                                 hid_t file_type, hid_t mem_type, hsize_t n,
                                                 const void* data, hid_t scale, bool extendible,
                                                 const char* long_name, const char* units) {
  const std::string& f = name();
  const std::string op = std::string("create dataset 'durability/") + ds_name + "'";
  const hsize_t maxdims = extendible ? H5S_UNLIMITED : n;
  Hid space = make(H5Screate_simple(1, &n, &maxdims), f, op);
  Hid dcpl = make(H5Pcreate(H5P_DATASET_CREATE), f, op);
  if (extendible) {
    const hsize_t chunk = std::clamp<hsize_t>(n, 1, kKmChunk);
    check(H5Pset_chunk(dcpl.get(), 1, &chunk), f, op);
    check(H5Pset_shuffle(dcpl.get()), f, op);
    check(H5Pset_deflate(dcpl.get(), kDeflateLevel), f, op);
  }
  Hid ds = make(H5Dcreate2(group, ds_name, file_type, space.get(), H5P_DEFAULT, dcpl.get(),
                           H5P_DEFAULT),
                f, op);
  if (n > 0)
    check(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), f,
          std::string("write dataset 'durability/") + ds_name + "'");
  if (scale >= 0)
    check(H5DSattach_scale(ds.get(), scale, 0), f,
          std::string("attach a dimension scale to durability/") + ds_name);
  attr_string(ds.get(), "long_name", long_name, f);
  if (units) attr_string(ds.get(), "units", units, f);
  return ds;
}

// /durability: the per-arm Kaplan-Meier estimates of win durability, on the `arm` dimension, and
// the curves as one long table (one row per arm and event time) on the `km` dimension, so that
// xarray.open_dataset(path, engine="h5netcdf", group="durability") opens both in one call.
void ResultsWriter::Impl::write_durability() {
  const std::string& f = name();
  Hid gcpl = make(H5Pcreate(H5P_GROUP_CREATE), f, "create group 'durability'");
  check(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), f,
        "create group 'durability'");
  Hid group = make(H5Gcreate2(file.get(), "durability", H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), f,
                   "create group 'durability'");
  const hid_t g = group.get();
  attr_string(g, "long_name",
              "durability of wins: Kaplan-Meier estimate per arm over the wins of the arm's runs "
              "(reversal = event, still standing at the end of the run = censored)",
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
  Hid arm_scale = write_durability_column(g, "arm", H5T_STD_I8LE, H5T_NATIVE_INT8, k, codes.data(),
                                          -1, false, "strategy arm (code; see flag_meanings)",
                                          nullptr);
  check(H5DSset_scale(arm_scale.get(), "arm"), f, "make 'durability/arm' a dimension scale");
  write_arm_flags(arm_scale.get(), names, f);
  const hid_t arm_id = arm_scale.get();
  write_durability_column(g, "wins", H5T_STD_I64LE, H5T_NATIVE_INT64, k, wins.data(), arm_id,
                          false, "wins in the arm's runs (all replicates pooled)", nullptr);
  write_durability_column(g, "reversals", H5T_STD_I64LE, H5T_NATIVE_INT64, k, reversals.data(),
                          arm_id, false,
                          "wins reversed before the end of their run (the observed events)",
                          nullptr);
  {
    Hid ds = write_durability_column(
        g, "median", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, k, median.data(), arm_id, false,
        "median win duration: first event time at which the Kaplan-Meier S(t) <= 0.5 "
        "(NaN if S never drops to 0.5)",
        "step");
    const double nan = std::numeric_limits<double>::quiet_NaN();
    attr_scalar(ds.get(), "_FillValue", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, nan, f);
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
  Hid km = write_durability_column(g, "km", H5T_STD_I64LE, H5T_NATIVE_INT64, n, row.data(), -1,
                                   true, "row of the Kaplan-Meier table (arm, event time)",
                                   nullptr);
  check(H5DSset_scale(km.get(), "km"), f, "make 'durability/km' a dimension scale");
  const hid_t km_id = km.get();
  {
    Hid ds = write_durability_column(g, "km_arm", H5T_STD_I8LE, H5T_NATIVE_INT8, n, km_arm.data(),
                                     km_id, true, "strategy arm of the row (code; see flag_meanings)",
                                     nullptr);
    write_arm_flags(ds.get(), names, f);
  }
  write_durability_column(g, "time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, time.data(), km_id,
                          true, "event time: a duration (steps after the win) at which wins "
                          "were reversed", "step");
  const char* const coords = "km_arm time";
  for (auto [ds_name, values, long_name] :
       {std::tuple<const char*, const std::vector<double>*, const char*>{
            "survival", &survival,
            "Kaplan-Meier estimate S(t): share of the arm's wins still standing just after time"},
        {"lower", &lower,
         "lower bound of the 95% confidence interval of S(t) (Greenwood, log(-log S) scale)"},
        {"upper", &upper,
         "upper bound of the 95% confidence interval of S(t) (Greenwood, log(-log S) scale)"}}) {
    Hid ds = write_durability_column(g, ds_name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n,
                                     values->data(), km_id, true, long_name, "1");
    attr_string(ds.get(), "coordinates", coords, f);
  }
  for (auto [ds_name, values, long_name] :
       {std::tuple<const char*, const std::vector<std::int64_t>*, const char*>{
            "at_risk", &at_risk,
            "wins at risk just before time: neither reversed nor censored earlier"},
        {"events", &events, "wins reversed at time"}}) {
    Hid ds = write_durability_column(g, ds_name, H5T_STD_I64LE, H5T_NATIVE_INT64, n,
                                     values->data(), km_id, true, long_name, nullptr);
    attr_string(ds.get(), "coordinates", coords, f);
  }
}

// ---- /design and /sensitivity ---------------------------------------------------------------

namespace {

/// A group of the root that tracks link creation order (readers list its variables as written).
Hid create_ordered_group(hid_t file, const char* group_name, const std::string& f) {
  const std::string op = std::string("create group '") + group_name + "'";
  Hid gcpl = make(H5Pcreate(H5P_GROUP_CREATE), f, op);
  check(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), f,
        op);
  return make(H5Gcreate2(file, group_name, H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), f, op);
}

/// A small fixed-size dataset `group_name/ds_name`, contiguous, written at once (nothing is
/// written when a dimension is 0), with `scales[d]` attached to dimension d (none where it is
/// < 0, e.g. for the scale itself). `fill`: the HDF5 fill value and the CF _FillValue attribute
/// (float64 datasets only), or none.
Hid write_fixed_dataset(hid_t group, const std::string& group_name, const std::string& ds_name,
                        hid_t file_type, hid_t mem_type, const std::vector<hsize_t>& dims,
                        const void* data, const std::vector<hid_t>& scales, const char* long_name,
                        const char* units, const double* fill, const std::string& f) {
  const std::string full = group_name + "/" + ds_name;
  const std::string op = "create dataset '" + full + "'";
  const int rank = static_cast<int>(dims.size());
  Hid space = make(H5Screate_simple(rank, dims.data(), nullptr), f, op);
  Hid dcpl = make(H5Pcreate(H5P_DATASET_CREATE), f, op);
  if (fill) check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, fill), f, op);
  Hid ds = make(H5Dcreate2(group, ds_name.c_str(), file_type, space.get(), H5P_DEFAULT,
                           dcpl.get(), H5P_DEFAULT),
                f, op);
  const bool empty = std::any_of(dims.begin(), dims.end(), [](hsize_t n) { return n == 0; });
  if (!empty)
    check(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), f,
          "write dataset '" + full + "'");
  for (std::size_t d = 0; d < scales.size(); ++d)
    if (scales[d] >= 0)
      check(H5DSattach_scale(ds.get(), scales[d], static_cast<unsigned>(d)), f,
            "attach a dimension scale to " + full);
  attr_string(ds.get(), "long_name", long_name, f);
  if (units) attr_string(ds.get(), "units", units, f);
  if (fill) attr_scalar(ds.get(), "_FillValue", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, *fill, f);
  return ds;
}

/// A 1-D dimension scale of variable-length UTF-8 strings (labels of a string dimension).
Hid write_string_scale(hid_t group, const std::string& group_name, const char* ds_name,
                       const std::vector<std::string>& values, const char* long_name,
                       const std::string& f) {
  std::vector<const char*> ptr;
  ptr.reserve(values.size());
  for (const auto& v : values) ptr.push_back(v.c_str());
  Hid type = utf8_string_type(f);
  Hid ds = write_fixed_dataset(group, group_name, ds_name, type.get(), type.get(), {values.size()},
                               ptr.data(), {}, long_name, nullptr, nullptr, f);
  check(H5DSset_scale(ds.get(), ds_name), f,
        "make '" + group_name + "/" + ds_name + "' a dimension scale");
  return ds;
}

/// A 1-D int64 dimension scale 0 … n-1.
Hid write_index_scale(hid_t group, const std::string& group_name, const char* ds_name, hsize_t n,
                      const char* long_name, const std::string& f) {
  std::vector<std::int64_t> values(n);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<std::int64_t>(i);
  Hid ds = write_fixed_dataset(group, group_name, ds_name, H5T_STD_I64LE, H5T_NATIVE_INT64, {n},
                               values.data(), {}, long_name, nullptr, nullptr, f);
  check(H5DSset_scale(ds.get(), ds_name), f,
        "make '" + group_name + "/" + ds_name + "' a dimension scale");
  return ds;
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

const std::set<std::string> kDesignTypes = {"grid", "random", "lhs", "sobol", "morris"};

}  // namespace

/// Rejects a design the layout cannot hold (a programming error upstream).
void ResultsWriter::Impl::validate_design(const DesignTable& d) const {
  const std::string which = "results file '" + final_path + "': set_design: ";
  if (!kDesignTypes.count(d.type))
    throw std::logic_error(which + "type '" + d.type +
                           "' is not one of grid, random, lhs, sobol, morris");
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
  const std::string gname = "design";
  Hid group = create_ordered_group(file.get(), "design", f);
  const hid_t g = group.get();
  attr_string(g, "long_name",
              "the sweep's design: the value of every varied parameter at every design point "
              "(the root `point` of a run is its row here)",
              f);
  attr_string(g, "type", design.type, f);

  const hsize_t n_points = design.points.size(), k = design.keys.size();
  Hid point_scale = write_index_scale(g, gname, "point", n_points,
                                      "design point (the root `point` of the runs at it)", f);
  Hid param_scale = write_string_scale(g, gname, "parameter", design.keys,
                                       "varied parameter (dotted scenario path)", f);
  const std::vector<hid_t> both = {point_scale.get(), param_scale.get()};
  {
    const auto values = flatten(design.points);
    write_fixed_dataset(g, gname, "value", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {n_points, k},
                        values.data(), both, "value of the parameter at the design point",
                        nullptr, nullptr, f);
  }
  if (!design.unit.empty()) {
    const auto unit = flatten(design.unit);
    write_fixed_dataset(g, gname, "unit", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {n_points, k},
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
    const std::string long_name = known && !v->long_name.empty() ? v->long_name : key;
    Hid ds = write_fixed_dataset(g, gname, key, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {n_points},
                                 column.data(), {point_scale.get()}, long_name.c_str(),
                                 known ? v->units.c_str() : nullptr, nullptr, f);
    if (known) {
      attr_scalar(ds.get(), "min", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v->min, f);
      attr_scalar(ds.get(), "max", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v->max, f);
    }
  }
}

namespace {

/// The arrays of a SensitivityTable, by method: name, member, long name.
struct SensitivityArray {
  const char* name;
  std::vector<std::vector<std::vector<double>>> SensitivityTable::*member;
  const char* long_name;
};
const std::array<SensitivityArray, 4> kSobolArrays = {{
    {"S1", &SensitivityTable::S1,
     "first-order Sobol index (Saltelli 2010): share of the variance of the design-point means "
     "due to the parameter alone"},
    {"S1_conf", &SensitivityTable::S1_conf,
     "half-width of the 95% bootstrap confidence interval of S1"},
    {"ST", &SensitivityTable::ST,
     "total Sobol index (Jansen 1999): share of the variance due to the parameter, interactions "
     "included"},
    {"ST_conf", &SensitivityTable::ST_conf,
     "half-width of the 95% bootstrap confidence interval of ST"},
}};
const std::array<SensitivityArray, 3> kMorrisArrays = {{
    {"mu", &SensitivityTable::mu,
     "Morris mean elementary effect (unit-hypercube coordinates) on the design-point means"},
    {"mu_star", &SensitivityTable::mu_star, "Morris mean absolute elementary effect"},
    {"sigma", &SensitivityTable::sigma, "standard deviation of the Morris elementary effects"},
}};

}  // namespace

/// Rejects sensitivity indices the layout cannot hold (a programming error upstream).
void ResultsWriter::Impl::validate_sensitivity(const SensitivityTable& t) const {
  const std::string which = "results file '" + final_path + "': set_sensitivity: ";
  const bool sobol = t.method == "sobol";
  if (!sobol && t.method != "morris")
    throw std::logic_error(which + "method '" + t.method + "' is neither sobol nor morris");
  for (const auto* labels : {&t.outputs, &t.parameters}) {
    const char* what = labels == &t.outputs ? "output" : "parameter";
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
  const std::string gname = "sensitivity";
  Hid group = create_ordered_group(file.get(), "sensitivity", f);
  const hid_t g = group.get();
  attr_string(g, "long_name",
              "sensitivity of per-run outputs to the varied parameters, per arm, computed on the "
              "design-point means over replicates",
              f);
  attr_string(g, "method", sensitivity.method, f);

  const hsize_t n_arms = sensitivity.noise_share.size(), n_out = sensitivity.outputs.size(),
                n_par = sensitivity.parameters.size();
  Hid arm_scale;
  {
    std::vector<std::int8_t> codes(n_arms);
    for (std::size_t a = 0; a < codes.size(); ++a) codes[a] = static_cast<std::int8_t>(a);
    arm_scale = write_fixed_dataset(g, gname, "arm", H5T_STD_I8LE, H5T_NATIVE_INT8, {n_arms},
                                    codes.data(), {}, "strategy arm (code; see flag_meanings)",
                                    nullptr, nullptr, f);
    check(H5DSset_scale(arm_scale.get(), "arm"), f, "make 'sensitivity/arm' a dimension scale");
    set_arm_flags(arm_scale.get());
  }
  Hid out_scale = write_string_scale(g, gname, "output", sensitivity.outputs,
                                     "per-run output (the root variable of that name)", f);
  Hid par_scale = write_string_scale(g, gname, "parameter", sensitivity.parameters,
                                     "varied parameter (dotted scenario path)", f);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<hid_t> scales = {arm_scale.get(), out_scale.get(), par_scale.get()};
  const auto write_array = [&](const SensitivityArray& a) {
    const auto values = flatten(sensitivity.*(a.member));
    write_fixed_dataset(g, gname, a.name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                        {n_arms, n_out, n_par}, values.data(), scales, a.long_name, "1", &nan,
                        f);
  };
  if (sensitivity.method == "sobol")
    for (const auto& a : kSobolArrays) write_array(a);
  else
    for (const auto& a : kMorrisArrays) write_array(a);
  const auto noise = flatten(sensitivity.noise_share);
  write_fixed_dataset(g, gname, "noise_share", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                      {n_arms, n_out}, noise.data(), {arm_scale.get(), out_scale.get()},
                      "share of the output's variance that is replicate noise (the within-point "
                      "variance over the total variance)",
                      "1", &nan, f);
}

ResultsWriter::ResultsWriter(std::string final_path, FileHeader header) : impl_(nullptr) {
  validate_header(header);
  auto impl = std::make_unique<Impl>();
  impl->final_path = std::move(final_path);
  impl->partial_path = impl->final_path + ".partial";
  impl->header = std::move(header);
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

void ResultsWriter::append(const std::vector<RunRecord>& runs) {
  if (impl_->finished)
    throw std::logic_error("results file '" + impl_->final_path + "': append() after finish()");
  if (impl_->broken)
    throw RunError("results file '" + impl_->partial_path +
                   "': unusable after an earlier write error");
  QuietHdf5 quiet;
  try {
    impl_->append(runs);
  } catch (const RunError&) {
    impl_->broken = true;
    throw;
  }
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
      if (m.has_durability) m.write_durability();
      if (m.has_design) m.write_design();
      if (m.has_sensitivity) m.write_sensitivity();
    } catch (const RunError&) {
      m.broken = true;  // a half-written group: the file cannot be finished
      throw;
    }
    attr_scalar(m.file.get(), "n_runs_done", H5T_STD_I64LE, H5T_NATIVE_INT64, m.n_written,
                m.name());
    check(H5Fflush(m.file.get(), H5F_SCOPE_GLOBAL), m.name(), "flush the file");
    if (!m.close_all()) hdf5_fail(m.name(), "close the file");
  }
  if (std::rename(m.partial_path.c_str(), m.final_path.c_str()) != 0) {
    const int err = errno;
    throw RunError("results file: cannot rename '" + m.partial_path + "' to '" + m.final_path +
                   "': " + std::strerror(err));
  }
  m.finished = true;
}

// ---- Reading -------------------------------------------------------------------------------

namespace {

/// Reads a whole 1-D dataset of `n` elements (on dimension `dim`), converted to T. `ds_name` is
/// relative to `file` and may name a dataset in a group ("win_events/run").
template <class T>
std::vector<T> read_column(hid_t file, const std::string& ds_name, hid_t mem_type, hsize_t n,
                           const std::string& path, const std::string& dim = "run") {
  const htri_t exists = H5Lexists(file, ds_name.c_str(), H5P_DEFAULT);
  check(exists, path, "look up dataset '" + ds_name + "'");
  if (exists == 0)
    throw InputError(path, "/" + ds_name, "a 1-D dataset on " + dim, "no such dataset");
  Hid ds = make(H5Dopen2(file, ds_name.c_str(), H5P_DEFAULT), path,
                "open dataset '" + ds_name + "'");
  Hid space = make(H5Dget_space(ds.get()), path, "read dataset '" + ds_name + "'");
  hsize_t dims[1] = {0};
  if (H5Sget_simple_extent_ndims(space.get()) != 1 ||
      H5Sget_simple_extent_dims(space.get(), dims, nullptr) < 0 || dims[0] != n)
    throw InputError(path, "/" + ds_name,
                     "a 1-D dataset of " + std::to_string(n) + " " + dim + "s", "another shape");
  std::vector<T> values(n);
  if (n > 0)
    check(H5Dread(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), path,
          "read dataset '" + ds_name + "'");
  return values;
}

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
    check(H5Dread(ds.get(), mtype.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &s), path, op);
    std::string out = s ? s : "";
    if (s) H5free_memory(s);
    return out;
  }
  const std::size_t size = H5Tget_size(ftype.get());
  Hid mtype = make(H5Tcopy(H5T_C_S1), path, op);
  check(H5Tset_size(mtype.get(), size), path, op);
  std::string out(size, '\0');
  check(H5Dread(ds.get(), mtype.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), path, op);
  out.resize(std::strlen(out.c_str()));
  return out;
}

/// Length of the 1-D dataset `ds_name` (a dimension scale).
hsize_t dimension_length(hid_t file, const std::string& ds_name, const std::string& path) {
  const htri_t exists = H5Lexists(file, ds_name.c_str(), H5P_DEFAULT);
  check(exists, path, "look up dataset '" + ds_name + "'");
  if (exists == 0)
    throw InputError(path, "/" + ds_name, "a dimension-scale dataset", "no such dataset");
  Hid ds = make(H5Dopen2(file, ds_name.c_str(), H5P_DEFAULT), path,
                "open dataset '" + ds_name + "'");
  Hid space = make(H5Dget_space(ds.get()), path, "read dataset '" + ds_name + "'");
  if (H5Sget_simple_extent_ndims(space.get()) != 1)
    throw InputError(path, "/" + ds_name, "a 1-D dataset", "another shape");
  hsize_t n = 0;
  check(H5Sget_simple_extent_dims(space.get(), &n, nullptr), path,
        "read dataset '" + ds_name + "'");
  return n;
}

/// The /win_events event table, appended to the runs it belongs to (in table order, which is win
/// order within a run). A file without /win_events (written before the table existed) has no wins.
void read_wins(hid_t file, std::vector<RunRecord>& runs, const std::string& path) {
  const htri_t exists = H5Lexists(file, "win_events", H5P_DEFAULT);
  check(exists, path, "look up group 'wins'");
  if (exists == 0) return;
  const hsize_t n = dimension_length(file, "win_events/win", path);
  const auto run = read_column<std::int64_t>(file, "win_events/run", H5T_NATIVE_INT64, n, path, "win");
  const auto start =
      read_column<std::int32_t>(file, "win_events/start_step", H5T_NATIVE_INT32, n, path, "win");
  const auto end =
      read_column<std::int32_t>(file, "win_events/end_step", H5T_NATIVE_INT32, n, path, "win");
  const auto censored =
      read_column<std::int8_t>(file, "win_events/censored", H5T_NATIVE_INT8, n, path, "win");
  const auto strength =
      read_column<double>(file, "win_events/strength", H5T_NATIVE_DOUBLE, n, path, "win");
  // Runs are stored in increasing run order: find a win's run by binary search.
  const auto by_run = [](const RunRecord& r, std::int64_t k) { return r.run < k; };
  for (std::size_t i = 0; i < n; ++i) {
    const auto it = std::lower_bound(runs.begin(), runs.end(), run[i], by_run);
    if (it == runs.end() || it->run != run[i])
      throw InputError(path, "/win_events/run", "the index of a run in the file",
                       std::to_string(run[i]) + " (win " + std::to_string(i) + ")");
    WinEvent w;
    w.start_step = start[i];
    w.censored = censored[i] != 0;
    w.end_step = w.censored ? -1 : end[i];
    w.strength = strength[i];
    it->wins.push_back(w);
  }
}

/// Splits a flag_meanings attribute into its space-separated names.
std::vector<std::string> split_meanings(const std::string& meanings) {
  std::vector<std::string> names;
  std::size_t pos = 0;
  while (pos < meanings.size()) {
    const std::size_t end = std::min(meanings.find(' ', pos), meanings.size());
    if (end > pos) names.push_back(meanings.substr(pos, end - pos));
    pos = end + 1;
  }
  return names;
}

/// The /durability group: per-arm counts and medians on `arm`, and the Kaplan-Meier curves from
/// the long table on `km` (rows of an arm in table order). Arm names come from the flag_meanings
/// of durability/arm. A file without /durability has no durability estimates.
std::vector<ArmDurability> read_durability(hid_t file, const std::string& path) {
  std::vector<ArmDurability> out;
  const htri_t exists = H5Lexists(file, "durability", H5P_DEFAULT);
  check(exists, path, "look up group 'durability'");
  if (exists == 0) return out;
  const hsize_t k = dimension_length(file, "durability/arm", path);
  std::vector<std::string> names;
  {
    Hid arm = make(H5Dopen2(file, "durability/arm", H5P_DEFAULT), path,
                   "open dataset 'durability/arm'");
    names = split_meanings(read_attr_string(arm.get(), "flag_meanings", path));
  }
  if (names.size() < k)
    throw InputError(path, "/durability/arm/@flag_meanings",
                     "one name per arm (" + std::to_string(k) + ")",
                     std::to_string(names.size()) + " names");
  const auto codes = read_column<std::int8_t>(file, "durability/arm", H5T_NATIVE_INT8, k, path,
                                              "arm");
  const auto wins = read_column<std::int64_t>(file, "durability/wins", H5T_NATIVE_INT64, k, path,
                                              "arm");
  const auto reversals =
      read_column<std::int64_t>(file, "durability/reversals", H5T_NATIVE_INT64, k, path, "arm");
  const auto median =
      read_column<double>(file, "durability/median", H5T_NATIVE_DOUBLE, k, path, "arm");
  out.resize(k);
  for (std::size_t a = 0; a < k; ++a) {
    if (codes[a] != static_cast<std::int8_t>(a))
      throw InputError(path, "/durability/arm", "the codes 0 … " + std::to_string(k - 1),
                       std::to_string(codes[a]) + " at position " + std::to_string(a));
    out[a].arm = names[a];
    out[a].wins = wins[a];
    out[a].reversals = reversals[a];
    out[a].curve.median = median[a];
  }

  const hsize_t n = dimension_length(file, "durability/km", path);
  const auto col_i64 = [&](const char* ds_name) {
    return read_column<std::int64_t>(file, std::string("durability/") + ds_name,
                                     H5T_NATIVE_INT64, n, path, "km");
  };
  const auto col_f64 = [&](const char* ds_name) {
    return read_column<double>(file, std::string("durability/") + ds_name, H5T_NATIVE_DOUBLE, n,
                               path, "km");
  };
  const auto km_arm =
      read_column<std::int8_t>(file, "durability/km_arm", H5T_NATIVE_INT8, n, path, "km");
  const auto time = col_f64("time"), survival = col_f64("survival"), lower = col_f64("lower"),
             upper = col_f64("upper");
  const auto at_risk = col_i64("at_risk"), events = col_i64("events");
  for (std::size_t i = 0; i < n; ++i) {
    if (km_arm[i] < 0 || static_cast<hsize_t>(km_arm[i]) >= k)
      throw InputError(path, "/durability/km_arm", "an arm code below " + std::to_string(k),
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

/// Reads a whole 1-D string dataset of `n` elements (variable- or fixed-length).
std::vector<std::string> read_string_column(hid_t file, const std::string& ds_name, hsize_t n,
                                            const std::string& path, const std::string& dim) {
  const htri_t exists = H5Lexists(file, ds_name.c_str(), H5P_DEFAULT);
  check(exists, path, "look up dataset '" + ds_name + "'");
  if (exists == 0)
    throw InputError(path, "/" + ds_name, "a 1-D string dataset on " + dim, "no such dataset");
  const std::string op = "read dataset '" + ds_name + "'";
  Hid ds = make(H5Dopen2(file, ds_name.c_str(), H5P_DEFAULT), path, op);
  Hid space = make(H5Dget_space(ds.get()), path, op);
  hsize_t dims[1] = {0};
  if (H5Sget_simple_extent_ndims(space.get()) != 1 ||
      H5Sget_simple_extent_dims(space.get(), dims, nullptr) < 0 || dims[0] != n)
    throw InputError(path, "/" + ds_name,
                     "a 1-D dataset of " + std::to_string(n) + " " + dim + "s", "another shape");
  Hid ftype = make(H5Dget_type(ds.get()), path, op);
  if (H5Tget_class(ftype.get()) != H5T_STRING)
    throw InputError(path, "/" + ds_name, "strings", "another type");
  std::vector<std::string> out;
  out.reserve(n);
  if (n == 0) return out;
  const htri_t is_vlen = H5Tis_variable_str(ftype.get());
  check(is_vlen, path, op);
  if (is_vlen > 0) {
    Hid mtype = utf8_string_type(path);
    std::vector<char*> ptr(n, nullptr);
    const herr_t status =
        H5Dread(ds.get(), mtype.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptr.data());
    for (char* p : ptr) {
      out.emplace_back(p ? p : "");
      if (p) H5free_memory(p);
    }
    check(status, path, op);
    return out;
  }
  const std::size_t size = H5Tget_size(ftype.get());
  Hid mtype = make(H5Tcopy(H5T_C_S1), path, op);
  check(H5Tset_size(mtype.get(), size), path, op);
  std::string buf(size * n, '\0');
  check(H5Dread(ds.get(), mtype.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), path, op);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string s = buf.substr(i * size, size);
    out.push_back(s.substr(0, std::strlen(s.c_str())));
  }
  return out;
}

/// Reads a whole float64 dataset of shape `dims` (row-major); `what` describes the shape.
std::vector<double> read_array(hid_t file, const std::string& ds_name,
                               const std::vector<hsize_t>& dims, const std::string& what,
                               const std::string& path) {
  const htri_t exists = H5Lexists(file, ds_name.c_str(), H5P_DEFAULT);
  check(exists, path, "look up dataset '" + ds_name + "'");
  if (exists == 0) throw InputError(path, "/" + ds_name, "a dataset " + what, "no such dataset");
  const std::string op = "read dataset '" + ds_name + "'";
  Hid ds = make(H5Dopen2(file, ds_name.c_str(), H5P_DEFAULT), path, op);
  Hid space = make(H5Dget_space(ds.get()), path, op);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> found(dims.size(), 0);
  if (rank != static_cast<int>(dims.size()) ||
      H5Sget_simple_extent_dims(space.get(), found.data(), nullptr) < 0 || found != dims)
    throw InputError(path, "/" + ds_name, "a dataset " + what, "another shape");
  hsize_t n = 1;
  for (hsize_t d : dims) n *= d;
  std::vector<double> values(n);
  if (n > 0)
    check(H5Dread(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          path, op);
  return values;
}

/// The /failures table: each row's message goes to its run. A file without /failures (written
/// before the table existed) has no messages. A row whose run is not in the file is an error.
void read_failures(hid_t file, std::vector<RunRecord>& runs, const std::string& path) {
  const htri_t exists = H5Lexists(file, "failures", H5P_DEFAULT);
  check(exists, path, "look up group 'failures'");
  if (exists == 0) return;
  const hsize_t n = dimension_length(file, "failures/failure", path);
  const auto run =
      read_column<std::int64_t>(file, "failures/run", H5T_NATIVE_INT64, n, path, "failure");
  const auto message = read_string_column(file, "failures/message", n, path, "failure");
  const auto by_run = [](const RunRecord& r, std::int64_t k) { return r.run < k; };
  for (std::size_t i = 0; i < n; ++i) {
    const auto it = std::lower_bound(runs.begin(), runs.end(), run[i], by_run);
    if (it == runs.end() || it->run != run[i])
      throw InputError(path, "/failures/run", "the index of a run in the file",
                       std::to_string(run[i]) + " (failure " + std::to_string(i) + ")");
    it->message = message[i];
  }
}

/// Rows of `n_rows` × `n_cols` values (row-major) as nested vectors.
std::vector<std::vector<double>> unflatten(const std::vector<double>& v, std::size_t n_rows,
                                           std::size_t n_cols) {
  std::vector<std::vector<double>> out(n_rows);
  for (std::size_t i = 0; i < n_rows; ++i)
    out[i].assign(v.begin() + static_cast<std::ptrdiff_t>(i * n_cols),
                  v.begin() + static_cast<std::ptrdiff_t>((i + 1) * n_cols));
  return out;
}

/// The /design group: keys from `parameter`, points from `value`, the sampler matrix from
/// `unit` (if present). A file without /design gives an empty table.
DesignTable read_design(hid_t file, const std::string& path) {
  DesignTable d;
  const htri_t exists = H5Lexists(file, "design", H5P_DEFAULT);
  check(exists, path, "look up group 'design'");
  if (exists == 0) return d;
  {
    Hid g = make(H5Gopen2(file, "design", H5P_DEFAULT), path, "open group 'design'");
    d.type = read_attr_string(g.get(), "type", path);
  }
  const hsize_t n_points = dimension_length(file, "design/point", path);
  const hsize_t k = dimension_length(file, "design/parameter", path);
  d.keys = read_string_column(file, "design/parameter", k, path, "parameter");
  const std::string shape =
      "on (point, parameter) of " + std::to_string(n_points) + " × " + std::to_string(k);
  d.points = unflatten(read_array(file, "design/value", {n_points, k}, shape, path), n_points, k);
  const htri_t has_unit = H5Lexists(file, "design/unit", H5P_DEFAULT);
  check(has_unit, path, "look up dataset 'design/unit'");
  if (has_unit > 0)
    d.unit = unflatten(read_array(file, "design/unit", {n_points, k}, shape, path), n_points, k);
  return d;
}

/// The /sensitivity group: labels from the `output` and `parameter` scales, one entry per arm
/// of `arm`, the arrays of the group's method. A file without /sensitivity gives an empty table.
SensitivityTable read_sensitivity(hid_t file, const std::string& path) {
  SensitivityTable t;
  const htri_t exists = H5Lexists(file, "sensitivity", H5P_DEFAULT);
  check(exists, path, "look up group 'sensitivity'");
  if (exists == 0) return t;
  {
    Hid g = make(H5Gopen2(file, "sensitivity", H5P_DEFAULT), path, "open group 'sensitivity'");
    t.method = read_attr_string(g.get(), "method", path);
  }
  if (t.method != "sobol" && t.method != "morris")
    throw InputError(path, "/sensitivity/@method", "\"sobol\" or \"morris\"",
                     "\"" + t.method + "\"");
  const hsize_t n_arms = dimension_length(file, "sensitivity/arm", path);
  const hsize_t n_out = dimension_length(file, "sensitivity/output", path);
  const hsize_t n_par = dimension_length(file, "sensitivity/parameter", path);
  t.outputs = read_string_column(file, "sensitivity/output", n_out, path, "output");
  t.parameters = read_string_column(file, "sensitivity/parameter", n_par, path, "parameter");
  const std::string shape3 = "on (arm, output, parameter) of " + std::to_string(n_arms) + " × " +
                             std::to_string(n_out) + " × " + std::to_string(n_par);
  const auto read3 = [&](const SensitivityArray& a) {
    const auto v = read_array(file, std::string("sensitivity/") + a.name, {n_arms, n_out, n_par},
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
  if (t.method == "sobol")
    for (const auto& a : kSobolArrays) read3(a);
  else
    for (const auto& a : kMorrisArrays) read3(a);
  t.noise_share = unflatten(
      read_array(file, "sensitivity/noise_share", {n_arms, n_out},
                 "on (arm, output) of " + std::to_string(n_arms) + " × " + std::to_string(n_out),
                 path),
      n_arms, n_out);
  return t;
}

/// Names of the root group's links, in creation order when it is tracked, else by name.
std::vector<std::string> root_link_names(hid_t file, const std::string& path) {
  H5G_info_t info;
  check(H5Gget_info(file, &info), path, "list the root group");
  std::vector<std::string> names;
  for (const H5_index_t index : {H5_INDEX_CRT_ORDER, H5_INDEX_NAME}) {
    names.clear();
    bool ok = true;
    for (hsize_t i = 0; i < info.nlinks && ok; ++i) {
      const ssize_t len =
          H5Lget_name_by_idx(file, ".", index, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
      if (len < 0) {
        ok = false;
        break;
      }
      std::string name(static_cast<std::size_t>(len) + 1, '\0');
      if (H5Lget_name_by_idx(file, ".", index, H5_ITER_INC, i, name.data(), name.size(),
                             H5P_DEFAULT) < 0) {
        ok = false;
        break;
      }
      name.resize(static_cast<std::size_t>(len));
      names.push_back(std::move(name));
    }
    if (ok) return names;
    H5Eclear2(H5E_DEFAULT);  // creation order not tracked: fall back to name order
  }
  hdf5_fail(path, "list the root group");
}

}  // namespace

ResultsFile read_results(const std::string& path, bool with_series) {
  const std::string expected = "an orgsim results file";
  require_regular_file(path, "orgsim results file");  // not a directory, FIFO or device

  QuietHdf5 quiet;
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    throw InputError(path, "", expected, "a file that is not HDF5");
  }
  Hid file = make(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path, "open the file");
  const hid_t f = file.get();

  const std::string schema = read_attr_string(f, "schema", path);
  if (schema != kSchema)
    throw InputError(path, "", expected,
                     schema.empty() ? "an HDF5 file without a schema attribute"
                                    : "an HDF5 file with schema \"" + schema + "\"");
  const std::string version = read_attr_string(f, "schema_version", path);
  if (version.substr(0, version.find('.')) != "1")
    throw InputError(path, "/@schema_version", "schema version 1.x (this build of orgsim)",
                     "\"" + version + "\"", "read it with a matching orgsim version");

  ResultsFile out;
  FileHeader& h = out.header;
  h.kind = read_attr_string(f, "kind", path, "run");
  h.design = read_attr_string(f, "design", path, "none");
  h.master_seed = read_attr_number<std::uint64_t>(f, "master_seed", H5T_NATIVE_UINT64, 0, path);
  h.n_runs_planned = read_attr_number<std::int64_t>(f, "n_runs_planned", H5T_NATIVE_INT64, 0, path);
  h.command_line = read_attr_string(f, "command_line", path);
  h.study_id = read_attr_string(f, "study_id", path);
  h.orgsim_version = read_attr_string(f, "orgsim_version", path);

  // Dimensions.
  hsize_t n_steps = 0, n_runs = 0;
  for (auto [ds_name, n] : {std::pair<const char*, hsize_t*>{"step", &n_steps}, {"run", &n_runs}}) {
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
    const htri_t exists = H5Lexists(f, "arm", H5P_DEFAULT);
    check(exists, path, "look up dataset 'arm'");
    if (exists == 0) throw InputError(path, "/arm", "a 1-D dataset on run", "no such dataset");
    Hid arm = make(H5Dopen2(f, "arm", H5P_DEFAULT), path, "open dataset 'arm'");
    h.arm_names = split_meanings(read_attr_string(arm.get(), "flag_meanings", path));
  }

  // Varied parameters: the 1-D float64 datasets on run whose name is a dotted path.
  for (const auto& link : root_link_names(f, path)) {
    if (link.find('.') == std::string::npos) continue;
    Hid obj = make(H5Oopen(f, link.c_str(), H5P_DEFAULT), path, "open '" + link + "'");
    if (H5Iget_type(obj.get()) != H5I_DATASET) continue;
    Hid space = make(H5Dget_space(obj.get()), path, "read dataset '" + link + "'");
    Hid type = make(H5Dget_type(obj.get()), path, "read dataset '" + link + "'");
    if (H5Sget_simple_extent_ndims(space.get()) != 1 || H5Tget_class(type.get()) != H5T_FLOAT ||
        H5Tget_size(type.get()) != 8)
      continue;
    VariedParam v;
    v.key = link;
    v.units = read_attr_string(obj.get(), "units", path);
    v.long_name = read_attr_string(obj.get(), "long_name", path);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    v.min = read_attr_number<double>(obj.get(), "min", H5T_NATIVE_DOUBLE, nan, path);
    v.max = read_attr_number<double>(obj.get(), "max", H5T_NATIVE_DOUBLE, nan, path);
    h.varied.push_back(std::move(v));
  }

  // Provenance.
  {
    const htri_t exists = H5Lexists(f, "provenance", H5P_DEFAULT);
    check(exists, path, "look up group 'provenance'");
    if (exists > 0) {
      Hid g = make(H5Gopen2(f, "provenance", H5P_DEFAULT), path, "open group 'provenance'");
      h.scenario_json = read_string_dataset(g.get(), "scenario_json", path);
      h.resolved_params_json = read_string_dataset(g.get(), "resolved_params_json", path);
      h.parameter_table_json = read_string_dataset(g.get(), "parameter_table_json", path);
      h.sweep_json = read_string_dataset(g.get(), "sweep_json", path);
    }
  }

  // Runs.
  const auto run_idx = read_column<std::int64_t>(f, "run", H5T_NATIVE_INT64, n_runs, path);
  const auto arm = read_column<std::int32_t>(f, "arm", H5T_NATIVE_INT32, n_runs, path);
  const auto rep = read_column<std::int32_t>(f, "replicate", H5T_NATIVE_INT32, n_runs, path);
  const auto point = read_column<std::int32_t>(f, "point", H5T_NATIVE_INT32, n_runs, path);
  const auto seed = read_column<std::uint64_t>(f, "seed", H5T_NATIVE_UINT64, n_runs, path);
  const auto status = read_column<std::int8_t>(f, "status", H5T_NATIVE_INT8, n_runs, path);
  const auto wall = read_column<float>(f, "wall_seconds", H5T_NATIVE_FLOAT, n_runs, path);

  // Run indices once each and not negative, arm codes within the file's arms.
  std::set<std::int64_t> seen_runs;
  for (std::size_t r = 0; r < n_runs; ++r) {
    if (run_idx[r] < 0 || !seen_runs.insert(run_idx[r]).second)
      throw InputError(path, "/run[" + std::to_string(r) + "]",
                       "a run index >= 0 given once", run_idx[r] < 0
                           ? std::to_string(run_idx[r])
                           : "run " + std::to_string(run_idx[r]) + " again");
    if (arm[r] < 0 || static_cast<std::size_t>(arm[r]) >= h.arm_names.size())
      throw InputError(path, "/arm[" + std::to_string(r) + "]",
                       "an arm code in [0, " + std::to_string(h.arm_names.size()) +
                           ") (the arms of /arm@flag_meanings)",
                       std::to_string(arm[r]));
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
    const auto v = read_column<double>(f, h.varied[p].key, H5T_NATIVE_DOUBLE, n_runs, path);
    for (std::size_t r = 0; r < n_runs; ++r) out.runs[r].params[p] = v[r];
  }
  for (std::size_t o = 0; o < per_run_outputs().size(); ++o) {
    const auto v = read_column<double>(f, per_run_outputs()[o].name, H5T_NATIVE_DOUBLE, n_runs,
                                       path);
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
    check(H5Dread(ds.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, block.data()), path,
          "read dataset '" + ds_name + "'");
    for (std::size_t r = 0; r < n_runs; ++r)
      std::copy_n(block.begin() + static_cast<std::ptrdiff_t>(r * n_steps), n_steps,
                  out.runs[r].per_step.begin() + static_cast<std::ptrdiff_t>(o * n_steps));
  }
  read_wins(f, out.runs, path);
  read_failures(f, out.runs, path);
  out.durability = read_durability(f, path);
  out.design = read_design(f, path);
  out.sensitivity = read_sensitivity(f, path);
  return out;
}

}  // namespace orgsim
