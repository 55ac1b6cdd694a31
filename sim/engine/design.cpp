#include "engine/design.hpp"

#include "io/scenario.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "core/errors.hpp"
#include "core/rng.hpp"
#include "core/text.hpp"

namespace orgsim {

using nlohmann::json;

namespace {

constexpr double kMaxPoints = 1e8;           // generate_points refuses larger designs
constexpr std::size_t kMaxSobolParams = 20;  // 2k Sobol dimensions, the table below has 40
constexpr std::uint64_t kDesignSalt = 0x6f726773696d4453ULL;     // "orgsimDS": sampler stream
constexpr std::uint64_t kBootstrapSalt = 0x6f726773696d4253ULL;  // "orgsimBS": bootstrap stream
constexpr double kZ975 = 1.96;  // two-sided 95% normal quantile for the bootstrap half-width

const std::vector<std::string>& type_names() {
  static const std::vector<std::string> names = {"grid", "random", "lhs", "sobol", "morris",
                                                     "points"};
  return names;
}

/// Shortest of %.15g / %.17g that reads back exactly.
std::string num_text(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.15g", x);
  if (std::strtod(buf, nullptr) != x) std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

std::string sub(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string a_design(DesignType t) {
  return (t == DesignType::lhs ? "an " : "a ") + design_type_name(t) + " design";
}

bool is_integral(double x) { return std::isfinite(x) && std::floor(x) == x; }

std::string quoted(const std::vector<std::string>& items) {
  std::vector<std::string> q;
  for (const auto& s : items) q.push_back("\"" + s + "\"");
  return join_or(q);
}

/// A finite JSON number (integral when `integer`), else InputError at `where`.
double number_at(const json& v, const std::string& file, const std::string& where, bool integer,
                 const std::string& key) {
  const std::string expected =
      integer ? "an integer (`" + key + "` is an integer parameter)" : "a number";
  if (!v.is_number())
    throw InputError(file, where, expected, json_value_text(v),
                     v.is_string() || v.is_boolean()
                         ? "a grid or points design lists choices (strings, true/false) only when "
                           "the whole list is of them; a sampled design varies numbers: compare "
                           "choices there with one arm per choice (every point runs every arm)"
                         : "");
  const double x = v.get<double>();
  if (!std::isfinite(x)) throw InputError(file, where, expected, v.dump());
  if (integer && !is_integral(x)) throw InputError(file, where, expected, v.dump());
  return x;
}

/// An integral JSON number (3 or 3.0) >= `lo`, else InputError at `where`.
std::int64_t count_at(const json& v, const std::string& file, const std::string& where,
                      std::int64_t lo, const std::string& expected) {
  if (!v.is_number()) throw InputError(file, where, expected, json_value_text(v));
  if (v.is_number_integer() && !v.is_number_unsigned()) {
    const auto n = v.get<std::int64_t>();
    if (n < lo) throw InputError(file, where, expected, v.dump());
    return n;
  }
  const double x = v.get<double>();
  // 9e15 keeps the value exact as an int64 (and far above any design size limit).
  if (!is_integral(x) || x < static_cast<double>(lo) || x > 9e15)
    throw InputError(file, where, expected, v.dump());
  return static_cast<std::int64_t>(x);
}

[[noreturn]] void unknown_key(const std::string& file, const std::string& where,
                              const std::string& key, const std::vector<std::string>& allowed,
                              const std::string& what, std::string hint = {}) {
  if (hint.empty()) {
    const std::string guess = did_you_mean(key, allowed);
    if (!guess.empty()) hint = "did you mean `" + guess + "`?";
  }
  throw InputError(file, where, "a key of " + what + ": " + join_or(allowed),
                   "unknown key `" + key + "`", hint);
}

/// The range object of a parameter: {min, max} or, for grid designs, {min, max, num}.
struct RangeSpec {
  double min = 0.0, max = 0.0;
  std::int64_t num = 0;
};

RangeSpec parse_range(const json& v, const std::string& file, const std::string& where,
                      const std::string& key, bool integer, bool grid) {
  const std::vector<std::string> allowed =
      grid ? std::vector<std::string>{"min", "max", "num"} : std::vector<std::string>{"min", "max"};
  const std::string what = grid ? "a grid range" : "a sampled range";
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) != allowed.end()) continue;
    std::string hint;
    if (!grid && it.key() == "num")
      hint =
          "`num` belongs to grid designs; sampled designs draw `samples` points (or "
          "`trajectories` for morris) from {\"min\": a, \"max\": b}";
    unknown_key(file, sub(where, it.key()), it.key(), allowed, what, hint);
  }
  for (const auto& k : allowed)
    if (!v.contains(k))
      throw InputError(file, sub(where, k),
                       grid ? "a range {\"min\": a, \"max\": b, \"num\": n}"
                            : "a range {\"min\": a, \"max\": b}",
                       "no `" + k + "` key");
  RangeSpec r;
  r.min = number_at(v.at("min"), file, sub(where, "min"), integer, key);
  r.max = number_at(v.at("max"), file, sub(where, "max"), integer, key);
  if (grid) {
    r.num = count_at(v.at("num"), file, sub(where, "num"), 1, "an integer number of values >= 1");
    if (static_cast<double>(r.num) > kMaxPoints)
      throw InputError(file, sub(where, "num"), "at most 10^8 values", v.at("num").dump());
    if (r.max < r.min)
      throw InputError(file, sub(where, "max"), "a number >= min (" + num_text(r.min) + ")",
                       v.at("max").dump());
    // One value cannot span min to max: it used to be min alone, max dropped without a word.
    if (r.num == 1 && r.max != r.min)
      throw InputError(file, sub(where, "num"),
                       "an integer number of values >= 2 (max (" + num_text(r.max) +
                           ") differs from min (" + num_text(r.min) + "), and the values run "
                           "from min to max)",
                       v.at("num").dump(),
                       "for a single value write a list of one value, [" + num_text(r.min) +
                           "]; to span min to max, num >= 2");
    if (r.num >= 2 && r.max == r.min)
      throw InputError(file, sub(where, "max"),
                       "a number > min (" + num_text(r.min) + ") when num >= 2", v.at("max").dump(),
                       "a single value is {\"min\": a, \"max\": a, \"num\": 1}");
    if (integer && static_cast<double>(r.num) > r.max - r.min + 1.0)
      throw InputError(file, sub(where, "num"),
                       "at most " + num_text(r.max - r.min + 1.0) +
                           " values (the distinct integers in [" + num_text(r.min) + ", " +
                           num_text(r.max) + "]; `" + key + "` is an integer parameter)",
                       v.at("num").dump());
  } else if (!(r.max > r.min)) {
    throw InputError(
        file, sub(where, "max"), "a number greater than min (" + num_text(r.min) + ")",
        v.at("max").dump(),
        r.max == r.min ? "a fixed value belongs in the scenario, not in the design" : "");
  }
  return r;
}

/// Whether a list holds levels (strings or booleans: a choice, a switch, a text), not numbers.
/// A list that starts with null is neither: null is a choice's "the strategy's preset", which
/// the sweep cannot name in its levels, so it is refused here with what to write instead.
bool holds_levels(const json& v, const std::string& file, const std::string& where) {
  if (v.is_array() && !v.empty() && v[0].is_null())
    throw InputError(file, where + "[0]", "a number, a name or true/false", "null",
                     "null (the strategy's preset) cannot be a level: list the preset's own "
                     "value by name, or leave the key out of the design");
  return v.is_array() && !v.empty() && (v[0].is_string() || v[0].is_boolean());
}

/// A list of levels: every element of the first one's kind; `values` get each one's index into
/// `levels` (first appearance order). A grid's levels are distinct; a points list may repeat.
void parse_levels(DesignParam& p, const json& v, const std::string& file, const std::string& where,
                  bool distinct) {
  const bool text = v[0].is_string();
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string at = where + "[" + std::to_string(i) + "]";
    if (text ? !v[i].is_string() : !v[i].is_boolean())
      throw InputError(file, at,
                       text ? "a string, as the list's first value is" : "true or false, as the "
                                                                         "list's first value is",
                       json_value_text(v[i]));
    const auto seen = std::find(p.levels.begin(), p.levels.end(), v[i]);
    if (seen != p.levels.end() && distinct)
      throw InputError(file, at, "distinct values",
                       v[i].dump() + " again (also at [" +
                           std::to_string(seen - p.levels.begin()) + "])");
    const auto index = static_cast<std::size_t>(seen - p.levels.begin());
    if (index == p.levels.size()) p.levels.push_back(v[i]);
    p.values.push_back(static_cast<double>(index));
  }
  p.min = 0.0;
  p.max = static_cast<double>(p.levels.size() - 1);
}

