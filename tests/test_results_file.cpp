// Results files (sim/io/results_file.*): what is written is what is read back, batches do not
// change the contents, the write-then-rename scheme never leaves a file under the final name
// before finish(), and bad use fails loudly. The layout itself (xarray/h5py view) is checked by
// tests/python/test_results_layout.py on the sample file written by the last test here.
#include <hdf5.h>
#include <hdf5_hl.h>
#include <libdeflate.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/rng.hpp"
#include "h5poke.hpp"
#include "io/layout.hpp"
#include "io/outputs.hpp"
#include "io/results_file.hpp"
#include "io/step_chunks.hpp"

namespace fs = std::filesystem;
using namespace orgsim;

namespace {

fs::path tmp_dir() {
  const fs::path dir = fs::path(ORGSIM_TEST_TMP) / "results_file";
  fs::create_directories(dir);
  return dir;
}

/// A fresh path in the test directory (any leftovers from an earlier run removed).
std::string fresh_path(const std::string& name) {
  const fs::path p = tmp_dir() / name;
  fs::remove(p);
  fs::remove(p.string() + ".partial");
  return p.string();
}

const float kNaN = std::numeric_limits<float>::quiet_NaN();

FileHeader make_header(std::int32_t n_steps, std::int64_t n_runs) {
  FileHeader h;
  h.kind = "sweep";
  h.design = "grid";
  h.master_seed = 0xfedcba9876543210ULL;  // above 2^63: checks the unsigned round trip
  h.n_runs_planned = n_runs;
  h.n_steps = n_steps;
  h.arm_names = {"relationship_first", "big_messaging"};
  h.varied = {{"environment.turnover", "week-1", 0.0, 0.05, "Environment turnover",
               "share of staff replaced per week", ""},
              {"campaign.hours_per_organizer", "h", 1.0, 20.0, "Campaign hours per organizer",
               "organizing hours per week", ""}};
  h.scenario_json = R"({"name": "round trip", "note": "Grüße — UTF-8 survives"})";
  h.resolved_params_json = R"({"environment": {"turnover": 0.01}})";
  h.parameter_table_json = R"([{"name": "environment.turnover", "default": 0.01}])";
  h.sweep_json = R"({"grid": {"environment.turnover": [0.0, 0.05]}})";
  h.command_line = "orgsim sweep sweep.json -o study.h5";
  h.study_id = "123e4567-e89b-42d3-a456-426614174000";
  return h;
}

/// A run with distinct, reproducible values; late steps of some series are NaN.
RunRecord make_run(std::int64_t index, const FileHeader& h) {
  RunRecord r;
  r.run = index;
  r.arm = static_cast<std::int32_t>(index % 2);
  r.replicate = static_cast<std::int32_t>(index / 2);
  r.point = static_cast<std::int32_t>(index % 3);
  r.seed = replicate_seed(h.master_seed, static_cast<std::uint64_t>(r.replicate));
  r.status = index == 3 ? std::int8_t{2} : std::int8_t{1};
  if (r.status == 2)  // the /failures table; UTF-8 survives
    r.message = "run " + std::to_string(index) + ": invalid state — Größe < 0";
  r.wall_seconds = 0.25f * static_cast<float>(index + 1);
  const auto n_steps = static_cast<std::size_t>(h.n_steps);
  r.per_step.resize(per_step_outputs().size() * n_steps);
  for (std::size_t v = 0; v < per_step_outputs().size(); ++v)
    for (std::size_t t = 0; t < n_steps; ++t)
      r.per_step[v * n_steps + t] =
          (v + t + static_cast<std::size_t>(index)) % 5 == 0
              ? kNaN
              : static_cast<float>(index) + 0.001f * static_cast<float>(v * 100 + t);
  for (std::size_t o = 0; o < per_run_outputs().size(); ++o)
    r.per_run.push_back(o == 0 && index == 3 ? std::nan("") : 10.0 * static_cast<double>(index) +
                                                                  static_cast<double>(o) / 3.0);
  for (std::size_t p = 0; p < h.varied.size(); ++p)
    r.params.push_back(h.varied[p].min + 0.1 * static_cast<double>(index + p));
  // index % 3 wins: the first reversed (half-way to the end of the run; duration 0 when won in
  // the last step), the second still standing (censored).
  for (std::int32_t k = 0; k < index % 3; ++k) {
    WinEvent w;
    w.start_step = static_cast<std::int32_t>((3 * k + index) % h.n_steps);
    w.censored = k == 1;
    w.end_step = w.censored ? -1 : w.start_step + (h.n_steps - 1 - w.start_step) / 2;
    w.strength = 0.1 * static_cast<double>(index + 1) + 0.01 * k;
    r.wins.push_back(w);
  }
  // (index + 1) % 3 actions or elections (the /action_events table); an election won and
  // consolidated in the last one of every third run.
  for (std::int32_t k = 0; k < (index + 1) % 3; ++k) {
    ActionEvent a;
    a.step = static_cast<std::int32_t>((2 * k + index) % (h.n_steps - 1));
    a.kind = static_cast<std::int8_t>(k % 2);
    a.turnout = 0.1 * static_cast<double>(index + 1) + 0.01 * k;
    a.support = 0.5 + 0.01 * static_cast<double>(index);
    a.cohesion = 0.2 + 0.001 * k;
    a.power = 0.3 + 0.002 * static_cast<double>(index);
    a.won = (index + k) % 2 == 0;
    a.notice_weeks = a.kind == 1 ? 3 : 0;
    a.consolidated_step = a.kind == 1 && a.won ? a.step + 1 : -1;
    r.actions.push_back(a);
  }
  return r;
}

std::vector<RunRecord> make_runs(std::int64_t first, std::int64_t n, const FileHeader& h) {
  std::vector<RunRecord> runs;
  for (std::int64_t i = first; i < first + n; ++i) runs.push_back(make_run(i, h));
  return runs;
}

bool same(float a, float b) { return (std::isnan(a) && std::isnan(b)) || a == b; }
bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }
bool same(const WinEvent& a, const WinEvent& b) {
  return a.start_step == b.start_step && a.end_step == b.end_step && a.censored == b.censored &&
         same(a.strength, b.strength);
}
bool same(const ActionEvent& a, const ActionEvent& b) {
  return a.step == b.step && a.kind == b.kind && same(a.turnout, b.turnout) &&
         same(a.support, b.support) && same(a.cohesion, b.cohesion) && same(a.power, b.power) &&
         a.won == b.won && a.notice_weeks == b.notice_weeks &&
         a.consolidated_step == b.consolidated_step;
}

template <class T>
bool same_values(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!same(a[i], b[i])) return false;
  return true;
}

void require_same_run(const RunRecord& a, const RunRecord& b) {
  INFO("run " << a.run);
  CHECK(a.run == b.run);
  CHECK(a.arm == b.arm);
  CHECK(a.replicate == b.replicate);
  CHECK(a.point == b.point);
  CHECK(a.seed == b.seed);
  CHECK(a.status == b.status);
  CHECK(a.wall_seconds == b.wall_seconds);
  CHECK(same_values(a.per_step, b.per_step));
  CHECK(same_values(a.per_run, b.per_run));
  CHECK(same_values(a.params, b.params));
  CHECK(same_values(a.wins, b.wins));
  CHECK(same_values(a.actions, b.actions));
  CHECK(a.message == b.message);
}

void require_same_header(const FileHeader& a, const FileHeader& b) {
  CHECK(a.kind == b.kind);
  CHECK(a.design == b.design);
  CHECK(a.master_seed == b.master_seed);
  CHECK(a.n_runs_planned == b.n_runs_planned);
  CHECK(a.n_steps == b.n_steps);
  CHECK(a.arm_names == b.arm_names);
  REQUIRE(a.varied.size() == b.varied.size());
  for (std::size_t i = 0; i < a.varied.size(); ++i) {
    CHECK(a.varied[i].key == b.varied[i].key);
    CHECK(a.varied[i].units == b.varied[i].units);
    CHECK(a.varied[i].min == b.varied[i].min);
    CHECK(a.varied[i].max == b.varied[i].max);
    CHECK(a.varied[i].long_name == b.varied[i].long_name);
    CHECK(a.varied[i].description == b.varied[i].description);
  }
  CHECK(a.scenario_json == b.scenario_json);
  CHECK(a.resolved_params_json == b.resolved_params_json);
  CHECK(a.parameter_table_json == b.parameter_table_json);
  CHECK(a.sweep_json == b.sweep_json);
  CHECK(a.command_line == b.command_line);
  CHECK(a.study_id == b.study_id);
}

void require_same_runs(const std::vector<RunRecord>& a, const std::vector<RunRecord>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) require_same_run(a[i], b[i]);
}

/// Per-arm Kaplan-Meier over the wins of the done runs (as `orgsim run` computes it).
std::vector<ArmDurability> durability_of(const std::vector<RunRecord>& runs, const FileHeader& h) {
  std::vector<ArmDurability> out;
  for (std::size_t a = 0; a < h.arm_names.size(); ++a) {
    ArmDurability d;
    d.arm = h.arm_names[a];
    std::vector<double> durations;
    std::vector<bool> events;
    for (const auto& r : runs) {
      if (r.arm != static_cast<std::int32_t>(a) || r.status != 1) continue;
      for (const auto& w : r.wins) {
        durations.push_back(w.duration(h.n_steps));
        events.push_back(!w.censored);
        ++d.wins;
        d.reversals += w.censored ? 0 : 1;
      }
    }
    d.curve = kaplan_meier(durations, events);
    out.push_back(std::move(d));
  }
  return out;
}

void require_same_durability(const std::vector<ArmDurability>& a,
                             const std::vector<ArmDurability>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("arm " << i << " (" << a[i].arm << ")");
    CHECK(a[i].arm == b[i].arm);
    CHECK(a[i].wins == b[i].wins);
    CHECK(a[i].reversals == b[i].reversals);
    CHECK(same(a[i].curve.median, b[i].curve.median));
    CHECK(a[i].curve.time == b[i].curve.time);
    CHECK(a[i].curve.survival == b[i].curve.survival);
    CHECK(a[i].curve.lower == b[i].curve.lower);
    CHECK(a[i].curve.upper == b[i].curve.upper);
    CHECK(a[i].curve.at_risk == b[i].curve.at_risk);
    CHECK(a[i].curve.events == b[i].curve.events);
  }
}

}  // namespace

