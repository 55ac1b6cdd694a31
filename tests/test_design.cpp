// Sweep designs (sim/engine/design.hpp): parsing and validation of the design object, the point
// generators (grid order, random, Latin hypercube strata, Sobol sequence and Saltelli layout,
// Morris trajectories) and the sensitivity estimators, validated on the Ishigami function
// against its analytic indices.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "core/errors.hpp"
#include "engine/design.hpp"

using namespace orgsim;
using Catch::Matchers::Contains;
using nlohmann::json;

namespace {

constexpr double kPi = 3.14159265358979323846;

Design parse(const std::string& text, const std::vector<std::string>& ints = {}) {
  return parse_design(json::parse(text), "sweep.json", "design", ints);
}

Design generated(const std::string& text, std::uint64_t seed = 1,
                 const std::vector<std::string>& ints = {}) {
  Design d = parse(text, ints);
  generate_points(d, seed);
  return d;
}

std::string error_of(const std::string& text, const std::vector<std::string>& ints = {}) {
  try {
    Design d = parse(text, ints);
    generate_points(d, 1);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

/// Ishigami & Homma (1990): f = sin x1 + a sin^2 x2 + b x3^4 sin x1 on [-pi, pi]^3, a = 7,
/// b = 0.1.
double ishigami(const std::vector<double>& x) {
  return std::sin(x[0]) + 7.0 * std::sin(x[1]) * std::sin(x[1]) +
         0.1 * std::pow(x[2], 4) * std::sin(x[0]);
}

/// Analytic Ishigami indices (Sobol' & Levitan 1999; Saltelli et al. 2008, "Global Sensitivity
/// Analysis: The Primer", 4.7): V1 = (1 + b pi^4/5)^2 / 2, V2 = a^2/8, V3 = 0,
/// V13 = b^2 pi^8 (1/18 - 1/50), V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2.
struct Analytic {
  double S1[3], ST[3];
};
Analytic ishigami_indices() {
  const double a = 7.0, b = 0.1, p4 = std::pow(kPi, 4), p8 = std::pow(kPi, 8);
  const double V = a * a / 8 + b * p4 / 5 + b * b * p8 / 18 + 0.5;
  const double V1 = 0.5 * (1 + b * p4 / 5) * (1 + b * p4 / 5);
  const double V2 = a * a / 8;
  const double V13 = b * b * p8 * (1.0 / 18 - 1.0 / 50);
  return {{V1 / V, V2 / V, 0.0}, {(V1 + V13) / V, V2 / V, V13 / V}};
}

std::vector<double> evaluate(const Design& d, double (*f)(const std::vector<double>&)) {
  std::vector<double> y;
  for (const auto& p : d.points) y.push_back(f(p));
  return y;
}

/// The t-value of the 2^m points (x, y) as a (t, m, 2)-net in base 2: the smallest t such that
/// every elementary box [i 2^-a, (i+1) 2^-a) x [j 2^-b, (j+1) 2^-b) with a + b = m - t holds
/// exactly 2^t points.
int net_t_value(const std::vector<double>& x, const std::vector<double>& y, int m) {
  for (int t = 0; t <= m; ++t) {
    bool ok = true;
    for (int a = 0; a <= m - t && ok; ++a) {
      const int b = m - t - a;
      std::vector<int> count(std::size_t{1} << (m - t), 0);
      for (std::size_t i = 0; i < x.size(); ++i) {
        const auto ix = static_cast<std::size_t>(std::ldexp(x[i], a));
        const auto iy = static_cast<std::size_t>(std::ldexp(y[i], b));
        ++count[(ix << b) | iy];
      }
      for (int c : count) ok = ok && c == (1 << t);
    }
    if (ok) return t;
  }
  return m;
}

}  // namespace

// ---- grid ---------------------------------------------------------------------------------------

TEST_CASE("grid: lists and {min,max,num} ranges, Cartesian product, first parameter slowest",
          "[design]") {
  const Design d = generated(R"({"type": "grid", "parameters": {
      "a.x": [1, 2, 3], "b.y": {"min": 0, "max": 1, "num": 3}}})");
  REQUIRE(d.type == DesignType::grid);
  REQUIRE(d.params.size() == 2);
  CHECK(d.params[0].key == "a.x");
  CHECK(d.params[1].values == std::vector<double>{0.0, 0.5, 1.0});
  CHECK(d.params[0].min == 1.0);
  CHECK(d.params[0].max == 3.0);
  REQUIRE(d.points.size() == 9);
  CHECK(d.unit.empty());
  const std::vector<std::vector<double>> expected = {{1, 0}, {1, 0.5}, {1, 1},   {2, 0}, {2, 0.5},
                                                     {2, 1}, {3, 0},   {3, 0.5}, {3, 1}};
  CHECK(d.points == expected);
}

TEST_CASE("grid: product size, single-value ranges, integer rounding", "[design]") {
  const Design d = generated(R"({"type": "grid", "parameters": {
      "p": [0, 0.005, 0.01], "q": {"min": 5, "max": 40, "num": 4},
      "r": {"min": 2, "max": 2, "num": 1}, "s": [1, 2]}})",
                             1, {"q", "s"});
  CHECK(d.points.size() == 3 * 4 * 1 * 2);
  // 5, 16.67, 28.33, 40 rounded for an integer key.
  CHECK(d.params[1].values == std::vector<double>{5, 17, 28, 40});
  CHECK(d.params[1].integer);
  CHECK_FALSE(d.params[0].integer);
  CHECK(d.params[2].values == std::vector<double>{2});
  // The last parameter varies fastest.
  CHECK(d.points[0] == std::vector<double>{0, 5, 2, 1});
  CHECK(d.points[1] == std::vector<double>{0, 5, 2, 2});
  CHECK(d.points[2] == std::vector<double>{0, 17, 2, 1});
  CHECK(d.points.back() == std::vector<double>{0.01, 40, 2, 2});
  // The range ends are exact (no accumulated rounding).
  const Design e =
      generated(R"({"type": "grid", "parameters": {"p": {"min": 0.1, "max": 0.7, "num": 7}}})");
  CHECK(e.params[0].values.back() == 0.7);
  CHECK(e.params[0].values.front() == 0.1);
}

