// Sweeps: run order, bit-identical results for any thread count, shards + merge, parts,
// resume, and failures isolated.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli.hpp"
#include "core/errors.hpp"
#include "core/rng.hpp"
#include "engine/summary.hpp"
#include "engine/sweep.hpp"
#include "h5poke.hpp"
#include "helpers.hpp"
#include "io/rerun.hpp"
#include "model/parameters.hpp"
#include "orgsim_version.hpp"

using namespace orgsim;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {
/// A small sweep on the default workplace: 2 x 2 grid, 2 arms, 2 replicates = 16 runs.
std::string write_sweep(const std::string& name, const json& design, int replicates = 2) {
  std::ifstream in(test::source_path("scenarios/default.json"));
  json sc = json::parse(in);
  sc["population"]["size"] = 100;
  sc["network"]["departments"] = 5;
  sc["steps"] = 30;
  const json sweep = {{"name", name}, {"scenario", sc}, {"design", design},
                      {"replicates", replicates}, {"seed", 3}};
  const std::string path = test::tmp_path(name + ".json");
  std::ofstream(path) << sweep.dump(2);
  return path;
}
/// The part files of the sweep writing `out`, by name.
std::vector<std::string> part_files(const std::string& out) {
  std::vector<std::string> parts;
  for (const auto& e : fs::directory_iterator(out + ".parts"))
    if (e.path().extension() == ".h5") parts.push_back(e.path().string());
  std::sort(parts.begin(), parts.end());
  return parts;
}
/// A git commit that is not this build's, for parts "written by another build".
std::string another_commit() {
  return std::string(kGitCommit) == "0123456789ab" ? "ba9876543210" : "0123456789ab";
}
json grid() {
  return json::parse(R"({"type": "grid", "parameters": {
      "campaign.hours_per_step": [5, 20], "environment.turnover": {"min": 0, "max": 0.01, "num": 2}}})");
}
std::string fresh(const std::string& name) {
  const std::string out = test::tmp_path(name + ".h5");
  fs::remove(out);
  fs::remove_all(out + ".parts");
  return out;
}
bool same_runs(const ResultsFile& a, const ResultsFile& b) {
  if (a.runs.size() != b.runs.size()) return false;
  for (std::size_t i = 0; i < a.runs.size(); ++i) {
    const auto &x = a.runs[i], &y = b.runs[i];
    if (x.run != y.run || x.point != y.point || x.arm != y.arm || x.replicate != y.replicate ||
        x.seed != y.seed || x.status != y.status || x.params != y.params ||
        x.wins.size() != y.wins.size() || x.actions.size() != y.actions.size())
      return false;
    for (std::size_t k = 0; k < x.wins.size(); ++k) {
      const WinEvent &p = x.wins[k], &q = y.wins[k];
      if (p.start_step != q.start_step || p.end_step != q.end_step || p.censored != q.censored ||
          p.strength != q.strength)
        return false;
    }
    for (std::size_t k = 0; k < x.actions.size(); ++k) {
      const ActionEvent &p = x.actions[k], &q = y.actions[k];
      if (p.step != q.step || p.kind != q.kind || p.won != q.won || p.power != q.power ||
          p.support != q.support || p.turnout != q.turnout || p.cohesion != q.cohesion ||
          p.notice_weeks != q.notice_weeks || p.consolidated_step != q.consolidated_step)
        return false;
    }
    if (!test::same_bits(x.per_step, y.per_step) || !test::same_bits(x.per_run, y.per_run))
      return false;
  }
  return true;
}
/// Continues the interrupted sweep `s` into `out` (--resume) and merges its parts.
ResultsFile resume_to(const Sweep& s, const std::string& out) {
  SweepOptions r;
  r.resume = true;
  run_sweep(s, out, r);
  merge_parts(out + ".parts", out);
  return read_results(out);
}
ResultsFile sweep_to(const Sweep& s, const std::string& out, SweepOptions opt) {
  run_sweep(s, out, opt);
  merge_parts(out + ".parts", out);
  return read_results(out);
}
}  // namespace

TEST_CASE(
    "sweep_options puts each choice in its field, the choices defaulting as the CLI documents",
    "[sweep][options]") {
  const SweepChoices d;
  const SweepOptions plain;
  SECTION("the defaults are `orgsim sweep`'s, as --help and docs/SWEEPS.md say") {
    CHECK(d.threads == 0);
    CHECK(d.shard == 0);
    CHECK(d.shards == 1);
    CHECK_FALSE(d.resume);
    CHECK_FALSE(d.allow_commit_change);
    CHECK(d.part_runs == 1024);
    CHECK(d.command_line.empty());
    CHECK(d.warn_as == "orgsim sweep");
    const auto help = test::run_cli("sweep --help");
    REQUIRE(help.code == 0);
    CHECK(help.has("worker threads (default or 0: all cores)"));
    CHECK(help.has("runs per part file (default " + std::to_string(d.part_runs) + ";"));
    std::ifstream in(test::source_path("docs/SWEEPS.md"));
    std::stringstream docs;
    docs << in.rdbuf();
    CHECK(docs.str().find("`--part-runs` runs, default " + std::to_string(d.part_runs) + ",") !=
          std::string::npos);
  }
  SECTION("the defaults give a fresh whole sweep that builds its file and warns as the CLI") {
    const SweepOptions o = sweep_options(d);
    CHECK(o.threads == plain.threads);
    CHECK(o.shard == 0);
    CHECK(o.shards == 1);
    CHECK_FALSE(o.resume);
    CHECK_FALSE(o.allow_commit_change);
    CHECK(o.part_runs == plain.part_runs);
    CHECK(o.command_line.empty());
    CHECK(o.build_final);
    CHECK(static_cast<bool>(o.warn));
  }
  SECTION("each choice lands in its field, and nothing else is set") {
    SweepChoices c;
    c.threads = 3;
    c.shard = 2;
    c.shards = 5;
    c.resume = true;
    c.allow_commit_change = true;
    c.part_runs = 7;
    c.command_line = "orgsim sweep s.json --resume";
    const SweepOptions o = sweep_options(c);
    CHECK(o.threads == 3);
    CHECK(o.shard == 2);
    CHECK(o.shards == 5);
    CHECK(o.resume);
    CHECK(o.allow_commit_change);
    CHECK(o.part_runs == 7);
    CHECK(o.command_line == "orgsim sweep s.json --resume");
    CHECK_FALSE(o.build_final);  // a shard leaves the merge to `orgsim merge`
    CHECK(o.part_seconds == plain.part_seconds);
    CHECK(o.writer.empty());
    CHECK_FALSE(static_cast<bool>(o.next_run));
    CHECK(o.remote == nullptr);
    CHECK(o.recap == nullptr);
    CHECK_FALSE(static_cast<bool>(o.sink));
    c.shard = 0;
    c.shards = 1;
    CHECK(sweep_options(c).build_final);
  }
  SECTION("warnings go to stderr under the face's name, or nowhere when it is empty") {
    const auto said = [](const std::string& name) {
      SweepChoices c;
      c.warn_as = name;
      const SweepOptions o = sweep_options(c);
      REQUIRE(static_cast<bool>(o.warn));
      std::ostringstream err;
      std::streambuf* const old = std::cerr.rdbuf(err.rdbuf());
      o.warn("parts of another commit");
      std::cerr.rdbuf(old);
      return err.str();
    };
    CHECK(said("orgsim sweep") == "orgsim sweep: warning: parts of another commit\n");
    CHECK(said("orgsim.sweep") == "orgsim.sweep: warning: parts of another commit\n");
    SweepChoices quiet;
    quiet.warn_as.clear();
    CHECK_FALSE(static_cast<bool>(sweep_options(quiet).warn));
  }
}