TEST_CASE("results file: what is written is read back unchanged", "[hdf5]") {
  const std::string path = fresh_path("round_trip.h5");
  const FileHeader header = make_header(12, 7);
  const auto runs = make_runs(0, 7, header);
  {
    ResultsWriter w(path, header);
    w.append(runs);
    w.finish();
  }
  const ResultsFile back = read_results(path);
  require_same_header(header, back.header);
  require_same_runs(runs, back.runs);
  // set_durability() was not called: no /durability group, nothing read back.
  CHECK(back.durability.empty());
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(file >= 0);
  CHECK(H5Lexists(file, "durability", H5P_DEFAULT) == 0);
  H5Fclose(file);
}

TEST_CASE("results file: a single run without varied parameters or sweep", "[hdf5]") {
  const std::string path = fresh_path("single_run.h5");
  FileHeader header = make_header(5, 1);
  header.kind = "run";
  header.design = "none";
  header.varied.clear();
  header.sweep_json.clear();
  header.arm_names = {"baseline"};
  auto run = make_run(0, header);
  {
    ResultsWriter w(path, header);
    w.append({run});
    w.finish();
  }
  const ResultsFile back = read_results(path);
  require_same_header(header, back.header);
  require_same_runs({run}, back.runs);
}

TEST_CASE("results file: appending in two batches equals appending in one", "[hdf5]") {
  const FileHeader header = make_header(9, 8);
  const std::string one = fresh_path("one_batch.h5");
  const std::string two = fresh_path("two_batches.h5");
  {
    ResultsWriter w(one, header);
    w.append(make_runs(0, 8, header));
    w.finish();
  }
  {
    ResultsWriter w(two, header);
    w.append(make_runs(0, 3, header));
    w.append({});  // an empty batch is a no-op
    w.append(make_runs(3, 5, header));
    w.finish();
  }
  const ResultsFile a = read_results(one);
  const ResultsFile b = read_results(two);
  require_same_header(a.header, b.header);
  require_same_runs(a.runs, b.runs);
  REQUIRE(b.runs.size() == 8);
}

namespace {

/// A finished file at `path` holding the first `n` runs of a study with this header.
void write_first_runs(const std::string& path, const FileHeader& header, std::int64_t n) {
  ResultsWriter w(path, header);
  w.append(make_runs(0, n, header));
  w.finish();
}

}  // namespace

TEST_CASE("results file: per-step chunks hold about 512 KiB, and a small study gets 8 smaller ones",
          "[hdf5]") {
  // (steps, runs planned) -> rows per chunk of a per-step dataset. 156 steps are 624 B a row:
  // 840 rows make 512 KiB, 105 rows 64 KiB (the smallest chunk unless the study is smaller).
  struct Case {
    std::int32_t steps;
    std::int64_t runs;
    hsize_t rows;
  };
  for (const Case c : {Case{156, 100000, 840}, Case{156, 6720, 840}, Case{156, 6000, 750},
                       Case{156, 800, 105}, Case{156, 50, 50}, Case{520, 20, 20}}) {
    INFO(c.steps << " steps, " << c.runs << " runs planned");
    const std::string path = fresh_path("chunks.h5");
    write_first_runs(path, make_header(c.steps, c.runs), 1);
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(file >= 0);
    const hid_t ds = H5Dopen2(file, "turnout", H5P_DEFAULT);
    const hid_t dcpl = H5Dget_create_plist(ds);
    hsize_t chunk[2] = {0, 0};
    REQUIRE(H5Pget_chunk(dcpl, 2, chunk) == 2);
    CHECK(chunk[0] == c.rows);
    CHECK(chunk[1] == static_cast<hsize_t>(c.steps));
    H5Pclose(dcpl);
    H5Dclose(ds);
    H5Fclose(file);
  }
}

TEST_CASE("results file: batches that end inside a chunk read back unchanged", "[hdf5]") {
  // 800 runs of 156 steps: chunks of 105 runs, written in the sweep's batches of 256, so every
  // batch ends inside a chunk that the next one completes (the writer caches one chunk).
  const FileHeader header = make_header(156, 800);
  const std::string path = fresh_path("chunk_boundaries.h5");
  const auto runs = make_runs(0, 800, header);
  {
    ResultsWriter w(path, header);
    for (std::size_t first = 0; first < runs.size(); first += 256)
      w.append(std::vector<RunRecord>(runs.begin() + static_cast<std::ptrdiff_t>(first),
                                      runs.begin() + static_cast<std::ptrdiff_t>(
                                                         std::min(first + 256, runs.size()))));
    w.finish();
  }
  require_same_runs(runs, read_results(path).runs);
}

namespace {

/// The stored (filtered) bytes of the chunk of a 2-D dataset that starts at run `row`; every
/// filter applied (filter mask 0).
std::vector<unsigned char> stored_chunk(hid_t ds, hsize_t row) {
  const hsize_t offset[2] = {row, 0};
  hsize_t size = 0;
  REQUIRE(H5Dget_chunk_storage_size(ds, offset, &size) >= 0);
  std::vector<unsigned char> bytes(size);
  std::uint32_t mask = 1;
  REQUIRE(H5Dread_chunk(ds, H5P_DEFAULT, offset, &mask, bytes.data()) >= 0);
  CHECK(mask == 0);
  return bytes;
}

/// The bytes of a zlib stream, inflated (`n`: their known size).
std::vector<unsigned char> inflate_all(const std::vector<unsigned char>& z, std::size_t n) {
  std::vector<unsigned char> out(n);
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  REQUIRE(d != nullptr);
  std::size_t got = 0;
  const auto rc = libdeflate_zlib_decompress(d, z.data(), z.size(), out.data(), n, &got);
  libdeflate_free_decompressor(d);
  REQUIRE(rc == LIBDEFLATE_SUCCESS);
  REQUIRE(got == n);
  return out;
}

}  // namespace