TEST_CASE("design parameters come in the order of the JSON object (nlohmann::json: by key)",
          "[design]") {
  // nlohmann::json keeps object keys sorted, so "the first parameter" is the first by name.
  const Design d = generated(R"({"type": "grid", "parameters": {"z": [1, 2], "a": [3, 4]}})");
  CHECK(d.params[0].key == "a");
  CHECK(d.points[1] == std::vector<double>{3, 2});
}

// ---- random and Latin hypercube -----------------------------------------------------------------

TEST_CASE("random: independent uniforms in range, deterministic in the seed", "[design]") {
  const std::string text = R"({"type": "random", "samples": 500, "parameters": {
      "a": {"min": -2, "max": 3}, "b": {"min": 0.25, "max": 0.5}}})";
  const Design d = generated(text, 7);
  REQUIRE(d.points.size() == 500);
  REQUIRE(d.unit.size() == 500);
  double mean_u = 0.0;
  for (std::size_t r = 0; r < d.points.size(); ++r) {
    CHECK(d.points[r][0] >= -2.0);
    CHECK(d.points[r][0] < 3.0);
    CHECK(d.points[r][1] >= 0.25);
    CHECK(d.points[r][1] < 0.5);
    CHECK(d.points[r][0] == Approx(-2.0 + 5.0 * d.unit[r][0]));
    mean_u += d.unit[r][0] + d.unit[r][1];
  }
  // Mean of 1000 uniforms: sd 0.0091; 5 sd.
  CHECK(mean_u / 1000.0 == Approx(0.5).margin(0.046));
  CHECK(generated(text, 7).points == d.points);
  CHECK(generated(text, 8).points != d.points);
}

TEST_CASE("lhs: exactly one point per stratum for every parameter", "[design]") {
  const int n = 37;
  const Design d = generated(R"({"type": "lhs", "samples": 37, "parameters": {
      "a": {"min": 0, "max": 1}, "b": {"min": 10, "max": 20}, "c": {"min": -1, "max": 1}}})",
                             3);
  REQUIRE(d.unit.size() == static_cast<std::size_t>(n));
  for (std::size_t c = 0; c < 3; ++c) {
    std::vector<int> hits(n, 0);
    for (const auto& row : d.unit) {
      REQUIRE(row[c] >= 0.0);
      REQUIRE(row[c] < 1.0);
      ++hits[static_cast<std::size_t>(std::floor(row[c] * n))];
    }
    CHECK(std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }));
  }
  // The strata are permuted independently per parameter (not the same order for all).
  std::size_t same = 0;
  for (const auto& row : d.unit) same += std::floor(row[0] * n) == std::floor(row[1] * n) ? 1 : 0;
  CHECK(same < 10);
  for (std::size_t r = 0; r < d.unit.size(); ++r)
    CHECK(d.points[r][1] == Approx(10.0 + 10.0 * d.unit[r][1]));
}

TEST_CASE("integer parameters: sampled values are integers, each equally likely", "[design]") {
  // lhs with 5 strata over the 5 integers 1..5: every integer exactly once.
  const Design d = generated(R"({"type": "lhs", "samples": 5, "parameters": {
      "n": {"min": 1, "max": 5}, "x": {"min": 0, "max": 1}}})",
                             11, {"n"});
  std::vector<double> vals;
  for (const auto& p : d.points) vals.push_back(p[0]);
  std::sort(vals.begin(), vals.end());
  CHECK(vals == std::vector<double>{1, 2, 3, 4, 5});
  const Design s = generated(R"({"type": "sobol", "samples": 64, "parameters": {
      "n": {"min": 0, "max": 3}, "x": {"min": 0, "max": 1}}})",
                             1, {"n"});
  std::vector<int> count(4, 0);
  for (std::size_t j = 0; j < 64; ++j) {  // the A block
    const double v = s.points[j][0];
    REQUIRE(v == std::round(v));
    REQUIRE(v >= 0);
    REQUIRE(v <= 3);
    ++count[static_cast<std::size_t>(v)];
  }
  // Points 1..64 of the sequence: 0..63 form a (0,6,1)-net, and point 64 (x1 = 1/128) takes the
  // origin's place in the first quarter, so each integer gets 16.
  CHECK(count == std::vector<int>{16, 16, 16, 16});
}

// ---- Sobol --------------------------------------------------------------------------------------

TEST_CASE("sobol: the first points of dimensions 1-3 are the published ones", "[design]") {
  const Design d = generated(R"({"type": "sobol", "samples": 8, "parameters": {
      "a": {"min": 0, "max": 1}, "b": {"min": 0, "max": 1}, "c": {"min": 0, "max": 1}}})");
  // Points 1..8 of the sequence (point 0, the origin, is skipped); dimension 1 is van der Corput.
  const std::vector<std::vector<double>> expected = {
      {0.5, 0.5, 0.5},       {0.75, 0.25, 0.25},      {0.25, 0.75, 0.75},
      {0.375, 0.375, 0.625}, {0.875, 0.875, 0.125},   {0.625, 0.125, 0.875},
      {0.125, 0.625, 0.375}, {0.1875, 0.3125, 0.9375}};
  for (std::size_t j = 0; j < 8; ++j) CHECK(d.unit[j] == expected[j]);
  CHECK(d.points[0] == expected[0]);
}