TEST_CASE("a grid sweep runs every point, arm and replicate in the documented order", "[sweep]") {
  const Sweep s = load_sweep(write_sweep("order", grid()));
  REQUIRE(s.points() == 4);
  REQUIRE(s.total_runs() == 16);
  const std::string out = fresh("order");
  const ResultsFile rf = sweep_to(s, out, SweepOptions{});
  REQUIRE(rf.runs.size() == 16);
  CHECK_FALSE(fs::exists(out + ".parts"));
  for (std::size_t k = 0; k < 16; ++k) {
    const auto& r = rf.runs[k];
    CHECK(r.run == static_cast<std::int64_t>(k));
    CHECK(r.point == static_cast<std::int32_t>(k / 4));
    CHECK(r.arm == static_cast<std::int32_t>((k % 4) / 2));
    CHECK(r.replicate == static_cast<std::int32_t>(k % 2));
    CHECK(r.params == s.design.points[k / 4]);
    CHECK(r.status == 1);
    const RunRecord id = sweep_run_identity(s, r.run);
    CHECK((id.point == r.point && id.arm == r.arm && id.replicate == r.replicate &&
           id.seed == r.seed && id.params == r.params));
  }
  CHECK(rf.header.kind == "sweep");
  CHECK(rf.header.varied.size() == 2);
  CHECK(rf.header.varied[0].key == "campaign.hours_per_step");
  // A point's parameters reach the run: more hours, more one-on-one hours spent.
  double low = 0, high = 0;
  for (const auto& r : rf.runs)
    if (r.arm == 0)
      for (float h : test::series(r, "hours_one_on_one", 30)) (r.params[0] < 10 ? low : high) += h;
  CHECK(high > 2 * low);
}

TEST_CASE("sweep results are bit-identical for any thread count, shards and part size",
          "[sweep][determinism]") {
  const Sweep s = load_sweep(write_sweep("threads", grid()));
  SweepOptions one;
  one.threads = 1;
  const ResultsFile a = sweep_to(s, fresh("threads1"), one);
  std::size_t events = 0;  // the /action_events rows travel through parts and merge too
  for (const auto& r : a.runs) events += r.actions.size();
  CHECK(events > 0);
  SweepOptions two;
  two.threads = 2;
  two.part_runs = 3;  // many small parts
  const ResultsFile b = sweep_to(s, fresh("threads2"), two);
  CHECK(same_runs(a, b));
  // Shards 0/3, 1/3, 2/3 into one parts directory, then merge.
  const std::string out = fresh("shards");
  for (std::int64_t i = 0; i < 3; ++i) {
    SweepOptions o;
    o.shard = i;
    o.shards = 3;
    o.part_runs = 2;
    run_sweep(s, out, o);
  }
  merge_parts(out + ".parts", out);
  CHECK(same_runs(a, read_results(out)));
}

