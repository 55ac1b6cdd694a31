#pragma once
// Damaging results files on purpose, for the tests of what the readers do with them.
#include <hdf5.h>

#include <catch2/catch.hpp>

#include <string>

namespace orgsim::test {

/// Overwrites element `row` of the 1-D dataset `name` of an HDF5 file with `value` (stored
/// through `mem_type`, converted to the dataset's type by HDF5).
template <class T>
void poke(const std::string& file, const char* name, hid_t mem_type, hsize_t row, T value) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  REQUIRE(f >= 0);
  const hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
  REQUIRE(ds >= 0);
  const hid_t space = H5Dget_space(ds);
  const hsize_t count = 1;
  H5Sselect_hyperslab(space, H5S_SELECT_SET, &row, nullptr, &count, nullptr);
  const hid_t mem = H5Screate_simple(1, &count, nullptr);
  REQUIRE(H5Dwrite(ds, mem_type, mem, space, H5P_DEFAULT, &value) >= 0);
  H5Sclose(mem);
  H5Sclose(space);
  H5Dclose(ds);
  H5Fclose(f);
}

}  // namespace orgsim::test

namespace orgsim::test {

/// The root string attribute `name` of an HDF5 file ("" when it is missing).
inline std::string root_attr(const std::string& file, const char* name) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  std::string out;
  if (H5Aexists(f, name) > 0) {
    const hid_t attr = H5Aopen(f, name, H5P_DEFAULT);
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    char* s = nullptr;
    REQUIRE(H5Aread(attr, type, &s) >= 0);
    out = s ? s : "";
    H5free_memory(s);
    H5Tclose(type);
    H5Aclose(attr);
  }
  H5Fclose(f);
  return out;
}

/// Overwrites the root string attribute `name` of an HDF5 file (which must exist) with `value`.
inline void poke_root_attr(const std::string& file, const char* name, const std::string& value) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  REQUIRE(f >= 0);
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  const hid_t attr = H5Aopen(f, name, H5P_DEFAULT);
  REQUIRE(attr >= 0);
  const char* text = value.c_str();
  REQUIRE(H5Awrite(attr, type, &text) >= 0);
  H5Aclose(attr);
  H5Tclose(type);
  H5Fclose(f);
}

}  // namespace orgsim::test
