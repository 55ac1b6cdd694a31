// HDF5 helpers for the results files (sim/io/hdf5.hpp): error reporting, attributes, whole
// datasets. Nothing here knows the results layout (io/layout.hpp names it).
#include "io/hdf5.hpp"

#include <hdf5_hl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "core/errors.hpp"
#include "io/layout.hpp"

namespace orgsim::h5 {

// No crash guard where a crash must reach the tool that reports it: under AddressSanitizer, and
// in the fuzz builds (fuzz/CMakeLists.txt defines the libFuzzer convention's macro), where an
// exit(1) in place of the signal would be an unexplained job failure instead of a finding.
#if defined(__SANITIZE_ADDRESS__) || defined(FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION)
#define ORGSIM_NO_CRASH_GUARD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ORGSIM_NO_CRASH_GUARD 1
#endif
#endif

namespace {
/// The message of the innermost CrashGuard of this thread (nullptr: none).
thread_local const std::string* t_crash_message = nullptr;

extern "C" void on_crash_signal(int sig) {
  const std::string* m = t_crash_message;
  if (m != nullptr) {
    // Only async-signal-safe calls: write(2) and _exit(2).
    const char* p = m->data();
    std::size_t left = m->size();
    while (left > 0) {
      const ssize_t n = ::write(STDERR_FILENO, p, left);
      if (n <= 0) break;
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    ::_exit(1);
  }
  ::signal(sig, SIG_DFL);  // not ours: the default action, as if no handler were installed
  ::raise(sig);
}

void install_crash_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_handler = on_crash_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_ONSTACK | SA_NODEFER;
    for (const int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) ::sigaction(sig, &sa, nullptr);
  });
  // A stack of its own for the handler (a crash may be a stack overflow), once per thread.
  thread_local std::unique_ptr<char[]> alt;
  if (!alt) {
    const std::size_t size = 64 * 1024;
    alt.reset(new char[size]);
    stack_t st{};
    st.ss_sp = alt.get();
    st.ss_size = size;
    ::sigaltstack(&st, nullptr);
  }
}
}  // namespace

CrashGuard::CrashGuard(const std::string& path)
    : message_("orgsim: failed: results file '" + path +
               "': the HDF5 library crashed reading it: the file is damaged (HDF5 does not "
               "survive every corrupt file; write it again or restore a copy)\n"),
      previous_(t_crash_message) {
#ifndef ORGSIM_NO_CRASH_GUARD
  install_crash_handlers();
  t_crash_message = &message_;
#endif
}

CrashGuard::~CrashGuard() {
#ifndef ORGSIM_NO_CRASH_GUARD
  t_crash_message = previous_;
#endif
}


namespace {

/// The guarded reads in flight: id -> (deadline, message). One watchdog thread, detached, wakes
/// at the nearest deadline (or when a guard comes or goes) and ends the process if one passed.
struct Watchdog {
  using Clock = std::chrono::steady_clock;
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::uint64_t, std::pair<Clock::time_point, std::string>> reads;
  std::uint64_t next = 1;
  bool started = false;

  void watch() {
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      if (reads.empty()) {
        cv.wait(lock);
        continue;
      }
      auto soonest = reads.begin();
      for (auto it = reads.begin(); it != reads.end(); ++it)
        if (it->second.first < soonest->second.first) soonest = it;
      if (Clock::now() >= soonest->second.first) {
        const std::string& m = soonest->second.second;
        (void)!::write(STDERR_FILENO, m.data(), m.size());
        ::_exit(1);  // the reading thread is stuck inside HDF5: nothing can be unwound
      }
      cv.wait_until(lock, soonest->second.first);
    }
  }
};

Watchdog& watchdog() {
  static Watchdog* w = new Watchdog;  // never destroyed: the thread may outlive main's statics
  return *w;
}

double read_timeout_seconds() {
  static const double limit = [] {
    const char* v = std::getenv("ORGSIM_READ_TIMEOUT");
    if (v == nullptr || *v == '\0') return 30.0;
    char* end = nullptr;
    const double x = std::strtod(v, &end);
    return end != v && *end == '\0' && x > 0 && x < 1e6 ? x : 30.0;
  }();
  return limit;
}

}  // namespace

ReadDeadline::ReadDeadline(const std::string& path, const std::string& operation) {
#ifndef ORGSIM_NO_CRASH_GUARD
  Watchdog& w = watchdog();
  const double limit = read_timeout_seconds();
  std::string message = "orgsim: failed: results file '" + path + "': reading " + operation +
                        " took more than " + std::to_string(static_cast<long long>(limit)) +
                        " s: the file is damaged (HDF5 loops on some corrupt files; write it "
                        "again or restore a copy)\n";
  std::lock_guard<std::mutex> lock(w.mu);
  if (!w.started) {
    std::thread([&w] { w.watch(); }).detach();
    w.started = true;
  }
  id_ = w.next++;
  const auto deadline = Watchdog::Clock::now() +
                        std::chrono::duration_cast<Watchdog::Clock::duration>(
                            std::chrono::duration<double>(limit));
  w.reads.emplace(id_, std::make_pair(deadline, std::move(message)));
  w.cv.notify_one();
#else
  (void)path;
  (void)operation;
#endif
}