TEST_CASE("results file: the writer's own chunk filters are HDF5's shuffle and deflate",
          "[hdf5]") {
  // The per-step series are shuffled and deflated by io/step_chunks, not by HDF5. The same
  // values written through HDF5's own filter pipeline must inflate to the same shuffled bytes,
  // and the file must still declare shuffle + deflate at the layout's level (OUTPUT_LAYOUT 6).
  const std::size_t rows = 7, steps = 13, n = rows * steps;
  std::vector<float> values(n);
  Rng rng(42);
  for (std::size_t i = 0; i < n; ++i)
    values[i] = i % 11 == 0 ? kNaN : static_cast<float>(rng.uniform() * 100.0 - 50.0);
  const std::string path = fresh_path("hdf5_filters.h5");
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(file >= 0);
  const hsize_t dims[2] = {rows, steps};
  const hid_t space = H5Screate_simple(2, dims, nullptr);
  const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  REQUIRE(H5Pset_chunk(dcpl, 2, dims) >= 0);
  REQUIRE(H5Pset_shuffle(dcpl) >= 0);
  REQUIRE(H5Pset_deflate(dcpl, 4) >= 0);
  const hid_t ds = H5Dcreate2(file, "x", H5T_IEEE_F32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  REQUIRE(ds >= 0);
  REQUIRE(H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0);
  REQUIRE(H5Fflush(file, H5F_SCOPE_GLOBAL) >= 0);
  const std::vector<unsigned char> theirs = stored_chunk(ds, 0);
  H5Dclose(ds);
  H5Pclose(dcpl);
  H5Sclose(space);
  H5Fclose(file);

  const auto ours = StepChunks::encode(values.data(), n, 4);
  CHECK(inflate_all(ours, n * 4) == inflate_all(theirs, n * 4));
  // Level 0 (in-memory files, no filters): the bytes as they are.
  const auto raw = StepChunks::encode(values.data(), n, 0);
  REQUIRE(raw.size() == n * 4);
  CHECK(std::memcmp(raw.data(), values.data(), raw.size()) == 0);

  // A results file's per-step dataset declares shuffle then deflate at level 4, and its chunks
  // are stored compressed.
  const std::string results = fresh_path("declared_filters.h5");
  write_first_runs(results, make_header(156, 800), 200);
  const hid_t f = H5Fopen(results.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  const hid_t t = H5Dopen2(f, "turnout", H5P_DEFAULT);
  const hid_t plist = H5Dget_create_plist(t);
  REQUIRE(H5Pget_nfilters(plist) == 2);
  unsigned flags = 0, level = 0;
  std::size_t n_cd = 1;
  char fname[32];
  CHECK(H5Pget_filter2(plist, 0, &flags, nullptr, nullptr, sizeof fname, fname, nullptr) ==
        H5Z_FILTER_SHUFFLE);
  CHECK(H5Pget_filter2(plist, 1, &flags, &n_cd, &level, sizeof fname, fname, nullptr) ==
        H5Z_FILTER_DEFLATE);
  CHECK(level == 4);
  hsize_t chunk[2] = {0, 0};
  REQUIRE(H5Pget_chunk(plist, 2, chunk) == 2);
  const std::size_t stored = stored_chunk(t, 0).size();
  CHECK(stored > 0);
  CHECK(stored < chunk[0] * chunk[1] * sizeof(float));  // compressed
  H5Pclose(plist);
  H5Dclose(t);
  H5Fclose(f);
}

TEST_CASE("results file: the series' chunks are the same bytes whatever the compressing threads",
          "[hdf5]") {
  // 800 runs of 156 steps: 8 rows of 105-run chunks (the last partial) in every per-step
  // dataset, compressed by 1 thread and by 5 (groups of chunks, one encoder per thread).
  const FileHeader header = make_header(156, 800);
  const auto runs = make_runs(0, 800, header);
  std::vector<std::string> paths;
  for (const unsigned threads : {1u, 5u}) {
    paths.push_back(fresh_path("threads_" + std::to_string(threads) + ".h5"));
    ResultsWriter w(paths.back(), header);
    w.set_threads(threads);
    w.append(runs);
    w.finish();
  }
  const auto chunk_bytes = [](const std::string& path, const std::string& name, hsize_t row) {
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(f >= 0);
    const hid_t ds = H5Dopen2(f, name.c_str(), H5P_DEFAULT);
    REQUIRE(ds >= 0);
    auto bytes = stored_chunk(ds, row);
    H5Dclose(ds);
    H5Fclose(f);
    return bytes;
  };
  for (const auto& o : per_step_outputs())
    for (const hsize_t row : {hsize_t{0}, hsize_t{315}, hsize_t{735}}) {
      INFO(o.name << ", chunk at run " << row);
      const auto one = chunk_bytes(paths[0], o.name, row);
      CHECK(!one.empty());
      CHECK(one == chunk_bytes(paths[1], o.name, row));
    }
  require_same_runs(runs, read_results(paths[1]).runs);
}

namespace {

/// A whole 1-D dataset of the file at `path`, read with the plain C API.
template <class T>
std::vector<T> raw_column(hid_t file, const char* name, hid_t mem_type) {
  const hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
  REQUIRE(ds >= 0);
  const hid_t space = H5Dget_space(ds);
  REQUIRE(H5Sget_simple_extent_ndims(space) == 1);
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space, &n, nullptr);
  std::vector<T> v(n);
  if (n > 0) REQUIRE(H5Dread(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) >= 0);
  H5Sclose(space);
  H5Dclose(ds);
  return v;
}

const std::vector<const char*> kWinColumns = {"win",        "run",      "arm",
                                              "replicate",  "point",    "start_step",
                                              "end_step",   "censored", "strength",
                                              "duration"};

}  // namespace

TEST_CASE("results file: wins round-trip across append batches as the /win_events table", "[hdf5]") {
  const FileHeader header = make_header(9, 8);
  const auto runs = make_runs(0, 8, header);
  std::size_t n_wins = 0;
  for (const auto& r : runs) n_wins += r.wins.size();
  REQUIRE(n_wins == 7);  // 0+1+2+0+1+2+0+1

  const std::string one = fresh_path("wins_one_batch.h5");
  const std::string two = fresh_path("wins_two_batches.h5");
  {
    ResultsWriter w(one, header);
    w.append(runs);
    w.finish();
  }
  {
    ResultsWriter w(two, header);
    w.append(make_runs(0, 3, header));  // 3 wins
    w.append(make_runs(3, 2, header));  // 1 more: runs 3 (none) and 4 (one)
    w.append(make_runs(5, 3, header));  // 3 more
    w.finish();
  }
  for (const auto& path : {one, two}) {
    INFO(path);
    const ResultsFile back = read_results(path);
    require_same_runs(runs, back.runs);

    // The table itself: one row per win, in run order, with the run's design columns.
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(file >= 0);
    const auto win = raw_column<std::int64_t>(file, "win_events/win", H5T_NATIVE_INT64);
    const auto run = raw_column<std::int64_t>(file, "win_events/run", H5T_NATIVE_INT64);
    const auto arm = raw_column<std::int8_t>(file, "win_events/arm", H5T_NATIVE_INT8);
    const auto rep = raw_column<std::int32_t>(file, "win_events/replicate", H5T_NATIVE_INT32);
    const auto point = raw_column<std::int32_t>(file, "win_events/point", H5T_NATIVE_INT32);
    const auto start = raw_column<std::int32_t>(file, "win_events/start_step", H5T_NATIVE_INT32);
    const auto end = raw_column<std::int32_t>(file, "win_events/end_step", H5T_NATIVE_INT32);
    const auto censored = raw_column<std::int8_t>(file, "win_events/censored", H5T_NATIVE_INT8);
    const auto strength = raw_column<double>(file, "win_events/strength", H5T_NATIVE_DOUBLE);
    const auto duration = raw_column<std::int32_t>(file, "win_events/duration", H5T_NATIVE_INT32);
    H5Fclose(file);
    REQUIRE(win.size() == n_wins);
    std::size_t i = 0;
    for (const auto& r : runs)
      for (const auto& w : r.wins) {
        INFO("win " << i << " of run " << r.run);
        CHECK(win[i] == static_cast<std::int64_t>(i));
        CHECK(run[i] == r.run);
        CHECK(arm[i] == r.arm);
        CHECK(rep[i] == r.replicate);
        CHECK(point[i] == r.point);
        CHECK(start[i] == w.start_step);
        CHECK(end[i] == w.end_step);
        CHECK(censored[i] == (w.censored ? 1 : 0));
        CHECK(strength[i] == w.strength);
        CHECK(duration[i] == w.duration(header.n_steps));
        CHECK(duration[i] == (w.censored ? 9 - w.start_step : w.end_step - w.start_step));
        ++i;
      }
  }
}

// Also writes ${ORGSIM_TEST_TMP}/sample_results_no_wins.h5 for the Python layout tests (an
// empty /win_events table must still open with xarray).
TEST_CASE("results file: with no win at all, /win_events exists with empty columns", "[hdf5]") {
  fs::create_directories(ORGSIM_TEST_TMP);
  const std::string path = (fs::path(ORGSIM_TEST_TMP) / "sample_results_no_wins.h5").string();
  fs::remove(path);
  const FileHeader header = make_header(6, 4);
  auto runs = make_runs(0, 4, header);
  for (auto& r : runs) r.wins.clear();
  {
    ResultsWriter w(path, header);
    w.append({runs[0], runs[1]});
    w.append({runs[2], runs[3]});
    w.finish();
  }
  const ResultsFile back = read_results(path);
  require_same_runs(runs, back.runs);
  for (const auto& r : back.runs) CHECK(r.wins.empty());

  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(file >= 0);
  REQUIRE(H5Lexists(file, "win_events", H5P_DEFAULT) > 0);
  for (const char* name : kWinColumns) {
    INFO(name);
    const std::string full = std::string("win_events/") + name;
    REQUIRE(H5Lexists(file, full.c_str(), H5P_DEFAULT) > 0);
    const hid_t ds = H5Dopen2(file, full.c_str(), H5P_DEFAULT);
    const hid_t space = H5Dget_space(ds);
    hsize_t n = 1, max = 0;
    REQUIRE(H5Sget_simple_extent_dims(space, &n, &max) == 1);
    CHECK(n == 0);
    CHECK(max == H5S_UNLIMITED);
    H5Sclose(space);
    H5Dclose(ds);
  }
  H5Fclose(file);
}

namespace {

std::string raw_attr(hid_t file, const char* obj, const char* attr_name);  // defined below

/// flag_meanings of the dataset `name` in `file`.
std::string raw_flag_meanings(hid_t file, const char* name) {
  const hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
  REQUIRE(ds >= 0);
  const hid_t attr = H5Aopen(ds, "flag_meanings", H5P_DEFAULT);
  REQUIRE(attr >= 0);
  const hid_t type = H5Aget_type(attr);
  char* s = nullptr;
  REQUIRE(H5Aread(attr, type, &s) >= 0);
  std::string out = s ? s : "";
  H5free_memory(s);
  H5Tclose(type);
  H5Aclose(attr);
  H5Dclose(ds);
  return out;
}

bool is_scale(hid_t file, const char* name) {
  const hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
  REQUIRE(ds >= 0);
  const htri_t scale = H5DSis_scale(ds);
  H5Dclose(ds);
  return scale > 0;
}

/// Whether the dimension scale `scale` is attached to dimension 0 of `name`.
bool scale_attached(hid_t file, const char* name, const char* scale) {
  const hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
  const hid_t sc = H5Dopen2(file, scale, H5P_DEFAULT);
  REQUIRE(ds >= 0);
  REQUIRE(sc >= 0);
  const htri_t attached = H5DSis_attached(ds, sc, 0);
  H5Dclose(sc);
  H5Dclose(ds);
  return attached > 0;
}

const std::vector<const char*> kKmColumns = {"km_arm", "time",    "survival", "lower",
                                             "upper",  "at_risk", "events"};

}  // namespace

TEST_CASE("results file: per-arm durability round-trips as the /durability group", "[hdf5]") {
  const std::string path = fresh_path("durability.h5");
  const FileHeader header = make_header(12, 10);
  auto runs = make_runs(0, 10, header);
  // Arm 1 (odd runs) keeps its wins but never loses one: wins, no reversal, an empty curve.
  for (auto& r : runs)
    if (r.arm == 1)
      for (auto& w : r.wins) {
        w.censored = true;
        w.end_step = -1;
      }
  const auto durability = durability_of(runs, header);
  REQUIRE(durability.size() == 2);
  REQUIRE(durability[0].reversals > 0);
  REQUIRE(durability[0].curve.time.size() > 0);
  REQUIRE(durability[1].wins > 0);
  REQUIRE(durability[1].reversals == 0);
  REQUIRE(durability[1].curve.time.empty());
  REQUIRE(std::isnan(durability[1].curve.median));
  {
    ResultsWriter w(path, header);
    w.append(make_runs(0, 0, header));
    w.append(runs);
    w.set_durability(durability);
    w.finish();
  }
  const ResultsFile back = read_results(path);
  require_same_runs(runs, back.runs);
  require_same_durability(durability, back.durability);

  // The layout: `arm` and `km` dimension scales, the columns on them, arm codes with flags.
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(file >= 0);
  CHECK(is_scale(file, "durability/arm"));
  CHECK(is_scale(file, "durability/km"));
  CHECK(raw_column<std::int8_t>(file, "durability/arm", H5T_NATIVE_INT8) ==
        std::vector<std::int8_t>{0, 1});
  CHECK(raw_flag_meanings(file, "durability/arm") == "relationship_first big_messaging");
  CHECK(raw_flag_meanings(file, "durability/km_arm") == "relationship_first big_messaging");
  // A sweep writes /durability too, pooling every design point's wins: the group says so.
  CHECK(raw_attr(file, "durability", "long_name") == "Durability of wins");
  CHECK(raw_attr(file, "durability", "description").find("every design point are pooled") !=
        std::string::npos);
  for (const char* name : {"durability/wins", "durability/reversals", "durability/median"}) {
    INFO(name);
    CHECK(scale_attached(file, name, "durability/arm"));
  }
  const std::size_t n_rows = durability[0].curve.time.size();
  for (const char* name : kKmColumns) {
    const std::string full = std::string("durability/") + name;
    INFO(full);
    CHECK(scale_attached(file, full.c_str(), "durability/km"));
  }
  const auto km = raw_column<std::int64_t>(file, "durability/km", H5T_NATIVE_INT64);
  const auto km_arm = raw_column<std::int8_t>(file, "durability/km_arm", H5T_NATIVE_INT8);
  REQUIRE(km.size() == n_rows);  // arm 1 contributes no row
  for (std::size_t i = 0; i < n_rows; ++i) {
    CHECK(km[i] == static_cast<std::int64_t>(i));
    CHECK(km_arm[i] == 0);
  }
  const auto median = raw_column<double>(file, "durability/median", H5T_NATIVE_DOUBLE);
  REQUIRE(median.size() == 2);
  CHECK(same(median[0], durability[0].curve.median));
  CHECK(std::isnan(median[1]));
  H5Fclose(file);
}

TEST_CASE("results file: an arm without wins has a NaN median whatever the curve says",
          "[hdf5]") {
  const std::string path = fresh_path("durability_no_wins.h5");
  const FileHeader header = make_header(6, 2);
  std::vector<ArmDurability> durability(2);
  durability[0].arm = header.arm_names[0];
  durability[1].arm = header.arm_names[1];
  durability[0].curve.median = 0.0;  // a stale value the writer must not trust
  {
    ResultsWriter w(path, header);
    w.append(make_runs(0, 2, header));
    w.set_durability(durability);
    w.finish();
  }
  const ResultsFile back = read_results(path);
  REQUIRE(back.durability.size() == 2);
  for (const auto& d : back.durability) {
    CHECK(d.wins == 0);
    CHECK(d.reversals == 0);
    CHECK(d.curve.time.empty());
    CHECK(std::isnan(d.curve.median));
  }
}

// Also writes ${ORGSIM_TEST_TMP}/sample_results_no_reversals.h5 for the Python layout tests: wins,
// but none reversed, so the curve table is present with zero rows.
TEST_CASE("results file: with no reversal at all, /durability has an empty curve table",
          "[hdf5]") {
  fs::create_directories(ORGSIM_TEST_TMP);
  const std::string path = (fs::path(ORGSIM_TEST_TMP) / "sample_results_no_reversals.h5").string();
  fs::remove(path);
  const FileHeader header = make_header(6, 6);
  auto runs = make_runs(0, 6, header);
  for (auto& r : runs)
    for (auto& w : r.wins) {
      w.censored = true;
      w.end_step = -1;
    }
  const auto durability = durability_of(runs, header);
  for (const auto& d : durability) REQUIRE(d.reversals == 0);
  {
    ResultsWriter w(path, header);
    w.append(runs);
    w.set_durability(durability);
    w.finish();
  }
  const ResultsFile back = read_results(path);
  require_same_durability(durability, back.durability);
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(file >= 0);
  for (const char* name : kKmColumns) {
    const std::string full = std::string("durability/") + name;
    INFO(full);
    REQUIRE(H5Lexists(file, full.c_str(), H5P_DEFAULT) > 0);
    CHECK(raw_column<double>(file, full.c_str(), H5T_NATIVE_DOUBLE).empty());
  }
  H5Fclose(file);
}

TEST_CASE("results file: set_durability rejects estimates the file cannot hold", "[hdf5]") {
  const std::string path = fresh_path("durability_rejects.h5");
  const FileHeader header = make_header(6, 4);
  const auto runs = make_runs(0, 4, header);
  const auto good = durability_of(runs, header);
  ResultsWriter w(path, header);
  w.append(runs);

  auto bad = good;
  bad.pop_back();  // one arm short
  CHECK_THROWS_AS(w.set_durability(bad), std::logic_error);
  bad = good;
  std::swap(bad[0], bad[1]);  // not in arm order
  CHECK_THROWS_AS(w.set_durability(bad), std::logic_error);
  bad = good;
  bad[0].reversals = bad[0].wins + 1;
  CHECK_THROWS_AS(w.set_durability(bad), std::logic_error);
  bad = good;
  bad[0].curve.time.push_back(99.0);  // columns of different lengths
  CHECK_THROWS_AS(w.set_durability(bad), std::logic_error);

  w.set_durability(good);
  w.finish();
  CHECK_THROWS_AS(w.set_durability(good), std::logic_error);
  require_same_durability(good, read_results(path).durability);
}

// ---- /failures, /design, /sensitivity -------------------------------------------------------

namespace {

/// A whole 1-D string dataset (variable-length UTF-8), read with the plain C API.
std::vector<std::string> raw_strings(hid_t file, const char* name) {
  const hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
  REQUIRE(ds >= 0);
  const hid_t type = H5Dget_type(ds);
  CHECK(H5Tget_class(type) == H5T_STRING);
  CHECK(H5Tis_variable_str(type) > 0);
  CHECK(H5Tget_cset(type) == H5T_CSET_UTF8);
  const hid_t space = H5Dget_space(ds);
  REQUIRE(H5Sget_simple_extent_ndims(space) == 1);
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space, &n, nullptr);
  std::vector<char*> ptr(n, nullptr);
  if (n > 0) REQUIRE(H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptr.data()) >= 0);
  std::vector<std::string> out;
  for (char* p : ptr) {
    out.emplace_back(p ? p : "");
    H5free_memory(p);
  }
  H5Sclose(space);
  H5Tclose(type);
  H5Dclose(ds);
  return out;
}