DesignParam parse_grid_param(const std::string& key, const json& v, const std::string& file,
                             const std::string& where, bool integer) {
  const std::string forms =
      "a non-empty array of numbers, of names (a choice) or of true/false (a switch), or a range "
      "{\"min\": a, \"max\": b, \"num\": n}";
  DesignParam p;
  p.key = key;
  p.integer = integer;
  if (holds_levels(v, file, where)) {
    parse_levels(p, v, file, where, true);
    return p;
  }
  if (v.is_array()) {
    if (v.empty()) throw InputError(file, where, forms, "an empty array");
    for (std::size_t i = 0; i < v.size(); ++i) {
      const std::string at = where + "[" + std::to_string(i) + "]";
      const double x = number_at(v[i], file, at, integer, key);
      const auto dup = std::find(p.values.begin(), p.values.end(), x);
      if (dup != p.values.end())
        throw InputError(
            file, at, "distinct values",
            v[i].dump() + " again (also at [" + std::to_string(dup - p.values.begin()) + "])");
      p.values.push_back(x);
    }
  } else if (v.is_object()) {
    const RangeSpec r = parse_range(v, file, where, key, integer, true);
    for (std::int64_t i = 0; i < r.num; ++i) {
      double x = r.num == 1       ? r.min
                 : i + 1 == r.num ? r.max
                                  : r.min + (r.max - r.min) * static_cast<double>(i) /
                                                static_cast<double>(r.num - 1);
      if (integer) x = std::round(x);
      p.values.push_back(x);
    }
  } else {
    throw InputError(file, where, forms, json_value_text(v));
  }
  p.min = *std::min_element(p.values.begin(), p.values.end());
  p.max = *std::max_element(p.values.begin(), p.values.end());
  return p;
}

/// A points design's parameter: the non-empty list of its values, one per point (repeats allowed).
DesignParam parse_points_param(const std::string& key, const json& v, const std::string& file,
                               const std::string& where, bool integer) {
  const std::string forms =
      "a non-empty array of numbers, of names (a choice) or of true/false (a switch), one per "
      "point";
  if (!v.is_array())
    throw InputError(file, where, forms, json_value_text(v),
                     v.is_object() ? "a points design lists every point's value; ranges are for "
                                     "grid and sampled designs"
                                   : "");
  if (v.empty()) throw InputError(file, where, forms, "an empty array");
  DesignParam p;
  p.key = key;
  p.integer = integer;
  if (holds_levels(v, file, where)) {
    parse_levels(p, v, file, where, false);
    return p;
  }
  for (std::size_t i = 0; i < v.size(); ++i)
    p.values.push_back(number_at(v[i], file, where + "[" + std::to_string(i) + "]", integer, key));
  p.min = *std::min_element(p.values.begin(), p.values.end());
  p.max = *std::max_element(p.values.begin(), p.values.end());
  return p;
}

