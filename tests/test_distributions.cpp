// Distributions: parsing and validation (every rule produces an InputError naming the file, the
// JSON path and the offending value), statistical checks of the draws against theory (within
// 4 standard errors over 10^5 draws), the deterministic kinds exactly, and reproducibility.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "core/rng.hpp"
#include "core/specfun.hpp"
#include "model/distributions.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using nlohmann::json;
using namespace orgsim;

namespace {

const Range kUnit{0.0, 1.0};
const Range kUnbounded{};
const std::string kFile = "scenario.json";
const std::string kPath = "population.threshold";

Distribution parse(const std::string& text, Range range = kUnit) {
  return parse_distribution(json::parse(text), kFile, kPath, range);
}

struct Moments {
  double mean = 0.0, var = 0.0, m4 = 0.0;  // sample mean, variance, 4th central moment
};

template <class T>
Moments moments(const std::vector<T>& xs) {
  Moments m;
  const double n = static_cast<double>(xs.size());
  for (T x : xs) m.mean += static_cast<double>(x);
  m.mean /= n;
  for (T x : xs) {
    const double d = static_cast<double>(x) - m.mean;
    m.var += d * d;
    m.m4 += d * d * d * d;
  }
  m.var /= n - 1.0;
  m.m4 /= n;
  return m;
}

/// Sample mean and variance within 4 standard errors of the theoretical values. The standard
/// error of the sample variance is sqrt((mu4 - sigma^4) / n), with mu4 estimated.
template <class T>
void check_moments(const std::vector<T>& xs, double mean, double var) {
  const Moments m = moments(xs);
  const double n = static_cast<double>(xs.size());
  const double se_mean = std::sqrt(var / n);
  const double se_var = std::sqrt(std::max(m.m4 - var * var, 0.0) / n);
  INFO("sample mean " << m.mean << " vs " << mean << " (se " << se_mean << "); sample variance "
                      << m.var << " vs " << var << " (se " << se_var << ")");
  CHECK(std::fabs(m.mean - mean) <= 4.0 * se_mean);
  CHECK(std::fabs(m.var - var) <= 4.0 * se_var);
}

double phi(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * 3.14159265358979323846); }

/// Mean and variance of N(mean, sd) clipped to [lo, hi] (point masses at the bounds).
std::pair<double, double> clipped_normal_moments(double mean, double sd, double lo, double hi) {
  const double a = (lo - mean) / sd, b = (hi - mean) / sd;
  const double pa = normal_cdf(a), qb = normal_cdf(-b), mid = 1.0 - pa - qb;
  // Moments of the middle part: integral of (mean + sd z)^k phi(z) over [a, b].
  const double m1 = mean * mid + sd * (phi(a) - phi(b));
  const double m2 = mean * mean * mid + 2.0 * mean * sd * (phi(a) - phi(b)) +
                    sd * sd * (mid + a * phi(a) - b * phi(b));
  const double e1 = lo * pa + hi * qb + m1;
  const double e2 = lo * lo * pa + hi * hi * qb + m2;
  return {e1, e2 - e1 * e1};
}

std::vector<float> draws(const Distribution& d, std::uint64_t seed, std::size_t n,
                         Range range = kUnit) {
  Rng rng(seed);
  std::vector<float> out(n);
  draw_values(d, rng, out, range);
  return out;
}

constexpr std::size_t kDraws = 100000;

}  // namespace

// ---------------------------------------------------------------------------------------------
// Parsing