/// A string attribute of the object `obj` (a group or dataset path); "" if it has none.
std::string raw_attr(hid_t file, const char* obj, const char* attr_name) {
  const htri_t exists = H5Aexists_by_name(file, obj, attr_name, H5P_DEFAULT);
  REQUIRE(exists >= 0);
  if (exists == 0) return "";
  const hid_t attr = H5Aopen_by_name(file, obj, attr_name, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(attr >= 0);
  const hid_t type = H5Aget_type(attr);
  char* s = nullptr;
  REQUIRE(H5Aread(attr, type, &s) >= 0);
  std::string out = s ? s : "";
  H5free_memory(s);
  H5Tclose(type);
  H5Aclose(attr);
  return out;
}

/// The current and maximum shape of the dataset `name`.
std::pair<std::vector<hsize_t>, std::vector<hsize_t>> raw_shape(hid_t file, const char* name) {
  const hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
  REQUIRE(ds >= 0);
  const hid_t space = H5Dget_space(ds);
  const int rank = H5Sget_simple_extent_ndims(space);
  REQUIRE(rank >= 0);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank)), max(dims.size());
  H5Sget_simple_extent_dims(space, dims.data(), max.data());
  H5Sclose(space);
  H5Dclose(ds);
  return {dims, max};
}

/// Whether the dimension scale `scale` is attached to dimension `dim` of `name`.
bool scale_attached_at(hid_t file, const char* name, const char* scale, unsigned dim) {
  const hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
  const hid_t sc = H5Dopen2(file, scale, H5P_DEFAULT);
  REQUIRE(ds >= 0);
  REQUIRE(sc >= 0);
  const htri_t attached = H5DSis_attached(ds, sc, dim);
  H5Dclose(sc);
  H5Dclose(ds);
  return attached > 0;
}

bool exists(hid_t file, const char* name) { return H5Lexists(file, name, H5P_DEFAULT) > 0; }

const std::vector<const char*> kFailureColumns = {"failure", "run",  "point", "arm",
                                                  "replicate", "seed", "message"};

/// A design over the header's varied parameters: `n_points` points spread over each range;
/// with `with_unit`, the unit-cube matrix of a sampled design (type lhs), else a grid.
DesignTable make_design(const FileHeader& h, std::size_t n_points, bool with_unit) {
  DesignTable d;
  d.type = with_unit ? "lhs" : "grid";
  for (const auto& v : h.varied) d.keys.push_back(v.key);
  for (std::size_t i = 0; i < n_points; ++i) {
    std::vector<double> row, unit;
    for (std::size_t p = 0; p < h.varied.size(); ++p) {
      const double u = (static_cast<double>((i * (p + 1)) % n_points) + 0.5) /
                       static_cast<double>(n_points);
      unit.push_back(u);
      row.push_back(h.varied[p].min + u * (h.varied[p].max - h.varied[p].min));
    }
    d.points.push_back(row);
    if (with_unit) d.unit.push_back(unit);
  }
  return d;
}

/// Sensitivity indices of `method` with distinct values (one NaN) for `n_arms` arms.
SensitivityTable make_sensitivity(const std::string& method, std::size_t n_arms,
                                  const std::vector<std::string>& outputs,
                                  const std::vector<std::string>& parameters) {
  SensitivityTable t;
  t.method = method;
  t.outputs = outputs;
  t.parameters = parameters;
  const auto cube = [&](double base) {
    std::vector<std::vector<std::vector<double>>> c(n_arms);
    for (std::size_t a = 0; a < n_arms; ++a)
      for (std::size_t o = 0; o < outputs.size(); ++o) {
        c[a].emplace_back();
        for (std::size_t p = 0; p < parameters.size(); ++p)
          c[a][o].push_back(base + 0.1 * static_cast<double>(a) + 0.01 * static_cast<double>(o) +
                            0.001 * static_cast<double>(p));
      }
    return c;
  };
  if (method == "sobol") {
    t.S1 = cube(0.2);
    t.S1_conf = cube(0.02);
    t.ST = cube(0.3);
    t.ST_conf = cube(0.03);
    t.S1[0][0][0] = std::nan("");  // an output without finite point means
  } else {
    t.mu = cube(-0.5);
    t.mu_star = cube(0.5);
    t.sigma = cube(0.05);
    t.mu[0][0][0] = std::nan("");
  }
  for (std::size_t a = 0; a < n_arms; ++a) {
    t.noise_share.emplace_back();
    for (std::size_t o = 0; o < outputs.size(); ++o)
      t.noise_share[a].push_back(0.25 + 0.1 * static_cast<double>(a) +
                                 0.01 * static_cast<double>(o));
  }
  return t;
}

bool same_matrix(const std::vector<std::vector<double>>& a,
                 const std::vector<std::vector<double>>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!same_values(a[i], b[i])) return false;
  return true;
}

bool same_cube(const std::vector<std::vector<std::vector<double>>>& a,
               const std::vector<std::vector<std::vector<double>>>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!same_matrix(a[i], b[i])) return false;
  return true;
}

void require_same_design(const DesignTable& a, const DesignTable& b) {
  CHECK(a.type == b.type);
  CHECK(a.keys == b.keys);
  CHECK(same_matrix(a.points, b.points));
  CHECK(same_matrix(a.unit, b.unit));
}

void require_same_sensitivity(const SensitivityTable& a, const SensitivityTable& b) {
  CHECK(a.method == b.method);
  CHECK(a.outputs == b.outputs);
  CHECK(a.parameters == b.parameters);
  CHECK(same_cube(a.S1, b.S1));
  CHECK(same_cube(a.S1_conf, b.S1_conf));
  CHECK(same_cube(a.ST, b.ST));
  CHECK(same_cube(a.ST_conf, b.ST_conf));
  CHECK(same_cube(a.mu, b.mu));
  CHECK(same_cube(a.mu_star, b.mu_star));
  CHECK(same_cube(a.sigma, b.sigma));
  CHECK(same_matrix(a.noise_share, b.noise_share));
}

}  // namespace

