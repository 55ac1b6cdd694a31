#pragma once
// Shared test helpers: load scenarios by path relative to the source tree, run plans, read series.
#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/runner.hpp"
#include "io/outputs.hpp"
#include "io/scenario.hpp"
#include "model/config.hpp"
#include "model/population.hpp"

namespace orgsim::test {

/// True in the AddressSanitizer build (tests/run_all.sh's sanitizer stage). Two kinds of test
/// run in the normal build only: those that feed damaged files to libhdf5 (ASan intercepts the
/// library's own memcpy of overlapping ranges on them, an upstream fault the crash guard is
/// switched off for there: docs/FUZZING.md), and those that measure peak memory (ASan's shadow
/// memory and quarantine multiply it).
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#else
inline constexpr bool kAddressSanitizer = false;
#endif

/// Ends the current test case early under AddressSanitizer, with a warning that it runs in the
/// normal build (see kAddressSanitizer for which tests and why).
#define ORGSIM_NORMAL_BUILD_ONLY()                                                            \
  do {                                                                                        \
    if (orgsim::test::kAddressSanitizer) {                                                    \
      WARN("not under AddressSanitizer (tests/helpers.hpp kAddressSanitizer): run in the "     \
           "normal build");                                                                   \
      return;                                                                                 \
    }                                                                                         \
  } while (false)

inline std::string source_path(const std::string& rel) {
  return (std::filesystem::path(ORGSIM_SOURCE_DIR) / rel).string();
}

inline std::string tmp_path(const std::string& name) {
  std::filesystem::create_directories(ORGSIM_TEST_TMP);
  return (std::filesystem::path(ORGSIM_TEST_TMP) / name).string();
}

/// The typed config of the parameter table's defaults (the only source of defaults), with
/// `sets` ("key=value", validated as --set is) applied first.
inline ModelConfig default_config(const std::vector<std::string>& sets = {}) {
  nlohmann::json flat = default_parameters();
  for (const auto& s : sets) {
    const auto [key, value] = parse_set_argument(s);
    set_parameter(flat, key, value, "defaults", key);
  }
  return make_config(flat, "defaults", ".");
}

/// The first arm's typed config of a scenario given as JSON `text` (a hand-computed case's own
/// workplace, with every value it relies on pinned), `sets` applied as --set would be.
inline ModelConfig config_from_text(const char* text, const std::vector<std::string>& sets = {}) {
  const Scenario sc = scenario_from_json(nlohmann::json::parse(text), "t.json", ".", text, sets);
  return make_plan(sc).arms[0];
}

/// The population `cfg` draws from a generator seeded with `seed`, holding every state array
/// (a rule's test sets and reads arrays its own mechanism may not switch on in `cfg`).
inline Population population(const ModelConfig& cfg, std::uint64_t seed = 1) {
  Rng rng(seed);
  return draw_population(cfg, rng, PopulationArrays{});
}

inline RunPlan plan_for(const std::string& rel, const std::vector<std::string>& sets = {}) {
  return make_plan(load_scenario(source_path(rel), sets));
}

/// The per-step series `name` of a run record.
inline std::vector<float> series(const RunRecord& r, const std::string& name, std::int32_t steps) {
  const std::size_t v = per_step_index(name);
  return std::vector<float>(r.per_step.begin() + static_cast<std::ptrdiff_t>(v * steps),
                            r.per_step.begin() + static_cast<std::ptrdiff_t>((v + 1) * steps));
}

inline double outcome(const RunRecord& r, const std::string& name) {
  return r.per_run[per_run_index(name)];
}

/// The runs of one arm of a plan (run on 2 threads), in replicate order.
inline std::vector<RunRecord> arm_runs(const RunPlan& plan, std::int32_t arm) {
  std::vector<RunRecord> out;
  for (auto& r : run_plan(plan, 2))
    if (r.arm == arm) out.push_back(std::move(r));
  return out;
}

/// A per-run outcome summed over runs.
inline double total(const std::vector<RunRecord>& runs, const std::string& name) {
  double s = 0;
  for (const auto& r : runs) s += outcome(r, name);
  return s;
}

struct MeanSe {
  double mean = 0, se = 0;
};
inline MeanSe mean_se(const std::vector<double>& v) {
  MeanSe m;
  for (double x : v) m.mean += x;
  m.mean /= static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - m.mean) * (x - m.mean);
  m.se = std::sqrt(ss / static_cast<double>(v.size() - 1) / static_cast<double>(v.size()));
  return m;
}

/// Bit-for-bit equality of two buffers or vectors (NaN equals NaN, -0 differs from 0): how a
/// test says that two paths (threads, ranks, resume, codec, rerun) produced the same values.
inline bool same_bits(const void* a, const void* b, std::size_t bytes) {
  return bytes == 0 || std::memcmp(a, b, bytes) == 0;
}
template <class T>
bool same_bits(const std::vector<T>& x, const std::vector<T>& y) {
  return x.size() == y.size() && same_bits(x.data(), y.data(), x.size() * sizeof(T));
}

}  // namespace orgsim::test
