#pragma once
// HDF5 C-API helpers for the results files: an RAII handle (Hid), a guard that keeps HDF5 from
// printing its error stack (QuietHdf5), calls that turn a failed HDF5 call into an Hdf5Error naming
// the file and the operation, attributes, and whole-dataset reads and writes. Only sim/io's
// results-file code includes this header; the engine library never sees HDF5.
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "io/layout.hpp"
#include "io/records.hpp"

namespace orgsim::h5 {

/// While a results file from elsewhere is read: if the HDF5 library dies of a signal on it
/// (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT: HDF5 1.10 does not survive every corrupt file,
/// docs/FUZZING.md), the process prints "orgsim: failed: results file 'PATH': ..." and exits 1
/// instead of ending on the signal. Per thread and nestable; outside a guard a signal keeps its
/// default action. Compiled out under AddressSanitizer, whose reports the fuzzers need.
class CrashGuard {
 public:
  explicit CrashGuard(const std::string& path);
  ~CrashGuard();
  CrashGuard(const CrashGuard&) = delete;
  CrashGuard& operator=(const CrashGuard&) = delete;

 private:
  std::string message_;
  const std::string* previous_ = nullptr;
};

/// A time limit on one read of a results file from elsewhere. Some damaged files send HDF5 1.10
/// into a loop inside a read of a variable-length string (docs/FUZZING.md: more than 100 s in its
/// global heap); strings in an orgsim file are names and provenance, read in milliseconds. If the
/// guarded read has not finished after the limit, the process prints "orgsim: failed: results
/// file 'PATH': reading OPERATION took more than N s: the file is damaged ..." and exits 1. The
/// limit is 30 s, or ORGSIM_READ_TIMEOUT seconds when set (the tests use 2). A single watchdog
/// thread, started on first use, checks every guard; guards nest and may be on any thread.
/// Compiled out under AddressSanitizer, like CrashGuard (the fuzzers report hangs themselves).
class ReadDeadline {
 public:
  ReadDeadline(const std::string& path, const std::string& operation);
  ~ReadDeadline();
  ReadDeadline(const ReadDeadline&) = delete;
  ReadDeadline& operator=(const ReadDeadline&) = delete;

 private:
  std::uint64_t id_ = 0;
};

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

/// A failed HDF5 call on a results file: a RunError (exit 1, as for a write that fails), whose
/// parts let a reader call the file itself invalid instead (read_results: a truncated or corrupt
/// file is the user's input, exit 2), unless a system call failed underneath.
class Hdf5Error : public RunError {
 public:
  Hdf5Error(const std::string& file, std::string operation, std::string detail,
            bool system_failure);
  const std::string& operation() const noexcept { return operation_; }
  /// HDF5's own words (the API-level and the innermost description); may be empty.
  const std::string& detail() const noexcept { return detail_; }
  /// A system call failed underneath (HDF5 reported an errno): the disk, the network file system
  /// or the permissions, not what the file holds.
  bool system_failure() const noexcept { return system_failure_; }

