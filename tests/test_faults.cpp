// Fault tests (issue 9, docs/RELIABILITY.md): hostile results files, negative and out-of-range
// codes, a full disk (injected, and a real tmpfs where the test can mount one), a second writer,
// a file in place of the output folder, names that would escape results/. Every command must
// exit 1 or 2 with a message naming the file, never die of a signal, and lose nothing.
#include <catch2/catch.hpp>
#include <hdf5.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "h5poke.hpp"
#include "helpers.hpp"
#include "io/results_file.hpp"

using namespace orgsim;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using Result = test::CliResult;

/// The binary run with `env` ("NAME=value ...") before it.
Result sh(const std::string& args, const std::string& env = "") { return test::run_cli(args, env); }

std::string slurp_bytes(const std::string& p) { return test::slurp(p); }

/// A small sweep file (8 runs: 2 points x 2 arms x 2 replicates).
std::string small_sweep(const std::string& name, int size = 100, int steps = 20) {
  std::ifstream in(test::source_path("scenarios/default.json"));
  json sc = json::parse(in);
  sc["population"]["size"] = size;
  sc["network"]["departments"] = 5;
  sc["steps"] = steps;
  const json sweep = {{"name", name},
                      {"scenario", sc},
                      {"design", json::parse(R"({"type": "grid", "parameters": {
                          "campaign.hours_per_step": [10, 20]}})")},
                      {"replicates", 2},
                      {"seed", 3}};
  const std::string path = test::tmp_path(name + ".json");
  std::ofstream(path) << sweep.dump(2);
  return path;
}

