// Snapshots in the results file (output.snapshots, docs/HDF5_LAYOUT.md): `orgsim run` writes
// /agents and /networks with the values take_frame gives for the same run, sized (run,
// snapshot, agent|edge); nothing when the option is off (the default); a 1-step run has one
// snapshot; the resource estimate grows with them.
#include <catch2/catch.hpp>
#include <hdf5.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/runner.hpp"
#include "engine/simulation.hpp"
#include "core/errors.hpp"
#include "engine/snapshot.hpp"
#include "engine/sweep.hpp"
#include "cli.hpp"
#include "helpers.hpp"
#include "io/scenario.hpp"

using namespace orgsim;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {
int cli(const std::string& args) { return test::run_cli(args).code; }

/// The default scenario, small, with `extra` keys set at the top level.
std::string small(const std::string& name, std::int32_t steps, const json& output) {
  std::ifstream in(test::source_path("scenarios/default.json"));
  json sc = json::parse(in);
  sc["population"]["size"] = 60;
  sc["network"]["departments"] = 3;
  sc["steps"] = steps;
  sc["replicates"] = 2;
  sc.erase("extends");
  if (!output.is_null()) sc["output"] = output;
  const std::string path = test::tmp_path(name + ".json");
  std::ofstream(path) << sc.dump(2);
  return path;
}

bool exists(hid_t f, const char* path) { return H5Lexists(f, path, H5P_DEFAULT) > 0; }

std::vector<hsize_t> dims(hid_t f, const char* path) {
  const hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
  REQUIRE(ds >= 0);
  const hid_t sp = H5Dget_space(ds);
  std::vector<hsize_t> d(static_cast<std::size_t>(H5Sget_simple_extent_ndims(sp)));
  H5Sget_simple_extent_dims(sp, d.data(), nullptr);
  H5Sclose(sp);
  H5Dclose(ds);
  return d;
}

template <class T>
std::vector<T> read_all(hid_t f, const char* path, hid_t mem_type) {
  std::size_t n = 1;
  for (auto d : dims(f, path)) n *= d;
  std::vector<T> v(n);
  const hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
  REQUIRE(H5Dread(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) >= 0);
  H5Dclose(ds);
  return v;
}

bool same_float(float a, float b) { return (std::isnan(a) && std::isnan(b)) || a == b; }
}  // namespace