TEST_CASE("sobol: every one of the 40 dimensions is a (0,m,1)-net for 2^m points", "[design]") {
  // 20 parameters use all 40 dimensions: A holds 1..20 and B 21..40. With N = 2^m - 1 rows (and
  // the skipped origin) each of the 2^m intervals [i/2^m, (i+1)/2^m) holds exactly one point:
  // every interval but the first has one row.
  const int m = 10;
  const std::size_t n = (std::size_t{1} << m) - 1;
  std::string params;
  for (int i = 0; i < 20; ++i)
    params += (i ? ", " : "") + std::string("\"p") + std::to_string(i + 10) +
              "\": {\"min\": 0, \"max\": 1}";
  const Design d = generated(R"({"type": "sobol", "samples": )" + std::to_string(n) +
                             R"(, "parameters": {)" + params + "}}");
  REQUIRE(d.unit.size() == n * 22);
  for (int mm = 1; mm <= m; ++mm) {
    const std::size_t rows = (std::size_t{1} << mm) - 1;
    for (std::size_t dim = 0; dim < 40; ++dim) {
      const std::size_t block = dim < 20 ? 0 : n;
      const std::size_t col = dim % 20;
      std::vector<int> hits(rows + 1, 0);
      for (std::size_t j = 0; j < rows; ++j)
        ++hits[static_cast<std::size_t>(std::ldexp(d.unit[block + j][col], mm))];
      INFO("dimension " << dim + 1 << ", m = " << mm);
      CHECK(hits[0] == 0);
      CHECK(std::count(hits.begin() + 1, hits.end(), 1) == static_cast<long>(rows));
    }
  }
}

TEST_CASE("sobol: two-dimensional projections of the first dimensions are uniform nets",
          "[design]") {
  // Dimensions 1-6 (A: 1-3, B: 4-6), 2^m points with the origin added back. Dimensions (1, 2)
  // form a (0, m, 2)-net; Joe & Kuo chose their direction numbers to keep the t-values of all
  // two-dimensional projections small. A wrong table entry shows up as a larger t-value.
  const int m = 10;
  const std::size_t n = (std::size_t{1} << m) - 1;
  const Design d = generated(R"({"type": "sobol", "samples": 1023, "parameters": {
      "a": {"min": 0, "max": 1}, "b": {"min": 0, "max": 1}, "c": {"min": 0, "max": 1}}})");
  auto column = [&](std::size_t dim) {
    std::vector<double> v = {0.0};  // the origin
    const std::size_t block = dim < 3 ? 0 : n;
    for (std::size_t j = 0; j < n; ++j) v.push_back(d.unit[block + j][dim % 3]);
    return v;
  };
  CHECK(net_t_value(column(0), column(1), m) == 0);
  for (std::size_t a = 0; a < 6; ++a)
    for (std::size_t b = a + 1; b < 6; ++b) {
      const int t = net_t_value(column(a), column(b), m);
      INFO("dimensions " << a + 1 << " and " << b + 1 << ": t = " << t);
      CHECK(t <= 3);
    }
  // All 780 pairs of the 40 dimensions: measured t <= 6 at m = 10 (most pairs 1-3); a guard
  // against a mistyped direction number, which typically breaks a projection badly.
  {
    std::string params;
    for (int i = 0; i < 20; ++i)
      params += (i ? ", " : "") + std::string("\"p") + std::to_string(i + 10) +
                "\": {\"min\": 0, \"max\": 1}";
    const Design w =
        generated(R"({"type": "sobol", "samples": 1023, "parameters": {)" + params + "}}");
    auto col = [&](std::size_t dim) {
      std::vector<double> v = {0.0};
      const std::size_t block = dim < 20 ? 0 : n;
      for (std::size_t j = 0; j < n; ++j) v.push_back(w.unit[block + j][dim % 20]);
      return v;
    };
    int worst_all = 0;
    for (std::size_t a = 0; a < 40; ++a)
      for (std::size_t b = a + 1; b < 40; ++b)
        worst_all = std::max(worst_all, net_t_value(col(a), col(b), m));
    CHECK(worst_all <= 6);
  }
  // Uniformity in the plain sense too: a 16 x 16 grid over the pairs of dimensions 1-6 holds
  // 4 points per cell (1024 / 256) within +-2.
  for (std::size_t a = 0; a < 6; ++a)
    for (std::size_t b = a + 1; b < 6; ++b) {
      const auto x = column(a), y = column(b);
      std::vector<int> cells(256, 0);
      for (std::size_t i = 0; i < x.size(); ++i)
        ++cells[static_cast<std::size_t>(x[i] * 16) * 16 + static_cast<std::size_t>(y[i] * 16)];
      const auto [lo, hi] = std::minmax_element(cells.begin(), cells.end());
      INFO("dimensions " << a + 1 << " and " << b + 1);
      CHECK(*lo >= 2);
      CHECK(*hi <= 6);
    }
}

TEST_CASE("sobol: Saltelli layout A, B, AB_1..AB_k with AB_i = A except column i from B",
          "[design]") {
  const std::int64_t N = 16;
  const Design d = generated(R"({"type": "sobol", "samples": 16, "parameters": {
      "a": {"min": 0, "max": 10}, "b": {"min": -1, "max": 1}, "c": {"min": 0, "max": 1},
      "d": {"min": 5, "max": 6}}})");
  const std::size_t n = N, k = 4;
  REQUIRE(d.points.size() == n * (k + 2));
  REQUIRE(d.unit.size() == n * (k + 2));
  for (std::size_t j = 0; j < n; ++j) {
    const auto& A = d.unit[j];
    const auto& B = d.unit[n + j];
    for (std::size_t i = 0; i < k; ++i) {
      const auto& AB = d.unit[(2 + i) * n + j];
      for (std::size_t c = 0; c < k; ++c) CHECK(AB[c] == (c == i ? B[c] : A[c]));
      const auto& P = d.points[(2 + i) * n + j];
      CHECK(P[i] == d.points[n + j][i]);
    }
  }
  CHECK(d.points[0][0] == Approx(10.0 * d.unit[0][0]));
  CHECK(d.points[0][1] == Approx(-1.0 + 2.0 * d.unit[0][1]));
}