TEST_CASE("parse_distribution reads every kind", "[distributions]") {
  const Distribution c = parse(R"({"distribution": "constant", "value": 0.18})");
  CHECK(c.kind == DistKind::constant);
  CHECK(c.value == 0.18);

  const Distribution u = parse(R"({"distribution": "uniform", "min": 0.1, "max": 0.4})");
  CHECK(u.kind == DistKind::uniform);
  CHECK(u.min == 0.1);
  CHECK(u.max == 0.4);

  const Distribution n = parse(R"({"distribution": "normal", "mean": 0.3, "sd": 0.1})");
  CHECK(n.kind == DistKind::normal);
  CHECK(n.mean == 0.3);
  CHECK(n.sd == 0.1);
  CHECK_FALSE(n.has_min);
  CHECK_FALSE(n.has_max);
  const Distribution nc =
      parse(R"({"distribution": "normal", "mean": 0.3, "sd": 0.1, "min": 0.05})");
  CHECK(nc.has_min);
  CHECK(nc.min == 0.05);
  CHECK_FALSE(nc.has_max);

  const Distribution b = parse(R"({"distribution": "beta", "a": 2, "b": 5})");
  CHECK(b.kind == DistKind::beta);
  CHECK(b.a == 2.0);
  CHECK(b.b == 5.0);

  const Distribution q =
      parse(R"({"distribution": "quantiles", "of": {"distribution": "beta", "a": 2, "b": 5}})");
  CHECK(q.kind == DistKind::quantiles);
  REQUIRE(q.of);
  CHECK(q.of->kind == DistKind::beta);
  CHECK(q.population_level());

  const Distribution l = parse(R"({"distribution": "linspace", "from": 0.9, "to": 0.1})");
  CHECK(l.kind == DistKind::linspace);
  CHECK(l.from == 0.9);
  CHECK(l.to == 0.1);

  const Distribution v = parse(R"({"distribution": "values", "values": [0, 0.5, 1]})");
  CHECK(v.kind == DistKind::values);
  CHECK(v.values == std::vector<double>{0.0, 0.5, 1.0});
  CHECK(v.population_level());

  // A normal without min/max is allowed in a bounded range: it is clipped to the range.
  CHECK_NOTHROW(parse(R"({"distribution": "normal", "mean": 0.5, "sd": 2})"));
  // Degenerate but valid: sd = 0, min = max.
  CHECK_NOTHROW(parse(R"({"distribution": "normal", "mean": 0.5, "sd": 0})"));
  CHECK_NOTHROW(parse(R"({"distribution": "uniform", "min": 0.5, "max": 0.5})"));
}

namespace {

struct BadInput {
  std::string json_text;
  std::string where;   // the exact JSON path reported
  std::string found;   // text that must appear (the offending value)
  std::string extra;   // further text that must appear (expectation or hint); may be empty
  Range range = kUnit;
};

}  // namespace