 private:
  std::string operation_, detail_;
  bool system_failure_ = false;
};

/// The API-level and the innermost description on HDF5's error stack, then clears it.
/// `system_failure` (if given) is set when an entry of the stack is a failed system call.
std::string hdf5_error_detail(bool* system_failure = nullptr);
/// Throws Hdf5Error "results file '<file>': cannot <operation> (HDF5: <detail>)".
[[noreturn]] void hdf5_fail(const std::string& file, const std::string& operation);
/// `id`, or hdf5_fail() if it is negative.
hid_t check_id(hid_t id, const std::string& file, const std::string& operation);
/// hdf5_fail() if `status` is negative.
void check(herr_t status, const std::string& file, const std::string& operation);
/// Closes an identifier of any kind (file, group, dataset, space, type, attribute, property list).
herr_t close_any(hid_t id);

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

/// Calls HDF5 and wraps the returned identifier, failing with an Hdf5Error that names `operation`.
Hid make(hid_t id, const std::string& file, const std::string& operation);

/// A dataset transfer property list with small conversion buffers (64 KiB), for every H5Dwrite
/// and H5Dread: HDF5's default allocates and zeroes two 1 MiB buffers for each call that converts
/// (strings, doubles to floats), which cost more than the data for the many small datasets of a
/// results file (under `perf`, about a tenth of creating and finishing a small sweep's file).
/// Created once per process (on first use) and left to HDF5's own cleanup at exit.
hid_t transfer_list();

// ---- Attributes ----

/// A variable-length UTF-8 string type.
Hid utf8_string_type(const std::string& file);
/// "attribute '<attr>' of '<object path>'", for messages.
std::string describe(hid_t obj, const char* attr);
/// Writes an attribute, creating it or overwriting an existing one of the same name.
void write_attr(hid_t obj, const char* name, hid_t file_type, hid_t mem_type, hid_t space,
                const void* value, const std::string& file);
/// A scalar variable-length UTF-8 string attribute.
void attr_string(hid_t obj, const char* name, const std::string& value, const std::string& file);
/// An event table's or /durability's column (or index scale) described by its ColumnDef:
/// long_name, description, and units and unit_words where it has some.
void attr_column(hid_t ds, const layout::ColumnDef& column, const std::string& file);
/// A varied parameter's column (root or /design): long_name (the key where it has none),
/// description and units where they are not empty.
void describe_varied(hid_t ds, const VariedParam& v, const std::string& file);
/// Reads a string attribute (variable- or fixed-length); `fallback` if it does not exist.
std::string read_attr_string(hid_t obj, const char* name, const std::string& file,
                             const std::string& fallback = {});

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

/// "major.minor.release" of the HDF5 library in use.
std::string hdf5_library_version();

// ---- Groups and whole datasets ----

/// A group of `file` that tracks link creation order (readers list its variables as written).
Hid create_ordered_group(hid_t file, const char* group_name, const std::string& f);
/// A small fixed-size dataset `group_name/ds_name`, contiguous, written at once (nothing is
/// written when a dimension is 0), with `scales[d]` attached to dimension d (none where it is
/// < 0, e.g. for the scale itself). `fill`: the HDF5 fill value and the CF _FillValue attribute
/// (float64 datasets only), or none.
Hid write_fixed_dataset(hid_t group, const std::string& group_name, const std::string& ds_name,
                        hid_t file_type, hid_t mem_type, const std::vector<hsize_t>& dims,
                        const void* data, const std::vector<hid_t>& scales, const char* long_name,
                        const char* units, const double* fill, const std::string& f);
/// A 1-D dimension scale of variable-length UTF-8 strings (labels of a string dimension).
Hid write_string_scale(hid_t group, const std::string& group_name, const char* ds_name,
                       const std::vector<std::string>& values, const char* long_name,
                       const std::string& f);
/// A 1-D int64 dimension scale 0 … n-1.
Hid write_index_scale(hid_t group, const std::string& group_name, const char* ds_name, hsize_t n,
                      const char* long_name, const std::string& f);

/// Reads a whole 1-D dataset of `n` elements (on dimension `dim`), converted to T. `ds_name` is
/// relative to `file` and may name a dataset in a group ("win_events/run").
template <class T>
std::vector<T> read_column(hid_t file, const std::string& ds_name, hid_t mem_type, hsize_t n,
                           const std::string& path, const std::string& dim) {
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

/// Length of the 1-D dataset `ds_name` (a dimension scale).
hsize_t dimension_length(hid_t file, const std::string& ds_name, const std::string& path);
/// Reads a whole 1-D string dataset of `n` elements (variable- or fixed-length).
std::vector<std::string> read_string_column(hid_t file, const std::string& ds_name, hsize_t n,
                                            const std::string& path, const std::string& dim);
/// Reads a whole float64 dataset of shape `dims` (row-major); `what` describes the shape.
std::vector<double> read_array(hid_t file, const std::string& ds_name,
                               const std::vector<hsize_t>& dims, const std::string& what,
                               const std::string& path);
/// Splits a CF flag_meanings attribute into its space-separated names.
std::vector<std::string> split_meanings(const std::string& meanings);

}  // namespace orgsim::h5