TEST_CASE("results file: failed runs round-trip across batches as the /failures table",
          "[hdf5]") {
  const FileHeader header = make_header(6, 10);
  auto runs = make_runs(0, 10, header);
  // Runs 1, 3 and 4 (first batch) and 8 (second batch) fail: run 4 without a message, run 8 with
  // a byte that is not UTF-8. Run 5 is done but carries a message, which is not written.
  for (const std::size_t i : {1, 3, 4, 8}) runs[i].status = 2;
  runs[1].message = "population.n_agents: must be positive";
  runs[4].message.clear();
  runs[8].message = std::string("bad byte \xff here");
  runs[5].message = "not a failure";
  auto expected = runs;
  expected[8].message = "bad byte \xEF\xBF\xBD here";  // replaced by U+FFFD
  expected[5].message.clear();
  const std::vector<std::size_t> failed = {1, 3, 4, 8};

  const std::string one = fresh_path("failures_one_batch.h5");
  const std::string two = fresh_path("failures_two_batches.h5");
  {
    ResultsWriter w(one, header);
    w.append(runs);
    w.finish();
  }
  {
    ResultsWriter w(two, header);
    w.append({runs.begin(), runs.begin() + 5});  // failures 1, 3, 4
    w.append({});
    w.append({runs.begin() + 5, runs.end()});  // failure 8
    w.finish();
  }
  for (const auto& path : {one, two}) {
    INFO(path);
    const ResultsFile back = read_results(path);
    require_same_runs(expected, back.runs);

    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(file >= 0);
    CHECK(is_scale(file, "failures/failure"));
    for (const char* name : kFailureColumns) {
      const std::string full = std::string("failures/") + name;
      INFO(full);
      const auto [dims, max] = raw_shape(file, full.c_str());
      CHECK(dims == std::vector<hsize_t>{failed.size()});
      CHECK(max == std::vector<hsize_t>{H5S_UNLIMITED});
      if (std::string(name) != "failure")
        CHECK(scale_attached(file, full.c_str(), "failures/failure"));
    }
    const auto index = raw_column<std::int64_t>(file, "failures/failure", H5T_NATIVE_INT64);
    const auto run = raw_column<std::int64_t>(file, "failures/run", H5T_NATIVE_INT64);
    const auto point = raw_column<std::int32_t>(file, "failures/point", H5T_NATIVE_INT32);
    const auto arm = raw_column<std::int8_t>(file, "failures/arm", H5T_NATIVE_INT8);
    const auto rep = raw_column<std::int32_t>(file, "failures/replicate", H5T_NATIVE_INT32);
    const auto seed = raw_column<std::uint64_t>(file, "failures/seed", H5T_NATIVE_UINT64);
    const auto message = raw_strings(file, "failures/message");
    CHECK(raw_flag_meanings(file, "failures/arm") == "relationship_first big_messaging");
    H5Fclose(file);
    REQUIRE(run.size() == failed.size());
    REQUIRE(message.size() == failed.size());
    for (std::size_t i = 0; i < failed.size(); ++i) {
      const RunRecord& r = expected[failed[i]];
      INFO("failure " << i << " (run " << r.run << ")");
      CHECK(index[i] == static_cast<std::int64_t>(i));
      CHECK(run[i] == r.run);
      CHECK(point[i] == r.point);
      CHECK(arm[i] == r.arm);
      CHECK(rep[i] == r.replicate);
      CHECK(seed[i] == r.seed);
      CHECK(message[i] == r.message);
    }
  }
}

TEST_CASE("results file: without a failed run, /failures exists with empty columns", "[hdf5]") {
  const std::string path = fresh_path("no_failures.h5");
  const FileHeader header = make_header(5, 3);
  const auto runs = make_runs(0, 3, header);  // runs 0-2: all done
  for (const auto& r : runs) REQUIRE(r.status == 1);
  {
    ResultsWriter w(path, header);
    w.append(runs);
    w.finish();
  }
  const ResultsFile back = read_results(path);
  require_same_runs(runs, back.runs);
  for (const auto& r : back.runs) CHECK(r.message.empty());
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(file >= 0);
  REQUIRE(exists(file, "failures"));
  for (const char* name : kFailureColumns) {
    const std::string full = std::string("failures/") + name;
    INFO(full);
    const auto [dims, max] = raw_shape(file, full.c_str());
    CHECK(dims == std::vector<hsize_t>{0});
    CHECK(max == std::vector<hsize_t>{H5S_UNLIMITED});
  }
  CHECK(raw_strings(file, "failures/message").empty());
  // Neither set_design() nor set_sensitivity() was called: no such groups, empty tables.
  CHECK_FALSE(exists(file, "design"));
  CHECK_FALSE(exists(file, "sensitivity"));
  H5Fclose(file);
  CHECK(back.design.type.empty());
  CHECK(back.design.keys.empty());
  CHECK(back.design.points.empty());
  CHECK(back.sensitivity.method.empty());
  CHECK(back.sensitivity.outputs.empty());
  CHECK(back.sensitivity.noise_share.empty());
}

TEST_CASE("results file: the design round-trips as the /design group", "[hdf5]") {
  const FileHeader header = make_header(4, 12);
  for (const bool sampled : {true, false}) {
    const std::string path = fresh_path(sampled ? "design_lhs.h5" : "design_grid.h5");
    INFO(path);
    const DesignTable design = make_design(header, 5, sampled);
    {
      ResultsWriter w(path, header);
      w.append(make_runs(0, 2, header));
      w.set_design(make_design(header, 2, false));  // a second call replaces the first
      w.set_design(design);
      w.finish();
    }
    const ResultsFile back = read_results(path);
    require_same_design(design, back.design);
    CHECK(back.sensitivity.method.empty());

    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(file >= 0);
    CHECK(raw_attr(file, "design", "type") == design.type);
    CHECK(is_scale(file, "design/point"));
    CHECK(is_scale(file, "design/parameter"));
    CHECK(raw_column<std::int64_t>(file, "design/point", H5T_NATIVE_INT64) ==
          std::vector<std::int64_t>{0, 1, 2, 3, 4});
    CHECK(raw_strings(file, "design/parameter") == design.keys);
    CHECK(raw_shape(file, "design/value").first == std::vector<hsize_t>{5, 2});
    CHECK(scale_attached_at(file, "design/value", "design/point", 0));
    CHECK(scale_attached_at(file, "design/value", "design/parameter", 1));
    CHECK(exists(file, "design/unit") == sampled);
    if (sampled) {
      CHECK(scale_attached_at(file, "design/unit", "design/point", 0));
      CHECK(scale_attached_at(file, "design/unit", "design/parameter", 1));
    }
    // One column per parameter, named by its key, on `point`, with the header's attributes.
    for (std::size_t p = 0; p < design.keys.size(); ++p) {
      const std::string full = "design/" + design.keys[p];
      INFO(full);
      REQUIRE(exists(file, full.c_str()));
      CHECK(scale_attached(file, full.c_str(), "design/point"));
      const auto column = raw_column<double>(file, full.c_str(), H5T_NATIVE_DOUBLE);
      REQUIRE(column.size() == design.points.size());
      for (std::size_t i = 0; i < column.size(); ++i) CHECK(column[i] == design.points[i][p]);
      CHECK(raw_attr(file, full.c_str(), "units") == header.varied[p].units);
      CHECK(raw_attr(file, full.c_str(), "long_name") == header.varied[p].long_name);
      CHECK(raw_attr(file, full.c_str(), "description") == header.varied[p].description);
    }
    H5Fclose(file);
  }
}

TEST_CASE("results file: every output's attributes are its dictionary entry's", "[hdf5][outputs]") {
  // One source of truth: long_name (the short label), description and units of each output
  // dataset are the output dictionary's, word for word.
  const std::string path = fresh_path("output_attributes.h5");
  const FileHeader header = make_header(6, 2);
  {
    ResultsWriter w(path, header);
    w.append(make_runs(0, 2, header));
    w.finish();
  }
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(file >= 0);
  for (const auto& o : output_dictionary()) {
    INFO(o.name);
    CHECK(raw_attr(file, o.name.c_str(), "long_name") == o.long_name);
    CHECK(raw_attr(file, o.name.c_str(), "description") == o.description);
    CHECK(raw_attr(file, o.name.c_str(), "units") == o.units);
    // What a count counts, beside units="count"; nothing where the units say it all.
    CHECK(raw_attr(file, o.name.c_str(), "unit_words") == o.unit_words);
  }
  CHECK(raw_attr(file, "rung_member", "units") == "count");
  CHECK(raw_attr(file, "rung_member", "unit_words") == "agents");
  CHECK(raw_attr(file, "win_weeks", "units") == "week");
  // The run coordinates have short labels too, their explanation apart.
  for (const char* name :
       {"run", "step", "arm", "replicate", "point", "seed", "status", "wall_seconds"}) {
    INFO(name);
    CHECK(raw_attr(file, name, "long_name").size() <= kLabelMaxChars);
  }
  CHECK(raw_attr(file, "run", "description") == "run index (position in the study design)");
  CHECK(raw_attr(file, "arm", "description").find("flag_meanings") != std::string::npos);
  // A varied parameter: its short label, the table's meaning, its UDUNITS units.
  for (const auto& v : header.varied) {
    INFO(v.key);
    CHECK(raw_attr(file, v.key.c_str(), "long_name") == v.long_name);
    CHECK(raw_attr(file, v.key.c_str(), "description") == v.description);
    CHECK(raw_attr(file, v.key.c_str(), "units") == v.units);
  }
  H5Fclose(file);
}

