// /roster: the names, departments, shifts, roles and known leaders of a roster (network.type =
// roster), one entry per agent: written with the file when the header has roster names, read back
// into the header so that a merge of sweep parts keeps them.
#include <hdf5.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/layout.hpp"
#include "io/results_internal.hpp"

namespace orgsim {

using namespace h5;
using namespace results_detail;

/// /roster: the names, departments, shifts, roles and known leaders of a roster (1-D, one entry
/// per agent). They stay in this file on the user's computer.
void ResultsWriter::Impl::write_roster_group() {
  const std::string& f = name();
  const std::string op = "create group 'roster'";
  Hid g = make(H5Gcreate2(file.get(), layout::kRosterGroup, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
               f, op);
  const hsize_t n = header.roster_names.size();
  Hid space = make(H5Screate_simple(1, &n, nullptr), f, op);
  Hid type = utf8_string_type(f);
  const auto strings = [&](const char* ds_name, const std::vector<std::string>& values,
                           const char* long_name) {
    const std::string what = std::string("write roster/") + ds_name;
    if (values.size() != n) throw std::invalid_argument("results file: " + what + " length");
    std::vector<const char*> p;
    for (const auto& v : values) p.push_back(v.c_str());
    Hid ds = make(H5Dcreate2(g.get(), ds_name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT,
                             H5P_DEFAULT),
                  f, what);
    check(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, transfer_list(), p.data()), f, what);
    attr_string(ds.get(), layout::attr::kLongName, long_name, f);
  };
  strings(layout::roster::kName, header.roster_names, "name of the person (agent i)");
  strings(layout::roster::kDepartment, header.roster_departments, "department");
  strings(layout::roster::kShift, header.roster_shifts, "shift");
  strings(layout::roster::kRole, header.roster_roles, "role on the roster");
  const std::string what = "write roster/leader";
  Hid ds = make(H5Dcreate2(g.get(), layout::roster::kLeader, H5T_STD_U8LE, space.get(),
                           H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                f, what);
  check(H5Dwrite(ds.get(), H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, transfer_list(),
                 header.roster_leader.data()),
        f, what);
  attr_string(ds.get(), layout::attr::kLongName,
              "1 = known leader (started as a worker-organizer)", f);
}

namespace results_detail {

void read_roster(hid_t f, FileHeader& h, const std::string& path) {
  const htri_t exists = H5Lexists(f, layout::kRosterGroup, H5P_DEFAULT);
  check(exists, path, "look up group 'roster'");
  if (exists <= 0) return;
  const std::string g = std::string(layout::kRosterGroup) + "/";
  const std::string names = g + layout::roster::kName;
  const hsize_t n = dimension_length(f, names, path);
  h.roster_names = read_string_column(f, names, n, path, "person");
  h.roster_departments = read_string_column(f, g + layout::roster::kDepartment, n, path, "person");
  h.roster_shifts = read_string_column(f, g + layout::roster::kShift, n, path, "person");
  h.roster_roles = read_string_column(f, g + layout::roster::kRole, n, path, "person");
  h.roster_leader = read_column<std::uint8_t>(f, g + layout::roster::kLeader, H5T_NATIVE_UINT8,
                                              n, path, "person");
}

}  // namespace results_detail

}  // namespace orgsim