TEST_CASE("sobol indices of the Ishigami function match the analytic values", "[design]") {
  const Design d = generated(R"({"type": "sobol", "samples": 8192, "parameters": {
      "x1": {"min": -3.141592653589793, "max": 3.141592653589793},
      "x2": {"min": -3.141592653589793, "max": 3.141592653589793},
      "x3": {"min": -3.141592653589793, "max": 3.141592653589793}}})");
  const std::vector<double> y = evaluate(d, ishigami);
  const SobolIndices s = sobol_indices(y, 8192, 3, 500, 42);
  const Analytic exact = ishigami_indices();
  CHECK(exact.S1[0] == Approx(0.3139).margin(5e-5));
  CHECK(exact.S1[1] == Approx(0.4424).margin(5e-5));
  CHECK(exact.ST[0] == Approx(0.5576).margin(5e-5));
  CHECK(exact.ST[2] == Approx(0.2437).margin(5e-5));
  for (std::size_t i = 0; i < 3; ++i) {
    INFO("x" << i + 1 << ": S1 = " << s.S1[i] << " +- " << s.S1_conf[i] << " (exact " << exact.S1[i]
             << "), ST = " << s.ST[i] << " +- " << s.ST_conf[i] << " (exact " << exact.ST[i]
             << ")");
    CHECK(std::fabs(s.S1[i] - exact.S1[i]) < 0.03);
    CHECK(std::fabs(s.ST[i] - exact.ST[i]) < 0.03);
    // The 95% bootstrap intervals cover the analytic values and are informative.
    CHECK(std::fabs(s.S1[i] - exact.S1[i]) <= s.S1_conf[i]);
    CHECK(std::fabs(s.ST[i] - exact.ST[i]) <= s.ST_conf[i]);
    CHECK(s.S1_conf[i] > 0.0);
    CHECK(s.S1_conf[i] < 0.1);
    CHECK(s.ST_conf[i] > 0.0);
    CHECK(s.ST_conf[i] < 0.1);
  }
  // Deterministic in the bootstrap seed.
  const SobolIndices again = sobol_indices(y, 8192, 3, 500, 42);
  CHECK(again.S1_conf == s.S1_conf);
  CHECK(again.ST == s.ST);
}

TEST_CASE("sobol indices: failed runs drop their rows, sizes are checked", "[design]") {
  const Design d = generated(R"({"type": "sobol", "samples": 4096, "parameters": {
      "x1": {"min": -3.141592653589793, "max": 3.141592653589793},
      "x2": {"min": -3.141592653589793, "max": 3.141592653589793},
      "x3": {"min": -3.141592653589793, "max": 3.141592653589793}}})");
  std::vector<double> y = evaluate(d, ishigami);
  const SobolIndices clean = sobol_indices(y, 4096, 3, 0, 1);
  CHECK(std::isnan(clean.S1_conf[0]));                         // no bootstrap asked for
  y[5] = std::numeric_limits<double>::quiet_NaN();             // A row 5
  y[4 * 4096 + 77] = std::numeric_limits<double>::infinity();  // AB_2 row 77
  const SobolIndices s = sobol_indices(y, 4096, 3, 0, 1);
  const Analytic exact = ishigami_indices();
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(std::isfinite(s.S1[i]));
    CHECK(std::fabs(s.ST[i] - exact.ST[i]) < 0.04);
    CHECK(std::fabs(s.S1[i] - clean.S1[i]) < 0.01);
  }
  CHECK_THROWS_AS(sobol_indices(std::vector<double>(11, 1.0), 2, 3, 10, 1), std::invalid_argument);
  // Constant outputs: no variance to apportion.
  const SobolIndices flat = sobol_indices(std::vector<double>(10, 1.0), 2, 3, 10, 1);
  CHECK(std::isnan(flat.S1[0]));
}

// ---- Morris -------------------------------------------------------------------------------------

TEST_CASE("morris: r trajectories of k + 1 points, one factor moving by delta per step",
          "[design]") {
  const Design d = generated(R"({"type": "morris", "trajectories": 30, "levels": 6,
      "parameters": {"a": {"min": 0, "max": 1}, "b": {"min": 0, "max": 2}, "c": {"min": 5, "max": 9}}})");
  const std::size_t k = 3, r = 30;
  const double delta = 6.0 / (2.0 * 5.0);  // p / (2 (p - 1))
  REQUIRE(d.unit.size() == r * (k + 1));
  REQUIRE(d.points.size() == r * (k + 1));
  std::set<int> seen_levels;
  for (std::size_t t = 0; t < r; ++t) {
    std::vector<int> moved(k, 0);
    for (std::size_t s = 0; s <= k; ++s) {
      const auto& u = d.unit[t * (k + 1) + s];
      for (double x : u) {
        const double level = x * 5.0;  // levels 0, 1/5, ..., 1
        REQUIRE(std::fabs(level - std::round(level)) < 1e-12);
        seen_levels.insert(static_cast<int>(std::lround(level)));
      }
      if (s == 0) continue;
      const auto& prev = d.unit[t * (k + 1) + s - 1];
      int changed = 0;
      for (std::size_t i = 0; i < k; ++i)
        if (u[i] != prev[i]) {
          ++changed;
          ++moved[i];
          CHECK(std::fabs(std::fabs(u[i] - prev[i]) - delta) < 1e-12);
        }
      CHECK(changed == 1);
    }
    CHECK(moved == std::vector<int>(k, 1));
  }
  CHECK(seen_levels.size() == 6);
  CHECK(d.points[0][2] == Approx(5.0 + 4.0 * d.unit[0][2]));
}