DesignParam parse_sampled_param(const std::string& key, const json& v, const std::string& file,
                                const std::string& where, bool integer, DesignType type) {
  if (!v.is_object())
    throw InputError(file, where, "a range {\"min\": a, \"max\": b}", json_value_text(v),
                     v.is_array() ? "lists of values are for grid designs; " + a_design(type) +
                                        " samples a range"
                                  : "");
  const RangeSpec r = parse_range(v, file, where, key, integer, false);
  DesignParam p;
  p.key = key;
  p.integer = integer;
  p.min = r.min;
  p.max = r.max;
  return p;
}

double point_count(const Design& d) {
  const auto k = static_cast<double>(d.params.size());
  switch (d.type) {
    case DesignType::points:
      return d.params.empty() ? 0.0 : static_cast<double>(d.params[0].values.size());
    case DesignType::grid: {
      double n = 1.0;
      for (const auto& p : d.params) n *= static_cast<double>(p.values.size());
      return n;
    }
    case DesignType::random:
    case DesignType::lhs: return static_cast<double>(d.samples);
    case DesignType::sobol: return static_cast<double>(d.samples) * (k + 2.0);
    case DesignType::morris: return static_cast<double>(d.trajectories) * (k + 1.0);
  }
  return 0.0;
}

std::string count_text(const Design& d) {
  const std::string k = std::to_string(d.params.size());
  switch (d.type) {
    case DesignType::grid: return "the product of the grid sizes";
    case DesignType::points: return "the length of the lists";
    case DesignType::random:
    case DesignType::lhs: return "samples";
    case DesignType::sobol: return "samples x (" + k + " parameters + 2)";
    case DesignType::morris: return "trajectories x (" + k + " parameters + 1)";
  }
  return "";
}

/// The size rules shared by parse_design (with the file) and generate_points.
void check_size(const Design& d, const std::string& file, const std::string& path) {
  if (d.type == DesignType::sobol && d.params.size() > kMaxSobolParams)
    throw InputError(file, sub(path, "parameters"),
                     "at most " + std::to_string(kMaxSobolParams) +
                         " parameters for a sobol design (Joe & Kuo direction numbers for 40 "
                         "dimensions are built in)",
                     std::to_string(d.params.size()) + " parameters",
                     "screen with a morris design first, then run sobol on the few that matter");
  const double n = point_count(d);
  if (n > kMaxPoints)
    throw InputError(file, path, "at most 10^8 design points",
                     num_text(n) + " points (" + count_text(d) + ")");
}

// ---- Sobol sequence -----------------------------------------------------------------------------
//
// Direction numbers: S. Joe and F. Y. Kuo (2008), "Constructing Sobol sequences with better
// two-dimensional projections", SIAM J. Sci. Comput. 30(5), 2635-2654; table
// "new-joe-kuo-6.21201" (https://web.maths.unsw.edu.au/~fkuo/sobol/). Each row is dimension d:
// the degree s of the primitive polynomial, its coefficients a (the s-1 inner bits), and the
// initial odd direction integers m_1..m_s (m_i < 2^i). Dimension 1 (not in the table) has all
// m_i = 1: the van der Corput sequence in base 2. Generation follows Bratley & Fox (1988, ACM
// TOMS 14(1), Algorithm 659) and Joe & Kuo's notes: 32-bit direction numbers and the Gray-code
// order of Antonov & Saleev (1979), x_n = x_{n-1} XOR v_c with c the position of the lowest zero
// bit of n-1.
struct JoeKuoRow {
  unsigned s;
  unsigned a;
  std::array<std::uint32_t, 8> m;
};

// clang-format off
constexpr std::array<JoeKuoRow, 39> kJoeKuo = {{
    {1, 0, {1}},                                 // d = 2
    {2, 1, {1, 3}},                              // d = 3
    {3, 1, {1, 3, 1}},                           // d = 4
    {3, 2, {1, 1, 1}},                           // d = 5
    {4, 1, {1, 1, 3, 3}},                        // d = 6
    {4, 4, {1, 3, 5, 13}},                       // d = 7
    {5, 2, {1, 1, 5, 5, 17}},                    // d = 8
    {5, 4, {1, 1, 5, 5, 5}},                     // d = 9
    {5, 7, {1, 1, 7, 11, 19}},                   // d = 10
    {5, 11, {1, 1, 5, 1, 1}},                    // d = 11
    {5, 13, {1, 1, 1, 3, 11}},                   // d = 12
    {5, 14, {1, 3, 5, 5, 31}},                   // d = 13
    {6, 1, {1, 3, 3, 9, 7, 49}},                 // d = 14
    {6, 13, {1, 1, 1, 15, 21, 21}},              // d = 15
    {6, 16, {1, 3, 1, 13, 27, 49}},              // d = 16
    {6, 19, {1, 1, 1, 15, 7, 5}},                // d = 17
    {6, 22, {1, 3, 1, 15, 13, 25}},              // d = 18
    {6, 25, {1, 1, 5, 5, 19, 61}},               // d = 19
    {7, 1, {1, 3, 7, 11, 23, 15, 103}},          // d = 20
    {7, 4, {1, 3, 7, 13, 13, 15, 69}},           // d = 21
    {7, 7, {1, 1, 3, 13, 7, 35, 63}},            // d = 22
    {7, 8, {1, 3, 5, 9, 1, 25, 53}},             // d = 23
    {7, 14, {1, 3, 1, 13, 9, 35, 107}},          // d = 24
    {7, 19, {1, 3, 1, 5, 27, 61, 31}},           // d = 25
    {7, 21, {1, 1, 5, 11, 19, 41, 61}},          // d = 26
    {7, 28, {1, 3, 5, 3, 3, 13, 69}},            // d = 27
    {7, 31, {1, 1, 7, 13, 1, 19, 1}},            // d = 28
    {7, 32, {1, 3, 7, 5, 13, 19, 59}},           // d = 29
    {7, 37, {1, 1, 3, 9, 25, 29, 41}},           // d = 30
    {7, 41, {1, 3, 5, 13, 23, 1, 55}},           // d = 31
    {7, 42, {1, 3, 7, 3, 13, 59, 17}},           // d = 32
    {7, 50, {1, 3, 1, 3, 5, 53, 69}},            // d = 33
    {7, 55, {1, 1, 5, 5, 23, 33, 13}},           // d = 34
    {7, 56, {1, 1, 7, 7, 1, 61, 123}},           // d = 35
    {7, 59, {1, 1, 7, 9, 13, 61, 49}},           // d = 36
    {7, 62, {1, 3, 3, 5, 3, 55, 33}},            // d = 37
    {8, 14, {1, 3, 1, 15, 31, 13, 49, 245}},     // d = 38
    {8, 21, {1, 3, 5, 15, 31, 59, 63, 97}},      // d = 39
    {8, 22, {1, 3, 1, 11, 11, 11, 77, 249}},     // d = 40
}};
// clang-format on