ReadDeadline::~ReadDeadline() {
#ifndef ORGSIM_NO_CRASH_GUARD
  Watchdog& w = watchdog();
  std::lock_guard<std::mutex> lock(w.mu);
  w.reads.erase(id_);
#endif
}

namespace {
// HDF5 registers an exit handler that closes every identifier still open. After a close that
// failed (a full disk: the flush inside H5Fclose fails), the file's id stays half-destroyed and
// that handler crashes (exit 139 after our message). Our handles are RAII and are closed before
// main() returns, so the handler has nothing to do: it is turned off before HDF5 initialises.
[[maybe_unused]] const bool kNoExitHandler = H5dont_atexit() >= 0;
}  // namespace

/// The API-level and the innermost description on HDF5's error stack, then clears it.
std::string hdf5_error_detail(bool* system_failure) {
  struct Walk {
    std::string innermost, outermost;
    bool system = false;
  } walk;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned n, const H5E_error2_t* err, void* client) -> herr_t {
        auto* w = static_cast<Walk*>(client);
        const std::string desc = err->desc ? err->desc : "";
        if (n == 0) w->innermost = desc;
        w->outermost = desc;
        // HDF5 reports a failed system call (read, seek, open) as a low-level I/O error whose
        // description carries the errno (HSYS_GOTO_ERROR); a corrupt or truncated file never.
        if (err->maj_num == H5E_IO && desc.find("errno = ") != std::string::npos) w->system = true;
        return 0;
      },
      &walk);
  H5Eclear2(H5E_DEFAULT);
  if (system_failure) *system_failure = walk.system;
  if (walk.outermost.empty() || walk.outermost == walk.innermost) return walk.innermost;
  if (walk.innermost.empty()) return walk.outermost;
  return walk.outermost + ": " + walk.innermost;
}

Hdf5Error::Hdf5Error(const std::string& file, std::string operation, std::string detail,
                     bool system_failure)
    : RunError("results file '" + file + "': cannot " + operation +
               (detail.empty() ? std::string() : " (HDF5: " + detail + ")")),
      operation_(std::move(operation)),
      detail_(std::move(detail)),
      system_failure_(system_failure) {}

[[noreturn]] void hdf5_fail(const std::string& file, const std::string& operation) {
  bool system = false;
  std::string detail = hdf5_error_detail(&system);
  throw Hdf5Error(file, operation, std::move(detail), system);
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

/// Calls HDF5 and wraps the returned identifier, failing with an Hdf5Error that names `what`.
Hid make(hid_t id, const std::string& file, const std::string& operation) {
  return Hid(check_id(id, file, operation));
}
// ---- Attributes ----------------------------------------------------------------------------

hid_t transfer_list() {
  static const hid_t dxpl = [] {
    const hid_t id = H5Pcreate(H5P_DATASET_XFER);
    if (id >= 0 && H5Pset_buffer(id, 64 * 1024, nullptr, nullptr) < 0) {
      H5Pclose(id);
      return static_cast<hid_t>(H5P_DEFAULT);
    }
    return id >= 0 ? id : static_cast<hid_t>(H5P_DEFAULT);
  }();
  return dxpl;
}

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

void attr_column(hid_t ds, const layout::ColumnDef& column, const std::string& file) {
  attr_string(ds, layout::attr::kLongName, column.long_name, file);
  attr_string(ds, layout::attr::kDescription, column.description, file);
  if (column.units) attr_string(ds, layout::attr::kUnits, column.units, file);
  if (column.unit_words) attr_string(ds, layout::attr::kUnitWords, column.unit_words, file);
}

void describe_varied(hid_t ds, const VariedParam& v, const std::string& file) {
  attr_string(ds, layout::attr::kLongName, v.long_name.empty() ? v.key : v.long_name, file);
  if (!v.description.empty()) attr_string(ds, layout::attr::kDescription, v.description, file);
  if (!v.units.empty()) attr_string(ds, layout::attr::kUnits, v.units, file);
}

/// Reads a string attribute (variable- or fixed-length); `fallback` if it does not exist.
std::string read_attr_string(hid_t obj, const char* name, const std::string& file,
                             const std::string& fallback) {
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
    const ReadDeadline limit(file, describe(obj, name));
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

std::string hdf5_library_version() {
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

// ---- Whole datasets ----------------------------------------------------------------------------

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
    check(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, transfer_list(), data), f,
          "write dataset '" + full + "'");
  for (std::size_t d = 0; d < scales.size(); ++d)
    if (scales[d] >= 0)
      check(H5DSattach_scale(ds.get(), scales[d], static_cast<unsigned>(d)), f,
            "attach a dimension scale to " + full);
  attr_string(ds.get(), layout::attr::kLongName, long_name, f);
  if (units) attr_string(ds.get(), layout::attr::kUnits, units, f);
  if (fill) attr_scalar(ds.get(), layout::attr::kFillValue, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, *fill, f);
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
        H5Dread(ds.get(), mtype.get(), H5S_ALL, H5S_ALL, transfer_list(), ptr.data());
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
  check(H5Dread(ds.get(), mtype.get(), H5S_ALL, H5S_ALL, transfer_list(), buf.data()), path, op);
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
    check(H5Dread(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, transfer_list(), values.data()),
          path, op);
  return values;
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

}  // namespace orgsim::h5
