// /agents and /networks: every run's snapshots (RunRecord::snapshots, see engine/snapshot.hpp),
// written at finish() as (run, snapshot, agent|edge) arrays chunked one frame per chunk. The
// read_results() does not read them back; analysis/load.py does.
#include <hdf5.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/snapshot.hpp"
#include "io/layout.hpp"
#include "io/results_internal.hpp"

namespace orgsim {

using namespace h5;
using namespace results_detail;

/// /agents and /networks: every run's snapshots, (run, snapshot, agent|edge) arrays chunked one
/// frame per chunk. Runs without snapshots (failed) keep the fill values.
void ResultsWriter::Impl::write_snapshots() {
  const std::string& f = name();
  const hsize_t R = static_cast<hsize_t>(n_written);
  hsize_t S = 0, N = 0, E = 0;
  for (const auto& [run_index, sn] : snapshots) {
    if (run_index < 0 || run_index >= n_written)
      throw std::invalid_argument("results file: snapshots of run " + std::to_string(run_index) +
                                  " outside the " + std::to_string(n_written) + " runs written");
    S = std::max<hsize_t>(S, sn->frames.size());
    N = std::max<hsize_t>(N, sn->department.size());
    E = std::max<hsize_t>(E, sn->tie_i.size());
  }
  if (R == 0 || S == 0) return;
  const auto& first = *snapshots.front().second;
  std::vector<std::int32_t> steps(S, -1);
  for (hsize_t s = 0; s < first.frames.size(); ++s) steps[s] = first.frames[s].step;
  for (const auto& [run_index, sn] : snapshots)
    for (std::size_t s = 0; s < sn->frames.size(); ++s)
      if (sn->frames[s].step != steps[s])
        throw std::invalid_argument("results file: snapshot steps differ between runs");

  const auto group = [&](const char* g_name) {
    return make(H5Gcreate2(file.get(), g_name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), f,
                std::string("create group '") + g_name + "'");
  };
  // A dataset of `rank` dims (run, [snapshot,] width), one chunk per (run[, snapshot]).
  const auto dataset = [&](hid_t g, const std::string& path, int rank, hsize_t width,
                           hid_t file_type, hid_t mem_type, const void* fill,
                           const char* long_name) {
    const std::string op = "create dataset '" + path + "'";
    const hsize_t dims3[3] = {R, S, width}, dims2[2] = {R, width};
    const hsize_t chunk3[3] = {1, 1, std::max<hsize_t>(width, 1)},
                  chunk2[2] = {1, std::max<hsize_t>(width, 1)};
    Hid space = make(H5Screate_simple(rank, rank == 3 ? dims3 : dims2, nullptr), f, op);
    Hid dcpl = make(H5Pcreate(H5P_DATASET_CREATE), f, op);
    if (width > 0) {
      check(H5Pset_chunk(dcpl.get(), rank, rank == 3 ? chunk3 : chunk2), f, op);
      if (deflate_level > 0) {
        check(H5Pset_shuffle(dcpl.get()), f, op);
        check(H5Pset_deflate(dcpl.get(), deflate_level), f, op);
      }
    }
    check(H5Pset_fill_value(dcpl.get(), mem_type, fill), f, op);
    check(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_ALLOC), f, op);
    const std::string leaf = path.substr(path.find('/') + 1);
    Hid ds = make(H5Dcreate2(g, leaf.c_str(), file_type, space.get(), H5P_DEFAULT, dcpl.get(),
                             H5P_DEFAULT),
                  f, op);
    attr_string(ds.get(), layout::attr::kLongName, long_name, f);
    return ds;
  };
  // Writes one row (run r[, snapshot s]) of `count` values.
  const auto put = [&](hid_t ds, const std::string& path, int rank, hsize_t r, hsize_t s,
                       hsize_t count, hid_t mem_type, const void* buf) {
    if (count == 0) return;
    const std::string op = "write dataset '" + path + "'";
    Hid fspace = make(H5Dget_space(ds), f, op);
    const hsize_t off3[3] = {r, s, 0}, cnt3[3] = {1, 1, count};
    const hsize_t off2[2] = {r, 0}, cnt2[2] = {1, count};
    check(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, rank == 3 ? off3 : off2, nullptr,
                              rank == 3 ? cnt3 : cnt2, nullptr),
          f, op);
    Hid mspace = make(H5Screate_simple(1, &count, nullptr), f, op);
    check(H5Dwrite(ds, mem_type, mspace.get(), fspace.get(), transfer_list(), buf), f, op);
  };
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::int8_t minus1_8 = -1;
  const std::int32_t minus1_32 = -1;
  namespace A = layout::agents;
  namespace W = layout::networks;
  {
    Hid g = group(layout::kAgentsGroup);
    const std::string op = "write agents/snapshot_step";
    const hsize_t ns = S;
    Hid space = make(H5Screate_simple(1, &ns, nullptr), f, op);
    Hid st = make(H5Dcreate2(g.get(), A::kSnapshotStep, H5T_STD_I32LE, space.get(), H5P_DEFAULT,
                             H5P_DEFAULT, H5P_DEFAULT),
                  f, op);
    check(H5Dwrite(st.get(), H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, transfer_list(), steps.data()), f, op);
    attr_string(st.get(), layout::attr::kLongName,
                "the step (0-based) after which the snapshot was taken", f);
    Hid dep = dataset(g.get(), "agents/department", 2, N, H5T_STD_I32LE, H5T_NATIVE_INT32,
                      &minus1_32, "department (workplace network: its block; otherwise 0)");
    Hid rung = dataset(g.get(), "agents/rung", 3, N, H5T_STD_I8LE, H5T_NATIVE_INT8, &minus1_8,
                       "ladder rung: 0 unengaged, 1 supporter, 2 member, 3 leader");
    Hid com = dataset(g.get(), "agents/commitment", 3, N, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, &nan,
                      "commitment c_i");
    Hid deg = dataset(g.get(), "agents/trust_degree", 3, N, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT,
                      &nan, "trust-weighted degree: the sum of trust over the person's ties");
    Hid role = dataset(g.get(), "agents/role", 3, N, H5T_STD_I8LE, H5T_NATIVE_INT8, &minus1_8,
                       "role: 0 member, 1 worker-organizer");
    Hid took = dataset(g.get(), "agents/took_part", 3, N, H5T_STD_I8LE, H5T_NATIVE_INT8,
                       &minus1_8, "1 if the person took part in the step's action");
    for (const auto& [run_index, sn] : snapshots) {
      const auto r = static_cast<hsize_t>(run_index);
      put(dep.get(), "agents/department", 2, r, 0, sn->department.size(), H5T_NATIVE_INT32,
          sn->department.data());
      for (std::size_t s = 0; s < sn->frames.size(); ++s) {
        const Frame& fr = sn->frames[s];
        std::vector<std::int8_t> role8(fr.role.begin(), fr.role.end()),
            took8(fr.took_part.begin(), fr.took_part.end());
        put(rung.get(), "agents/rung", 3, r, s, fr.rung.size(), H5T_NATIVE_INT8, fr.rung.data());
        put(com.get(), "agents/commitment", 3, r, s, fr.commitment.size(), H5T_NATIVE_FLOAT,
            fr.commitment.data());
        put(deg.get(), "agents/trust_degree", 3, r, s, fr.trust_degree.size(), H5T_NATIVE_FLOAT,
            fr.trust_degree.data());
        put(role.get(), "agents/role", 3, r, s, role8.size(), H5T_NATIVE_INT8, role8.data());
        put(took.get(), "agents/took_part", 3, r, s, took8.size(), H5T_NATIVE_INT8, took8.data());
      }
    }
  }
  {
    Hid g = group(layout::kNetworksGroup);
    Hid src = dataset(g.get(), "networks/source", 2, E, H5T_STD_I32LE, H5T_NATIVE_INT32,
                      &minus1_32, "one end of the tie (agent index; -1: no such tie in this run)");
    Hid dst = dataset(g.get(), "networks/target", 2, E, H5T_STD_I32LE, H5T_NATIVE_INT32,
                      &minus1_32, "the other end of the tie (agent index, > source)");
    Hid tr = dataset(g.get(), "networks/trust", 3, E, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, &nan,
                     "trust on the tie at the snapshot (NaN: the tie did not exist yet)");
    for (const auto& [run_index, sn] : snapshots) {
      const auto r = static_cast<hsize_t>(run_index);
      put(src.get(), "networks/source", 2, r, 0, sn->tie_i.size(), H5T_NATIVE_INT32,
          sn->tie_i.data());
      put(dst.get(), "networks/target", 2, r, 0, sn->tie_j.size(), H5T_NATIVE_INT32,
          sn->tie_j.data());
      for (std::size_t s = 0; s < sn->frames.size(); ++s)
        put(tr.get(), "networks/trust", 3, r, s, sn->frames[s].tie_trust.size(), H5T_NATIVE_FLOAT,
            sn->frames[s].tie_trust.data());
    }
  }
}

}  // namespace orgsim
