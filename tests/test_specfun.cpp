// Special functions: known values (reference values to 20 digits from mpmath at 40-digit
// precision, or from closed forms), limit cases, symmetries and inverse round trips.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "core/specfun.hpp"

using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using namespace orgsim;

namespace {
constexpr double kPi = 3.14159265358979323846;
const double kInf = std::numeric_limits<double>::infinity();
}  // namespace

TEST_CASE("normal_cdf matches known values", "[specfun]") {
  CHECK(normal_cdf(0.0) == 0.5);
  CHECK_THAT(normal_cdf(1.96), WithinRel(0.97500210485177956379, 1e-15));
  CHECK_THAT(normal_cdf(-1.0), WithinRel(0.15865525393145705141, 1e-14));
  // The lower tail keeps its relative precision (erfc, not 1 - erf).
  CHECK_THAT(normal_cdf(-10.0), WithinRel(7.619853024160526066e-24, 1e-13));
  CHECK(normal_cdf(-kInf) == 0.0);
  CHECK(normal_cdf(kInf) == 1.0);
}

TEST_CASE("normal_quantile (AS 241) matches known values", "[specfun]") {
  CHECK_THAT(normal_quantile(0.975), WithinRel(1.959963984540054, 1e-15));
  CHECK_THAT(normal_quantile(0.025), WithinRel(-1.959963984540054, 1e-15));
  CHECK(normal_quantile(0.5) == 0.0);
  // Far tails (the r > 5 branch of PPND16).
  CHECK_THAT(normal_quantile(1e-20), WithinRel(-9.2623400897984075737, 1e-15));
  CHECK_THAT(normal_quantile(1e-300), WithinRel(-37.047096299361199237, 1e-15));
  // Limits and invalid input.
  CHECK(normal_quantile(0.0) == -kInf);
  CHECK(normal_quantile(1.0) == kInf);
  CHECK(std::isnan(normal_quantile(-0.1)));
  CHECK(std::isnan(normal_quantile(1.1)));
  CHECK(std::isnan(normal_quantile(std::nan(""))));
}

TEST_CASE("normal_quantile inverts normal_cdf in all three regions", "[specfun]") {
  // p over the central region, the intermediate tail and the far tail, on both sides.
  std::vector<double> ps;
  for (int k = 1; k < 100; ++k) ps.push_back(k / 100.0);
  for (int e = 3; e <= 300; e += 3) ps.push_back(std::pow(10.0, -e));
  for (double p : ps) {
    INFO("p = " << p);
    const double z = normal_quantile(p);
    // Phi amplifies a relative error e in z to about z^2 e in p (AS 241 and erfc are each
    // good to a few ulps).
    CHECK_THAT(normal_cdf(z), WithinRel(p, 2e-15 * (1.0 + z * z)));
    // Symmetry, exact where both 1 - p and p - 1/2 are exact (p >= 1/2).
    if (p >= 0.5) CHECK(normal_quantile(1.0 - p) == -z);
  }
  // Monotone across the region boundaries (|p - 0.5| = 0.425 and r = 5).
  double prev = -kInf;
  for (double p = 1e-12; p < 1.0; p *= 1.07) {
    const double z = normal_quantile(p);
    CHECK(z > prev);
    prev = z;
  }
}

TEST_CASE("log_beta matches closed forms and stays accurate for large arguments", "[specfun]") {
  CHECK_THAT(log_beta(1.0, 1.0), WithinAbs(0.0, 1e-15));
  CHECK_THAT(log_beta(2.0, 3.0), WithinRel(std::log(1.0 / 12.0), 1e-14));
  CHECK_THAT(log_beta(0.5, 0.5), WithinRel(std::log(kPi), 1e-14));
  CHECK_THAT(log_beta(1.0, 7.5), WithinRel(-std::log(7.5), 1e-14));
  CHECK(log_beta(3.0, 7.0) == log_beta(7.0, 3.0));
  // One large argument (lgamma(l) - lgamma(l + s) would cancel) and two large arguments.
  CHECK_THAT(log_beta(0.5, 1e6), WithinRel(-6.335390211057436965, 1e-14));
  CHECK_THAT(log_beta(300.0, 700.0), WithinRel(-612.61860379509223359, 1e-14));
  // Continuous across the switch between lgamma and Stirling's series at 10.
  CHECK_THAT(log_beta(2.5, std::nextafter(10.0, 0.0)), WithinRel(log_beta(2.5, 10.0), 1e-13));
  CHECK_THAT(log_beta(std::nextafter(10.0, 0.0), 12.0), WithinRel(log_beta(10.0, 12.0), 1e-13));
  CHECK(std::isnan(log_beta(0.0, 1.0)));
}