constexpr int kSobolBits = 32;

class SobolSequence {
 public:
  explicit SobolSequence(std::size_t dims) : v_(dims), x_(dims, 0u) {
    if (dims > kJoeKuo.size() + 1) throw std::invalid_argument("Sobol: at most 40 dimensions");
    for (std::size_t d = 0; d < dims; ++d) {
      auto& v = v_[d];
      if (d == 0) {
        for (int i = 0; i < kSobolBits; ++i) v[i] = 1u << (kSobolBits - 1 - i);
        continue;
      }
      const JoeKuoRow& row = kJoeKuo[d - 1];
      const auto s = static_cast<int>(row.s);
      for (int i = 0; i < s; ++i) v[i] = row.m[i] << (kSobolBits - 1 - i);
      for (int i = s; i < kSobolBits; ++i) {
        v[i] = v[i - s] ^ (v[i - s] >> s);
        for (int k = 1; k < s; ++k)
          if ((row.a >> (s - 1 - k)) & 1u) v[i] ^= v[i - k];
      }
    }
  }

  /// Point `index_` of the sequence (the first call gives point 0, the origin).
  void next(std::vector<double>& out) {
    if (index_ > 0) {
      // Lowest zero bit of index_ - 1.
      std::uint64_t n = index_ - 1;
      int c = 0;
      while (n & 1u) {
        n >>= 1;
        ++c;
      }
      if (c >= kSobolBits) throw std::length_error("Sobol: more than 2^32 points");
      for (std::size_t d = 0; d < x_.size(); ++d) x_[d] ^= v_[d][c];
    }
    ++index_;
    out.resize(x_.size());
    for (std::size_t d = 0; d < x_.size(); ++d) out[d] = static_cast<double>(x_[d]) * 0x1.0p-32;
  }

 private:
  std::vector<std::array<std::uint32_t, kSobolBits>> v_;
  std::vector<std::uint32_t> x_;
  std::uint64_t index_ = 0;
};

// ---- scaling ------------------------------------------------------------------------------------

/// A unit coordinate to a parameter value. Continuous samplers (random, lhs, sobol) give an
/// integer parameter each integer of [min, max] with equal probability: the unit interval is
/// scaled to [min - 1/2, max + 1/2) and rounded, i.e. floor(min + u (max - min + 1)). Grid-like
/// samplers (morris levels) scale to [min, max] and round, so the end levels are min and max.
double scale(double u, const DesignParam& p, bool levels) {
  if (!p.integer) return p.min + u * (p.max - p.min);
  if (levels) return std::round(p.min + u * (p.max - p.min));
  const double x = std::floor(p.min + u * (p.max - p.min + 1.0));
  return std::clamp(x, p.min, p.max);
}

double below_one(double u) { return u < 1.0 ? u : std::nextafter(1.0, 0.0); }

void fill_grid(Design& d) {
  const std::size_t k = d.params.size();
  std::size_t n = 1;
  for (const auto& p : d.params) n *= p.values.size();
  d.points.assign(n, std::vector<double>(k));
  d.unit.clear();
  // Row-major: the last parameter varies fastest.
  for (std::size_t r = 0; r < n; ++r) {
    std::size_t rest = r;
    for (std::size_t c = k; c-- > 0;) {
      const auto& vals = d.params[c].values;
      const double x = vals[rest % vals.size()];
      d.points[r][c] = d.params[c].integer ? std::round(x) : x;
      rest /= vals.size();
    }
  }
}

void fill_points(Design& d) {
  const std::size_t k = d.params.size();
  const std::size_t n = d.params[0].values.size();
  d.points.assign(n, std::vector<double>(k));
  d.unit.clear();
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t c = 0; c < k; ++c) {
      const double x = d.params[c].values[r];
      d.points[r][c] = d.params[c].integer ? std::round(x) : x;
    }
}

void fill_random(Design& d, Rng& rng) {
  const std::size_t k = d.params.size();
  const auto n = static_cast<std::size_t>(d.samples);
  d.unit.assign(n, std::vector<double>(k));
  for (auto& row : d.unit)
    for (auto& u : row) u = rng.uniform();
}

void fill_lhs(Design& d, Rng& rng) {
  const std::size_t k = d.params.size();
  const auto n = static_cast<std::size_t>(d.samples);
  d.unit.assign(n, std::vector<double>(k));
  std::vector<std::size_t> strata(n);
  for (std::size_t c = 0; c < k; ++c) {
    std::iota(strata.begin(), strata.end(), std::size_t{0});
    rng.shuffle(strata.begin(), strata.end());
    for (std::size_t r = 0; r < n; ++r)
      d.unit[r][c] =
          below_one((static_cast<double>(strata[r]) + rng.uniform()) / static_cast<double>(n));
  }
}