TEST_CASE("parse_distribution rejects bad input with file, path and value", "[distributions]") {
  const std::string kinds = "constant, uniform, normal, beta, quantiles, linspace or values";
  const std::vector<BadInput> cases = {
      // Shape of the object.
      {R"(0.5)", kPath, "0.5", "distribution object"},
      {R"([1, 2])", kPath, "array [1,2]", "distribution object"},
      {R"({"value": 0.5})", kPath, R"({"value":0.5})", kinds},
      {R"({"distribtion": "constant", "value": 0.5})", kPath, "distribtion",
       "did you mean `distribution`"},
      {R"({"distribution": 3, "value": 0.5})", kPath + ".distribution", "3", kinds},
      {R"({"distribution": "nromal", "mean": 0, "sd": 1})", kPath + ".distribution",
       R"("nromal")", "did you mean `normal`"},
      {R"({"distribution": "gaussian", "mean": 0, "sd": 1})", kPath + ".distribution",
       R"("gaussian")", "did you mean `normal`"},
      {R"({"distribution": "poisson", "lambda": 2})", kPath + ".distribution", R"("poisson")",
       kinds},
      // Keys.
      {R"({"distribution": "normal", "mu": 0.3, "sd": 0.1})", kPath + ".mu", "0.3",
       "did you mean `mean`"},
      {R"({"distribution": "normal", "mean": 0.3, "sigma": 0.1})", kPath + ".sigma", "0.1",
       "did you mean `sd`"},
      {R"({"distribution": "normal", "mean": 0.3, "sdd": 0.1})", kPath + ".sdd", "0.1",
       "did you mean `sd`"},
      {R"({"distribution": "beta", "a": 2, "b": 5, "max": 0.9})", kPath + ".max", "0.9",
       "uniform or normal"},
      {R"({"distribution": "linspace", "from": 0, "to": 1, "step": 0.1})", kPath + ".step",
       "0.1", "from"},
      {R"({"distribution": "uniform", "min": 0.2})", kPath + ".max", R"({"distribution")",
       "needs min and max"},
      {R"({"distribution": "normal", "sd": 0.1})", kPath + ".mean", "sd", "needs mean and sd"},
      {R"({"distribution": "quantiles"})", kPath + ".of", "quantiles", "the key `of`"},
      // Types.
      {R"({"distribution": "constant", "value": "0.5"})", kPath + ".value", R"(string "0.5")",
       "a number"},
      {R"({"distribution": "constant", "value": true})", kPath + ".value", "boolean true",
       "a number"},
      {R"({"distribution": "constant", "value": null})", kPath + ".value", "null", "a number"},
      {R"({"distribution": "uniform", "min": [0], "max": 1})", kPath + ".min", "[0]",
       "a number"},
      // Values.
      {R"({"distribution": "normal", "mean": 0.3, "sd": -0.1})", kPath + ".sd", "-0.1", ">= 0"},
      {R"({"distribution": "uniform", "min": 0.8, "max": 0.2})", kPath + ".max", "0.2", "min"},
      {R"({"distribution": "normal", "mean": 0.5, "sd": 0.1, "min": 0.7, "max": 0.3})",
       kPath + ".max", "0.3", "min"},
      {R"({"distribution": "beta", "a": 0, "b": 5})", kPath + ".a", "0", "> 0"},
      {R"({"distribution": "beta", "a": 2, "b": -1})", kPath + ".b", "-1", "> 0"},
      {R"({"distribution": "values", "values": []})", kPath + ".values", "[]", "non-empty"},
      {R"({"distribution": "values", "values": 0.5})", kPath + ".values", "0.5", "array"},
      {R"({"distribution": "values", "values": [0.1, "x", 0.3]})", kPath + ".values[1]",
       R"(string "x")", "a number"},
      // Range: every value the distribution can produce must lie in the range.
      {R"({"distribution": "constant", "value": 1.5})", kPath + ".value", "1.5", "[0, 1]"},
      {R"({"distribution": "uniform", "min": -0.1, "max": 0.5})", kPath + ".min", "-0.1",
       "[0, 1]"},
      {R"({"distribution": "uniform", "min": 0.1, "max": 2})", kPath + ".max", "2", "[0, 1]"},
      {R"({"distribution": "linspace", "from": 0, "to": 1.25})", kPath + ".to", "1.25",
       "[0, 1]"},
      {R"({"distribution": "values", "values": [0.1, 0.2, 0.3, 1.7]})", kPath + ".values[3]",
       "1.7", "[0, 1]"},
      {R"({"distribution": "normal", "mean": 0.5, "sd": 0.1, "min": -1})", kPath + ".min", "-1",
       "[0, 1]"},
      {R"({"distribution": "normal", "mean": 0.5, "sd": 0.1, "max": 3})", kPath + ".max", "3",
       "[0, 1]"},
      {R"({"distribution": "beta", "a": 2, "b": 5})", kPath, R"("a":2)", "[0, 1]",
       Range{0.0, 0.5}},
      {R"({"distribution": "constant", "value": -3})", kPath + ".value", "-3", "[-2, 2]",
       Range{-2.0, 2.0}},
      // Quantiles: of a per-agent kind only, validated recursively at <path>.of.
      {R"({"distribution": "quantiles", "of": {"distribution": "linspace", "from": 0, "to": 1}})",
       kPath + ".of.distribution", R"("linspace")", "constant, uniform, normal or beta"},
      {R"({"distribution": "quantiles", "of": {"distribution": "quantiles", "of": {}}})",
       kPath + ".of.distribution", R"("quantiles")", "not defined"},
      {R"({"distribution": "quantiles", "of": {"distribution": "values", "values": [1]}})",
       kPath + ".of.distribution", R"("values")", "not defined"},
      {R"({"distribution": "quantiles", "of": {"distribution": "normal", "mean": 0, "sd": -1}})",
       kPath + ".of.sd", "-1", ">= 0"},
      {R"({"distribution": "quantiles", "of": {"distribution": "normal", "mu": 0, "sd": 1}})",
       kPath + ".of.mu", "0", "did you mean `mean`"},
      {R"({"distribution": "quantiles", "of": {"distribution": "uniform", "min": 0, "max": 4}})",
       kPath + ".of.max", "4", "[0, 1]"},
      {R"({"distribution": "quantiles", "of": 0.5})", kPath + ".of", "0.5",
       "distribution object"},
  };
  for (const auto& c : cases) {
    INFO("input: " << c.json_text);
    bool threw = false;
    try {
      parse(c.json_text, c.range);
    } catch (const InputError& e) {
      threw = true;
      const std::string what = e.what();
      INFO("message: " << what);
      CHECK(e.file() == kFile);
      CHECK(e.where() == c.where);
      CHECK_THAT(what, Contains(kFile));
      CHECK_THAT(what, Contains(c.where));
      CHECK_THAT(what, Contains(c.found));
      if (!c.extra.empty()) CHECK_THAT(what, Contains(c.extra));
    }
    CHECK(threw);
  }
}