TEST_CASE("incomplete_beta matches closed forms", "[specfun]") {
  const std::vector<double> shapes = {0.05, 0.5, 1.0, 2.5, 13.0, 140.0};
  // Dyadic x, so that 1 - x is exact and the symmetry below compares like with like.
  const std::vector<double> xs = {0x1p-27, 0x1p-7, 0.203125, 0.5, 0.765625, 0.9921875,
                                  1.0 - 0x1p-30};
  for (double s : shapes) {
    for (double x : xs) {
      INFO("shape " << s << ", x = " << x);
      // I_x(1, b) = 1 - (1-x)^b and I_x(a, 1) = x^a.
      CHECK_THAT(incomplete_beta(1.0, s, x), WithinRel(-std::expm1(s * std::log1p(-x)), 1e-13));
      CHECK_THAT(incomplete_beta(s, 1.0, x), WithinRel(std::pow(x, s), 1e-12));
      // Symmetry I_x(a, b) = 1 - I_{1-x}(b, a).
      CHECK_THAT(incomplete_beta(s, 3.0, x) + incomplete_beta(3.0, s, 1.0 - x),
                 WithinAbs(1.0, 1e-13));
    }
    // I_{1/2}(a, a) = 1/2.
    CHECK_THAT(incomplete_beta(s, s, 0.5), WithinAbs(0.5, 1e-14));
  }
  // I_x(1/2, 1/2) = (2/pi) asin(sqrt x) = 1 - (2/pi) asin(sqrt(1 - x)), the arcsine
  // distribution (each form used where asin is well conditioned).
  for (double x : xs) {
    const double arcsine = x <= 0.5 ? 2.0 / kPi * std::asin(std::sqrt(x))
                                    : 1.0 - 2.0 / kPi * std::asin(std::sqrt(1.0 - x));
    CHECK_THAT(incomplete_beta(0.5, 0.5, x), WithinRel(arcsine, 1e-13));
  }
  // Values from 40-digit arithmetic.
  CHECK_THAT(incomplete_beta(2.5, 7.2, 0.3), WithinRel(0.65669439180829174009, 1e-14));
  CHECK_THAT(incomplete_beta(50.0, 0.5, 0.999), WithinRel(0.75236901996537668139, 1e-13));
  CHECK_THAT(incomplete_beta(0.1, 1000.0, 0.01), WithinRel(0.9999994720515913847, 1e-14));
  // Limits and invalid input.
  CHECK(incomplete_beta(2.0, 3.0, 0.0) == 0.0);
  CHECK(incomplete_beta(2.0, 3.0, 1.0) == 1.0);
  CHECK(incomplete_beta(2.0, 3.0, -0.5) == 0.0);
  CHECK(std::isnan(incomplete_beta(0.0, 3.0, 0.5)));
  CHECK(std::isnan(incomplete_beta(2.0, -1.0, 0.5)));
}

TEST_CASE("incomplete_beta_inv inverts incomplete_beta, including extreme shapes", "[specfun]") {
  const std::vector<double> shapes = {1e-3, 0.02, 0.3, 1.0, 1.7, 6.0, 45.0, 800.0, 2e4};
  const std::vector<double> ps = {1e-300, 1e-12, 1e-4, 0.02, 0.3, 0.5, 0.71, 0.98,
                                  1.0 - 1e-9, 1.0 - 1e-15};
  for (double a : shapes) {
    for (double b : shapes) {
      for (double p : ps) {
        const double x = incomplete_beta_inv(a, b, p);
        INFO("a = " << a << ", b = " << b << ", p = " << p << ", x = " << x);
        REQUIRE(x >= 0.0);
        REQUIRE(x <= 1.0);
        // x is within 4 ulps of the root: p lies between I at x -+ 4 ulps, up to the rounding
        // of I itself. (This also covers roots that underflow to 0 or round to 1.)
        double below = x, above = x;
        for (int k = 0; k < 4; ++k) {
          below = std::nextafter(below, 0.0);
          above = std::nextafter(above, 1.0);
        }
        const double tol = 1e-11 * std::min(p, 1.0 - p);
        CHECK(incomplete_beta(a, b, below) <= p + tol);
        CHECK(incomplete_beta(a, b, above) >= p - tol);
      }
    }
  }
}