void fill_sobol(Design& d) {
  const std::size_t k = d.params.size();
  const auto n = static_cast<std::size_t>(d.samples);
  d.unit.assign(n * (k + 2), std::vector<double>(k));
  SobolSequence seq(2 * k);
  std::vector<double> x;
  seq.next(x);  // skip point 0, the origin
  for (std::size_t j = 0; j < n; ++j) {
    seq.next(x);
    auto& a = d.unit[j];
    auto& b = d.unit[n + j];
    std::copy(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(k), a.begin());
    std::copy(x.begin() + static_cast<std::ptrdiff_t>(k), x.end(), b.begin());
    for (std::size_t i = 0; i < k; ++i) {
      auto& ab = d.unit[(2 + i) * n + j];
      ab = a;
      ab[i] = b[i];
    }
  }
}

/// Morris (1991) trajectories in the form of Campolongo, Cariboni & Saltelli (2007): a base
/// point x* on the levels {0, 1/(p-1), ..., 1 - delta}, delta = p / (2 (p - 1)); each factor
/// gets a random direction (up from x*_i or down from x*_i + delta) and the factors move one at
/// a time in a random order, so every trajectory has k + 1 points on the p-level grid.
void fill_morris(Design& d, Rng& rng) {
  const std::size_t k = d.params.size();
  const auto r = static_cast<std::size_t>(d.trajectories);
  const auto p = static_cast<std::uint64_t>(d.levels);
  const auto last = static_cast<double>(p - 1);
  const std::uint64_t jump = p / 2;  // delta in level units
  d.unit.assign(r * (k + 1), std::vector<double>(k));
  std::vector<std::uint64_t> level(k);
  std::vector<bool> up(k);
  std::vector<std::size_t> order(k);
  for (std::size_t t = 0; t < r; ++t) {
    for (std::size_t i = 0; i < k; ++i) {
      const std::uint64_t base = rng.below(p / 2);
      up[i] = rng.below(2) == 0;
      level[i] = up[i] ? base : base + jump;
    }
    std::iota(order.begin(), order.end(), std::size_t{0});
    rng.shuffle(order.begin(), order.end());
    const std::size_t first = t * (k + 1);
    for (std::size_t s = 0; s <= k; ++s) {
      if (s > 0) {
        const std::size_t i = order[s - 1];
        level[i] = up[i] ? level[i] + jump : level[i] - jump;
      }
      for (std::size_t i = 0; i < k; ++i)
        d.unit[first + s][i] = static_cast<double>(level[i]) / last;  // exact 0 and 1 ends
    }
  }
}

// ---- estimators ---------------------------------------------------------------------------------

/// Saltelli (2010) first-order and Jansen (1999) total indices from the rows `rows` of the
/// Saltelli blocks, outputs shifted by `centre`.
void saltelli_estimate(const std::vector<double>& y, std::size_t n, std::size_t k,
                       const std::vector<std::size_t>& rows, double centre, std::vector<double>& s1,
                       std::vector<double>& st) {
  s1.assign(k, std::numeric_limits<double>::quiet_NaN());
  st.assign(k, std::numeric_limits<double>::quiet_NaN());
  if (rows.empty()) return;
  const auto m = static_cast<double>(rows.size());
  double mean = 0.0;
  for (std::size_t j : rows) mean += (y[j] - centre) + (y[n + j] - centre);
  mean /= 2.0 * m;
  double var = 0.0;
  for (std::size_t j : rows) {
    const double a = y[j] - centre - mean, b = y[n + j] - centre - mean;
    var += a * a + b * b;
  }
  var /= 2.0 * m;  // V = variance of [f(A), f(B)] (denominator 2N, as in SALib)
  if (!(var > 0.0)) return;
  for (std::size_t i = 0; i < k; ++i) {
    const std::size_t off = (2 + i) * n;
    double first = 0.0, total = 0.0;
    for (std::size_t j : rows) {
      const double fa = y[j] - centre, fb = y[n + j] - centre, fab = y[off + j] - centre;
      first += fb * (fab - fa);
      total += (fa - fab) * (fa - fab);
    }
    s1[i] = first / m / var;
    st[i] = total / m / (2.0 * var);
  }
}

double sample_sd(const std::vector<double>& v) {
  if (v.size() < 2) return std::numeric_limits<double>::quiet_NaN();
  double mean = 0.0;
  for (double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  double ss = 0.0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return std::sqrt(ss / static_cast<double>(v.size() - 1));
}

}  // namespace

std::string design_type_name(DesignType t) { return type_names()[static_cast<std::size_t>(t)]; }

json varied_value(const std::string& key, double v, bool integer, const std::vector<json>& levels,
                  const std::string& file, const std::string& context) {
  if (levels.empty()) {
    // A value beyond the integers (NaN, inf, > 2^63) stays a number: setting it is refused then.
    if (!integer || !(std::fabs(v) < 9.2e18)) return json(v);
    return json(static_cast<std::int64_t>(std::llround(v)));
  }
  const double i = std::round(v);
  if (!(i >= 0 && i < static_cast<double>(levels.size()) && i == v))
    throw InputError(file, key,
                     "an index into the levels " + json(levels).dump() + " (a whole number in [0, " +
                         std::to_string(levels.size() - 1) + "])",
                     num_text(v) + (context.empty() ? "" : " " + context));
  return levels[static_cast<std::size_t>(i)];
}

json varied_value(const DesignParam& p, double v, const std::string& file,
                  const std::string& context) {
  return varied_value(p.key, v, p.integer, p.levels, file, context);
}