TEST_CASE("parse_distribution rejects non-finite numbers", "[distributions]") {
  json j = {{"distribution", "constant"}, {"value", std::nan("")}};
  CHECK_THROWS_WITH(parse_distribution(j, kFile, kPath, kUnbounded),
                    Contains("population.threshold.value") && Contains("finite"));
  j["value"] = HUGE_VAL;
  CHECK_THROWS_WITH(parse_distribution(j, kFile, kPath, kUnbounded),
                    Contains("population.threshold.value") && Contains("finite"));
}

TEST_CASE("parse_distribution paths start at the given path", "[distributions]") {
  // At the document root the path is the bare key.
  CHECK_THROWS_WITH(
      parse_distribution(json::parse(R"({"distribution": "constant", "value": 2})"), kFile, "",
                         kUnit),
      Contains("scenario.json: value:"));
  CHECK_THROWS_WITH(
      parse_distribution(json::parse(R"({"distribution": "constant", "value": 2})"), kFile,
                         "trust.initial", kUnit),
      Contains("scenario.json: trust.initial.value:"));
}

// ---------------------------------------------------------------------------------------------
// Draws against theory

TEST_CASE("constant fills exactly and uses no randomness", "[distributions]") {
  const Distribution d = parse(R"({"distribution": "constant", "value": 0.18})");
  Rng rng(7), untouched(7);
  std::vector<float> out(1000, -1.0f);
  draw_values(d, rng, out, kUnit);
  CHECK(std::all_of(out.begin(), out.end(), [](float x) { return x == 0.18f; }));
  CHECK(rng.next_u64() == untouched.next_u64());
  CHECK(draw_one(d, rng, kUnit) == 0.18);
  CHECK(distribution_mean(d, 1000, kUnit) == 0.18);
  CHECK(quantile(d, 0.3, kUnit) == 0.18);
}

TEST_CASE("uniform draws match mean and variance", "[distributions]") {
  const Distribution d = parse(R"({"distribution": "uniform", "min": 0.2, "max": 0.9})");
  const auto xs = draws(d, 11, kDraws);
  CHECK(*std::min_element(xs.begin(), xs.end()) >= 0.2f);
  CHECK(*std::max_element(xs.begin(), xs.end()) <= 0.9f);
  check_moments(xs, 0.55, 0.7 * 0.7 / 12.0);
  CHECK_THAT(distribution_mean(d, 0, kUnit), WithinRel(0.55, 1e-15));
  CHECK_THAT(quantile(d, 0.25, kUnit), WithinRel(0.375, 1e-15));
}

