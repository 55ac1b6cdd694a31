#pragma once
// Sweep designs (DESIGN.md "Sweep files"): which parameter values each design point takes, and
// the sensitivity estimators that read outcomes back. Pure functions; no I/O, no engine state.
//
// Design JSON ("design" object of a sweep file):
//   {"type": "grid",   "parameters": {"key": [v1, v2, ...] | {"min": a, "max": b, "num": n}}}
//       (a list may hold strings or booleans instead of numbers: a choice, a switch; the design's
//       values are then indices into DesignParam::levels; points designs likewise)
//   {"type": "random", "samples": n, "parameters": {"key": {"min": a, "max": b}}}
//   {"type": "lhs",    "samples": n, "parameters": {"key": {"min": a, "max": b}}}
//   {"type": "sobol",  "samples": n, "parameters": {"key": {"min": a, "max": b}}}   Saltelli
//   {"type": "morris", "trajectories": r, "levels": p, "parameters": {"key": {"min": a, "max": b}}}
//   {"type": "points", "parameters": {"key": [v1, v2, ...]}, "seeds": [s1, s2, ...]}   explicit
//       points: point i takes the i-th value of every list (all lists the same length); the
//       optional `seeds` gives every point its own master seed (independent replicates)
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace orgsim {

enum class DesignType { grid, random, lhs, sobol, morris, points };

struct DesignParam {
  std::string key;              // dotted scenario path
  std::vector<double> values;   // grid: the values in order (a {min,max,num} range expanded);
                                // points: the value at each point
  double min = 0.0, max = 0.0;  // sampled designs: the range (grid: min/max of the values)
  bool integer = false;         // sampled values are rounded to integers (set by the caller)
  /// A choice, a switch or a text (grid and points designs only): the values the list names, in
  /// order of first appearance; `values` (and the design's points) then hold indices into it.
  std::vector<nlohmann::json> levels;
};

struct Design {
  DesignType type = DesignType::grid;
  std::vector<DesignParam> params;
  std::int64_t samples = 0;       // random, lhs: points; sobol: base sample size N
  std::int64_t trajectories = 0;  // morris: r
  std::int64_t levels = 4;        // morris: p (even)
  /// points designs with a `seeds` list: each point's own master seed (replicate k of point i
  /// uses replicate_seed(point_seeds[i], k) instead of the sweep's seed); empty otherwise.
  std::vector<std::uint64_t> point_seeds;
  /// point x parameter: the value of each parameter at each design point.
  std::vector<std::vector<double>> points;
  /// point x parameter in [0,1]: the raw sampler matrix (sobol, morris, lhs, random); empty for
  /// grid.
  std::vector<std::vector<double>> unit;
};

std::string design_type_name(DesignType t);

/// Parses and validates a design object at JSON path `path` of `file` (InputError naming file,
/// path, expected and found). Parameter keys are NOT checked against the parameter table here
/// (the sweep loader does that); `integer_keys` lists the keys whose values must be integers.
Design parse_design(const nlohmann::json& j, const std::string& file, const std::string& path,
                    const std::vector<std::string>& integer_keys);

/// The JSON value a varied parameter `key` takes where its design value, or the value its column
/// in a results file holds, is `v`: for a choice, a switch or a text (`levels` non-empty) the
/// level at index `v`; otherwise `v`, as an integer when `integer`. The sweep sets each run's
/// values with it and `orgsim rerun` sets them again from the file with it. A `v` that is not a
/// whole number in [0, levels.size()) is an InputError naming `file`, `key`, the levels expected
/// and `v` found (followed by `context`, e.g. "for run 3").
nlohmann::json varied_value(const std::string& key, double v, bool integer,
                            const std::vector<nlohmann::json>& levels, const std::string& file,
                            const std::string& context = "");

/// varied_value for a design parameter: its key, integer flag and levels.
nlohmann::json varied_value(const DesignParam& p, double v, const std::string& file,
                            const std::string& context = "");

/// What design `d` gives its parameter `p`, for `orgsim check --explain`: `values`, the values
/// (a grid's, or a points design's distinct ones, in order, choices by name; at most 8 shown) or
/// a sampled design's range {"min": a, "max": b}; `how`, e.g. "3 levels" (a grid), "4 points, 2
/// levels" (a points design), "lhs, 40 points sampled in the range".
struct DesignValuesText {
  std::string values, how;
};
DesignValuesText design_values_text(const Design& d, const DesignParam& p, const std::string& file);

/// The levels of varied parameter `key` from the text of its `levels` attribute in a results
/// file: a JSON array of strings or booleans; "" (a number) gives none. Anything else is an
/// InputError naming `file`, `key`, what was expected and the text found.
std::vector<nlohmann::json> levels_from_text(const std::string& text, const std::string& file,
                                             const std::string& key);

/// Fills `points` (and `unit`) deterministically from `seed`:
///  grid: the Cartesian product, the first parameter varying slowest (row-major). Parameters are
///  in the order the JSON object holds them, which is alphabetical by key (nlohmann::json sorts
///  object keys), not the order written in the file;
///  random: independent uniforms; lhs: Latin hypercube (one point per stratum and parameter,
///  strata permuted independently, uniform within the stratum);
///  sobol: Saltelli (2010) with N = samples: rows A (N), B (N), then AB_1..AB_k (N each; AB_i is
///  A with column i from B) — N (k + 2) points; A and B are the first and last k columns of a
///  2k-dimensional Sobol sequence (Joe & Kuo 2008 direction numbers), skipping the first point;
///  morris: r trajectories of k + 1 points on a p-level grid (Morris 1991; step p/(2(p-1))),
///  each trajectory's points consecutive;
///  points: the explicit points as listed (point i = the i-th value of every parameter), for
///  callers that choose their own points (orgsim calibrate's proposals, docs/CALIBRATION.md).
/// Integer parameters: random, lhs and sobol give every integer in [min, max] the same
/// probability; morris scales to [min, max] and rounds. Throws InputError for designs that are too
/// large (more than 10^8 points) or unsupported (sobol with more than 20 parameters).
void generate_points(Design& d, std::uint64_t seed);

// ---- sensitivity -------------------------------------------------------------------------------

struct SobolIndices {
  std::vector<double> S1, S1_conf, ST, ST_conf;  // per parameter; *_conf: 95% bootstrap half-width
};

/// First-order (Saltelli 2010) and total (Jansen 1999) indices from outputs `y` in the Saltelli
/// order of generate_points (N (k + 2) values), with `bootstrap` resamples of the N rows
/// (seeded) for 95% confidence half-widths (1.96 bootstrap sd; NaN with fewer than 2 resamples).
/// Outputs are centred first; V uses the denominator 2N (as SALib); rows with a non-finite
/// output are dropped; indices are NaN when V = 0.
SobolIndices sobol_indices(const std::vector<double>& y, std::int64_t N, std::size_t k,
                           int bootstrap, std::uint64_t seed);

struct MorrisIndices {
  std::vector<double> mu, mu_star, sigma;  // per parameter, from the elementary effects
};

/// Elementary effects from outputs `y` at the points of a morris design (`d.unit`, trajectory
/// order): EE = (y(x + delta e_i) - y(x)) / delta in unit coordinates.
MorrisIndices morris_indices(const std::vector<double>& y, const Design& d);

/// Share of the variance of `y` that is replicate noise: y[point][rep]. The one-way ANOVA
/// estimate sigma2_within / (sigma2_within + sigma2_between), where sigma2_between is the
/// variance of the point means corrected for the noise they carry (so pure noise gives 1, not
/// the raw SS_within / SS_total, which would give about 0.5 with two replicates). Non-finite
/// values are dropped; NaN when no point has two finite values.
double replicate_noise_share(const std::vector<std::vector<double>>& y);

}  // namespace orgsim