TEST_CASE("morris indices of a linear function are its coefficients", "[design]") {
  const Design d = generated(R"({"type": "morris", "trajectories": 20, "levels": 4,
      "parameters": {"x1": {"min": 10, "max": 20}, "x2": {"min": 0, "max": 1}}})");
  // f = 2 x1 + 0 x2 in unit coordinates: every elementary effect of x1 is 2, of x2 is 0.
  std::vector<double> yu;
  for (const auto& u : d.unit) yu.push_back(2.0 * u[0] + 0.0 * u[1]);
  const MorrisIndices mu = morris_indices(yu, d);
  CHECK(mu.mu_star[0] == Approx(2.0));
  CHECK(mu.mu[0] == Approx(2.0));
  CHECK(mu.sigma[0] == Approx(0.0).margin(1e-12));
  CHECK(mu.mu_star[1] == 0.0);
  CHECK(mu.sigma[1] == 0.0);
  // The same function of the scaled value x1 in [10, 20]: effects per unit range, 2 (20 - 10).
  std::vector<double> yx;
  for (const auto& p : d.points) yx.push_back(2.0 * p[0]);
  CHECK(morris_indices(yx, d).mu_star[0] == Approx(20.0));
  // A decreasing function: mu = mu* in size, opposite sign.
  std::vector<double> yd;
  for (const auto& u : d.unit) yd.push_back(-3.0 * u[1]);
  const MorrisIndices md = morris_indices(yd, d);
  CHECK(md.mu[1] == Approx(-3.0));
  CHECK(md.mu_star[1] == Approx(3.0));
  CHECK_THROWS_AS(morris_indices(std::vector<double>(5, 0.0), d), std::invalid_argument);
}

TEST_CASE("morris on Ishigami: x3 matters (mu* > 0) although its effects cancel (mu ~ 0)",
          "[design]") {
  const Design d = generated(R"({"type": "morris", "trajectories": 200, "levels": 4,
      "parameters": {"x1": {"min": -3.141592653589793, "max": 3.141592653589793},
                     "x2": {"min": -3.141592653589793, "max": 3.141592653589793},
                     "x3": {"min": -3.141592653589793, "max": 3.141592653589793}}})",
                             5);
  const MorrisIndices m = morris_indices(evaluate(d, ishigami), d);
  INFO("mu = " << m.mu[0] << ", " << m.mu[1] << ", " << m.mu[2] << "; mu* = " << m.mu_star[0]
               << ", " << m.mu_star[1] << ", " << m.mu_star[2]);
  CHECK(m.mu_star[2] > 1.0);
  CHECK(std::fabs(m.mu[2]) < 0.3 * m.mu_star[2]);
  CHECK(m.sigma[2] > m.mu_star[2] * 0.5);  // strongly interacting (with x1)
  // x2: sin^2 is even, so its effects cancel too; x1 is the one with a clear mean effect.
  CHECK(m.mu_star[0] > 1.0);
  CHECK(m.mu_star[1] > 1.0);
}

// ---- replicate noise ----------------------------------------------------------------------------

TEST_CASE("replicate noise share: within-point variance over total, by hand", "[design]") {
  // {1,3}, {5,7}: point means 2, 6; MS_within = 4/2 = 2; MS_between = 2*(4+4)/1 = 16;
  // between component (16 - 2)/2 = 7; share 2/9.
  CHECK(replicate_noise_share({{1, 3}, {5, 7}}) == Approx(2.0 / 9.0));
  // Unbalanced {0,2}, {4,6,8}: means 1, 6, grand 4; SS_w = 2 + 8 = 10 on 3 df -> 10/3;
  // SS_b = 2*9 + 3*4 = 30 on 1 df; n0 = 5 - (4 + 9)/5 = 2.4; between = (30 - 10/3)/2.4 = 100/9;
  // share = (10/3) / (10/3 + 100/9) = 3/13.
  CHECK(replicate_noise_share({{0, 2}, {4, 6, 8}}) == Approx(3.0 / 13.0));
  // No noise: 0. No parameter effect: all of it is noise.
  CHECK(replicate_noise_share({{1, 1}, {3, 3}}) == 0.0);
  CHECK(replicate_noise_share({{1, 2, 3}, {1, 2, 3}}) == Approx(1.0));
  CHECK(replicate_noise_share({{2, 2}, {2, 2}}) == 0.0);
  // Failed runs (NaN) are left out.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK(replicate_noise_share({{1, nan, 3}, {5, 7}}) == Approx(2.0 / 9.0));
  // One replicate per point: noise cannot be told from parameters.
  CHECK(std::isnan(replicate_noise_share({{1}, {2}})));
}

// ---- names and parse errors ---------------------------------------------------------------------

TEST_CASE("design type names", "[design]") {
  CHECK(design_type_name(DesignType::grid) == "grid");
  CHECK(design_type_name(DesignType::random) == "random");
  CHECK(design_type_name(DesignType::lhs) == "lhs");
  CHECK(design_type_name(DesignType::sobol) == "sobol");
  CHECK(design_type_name(DesignType::morris) == "morris");
  const Design m =
      parse(R"({"type": "morris", "trajectories": 3, "parameters": {"a": {"min": 0, "max": 1}}})");
  CHECK(m.levels == 4);  // the default
  CHECK(m.trajectories == 3);
  CHECK(parse(R"({"type": "lhs", "samples": 10.0, "parameters": {"a": {"min": 0, "max": 1}}})")
            .samples == 10);
}