TEST_CASE("normal draws match mean and variance", "[distributions]") {
  const Distribution d = parse(R"({"distribution": "normal", "mean": -1.5, "sd": 2.5})",
                               kUnbounded);
  const auto xs = draws(d, 12, kDraws, kUnbounded);
  check_moments(xs, -1.5, 6.25);
  CHECK_THAT(distribution_mean(d, 0, kUnbounded), WithinRel(-1.5, 1e-15));
  CHECK_THAT(quantile(d, 0.975, kUnbounded), WithinRel(-1.5 + 2.5 * 1.959963984540054, 1e-15));
}

TEST_CASE("clipped normal: moments, point masses at the bounds, analytic mean",
          "[distributions]") {
  SECTION("explicit min and max") {
    const Distribution d =
        parse(R"({"distribution": "normal", "mean": 0.3, "sd": 0.3, "min": 0.1, "max": 0.8})");
    const auto [mean, var] = clipped_normal_moments(0.3, 0.3, 0.1, 0.8);
    const auto xs = draws(d, 13, kDraws);
    check_moments(xs, mean, var);
    CHECK_THAT(distribution_mean(d, 0, kUnit), WithinAbs(mean, 1e-15));
    // Mass at each bound: Phi(alpha) and 1 - Phi(beta), within 4 binomial standard errors.
    Rng rng(14);
    std::size_t at_lo = 0, at_hi = 0;
    for (std::size_t i = 0; i < kDraws; ++i) {
      const double x = draw_one(d, rng, kUnit);
      REQUIRE(x >= 0.1);
      REQUIRE(x <= 0.8);
      at_lo += x == 0.1;
      at_hi += x == 0.8;
    }
    const double n = static_cast<double>(kDraws);
    const double p_lo = normal_cdf((0.1 - 0.3) / 0.3), p_hi = normal_cdf(-(0.8 - 0.3) / 0.3);
    const auto within_4se = [n](std::size_t hits, double p) {
      return std::fabs(static_cast<double>(hits) / n - p) <= 4.0 * std::sqrt(p * (1 - p) / n);
    };
    CHECK(within_4se(at_lo, p_lo));
    CHECK(within_4se(at_hi, p_hi));
    // Quantiles are clipped too.
    CHECK(quantile(d, 0.01, kUnit) == 0.1);
    CHECK(quantile(d, 0.999, kUnit) == 0.8);
    CHECK_THAT(quantile(d, 0.5, kUnit), WithinAbs(0.3, 1e-15));
  }
  SECTION("without min/max: clipped to the range") {
    const Distribution d = parse(R"({"distribution": "normal", "mean": 0.5, "sd": 0.5})");
    const auto [mean, var] = clipped_normal_moments(0.5, 0.5, 0.0, 1.0);
    const auto xs = draws(d, 15, kDraws);
    CHECK(*std::min_element(xs.begin(), xs.end()) == 0.0f);
    CHECK(*std::max_element(xs.begin(), xs.end()) == 1.0f);
    check_moments(xs, mean, var);
    CHECK_THAT(distribution_mean(d, 0, kUnit), WithinAbs(0.5, 1e-15));
    const double n = static_cast<double>(kDraws);
    const double p_bound = normal_cdf(-1.0);
    for (float bound : {0.0f, 1.0f}) {
      const auto hits = static_cast<double>(std::count(xs.begin(), xs.end(), bound));
      CHECK(std::fabs(hits / n - p_bound) <= 4.0 * std::sqrt(p_bound * (1 - p_bound) / n));
    }
  }
  SECTION("one-sided clip: min given, the range bounds the other side") {
    const Distribution d =
        parse(R"({"distribution": "normal", "mean": 0.9, "sd": 0.2, "min": 0.5})");
    const auto [mean, var] = clipped_normal_moments(0.9, 0.2, 0.5, 1.0);
    check_moments(draws(d, 16, kDraws), mean, var);
    CHECK_THAT(distribution_mean(d, 0, kUnit), WithinAbs(mean, 1e-15));
  }
  SECTION("analytic mean agrees with the mean over many quantiles") {
    const Distribution d =
        parse(R"({"distribution": "normal", "mean": 0.2, "sd": 0.4, "max": 0.6})");
    Distribution q;
    q.kind = DistKind::quantiles;
    q.of = std::make_shared<const Distribution>(d);
    CHECK_THAT(distribution_mean(q, 200000, kUnit),
               WithinAbs(distribution_mean(d, 0, kUnit), 1e-7));
  }
  SECTION("sd = 0 is a point mass at the clipped mean") {
    const Distribution d = parse(R"({"distribution": "normal", "mean": 1.4, "sd": 0})", kUnit);
    Rng rng(1);
    CHECK(draw_one(d, rng, kUnit) == 1.0);
    CHECK(distribution_mean(d, 0, kUnit) == 1.0);
    CHECK(quantile(d, 0.0, kUnit) == 1.0);
  }
}

