// Scenario files, along the path `orgsim check SCENARIO.json [--set ...]` takes: read, parse,
// validate against the parameter table, apply --set overrides and arms, make the typed plan
// (cross-field rules), check resources, estimate memory and output, then a bounded pilot.
//
// Input: the scenario file's bytes; if they contain a NUL byte, what follows it is a list of
// --set arguments ("key=value"), one per line.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "engine/runner.hpp"
#include "fuzz_common.hpp"
#include "io/scenario.hpp"
#include "model/config.hpp"

using namespace orgsim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = bytes.find('\0');
  const std::string file_text = bytes.substr(0, nul);
  std::vector<std::string> sets;
  if (nul != std::string::npos) {
    std::istringstream lines(bytes.substr(nul + 1));
    for (std::string line; std::getline(lines, line);) sets.push_back(line);
  }
  // Documents that name devices or /proc are skipped (see names_special_file); sweep files
  // belong to fuzz_sweep, as `orgsim check` sends them there.
  const auto doc = nlohmann::json::parse(file_text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_discarded() && (fuzz::names_special_file(doc) || (doc.is_object() && doc.contains("design"))))
    return -1;
  for (const auto& s : sets)
    if (s.find("/dev") != std::string::npos || s.find("/proc") != std::string::npos ||
        s.find("/sys") != std::string::npos)
      return -1;

  const auto path = fuzz::workdir() / "scenarios" / "input.json";
  fuzz::write_file(path, reinterpret_cast<const std::uint8_t*>(file_text.data()), file_text.size());
  fuzz::expect_typed_errors("scenario", [&] {
    const Scenario sc = load_scenario(path.string(), sets);
    const RunPlan plan = make_plan(sc);
    check_resources(plan, sc.file, 1);
    for (const auto& c : plan.arms) {  // the estimates `check` prints (results unused)
      (void)estimate_run_bytes(c);
      (void)expected_entries(c);
    }
    fuzz::pilot(plan.arms.front(), replicate_seed(plan.master_seed, 0));
  });
  return 0;
}