TEST_CASE("design errors name the file, the JSON path, what was expected and found", "[design]") {
  struct Case {
    const char* text;
    std::vector<std::string> parts;
    std::vector<std::string> ints = {};
  };
  const std::vector<Case> cases = {
      // the design object and its type
      {R"([1, 2])", {"sweep.json: design: expected a design object", "found an array"}},
      {R"({"parameters": {"a": [1]}})", {"design.type", "no `type` key"}},
      {R"({"type": 3, "parameters": {"a": [1]}})", {"design.type", "the integer 3"}},
      {R"({"type": "sobl", "samples": 4, "parameters": {"a": {"min": 0, "max": 1}}})",
       {"design.type", "\"sobol\"", "found \"sobl\"", "did you mean \"sobol\"?"}},
      {R"({"type": "grid", "parameters": {"a": [1]}, "sampels": 3})",
       {"design.sampels", "unknown key `sampels`", "a key of a grid design"}},
      {R"({"type": "lhs", "samples": 4, "sampels": 3, "parameters": {"a": {"min": 0, "max": 1}}})",
       {"design.sampels", "did you mean `samples`?"}},
      {R"({"type": "grid", "samples": 3, "parameters": {"a": [1]}})",
       {"design.samples", "belongs to random, lhs and sobol designs"}},
      {R"({"type": "sobol", "samples": 4, "levels": 4, "parameters": {"a": {"min": 0, "max": 1}}})",
       {"design.levels", "belongs to morris designs"}},
      // parameters
      {R"({"type": "grid"})", {"design.parameters", "no `parameters` key"}},
      {R"({"type": "grid", "parameters": [1]})", {"design.parameters", "found an array"}},
      {R"({"type": "grid", "parameters": {}})",
       {"design.parameters", "at least one parameter", "found an empty object"}},
      {R"({"type": "grid", "parameters": {"": [1]}})", {"design.parameters.", "an empty key"}},
      // grid values
      {R"({"type": "grid", "parameters": {"environment.turnover": []}})",
       {"design.parameters.environment.turnover", "non-empty array", "found an empty array"}},
      {R"({"type": "grid", "parameters": {"environment.turnover": [0, "x"]}})",
       {"design.parameters.environment.turnover[1]", "expected a number", "a string (\"x\")"}},
      {R"({"type": "grid", "parameters": {"environment.turnover": 0.1}})",
       {"design.parameters.environment.turnover", "found the number 0.1"}},
      {R"({"type": "grid", "parameters": {"a": [1, 2, 1]}})",
       {"design.parameters.a[2]", "distinct values", "also at [0]"}},
      {R"({"type": "grid", "parameters": {"n": [1, 2.5]}})",
       {"design.parameters.n[1]", "an integer (`n` is an integer parameter)", "2.5"},
       {"n"}},
      {R"({"type": "grid", "parameters": {"a": {"min": 0, "max": 1}}})",
       {"design.parameters.a.num", "no `num` key"}},
      {R"({"type": "grid", "parameters": {"a": {"min": 0, "max": 1, "num": 0}}})",
       {"design.parameters.a.num", ">= 1", "found 0"}},
      {R"({"type": "grid", "parameters": {"a": {"min": 0, "max": 1, "num": 2.5}}})",
       {"design.parameters.a.num", "found 2.5"}},
      {R"({"type": "grid", "parameters": {"a": {"min": 0, "max": 1, "num": 1000000000}}})",
       {"design.parameters.a.num", "at most 10^8 values", "found 1000000000"}},
      {R"({"type": "grid", "parameters": {"a": {"min": 2, "max": 1, "num": 3}}})",
       {"design.parameters.a.max", ">= min (2)", "found 1"}},
      {R"({"type": "grid", "parameters": {"a": {"min": 1, "max": 1, "num": 3}}})",
       {"design.parameters.a.max", "> min (1) when num >= 2"}},
      // One value cannot span min to max (it used to give [min] and drop max silently).
      {R"({"type": "grid", "parameters": {"a": {"min": 0, "max": 0.02, "num": 1}}})",
       {"design.parameters.a.num", "expected an integer number of values >= 2",
        "max (0.02) differs from min (0)", "found 1", "a list of one value, [0]", "num >= 2"}},
      {R"({"type": "grid", "parameters": {"a": {"min": 0, "max": 1, "nmu": 3}}})",
       {"design.parameters.a.nmu", "did you mean `num`?"}},
      {R"({"type": "grid", "parameters": {"n": {"min": 0, "max": 3, "num": 5}}})",
       {"design.parameters.n.num", "at most 4 values", "found 5"},
       {"n"}},
      {R"({"type": "grid", "parameters": {"n": {"min": 0.5, "max": 3, "num": 2}}})",
       {"design.parameters.n.min", "an integer", "0.5"},
       {"n"}},
      // sampled ranges
      {R"({"type": "lhs", "samples": 4, "parameters": {"a": [1, 2]}})",
       {"design.parameters.a", "a range {\"min\": a, \"max\": b}", "found an array",
        "lists of values are for grid designs; an lhs design samples a range"}},
      {R"({"type": "random", "samples": 4, "parameters": {"a": {"min": 0}}})",
       {"design.parameters.a.max", "no `max` key"}},
      {R"({"type": "random", "samples": 4, "parameters": {"a": {"min": 0, "max": 1, "num": 3}}})",
       {"design.parameters.a.num", "unknown key `num`", "belongs to grid designs"}},
      {R"({"type": "sobol", "samples": 4, "parameters": {"environment.turnover": {"min": 0.2, "max": 0.1}}})",
       {"sweep.json: design.parameters.environment.turnover.max",
        "expected a number greater than min (0.2)", "found 0.1"}},
      {R"({"type": "sobol", "samples": 4, "parameters": {"a": {"min": 0.2, "max": 0.2}}})",
       {"design.parameters.a.max", "a fixed value belongs in the scenario"}},
      {R"({"type": "lhs", "samples": 4, "parameters": {"a": {"min": "0", "max": 1}}})",
       {"design.parameters.a.min", "a number", "a string (\"0\")"}},
      {R"({"type": "lhs", "samples": 4, "parameters": {"n": {"min": 0, "max": 2.5}}})",
       {"design.parameters.n.max", "an integer (`n` is an integer parameter)"},
       {"n"}},
      // counts
      {R"({"type": "lhs", "parameters": {"a": {"min": 0, "max": 1}}})",
       {"design.samples", "no `samples` key"}},
      {R"({"type": "random", "samples": 0, "parameters": {"a": {"min": 0, "max": 1}}})",
       {"design.samples", ">= 1", "found 0"}},
      {R"({"type": "sobol", "samples": -4, "parameters": {"a": {"min": 0, "max": 1}}})",
       {"design.samples", "found -4"}},
      {R"({"type": "random", "samples": "10", "parameters": {"a": {"min": 0, "max": 1}}})",
       {"design.samples", "a string (\"10\")"}},
      {R"({"type": "morris", "parameters": {"a": {"min": 0, "max": 1}}})",
       {"design.trajectories", "no `trajectories` key"}},
      {R"({"type": "morris", "trajectories": 0, "parameters": {"a": {"min": 0, "max": 1}}})",
       {"design.trajectories", ">= 1", "found 0"}},
      {R"({"type": "morris", "trajectories": 4, "levels": 5, "parameters": {"a": {"min": 0, "max": 1}}})",
       {"design.levels", "an even integer number of levels >= 2", "found 5"}},
      {R"({"type": "morris", "trajectories": 4, "levels": 0, "parameters": {"a": {"min": 0, "max": 1}}})",
       {"design.levels", "found 0"}},
      // size limits
      {R"({"type": "random", "samples": 100000001, "parameters": {"a": {"min": 0, "max": 1}}})",
       {"sweep.json: design: expected at most 10^8 design points", "100000001 points"}},
      {R"({"type": "sobol", "samples": 20000000, "parameters": {"a": {"min": 0, "max": 1},
           "b": {"min": 0, "max": 1}, "c": {"min": 0, "max": 1}, "d": {"min": 0, "max": 1}}})",
       {"design: expected at most 10^8 design points", "120000000 points",
        "samples x (4 parameters + 2)"}},
      {R"({"type": "grid", "parameters": {"a": {"min": 0, "max": 1, "num": 10000},
           "b": {"min": 0, "max": 1, "num": 10001}}})",
       {"at most 10^8 design points", "100010000 points"}},
  };
  for (const auto& c : cases) {
    const std::string e = error_of(c.text, c.ints);
    INFO(c.text << "\n  -> " << e);
    CHECK_THAT(e, Contains("sweep.json"));
    for (const auto& part : c.parts) CHECK_THAT(e, Contains(part));
  }

  // More than 20 sobol parameters.
  std::string params;
  for (int i = 0; i < 21; ++i)
    params += (i ? ", " : "") + std::string("\"p") + std::to_string(i + 10) +
              "\": {\"min\": 0, \"max\": 1}";
  const std::string e =
      error_of(R"({"type": "sobol", "samples": 4, "parameters": {)" + params + "}}");
  CHECK_THAT(e, Contains("design.parameters"));
  CHECK_THAT(e, Contains("at most 20 parameters for a sobol design"));
  CHECK_THAT(e, Contains("found 21 parameters"));
}

