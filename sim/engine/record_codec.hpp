#pragma once
// A finished run as bytes and back, for handing runs between processes of one sweep (MPI ranks
// send theirs to rank 0, which writes every run: sim/mpi_sweep.cpp). Both ends are the same
// build of orgsim, so numbers travel in the machine's own representation; the decoder still
// checks every length against the bytes it was given. Snapshots (`orgsim run` only) do not travel.
#include <cstdint>
#include <string>
#include <vector>

#include "io/records.hpp"

namespace orgsim {

/// The bytes of `r` (everything the results file stores of a run, snapshots excepted).
std::vector<char> encode_run(const RunRecord& r);

/// The run encoded in `bytes`; std::runtime_error naming `from` if they are not a whole record.
RunRecord decode_run(const char* bytes, std::size_t size, const std::string& from);

}  // namespace orgsim