std::string fresh_dir(const std::string& name) {
  const std::string d = test::tmp_path(name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

/// Leaves a sweep's parts (shard 0 of 2: the sweep is not finished, so no merge runs).
std::string make_parts(const std::string& dir, const std::string& sweep) {
  const std::string out = dir + "/s.h5";
  const auto r = sh("sweep " + sweep + " -o " + out + " --shard 0/2 --part-runs 1 --quiet");
  REQUIRE(r.code == 0);
  return out;
}

std::vector<std::string> part_files(const std::string& parts_dir) {
  std::vector<std::string> v;
  for (const auto& e : fs::directory_iterator(parts_dir))
    if (e.path().extension() == ".h5") v.push_back(e.path().string());
  std::sort(v.begin(), v.end());
  return v;
}

void expect_clean_failure(const Result& r, const std::string& names) {
  INFO(r.err);
  CHECK((r.code == 1 || r.code == 2));
  CHECK(r.err.find(names) != std::string::npos);
}

}  // namespace

TEST_CASE("faults: negative and out-of-range codes in a part are refused by every command",
          "[faults]") {
  const std::string sweep = small_sweep("neg");
  for (const char* ds : {"arm", "point", "replicate"}) {
    for (const std::int32_t bad : {-1, -2147483647, 1000000}) {
      const std::string dir = fresh_dir(std::string("neg-") + ds);
      const std::string out = make_parts(dir, sweep);
      const auto parts = part_files(out + ".parts");
      REQUIRE(parts.size() >= 2);
      test::poke<std::int32_t>(parts.front(), ds, H5T_NATIVE_INT32, 0, bad);
      const std::string before = slurp_bytes(parts.front());
      INFO(ds << " = " << bad);
      expect_clean_failure(sh("merge " + out + ".parts"), parts.front());
      expect_clean_failure(sh("status " + out + ".parts"), parts.front());
      expect_clean_failure(sh("sweep " + sweep + " -o " + out + " --resume --quiet"),
                           parts.front());
      expect_clean_failure(sh("summarize " + parts.front()), parts.front());
      CHECK(slurp_bytes(parts.front()) == before);  // nothing lost
      CHECK(part_files(out + ".parts").size() == parts.size());
      CHECK_FALSE(fs::exists(out));
    }
  }
}

TEST_CASE("faults: merge removes only the parts it merged, and refuses a folder without parts",
          "[faults]") {
  const std::string sweep = small_sweep("keep");
  const std::string dir = fresh_dir("keep");
  const std::string out = dir + "/s.h5";
  REQUIRE(sh("sweep " + sweep + " -o " + out + " --shard 0/2 --quiet").code == 0);
  REQUIRE(sh("sweep " + sweep + " -o " + out + " --shard 1/2 --quiet").code == 0);
  std::ofstream(out + ".parts/notes.txt") << "my notes";
  const auto r = sh("merge " + out + ".parts");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(fs::exists(out));
  CHECK(part_files(out + ".parts").empty());
  CHECK(slurp_bytes(out + ".parts/notes.txt") == "my notes");

  // A folder holding no parts is not a sweep's: refused, nothing touched.
  const auto again = sh("merge " + out + ".parts -o " + dir + "/x.h5");
  expect_clean_failure(again, out + ".parts");
  CHECK(again.code == 2);
  CHECK(fs::exists(out + ".parts/notes.txt"));
  const std::string plain = fresh_dir("plain");
  std::ofstream(plain + "/precious.txt") << "x";
  expect_clean_failure(sh("merge " + plain + " -o " + dir + "/y.h5"), plain);
  CHECK(fs::exists(plain + "/precious.txt"));
}

TEST_CASE("faults: the scenario name must be a plain file stem, and other files are not replaced",
          "[faults]") {
  const std::string dir = fresh_dir("names");
  std::ifstream in(test::source_path("scenarios/default.json"));
  json sc = json::parse(in);
  sc["population"]["size"] = 100;
  sc["network"]["departments"] = 5;
  sc["steps"] = 10;
  sc["replicates"] = 1;
  for (const std::string& bad : std::vector<std::string>{"../../escaped", std::string("a\0b", 3), ".hidden", "a/b"}) {
    sc["name"] = bad;
    const std::string path = dir + "/bad.json";
    std::ofstream(path) << sc.dump();
    const auto r = sh("run " + path + " --quiet");
    INFO(r.err);
    CHECK(r.code == 2);
    CHECK(r.err.find(path) != std::string::npos);
    CHECK(r.err.find("name") != std::string::npos);
    // `check` says so too (it used to print "valid" and an output path under the bad name),
    // and with -o the name does not matter.
    const auto c = sh("check " + path);
    INFO(c.out << c.err);
    CHECK(c.code == 2);
    CHECK(c.err.find("plain file name stem") != std::string::npos);
    CHECK(sh("check " + path + " -o " + dir + "/named.h5").code == 0);
  }
  CHECK_FALSE(fs::exists(test::source_path("escaped.h5")));
  CHECK_FALSE(fs::exists("escaped.h5"));
  {
    // A sweep's name likewise, in `check` and `sweep` (a fuzzed sweep named "... with
    // /usr/bin/python1 ..." was "valid" in `check`, and `sweep` refused it).
    std::ifstream sw(small_sweep("ok_name"));
    json sweep = json::parse(sw);
    sweep["name"] = "with /usr/bin/python1 -m study";
    const std::string path = dir + "/bad_sweep.json";
    std::ofstream(path) << sweep.dump();
    for (const char* command : {"check ", "sweep --quiet "}) {
      const auto r = sh(command + path);
      INFO(command << r.out << r.err);
      CHECK(r.code == 2);
      CHECK(r.err.find("plain file name stem") != std::string::npos);
    }
  }

  sc["name"] = "ok";
  const std::string path = dir + "/ok.json";
  std::ofstream(path) << sc.dump();
  const std::string target = dir + "/thesis.h5";
  std::ofstream(target) << "three years of work";
  const auto refused = sh("run " + path + " -o " + target + " --quiet");
  expect_clean_failure(refused, target);
  CHECK(slurp_bytes(target) == "three years of work");
  REQUIRE(sh("run " + path + " -o " + target + " --quiet --force").code == 0);
  CHECK(is_results_file(target));
  CHECK(sh("run " + path + " -o " + target + " --quiet").code == 0);  // a results file: replaced
}

TEST_CASE("faults: an injected write failure exits 1, leaves no final file, and resume finishes",
          "[faults]") {
  const std::string sweep = small_sweep("enospc");
  const std::string dir = fresh_dir("enospc");
  const std::string whole = dir + "/whole.h5";
  REQUIRE(sh("sweep " + sweep + " -o " + whole + " --quiet --threads 2").code == 0);

  const std::string out = dir + "/s.h5";
  const auto r = sh("sweep " + sweep + " -o " + out + " --quiet --threads 2 --part-runs 2",
                    "ORGSIM_FAULT_WRITE_AFTER_RUNS=4");
  INFO(r.err);
  CHECK(r.code == 1);
  CHECK(r.err.find("No space left on device") != std::string::npos);
  CHECK(r.err.find(dir) != std::string::npos);
  CHECK_FALSE(fs::exists(out));
  REQUIRE(part_files(out + ".parts").size() == 2);  // the parts written before the fault
  const auto resumed = sh("sweep " + sweep + " -o " + out + " --resume --quiet");
  INFO(resumed.err);
  REQUIRE(resumed.code == 0);
  const ResultsFile a = read_results(whole), b = read_results(out);
  REQUIRE(a.runs.size() == b.runs.size());
  // Bit for bit, NaN included (undefined outcomes are NaN, and NaN != NaN).
  for (std::size_t i = 0; i < a.runs.size(); ++i) {
    INFO("run " << a.runs[i].run);
    CHECK(a.runs[i].run == b.runs[i].run);
    CHECK(test::same_bits(a.runs[i].per_run, b.runs[i].per_run));
  }

  const auto run = sh("run " + test::source_path("scenarios/validation/granovetter.json") +
                          " -o " + dir + "/run.h5 --quiet",
                      "ORGSIM_FAULT_WRITE_AFTER_RUNS=0");
  expect_clean_failure(run, dir + "/run.h5");
  CHECK(run.code == 1);
  CHECK_FALSE(fs::exists(dir + "/run.h5"));
  CHECK_FALSE(fs::exists(dir + "/run.h5.partial"));
}

TEST_CASE("faults: a fresh sweep writes its last runs once, and a failed finish still resumes",
          "[faults]") {
  // 8 runs, fewer than a part holds: a fresh single-process sweep streams them into the final
  // file and writes no part at the end, so a write budget of 8 runs is enough (before, the runs
  // went to a part first and then to the final file: 16). With a budget of 4 the final file
  // cannot be finished; the sweep exits 1 with no final file, and --resume finishes it.
  const std::string sweep = small_sweep("last_part");
  const std::string dir = fresh_dir("last_part");
  const std::string whole = dir + "/whole.h5";
  REQUIRE(sh("sweep " + sweep + " -o " + whole + " --quiet --threads 2").code == 0);
  REQUIRE(read_results(whole).runs.size() == 8);

  const std::string once = dir + "/once.h5";
  const auto r8 = sh("sweep " + sweep + " -o " + once + " --quiet --threads 2",
                     "ORGSIM_FAULT_WRITE_AFTER_RUNS=8");
  INFO(r8.err);
  CHECK(r8.code == 0);
  CHECK(fs::exists(once));
  CHECK_FALSE(fs::exists(once + ".parts"));

  const std::string out = dir + "/s.h5";
  const auto r4 = sh("sweep " + sweep + " -o " + out + " --quiet --threads 2",
                     "ORGSIM_FAULT_WRITE_AFTER_RUNS=4");
  INFO(r4.err);
  CHECK(r4.code == 1);
  CHECK(r4.err.find("No space left on device") != std::string::npos);
  CHECK_FALSE(fs::exists(out));
  CHECK_FALSE(fs::exists(out + ".partial"));
  const auto resumed = sh("sweep " + sweep + " -o " + out + " --resume --quiet");
  INFO(resumed.err);
  REQUIRE(resumed.code == 0);
  const ResultsFile a = read_results(whole), b = read_results(out);
  REQUIRE(a.runs.size() == b.runs.size());
  for (std::size_t i = 0; i < a.runs.size(); ++i) {
    INFO("run " << a.runs[i].run);
    CHECK(a.runs[i].seed == b.runs[i].seed);
    CHECK(test::same_bits(a.runs[i].per_run, b.runs[i].per_run));
  }
}

TEST_CASE("faults: a real full disk (tmpfs) exits 1, never a signal", "[faults]") {
  if (geteuid() != 0) {
    WARN("skipped: mounting a tmpfs needs root");
    return;
  }
  const std::string dir = fresh_dir("tmpfs");
  if (std::system(("mount -t tmpfs -o size=200k tmpfs " + dir + " 2>/dev/null").c_str()) != 0) {
    WARN("skipped: cannot mount a tmpfs here");
    return;
  }
  struct Unmount {
    std::string d;
    ~Unmount() { (void)std::system(("umount " + d).c_str()); }
  } unmount{dir};
  const auto run = sh("run " + test::source_path("scenarios/default.json") + " -o " + dir +
                      "/a.h5 --quiet --threads 2");
  expect_clean_failure(run, dir + "/a.h5");
  CHECK(run.code == 1);
  CHECK_FALSE(fs::exists(dir + "/a.h5"));
  const std::string sweep = small_sweep("tmpfs", 2000, 150);
  const auto sw = sh("sweep " + sweep + " -o " + dir + "/s.h5 --quiet --threads 2 --part-runs 1");
  INFO(sw.err);
  CHECK(sw.code == 1);
  CHECK(sw.err.find(dir) != std::string::npos);
  CHECK_FALSE(fs::exists(dir + "/s.h5"));
}

TEST_CASE("faults: a second writer of the same sweep exits with the holder's pid", "[faults]") {
  const std::string sweep = small_sweep("race", 2000, 150);
  const std::string dir = fresh_dir("race");
  const std::string out = dir + "/s.h5";
  const std::string pidfile = dir + "/pid";
  REQUIRE(std::system((std::string(ORGSIM_BINARY) + " sweep " + sweep + " -o " + out +
                       " --quiet --threads 1 --part-runs 1 >/dev/null 2>&1 & echo $! > " + pidfile)
                          .c_str()) == 0);
  for (int i = 0; i < 200 && !fs::exists(out + ".parts/.lock"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  std::string pid;
  std::ifstream(pidfile) >> pid;
  for (const std::string& args : {"sweep " + sweep + " -o " + out + " --quiet",
                                  "sweep " + sweep + " -o " + out + " --resume --quiet"}) {
    const auto r = sh(args);
    INFO(r.err);
    CHECK((r.code == 1 || r.code == 2));
    CHECK(r.err.find("is being written by pid " + pid) != std::string::npos);
  }
  (void)std::system(("kill -9 " + pid + " 2>/dev/null").c_str());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // Killed: every part under a final name is whole; --resume finishes.
  for (const auto& p : part_files(out + ".parts")) CHECK_NOTHROW(read_results(p, false));
  const auto resumed = sh("sweep " + sweep + " -o " + out + " --resume --quiet --threads 2");
  INFO(resumed.err);
  CHECK(resumed.code == 0);
  CHECK(read_results(out, false).runs.size() == 8);
}

namespace {

/// `path` (a results file) copied in as the only part of the sweep `sweep`'s output `out`.
std::string as_part(const std::string& path, const std::string& out) {
  fs::remove(out);
  fs::remove_all(out + ".parts");
  fs::create_directories(out + ".parts");
  const std::string part = out + ".parts/part-s0of1-g0-000000.h5";
  fs::copy_file(path, part);
  return part;
}

/// Every command that reads results files, on a damaged one: each exits 1 or 2 with a message
/// naming it, never a signal, and leaves it as it was. `report` (a Python process per call) only
/// when `with_report`.
void expect_every_command_refuses(const std::string& path, const std::string& sweep,
                                  bool with_report) {
  INFO(path);
  const std::string before = slurp_bytes(path);
  expect_clean_failure(sh("summarize " + path), path);
  expect_clean_failure(sh("rerun " + path + " --run 0"), path);
  const std::string out = path + ".sweep/s.h5";
  const std::string part = as_part(path, out);
  expect_clean_failure(sh("status " + out + ".parts"), part);
  expect_clean_failure(sh("merge " + out + ".parts"), part);
  expect_clean_failure(sh("sweep " + sweep + " -o " + out + " --resume --quiet"), part);
  if (with_report) expect_clean_failure(sh("report " + path + " -o " + path + ".html"), path);
  CHECK(slurp_bytes(part) == before);
  CHECK(slurp_bytes(path) == before);
  CHECK_FALSE(fs::exists(out));
}

/// A command on a file that may or may not still be readable (a flipped byte in the data is
/// not always detectable): it succeeds, or it exits 1 or 2 naming the file; never a signal.
void expect_no_signal(const Result& r, const std::string& names, const std::string& what) {
  INFO(what << ": exit " << r.code << "\n" << r.err);
  CHECK((r.code == 0 || ((r.code == 1 || r.code == 2) && r.err.find(names) != std::string::npos)));
}

/// Overwrites every third byte of the first chunk of the 2-D dataset `ds_name` with its
/// complement (a corrupt compressed chunk).
void corrupt_first_chunk(const std::string& file, const char* ds_name) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  const hid_t ds = H5Dopen2(f, ds_name, H5P_DEFAULT);
  REQUIRE(ds >= 0);
  haddr_t addr = 0;
  hsize_t size = 0;
  const hid_t space = H5Dget_space(ds);
  REQUIRE(H5Dget_chunk_info(ds, space, 0, nullptr, nullptr, &addr, &size) >= 0);
  H5Sclose(space);
  H5Dclose(ds);
  H5Fclose(f);
  REQUIRE(size > 8);
  std::fstream io(file, std::ios::in | std::ios::out | std::ios::binary);
  std::string chunk(size, '\0');
  io.seekg(static_cast<std::streamoff>(addr));
  io.read(chunk.data(), static_cast<std::streamsize>(size));
  for (std::size_t i = 2; i < chunk.size(); i += 3) chunk[i] = static_cast<char>(~chunk[i]);
  io.seekp(static_cast<std::streamoff>(addr));
  io.write(chunk.data(), static_cast<std::streamsize>(size));
}

/// Replaces the int32 dataset `ds_name` (one value per run) with a string dataset.
void retype_as_strings(const std::string& file, const char* ds_name) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  REQUIRE(f >= 0);
  hid_t ds = H5Dopen2(f, ds_name, H5P_DEFAULT);
  REQUIRE(ds >= 0);
  const hid_t old_space = H5Dget_space(ds);
  hsize_t dims[1] = {0};
  REQUIRE(H5Sget_simple_extent_dims(old_space, dims, nullptr) == 1);
  H5Sclose(old_space);
  const hid_t space = H5Screate_simple(1, dims, nullptr);  // fixed size: contiguous is allowed
  H5Dclose(ds);
  REQUIRE(H5Ldelete(f, ds_name, H5P_DEFAULT) >= 0);
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, 8);
  ds = H5Dcreate2(f, ds_name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(ds >= 0);
  H5Dclose(ds);
  H5Tclose(type);
  H5Sclose(space);
  H5Fclose(f);
}

}  // namespace

TEST_CASE("faults: hostile results files fail cleanly in every command", "[faults]") {
  ORGSIM_NORMAL_BUILD_ONLY();
  const std::string dir = fresh_dir("hostile");
  const std::string sweep = small_sweep("hostile");
  const std::string good = dir + "/good.h5";
  REQUIRE(sh("run " + test::source_path("scenarios/validation/granovetter.json") + " -o " + good +
             " --quiet")
              .code == 0);
  const std::string bytes = slurp_bytes(good);
  std::vector<std::pair<std::string, std::string>> files;  // name, content
  files.emplace_back("truncated.h5", bytes.substr(0, bytes.size() / 2));
  std::string flipped = bytes;
  for (std::size_t i = 0; i < flipped.size(); i += 997) flipped[i] = static_cast<char>(~flipped[i]);
  files.emplace_back("flipped.h5", flipped);
  std::string superblock = bytes;  // the superblock's version, sizes and root address
  for (std::size_t i = 8; i < 48 && i < superblock.size(); ++i)
    superblock[i] = static_cast<char>(~superblock[i]);
  files.emplace_back("superblock.h5", superblock);
  // One byte of the superblock's addresses: h5py's HDF5 dies of a signal on it (seen: SIGSEGV,
  // and glibc's "free(): invalid pointer" abort), so `report` must say so and name the file.
  std::string byte40 = bytes;
  byte40[40] = static_cast<char>(~byte40[40]);
  files.emplace_back("superblock_byte40.h5", byte40);
  files.emplace_back("text.h5", "not hdf5 at all\n");
  files.emplace_back("empty.h5", "");
  for (const auto& [name, content] : files) std::ofstream(dir + "/" + name, std::ios::binary) << content;
  {  // a foreign HDF5 file, one with the wrong schema attribute, one with a dataset of the wrong
     // type, one with a corrupt compressed chunk of a (run, step) series
    const hid_t f = H5Fcreate((dir + "/foreign.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(f);
    const std::string wrong = dir + "/wrong_schema.h5";
    fs::copy_file(good, wrong, fs::copy_options::overwrite_existing);
    const hid_t w = H5Fopen(wrong.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    H5Adelete(w, "schema");
    H5Fclose(w);
    fs::copy_file(good, dir + "/wrong_type.h5", fs::copy_options::overwrite_existing);
    retype_as_strings(dir + "/wrong_type.h5", "replicate");
    files.emplace_back("foreign.h5", "");
    files.emplace_back("wrong_schema.h5", "");
    files.emplace_back("wrong_type.h5", "");
  }
  for (const auto& [name, content] : files)
    expect_every_command_refuses(dir + "/" + name, sweep,
                                 name == "truncated.h5" || name == "superblock.h5" ||
                                     name == "superblock_byte40.h5");

  // Files on which HDF5 1.10 itself crashes (the fuzzer's reproducers, docs/FUZZING.md): a
  // variable-length string whose length points far past its heap object makes HDF5's conversion
  // copy hundreds of megabytes (SIGSEGV); another makes it free a pointer it never allocated
  // (glibc's abort, SIGABRT); a corrupt B-tree address makes it copy from past the end of the
  // file's image (SIGSEGV). Every command exits 1 naming the file instead.
  for (const char* name : {"hdf5_vlen_string_attr_memcpy_overlap.h5",
                           "hdf5_vlen_string_dataset_memcpy_overlap.h5",
                           "hdf5_vlen_attr_free_invalid_pointer.h5", "hdf5_accum_read_segv.h5"}) {
    const std::string path = dir + "/" + name;
    REQUIRE(std::system(("gzip -dc " + test::source_path("fuzz/regressions/results/") + name +
                         ".gz > " + path)
                            .c_str()) == 0);
    expect_every_command_refuses(path, sweep, false);
    CHECK(sh("summarize " + path).code == 1);
  }

  // A corrupt chunk of a series: what reads the series (rerun's check, merge, --resume) refuses
  // the file; summarize reads no series and may succeed.
  const std::string chunk = dir + "/corrupt_chunk.h5";
  fs::copy_file(good, chunk, fs::copy_options::overwrite_existing);
  corrupt_first_chunk(chunk, "turnout");
  expect_no_signal(sh("summarize " + chunk), chunk, "summarize");
  const std::string out = dir + "/chunk.sweep/s.h5";
  const std::string part = as_part(chunk, out);
  expect_clean_failure(sh("merge " + out + ".parts"), part);
  expect_no_signal(sh("status " + out + ".parts"), part, "status");
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("faults: a byte flipped anywhere in a results file never ends a command on a signal",
          "[faults]") {
  ORGSIM_NORMAL_BUILD_ONLY();
  // Every 32nd byte of the first 4 KiB (superblock, root group, object headers, B-trees, heaps)
  // and bytes spread over the rest, each flipped alone.
  const std::string dir = fresh_dir("flips");
  const std::string good = dir + "/good.h5";
  REQUIRE(sh("run " + test::source_path("scenarios/validation/granovetter.json") + " -o " + good +
             " --quiet")
              .code == 0);
  const std::string bytes = slurp_bytes(good);
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < 4096 && i < bytes.size(); i += 32) offsets.push_back(i);
  for (std::size_t i = 4096; i < bytes.size(); i += bytes.size() / 24) offsets.push_back(i);
  for (const std::size_t at : offsets) {
    std::string copy = bytes;
    copy[at] = static_cast<char>(~copy[at]);
    const std::string path = dir + "/flip-" + std::to_string(at) + ".h5";
    std::ofstream(path, std::ios::binary) << copy;
    expect_no_signal(sh("summarize " + path), path, "summarize, byte " + std::to_string(at));
    // rerun may also find a changed value and say the run DIFFERS (exit 1).
    const Result rr = sh("rerun " + path + " --run 0");
    if (!(rr.code == 1 && rr.out.find("DIFFERS from the file") != std::string::npos))
      expect_no_signal(rr, path, "rerun, byte " + std::to_string(at));
    fs::remove(path);
  }
}

TEST_CASE("faults: a file in place of the output folder fails cleanly", "[faults]") {
  const std::string dir = fresh_dir("notadir");
  std::ofstream(dir + "/file") << "x";
  const auto r = sh("run " + test::source_path("scenarios/validation/granovetter.json") + " -o " +
                    dir + "/file/out.h5 --quiet");
  INFO(r.err);
  CHECK((r.code == 1 || r.code == 2));
  CHECK(r.err.find(dir + "/file") != std::string::npos);
  CHECK(slurp_bytes(dir + "/file") == "x");
}

namespace {

/// Starts the binary in the background; its pid.
std::string spawn(const std::string& args, const std::string& tag) {
  const std::string pidfile = test::tmp_path(tag + ".pid");
  REQUIRE(std::system((std::string(ORGSIM_BINARY) + " " + args + " >/dev/null 2>&1 & echo $! > " +
                       pidfile)
                          .c_str()) == 0);
  std::string pid;
  std::ifstream(pidfile) >> pid;
  REQUIRE_FALSE(pid.empty());
  return pid;
}

/// Kills `pid` with SIGKILL (if it still runs) and waits until it is gone.
void kill9(const std::string& pid) {
  (void)std::system(("kill -9 " + pid + " 2>/dev/null").c_str());
  for (int i = 0; i < 200 && std::system(("kill -0 " + pid + " 2>/dev/null").c_str()) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

using test::same_bits;

/// Everything a results file holds but the timings (wall_seconds) and the provenance of the
/// writing process: runs, their values bit for bit (NaN included), wins, actions, failures,
/// durability, design and sensitivity.
void require_same_results(const ResultsFile& a, const ResultsFile& b) {
  REQUIRE(a.runs.size() == b.runs.size());
  for (std::size_t i = 0; i < a.runs.size(); ++i) {
    const RunRecord &x = a.runs[i], &y = b.runs[i];
    INFO("run " << x.run);
    CHECK((x.run == y.run && x.point == y.point && x.arm == y.arm &&
           x.replicate == y.replicate && x.seed == y.seed && x.status == y.status &&
           x.message == y.message));
    CHECK(same_bits(x.per_step, y.per_step));
    CHECK(same_bits(x.per_run, y.per_run));
    CHECK(same_bits(x.params, y.params));
    REQUIRE(x.wins.size() == y.wins.size());
    for (std::size_t k = 0; k < x.wins.size(); ++k)
      CHECK((x.wins[k].start_step == y.wins[k].start_step &&
             x.wins[k].end_step == y.wins[k].end_step &&
             x.wins[k].censored == y.wins[k].censored &&
             same_bits(&x.wins[k].strength, &y.wins[k].strength, sizeof(double))));
    REQUIRE(x.actions.size() == y.actions.size());
    for (std::size_t k = 0; k < x.actions.size(); ++k)
      CHECK((x.actions[k].step == y.actions[k].step && x.actions[k].won == y.actions[k].won &&
             same_bits(&x.actions[k].power, &y.actions[k].power, sizeof(double)) &&
             same_bits(&x.actions[k].turnout, &y.actions[k].turnout, sizeof(double))));
  }
  REQUIRE(a.durability.size() == b.durability.size());
  for (std::size_t k = 0; k < a.durability.size(); ++k) {
    CHECK(a.durability[k].arm == b.durability[k].arm);
    CHECK(a.durability[k].wins == b.durability[k].wins);
    CHECK(a.durability[k].reversals == b.durability[k].reversals);
    CHECK(same_bits(a.durability[k].curve.survival, b.durability[k].curve.survival));
  }
  CHECK(a.design.points == b.design.points);
  CHECK(a.header.n_runs_planned == b.header.n_runs_planned);
  CHECK(a.header.master_seed == b.header.master_seed);
}

/// Runs so long that a kill lands mid-sweep or mid-merge: 24 runs of 1500 agents x 120 steps.
std::string kill_sweep(const std::string& name) {
  std::ifstream in(test::source_path("scenarios/default.json"));
  json sc = json::parse(in);
  sc["population"]["size"] = 1500;
  sc["network"]["departments"] = 50;
  sc["steps"] = 120;
  const json sweep = {{"name", name}, {"scenario", sc},
                      {"design", json::parse(R"({"type": "grid", "parameters": {
                          "campaign.hours_per_step": [10, 15, 20]}})")},
                      {"replicates", 4}, {"seed", 7}};
  const std::string path = test::tmp_path(name + ".json");
  std::ofstream(path) << sweep.dump(2);
  return path;
}

}  // namespace

TEST_CASE("faults: SIGKILL during --resume and during merge loses nothing, and the file is "
          "the uninterrupted one",
          "[faults][resume][slow]") {
  const std::string sweep = kill_sweep("killmid");
  const std::string dir = fresh_dir("killmid");
  const std::string whole = dir + "/whole.h5";
  REQUIRE(sh("sweep " + sweep + " -o " + whole + " --quiet --threads 2").code == 0);
  const ResultsFile reference = read_results(whole);
  REQUIRE(reference.runs.size() == 24);

  SECTION("killed while sweeping, killed again while resuming, then resumed to the end") {
    const std::string out = dir + "/resumed.h5";
    const auto parts_now = [&] {
      return fs::exists(out + ".parts") ? part_files(out + ".parts").size() : std::size_t{0};
    };
    std::string pid = spawn("sweep " + sweep + " -o " + out + " --threads 1 --part-runs 1 --quiet",
                            "killmid-sweep");
    for (int i = 0; i < 1200 && parts_now() < 3; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    kill9(pid);
    const std::size_t first = parts_now();
    REQUIRE(first >= 3);
    REQUIRE(first < 24);  // the kill landed mid-sweep
    CHECK_FALSE(fs::exists(out));
    // Every part under a final name is whole.
    for (const auto& p : part_files(out + ".parts")) CHECK_NOTHROW(read_results(p, false));

    pid = spawn("sweep " + sweep + " -o " + out + " --resume --threads 1 --part-runs 1 --quiet",
                "killmid-resume");
    for (int i = 0; i < 1200 && parts_now() < first + 3; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    kill9(pid);
    const std::size_t second = parts_now();
    CHECK(second >= first + 3);  // the resume added parts and kept the old ones
    CHECK_FALSE(fs::exists(out));
    for (const auto& p : part_files(out + ".parts")) CHECK_NOTHROW(read_results(p, false));

    const auto done = sh("sweep " + sweep + " -o " + out + " --resume --quiet --threads 2");
    INFO(done.err);
    REQUIRE(done.code == 0);
    require_same_results(reference, read_results(out));
  }

  SECTION("merge killed at several moments, then merged again") {
    const std::string out = dir + "/merged.h5";
    REQUIRE(sh("sweep " + sweep + " -o " + out + " --shard 0/2 --part-runs 1 --quiet").code == 0);
    REQUIRE(sh("sweep " + sweep + " -o " + out + " --shard 1/2 --part-runs 1 --quiet").code == 0);
    const auto parts = part_files(out + ".parts");
    REQUIRE(parts.size() == 24);
    std::vector<std::string> before;
    for (const auto& p : parts) before.push_back(slurp_bytes(p));
    // How long a whole merge takes, on a copy; the kills land across that time.
    const std::string copy = dir + "/copy.h5";
    fs::copy(out + ".parts", copy + ".parts");
    const auto t0 = std::chrono::steady_clock::now();
    REQUIRE(sh("merge " + copy + ".parts -o " + copy).code == 0);
    const double merge_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    require_same_results(reference, read_results(copy));
    int interrupted = 0;
    for (const double share : {0.1, 0.3, 0.5, 0.7, 0.9}) {
      const std::string pid = spawn("merge " + out + ".parts -o " + out, "killmid-merge");
      std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(share * merge_ms));
      kill9(pid);
      INFO("killed at " << share << " of a " << merge_ms << " ms merge");
      // Either the final file is in place and whole (the parts are removed only after that),
      // or nothing stands under the final name and every part is there byte for byte.
      if (fs::exists(out)) {
        REQUIRE(read_results(out, false).runs.size() == 24);
        break;
      }
      ++interrupted;
      const auto left = part_files(out + ".parts");
      REQUIRE(left.size() == parts.size());
      for (std::size_t k = 0; k < left.size(); ++k) CHECK(slurp_bytes(left[k]) == before[k]);
    }
    if (!fs::exists(out)) {
      const auto again = sh("merge " + out + ".parts -o " + out);
      INFO(again.err);
      REQUIRE(again.code == 0);
    }
    require_same_results(reference, read_results(out));
    WARN(interrupted << " of the kills interrupted a merge of " << merge_ms << " ms");
  }
}

TEST_CASE("faults: a read HDF5 loops on ends with a message after the read time limit", "[faults]") {
  ORGSIM_NORMAL_BUILD_ONLY();
  // The fuzzer's reproducer: a variable-length provenance string whose global-heap reference
  // sends HDF5 1.10 into a loop (more than 100 s). With ORGSIM_READ_TIMEOUT=2 summarize and
  // report stop at the limit, name the file and what they were reading, and exit 1 (timeout 60:
  // a hang fails).
  const std::string path = fresh_dir("hang") + "/hang.h5";
  REQUIRE(std::system(("gzip -dc " +
                       test::source_path("fuzz/regressions/results/hdf5_vlen_string_dataset_hang.h5.gz") +
                       " > " + path)
                          .c_str()) == 0);
  const auto start = std::chrono::steady_clock::now();
  const auto r = test::run_cli("summarize " + path, "ORGSIM_READ_TIMEOUT=2 timeout 60");
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(r.code == 1);
  CHECK(r.has("hang.h5"));
  CHECK(r.has("took more than 2 s"));
  CHECK(took < 30);
  // `report` reads through h5py (analysis/load.py), under the same limit and with the same words.
  const auto rstart = std::chrono::steady_clock::now();
  const auto rep =
      test::run_cli("report " + path + " -o " + path + ".html", "ORGSIM_READ_TIMEOUT=2 timeout 60");
  const double rtook =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - rstart).count();
  INFO(rep.err);
  CHECK(rep.code == 1);
  CHECK(rep.has("hang.h5"));
  CHECK(rep.has("reading /provenance/parameter_table_json took more than 2 s"));
  CHECK(rtook < 30);
  // A healthy file reads well within the limit (the watchdog does not fire on slow machines).
  const std::string good = fresh_dir("hang-ok") + "/good.h5";
  REQUIRE(test::run_cli("run " + test::source_path("scenarios/default.json") +
                        " --set population.size=100 --set steps=10 --replicates 2 -q -o " + good)
              .code == 0);
  const auto ok = test::run_cli("summarize " + good, "ORGSIM_READ_TIMEOUT=2");
  CHECK(ok.code == 0);
  const auto ok_report =
      test::run_cli("report " + good + " -o " + good + ".html", "ORGSIM_READ_TIMEOUT=2");
  INFO(ok_report.err);
  CHECK(ok_report.code == 0);
}