TEST_CASE("merge refuses an incomplete set of parts", "[sweep]") {
  const Sweep s = load_sweep(write_sweep("incomplete", grid()));
  const std::string out = fresh("incomplete");
  SweepOptions o;
  o.shard = 0;
  o.shards = 2;
  run_sweep(s, out, o);
  CHECK_THROWS_WITH(merge_parts(out + ".parts", out), Catch::Contains("missing"));
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("resume continues from the parts and gives the uninterrupted result", "[sweep][resume]") {
  const Sweep s = load_sweep(write_sweep("resume", grid()));
  const ResultsFile whole = sweep_to(s, fresh("resume_whole"), SweepOptions{});
  // An interrupted sweep: parts of 3 runs, then the last parts lost (killed in flight).
  const std::string out = fresh("resume");
  SweepOptions o;
  o.part_runs = 3;
  run_sweep(s, out, o);
  std::vector<fs::path> parts;
  for (const auto& e : fs::directory_iterator(out + ".parts")) parts.push_back(e.path());
  std::sort(parts.begin(), parts.end());
  REQUIRE(parts.size() >= 4);
  fs::remove(parts.back());
  fs::remove(parts[parts.size() - 2]);
  CHECK_THROWS_AS(run_sweep(s, out, SweepOptions{}), UsageError);  // parts exist: needs --resume
  CHECK(same_runs(whole, resume_to(s, out)));
}

TEST_CASE("resume refuses parts of a different sweep", "[sweep][resume]") {
  const Sweep s = load_sweep(write_sweep("changed", grid()));
  const std::string out = fresh("changed");
  SweepOptions o;
  o.shard = 0;
  o.shards = 2;
  run_sweep(s, out, o);
  const Sweep other = load_sweep(write_sweep("changed", grid(), 3));  // replicates changed
  SweepOptions r;
  r.resume = true;
  CHECK_THROWS_WITH(run_sweep(other, out, r),
                    Catch::Contains("sweep file has changed") && Catch::Contains("`replicates`"));
}

namespace {
/// A sweep that names its scenario file, which reads an edge list: files a user can edit between
/// a sweep's start and its resume. Returns the sweep file's path.
struct FileSweep {
  std::string dir, sweep, scenario, edges;
  json sc;
  explicit FileSweep(const std::string& name) : dir(test::tmp_path(name)) {
    fs::remove_all(dir);
    fs::create_directories(dir);
    sweep = dir + "/sweep.json";
    scenario = dir + "/workplace.json";
    edges = dir + "/edges.csv";
    std::ofstream e(edges);
    e << "source,target\n";
    for (int i = 0; i < 100; ++i)
      e << i << "," << (i + 1) % 100 << "\n" << i << "," << (i + 7) % 100 << "\n";
    std::ifstream in(test::source_path("scenarios/default.json"));
    sc = json::parse(in);
    sc["population"]["size"] = 100;
    sc["network"] = {{"type", "edge_list"}, {"path", "edges.csv"}};
    sc["steps"] = 30;
    write_scenario();
    write_sweep("workplace.json");
  }
  void write_scenario() const { std::ofstream(scenario) << sc.dump(2); }
  void write_sweep(const std::string& scenario_as_written, int indent = 2) const {
    const json sw = {{"name", "inputs"},
                     {"scenario", scenario_as_written},
                     {"design", grid()},
                     {"replicates", 2},
                     {"seed", 3}};
    std::ofstream(sweep) << sw.dump(indent);
  }
};
}  // namespace

TEST_CASE(
    "resume refuses parts written before the scenario or its edge list changed, and says what "
    "changed",
    "[sweep][resume]") {
  FileSweep f("inputs_changed");
  const ResultsFile whole = sweep_to(load_sweep(f.sweep), fresh("inputs_whole"), SweepOptions{});
  const std::string out = fresh("inputs_changed");
  SweepOptions o;
  o.part_runs = 3;
  run_sweep(load_sweep(f.sweep), out, o);
  std::vector<std::string> parts = part_files(out);
  REQUIRE(parts.size() >= 4);
  fs::remove(parts.back());  // interrupted: the last runs are still to do
  SweepOptions r;
  r.resume = true;

  // The scenario file edited: the key and both values are named.
  f.sc["population"]["threshold"]["mean"] = 0.3;
  f.write_scenario();
  CHECK_THROWS_WITH(run_sweep(load_sweep(f.sweep), out, r),
                    Catch::Contains("population.threshold.mean was 0.35, is now 0.3") &&
                        Catch::Contains("scenario has changed"));
  CHECK_THROWS_AS(run_sweep(load_sweep(f.sweep), out, r), InputError);
  f.sc["population"]["threshold"]["mean"] = 0.35;
  f.write_scenario();

  // The edge list edited (one tie moved): the same parameters, another network.
  {
    std::ifstream in(f.edges);
    std::stringstream text;
    text << in.rdbuf();
    std::string t = text.str();
    const std::string tie = "\n0,7\n";
    REQUIRE(t.find(tie) != std::string::npos);
    t.replace(t.find(tie), tie.size(), "\n0,8\n");
    std::ofstream(f.edges) << t;
    CHECK_THROWS_WITH(run_sweep(load_sweep(f.sweep), out, r), Catch::Contains("edges.csv") &&
                                                                  Catch::Contains("network.path") &&
                                                                  Catch::Contains("has changed"));
    std::ofstream(f.edges) << text.str();
  }
  CHECK(part_files(out).size() == parts.size() - 1);  // the refusals wrote nothing

  // Restored, and the sweep file rewritten with the same scenario named another way and other
  // spacing: the same experiment, so the resume goes on and gives the uninterrupted result.
  f.write_sweep("./workplace.json", 4);
  CHECK(same_runs(whole, resume_to(load_sweep(f.sweep), out)));
}

TEST_CASE("resume accepts the same data file reached by another path", "[sweep][resume]") {
  // The edge list named by a base the scenario extends: the base's path is made relative to
  // the folder the command line reached it through, so a resume through a link to that folder
  // records another path for the same file.
  FileSweep f("inputs_linked");
  json base = {{"network", {{"type", "edge_list"}, {"path", "edges.csv"}}}};
  std::ofstream(f.dir + "/base.json") << base.dump(2);
  f.sc.erase("network");
  f.sc["extends"] = "base.json";
  f.write_scenario();
  const ResultsFile whole =
      sweep_to(load_sweep(f.sweep), fresh("inputs_linked_whole"), SweepOptions{});
  const std::string out = fresh("inputs_linked");
  SweepOptions o;
  o.part_runs = 3;
  run_sweep(load_sweep(f.sweep), out, o);
  std::vector<std::string> parts = part_files(out);
  REQUIRE(parts.size() >= 4);
  fs::remove(parts.back());
  const std::string link = f.dir + "_link";
  fs::remove(link);
  fs::create_directory_symlink(f.dir, link);
  const Sweep through_link = load_sweep(link + "/sweep.json");
  REQUIRE(through_link.scenario.base.at("network.path") !=
          load_sweep(f.sweep).scenario.base.at("network.path"));
  CHECK(same_runs(whole, resume_to(through_link, out)));
}

TEST_CASE("merge refuses shards run against different versions of the scenario", "[sweep]") {
  FileSweep f("inputs_shards");
  // Shards of a job array start at once, each in its own place, so neither sees the other's
  // parts; the scenario was edited before the second one ran. Their parts meet at the merge.
  const std::string out = fresh("inputs_shards"), elsewhere = fresh("inputs_shards_b");
  SweepOptions o;
  o.shards = 2;
  o.shard = 0;
  run_sweep(load_sweep(f.sweep), out, o);
  f.sc["population"]["threshold"]["mean"] = 0.4;
  f.write_scenario();
  o.shard = 1;
  run_sweep(load_sweep(f.sweep), elsewhere, o);
  for (const auto& p : part_files(elsewhere))
    fs::copy_file(p, out + ".parts/" + fs::path(p).filename().string());
  CHECK_THROWS_WITH(
      merge_parts(out + ".parts", out),
      Catch::Contains("population.threshold.mean is 0.4 in this part, 0.35 in the first") &&
          Catch::Contains("differs from the first part's"));
  CHECK_FALSE(fs::exists(out));
  CHECK_FALSE(fs::exists(out + ".partial"));  // refused before the final file was begun
}

TEST_CASE("resume refuses parts another commit wrote unless allowed, and the message names both",
          "[sweep][resume][commit]") {
  const std::string file = write_sweep("commit", grid());
  const Sweep s = load_sweep(file);
  const std::string out = fresh("commit");
  SweepOptions o;
  o.part_runs = 3;
  run_sweep(s, out, o);
  std::vector<std::string> parts = part_files(out);
  REQUIRE(parts.size() >= 4);
  fs::remove(parts.back());  // interrupted: the last runs are still to do
  parts.pop_back();
  // The sweep was started by a build of another commit.
  const std::string other = another_commit();
  for (const auto& p : parts) test::poke_root_attr(p, "git_commit", other);
  SweepOptions r;
  r.resume = true;
  auto names_both = [&](const std::string& m) {
    INFO(m);
    CHECK_THAT(m, Catch::Contains(other));
    CHECK_THAT(m, Catch::Contains(std::string(kGitCommit)));
    CHECK_THAT(m, Catch::Contains("--allow-commit-change"));
    CHECK_THAT(m, Catch::Contains(parts.front()));
  };
  auto message_of = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  const std::string refused = message_of([&] { run_sweep(s, out, r); });
  CHECK_THAT(refused, Catch::StartsWith("cannot resume: "));
  names_both(refused);
  names_both(message_of([&] { pending_runs(s, out); }));  // MPI rank 0's look at the parts
  // The command line: exit 2 and the message; with --allow-commit-change, a warning naming
  // both commits, and the sweep finished.
  auto cli = test::run_cli("sweep " + file + " -o " + out + " --resume --quiet");
  CHECK(cli.code == 2);
  CHECK_THAT(cli.err, Catch::StartsWith("orgsim: error: cannot resume: "));
  names_both(cli.err);
  CHECK(fs::exists(out + ".parts"));
  cli = test::run_cli("sweep " + file + " -o " + out + " --resume --allow-commit-change --quiet");
  INFO(cli.err);
  CHECK(cli.code == 0);
  CHECK_THAT(cli.err, Catch::Contains("orgsim sweep: warning: "));
  CHECK_THAT(cli.err, Catch::Contains(other));
  CHECK_THAT(cli.err, Catch::Contains(std::string(kGitCommit)));
  CHECK(fs::exists(out));
  CHECK_FALSE(fs::exists(out + ".parts"));
}

TEST_CASE("merge refuses parts another commit wrote unless allowed, before writing anything",
          "[sweep][merge][commit]") {
  // Shards started at the same time never see each other's parts: the merge is where a shard
  // run by another build is found.
  const std::string file = write_sweep("merge_commit", grid());
  const Sweep s = load_sweep(file);
  const std::string out = fresh("merge_commit");
  SweepOptions o;
  o.part_runs = 3;
  run_sweep(s, out, o);
  std::vector<std::string> parts = part_files(out);
  REQUIRE(parts.size() >= 2);
  const std::string other = another_commit();
  test::poke_root_attr(parts.back(), "git_commit", other);  // one shard, another build
  auto cli = test::run_cli("merge " + out + ".parts -o " + out);
  INFO(cli.err);
  CHECK(cli.code == 2);
  CHECK_THAT(cli.err, Catch::StartsWith("orgsim: error: cannot merge: " + parts.back()));
  CHECK_THAT(cli.err, Catch::Contains(other));
  CHECK_THAT(cli.err, Catch::Contains(std::string(kGitCommit)));
  CHECK_THAT(cli.err, Catch::Contains("--allow-commit-change"));
  CHECK_FALSE(fs::exists(out));     // nothing under the final name
  CHECK(fs::exists(parts.back()));  // the parts are kept
  cli = test::run_cli("merge " + out + ".parts -o " + out + " --allow-commit-change");
  CHECK(cli.code == 0);
  CHECK_THAT(cli.err, Catch::Contains("orgsim merge: warning: 1 part(s)"));
  CHECK_THAT(cli.err, Catch::Contains(other));
  CHECK(fs::exists(out));
  CHECK_FALSE(fs::exists(out + ".parts"));
}

TEST_CASE("a failing run is recorded and the sweep goes on", "[sweep][failures]") {
  // Every point is a valid configuration (checked when the sweep loads), but a ring lattice of
  // degree 98 on 100 agents admits almost no degree-preserving swaps: the rewiring gives up at
  // run time, so only the middle point's runs fail.
  const auto design = json::parse(R"({"type": "grid", "parameters": {"network.degree": [4, 98, 6]}})");
  std::string path = write_sweep("failing", design, 1);
  {
    std::ifstream f(path);
    json j = json::parse(f);
    j["scenario"]["network"] = {{"type", "ring_lattice"}, {"degree", 4}, {"rewire", 0.5},
                                {"rewire_method", "swap"}};
    std::ofstream(path) << j.dump(2);
  }
  const Sweep s = load_sweep(path);
  const std::string out = fresh("failing");
  const std::int64_t failed = run_sweep(s, out, SweepOptions{});
  CHECK(failed == 2);  // both arms of point 1
  merge_parts(out + ".parts", out);
  const ResultsFile rf = read_results(out);
  REQUIRE(rf.runs.size() == 6);
  for (const auto& r : rf.runs) {
    CHECK(r.status == (r.point == 1 ? 2 : 1));
    // A failed run keeps the identity its index gives, like a run that finished.
    const RunRecord id = sweep_run_identity(s, r.run);
    CHECK(r.point == id.point);
    CHECK(r.arm == id.arm);
    CHECK(r.replicate == id.replicate);
    CHECK(r.seed == id.seed);
    CHECK(r.params == id.params);
  }
}

TEST_CASE("every design point is validated when the sweep loads, not only the corners",
          "[sweep][validation]") {
  // Seed agent 120 exists in 300 and 200 agents (the first and last points) but not in 100 (the
  // middle one): the sweep is refused when it loads, naming that point, instead of failing
  // mid-sweep.
  const auto with_sizes = [](const json& sizes) {
    const std::string path = write_sweep(
        "seeds_mid", json{{"type", "grid"}, {"parameters", {{"population.size", sizes}}}}, 1);
    std::ifstream f(path);
    json j = json::parse(f);
    j["scenario"]["actions"]["seed"] = {{"agents", {0, 120}}};
    std::ofstream(path) << j.dump(2);
    return path;
  };
  REQUIRE_NOTHROW(load_sweep(with_sizes({300, 150, 200})));
  const std::string bad = with_sizes({300, 100, 200});
  CHECK_THROWS_AS(load_sweep(bad), InputError);
  CHECK_THROWS_WITH(load_sweep(bad), Catch::Contains("design point 1") &&
                                         Catch::Contains("120") && Catch::Contains(bad));
}

TEST_CASE("an edge list is checked at load for every population size the design gives it",
          "[sweep][validation]") {
  // Agents 0..11 appear in the list (agent 11 on line 3). The scenario's own size (100) is read
  // with the scenario; the design's 20 and 12 fit, 8 does not: refused when the sweep loads,
  // naming the scenario, network.path, the design point, the list and its line.
  const std::string csv = test::tmp_path("sweep_edges.csv");
  std::ofstream(csv) << "source,target\n0,1\n2,11\n3,4\n";
  auto with_sizes = [&](const json& sizes) {
    const json sc = {{"extends", "classic"},
                     {"population", {{"size", 100}}},
                     {"network", {{"type", "edge_list"}, {"path", csv}}},
                     {"steps", 3}};
    const json sweep = {{"name", "edges"},
                        {"scenario", sc},
                        {"design", {{"type", "grid"}, {"parameters", {{"population.size", sizes}}}}},
                        {"replicates", 1},
                        {"seed", 1}};
    const std::string path = test::tmp_path("sweep_edges.json");
    std::ofstream(path) << sweep.dump(2);
    return path;
  };
  REQUIRE_NOTHROW(load_sweep(with_sizes({20, 12, 100})));
  const std::string bad = with_sizes({20, 12, 8});
  try {
    load_sweep(bad);
    FAIL("a population of 8 was accepted for a list that names agent 11");
  } catch (const InputError& e) {
    const std::string m = e.what();
    CHECK_THAT(m, Catch::Contains("network.path") && Catch::Contains("design point 2") &&
                      Catch::Contains("sweep_edges.csv line 3") && Catch::Contains("found 11"));
  }
}

TEST_CASE("sweep files are validated like scenarios", "[sweep][validation]") {
  auto error = [](const json& design) {
    try {
      load_sweep(write_sweep("bad", design));
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK_THAT(error(json::parse(R"({"type": "grid", "parameters": {"campaign.hours_per_stepp": [1, 2]}})")),
             Catch::Contains("did you mean `campaign.hours_per_step`"));
  CHECK_THAT(error(json::parse(R"({"type": "grid", "parameters": {"environment.turnover": [0, 2]}})")),
             Catch::Contains("environment.turnover"));
  CHECK_THAT(error(json::parse(R"({"type": "grid", "parameters": {"network.type": [1, 2]}})")),
             Catch::Contains("not numeric"));
  CHECK_THAT(error(json::parse(R"({"type": "grid", "parameters": {"campaign.strategy": [1]}})")),
             Catch::Contains("campaign.strategy"));
  // Its words are strings: a number for a name is an input error naming the key, not a JSON
  // library's type error at run time.
  for (const char* key : {"name", "title", "description"}) {
    json doc = json::parse(std::ifstream(write_sweep("words", grid())));
    doc[key] = 3;
    const std::string path = test::tmp_path("words_bad.json");
    std::ofstream(path) << doc.dump();
    try {
      load_sweep(path);
      FAIL("accepted a number for " << key);
    } catch (const InputError& e) {
      CHECK(e.where() == key);
      CHECK(e.expected() == "a string");
    }
  }
  // steps, replicates and seed are shared by every run of a sweep: refused when the file is read,
  // not when the results file is written after the runs.
  for (const char* key : {"steps", "replicates", "seed"}) {
    const json design = {{"type", "lhs"}, {"samples", 4},
                         {"parameters", {{key, {{"min", 10}, {"max", 20}}}}}};
    const std::string e = error(design);
    CHECK_THAT(e, Catch::Contains(std::string("design.parameters.") + key));
    CHECK_THAT(e, Catch::Contains("the same for every run of a sweep"));
  }
  CHECK_THAT(error(json::parse(R"({"type": "grid", "parameters": {"steps": [10, 20]}})")),
             Catch::Contains("per-step series"));
  // A choice given a range, in any sampled design (or a grid's {min, max, num}): it can be swept
  // only by listing its levels. It used to be told to write `campaign.strategy.value`, which
  // does not exist.
  for (const char* type : {"lhs", "random", "sobol", "morris", "grid"}) {
    INFO(type);
    json design = {{"type", type}, {"samples", 4}, {"trajectories", 2}};
    if (std::string(type) == "morris") design.erase("samples");
    if (std::string(type) != "morris") design.erase("trajectories");
    if (std::string(type) == "grid") design.erase("samples");
    design["parameters"]["campaign.strategy"] = {{"min", 0}, {"max", 1}};
    if (std::string(type) == "grid") design["parameters"]["campaign.strategy"]["num"] = 2;
    const std::string e = error(design);
    CHECK_THAT(e, Catch::Contains("design.parameters.campaign.strategy: expected a number"));
    CHECK_THAT(e, Catch::Contains("found `campaign.strategy`, a choice"));
    CHECK_THAT(e, Catch::Contains("a choice can be swept only by listing its levels in a grid or "
                                  "points design, e.g. \"campaign.strategy\": [\"none\", "
                                  "\"relationship_first\", \"issue_first\", \"big_messaging\", "
                                  "\"hybrid\", \"organizing_only\"]"));
    CHECK_THAT(e, !Catch::Contains("campaign.strategy.value"));
  }
  // A range beyond the parameter's bounds is named by its own end, not by a value of the grid
  // between min and max that the file never wrote (it said "found 1.125").
  {
    const std::string e = error(json::parse(R"({"type": "grid", "parameters":
                                   {"environment.turnover": {"min": 0, "max": 1.5, "num": 5}}})"));
    CHECK_THAT(e, Catch::Contains("design.parameters.environment.turnover.max: expected a max "
                                  "within the values `environment.turnover` takes (a number in "
                                  "[0, 1]), found 1.5"));
    CHECK_THAT(e, !Catch::Contains("1.125"));
  }
  CHECK_THAT(error(json::parse(R"({"type": "grid", "parameters":
                                   {"environment.turnover": {"min": -0.5, "max": 0.5, "num": 3}}})")),
             Catch::Contains("design.parameters.environment.turnover.min: expected a min within "
                             "the values `environment.turnover` takes (a number in [0, 1]), "
                             "found -0.5") &&
                 Catch::Contains("raise `min`"));
  CHECK_THAT(error(json::parse(R"({"type": "lhs", "samples": 4, "parameters":
                                   {"environment.turnover": {"min": 0, "max": 1.5}}})")),
             Catch::Contains("design.parameters.environment.turnover.max: expected a max") &&
                 Catch::Contains("lower `max`"));
  // A number inside a distribution: the same, with the distribution's own rule.
  CHECK_THAT(error(json::parse(R"({"type": "grid", "parameters":
                                   {"population.threshold.sd": {"min": -1, "max": 0.2, "num": 4}}})")),
             Catch::Contains("design.parameters.population.threshold.sd.min: expected a min "
                             "within the values `population.threshold.sd` takes (a standard "
                             "deviation >= 0), found -1"));
  // A distribution is still told where its numbers are.
  CHECK_THAT(error(json::parse(R"({"type": "lhs", "samples": 4, "parameters":
                                   {"population.threshold": {"min": 0, "max": 1}}})")),
             Catch::Contains("population.threshold.mean"));
}

TEST_CASE("a sweep killed with SIGKILL resumes to the uninterrupted result", "[sweep][resume][slow]") {
  // Big enough runs that the kill lands mid-sweep: 2000 agents, 150 steps, 3 x 2 x 4 = 24 runs.
  std::ifstream in(test::source_path("scenarios/default.json"));
  json sc = json::parse(in);
  sc["population"]["size"] = 2000;
  sc["network"]["departments"] = 60;
  sc["steps"] = 150;
  const json sweep = {{"name", "killed"}, {"scenario", sc},
                      {"design", json::parse(R"({"type": "grid", "parameters": {
                          "campaign.hours_per_step": [10, 15, 20]}})")},
                      {"replicates", 4}, {"seed", 5}};
  const std::string path = test::tmp_path("killed.json");
  std::ofstream(path) << sweep.dump(2);
  const Sweep s = load_sweep(path);
  const ResultsFile whole = sweep_to(s, fresh("killed_whole"), SweepOptions{});

  const std::string out = fresh("killed");
  const std::string pidfile = test::tmp_path("killed.pid");
  const std::string cmd = std::string(ORGSIM_BINARY) + " sweep " + path + " -o " + out +
                          " --threads 1 --part-runs 2 --quiet > /dev/null 2>&1 & echo $! > " +
                          pidfile;
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::string pid;
  std::ifstream(pidfile) >> pid;
  // Wait for at least two finished parts, then kill without warning.
  auto parts = [&] {
    int n = 0;
    if (fs::exists(out + ".parts"))
      for (const auto& e : fs::directory_iterator(out + ".parts"))
        n += e.path().extension() == ".h5" ? 1 : 0;
    return n;
  };
  for (int i = 0; i < 600 && parts() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(std::system(("kill -9 " + pid + " 2>/dev/null").c_str()) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  REQUIRE(parts() >= 2);
  REQUIRE_FALSE(fs::exists(out));  // nothing under the final name
  const int rc = std::system((std::string(ORGSIM_BINARY) + " sweep " + path + " -o " + out +
                              " --resume --quiet > /dev/null 2>&1").c_str());
  CHECK(rc == 0);
  CHECK(same_runs(whole, read_results(out)));
}

TEST_CASE("a sobol sweep stores its design and ranks the parameter that matters first",
          "[sweep][sensitivity]") {
  // Organizer hours drive the organized base; the initial trust of private friendships barely
  // touches it within 30 steps. The file must say so.
  const auto design = json::parse(R"({"type": "sobol", "samples": 16, "parameters": {
      "campaign.hours_per_step": {"min": 2, "max": 40},
      "trust.friendship_level": {"min": 0.5, "max": 0.6}}})");
  std::string path = write_sweep("sobol", design, 2);
  {
    std::ifstream f(path);
    json j = json::parse(f);
    j["outputs"] = {"organized_base_end", "win_weeks"};
    std::ofstream(path) << j.dump(2);
  }
  const Sweep s = load_sweep(path);
  REQUIRE(s.points() == 16 * 4);
  const ResultsFile rf = sweep_to(s, fresh("sobol"), SweepOptions{});
  REQUIRE(rf.design.points.size() == 64);
  CHECK(rf.design.keys == std::vector<std::string>{"campaign.hours_per_step", "trust.friendship_level"});
  const auto& t = rf.sensitivity;
  REQUIRE(t.method == "sobol");
  REQUIRE(t.outputs == std::vector<std::string>{"organized_base_end", "win_weeks"});
  REQUIRE(t.ST.size() == 2);  // arms
  for (std::size_t arm = 0; arm < 1; ++arm) {  // relationship_first organizes
    INFO("arm " << arm);
    CHECK(t.ST[arm][0][0] > t.ST[arm][0][1]);
    CHECK(t.ST[arm][0][0] > 0.5);
  }
  for (const auto& arm : t.noise_share)
    for (double share : arm)
      if (std::isfinite(share)) {
        CHECK(share >= 0.0);
        CHECK(share <= 1.0);
      }
}

TEST_CASE("the summary pools a sweep's runs over points, pairing arms by point and replicate",
          "[sweep][summary]") {
  const Sweep s = load_sweep(write_sweep("summary", grid()));
  const ResultsFile rf = sweep_to(s, fresh("summary"), SweepOptions{});
  const Summary sum = summarize(rf.runs, rf.header.arm_names);
  REQUIRE(sum.arms.size() == 2);
  // wins is defined for every run (turnouts are NaN in runs that called no action).
  const auto w = static_cast<std::size_t>(
      std::find(sum.outcome_names.begin(), sum.outcome_names.end(), "wins") - sum.outcome_names.begin());
  REQUIRE(w < sum.outcome_names.size());
  for (std::size_t a = 0; a < 2; ++a) CHECK(sum.arms[a].outcomes[w].n == 8);  // 4 points x 2 reps
  CHECK(sum.arms[1].differences[w].n == 8);
  double total = 0;
  for (const auto& r : rf.runs)
    if (r.arm == 0) total += test::outcome(r, "wins");
  CHECK(sum.arms[0].outcomes[w].mean == Approx(total / 8));
}

TEST_CASE("the summary says of how many runs a mean is when an outcome is undefined in some",
          "[summary]") {
  const double nan = std::nan("");
  Summary s;
  s.outcome_names = {"final_turnout", "wins"};
  ArmSummary a, b;
  a.arm = "a";
  a.outcomes = {estimate({0.25, nan, nan, nan, nan}), estimate({1, 2, 3, 4, 5})};
  b.arm = "b";
  b.outcomes = {estimate({nan, nan, nan, nan, nan}), estimate({1, 1, 3, 4, 5})};
  b.differences = {estimate({nan, nan, nan, nan, nan}), estimate({0, -1, 0, 0, 0})};
  s.arms = {a, b};
  const std::string text = format_summary(s, "t", {});
  INFO(text);
  // A turnout from one run of five is said to be one run's, not passed off as the arm's mean.
  CHECK(text.find("0.25 (1 of 5 runs)") != std::string::npos);
  CHECK(text.find("n/a (0 of 5 runs)") != std::string::npos);
  CHECK(text.find("n/a (0 of 5 pairs)") != std::string::npos);
  CHECK(text.find("(n of N runs: the outcome is undefined in the other runs") != std::string::npos);
  // An outcome defined in every run carries no count.
  const auto wins_row = text.substr(text.find("\nwins"), 60);
  CHECK(wins_row.find(" of 5") == std::string::npos);
  // Without undefined values, no footnote.
  Summary full = s;
  full.arms[0].outcomes[0] = estimate({0.25, 0.5, 0.5, 0.5, 0.5});
  full.arms[1].outcomes[0] = estimate({0.25, 0.5, 0.5, 0.5, 0.5});
  full.arms[1].differences[0] = estimate({0, 0, 0, 0, 0});
  CHECK(format_summary(full, "t", {}).find("(n of N runs") == std::string::npos);
}

#ifdef ORGSIM_WITH_MPI
TEST_CASE("mpirun -np 2 gives the file threads give, fresh or resumed", "[sweep][mpi]") {
  if (std::system("command -v mpirun > /dev/null 2>&1") != 0) {
    WARN("mpirun not installed: MPI sweep not tested");
    return;
  }
  // 96 runs: rank 0 hands them out in several shrinking batches.
  const std::string path = write_sweep("mpi", grid(), 12);
  const Sweep s = load_sweep(path);
  const ResultsFile threads = sweep_to(s, fresh("mpi_threads"), SweepOptions{});
  REQUIRE(threads.runs.size() == 96);
  // OpenMPI's plugins leak at exit; in the sanitizer build LeakSanitizer would fail the ranks
  // for that, so leak detection is off for these commands (our sweep code's leaks are checked
  // by the threaded sweep tests).
  const auto mpi = [&](const std::string& out, const std::string& extra, const std::string& log,
                       const std::string& env = "") {
    const std::string cmd = "ASAN_OPTIONS=detect_leaks=0 " + env +
                            " mpirun --allow-run-as-root --oversubscribe -x ASAN_OPTIONS " +
                            (env.empty() ? "" : "-x " + env.substr(0, env.find('=')) + " ") +
                            "-np 2 " +
                            std::string(ORGSIM_BINARY) + " sweep " + path + " -o " + out + " " +
                            extra + " --quiet > " + test::tmp_path(log) + " 2>&1";
    const int rc = std::system(cmd.c_str());
    std::ifstream in(test::tmp_path(log));
    std::stringstream text;
    text << in.rdbuf();
    return std::make_pair(rc, text.str());
  };

  SECTION("fresh: rank 0 writes every run as it comes, nothing is merged") {
    // Two threads a rank: rank 0's own runs finish out of order among the other rank's.
    const std::string out = fresh("mpi");
    const auto [rc, log] = mpi(out, "--threads 2", "mpi.log");
    INFO(log);
    REQUIRE(rc == 0);
    CHECK(same_runs(threads, read_results(out)));
    CHECK(log.find("results: " + out) != std::string::npos);
    CHECK_FALSE(fs::exists(out + ".parts"));
    // Each run is written once, by rank 0: a budget of 96 written runs a process is enough
    // (when every rank wrote parts that rank 0 then merged, rank 0 wrote its own runs twice).
    const std::string once = fresh("mpi_once");
    const auto [rc_once, log_once] =
        mpi(once, "--threads 1", "mpi_once.log", "ORGSIM_FAULT_WRITE_AFTER_RUNS=96");
    INFO(log_once);
    CHECK(rc_once == 0);
    CHECK(same_runs(threads, read_results(once)));
  }
  SECTION("resumed: every rank writes parts, rank 0 merges them") {
    const std::string out = fresh("mpi_resumed");
    REQUIRE(std::system((std::string(ORGSIM_BINARY) + " sweep " + path + " -o " + out +
                         " --shard 0/2 --quiet > /dev/null")
                            .c_str()) == 0);
    const auto [rc, log] = mpi(out, "--threads 1 --resume", "mpi_resumed.log");
    INFO(log);
    REQUIRE(rc == 0);
    CHECK(same_runs(threads, read_results(out)));
    CHECK(log.find("results: " + out) != std::string::npos);
  }
  SECTION("runs that failed on any rank are counted and reported by rank 0") {
    // As in "a failing run is recorded and the sweep goes on": the middle point's ring lattice
    // cannot be rewired, so 16 of the 48 runs fail, spread over both ranks' batches.
    const auto design =
        json::parse(R"({"type": "grid", "parameters": {"network.degree": [4, 98, 6]}})");
    const std::string failing = write_sweep("mpi_failing", design, 8);
    {
      std::ifstream f(failing);
      json j = json::parse(f);
      j["scenario"]["network"] = {{"type", "ring_lattice"}, {"degree", 4}, {"rewire", 0.5},
                                  {"rewire_method", "swap"}};
      std::ofstream(failing) << j.dump(2);
    }
    const std::string out = fresh("mpi_failing");
    const std::string cmd = "ASAN_OPTIONS=detect_leaks=0 mpirun --allow-run-as-root --oversubscribe "
                            "-x ASAN_OPTIONS -np 2 " + std::string(ORGSIM_BINARY) + " sweep " +
                            failing + " -o " + out + " --threads 1 --quiet > " +
                            test::tmp_path("mpi_failing.log") + " 2>&1";
    const int rc = std::system(cmd.c_str());
    std::ifstream in(test::tmp_path("mpi_failing.log"));
    std::stringstream text;
    text << in.rdbuf();
    INFO(text.str());
    CHECK(WEXITSTATUS(rc) == 1);
    CHECK_THAT(text.str(), Catch::Contains("16 run(s) failed"));
    std::int64_t status2 = 0;
    for (const auto& r : read_results(out).runs) status2 += r.status == 2 ? 1 : 0;
    CHECK(status2 == 16);
  }
}
#endif

TEST_CASE("orgsim status reports a sweep from its parts, --max-output-gb refuses big sweeps",
          "[sweep][cli]") {
  const std::string path = write_sweep("status", grid());
  const std::string out = fresh("status");
  const std::string base = std::string(ORGSIM_BINARY);
  REQUIRE(std::system((base + " sweep " + path + " -o " + out + " --shard 1/2 --quiet > /dev/null").c_str()) == 0);
  const std::string log = test::tmp_path("status.log");
  REQUIRE(std::system((base + " status " + out + ".parts > " + log).c_str()) == 0);
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  CHECK_THAT(text.str(), Catch::Contains("8 of 16 runs done (50.0%)"));
  CHECK_THAT(text.str(), Catch::Contains("writer s1of2-g0"));
  // What finishes it is the command the parts record, with --resume, not a placeholder.
  CHECK_THAT(text.str(), Catch::Contains("orgsim sweep " + path + " -o " + out +
                                         " --shard 1/2 --quiet --resume"));
  CHECK_THAT(text.str(), !Catch::Contains("SWEEP.json"));
  // The other shard done, status gives the whole merge command, -o included.
  REQUIRE(std::system((base + " sweep " + path + " -o " + out + " --shard 0/2 --quiet > /dev/null")
                          .c_str()) == 0);
  REQUIRE(std::system((base + " status " + out + ".parts > " + log).c_str()) == 0);
  std::ifstream done_in(log);
  std::stringstream done_text;
  done_text << done_in.rdbuf();
  CHECK_THAT(done_text.str(),
             Catch::Contains("(100.0%)") &&
                 Catch::Contains("all runs done: orgsim merge " + out + ".parts -o " + out));
  const int rc = std::system((base + " sweep " + path + " -o " + fresh("toobig") +
                              " --max-output-gb 0.000001 --quiet > /dev/null 2>&1").c_str());
  CHECK(WEXITSTATUS(rc) == 2);
  CHECK_FALSE(fs::exists(test::tmp_path("toobig.h5.parts")));
  // status on a results file instead of its parts folder: an input error saying what it reads.
  const std::string file_log = test::tmp_path("status-file.log");
  const int on_file = std::system((base + " status " + path + " 2> " + file_log).c_str());
  CHECK(WEXITSTATUS(on_file) == 2);
  std::ifstream fin(file_log);
  std::stringstream ftext;
  ftext << fin.rdbuf();
  CHECK_THAT(ftext.str(), Catch::Contains("expected a sweep's parts directory"));
  CHECK_THAT(ftext.str(), Catch::Contains("found a file"));
}

// ---- every --set path is a sweep parameter ------------------------------------------------------

namespace {
/// A small Watts experiment on the classic base, swept over `design`.
std::string write_watts_sweep(const std::string& name, const json& design, const json& extra = {}) {
  json sc = {{"extends", test::source_path("scenarios/validation/watts.json")},
             {"population", {{"size", 400}}}};
  if (!extra.is_null()) sc.merge_patch(extra);
  const json sweep = {{"name", name}, {"scenario", sc}, {"design", design},
                      {"replicates", 6}, {"seed", 5}};
  const std::string path = test::tmp_path(name + ".json");
  std::ofstream(path) << sweep.dump(2);
  return path;
}
}  // namespace

TEST_CASE("distribution and seed fields are sweep parameters: grid, lhs and sobol run",
          "[sweep][subpath]") {
  for (const char* type : {"grid", "lhs", "sobol"}) {
    INFO(type);
    json design = {{"type", type}};
    if (std::string(type) == "grid") {
      design["parameters"] = {{"population.threshold.value", {{"min", 0.1}, {"max", 0.5}, {"num", 3}}},
                              {"actions.seed.random", {1, 3}}};
    } else {
      design["samples"] = 8;
      design["parameters"] = {{"population.threshold.value", {{"min", 0.1}, {"max", 0.5}}},
                              {"actions.seed.random", {{"min", 1}, {"max", 3}}}};
    }
    const std::string name = std::string("subpath_") + type;
    const Sweep s = load_sweep(write_watts_sweep(name, design));
    REQUIRE(s.design.params.size() == 2);
    CHECK(s.design.params[0].key == "actions.seed.random");
    CHECK(s.design.params[0].integer);  // a seed count
    CHECK_FALSE(s.design.params[1].integer);
    // The point's values reach the run's configuration.
    for (std::int64_t pt = 0; pt < s.points(); ++pt) {
      const ModelConfig cfg = sweep_config(s, pt, 0);
      const auto& v = s.design.points[static_cast<std::size_t>(pt)];
      CHECK(cfg.threshold.value == v[1]);
      CHECK(cfg.seed_set.count == static_cast<std::int64_t>(v[0]));
      CHECK(v[0] == std::round(v[0]));
    }
    const std::string out = fresh(name);
    SweepOptions opt;
    opt.threads = 2;
    const ResultsFile rf = sweep_to(s, out, opt);
    REQUIRE(static_cast<std::int64_t>(rf.runs.size()) == s.total_runs());
    REQUIRE(rf.header.varied.size() == 2);
    CHECK(rf.header.varied[1].key == "population.threshold.value");
    CHECK(rf.header.varied[1].long_name == "Population threshold value");
    CHECK_THAT(rf.header.varied[1].description,
               Catch::StartsWith("`value` of population.threshold"));
    CHECK(rf.header.varied[1].units == "1");
    for (const auto& r : rf.runs) {
      CHECK(r.status == 1);
      CHECK(r.params == s.design.points[static_cast<std::size_t>(r.point)]);
    }
    // Watts at z = 4: thresholds of 0.1 cascade (every node of degree <= 10 is vulnerable),
    // thresholds near 0.5 do not (only degree <= 2).
    double low = 0, high = 0;
    int n_low = 0, n_high = 0;
    for (const auto& r : rf.runs) {
      const double phi = r.params[1], t = test::outcome(r, "final_turnout");
      if (phi < 0.2) low += t, ++n_low;
      if (phi > 0.4) high += t, ++n_high;
    }
    REQUIRE(n_low > 0);
    REQUIRE(n_high > 0);
    CHECK(low / n_low > 0.5);
    CHECK(high / n_high < 0.05);
  }
}

TEST_CASE("sub-path sweep parameters are validated like --set", "[sweep][subpath][validation]") {
  auto error = [](const json& design, const json& extra = {}) {
    try {
      load_sweep(write_watts_sweep("bad_subpath", design, extra));
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  auto grid = [](const char* key, const json& values) {
    return json{{"type", "grid"}, {"parameters", {{key, values}}}};
  };
  CHECK(error(grid("population.threshold.value", {0.1, 0.2})).empty());
  // The threshold here is a constant: it has no mean (the distribution's own message).
  CHECK_THAT(error(grid("population.threshold.mean", {0.1, 0.2})),
             Catch::Contains("population.threshold"));
  // A normal threshold does have one.
  CHECK(error(grid("population.threshold.mean", {0.1, 0.2}),
              {{"population", {{"threshold", {{"distribution", "normal"}, {"mean", 0.2},
                                              {"sd", 0.05}}}}}})
            .empty());
  // The classic base draws no grievance (a constant); a beta grievance has an `a`.
  const json beta_grievance = {
      {"population", {{"grievance", {{"distribution", "beta"}, {"a", 2}, {"b", 3}}}}}};
  CHECK_THAT(error(grid("population.grievance.a", {1, 2})), Catch::Contains("population.grievance"));
  CHECK(error(grid("population.grievance.a", {1, 2}), beta_grievance).empty());
  CHECK_THAT(error(grid("population.grievance.a", {1, -2}), beta_grievance),
             Catch::Contains("population.grievance"));
  CHECK_THAT(error(grid("actions.seed.random", {1.5, 2})), Catch::Contains("integer"));
  // A design's value out of range names the design's parameter, as for a plain key.
  CHECK_THAT(error(grid("population.threshold.value", {0.2, -0.5})),
             Catch::StartsWith(test::tmp_path("bad_subpath.json") +
                               ": design.parameters.population.threshold.value: expected a "
                               "number in [0"));
  // An agent id varied by the design: its design values (doubles) are whole-number ids.
  const json agents = {{"actions", {{"seed", {{"agents", {0, 5}}}}}}};
  CHECK(error(grid("actions.seed.agents.1", {1, 7}), agents).empty());
  CHECK_THAT(error(grid("actions.seed.agents.1", {1.5}), agents),
             Catch::Contains("integer agent id"));
  // A choice listed by a grid is a design parameter too ("[sweep][choice]" below).
  CHECK(error(grid("campaign.strategy", {"relationship_first", "big_messaging"})).empty());
  CHECK_THAT(error(grid("population.threshold", {0.1})), Catch::Contains("not numeric"));
  CHECK_THAT(error(grid("population.size.value", {1})), Catch::Contains("has no sub-keys"));
  CHECK_THAT(error(grid("population.treshold.value", {1})), Catch::Contains("did you mean"));
  // An arm that sets the object holding the varied field (or the field) would undo the design.
  CHECK_THAT(error(grid("population.threshold.value", {0.1, 0.2}),
                   {{"arms", {{{"name", "a"}, {"set", {{"population.threshold",
                                                         {{"distribution", "constant"},
                                                          {"value", 0.3}}}}}}}}}),
             Catch::Contains("arm \"a\" sets `population.threshold`"));
  CHECK_THAT(error(grid("population.threshold.value", {0.1, 0.2}),
                   {{"arms", {{{"name", "a"}, {"set", {{"population.threshold.value", 0.3}}}}}}}),
             Catch::Contains("arm \"a\" sets `population.threshold.value`"));
}

TEST_CASE("the shipped watts_threshold sweep loads: it extends the classic base", "[sweep][subpath]") {
  const Sweep s = load_sweep(test::source_path("scenarios/sweeps/watts_threshold.json"));
  CHECK(s.scenario.bases == std::vector<std::string>{"classic", "../validation/watts.json"});
  CHECK(s.scenario.origin.at("decay.trust") == "base classic");
  CHECK(s.points() == 25);
}

TEST_CASE("a points sweep runs the listed points, each with its own seeds when given",
          "[sweep][points]") {
  const json design = json::parse(R"({"type": "points",
      "parameters": {"campaign.hours_per_step": [5, 20, 5], "environment.turnover": [0, 0.01, 0]},
      "seeds": [11, 12, 11]})");
  const Sweep s = load_sweep(write_sweep("points", design));
  REQUIRE(s.points() == 3);
  const std::string out = fresh("points");
  const ResultsFile rf = sweep_to(s, out, SweepOptions{});
  REQUIRE(rf.runs.size() == 12);  // 3 points x 2 arms x 2 replicates
  for (const auto& r : rf.runs) {
    CHECK(r.params == s.design.points[static_cast<std::size_t>(r.point)]);
    const std::uint64_t master = r.point == 1 ? 12 : 11;
    CHECK(r.seed == replicate_seed(master, static_cast<std::uint64_t>(r.replicate)));
  }
  // points 0 and 2 are the same parameters and seeds: the same runs; point 1 differs
  for (std::size_t k = 0; k < 4; ++k) {
    CHECK(test::same_bits(rf.runs[k].per_run, rf.runs[8 + k].per_run));  // NaN-safe
    CHECK(rf.runs[k].seed != rf.runs[4 + k].seed);
  }
  CHECK(rf.header.design == "points");
  // without seeds every point shares the sweep's replicate seeds (common random numbers)
  const Sweep c = load_sweep(write_sweep("points_crn", json::parse(R"({"type": "points",
      "parameters": {"campaign.hours_per_step": [5, 20]}})")));
  const std::string out2 = fresh("points_crn");
  const ResultsFile rc = sweep_to(c, out2, SweepOptions{});
  for (const auto& r : rc.runs)
    CHECK(r.seed == replicate_seed(3, static_cast<std::uint64_t>(r.replicate)));
}

// ---- choices and switches in a grid or points design ---------------------------------------------

namespace {
std::string write_choice_sweep(const std::string& name, const json& design) {
  const json sc = {{"population", {{"size", 100}}}, {"network", {{"departments", 5}}},
                   {"steps", 12}};
  const json sweep = {{"name", name}, {"scenario", sc}, {"design", design},
                      {"replicates", 2}, {"seed", 4}};
  const std::string path = test::tmp_path(name + ".json");
  std::ofstream(path) << sweep.dump(2);
  return path;
}
std::string choice_error(const json& design) {
  try {
    load_sweep(write_choice_sweep("bad_choice", design));
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("a grid over a choice: each point runs its level, the file names the levels, reruns match",
          "[sweep][choice]") {
  const json design = json::parse(R"({"type": "grid", "parameters": {
      "campaign.strategy": ["relationship_first", "big_messaging"],
      "participation.update": ["synchronous", "random_sequential"],
      "environment.turnover": [0, 0.01]}})");
  const Sweep s = load_sweep(write_choice_sweep("choice_grid", design));
  REQUIRE(s.points() == 8);
  // Keys in alphabetical order: campaign.strategy varies slowest, participation.update fastest.
  REQUIRE(s.design.params[0].levels ==
          std::vector<json>{"relationship_first", "big_messaging"});
  for (std::int64_t pt = 0; pt < s.points(); ++pt) {
    const ModelConfig c = sweep_config(s, pt, 0);
    CHECK(c.strategy == (pt < 4 ? Strategy::relationship_first : Strategy::big_messaging));
    CHECK(c.update == (pt % 2 == 0 ? UpdateOrder::synchronous : UpdateOrder::random_sequential));
  }
  const std::string out = fresh("choice_grid");
  const ResultsFile rf = sweep_to(s, out, SweepOptions{});
  REQUIRE(rf.header.varied.size() == 3);
  CHECK(rf.header.varied[0].key == "campaign.strategy");
  CHECK(rf.header.varied[0].levels == R"(["relationship_first","big_messaging"])");
  CHECK(rf.header.varied[1].levels.empty());  // environment.turnover: a number
  CHECK(rf.header.varied[2].levels == R"(["synchronous","random_sequential"])");
  // Each column's words from the parameter table: a short label, the meaning, UDUNITS units;
  // a choice's column holds indices (no units), its description says into which levels.
  CHECK(rf.header.varied[0].long_name == "Campaign strategy");
  CHECK(rf.header.varied[0].units.empty());
  CHECK(rf.header.varied[0].description ==
        find_param("campaign.strategy")->meaning +
            R"( (the index into the levels attribute, ["relationship_first","big_messaging"]))");
  CHECK(rf.header.varied[1].long_name == "Environment turnover");
  CHECK(rf.header.varied[1].description == find_param("environment.turnover")->meaning);
  CHECK(rf.header.varied[1].units == "week-1");
  // The column holds each run's index into the levels; a rerun maps it back, bit for bit.
  for (const std::int64_t run : {0, 5, 9, 15}) {
    const auto& r = rf.runs[static_cast<std::size_t>(run)];
    CHECK(r.params[0] == (r.point < 4 ? 0.0 : 1.0));
    const Rerun again = rerun(out, run);
    INFO("run " << run);
    CHECK(again.identical());
  }
}

TEST_CASE("a points design over a switch repeats levels, and bad lists are input errors",
          "[sweep][choice]") {
  const json points = json::parse(R"({"type": "points", "parameters": {
      "trust.voice": [0.2, 0.4, 0.2],
      "campaign.strategy": ["hybrid", "issue_first", "hybrid"]}})");
  const Sweep s = load_sweep(write_choice_sweep("choice_points", points));
  CHECK(s.points() == 3);
  CHECK(s.design.params[0].levels == std::vector<json>{"hybrid", "issue_first"});
  CHECK(sweep_config(s, 2, 0).strategy == Strategy::hybrid);
  auto grid = [](const json& values) {
    return json{{"type", "grid"}, {"parameters", {{"campaign.strategy", values}}}};
  };
  CHECK_THAT(choice_error(grid({"hybrid", "big_mesaging"})),
             Catch::Contains("design.parameters.campaign.strategy: expected one of") &&
                 Catch::Contains("did you mean \"big_messaging\""));
  CHECK_THAT(choice_error(grid({"hybrid", 3})),
             Catch::Contains("campaign.strategy[1]: expected a string, as the list's first"));
  CHECK_THAT(choice_error(grid({"hybrid", "hybrid"})),
             Catch::Contains("campaign.strategy[1]: expected distinct values"));
  CHECK_THAT(choice_error(grid({3, "hybrid"})),
             Catch::Contains("campaign.strategy[1]: expected a number") &&
                 Catch::Contains("only when the whole list is of them"));
  // null (a choice's "the strategy's preset") is not a level: what to write instead.
  CHECK_THAT(choice_error(json::parse(R"({"type": "grid",
                 "parameters": {"actions.policy": [null, "hot"]}})")),
             Catch::Contains("design.parameters.actions.policy[0]: expected a number, a name or "
                             "true/false, found null") &&
                 Catch::Contains("list the preset's own value by name"));
  CHECK_THAT(choice_error(json::parse(R"({"type": "points",
                 "parameters": {"actions.policy": [null]}})")),
             Catch::Contains("actions.policy[0]: expected a number, a name or true/false"));
  CHECK_THAT(choice_error(grid(json::array())),
             Catch::Contains("expected a non-empty array of numbers, of names (a choice) or of "
                             "true/false (a switch), or a range"));
  // A sampled design varies numbers only: a choice's levels listed there are told that a choice
  // cannot be sampled, and what its levels are.
  for (const char* type : {"lhs", "random", "sobol", "morris"}) {
    INFO(type);
    json design = {{"type", type}, {"samples", 4}, {"trajectories", 2}};
    design.erase(std::string(type) == "morris" ? "samples" : "trajectories");
    design["parameters"]["actions.policy"] = {"hot", "never"};
    const std::string e = choice_error(design);
    CHECK_THAT(e, Catch::Contains("design.parameters.actions.policy: expected a range"));
    CHECK_THAT(e, Catch::Contains("found a list of levels of `actions.policy`, a choice"));
    CHECK_THAT(e, Catch::Contains("lists of values are for grid designs"));
    CHECK_THAT(e, Catch::Contains("a choice or switch can be varied only by a grid or points "
                                  "design (it cannot be sampled)"));
    CHECK_THAT(e, Catch::Contains("[\"schedule\", \"continuous\", \"hot\", \"readiness\", "
                                  "\"ready_and_hot\", \"never\"]"));
  }
  // A choice given a range in a grid or points design: told straight away to list its levels
  // (a grid's range without `num` used to be told it lacked `num`).
  for (const char* type : {"grid", "points"}) {
    INFO(type);
    const json design = {{"type", type},
                         {"parameters", {{"actions.policy", {{"min", 0}, {"max", 1}}}}}};
    const std::string e = choice_error(design);
    CHECK_THAT(e, Catch::Contains("design.parameters.actions.policy: expected a number"));
    CHECK_THAT(e, Catch::Contains("found `actions.policy`, a choice, which is not numeric"));
    CHECK_THAT(e, Catch::Contains("a choice can be swept only by listing its levels in a grid or "
                                  "points design, e.g. \"actions.policy\": [\"schedule\", "
                                  "\"continuous\", \"hot\", \"readiness\", \"ready_and_hot\", "
                                  "\"never\"]"));
    CHECK_THAT(e, !Catch::Contains("`num`"));
  }
  // A number parameter given strings: the value's own check.
  CHECK_THAT(choice_error(json::parse(R"({"type": "grid",
                 "parameters": {"environment.turnover": ["low", "high"]}})")),
             Catch::Contains("design.parameters.environment.turnover: expected a number"));
}
