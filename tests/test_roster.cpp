// network.type = roster: your own workplace from a CSV of people (and known friendships).
#include <catch2/catch.hpp>

#include <hdf5.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/errors.hpp"
#include "core/rng.hpp"
#include "engine/runner.hpp"
#include "engine/simulation.hpp"
#include "engine/snapshot.hpp"
#include "engine/sweep.hpp"
#include "io/memory_results.hpp"
#include "io/layout.hpp"
#include "io/results_file.hpp"
#include "io/outputs.hpp"
#include "helpers.hpp"
#include "model/network.hpp"
#include "model/roster.hpp"

using namespace orgsim;

namespace {

Roster roster_from(const std::string& text) {
  std::istringstream in(text);
  return read_roster(in, "people.csv");
}

/// The InputError of reading `text` as a roster (or, with `friends`, as its friendships file).
InputError roster_error(const std::string& text, const std::string& friends = "") {
  try {
    Roster r = roster_from(text);
    if (!friends.empty()) {
      std::istringstream in(friends);
      read_friendships(in, "friends.csv", r);
    }
  } catch (const InputError& e) {
    return e;
  }
  FAIL("no InputError for the roster");
  return InputError("", "", "", "");
}

const char* const kSmall =
    "name,department,shift,role,leader\n"
    "Ana,packing,day,worker,no\n"
    "Bo,packing,day,lead,yes\n"
    "Cy,shipping,night,steward,\n";

/// A roster of `depts` departments x 2 shifts x `per` people.
std::string grid_roster(int depts, int per) {
  std::string s = "name,department,shift,role\n";
  for (int d = 0; d < depts; ++d)
    for (int sh = 0; sh < 2; ++sh)
      for (int k = 0; k < per; ++k)
        s += "p" + std::to_string(d) + "_" + std::to_string(sh) + "_" + std::to_string(k) + ",d" +
             std::to_string(d) + "," + (sh ? "night" : "day") + ",worker\n";
  return s;
}

std::string write_file(const std::string& name, const std::string& text) {
  const std::string p = test::tmp_path(name);
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

}  // namespace

TEST_CASE("a roster is read with its departments, shifts, roles and leaders", "[roster]") {
  // BOM, CRLF, comments, columns in another order and in capitals
  const Roster r = roster_from(
      "\xEF\xBB\xBF# our shop\r\nRole,Name,Shift,Department,Leader\r\n"
      "worker,Ana,day,packing,no\r\nlead,Bo,day,packing,YES\r\n\r\nsteward,Cy,night,shipping,\r\n");
  REQUIRE(r.size() == 3);
  CHECK(r.names == std::vector<std::string>{"Ana", "Bo", "Cy"});
  CHECK(r.departments == std::vector<std::string>{"packing", "packing", "shipping"});
  CHECK(r.shifts == std::vector<std::string>{"day", "day", "night"});
  CHECK(r.roles == std::vector<std::string>{"worker", "lead", "steward"});
  CHECK(r.leader == std::vector<std::uint8_t>{0, 1, 0});
  CHECK(r.department_id == std::vector<std::int32_t>{0, 0, 1});
  CHECK(r.shift_id == std::vector<std::int32_t>{0, 0, 1});
  CHECK(r.department_names == std::vector<std::string>{"packing", "shipping"});
}

TEST_CASE("bad rosters and friendship files name the file, the line and the problem",
          "[roster]") {
  struct Case {
    const char* text;
    const char* friends;
    const char* where;
    const char* expected;
    const char* found;
  };
  const std::string header = "name,department,shift,role,leader\n";
  const Case cases[] = {
      {"name,department,shift,role\nAna,packing,day,worker\nAna,shipping,day,worker\n", "",
       "line 3", "each name once", "'Ana' again, first given on line 2"},
      {"name,department,shift,role\nAna,,day,worker\n", "", "line 2", "a department for Ana",
       "an empty department"},
      {"name,department,shift,role\nAna,packing,,worker\n", "", "line 2", "a shift for Ana",
       "an empty shift"},
      {"name,department,shift,role\nAna,packing,day,boss\n", "", "line 2",
       "a role: worker, lead or steward", "'boss'"},
      {"name,department,shift,role\nAna,packing,day\n", "", "line 2",
       "4 comma-separated fields", "3 fields"},
      {"name,department,shift\nAna,packing,day\n", "", "line 1", "a header naming the columns",
       "no column 'role'"},
      {"name,dept,shift,role\n", "", "line 1", "a header naming the columns", "'dept'"},
      {"name,department,shift,role,leader\nAna,packing,day,worker,maybe\n", "", "line 2",
       "leader: yes or no", "'maybe'"},
      {"name,department,shift,role\n\"Ana, Jr\",packing,day,worker\n", "", "line 2",
       "no quotes", "a double quote"},
      {"name,department,shift,role\n", "", "", "at least one person", "only a header line"},
      {"", "", "", "a header line", "an empty file"},
      {kSmall, "name_a,name_b\nAna,Dee\n", "line 2", "a name on the roster",
       "'Dee', not on the roster"},
      {kSmall, "Ana,Bo\nBo,Ana\n", "line 2", "each friendship once",
       "'Bo' and 'Ana' again, first given on line 1"},
      {kSmall, "Ana,Ana\n", "line 1", "two different people", "'Ana' twice"},
      {kSmall, "Ana,Bo,Cy\n", "line 1", "2 comma-separated names", "3 fields"},
  };
  for (const auto& c : cases) {
    const InputError e = roster_error(c.text, c.friends);
    INFO(c.text << " | " << c.friends << " -> " << e.what());
    CHECK(e.file() == (std::string(c.friends).empty() ? "people.csv" : "friends.csv"));
    CHECK(e.where() == c.where);
    CHECK(e.expected().find(c.expected) != std::string::npos);
    CHECK(e.found().find(c.found) != std::string::npos);
  }
  // binary data
  const InputError e = roster_error(header + std::string("Ana,pack\0ing,day,worker,no\n", 27));
  CHECK(e.where() == "line 2");
  CHECK(e.found().find("a NUL byte") != std::string::npos);
}

TEST_CASE("a bad roster in a scenario names the scenario, the JSON path, the CSV file and line",
          "[roster]") {
  const std::string dir = test::tmp_path("roster_bad");
  std::filesystem::create_directories(dir);
  write_file("roster_bad/people.csv",
             "name,department,shift,role\nAna,packing,day,worker\nBo,packing,day,chief\n");
  write_file("roster_bad/friends.csv", "Ana,Zed\n");
  write_file("roster_bad/ok.csv", "name,department,shift,role\nAna,packing,day,worker\n"
                                  "Bo,packing,night,worker\n");
  const auto scenario = [&](const std::string& body) {
    return write_file("roster_bad/s.json", R"({"population": {"size": 2}, "steps": 1,
      "replicates": 1, "network": )" + body + "}");
  };
  const auto error_of = [](const std::string& path) -> std::string {
    try {
      make_plan(load_scenario(path));
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  };
  std::string m = error_of(scenario(R"({"type": "roster", "roster": "people.csv"})"));
  INFO(m);
  CHECK(m.find("s.json") != std::string::npos);
  CHECK(m.find("network.roster") != std::string::npos);
  CHECK(m.find("people.csv line 3") != std::string::npos);
  CHECK(m.find("'chief'") != std::string::npos);

  m = error_of(scenario(R"({"type": "roster", "roster": "ok.csv", "friendships": "friends.csv"})"));
  INFO(m);
  CHECK(m.find("network.friendships") != std::string::npos);
  CHECK(m.find("friends.csv line 1") != std::string::npos);
  CHECK(m.find("'Zed', not on the roster") != std::string::npos);

  m = error_of(scenario(R"({"type": "roster"})"));
  CHECK(m.find("network.roster") != std::string::npos);
  CHECK(m.find("no path") != std::string::npos);

  m = error_of(write_file("roster_bad/s3.json", R"({"population": {"size": 3}, "steps": 1,
      "network": {"type": "roster", "roster": "ok.csv"}})"));
  INFO(m);
  CHECK(m.find("population.size") != std::string::npos);
  CHECK(m.find("the number of people on the roster (ok.csv): 2") != std::string::npos);

  m = error_of(scenario(R"({"type": "roster", "roster": "missing.csv"})"));
  CHECK(m.find("missing.csv") != std::string::npos);
  CHECK(m.find("no such file") != std::string::npos);
}

TEST_CASE("the roster graph is dense within a department and shift, sparser across",
          "[roster]") {
  // 5 departments x 2 shifts x 20 people = 200; chances 0.5 / 0.1 / 0.02 (the defaults)
  const Roster r = roster_from(grid_roster(5, 20));
  const RosterTieChances ch{0.5, 0.1, 0.02};
  // Pairs of each kind: same cell C(20,2) x 10 cells; same department other shift 20*20 x 5;
  // across departments: the rest.
  const double pairs_same = 10 * 190.0, pairs_other = 5 * 400.0;
  const double pairs_across = 200.0 * 199 / 2 - pairs_same - pairs_other;
  double got[3] = {0, 0, 0};
  const int seeds = 10;
  for (int s = 0; s < seeds; ++s) {
    Rng rng(1000 + s, Stream::network);
    const Network net = roster_network(r, ch, 0.8, rng);
    for (std::int32_t i = 0; i < net.n; ++i)
      for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e) {
        const std::int32_t j = net.neighbors[e];
        if (j <= i) continue;
        const bool dept = r.department_id[i] == r.department_id[j];
        const bool shift = r.shift_id[i] == r.shift_id[j];
        ++got[!dept ? 2 : (shift ? 0 : 1)];
      }
  }
  const double pairs[3] = {pairs_same, pairs_other, pairs_across};
  const double p[3] = {ch.same_shift, ch.other_shift, ch.across};
  for (int k = 0; k < 3; ++k) {
    const double trials = pairs[k] * seeds;
    const double share = got[k] / trials;
    const double se = std::sqrt(p[k] * (1 - p[k]) / trials);
    INFO("kind " << k << ": " << share << " vs " << p[k] << " (se " << se << ")");
    CHECK(std::abs(share - p[k]) < 4 * se);
  }
  CHECK(got[0] / (pairs_same * seeds) > got[1] / (pairs_other * seeds));
  CHECK(got[1] / (pairs_other * seeds) > got[2] / (pairs_across * seeds));
}