TEST_CASE("results file: the event tables' and /durability's columns carry their ColumnDef",
          "[hdf5][outputs]") {
  // One source of truth for each column of /win_events, /action_events, /failures and
  // /durability (and for their index scales): long_name (a short label), description, units
  // where it has some, and unit_words where it is a count.
  const std::string path = fresh_path("event_columns.h5");
  const FileHeader header = make_header(6, 4);
  const auto runs = make_runs(0, 4, header);
  const auto durability = durability_of(runs, header);
  REQUIRE(durability[0].curve.time.size() > 0);  // the curve table has rows
  {
    ResultsWriter w(path, header);
    w.append(runs);
    w.set_durability(durability);
    w.finish();
  }
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(file >= 0);
  auto check = [file](const char* group, const layout::ColumnDef& c) {
    const std::string full = std::string(group) + "/" + c.name;
    INFO(full);
    CHECK(raw_attr(file, full.c_str(), "long_name") == c.long_name);
    CHECK(raw_attr(file, full.c_str(), "long_name").size() <= kLabelMaxChars);
    CHECK(raw_attr(file, full.c_str(), "description") == c.description);
    CHECK(raw_attr(file, full.c_str(), "units") == (c.units ? c.units : ""));
    CHECK(raw_attr(file, full.c_str(), "unit_words") == (c.unit_words ? c.unit_words : ""));
  };
  check(layout::kWinEvents, layout::win_events::kIndex);
  for (const auto& c : layout::win_events::kColumns) check(layout::kWinEvents, c);
  check(layout::kActionEvents, layout::action_events::kIndex);
  for (const auto& c : layout::action_events::kColumns) check(layout::kActionEvents, c);
  check(layout::kFailures, layout::failures::kIndex);
  for (const auto& c : layout::failures::kColumns) check(layout::kFailures, c);
  check(layout::kDurability, layout::durability::kArmIndex);
  for (const auto& c : layout::durability::kArmColumns) check(layout::kDurability, c);
  check(layout::kDurability, layout::durability::kKmIndex);
  for (const auto& c : layout::durability::kKmColumns) check(layout::kDurability, c);
  CHECK(raw_attr(file, "win_events/start_step", "long_name") == "Week the win was won");
  CHECK(raw_attr(file, "win_events/duration", "units") == "week");
  CHECK(raw_attr(file, "action_events/turnout", "units") == "1");
  // /durability: its counts say what they count, its durations are weeks, its curve is a share.
  for (const auto& [name, words] : {std::pair<const char*, const char*>{"durability/wins", "wins"},
                                    {"durability/reversals", "reversals"},
                                    {"durability/at_risk", "wins"},
                                    {"durability/events", "reversals"}}) {
    INFO(name);
    CHECK(raw_attr(file, name, "units") == "count");
    CHECK(raw_attr(file, name, "unit_words") == words);
  }
  for (const char* name : {"durability/median", "durability/time"}) {
    INFO(name);
    CHECK(raw_attr(file, name, "units") == layout::kStepUnits);
    CHECK(raw_attr(file, name, "unit_words").empty());
  }
  for (const char* name : {"durability/survival", "durability/lower", "durability/upper"})
    CHECK(raw_attr(file, name, "units") == "1");
  for (const char* name : {"durability/arm", "durability/km", "durability/km_arm"}) {
    INFO(name);
    CHECK(raw_attr(file, name, "units").empty());  // codes and indices have none
    CHECK(!raw_attr(file, name, "description").empty());
  }
  // The layout's names are the datasets the file has (and the curve columns' list above).
  REQUIRE(layout::durability::kKmColumns.size() == kKmColumns.size());
  for (std::size_t c = 0; c < kKmColumns.size(); ++c)
    CHECK(std::string(layout::durability::kKmColumns[c].name) == kKmColumns[c]);
  H5Fclose(file);
}

TEST_CASE("results file: sensitivity indices round-trip as the /sensitivity group", "[hdf5]") {
  const FileHeader header = make_header(4, 4);
  const std::vector<std::string> outputs = {per_run_outputs()[0].name, per_run_outputs()[1].name,
                                            per_run_outputs()[2].name};
  const std::vector<std::string> parameters = {header.varied[0].key, header.varied[1].key};
  for (const std::string method : {"sobol", "morris"}) {
    const std::string path = fresh_path("sensitivity_" + method + ".h5");
    INFO(path);
    const auto table = make_sensitivity(method, 2, outputs, parameters);
    {
      ResultsWriter w(path, header);
      w.append(make_runs(0, 4, header));
      w.set_sensitivity(table);
      w.finish();
    }
    const ResultsFile back = read_results(path);
    require_same_sensitivity(table, back.sensitivity);
    CHECK(back.design.keys.empty());
    REQUIRE(back.sensitivity.noise_share.size() == 2);

    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(file >= 0);
    CHECK(raw_attr(file, "sensitivity", "method") == method);
    for (const char* scale : {"sensitivity/arm", "sensitivity/output", "sensitivity/parameter"})
      CHECK(is_scale(file, scale));
    CHECK(raw_column<std::int8_t>(file, "sensitivity/arm", H5T_NATIVE_INT8) ==
          std::vector<std::int8_t>{0, 1});
    CHECK(raw_flag_meanings(file, "sensitivity/arm") == "relationship_first big_messaging");
    CHECK(raw_strings(file, "sensitivity/output") == outputs);
    CHECK(raw_strings(file, "sensitivity/parameter") == parameters);
    const std::vector<const char*> sobol = {"S1", "S1_conf", "ST", "ST_conf"};
    const std::vector<const char*> morris = {"mu", "mu_star", "sigma"};
    for (const char* name : method == "sobol" ? sobol : morris) {
      const std::string full = std::string("sensitivity/") + name;
      INFO(full);
      CHECK(raw_shape(file, full.c_str()).first == std::vector<hsize_t>{2, 3, 2});
      CHECK(scale_attached_at(file, full.c_str(), "sensitivity/arm", 0));
      CHECK(scale_attached_at(file, full.c_str(), "sensitivity/output", 1));
      CHECK(scale_attached_at(file, full.c_str(), "sensitivity/parameter", 2));
    }
    for (const char* name : method == "sobol" ? morris : sobol)
      CHECK_FALSE(exists(file, (std::string("sensitivity/") + name).c_str()));
    CHECK(raw_shape(file, "sensitivity/noise_share").first == std::vector<hsize_t>{2, 3});
    CHECK(scale_attached_at(file, "sensitivity/noise_share", "sensitivity/arm", 0));
    CHECK(scale_attached_at(file, "sensitivity/noise_share", "sensitivity/output", 1));
    H5Fclose(file);
  }
}

TEST_CASE("results file: set_design and set_sensitivity reject what the file cannot hold",
          "[hdf5]") {
  const std::string path = fresh_path("design_rejects.h5");
  const FileHeader header = make_header(4, 4);
  ResultsWriter w(path, header);
  w.append(make_runs(0, 4, header));

  const DesignTable good = make_design(header, 3, true);
  auto bad = good;
  bad.type = "factorial";
  CHECK_THROWS_AS(w.set_design(bad), std::logic_error);
  bad = good;
  bad.points[1].pop_back();  // a point without a value for every parameter
  CHECK_THROWS_AS(w.set_design(bad), std::logic_error);
  bad = good;
  bad.unit.pop_back();  // the unit matrix has fewer rows than the points
  CHECK_THROWS_AS(w.set_design(bad), std::logic_error);
  bad = good;
  bad.keys[1] = bad.keys[0];
  CHECK_THROWS_AS(w.set_design(bad), std::logic_error);
  bad = good;
  bad.keys[0] = "turnover";  // not a dotted path
  CHECK_THROWS_AS(w.set_design(bad), std::logic_error);

  const std::vector<std::string> outputs = {"final_turnout", "peak_turnout"};
  const std::vector<std::string> params = {"environment.turnover"};
  const auto sobol = make_sensitivity("sobol", 2, outputs, params);
  auto s = sobol;
  s.method = "fast";
  CHECK_THROWS_AS(w.set_sensitivity(s), std::logic_error);
  CHECK_THROWS_AS(w.set_sensitivity(make_sensitivity("sobol", 3, outputs, params)),
                  std::logic_error);  // three arms in a two-arm file
  s = sobol;
  s.ST[1][1].push_back(0.5);  // one value too many
  CHECK_THROWS_AS(w.set_sensitivity(s), std::logic_error);
  s = sobol;
  s.S1_conf.clear();  // an array of the method missing
  CHECK_THROWS_AS(w.set_sensitivity(s), std::logic_error);
  s = sobol;
  s.mu = s.S1;  // the other method's array
  CHECK_THROWS_AS(w.set_sensitivity(s), std::logic_error);
  s = sobol;
  s.noise_share[0].pop_back();
  CHECK_THROWS_AS(w.set_sensitivity(s), std::logic_error);
  s = sobol;
  s.outputs[1] = s.outputs[0];
  CHECK_THROWS_AS(w.set_sensitivity(s), std::logic_error);

  w.set_design(good);
  w.set_sensitivity(sobol);
  w.finish();
  CHECK_THROWS_AS(w.set_design(good), std::logic_error);
  CHECK_THROWS_AS(w.set_sensitivity(sobol), std::logic_error);
  const ResultsFile back = read_results(path);
  require_same_design(good, back.design);
  require_same_sensitivity(sobol, back.sensitivity);
}

TEST_CASE("results file: only the partial file exists until finish()", "[hdf5]") {
  const std::string path = fresh_path("partial.h5");
  const FileHeader header = make_header(4, 2);
  ResultsWriter w(path, header);
  CHECK(fs::exists(path + ".partial"));
  CHECK_FALSE(fs::exists(path));
  w.append(make_runs(0, 2, header));
  CHECK(fs::exists(path + ".partial"));
  CHECK_FALSE(fs::exists(path));
  w.finish();
  CHECK(fs::exists(path));
  CHECK_FALSE(fs::exists(path + ".partial"));
  CHECK_THROWS_AS(w.append(make_runs(2, 1, header)), std::logic_error);
  CHECK_THROWS_AS(w.finish(), std::logic_error);
}

TEST_CASE("results file: a writer destroyed without finish() leaves no file", "[hdf5]") {
  const std::string path = fresh_path("abandoned.h5");
  const FileHeader header = make_header(4, 4);
  {
    ResultsWriter w(path, header);
    w.append(make_runs(0, 2, header));
    REQUIRE(fs::exists(path + ".partial"));
  }
  CHECK_FALSE(fs::exists(path + ".partial"));
  CHECK_FALSE(fs::exists(path));
}

TEST_CASE("results file: NaN round-trips and is the fill value of per-step data", "[hdf5]") {
  const std::string path = fresh_path("nan.h5");
  const FileHeader header = make_header(6, 2);
  auto runs = make_runs(0, 2, header);
  std::fill(runs[1].per_step.begin(), runs[1].per_step.end(), kNaN);  // a run with no data
  runs[0].per_run.assign(runs[0].per_run.size(), std::nan(""));
  {
    ResultsWriter w(path, header);
    w.append(runs);
    w.finish();
  }
  const ResultsFile back = read_results(path);
  require_same_runs(runs, back.runs);
  for (float x : back.runs[1].per_step) CHECK(std::isnan(x));

  // The HDF5 fill value and the CF _FillValue attribute are both NaN.
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(file >= 0);
  const hid_t ds = H5Dopen2(file, per_step_outputs().front().name.c_str(), H5P_DEFAULT);
  REQUIRE(ds >= 0);
  const hid_t dcpl = H5Dget_create_plist(ds);
  float fill = 0.0f;
  REQUIRE(H5Pget_fill_value(dcpl, H5T_NATIVE_FLOAT, &fill) >= 0);
  CHECK(std::isnan(fill));
  const hid_t attr = H5Aopen(ds, "_FillValue", H5P_DEFAULT);
  REQUIRE(attr >= 0);
  float attr_fill = 0.0f;
  REQUIRE(H5Aread(attr, H5T_NATIVE_FLOAT, &attr_fill) >= 0);
  CHECK(std::isnan(attr_fill));
  H5Aclose(attr);
  H5Pclose(dcpl);
  H5Dclose(ds);
  H5Fclose(file);
}

