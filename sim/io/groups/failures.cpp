// /failures: one row per failed run (status 2) with its error message, on its own unlimited
// `failure` dimension: created empty with the file, appended batch by batch, read back into
// RunRecord::message.
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

namespace fl = layout::failures;

// Failed runs should be rare; 1024 rows per chunk.
constexpr hsize_t kFailureChunk = 1024;

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
  failures_group = create_ordered_group(file.get(), layout::kFailures, f);
  attr_string(failures_group.get(), layout::attr::kLongName,
              "every failed run (status 2): one row per failed run, in run order, with the error "
              "message",
              f);

  failure = create_table_dataset(failures_group.get(), layout::kFailures, fl::kFailure, H5T_STD_I64LE,
                                 H5I_INVALID_HID, kFailureChunk);
  check(H5DSset_scale(failure.get(), fl::kFailure), f,
        "make '" + layout::in(layout::kFailures, fl::kFailure) + "' a dimension scale");
  attr_column(failure.get(), fl::kIndex, f);

  Hid string_type = utf8_string_type(f);
  const std::array<hid_t, fl::kColumnCount> types = {
      H5T_STD_I64LE, H5T_STD_I32LE, H5T_STD_I8LE, H5T_STD_I32LE, H5T_STD_U64LE, string_type.get()};
  for (std::size_t c = 0; c < fl::kColumnCount; ++c) {
    Hid ds = create_table_dataset(failures_group.get(), layout::kFailures, fl::kColumns[c].name,
                                  types[c], failure.get(), kFailureChunk);
    attr_column(ds.get(), fl::kColumns[c], f);
    failure_columns.push_back(std::move(ds));
  }
  set_arm_flags(failure_columns[fl::kArm].get());
  // The run-level columns become xarray coordinates of the message (as in /win_events).
  std::string coordinates;
  for (std::size_t c : {fl::kRun, fl::kPoint, fl::kArm, fl::kReplicate, fl::kSeed})
    coordinates += (coordinates.empty() ? "" : " ") + std::string(fl::kColumns[c].name);
  attr_string(failure_columns[fl::kMessage].get(), layout::attr::kCoordinates, coordinates, f);
}


void ResultsWriter::Impl::append_failures(const RunList& runs) {
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
    write_rows_at(ds, layout::in(layout::kFailures, ds_name), mem_type, at, 0, n, buf);
  };
  write(failure.get(), fl::kFailure, H5T_NATIVE_INT64, index.data());
  const auto col = [&](fl::Column c) { return failure_columns[c].get(); };
  const auto nm = [](fl::Column c) { return std::string(fl::kColumns[c].name); };
  write(col(fl::kRun), nm(fl::kRun), H5T_NATIVE_INT64, run_of.data());
  write(col(fl::kPoint), nm(fl::kPoint), H5T_NATIVE_INT32, point_of.data());
  write(col(fl::kArm), nm(fl::kArm), H5T_NATIVE_INT8, arm_of.data());
  write(col(fl::kReplicate), nm(fl::kReplicate), H5T_NATIVE_INT32, rep_of.data());
  write(col(fl::kSeed), nm(fl::kSeed), H5T_NATIVE_UINT64, seed_of.data());
  Hid string_type = utf8_string_type(name());
  write(col(fl::kMessage), nm(fl::kMessage), string_type.get(), message_ptr.data());
  n_failures_written += static_cast<std::int64_t>(n);
}

namespace results_detail {

/// The /failures table: each row's message goes to its run. A file without /failures (written
/// before the table existed) has no messages. A row whose run is not in the file is an error.
void read_failures(hid_t file, std::vector<RunRecord>& runs, const std::string& path) {
  const htri_t exists = H5Lexists(file, layout::kFailures, H5P_DEFAULT);
  check(exists, path, std::string("look up group '") + layout::kFailures + "'");
  if (exists == 0) return;
  const auto column = [](fl::Column c) {
    return layout::in(layout::kFailures, fl::kColumns[c].name);
  };
  const hsize_t n = dimension_length(file, layout::in(layout::kFailures, fl::kFailure), path);
  const auto run = read_column<std::int64_t>(file, column(fl::kRun), H5T_NATIVE_INT64, n, path,
                                             fl::kFailure);
  const auto message = read_string_column(file, column(fl::kMessage), n, path, fl::kFailure);
  for (std::size_t i = 0; i < n; ++i)
    run_of_row(runs, run[i], path, column(fl::kRun), "failure", i).message = message[i];
}

}  // namespace results_detail

}  // namespace orgsim