TEST_CASE("known friendships are tied with the friendship trust, other ties left to the model",
          "[roster]") {
  Roster r = roster_from(grid_roster(3, 6));
  std::istringstream in("name_a,name_b\np0_0_0,p2_1_5\np1_0_1,p1_1_2\n");
  read_friendships(in, "friends.csv", r);
  REQUIRE(r.friendships.size() == 2);
  RosterTieChances none{0.0, 0.0, 0.0};
  Rng rng(5, Stream::network);
  const Network net = roster_network(r, none, 0.75, rng);
  CHECK(net.num_ties() == 2);  // with no chance of other ties only the friendships remain
  for (const auto& [u, v] : r.friendships) {
    const auto e = net.find_entry(u, v);
    REQUIRE(e >= 0);
    CHECK(net.trust[static_cast<std::size_t>(e)] == 0.75f);
  }
  Rng rng2(5, Stream::network);
  const Network full = roster_network(r, RosterTieChances{1.0, 1.0, 1.0}, 0.75, rng2);
  CHECK(full.num_ties() == 36 * 35 / 2);
  std::size_t unset = 0;
  for (float t : full.trust) unset += std::isnan(t) ? 1 : 0;
  CHECK(unset == full.trust.size() - 4);  // two friendships, both entries each
}

TEST_CASE("the template roster runs: leaders start as worker-organizers, ties follow the roster",
          "[roster]") {
  const RunPlan plan = test::plan_for("scenarios/roster/warehouse.json", {"steps=1"});
  REQUIRE(plan.arms.size() == 2);
  const ModelConfig& cfg = plan.arms[0];
  REQUIRE(cfg.network.type == NetworkType::roster);
  REQUIRE(cfg.network.roster);
  const Roster& r = *cfg.network.roster;
  CHECK(r.size() == 60);
  CHECK(cfg.worker_organizers == 0);
  Simulation sim(cfg, replicate_seed(plan.master_seed, 0));
  const Population& pop = sim.population();
  int leaders = 0;
  for (std::int32_t i = 0; i < r.size(); ++i) {
    const bool organizer = pop.role[static_cast<std::size_t>(i)] == Role::worker_organizer;
    if (r.leader[static_cast<std::size_t>(i)]) {
      ++leaders;
      CHECK(organizer);
    } else {
      CHECK_FALSE(organizer);
    }
  }
  CHECK(leaders == 3);
  // every known friendship is a tie of the run's network
  const Network& net = sim.network();
  REQUIRE_FALSE(r.friendships.empty());
  for (const auto& [u, v] : r.friendships) CHECK(net.find_entry(u, v) >= 0);
  // without leaders nobody starts organizing (campaign.worker_organizers = 0)
  std::string no_leaders = "name,department,shift,role\n";
  for (std::int32_t i = 0; i < r.size(); ++i)
    no_leaders += r.names[i] + "," + r.departments[i] + "," + r.shifts[i] + ",worker\n";
  const std::string path = write_file("roster_no_leaders.csv", no_leaders);
  const RunPlan plain = test::plan_for("scenarios/roster/warehouse.json",
                                       {"steps=1", "network.roster=" + path,
                                        "network.friendships="});
  Simulation sim2(plain.arms[0], replicate_seed(plain.master_seed, 0));
  for (auto role : sim2.population().role) CHECK(role == Role::member);
}

