// Sweep files, along the path `orgsim check SWEEP.json` takes: read, parse, validate the sweep
// keys, load and validate the base scenario (by path or inline), parse and generate the design,
// build the typed configuration of the first and last design point for every arm (each point's
// values validated against the parameter table), estimate memory and output, then a bounded
// pilot of run 0.
//
// Input: the sweep file's bytes. It is written to <workdir>/scenarios/sweeps/input.json, next to
// copies of the shipped scenarios, so "scenario": "../default.json" resolves as in the repository.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/rng.hpp"
#include "engine/sweep.hpp"
#include "fuzz_common.hpp"
#include "model/config.hpp"

using namespace orgsim;

namespace {

/// An upper estimate of the number of design points, from the raw document: designs beyond
/// fuzz::kMaxDesignPoints are skipped before loading (generate_points accepts up to 10^8).
double design_points_bound(const nlohmann::json& doc) {
  if (!doc.is_object() || !doc.contains("design") || !doc["design"].is_object()) return 0;
  const auto& d = doc["design"];
  double bound = 1;
  auto count = [](const nlohmann::json& v) -> double {
    if (v.is_number()) return std::max(1.0, std::abs(v.get<double>()));
    if (v.is_array()) return std::max<double>(1.0, static_cast<double>(v.size()));
    return 1;
  };
  for (const char* key : {"samples", "trajectories", "levels"})
    if (d.contains(key)) bound *= count(d[key]);
  if (d.contains("parameters") && d["parameters"].is_object()) {
    const auto& ps = d["parameters"];
    bound *= static_cast<double>(ps.size()) + 2;  // sobol: N (k + 2); morris: r (k + 1)
    for (auto it = ps.begin(); it != ps.end(); ++it) {
      if (it->is_array()) bound *= count(*it);
      if (it->is_object() && it->contains("num")) bound *= count((*it)["num"]);
    }
  }
  return bound;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_discarded() &&
      (fuzz::names_special_file(doc) || design_points_bound(doc) > fuzz::kMaxDesignPoints))
    return -1;

  const auto path = fuzz::workdir() / "scenarios" / "sweeps" / "input.json";
  fuzz::write_file(path, data, size);
  fuzz::expect_typed_errors("sweep", [&] {
    const Sweep s = load_sweep(path.string());
    (void)s.scenario.base.at("steps").get<std::int32_t>();  // as check's output estimate reads it
    for (std::int64_t pt : {std::int64_t{0}, s.points() - 1})  // the estimates `check` prints
      for (std::int32_t a = 0; a < static_cast<std::int32_t>(s.arms()); ++a)
        (void)estimate_run_bytes(sweep_config(s, pt, a));
    (void)sweep_header(s, "orgsim check input.json");  // what `orgsim sweep` writes next
    fuzz::pilot(sweep_config(s, 0, 0), replicate_seed(s.seed, 0));
  });
  return 0;
}