TEST_CASE("snapshot file: /agents and /networks hold take_frame's values for every run",
          "[snapshot][results]") {
  const std::int32_t T = 10, every = 4;
  const std::string sc = small("snapfile", T, json{{"snapshots", every}});
  const std::string out = test::tmp_path("snapfile.h5");
  fs::remove(out);
  REQUIRE(cli("run " + sc + " -o " + out + " --quiet --threads 1") == 0);
  const RunPlan plan = make_plan(load_scenario(sc));
  REQUIRE(plan.snapshot_every == every);
  const auto R = static_cast<hsize_t>(plan.total_runs());
  const auto N = static_cast<hsize_t>(plan.arms[0].n);

  const hid_t f = H5Fopen(out.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  // Steps 0, 4, 8 and the last (9).
  const auto steps = read_all<std::int32_t>(f, "agents/snapshot_step", H5T_NATIVE_INT32);
  REQUIRE(steps == std::vector<std::int32_t>{0, 4, 8, 9});
  const hsize_t S = steps.size();
  CHECK(dims(f, "agents/commitment") == std::vector<hsize_t>{R, S, N});
  CHECK(dims(f, "agents/rung") == std::vector<hsize_t>{R, S, N});
  CHECK(dims(f, "agents/department") == std::vector<hsize_t>{R, N});
  {  // chunked one frame per chunk, compressed
    const hid_t ds = H5Dopen2(f, "agents/commitment", H5P_DEFAULT);
    const hid_t dcpl = H5Dget_create_plist(ds);
    hsize_t chunk[3] = {0, 0, 0};
    REQUIRE(H5Pget_chunk(dcpl, 3, chunk) == 3);
    CHECK((chunk[0] == 1 && chunk[1] == 1 && chunk[2] == N));
    CHECK(H5Pget_nfilters(dcpl) >= 1);
    H5Pclose(dcpl);
    H5Dclose(ds);
  }
  const auto commitment = read_all<float>(f, "agents/commitment", H5T_NATIVE_FLOAT);
  const auto degree = read_all<float>(f, "agents/trust_degree", H5T_NATIVE_FLOAT);
  const auto rung = read_all<std::int8_t>(f, "agents/rung", H5T_NATIVE_INT8);
  const auto role = read_all<std::int8_t>(f, "agents/role", H5T_NATIVE_INT8);
  const auto took = read_all<std::int8_t>(f, "agents/took_part", H5T_NATIVE_INT8);
  const auto dep = read_all<std::int32_t>(f, "agents/department", H5T_NATIVE_INT32);
  const auto E = dims(f, "networks/source")[1];
  CHECK(dims(f, "networks/trust") == std::vector<hsize_t>{R, S, E});
  const auto src = read_all<std::int32_t>(f, "networks/source", H5T_NATIVE_INT32);
  const auto dst = read_all<std::int32_t>(f, "networks/target", H5T_NATIVE_INT32);
  const auto trust = read_all<float>(f, "networks/trust", H5T_NATIVE_FLOAT);
  H5Fclose(f);

  std::size_t ties_seen = 0;
  for (hsize_t r = 0; r < R; ++r) {
    // The same run, observed independently with the engine's snapshot API.
    const auto arm = static_cast<std::int32_t>(static_cast<std::int64_t>(r) / plan.replicates);
    const ModelConfig& cfg = plan.arms[static_cast<std::size_t>(arm)];
    const SnapshotOptions opt{every, true};
    Snapshots sn;
    run_one(plan, arm, static_cast<std::int64_t>(r) % plan.replicates, nullptr,
            [&](const Simulation& sim) {
              if (sn.department.empty()) sn = snapshot_layout(sim, cfg, opt);
              if (snapshot_due(sim.current_step() - 1, plan.steps, every))
                sn.frames.push_back(take_frame(sim, cfg, sn, opt));
            });
    REQUIRE(sn.frames.size() == S);
    REQUIRE(sn.tie_i.size() <= E);
    ties_seen = std::max(ties_seen, sn.tie_i.size());
    for (hsize_t i = 0; i < N; ++i) REQUIRE(dep[r * N + i] == sn.department[i]);
    for (hsize_t e = 0; e < E; ++e) {
      const bool has = e < sn.tie_i.size();
      REQUIRE(src[r * E + e] == (has ? sn.tie_i[e] : -1));
      REQUIRE(dst[r * E + e] == (has ? sn.tie_j[e] : -1));
    }
    for (hsize_t s = 0; s < S; ++s) {
      const Frame& fr = sn.frames[s];
      REQUIRE(fr.step == steps[s]);
      for (hsize_t i = 0; i < N; ++i) {
        const hsize_t k = (r * S + s) * N + i;
        REQUIRE(same_float(commitment[k], fr.commitment[i]));
        REQUIRE(same_float(degree[k], fr.trust_degree[i]));
        REQUIRE(rung[k] == fr.rung[i]);
        REQUIRE(role[k] == static_cast<std::int8_t>(fr.role[i]));
        REQUIRE(took[k] == static_cast<std::int8_t>(fr.took_part[i]));
      }
      for (hsize_t e = 0; e < E; ++e) {
        const float v = trust[(r * S + s) * E + e];
        if (e < fr.tie_trust.size()) {
          REQUIRE(v == fr.tie_trust[e]);
          REQUIRE(std::isfinite(v));
        } else {
          REQUIRE(std::isnan(v));  // a tie made later (or in another run only)
        }
      }
    }
  }
  CHECK(ties_seen == E);
  CHECK(ties_seen > 0);
}

TEST_CASE("snapshot file: off by default writes no /agents or /networks, a 1-step run has one "
          "snapshot, and the estimate counts them",
          "[snapshot][results]") {
  {
    const std::string out = test::tmp_path("snapfile_off.h5");
    fs::remove(out);
    REQUIRE(cli("run " + small("snapfile_off", 5, json()) + " -o " + out + " --quiet") == 0);
    const hid_t f = H5Fopen(out.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(f >= 0);
    CHECK_FALSE(exists(f, "agents"));
    CHECK_FALSE(exists(f, "networks"));
    H5Fclose(f);
  }
  {
    const std::string sc = small("snapfile_one", 1, json{{"snapshots", 7}});
    const std::string out = test::tmp_path("snapfile_one.h5");
    fs::remove(out);
    REQUIRE(cli("run " + sc + " -o " + out + " --quiet") == 0);
    const hid_t f = H5Fopen(out.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(f >= 0);
    CHECK(read_all<std::int32_t>(f, "agents/snapshot_step", H5T_NATIVE_INT32) ==
          std::vector<std::int32_t>{0});
    CHECK(dims(f, "agents/rung") == std::vector<hsize_t>{4, 1, 60});  // 2 arms x 2 replicates
    H5Fclose(f);
  }
  {
    const RunPlan off = make_plan(load_scenario(small("snapfile_est0", 10, json())));
    const RunPlan on = make_plan(load_scenario(small("snapfile_est1", 10, json{{"snapshots", 4}})));
    const ResourceEstimate e0 = estimate_resources(off, 1), e1 = estimate_resources(on, 1);
    const SnapshotBytes b = estimate_snapshot_bytes(on.arms[0], 10, 4);
    // 4 frames (0, 4, 8, 9): 11 bytes per person each, plus the department.
    CHECK(b.output >= 4 * 11.0 * 60 + 4.0 * 60);
    CHECK(e1.output_bytes == Approx(e0.output_bytes + 4 * b.output));
    CHECK(e1.held_bytes == Approx(e0.held_bytes + 4 * b.held));
    CHECK(estimate_snapshot_bytes(on.arms[0], 10, 0).output == 0.0);
  }
}

TEST_CASE("snapshot file: a sweep refuses output.snapshots instead of ignoring it",
          "[snapshot][sweep]") {
  std::ifstream in(small("snapfile_sweep_base", 5, json{{"snapshots", 2}}));
  const json sweep = {{"name", "snap-sweep"},
                      {"scenario", json::parse(in)},
                      {"design", json::parse(R"({"type": "grid", "parameters": {
                           "environment.turnover": [0, 0.01]}})")},
                      {"replicates", 1}};
  const std::string path = test::tmp_path("snapfile_sweep.json");
  std::ofstream(path) << sweep.dump(2);
  try {
    (void)load_sweep(path);
    FAIL("a sweep with output.snapshots = 2 was accepted");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("output.snapshots") != std::string::npos);
  }
  json off = sweep;
  off["scenario"]["output"]["snapshots"] = 0;
  std::ofstream(path) << off.dump(2);
  CHECK_NOTHROW(load_sweep(path));
}