TEST_CASE("a roster's departments reach the model: introductions across them count as bridging",
          "[roster]") {
  const RunPlan plan = test::plan_for("scenarios/roster/warehouse.json", {"replicates=4"});
  const ModelConfig& cfg = plan.arms[0];
  const Roster& r = *cfg.network.roster;
  REQUIRE(r.department_names.size() == 4);
  for (std::int32_t i = 0; i < r.size(); ++i)
    CHECK(department_of(cfg.network, r.size(), i) == r.department_id[static_cast<std::size_t>(i)]);
  // the snapshots (the /agents table, the page's network view) group people by those departments
  Simulation sim(cfg, replicate_seed(plan.master_seed, 0));
  const Snapshots layout = snapshot_layout(sim, cfg, SnapshotOptions{1, true});
  REQUIRE(layout.department.size() == r.department_id.size());
  for (std::size_t i = 0; i < layout.department.size(); ++i)
    CHECK(layout.department[i] == r.department_id[i]);
  // relationship-first weaves ties; some join people of different departments (with one
  // department for everyone, as before this was fixed, none could)
  double created = 0, bridging = 0;
  for (std::int64_t rep = 0; rep < plan.replicates; ++rep) {
    const RunRecord rec = run_one(plan, 0, rep, nullptr);
    created += rec.per_run[per_run_index("ties_created_total")];
    bridging += rec.per_run[per_run_index("ties_bridging_total")];
  }
  CHECK(created > 0);
  CHECK(bridging > 0);
  CHECK(bridging <= created);
}

