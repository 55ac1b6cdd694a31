#pragma once
// Distributions for per-agent (and per-tie) draws, and their JSON form:
//   {"distribution": "constant",  "value": v}
//   {"distribution": "uniform",   "min": a, "max": b}
//   {"distribution": "normal",    "mean": m, "sd": s [, "min": lo] [, "max": hi]}  (clipped)
//   {"distribution": "beta",      "a": a, "b": b}
//   {"distribution": "quantiles", "of": <constant|uniform|normal|beta>}  values at the quantiles
//                                  (i+0.5)/N, shuffled over agents
//   {"distribution": "linspace",  "from": a, "to": b}   in agent order
//   {"distribution": "values",    "values": [...]}      one per agent, in agent order
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/rng.hpp"

namespace orgsim {

enum class DistKind { constant, uniform, normal, beta, quantiles, linspace, values };

struct Distribution {
  DistKind kind = DistKind::constant;
  double value = 0.0;                 // constant
  double min = 0.0, max = 1.0;        // uniform bounds; normal clip bounds when has_min/has_max
  bool has_min = false, has_max = false;
  double mean = 0.0, sd = 1.0;        // normal
  double a = 1.0, b = 1.0;            // beta
  double from = 0.0, to = 1.0;        // linspace
  std::vector<double> values;         // values
  std::shared_ptr<const Distribution> of;  // quantiles

  /// True for kinds that need the population size (linspace, values) or a whole population
  /// (quantiles): these cannot be used for per-tie draws.
  bool population_level() const noexcept {
    return kind == DistKind::quantiles || kind == DistKind::linspace || kind == DistKind::values;
  }
};

/// Where a value may live: the attribute's own range (e.g. grievance in [0,1]).
struct Range {
  double lo = -1e300, hi = 1e300;
};

/// Parses and validates a distribution object found at JSON path `path` of `file`. Every number
/// the distribution can produce must lie in `range` (normal is clipped to its min/max if given,
/// else to `range`). Throws InputError naming file, path, expectation and what was found.
Distribution parse_distribution(const nlohmann::json& j, const std::string& file,
                                const std::string& path, Range range);

/// Draws `out.size()` values (agent order). `population_level` kinds need out.size() == N;
/// the `values` length is checked by the loader. Normal draws are clipped to [min,max] when
/// given, else to `range`.
void draw_values(const Distribution& d, Rng& rng, std::vector<float>& out, Range range);

/// One draw (not for population-level kinds).
double draw_one(const Distribution& d, Rng& rng, Range range);

/// Quantile function of constant, uniform, normal (clipped: quantile then clip) and beta.
double quantile(const Distribution& d, double p, Range range);

/// Mean of the distribution (for population-level kinds: of the values they would produce for
/// n agents).
double distribution_mean(const Distribution& d, std::int64_t n, Range range);

}  // namespace orgsim