DesignValuesText design_values_text(const Design& d, const DesignParam& p,
                                    const std::string& file) {
  DesignValuesText out;
  const std::string n_points = format_count(static_cast<long double>(d.points.size()));
  if (d.type != DesignType::grid && d.type != DesignType::points) {
    out.values =
        json{{"min", varied_value(p, p.min, file)}, {"max", varied_value(p, p.max, file)}}.dump();
    out.how = design_type_name(d.type) + ", " + n_points + " points sampled in the range";
    return out;
  }
  std::vector<double> distinct;
  for (double v : p.values)
    if (std::find(distinct.begin(), distinct.end(), v) == distinct.end()) distinct.push_back(v);
  constexpr std::size_t kShown = 8;
  out.values = "[";
  for (std::size_t i = 0; i < distinct.size(); ++i) {
    if (i == kShown - 1 && distinct.size() > kShown) {
      out.values += ", ..., " + varied_value(p, distinct.back(), file).dump();
      break;
    }
    out.values += (i ? ", " : "") + varied_value(p, distinct[i], file).dump();
  }
  out.values += "]";
  const std::string count =
      std::to_string(distinct.size()) + (distinct.size() == 1 ? " level" : " levels");
  out.how =
      d.type == DesignType::grid ? count : std::to_string(p.values.size()) + " points, " + count;
  return out;
}

std::vector<json> levels_from_text(const std::string& text, const std::string& file,
                                   const std::string& key) {
  if (text.empty()) return {};
  const std::string expected = "a `levels` attribute holding a JSON array of strings or booleans";
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception&) {
    throw InputError(file, key, expected, "'" + text + "' (not JSON)");
  }
  if (!doc.is_array() || doc.empty())
    throw InputError(file, key, expected, "'" + text + "'");
  for (const auto& level : doc)
    if (!level.is_string() && !level.is_boolean())
      throw InputError(file, key, expected, "'" + text + "' (holding " + level.dump() + ")");
  return doc.get<std::vector<json>>();
}

Design parse_design(const json& j, const std::string& file, const std::string& path,
                    const std::vector<std::string>& integer_keys) {
  const std::string forms =
      "a design object {\"type\": " + quoted(type_names()) + ", \"parameters\": {...}}";
  if (!j.is_object()) throw InputError(file, path, forms, json_value_text(j));

  // type
  if (!j.contains("type"))
    throw InputError(file, sub(path, "type"), "one of " + quoted(type_names()), "no `type` key");
  const json& tv = j.at("type");
  if (!tv.is_string())
    throw InputError(file, sub(path, "type"), "one of " + quoted(type_names()), json_value_text(tv));
  const auto tname = tv.get<std::string>();
  const auto& names = type_names();
  const auto ti = std::find(names.begin(), names.end(), tname);
  if (ti == names.end()) {
    const std::string guess = did_you_mean(tname, names);
    throw InputError(file, sub(path, "type"), "one of " + quoted(names), tv.dump(),
                     guess.empty() ? "" : "did you mean \"" + guess + "\"?");
  }
  Design d;
  d.type = static_cast<DesignType>(ti - names.begin());

  // keys of the design object
  std::vector<std::string> allowed = {"type", "parameters"};
  if (d.type == DesignType::random || d.type == DesignType::lhs || d.type == DesignType::sobol)
    allowed.push_back("samples");
  if (d.type == DesignType::morris) {
    allowed.push_back("trajectories");
    allowed.push_back("levels");
  }
  if (d.type == DesignType::points) allowed.push_back("seeds");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string hint;
    if (key == "samples")
      hint = "`samples` belongs to random, lhs and sobol designs";
    else if (key == "trajectories" || key == "levels")
      hint = "`" + key + "` belongs to morris designs";
    else if (key == "seeds")
      hint = "`seeds` belongs to points designs";
    unknown_key(file, sub(path, key), key, allowed, a_design(d.type), hint);
  }

  // counts
  if (d.type == DesignType::morris) {
    if (!j.contains("trajectories"))
      throw InputError(file, sub(path, "trajectories"), "an integer number of trajectories >= 1",
                       "no `trajectories` key");
    d.trajectories = count_at(j.at("trajectories"), file, sub(path, "trajectories"), 1,
                              "an integer number of trajectories >= 1");
    if (j.contains("levels")) {
      const std::string expected = "an even integer number of levels >= 2";
      d.levels = count_at(j.at("levels"), file, sub(path, "levels"), 2, expected);
      if (d.levels % 2 != 0)
        throw InputError(file, sub(path, "levels"), expected, j.at("levels").dump(),
                         "Morris's step p/(2(p-1)) keeps every level equally likely only for "
                         "even p");
    }
  } else if (d.type != DesignType::grid && d.type != DesignType::points) {
    const std::string expected = d.type == DesignType::sobol
                                     ? "an integer base sample size N >= 1 (a power of 2 is best)"
                                     : "an integer number of samples >= 1";
    if (!j.contains("samples"))
      throw InputError(file, sub(path, "samples"), expected, "no `samples` key");
    d.samples = count_at(j.at("samples"), file, sub(path, "samples"), 1, expected);
  }

  // parameters
  const std::string ppath = sub(path, "parameters");
  const std::string pforms =
      d.type == DesignType::grid
          ? "an object of parameters {\"dotted.key\": [values] or {\"min\": a, \"max\": b, "
            "\"num\": n}}"
      : d.type == DesignType::points
          ? "an object of parameters {\"dotted.key\": [one value per point]}"
          : "an object of parameters {\"dotted.key\": {\"min\": a, \"max\": b}}";
  if (!j.contains("parameters")) throw InputError(file, ppath, pforms, "no `parameters` key");
  const json& pj = j.at("parameters");
  if (!pj.is_object()) throw InputError(file, ppath, pforms, json_value_text(pj));
  if (pj.empty())
    throw InputError(file, ppath, pforms + " with at least one parameter", "an empty object");
  for (auto it = pj.begin(); it != pj.end(); ++it) {
    const std::string& key = it.key();
    const std::string where = sub(ppath, key);
    if (key.empty())
      throw InputError(file, where, "a dotted scenario path as the key", "an empty key");
    const bool integer =
        std::find(integer_keys.begin(), integer_keys.end(), key) != integer_keys.end();
    d.params.push_back(d.type == DesignType::grid ? parse_grid_param(key, *it, file, where, integer)
                       : d.type == DesignType::points
                           ? parse_points_param(key, *it, file, where, integer)
                           : parse_sampled_param(key, *it, file, where, integer, d.type));
    if (d.type == DesignType::points && d.params.back().values.size() != d.params[0].values.size())
      throw InputError(file, where,
                       "an array of " + std::to_string(d.params[0].values.size()) +
                           " values (one per point, as `" + d.params[0].key + "` has)",
                       "an array of " + std::to_string(d.params.back().values.size()) + " values");
  }

  if (d.type == DesignType::points && j.contains("seeds")) {
    const std::string spath = sub(path, "seeds");
    const std::size_t n = d.params[0].values.size();
    const std::string expected = "an array of " + std::to_string(n) +
                                 " non-negative integer seeds (one per point)";
    const json& sv = j.at("seeds");
    if (!sv.is_array()) throw InputError(file, spath, expected, json_value_text(sv));
    if (sv.size() != n)
      throw InputError(file, spath, expected,
                       "an array of " + std::to_string(sv.size()) + " values");
    for (std::size_t i = 0; i < n; ++i) {
      const json& x = sv[i];
      if (x.is_number_unsigned())
        d.point_seeds.push_back(x.get<std::uint64_t>());
      else  // a negative, fractional or non-number entry
        throw InputError(file, spath + "[" + std::to_string(i) + "]", expected,
                         json_value_text(x));
    }
  }

  check_size(d, file, path);
  return d;
}