/// How many people the file's /roster group lists (-1: no such group).
static long long roster_people(const std::string& path) {
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  long long n = -1;
  if (H5Lexists(f, layout::kRosterGroup, H5P_DEFAULT) > 0) {
    const std::string name = std::string(layout::kRosterGroup) + "/" + layout::roster::kName;
    const hid_t ds = H5Dopen2(f, name.c_str(), H5P_DEFAULT);
    const hid_t space = H5Dget_space(ds);
    n = static_cast<long long>(H5Sget_simple_extent_npoints(space));
    H5Sclose(space);
    H5Dclose(ds);
  }
  H5Fclose(f);
  return n;
}

TEST_CASE("a roster reaches the file from every writer: run, sweep and in memory",
          "[roster][results]") {
  // The names were copied by `orgsim run` alone; a sweep's file and the Python module's
  // in-memory file had no /roster group.
  const std::string scenario = test::source_path("scenarios/roster/warehouse.json");
  const std::string sweep_path = test::tmp_path("roster_sweep.json");
  std::ofstream(sweep_path) << nlohmann::json{
      {"name", "roster_sweep"},
      {"scenario", scenario},
      {"design", {{"type", "grid"}, {"parameters", {{"campaign.hours_per_step", {5, 10}}}}}},
      {"replicates", 1},
      {"seed", 1}}.dump();
  const std::string out = test::tmp_path("roster_sweep.h5");
  std::filesystem::remove(out);
  std::filesystem::remove_all(out + ".parts");
  Sweep s = load_sweep(sweep_path);
  s.scenario.base["steps"] = 2;
  SweepOptions opt;
  opt.build_final = true;
  run_sweep(s, out, opt);
  CHECK(roster_people(out) == 60);
  CHECK(read_results(out, false).header.roster_names.size() == 60);  // read back too
  // Parts merged at the end (a resumed, sharded or MPI sweep): the merge keeps the roster.
  const std::string merged = test::tmp_path("roster_sweep_merged.h5");
  std::filesystem::remove(merged);
  std::filesystem::remove_all(merged + ".parts");
  run_sweep(s, merged, SweepOptions{});
  merge_parts(merged + ".parts", merged);
  CHECK(roster_people(merged) == 60);

  const Scenario sc = load_scenario(scenario, {"steps=2", "replicates=1"});
  const std::vector<unsigned char> image = run_to_image(sc, 1, "test");
  const std::string mem = test::tmp_path("roster_memory.h5");
  std::ofstream(mem, std::ios::binary)
      .write(reinterpret_cast<const char*>(image.data()), static_cast<std::streamsize>(image.size()));
  CHECK(roster_people(mem) == 60);

  // Without a roster, no group.
  const Scenario plain = load_scenario(test::source_path("scenarios/default.json"),
                                       {"steps=2", "replicates=1"});
  const std::vector<unsigned char> none = run_to_image(plain, 1, "test");
  std::ofstream(mem, std::ios::binary)
      .write(reinterpret_cast<const char*>(none.data()), static_cast<std::streamsize>(none.size()));
  CHECK(roster_people(mem) == -1);
}