TEST_CASE("generate_points re-checks hand-built designs", "[design]") {
  Design d;
  d.type = DesignType::sobol;
  d.samples = 8;
  for (int i = 0; i < 21; ++i)
    d.params.push_back({"p" + std::to_string(i), {}, 0.0, 1.0, false, {}});
  CHECK_THROWS_AS(generate_points(d, 1), InputError);
  d.params.resize(2);
  d.samples = 60000000;
  CHECK_THROWS_AS(generate_points(d, 1), InputError);
  d.samples = 0;
  CHECK_THROWS_AS(generate_points(d, 1), InputError);
  d.samples = 4;
  generate_points(d, 1);
  CHECK(d.points.size() == 16);
  Design m;
  m.type = DesignType::morris;
  m.trajectories = 2;
  m.levels = 3;
  m.params.push_back({"a", {}, 0.0, 1.0, false, {}});
  CHECK_THROWS_AS(generate_points(m, 1), InputError);
}

// ---- points -------------------------------------------------------------------------------------

TEST_CASE("points: the listed points in order, repeats allowed, optional per-point seeds",
          "[design][points]") {
  const Design d = generated(R"({"type": "points",
                                 "parameters": {"b": [1, 2, 2, 7], "a": [0.5, 0.25, 0.25, 0]},
                                 "seeds": [9, 8, 18446744073709551615, 9]})",
                             1, {"b"});
  CHECK(design_type_name(d.type) == "points");
  REQUIRE(d.points.size() == 4);
  CHECK(d.points[0] == std::vector<double>{0.5, 1});  // parameters by key: a, b
  CHECK(d.points[1] == std::vector<double>{0.25, 2});
  CHECK(d.points[2] == d.points[1]);
  CHECK(d.points[3] == std::vector<double>{0, 7});
  CHECK(d.unit.empty());
  CHECK(d.point_seeds == std::vector<std::uint64_t>{9, 8, 18446744073709551615ULL, 9});
  CHECK(d.params[0].min == 0);
  CHECK(d.params[0].max == 0.5);
  // the seed does not matter, and without `seeds` there are no per-point seeds
  const Design e = generated(R"({"type": "points", "parameters": {"a": [0.5, 0.25]}})", 99);
  CHECK(e.points == std::vector<std::vector<double>>{{0.5}, {0.25}});
  CHECK(e.point_seeds.empty());
}