TEST_CASE("beta draws match mean and variance", "[distributions]") {
  for (const auto& [a, b] : {std::pair{2.0, 5.0}, std::pair{0.5, 0.5}, std::pair{30.0, 4.0}}) {
    INFO("Beta(" << a << ", " << b << ")");
    json j = {{"distribution", "beta"}, {"a", a}, {"b", b}};
    const Distribution d = parse_distribution(j, kFile, kPath, kUnit);
    const double mean = a / (a + b), var = a * b / ((a + b) * (a + b) * (a + b + 1.0));
    const auto xs = draws(d, 17, kDraws);
    CHECK(*std::min_element(xs.begin(), xs.end()) >= 0.0f);
    CHECK(*std::max_element(xs.begin(), xs.end()) <= 1.0f);
    check_moments(xs, mean, var);
    CHECK_THAT(distribution_mean(d, 0, kUnit), WithinRel(mean, 1e-15));
    CHECK_THAT(incomplete_beta(a, b, quantile(d, 0.3, kUnit)), WithinRel(0.3, 1e-12));
  }
}

// ---------------------------------------------------------------------------------------------
// Population-level kinds

TEST_CASE("quantiles place exactly the quantile set, shuffled", "[distributions]") {
  const Distribution d =
      parse(R"({"distribution": "quantiles", "of": {"distribution": "beta", "a": 2, "b": 5}})");
  constexpr std::size_t kN = 1000;
  std::vector<float> expected(kN);
  for (std::size_t i = 0; i < kN; ++i)
    expected[i] = static_cast<float>(
        incomplete_beta_inv(2.0, 5.0, (static_cast<double>(i) + 0.5) / static_cast<double>(kN)));

  const auto a1 = draws(d, 21, kN), a2 = draws(d, 21, kN), b1 = draws(d, 22, kN);
  CHECK(a1 == a2);  // same seed, same order
  CHECK(a1 != b1);  // another seed, another order
  CHECK(a1 != expected);  // shuffled, not in quantile order
  for (auto sorted : {a1, b1}) {
    std::sort(sorted.begin(), sorted.end());
    CHECK(sorted == expected);  // exactly the quantile set
  }
  // The mean is that of the N values they produce.
  double sum = 0.0;
  for (float x : expected) sum += static_cast<double>(x);
  CHECK_THAT(distribution_mean(d, kN, kUnit), WithinAbs(sum / kN, 1e-7));

  SECTION("quantiles of a clipped normal include the bound values") {
    const Distribution qn = parse(R"({"distribution": "quantiles",
        "of": {"distribution": "normal", "mean": 0.2, "sd": 0.2}})");
    auto xs = draws(qn, 23, kN);
    std::sort(xs.begin(), xs.end());
    const auto zeros = std::count(xs.begin(), xs.end(), 0.0f);
    // Quantile (i + 1/2)/N is clipped to 0 while below Phi(-1) = 0.158655: i = 0..158.
    CHECK(zeros == 159);
    CHECK_THAT(static_cast<double>(xs[500]),
               WithinAbs(0.2 + 0.2 * normal_quantile(500.5 / kN), 1e-7));
  }
  SECTION("N = 1 gives the median") {
    CHECK_THAT(static_cast<double>(draws(d, 1, 1)[0]),
               WithinAbs(incomplete_beta_inv(2.0, 5.0, 0.5), 1e-7));
  }
}

