#pragma once
// Where `orgsim run`, `orgsim sweep` and `orgsim check` write their results file, and when they
// may replace what is already there. The command line (sim/main.cpp) only calls these.
#include <string>

namespace orgsim {

/// The default output path of a scenario or sweep file `file` whose "name" is `name`:
/// "results/<name>.h5". `name` must be a plain file stem: 1 to 200 characters, each a letter,
/// digit, '-', '_' or '.', the first not '.', so that the path can neither leave results/ nor be
/// cut short by a NUL. Anything else is an InputError naming `file` and the path "name" (a NUL
/// shown as \u0000), with the hint to rename it or to give the output with -o.
std::string default_output(const std::string& name, const std::string& file);

/// Whether the output `out` may be written with results of `kind` ("run" or "sweep"). Nothing
/// there, or an orgsim results file of the same kind (an earlier run's), may be replaced; so may
/// anything else but a directory when `force` (--force) is given: a file that is not a results
/// file, or one of the other kind (a sweep's hours of work replaced by a run is a typo more often
/// than a wish). A directory is never replaced. Otherwise a UsageError says why and what to do
/// (another -o, or --force).
void check_replaceable(const std::string& out, bool force, const std::string& kind);

/// Checks that the results file `out` (given with -o, or the default) can be put in a folder:
/// the nearest part of its folder's path that exists must be a folder. A file (or anything else)
/// there is an InputError naming -o, `out`, that path and what it is, with nothing created.
void check_output_folder(const std::string& out);

/// check_output_folder, then creates the folders `out` needs; a folder that cannot be created
/// (no permission, a read-only file system) is an InputError naming -o, `out` and the reason.
void make_output_folder(const std::string& out);

}  // namespace orgsim