TEST_CASE("results file: append rejects out-of-order runs and malformed records", "[hdf5]") {
  const std::string path = fresh_path("rejects.h5");
  const FileHeader header = make_header(4, 10);
  ResultsWriter w(path, header);
  w.append(make_runs(2, 2, header));  // runs 2, 3

  SECTION("a run index not above the last one written") {
    CHECK_THROWS_AS(w.append(make_runs(1, 1, header)), std::logic_error);
    CHECK_THROWS_AS(w.append(make_runs(3, 1, header)), std::logic_error);
  }
  SECTION("runs out of order inside one batch") {
    auto batch = make_runs(5, 2, header);
    std::swap(batch[0], batch[1]);
    CHECK_THROWS_AS(w.append(batch), std::logic_error);
  }
  SECTION("wrong numbers of values") {
    auto bad = make_runs(4, 1, header);
    bad[0].per_step.pop_back();
    CHECK_THROWS_AS(w.append(bad), std::logic_error);
    bad = make_runs(4, 1, header);
    bad[0].per_run.push_back(1.0);
    CHECK_THROWS_AS(w.append(bad), std::logic_error);
    bad = make_runs(4, 1, header);
    bad[0].params.clear();
    CHECK_THROWS_AS(w.append(bad), std::logic_error);
    bad = make_runs(4, 1, header);
    bad[0].arm = 2;  // only two arms
    CHECK_THROWS_AS(w.append(bad), std::logic_error);
  }
  SECTION("wins that cannot be wins of the run") {
    auto bad = make_runs(4, 1, header);  // run 4 has one reversed win
    REQUIRE(bad[0].wins.size() == 1);
    const WinEvent good = bad[0].wins[0];
    bad[0].wins[0].end_step = -1;  // reversed, but no reversal step
    CHECK_THROWS_AS(w.append(bad), std::logic_error);
    bad[0].wins[0] = good;
    bad[0].wins[0].end_step = good.start_step - 1;  // reversed before it was won
    CHECK_THROWS_AS(w.append(bad), std::logic_error);
    bad[0].wins[0] = good;
    bad[0].wins[0].start_step = header.n_steps;  // after the last step
    bad[0].wins[0].end_step = header.n_steps;
    CHECK_THROWS_AS(w.append(bad), std::logic_error);
    bad[0].wins[0] = good;
    bad[0].wins[0].censored = true;  // censored, yet with a reversal step
    CHECK_THROWS_AS(w.append(bad), std::logic_error);
  }
  // A rejected batch leaves the file as it was: the writer carries on.
  w.append(make_runs(4, 1, header));
  w.finish();
  const ResultsFile back = read_results(path);
  REQUIRE(back.runs.size() == 3);
  CHECK(back.runs[0].run == 2);
  CHECK(back.runs[2].run == 4);
}