TEST_CASE("linspace: in agent order, ends exact", "[distributions]") {
  const Distribution d = parse(R"({"distribution": "linspace", "from": 0.1, "to": 0.7})");
  Rng rng(3), untouched(3);
  std::vector<float> out(7);
  draw_values(d, rng, out, kUnit);
  CHECK(rng.next_u64() == untouched.next_u64());  // deterministic: no draws
  CHECK(out.front() == 0.1f);
  CHECK(out.back() == 0.7f);
  for (std::size_t i = 0; i < out.size(); ++i)
    CHECK_THAT(static_cast<double>(out[i]), WithinAbs(0.1 + 0.1 * static_cast<double>(i), 1e-7));
  CHECK_THAT(distribution_mean(d, 7, kUnit), WithinAbs(0.4, 1e-15));

  // Descending, and a single agent (who gets `from`).
  const Distribution down = parse(R"({"distribution": "linspace", "from": 1, "to": 0})");
  const auto xs = draws(down, 1, 101);
  CHECK(xs.front() == 1.0f);
  CHECK(xs.back() == 0.0f);
  CHECK(std::is_sorted(xs.rbegin(), xs.rend()));
  CHECK(draws(down, 1, 1)[0] == 1.0f);
  CHECK(distribution_mean(down, 1, kUnit) == 1.0);
  CHECK(distribution_mean(down, 101, kUnit) == 0.5);
}

TEST_CASE("values are copied in agent order, the length must match", "[distributions]") {
  const Distribution d = parse(R"({"distribution": "values", "values": [0.25, 1, 0, 0.5]})");
  CHECK(draws(d, 1, 4) == std::vector<float>{0.25f, 1.0f, 0.0f, 0.5f});
  CHECK(distribution_mean(d, 4, kUnit) == 0.4375);
  Rng rng(1);
  std::vector<float> wrong(5);
  CHECK_THROWS_AS(draw_values(d, rng, wrong, kUnit), std::invalid_argument);
  CHECK_THROWS_AS(distribution_mean(d, 3, kUnit), std::invalid_argument);
}

TEST_CASE("population-level kinds cannot be drawn one at a time", "[distributions]") {
  Rng rng(1);
  for (const char* text :
       {R"({"distribution": "values", "values": [0.5]})",
        R"({"distribution": "linspace", "from": 0, "to": 1})",
        R"({"distribution": "quantiles",
            "of": {"distribution": "uniform", "min": 0, "max": 1}})"}) {
    const Distribution d = parse(text);
    CHECK(d.population_level());
    CHECK_THROWS_AS(draw_one(d, rng, kUnit), std::invalid_argument);
    CHECK_THROWS_AS(quantile(d, 0.5, kUnit), std::invalid_argument);
  }
  const Distribution u = parse(R"({"distribution": "uniform", "min": 0, "max": 1})");
  CHECK_FALSE(u.population_level());
  CHECK_THROWS_AS(quantile(u, 1.5, kUnit), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// Reproducibility

TEST_CASE("draws are reproducible from the seed", "[distributions]") {
  for (const char* text :
       {R"({"distribution": "uniform", "min": 0, "max": 1})",
        R"({"distribution": "normal", "mean": 0.4, "sd": 0.3})",
        R"({"distribution": "beta", "a": 0.7, "b": 3})",
        R"({"distribution": "quantiles",
            "of": {"distribution": "normal", "mean": 0.4, "sd": 0.3}})"}) {
    INFO(text);
    const Distribution d = parse(text);
    const auto a = draws(d, 99, 5000), b = draws(d, 99, 5000), c = draws(d, 100, 5000);
    CHECK(a == b);
    CHECK(a != c);
    if (!d.population_level()) {
      // draw_values is draw_one in agent order.
      Rng rng(99);
      std::vector<float> one(5000);
      for (auto& x : one) x = static_cast<float>(draw_one(d, rng, kUnit));
      CHECK(one == a);
    }
  }
}