void generate_points(Design& d, std::uint64_t seed) {
  const std::string where = "design";
  if (d.params.empty()) throw InputError("", where, "at least one parameter", "none");
  for (const auto& p : d.params) {
    if ((d.type == DesignType::grid || d.type == DesignType::points) && p.values.empty())
      throw InputError("", where + ".parameters." + p.key, "a non-empty list of values", "none");
    if (d.type == DesignType::points && p.values.size() != d.params[0].values.size())
      throw InputError("", where + ".parameters." + p.key,
                       std::to_string(d.params[0].values.size()) + " values (one per point)",
                       std::to_string(p.values.size()) + " values");
    if (d.type != DesignType::grid && d.type != DesignType::points && !(p.max > p.min))
      throw InputError("", where + ".parameters." + p.key, "a range with min < max",
                       "[" + num_text(p.min) + ", " + num_text(p.max) + "]");
  }
  if ((d.type == DesignType::random || d.type == DesignType::lhs || d.type == DesignType::sobol) &&
      d.samples < 1)
    throw InputError("", where + ".samples", "an integer >= 1", std::to_string(d.samples));
  if (d.type == DesignType::morris) {
    if (d.trajectories < 1)
      throw InputError("", where + ".trajectories", "an integer >= 1",
                       std::to_string(d.trajectories));
    if (d.levels < 2 || d.levels % 2 != 0)
      throw InputError("", where + ".levels", "an even integer >= 2", std::to_string(d.levels));
  }
  check_size(d, "", where);

  Rng rng(mix64(seed ^ kDesignSalt));
  switch (d.type) {
    case DesignType::grid: fill_grid(d); return;
    case DesignType::points: fill_points(d); return;
    case DesignType::random: fill_random(d, rng); break;
    case DesignType::lhs: fill_lhs(d, rng); break;
    case DesignType::sobol: fill_sobol(d); break;
    case DesignType::morris: fill_morris(d, rng); break;
  }
  const bool levels = d.type == DesignType::morris;
  const std::size_t k = d.params.size();
  d.points.assign(d.unit.size(), std::vector<double>(k));
  for (std::size_t r = 0; r < d.unit.size(); ++r)
    for (std::size_t c = 0; c < k; ++c) d.points[r][c] = scale(d.unit[r][c], d.params[c], levels);
}

SobolIndices sobol_indices(const std::vector<double>& y, std::int64_t N, std::size_t k,
                           int bootstrap, std::uint64_t seed) {
  if (N < 1 || k < 1 || y.size() != static_cast<std::size_t>(N) * (k + 2))
    throw std::invalid_argument("sobol_indices: expected N (k + 2) = " +
                                std::to_string(N * static_cast<std::int64_t>(k + 2)) +
                                " outputs, got " + std::to_string(y.size()));
  const auto n = static_cast<std::size_t>(N);
  // Rows (one A, B and AB_1..AB_k value each) with a non-finite output, e.g. a failed run, are
  // left out: every estimator below is a mean over rows, so dropping whole rows keeps it valid.
  std::vector<std::size_t> rows;
  for (std::size_t j = 0; j < n; ++j) {
    bool ok = true;
    for (std::size_t b = 0; b < k + 2 && ok; ++b) ok = std::isfinite(y[b * n + j]);
    if (ok) rows.push_back(j);
  }
  // Centre on the mean of f(A), f(B): the estimators are unbiased either way, but a large mean
  // inflates the variance of the first-order numerator f(B)(f(AB_i) - f(A)).
  double centre = 0.0;
  for (std::size_t j : rows) centre += y[j] + y[n + j];
  if (!rows.empty()) centre /= 2.0 * static_cast<double>(rows.size());

  SobolIndices out;
  saltelli_estimate(y, n, k, rows, centre, out.S1, out.ST);
  out.S1_conf.assign(k, std::numeric_limits<double>::quiet_NaN());
  out.ST_conf.assign(k, std::numeric_limits<double>::quiet_NaN());
  if (bootstrap < 2 || rows.empty()) return out;

  // Bootstrap: resample the rows with replacement; half-width = 1.96 x the bootstrap sd.
  const auto B = static_cast<std::size_t>(bootstrap);
  std::vector<std::vector<double>> s1b(k, std::vector<double>(B)), stb(k, std::vector<double>(B));
  Rng rng(mix64(seed ^ kBootstrapSalt));
  std::vector<std::size_t> pick(rows.size());
  std::vector<double> s1, st;
  for (std::size_t b = 0; b < B; ++b) {
    for (auto& r : pick) r = rows[rng.below(rows.size())];
    saltelli_estimate(y, n, k, pick, centre, s1, st);
    for (std::size_t i = 0; i < k; ++i) {
      s1b[i][b] = s1[i];
      stb[i][b] = st[i];
    }
  }
  // A resample can be degenerate (all rows alike: V = 0, index NaN), which is likely with a
  // small base sample; the interval uses the finite resamples (NaN if fewer than two).
  auto finite_only = [](const std::vector<double>& v) {
    std::vector<double> f;
    for (double x : v)
      if (std::isfinite(x)) f.push_back(x);
    return f;
  };
  for (std::size_t i = 0; i < k; ++i) {
    const auto a = finite_only(s1b[i]), b = finite_only(stb[i]);
    out.S1_conf[i] = a.size() >= 2 ? kZ975 * sample_sd(a) : std::nan("");
    out.ST_conf[i] = b.size() >= 2 ? kZ975 * sample_sd(b) : std::nan("");
  }
  return out;
}