TEST_CASE("results file: read_results rejects what is not an orgsim results file", "[hdf5]") {
  const std::string missing = fresh_path("does_not_exist.h5");
  CHECK_THROWS_AS(read_results(missing), InputError);

  const std::string text = fresh_path("not_hdf5.h5");
  {
    std::FILE* f = std::fopen(text.c_str(), "w");
    REQUIRE(f);
    std::fputs("just text\n", f);
    std::fclose(f);
  }
  CHECK_THROWS_AS(read_results(text), InputError);

  const std::string plain = fresh_path("plain.h5");
  const hid_t file = H5Fcreate(plain.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(file >= 0);
  H5Fclose(file);
  CHECK_THROWS_AS(read_results(plain), InputError);
  CHECK_THROWS_WITH(read_results(plain), Catch::Contains(plain) &&
                                             Catch::Contains("an orgsim results file"));
}

TEST_CASE("results file: failures are RunErrors naming the file", "[hdf5]") {
  const FileHeader header = make_header(4, 1);

  SECTION("the directory does not exist") {
    const std::string path = (tmp_dir() / "no_such_dir" / "x.h5").string();
    CHECK_THROWS_AS(ResultsWriter(path, header), RunError);
    CHECK_THROWS_WITH(ResultsWriter(path, header), Catch::Contains(path + ".partial"));
  }
  SECTION("the final name cannot be taken (a non-empty directory is in the way)") {
    const fs::path dir = tmp_dir() / "in_the_way.h5";
    fs::create_directories(dir / "child");
    fs::remove(dir.string() + ".partial");
    {
      ResultsWriter w(dir.string(), header);
      w.append(make_runs(0, 1, header));
      CHECK_THROWS_AS(w.finish(), RunError);
    }
    CHECK_FALSE(fs::exists(dir.string() + ".partial"));
    CHECK(fs::is_directory(dir));
  }
}

TEST_CASE("results file: an event-table row whose run is not in the file is an input error",
          "[hdf5]") {
  // Runs 0..7 hold wins (runs 1, 2, 4, 5, 7), actions (runs 0, 1, 3, 4, 6, 7) and one failure
  // (run 3). Each table's first row is pointed at run 99, which is not in the file.
  const FileHeader header = make_header(9, 8);
  struct Case {
    const char* column;
    const char* row;
  };
  for (const Case c : {Case{"win_events/run", "(win 0)"}, Case{"action_events/run", "(action 0)"},
                       Case{"failures/run", "(failure 0)"}}) {
    INFO(c.column);
    const std::string path = fresh_path("orphan_row.h5");
    {
      ResultsWriter w(path, header);
      w.append(make_runs(0, 8, header));
      w.finish();
    }
    REQUIRE_NOTHROW(read_results(path));
    test::poke<std::int64_t>(path, c.column, H5T_NATIVE_INT64, 0, 99);
    CHECK_THROWS_AS(read_results(path), InputError);
    CHECK_THROWS_WITH(read_results(path), Catch::Contains(path) &&
                                              Catch::Contains(std::string("/") + c.column) &&
                                              Catch::Contains(std::string("99 ") + c.row));
  }
}

TEST_CASE("results file: varied parameters are the dotted names of the series' coordinates",
          "[hdf5]") {
  // The reader finds the varied parameters through the `coordinates` attribute of the (run, step)
  // datasets, not by listing the root group (where libhdf5 crashes on damaged files): a dotted
  // dataset the coordinates do not name is not a varied parameter, and a name they give without
  // its dataset, or with a dataset of another shape, is an input error naming it.
  const FileHeader header = make_header(5, 3);
  const std::string path = fresh_path("varied_by_name.h5");
  {
    ResultsWriter w(path, header);
    w.append(make_runs(0, 3, header));
    w.finish();
  }
  REQUIRE(header.varied.size() == 2);
  const std::string key = header.varied[1].key;
  {  // a stray dotted dataset on run, not among the coordinates
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(f >= 0);
    const hsize_t n = 3;
    const hid_t space = H5Screate_simple(1, &n, nullptr);
    const hid_t ds = H5Dcreate2(f, "stray.param", H5T_IEEE_F64LE, space, H5P_DEFAULT,
                                H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(ds >= 0);
    H5Dclose(ds);
    H5Sclose(space);
    H5Fclose(f);
  }
  const ResultsFile back = read_results(path);
  REQUIRE(back.header.varied.size() == 2);  // in the writer's order
  CHECK(back.header.varied[0].key == header.varied[0].key);
  CHECK(back.header.varied[1].key == key);

  const std::string wrong_shape = fresh_path("varied_wrong_shape.h5");
  fs::copy_file(path, wrong_shape);
  {
    const hid_t f = H5Fopen(wrong_shape.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(f >= 0);
    REQUIRE(H5Ldelete(f, key.c_str(), H5P_DEFAULT) >= 0);
    const hsize_t dims[2] = {3, 2};
    const hid_t space = H5Screate_simple(2, dims, nullptr);
    const hid_t ds =
        H5Dcreate2(f, key.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(ds >= 0);
    H5Dclose(ds);
    H5Sclose(space);
    H5Fclose(f);
  }
  CHECK_THROWS_AS(read_results(wrong_shape), InputError);
  CHECK_THROWS_WITH(read_results(wrong_shape), Catch::Contains(wrong_shape) &&
                                                   Catch::Contains("/" + key) &&
                                                   Catch::Contains("1-D float64"));
  {
    const hid_t f = H5Fopen(wrong_shape.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(f >= 0);
    REQUIRE(H5Ldelete(f, key.c_str(), H5P_DEFAULT) >= 0);
    H5Fclose(f);
  }
  CHECK_THROWS_WITH(read_results(wrong_shape), Catch::Contains(wrong_shape) &&
                                                   Catch::Contains("/" + key) &&
                                                   Catch::Contains("no such dataset"));
}

TEST_CASE("results file: a header the layout cannot hold is a programming error", "[hdf5]") {
  const std::string path = fresh_path("bad_header.h5");
  FileHeader h = make_header(4, 1);
  h.n_steps = 0;
  CHECK_THROWS_AS(ResultsWriter(path, h), std::logic_error);
  h = make_header(4, 1);
  h.varied[0].key = "turnover";  // not a dotted path: readers could not tell it is a parameter
  CHECK_THROWS_AS(ResultsWriter(path, h), std::logic_error);
  h = make_header(4, 1);
  h.varied[1].key = h.varied[0].key;
  CHECK_THROWS_AS(ResultsWriter(path, h), std::logic_error);
  h = make_header(4, 1);
  h.arm_names = {"two words"};
  CHECK_THROWS_AS(ResultsWriter(path, h), std::logic_error);
  CHECK_FALSE(fs::exists(path + ".partial"));
}

// Writes ${ORGSIM_TEST_TMP}/sample_results.h5: a small but realistic study (2 arms × 3 replicates
// at 2 design points of one varied parameter, 10 weekly steps) that the Python layout tests open
// with xarray and h5py when no engine-written file is given (ORGSIM_RESULTS_FILE).
TEST_CASE("results file: sample study for the Python layout tests", "[hdf5]") {
  fs::create_directories(ORGSIM_TEST_TMP);
  const std::string path = (fs::path(ORGSIM_TEST_TMP) / "sample_results.h5").string();
  constexpr std::int32_t n_steps = 10, n_arms = 2, n_reps = 3, n_points = 2;
  const std::vector<double> turnover = {0.005, 0.02};

  FileHeader h;
  h.kind = "sweep";
  h.design = "grid";
  h.master_seed = 20240501;
  h.n_runs_planned = n_points * n_arms * n_reps;
  h.n_steps = n_steps;
  h.arm_names = {"relationship_first", "big_messaging"};
  h.varied = {{"environment.turnover", "week-1", 0.0, 0.05, "Environment turnover",
               "share of staff replaced per week", ""}};
  h.scenario_json =
      R"({"name": "sample", "steps": 10, "population": {"n_agents": 200},)"
      R"( "arms": ["relationship_first", "big_messaging"], "replicates": 3})";
  h.resolved_params_json =
      R"({"environment": {"turnover": 0.01}, "population": {"n_agents": 200}})";
  h.parameter_table_json =
      R"([{"name": "environment.turnover", "default": 0.01, "min": 0.0, "max": 0.05,)"
      R"( "unit": "1", "meaning": "share of staff replaced per week", ""}])";
  h.sweep_json = R"({"design": "grid", "grid": {"environment.turnover": [0.005, 0.02]}})";
  h.command_line = "orgsim sweep scenarios/sample_sweep.json -o sample_results.h5";

  const std::size_t n_vars = per_step_outputs().size();
  const std::size_t turnout = per_step_index("turnout");
  std::vector<RunRecord> runs;
  std::int64_t index = 0;
  for (std::int32_t p = 0; p < n_points; ++p)
    for (std::int32_t a = 0; a < n_arms; ++a)
      for (std::int32_t k = 0; k < n_reps; ++k, ++index) {
        RunRecord r;
        r.run = index;
        r.arm = a;
        r.replicate = k;
        r.point = p;
        r.seed = replicate_seed(h.master_seed, static_cast<std::uint64_t>(k));
        r.status = 1;
        r.wall_seconds = 0.01f * static_cast<float>(index + 1);
        r.params = {turnover[static_cast<std::size_t>(p)]};
        r.per_step.assign(n_vars * n_steps, 0.0f);
        Rng rng(r.seed, Stream::participation);
        for (std::size_t v = 0; v < n_vars; ++v)
          for (std::size_t t = 0; t < n_steps; ++t)
            r.per_step[v * n_steps + t] = static_cast<float>(rng.uniform());
        // Turnout only where an action runs (every third week), NaN otherwise.
        double peak = 0.0, last = std::nan("");
        for (std::size_t t = 0; t < n_steps; ++t) {
          float& x = r.per_step[turnout * n_steps + t];
          if (t % 3 == 2) {
            x = static_cast<float>((0.2 + 0.3 * (1 - a)) * (1.0 - std::exp(-0.3 * double(t))) +
                                   0.05 * rng.uniform());
            peak = std::max(peak, static_cast<double>(x));
            last = x;
          } else {
            x = kNaN;
          }
        }
        r.per_run.assign(per_run_outputs().size(), 0.0);
        r.per_run[per_run_index("final_turnout")] = last;
        r.per_run[per_run_index("peak_turnout")] = peak;
        r.per_run[per_run_index("actions")] = 3;
        r.per_run[per_run_index("rounds_total")] = static_cast<double>(12 + index);
        // Wins at some action weeks (none in some runs): reversed within a few weeks or still
        // standing (censored) at the end.
        for (std::int32_t t = 2; t < n_steps; t += 3) {
          if (rng.uniform() < 0.5) continue;
          WinEvent w;
          w.start_step = t;
          w.strength = r.per_step[turnout * n_steps + static_cast<std::size_t>(t)];
          const auto end = t + 1 + static_cast<std::int32_t>(rng.below(8));
          w.censored = end >= n_steps;
          w.end_step = w.censored ? -1 : end;
          r.wins.push_back(w);
        }
        runs.push_back(std::move(r));
      }

  // The per-arm durability (/durability), as `orgsim run` computes it.
  const auto durability = durability_of(runs, h);

  fs::remove(path);
  {
    ResultsWriter w(path, h);
    w.append(runs);
    w.set_durability(durability);
    w.finish();
  }
  const ResultsFile back = read_results(path);
  REQUIRE(back.runs.size() == runs.size());
  require_same_runs(runs, back.runs);
  require_same_durability(durability, back.durability);
}

namespace {

/// A small sweep study of `method` ("sobol" or "morris") over two parameters, written as the
/// merge of a sweep writes it: runs (one failed), /durability, /design and /sensitivity.
void write_sample_sweep(const std::string& path, const std::string& method) {
  constexpr std::int32_t n_steps = 8, n_arms = 2, n_reps = 2;
  FileHeader h;
  h.kind = "sweep";
  h.design = method;
  h.master_seed = 20240601;
  h.n_steps = n_steps;
  h.arm_names = {"relationship_first", "big_messaging"};
  h.varied = {{"environment.turnover", "week-1", 0.0, 0.05, "Environment turnover",
               "share of staff replaced per week", ""},
              {"campaign.hours_per_organizer", "h", 1.0, 20.0, "Campaign hours per organizer",
               "organizing hours per week", ""}};
  h.scenario_json = R"({"name": "sample sweep", "steps": 8})";
  h.resolved_params_json = R"({"environment": {"turnover": 0.01}})";
  h.parameter_table_json = R"([{"name": "environment.turnover", "default": 0.01}])";
  h.sweep_json = R"({"design": {"type": ")" + method + R"(", "samples": 2}})";
  h.command_line = "orgsim sweep sample_sweep.json -o " + path;

  // The design: sobol with N = 2 (N (k + 2) = 8 points), morris with r = 2 trajectories of
  // k + 1 = 3 points (6 points), in the unit cube and scaled to the ranges.
  DesignTable design;
  design.type = method;
  for (const auto& v : h.varied) design.keys.push_back(v.key);
  const std::size_t n_points = method == "sobol" ? 8 : 6;
  for (std::size_t i = 0; i < n_points; ++i) {
    const std::vector<double> u = {static_cast<double>(i % 4) / 3.0,
                                   static_cast<double>((i * 3) % 5) / 4.0};
    design.unit.push_back(u);
    std::vector<double> row;
    for (std::size_t p = 0; p < 2; ++p)
      row.push_back(h.varied[p].min + u[p] * (h.varied[p].max - h.varied[p].min));
    design.points.push_back(row);
  }
  h.n_runs_planned = static_cast<std::int64_t>(n_points) * n_arms * n_reps;

  const std::size_t n_vars = per_step_outputs().size();
  const std::size_t turnout = per_step_index("turnout");
  std::vector<RunRecord> runs;
  std::int64_t index = 0;
  for (std::size_t p = 0; p < n_points; ++p)
    for (std::int32_t a = 0; a < n_arms; ++a)
      for (std::int32_t k = 0; k < n_reps; ++k, ++index) {
        RunRecord r;
        r.run = index;
        r.arm = a;
        r.replicate = k;
        r.point = static_cast<std::int32_t>(p);
        r.seed = replicate_seed(h.master_seed, static_cast<std::uint64_t>(k));
        r.params = design.points[p];
        r.per_step.assign(n_vars * n_steps, kNaN);
        r.per_run.assign(per_run_outputs().size(), std::nan(""));
        if (index == 5 || index == 17) {  // failed runs: no outputs, a message
          r.status = 2;
          r.message = "run " + std::to_string(index) +
                      ": campaign.hours_per_organizer out of range — Größe";
          runs.push_back(std::move(r));
          continue;
        }
        r.status = 1;
        r.wall_seconds = 0.01f * static_cast<float>(index + 1);
        Rng rng(r.seed + static_cast<std::uint64_t>(index), Stream::participation);
        for (std::size_t v = 0; v < n_vars; ++v)
          for (std::size_t t = 0; t < n_steps; ++t)
            r.per_step[v * n_steps + t] = static_cast<float>(rng.uniform());
        double peak = 0.0;
        for (std::size_t t = 0; t < n_steps; ++t)
          peak = std::max(peak, static_cast<double>(r.per_step[turnout * n_steps + t]));
        r.per_run.assign(per_run_outputs().size(), 0.0);
        r.per_run[per_run_index("final_turnout")] = r.per_step[turnout * n_steps + n_steps - 1];
        r.per_run[per_run_index("peak_turnout")] = peak;
        if (rng.uniform() < 0.6) {
          WinEvent w;
          w.start_step = 2 + static_cast<std::int32_t>(rng.below(3));
          w.strength = peak;
          const auto end = w.start_step + 1 + static_cast<std::int32_t>(rng.below(6));
          w.censored = end >= n_steps;
          w.end_step = w.censored ? -1 : end;
          r.wins.push_back(w);
        }
        runs.push_back(std::move(r));
      }

  const std::vector<std::string> outputs = {"final_turnout", "peak_turnout"};
  const SensitivityTable sensitivity = make_sensitivity(method, n_arms, outputs, design.keys);
  const auto durability = durability_of(runs, h);

  fs::remove(path);
  {
    ResultsWriter w(path, h);
    // Two batches, a failure in each (runs 5 and 17).
    w.append({runs.begin(), runs.begin() + 10});
    w.append({runs.begin() + 10, runs.end()});
    w.set_durability(durability);
    w.set_design(design);
    w.set_sensitivity(sensitivity);
    w.finish();
  }
  const ResultsFile back = read_results(path);
  require_same_runs(runs, back.runs);
  require_same_durability(durability, back.durability);
  require_same_design(design, back.design);
  require_same_sensitivity(sensitivity, back.sensitivity);
  CHECK(back.runs[5].message.find("out of range") != std::string::npos);
}

}  // namespace

// Writes ${ORGSIM_TEST_TMP}/sample_sweep.h5 (sobol) and sample_sweep_morris.h5 for the Python
// layout tests of /design, /sensitivity and /failures: 2 arms × 2 replicates at each design point
// of two parameters, two failed runs.
TEST_CASE("results file: sample sweeps for the Python layout tests", "[hdf5]") {
  fs::create_directories(ORGSIM_TEST_TMP);
  write_sample_sweep((fs::path(ORGSIM_TEST_TMP) / "sample_sweep.h5").string(), "sobol");
  write_sample_sweep((fs::path(ORGSIM_TEST_TMP) / "sample_sweep_morris.h5").string(), "morris");
}

TEST_CASE("results file: per-step chunks hold ~512 KiB of runs for long studies", "[hdf5]") {
  const std::string path = fresh_path("chunks.h5");
  FileHeader h = make_header(520, 120000);  // 10 years weekly, a large sweep
  {
    ResultsWriter w(path, h);
    w.append(make_runs(0, 1, h));
    w.finish();
  }
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(file >= 0);
  for (const auto& o : per_step_outputs()) {
    const hid_t ds = H5Dopen2(file, o.name.c_str(), H5P_DEFAULT);
    REQUIRE(ds >= 0);
    const hid_t dcpl = H5Dget_create_plist(ds);
    hsize_t chunk[2] = {0, 0};
    REQUIRE(H5Pget_chunk(dcpl, 2, chunk) == 2);
    CHECK(chunk[1] == 520);
    const hsize_t bytes = chunk[0] * chunk[1] * sizeof(float);
    CHECK(bytes >= 256 * 1024);
    CHECK(bytes <= 1024 * 1024);
    H5Pclose(dcpl);
    H5Dclose(ds);
  }
  H5Fclose(file);
}
