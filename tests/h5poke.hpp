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
