#pragma once
// Results files built in memory (the Python module, python/orgsim): the same layout the CLI
// writes, produced by the same ResultsWriter on HDF5's core driver, returned as the file's bytes.
// Nothing touches the disk.
#include <string>
#include <vector>

#include "engine/runner.hpp"
#include "io/records.hpp"
#include "io/scenario.hpp"

namespace orgsim {

/// The header of `orgsim run`'s file for a loaded scenario and its plan (study_id left empty: the
/// writer draws one).
FileHeader run_file_header(const Scenario& sc, const RunPlan& plan,
                           const std::string& command_line);

/// The roster of the first arm that has one (network.type = roster; every arm of a roster
/// scenario normally shares it) into the header: the people's names, departments, shifts, roles
/// and leaders, written as the file's /roster group, reach the report from there.
void add_roster(FileHeader& h, const std::vector<ModelConfig>& arms);

/// Runs every arm and replicate of `sc` on `threads` workers (0 = all cores) and returns the
/// results file `orgsim run` would write, as bytes. Checks resources like `orgsim run`.
std::vector<unsigned char> run_to_image(const Scenario& sc, unsigned threads,
                                        const std::string& command_line);

}  // namespace orgsim