TEST_CASE("points design errors name the path, what was expected and found", "[design][points]") {
  const std::vector<std::pair<const char*, std::vector<std::string>>> cases = {
      {R"({"type": "points", "parameters": {"a": [1, 2], "b": [1]}})",
       {"design.parameters.b", "an array of 2 values", "found an array of 1 values"}},
      {R"({"type": "points", "parameters": {"a": {"min": 0, "max": 1}}})",
       {"design.parameters.a", "one per point", "ranges are for grid and sampled designs"}},
      {R"({"type": "points", "parameters": {"a": []}})", {"design.parameters.a", "an empty array"}},
      {R"({"type": "points", "parameters": {"a": [1, "x"]}})",
       {"design.parameters.a[1]", "an integer", "a string"}},
      {R"({"type": "points", "parameters": {"a": [1, 2.5]}})",
       {"design.parameters.a[1]", "an integer", "2.5"}},
      {R"({"type": "points", "samples": 3, "parameters": {"a": [1]}})",
       {"design.samples", "belongs to random, lhs and sobol designs"}},
      {R"({"type": "points", "parameters": {"a": [1, 2]}, "seeds": [1]})",
       {"design.seeds", "an array of 2 non-negative integer seeds", "found an array of 1 values"}},
      {R"({"type": "points", "parameters": {"a": [1, 2]}, "seeds": [1, -4]})",
       {"design.seeds[1]", "non-negative integer seeds", "-4"}},
      {R"({"type": "points", "parameters": {"a": [1, 2]}, "seeds": [1, 2.5]})",
       {"design.seeds[1]", "non-negative integer seeds", "2.5"}},
      {R"({"type": "grid", "parameters": {"a": [1, 2]}, "seeds": [1, 2]})",
       {"design.seeds", "belongs to points designs"}},
  };
  for (const auto& [text, parts] : cases) {
    INFO(text);
    const std::string msg = error_of(text, {"a"});
    CHECK_THAT(msg, Contains("sweep.json"));
    for (const auto& p : parts) CHECK_THAT(msg, Contains(p));
  }
}

// ---- a varied parameter's value (the sweep sets it, orgsim rerun sets it again from the file) --

TEST_CASE("varied_value: a number, an integer key, a choice's index, and a bad index refused",
          "[design][choice]") {
  const std::vector<json> none;
  // A number stays the number, bit for bit.
  const json turnover = varied_value("environment.turnover", 0.0125, false, none, "f.h5");
  REQUIRE(turnover.is_number_float());
  CHECK(turnover.get<double>() == 0.0125);
  // An integer key is set as an integer (a sampled 41.6 rounds to 42).
  const json size = varied_value("population.size", 41.6, true, none, "f.h5");
  REQUIRE(size.is_number_integer());
  CHECK(size.get<std::int64_t>() == 42);
  CHECK(varied_value("population.size", 300.0, true, none, "f.h5") == json(300));
  // A choice: the column's index names the level; booleans stay booleans.
  const std::vector<json> strategies = {"relationship_first", "big_messaging"};
  CHECK(varied_value("campaign.strategy", 0.0, false, strategies, "f.h5") ==
        json("relationship_first"));
  CHECK(varied_value("campaign.strategy", 1.0, false, strategies, "f.h5") ==
        json("big_messaging"));
  CHECK(varied_value("x.switch", 1.0, false, {false, true}, "f.h5") == json(true));
  // The DesignParam form reads the same fields.
  DesignParam p;
  p.key = "campaign.strategy";
  p.levels = strategies;
  CHECK(varied_value(p, 1.0, "s.json") == json("big_messaging"));
  // An index that is not a whole number inside the levels: an InputError naming the file, the
  // key, the levels expected and the value found.
  for (const double bad : {2.0, -1.0, 0.5, std::numeric_limits<double>::quiet_NaN()}) {
    INFO(bad);
    try {
      varied_value("campaign.strategy", bad, false, strategies, "f.h5", "for run 7");
      FAIL("no error for index " << bad);
    } catch (const InputError& e) {
      CHECK(e.file() == "f.h5");
      CHECK(e.where() == "campaign.strategy");
      CHECK_THAT(e.expected(), Contains(R"(["relationship_first","big_messaging"])") &&
                                   Contains("a whole number in [0, 1]"));
      CHECK_THAT(e.found(), Contains("for run 7"));
    }
  }
  CHECK_THROWS_AS(varied_value(p, 2.0, "s.json"), InputError);
}

TEST_CASE("levels_from_text: the levels attribute read back, anything but an array refused",
          "[design][choice]") {
  CHECK(levels_from_text("", "f.h5", "k").empty());  // a number: no levels
  CHECK(levels_from_text(R"(["relationship_first","big_messaging"])", "f.h5", "k") ==
        std::vector<json>{"relationship_first", "big_messaging"});
  CHECK(levels_from_text("[false,true]", "f.h5", "k") == std::vector<json>{false, true});
  for (const char* bad : {"[relationship_first", "{\"a\": 1}", "[]", "[1, 2]"}) {
    INFO(bad);
    try {
      levels_from_text(bad, "f.h5", "campaign.strategy");
      FAIL("no error for " << bad);
    } catch (const InputError& e) {
      CHECK(e.file() == "f.h5");
      CHECK(e.where() == "campaign.strategy");
      CHECK_THAT(e.found(), Contains(bad));
    }
  }
}
