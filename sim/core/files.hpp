#pragma once
// Opening input files: every reader (scenario, base, sweep, edge list, results file) checks here
// that a path names a regular file before opening it, so that a directory, a FIFO or a device
// (/dev/zero) is an InputError naming the file, never a hang or a run on garbage.
#include <string>

namespace orgsim {

/// Throws InputError(shown, "", "a readable " + what + " (a regular file)", found) unless `path`
/// names a regular file (symbolic links followed) that can be opened for reading. `found` says
/// what is there instead: "no such file", "a directory", "a FIFO (named pipe)", "a character
/// device", ... `shown` is the name used in messages (default: `path`).
void require_regular_file(const std::string& path, const std::string& what,
                          const std::string& shown = {});

/// The whole file, after require_regular_file.
std::string read_input_file(const std::string& path, const std::string& what,
                            const std::string& shown = {});

}  // namespace orgsim
