#pragma once
// SHA-256 (FIPS 180-4): the checksums of the provenance strings in results files, and of a sweep
// file when --resume compares it with the parts already written. No HDF5, no model knowledge.
#include <string>

namespace orgsim {

/// SHA-256 digest of `message` as 64 lowercase hexadecimal digits.
std::string sha256_hex(const std::string& message);

}  // namespace orgsim