MorrisIndices morris_indices(const std::vector<double>& y, const Design& d) {
  const std::size_t k = d.params.size();
  if (k == 0 || d.unit.empty() || d.unit.size() % (k + 1) != 0 || y.size() != d.unit.size())
    throw std::invalid_argument(
        "morris_indices: expected outputs for r (k + 1) = " + std::to_string(d.unit.size()) +
        " morris points, got " + std::to_string(y.size()));
  const std::size_t r = d.unit.size() / (k + 1);
  std::vector<std::vector<double>> ee(k);
  for (std::size_t t = 0; t < r; ++t) {
    for (std::size_t s = 0; s < k; ++s) {
      const std::size_t p0 = t * (k + 1) + s, p1 = p0 + 1;
      std::size_t moved = k;
      for (std::size_t i = 0; i < k; ++i) {
        if (d.unit[p1][i] == d.unit[p0][i]) continue;
        if (moved != k)
          throw std::invalid_argument("morris_indices: points " + std::to_string(p0) + " and " +
                                      std::to_string(p1) + " differ in more than one factor");
        moved = i;
      }
      if (moved == k)
        throw std::invalid_argument("morris_indices: points " + std::to_string(p0) + " and " +
                                    std::to_string(p1) + " are equal");
      // (y(x + delta e_i) - y(x)) / delta whichever way the step went.
      const double e = (y[p1] - y[p0]) / (d.unit[p1][moved] - d.unit[p0][moved]);
      if (std::isfinite(e)) ee[moved].push_back(e);  // failed runs drop their effects
    }
  }
  MorrisIndices out;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  out.mu.assign(k, nan);
  out.mu_star.assign(k, nan);
  out.sigma.assign(k, nan);
  for (std::size_t i = 0; i < k; ++i) {
    if (ee[i].empty()) continue;
    double sum = 0.0, abs_sum = 0.0;
    for (double e : ee[i]) {
      sum += e;
      abs_sum += std::fabs(e);
    }
    out.mu[i] = sum / static_cast<double>(ee[i].size());
    out.mu_star[i] = abs_sum / static_cast<double>(ee[i].size());
    out.sigma[i] = sample_sd(ee[i]);  // NaN with a single trajectory
  }
  return out;
}

double replicate_noise_share(const std::vector<std::vector<double>>& y) {
  // One-way random-effects ANOVA (e.g. Searle, Casella & McCulloch 1992, "Variance Components",
  // ch. 3): within-point variance s_w^2 = SS_within / (n - P); between-point component
  // s_b^2 = max(0, (MS_between - s_w^2) / n0), n0 = (n - sum n_i^2 / n) / (P - 1). The share is
  // s_w^2 / (s_w^2 + s_b^2). Unlike the raw ratio SS_within / SS_total this does not count the
  // noise in the point means as parameter variance (with 2 replicates of pure noise the raw
  // ratio is about 1/2; this is about 1). Non-finite values (failed runs) are left out; NaN when
  // no point has two values (noise cannot be measured).
  std::size_t n = 0, groups = 0;
  double sum = 0.0, sum_ni2 = 0.0;
  std::vector<double> means(y.size(), 0.0);
  std::vector<std::size_t> counts(y.size(), 0);
  for (std::size_t g = 0; g < y.size(); ++g) {
    for (double v : y[g]) {
      if (!std::isfinite(v)) continue;
      means[g] += v;
      ++counts[g];
    }
    if (counts[g] == 0) continue;
    sum += means[g];
    means[g] /= static_cast<double>(counts[g]);
    n += counts[g];
    ++groups;
    sum_ni2 += static_cast<double>(counts[g]) * static_cast<double>(counts[g]);
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (n == 0) return nan;
  const double grand = sum / static_cast<double>(n);
  double ss_within = 0.0, ss_between = 0.0;
  for (std::size_t g = 0; g < y.size(); ++g) {
    if (counts[g] == 0) continue;
    for (double v : y[g])
      if (std::isfinite(v)) ss_within += (v - means[g]) * (v - means[g]);
    ss_between += static_cast<double>(counts[g]) * (means[g] - grand) * (means[g] - grand);
  }
  if (ss_within + ss_between == 0.0) return 0.0;
  if (n == groups) return nan;
  const double within = ss_within / static_cast<double>(n - groups);
  double between = 0.0;
  if (groups > 1) {
    const double ms_between = ss_between / static_cast<double>(groups - 1);
    const double n0 = (static_cast<double>(n) - sum_ni2 / static_cast<double>(n)) /
                      static_cast<double>(groups - 1);
    between = std::max(0.0, (ms_between - within) / n0);
  }
  return within / (within + between);
}

}  // namespace orgsim
