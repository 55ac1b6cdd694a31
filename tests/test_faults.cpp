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

#include "helpers.hpp"
#include "io/results_file.hpp"

using namespace orgsim;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Result {
  int code;  // exit status, or 128 + signal
  std::string out, err;
};

Result sh(const std::string& args, const std::string& env = "") {
  static int calls = 0;
  const std::string tag = std::to_string(getpid()) + "-" + std::to_string(++calls);
  const std::string out = test::tmp_path("faults-" + tag + ".out");
  const std::string err = test::tmp_path("faults-" + tag + ".err");
  const std::string cmd =
      env + " " + std::string(ORGSIM_BINARY) + " " + args + " >" + out + " 2>" + err;
  const int status = std::system(cmd.c_str());
  auto slurp = [](const std::string& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  int code = -1;
  if (WIFEXITED(status)) code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) code = 128 + WTERMSIG(status);
  return {code, slurp(out), slurp(err)};
}

std::string slurp_bytes(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

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

/// Overwrites element 0 of an int32 dataset of a results file with `value`.
void poke_int32(const std::string& file, const char* ds_name, std::int32_t value) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  REQUIRE(f >= 0);
  const hid_t ds = H5Dopen2(f, ds_name, H5P_DEFAULT);
  REQUIRE(ds >= 0);
  const hid_t space = H5Dget_space(ds);
  const hsize_t start = 0, count = 1;
  H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, nullptr, &count, nullptr);
  const hid_t mem = H5Screate_simple(1, &count, nullptr);
  REQUIRE(H5Dwrite(ds, H5T_NATIVE_INT32, mem, space, H5P_DEFAULT, &value) >= 0);
  H5Sclose(mem);
  H5Sclose(space);
  H5Dclose(ds);
  H5Fclose(f);
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
      poke_int32(parts.front(), ds, bad);
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
  }
  CHECK_FALSE(fs::exists(test::source_path("escaped.h5")));
  CHECK_FALSE(fs::exists("escaped.h5"));

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
  const auto same_bits = [](const std::vector<double>& x, const std::vector<double>& y) {
    return x.size() == y.size() &&
           (x.empty() || std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) == 0);
  };
  for (std::size_t i = 0; i < a.runs.size(); ++i) {
    INFO("run " << a.runs[i].run);
    CHECK(a.runs[i].run == b.runs[i].run);
    CHECK(same_bits(a.runs[i].per_run, b.runs[i].per_run));
  }

  const auto run = sh("run " + test::source_path("scenarios/validation/granovetter.json") +
                          " -o " + dir + "/run.h5 --quiet",
                      "ORGSIM_FAULT_WRITE_AFTER_RUNS=0");
  expect_clean_failure(run, dir + "/run.h5");
  CHECK(run.code == 1);
  CHECK_FALSE(fs::exists(dir + "/run.h5"));
  CHECK_FALSE(fs::exists(dir + "/run.h5.partial"));
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

TEST_CASE("faults: hostile results files fail cleanly in every command", "[faults]") {
  const std::string dir = fresh_dir("hostile");
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
  files.emplace_back("text.h5", "not hdf5 at all\n");
  files.emplace_back("empty.h5", "");
  for (const auto& [name, content] : files) std::ofstream(dir + "/" + name, std::ios::binary) << content;
  {  // a foreign HDF5 file, and one with the wrong schema attribute
    const hid_t f = H5Fcreate((dir + "/foreign.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(f);
    const std::string wrong = dir + "/wrong_schema.h5";
    fs::copy_file(good, wrong, fs::copy_options::overwrite_existing);
    const hid_t w = H5Fopen(wrong.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    H5Adelete(w, "schema");
    H5Fclose(w);
    files.emplace_back("foreign.h5", "");
    files.emplace_back("wrong_schema.h5", "");
  }
  for (const auto& [name, content] : files) {
    const std::string path = dir + "/" + name;
    const std::string before = slurp_bytes(path);
    INFO(name);
    expect_clean_failure(sh("summarize " + path), path);
    expect_clean_failure(sh("rerun " + path + " --run 0"), path);
    // As a part of a sweep: status, merge and --resume refuse it.
    const std::string parts = fresh_dir("hostile-" + name + ".parts");
    fs::copy_file(path, parts + "/part-s0of1-g0-000000.h5");
    expect_clean_failure(sh("status " + parts), parts + "/part-s0of1-g0-000000.h5");
    expect_clean_failure(sh("merge " + parts), parts + "/part-s0of1-g0-000000.h5");
    CHECK(slurp_bytes(parts + "/part-s0of1-g0-000000.h5") == before);
    CHECK(slurp_bytes(path) == before);
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