TEST_CASE("a sweep reads its roster once, not once per run", "[roster][sweep]") {
  // The warehouse scenario with its roster and friendships, in a folder of the test's own.
  const std::string dir = test::tmp_path("roster_once");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  for (const char* f : {"warehouse.json", "warehouse_roster.csv", "friendships.csv"})
    std::filesystem::copy_file(test::source_path(std::string("scenarios/roster/") + f),
                               dir + "/" + f);
  const std::string sweep_path = dir + "/sweep.json";
  std::ofstream(sweep_path) << nlohmann::json{
      {"name", "roster_once"},
      {"scenario", dir + "/warehouse.json"},
      {"design", {{"type", "grid"}, {"parameters", {{"campaign.hours_per_step", {5, 10}}}}}},
      {"replicates", 2},
      {"seed", 3}}.dump();

  Sweep s = load_sweep(sweep_path);
  s.scenario.base["steps"] = 3;
  REQUIRE(s.total_runs() == 8);  // 2 points x 2 arms x 2 replicates
  CHECK(s.rosters->reads() == 1);  // the check of every point and arm at load
  std::vector<RunRecord> with_files;
  for (std::int64_t run = 0; run < s.total_runs(); ++run)
    with_files.push_back(run_sweep_run(s, run));
  CHECK(s.rosters->reads() == 1);  // no run read it again

  // Once loaded, a sweep no longer needs the files: the runs take the roster read at load, and
  // give the same results.
  Sweep again = load_sweep(sweep_path);
  again.scenario.base["steps"] = 3;
  std::filesystem::remove(dir + "/warehouse_roster.csv");
  std::filesystem::remove(dir + "/friendships.csv");
  for (std::int64_t run = 0; run < again.total_runs(); ++run) {
    INFO("run " << run);
    const RunRecord r = run_sweep_run(again, run);
    CHECK(r.status == 1);
    const RunRecord& w = with_files[static_cast<std::size_t>(run)];
    // Bit for bit (the outputs hold NaN where a measure is undefined).
    REQUIRE(r.per_step.size() == w.per_step.size());
    CHECK(std::memcmp(r.per_step.data(), w.per_step.data(), w.per_step.size() * sizeof(float)) ==
          0);
    REQUIRE(r.per_run.size() == w.per_run.size());
    CHECK(std::memcmp(r.per_run.data(), w.per_run.data(), w.per_run.size() * sizeof(double)) ==
          0);
  }
  // A new load reads the files, and says they are gone.
  CHECK_THROWS_WITH(load_sweep(sweep_path), Catch::Contains("warehouse_roster.csv") &&
                                                Catch::Contains("network.roster"));
}