TEST_CASE("incomplete_beta_inv matches closed forms and limits", "[specfun]") {
  for (double s : {0.05, 0.5, 2.0, 30.0}) {
    for (double p : {1e-10, 0.1, 0.5, 0.9, 0.999999}) {
      INFO("shape " << s << ", p = " << p);
      // a = 1: x = 1 - (1-p)^(1/b); b = 1: x = p^(1/a).
      CHECK_THAT(incomplete_beta_inv(1.0, s, p),
                 WithinRel(-std::expm1(std::log1p(-p) / s), 1e-12));
      CHECK_THAT(incomplete_beta_inv(s, 1.0, p), WithinRel(std::pow(p, 1.0 / s), 1e-12));
    }
    CHECK_THAT(incomplete_beta_inv(s, s, 0.5), WithinAbs(0.5, 1e-12));
  }
  CHECK(incomplete_beta_inv(2.0, 3.0, 0.0) == 0.0);
  CHECK(incomplete_beta_inv(2.0, 3.0, 1.0) == 1.0);
  CHECK(incomplete_beta_inv(0.001, 0.001, 0.0) == 0.0);
  CHECK(incomplete_beta_inv(1e5, 1e5, 1.0) == 1.0);
  // Tiny quantiles keep their relative precision: a = 0.01, b = 100, p = 1/2 (40-digit value).
  CHECK_THAT(incomplete_beta_inv(0.01, 100.0, 0.5), WithinRel(4.4877304951360574004e-33, 1e-11));
  // Very concentrated shapes: the median of Beta(1e5, 1e5) is 1/2.
  CHECK_THAT(incomplete_beta_inv(1e5, 1e5, 0.5), WithinAbs(0.5, 1e-12));
  CHECK(std::isnan(incomplete_beta_inv(2.0, 3.0, 1.5)));
  CHECK(std::isnan(incomplete_beta_inv(-2.0, 3.0, 0.5)));
}

TEST_CASE("student_t_quantile matches tables and closed forms", "[specfun]") {
  // Two-sided 95% critical values.
  CHECK_THAT(student_t_quantile(0.975, 1.0), WithinRel(12.706204736, 1e-9));
  CHECK_THAT(student_t_quantile(0.975, 2.0), WithinRel(4.302652730, 1e-9));
  CHECK_THAT(student_t_quantile(0.975, 10.0), WithinRel(2.228138852, 1e-9));
  CHECK_THAT(student_t_quantile(0.975, 30.0), WithinRel(2.042272456, 1e-9));
  // Closed forms: df = 1 (Cauchy) tan(pi (p - 1/2)) = -cot(pi p) = cot(pi (1 - p)) (each
  // where it is well conditioned); df = 2: (2p - 1) / sqrt(2 p (1 - p)).
  for (double p : {1e-12, 1e-4, 0.1, 0.3, 0.49, 0.5000001, 0.8, 0.99, 0.999999}) {
    INFO("p = " << p);
    const double cauchy = std::fabs(p - 0.5) < 0.25 ? std::tan(kPi * (p - 0.5))
                          : p < 0.5                 ? -1.0 / std::tan(kPi * p)
                                                    : 1.0 / std::tan(kPi * (1.0 - p));
    CHECK_THAT(student_t_quantile(p, 1.0), WithinRel(cauchy, 1e-13));
    CHECK_THAT(student_t_quantile(p, 2.0),
               WithinRel((2.0 * p - 1.0) / std::sqrt(2.0 * p * (1.0 - p)), 1e-13));
    // Antisymmetry (with u and 1 - u both exact).
    const double u = std::max(p, 1.0 - p);
    CHECK_THAT(student_t_quantile(u, 7.0), WithinRel(-student_t_quantile(1.0 - u, 7.0), 1e-15));
  }
  CHECK(student_t_quantile(0.5, 3.0) == 0.0);
  CHECK(student_t_quantile(0.0, 3.0) == -kInf);
  CHECK(student_t_quantile(1.0, 3.0) == kInf);
  CHECK(std::isnan(student_t_quantile(0.9, 0.0)));
  CHECK(std::isnan(student_t_quantile(1.2, 5.0)));
}

TEST_CASE("student_t_quantile approaches the normal quantile as df grows", "[specfun]") {
  const double z = normal_quantile(0.975);
  double prev = kInf;
  for (double df : {1.0, 3.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6, 1e8, 1e12}) {
    const double t = student_t_quantile(0.975, df);
    INFO("df = " << df << ", t = " << t);
    CHECK(t < prev);  // decreasing in df
    CHECK(t > z);
    // First-order term of the expansion: t - z ~ (z^3 + z) / (4 df).
    if (df >= 100.0) CHECK_THAT(t - z, WithinRel((z * z * z + z) / (4.0 * df), 0.05));
    prev = t;
  }
  CHECK(student_t_quantile(0.975, kInf) == z);
  // 40-digit reference values on both sides of the switch to the Cornish-Fisher expansion.
  CHECK_THAT(student_t_quantile(0.975, 3000.0), WithinRel(1.9607550553224580733, 1e-13));
  CHECK_THAT(student_t_quantile(0.975, 2e4), WithinRel(1.9600826051581348142, 1e-13));
  CHECK_THAT(student_t_quantile(1e-100, 2e4), WithinRel(-21.394636651281659128, 1e-13));
  CHECK_THAT(student_t_quantile(1e-10, 9e4), WithinRel(-6.3620737067905158374, 1e-13));
}
