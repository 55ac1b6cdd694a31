#include "core/specfun.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

// Special functions with fixed algorithms, so that results do not depend on which statistics
// library (or which version of it) happens to be installed. Only <cmath> primitives are used
// (erfc, exp, log, log1p, lgamma, sqrt); these are accurate to an ulp or so, though not
// guaranteed bit-identical between C libraries.

namespace orgsim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kEps = std::numeric_limits<double>::epsilon();
// Lentz's method: values closer to zero than this are replaced by it (avoids division by zero).
constexpr double kTiny = 1e-300;

/// Horner evaluation of c[0] + c[1] r + ... + c[7] r^7.
double poly7(const double (&c)[8], double r) {
  double s = c[7];
  for (int k = 6; k >= 0; --k) s = s * r + c[k];
  return s;
}

/// Continued fraction for I_x(a, b), evaluated by the modified Lentz method (Lentz 1976,
/// Applied Optics 15(3):668; modification by Thompson & Barnett 1986, J. Comput. Phys. 64:490).
/// The fraction is 1/(1+ d1/(1+ d2/(1+ ...))) with
///   d_{2m+1} = -(a+m)(a+b+m) x / ((a+2m)(a+2m+1)),   d_{2m} = m(b-m) x / ((a+2m-1)(a+2m))
/// (Abramowitz & Stegun 26.5.8). It converges rapidly for x < (a+1)/(a+b+2); the caller uses
/// the symmetry I_x(a,b) = 1 - I_{1-x}(b,a) otherwise. Returns the value of the fraction.
double beta_continued_fraction(double a, double b, double x) {
  constexpr int kMaxIter = 100000;  // convergence takes O(sqrt(max(a, b))) terms
  const double qab = a + b, qap = a + 1.0, qam = a - 1.0;
  double c = 1.0;
  double d = 1.0 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= kMaxIter; ++m) {
    const double dm = static_cast<double>(m);
    const double m2 = 2.0 * dm;
    // Even step.
    double aa = dm * (b - dm) * x / ((qam + m2) * (a + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    h *= d * c;
    // Odd step.
    aa = -(a + dm) * (qab + dm) * x / ((a + m2) * (qap + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) <= kEps) break;
  }
  return h;
}

/// Student's t upper quantile by the Cornish-Fisher expansion in 1/df around the normal
/// quantile z (Abramowitz & Stegun 26.7.5), through the 1/df^4 term. Used only for large df
/// (see student_t_quantile for where it is accurate).
double t_quantile_cornish_fisher(double z, double df) {
  const double z2 = z * z;
  const double g1 = (z2 + 1.0) * z / 4.0;
  const double g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
  const double g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
  const double g4 =
      ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;
  return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
}

}  // namespace

double normal_cdf(double x) {
  // Phi(x) = erfc(-x / sqrt(2)) / 2: accurate in both tails (no cancellation in 1 - ...).
  return 0.5 * std::erfc(-x * 0.70710678118654752440);
}

// Algorithm AS 241, PPND16: Wichura, M. J. (1988), "The percentage points of the normal
// distribution", Applied Statistics 37(3):477-484. Rational minimax approximations in three
// regions: |p - 0.5| <= 0.425 (in r = 0.180625 - q^2), and in the tails, in
// r = sqrt(-log(min(p, 1-p))), for r <= 5 and r > 5. Relative accuracy about 1e-16.
double normal_quantile(double p) {
  if (std::isnan(p) || p < 0.0 || p > 1.0) return kNaN;
  if (p == 0.0) return -kInf;
  if (p == 1.0) return kInf;

  // Central region, |q| <= 0.425.
  static constexpr double A[8] = {3.3871328727963666080e0, 1.3314166789178437745e+2,
                                  1.9715909503065514427e+3, 1.3731693765509461125e+4,
                                  4.5921953931549871457e+4, 6.7265770927008700853e+4,
                                  3.3430575583588128105e+4, 2.5090809287301226727e+3};
  static constexpr double B[8] = {1.0,
                                  4.2313330701600911252e+1, 6.8718700749205790830e+2,
                                  5.3941960214247511077e+3, 2.1213794301586595867e+4,
                                  3.9307895800092710610e+4, 2.8729085735721942674e+4,
                                  5.2264952788528545610e+3};
  // Intermediate tail, r <= 5 (shifted by 1.6).
  static constexpr double C[8] = {1.42343711074968357734e0, 4.63033784615654529590e0,
                                  5.76949722146069140550e0, 3.64784832476320460504e0,
                                  1.27045825245236838258e0, 2.41780725177450611770e-1,
                                  2.27238449892691845833e-2, 7.74545014278341407640e-4};
  static constexpr double D[8] = {1.0,
                                  2.05319162663775882187e0, 1.67638483018380384940e0,
                                  6.89767334985100004550e-1, 1.48103976427480074590e-1,
                                  1.51986665636164571966e-2, 5.47593808499534494600e-4,
                                  1.05075007164441684324e-9};
  // Far tail, r > 5 (shifted by 5).
  static constexpr double E[8] = {6.65790464350110377720e0, 5.46378491116411436990e0,
                                  1.78482653991729133580e0, 2.96560571828504891230e-1,
                                  2.65321895265761230930e-2, 1.24266094738807843860e-3,
                                  2.71155556874348757815e-5, 2.01033439929228813265e-7};
  static constexpr double F[8] = {1.0,
                                  5.99832206555887937690e-1, 1.36929880922735805310e-1,
                                  1.48753612908506148525e-2, 7.86869131145613259100e-4,
                                  1.84631831751005468180e-5, 1.42151175831644588870e-7,
                                  2.04426310338993978564e-15};
  constexpr double kSplit1 = 0.425, kSplit2 = 5.0;
  constexpr double kConst1 = 0.180625;  // kSplit1^2
  constexpr double kConst2 = 1.6;

  const double q = p - 0.5;
  if (std::fabs(q) <= kSplit1) {
    const double r = kConst1 - q * q;
    return q * poly7(A, r) / poly7(B, r);
  }
  double r = q < 0.0 ? p : 1.0 - p;
  r = std::sqrt(-std::log(r));
  double x;
  if (r <= kSplit2) {
    r -= kConst2;
    x = poly7(C, r) / poly7(D, r);
  } else {
    r -= kSplit2;
    x = poly7(E, r) / poly7(F, r);
  }
  return q < 0.0 ? -x : x;
}

namespace {

/// Stirling-series remainder lgamma(z) - [(z - 1/2) ln z - z + ln(2 pi)/2] for z >= 10
/// (terms B_2k / (2k (2k-1) z^(2k-1)), k = 1..8; the first omitted term is below 1e-18).
double stirling_remainder(double z) {
  const double r = 1.0 / z, r2 = r * r;
  return r * (1.0 / 12.0 +
              r2 * (-1.0 / 360.0 +
                    r2 * (1.0 / 1260.0 +
                          r2 * (-1.0 / 1680.0 +
                                r2 * (1.0 / 1188.0 +
                                      r2 * (-691.0 / 360360.0 +
                                            r2 * (1.0 / 156.0 + r2 * (-3617.0 / 122400.0))))))));
}

/// Both tails of the regularised incomplete beta, with their logarithms (which do not
/// underflow however small the tail).
struct BetaTails {
  double lower, upper;          // I_x(a, b) and 1 - I_x(a, b)
  double log_lower, log_upper;  // their logarithms
};

/// I_x(a, b) and its complement from both x and y = 1 - x (the caller supplies whichever it
/// knows exactly, the other may be rounded), each without cancellation. Requires a, b > 0 and
/// 0 < x, y < 1; `lb` is log_beta(a, b) (passed in: the inverse evaluates this many times for
/// fixed a, b).
BetaTails beta_tails(double a, double b, double x, double y, double lb) {
  // Prefactor x^a y^b / B(a, b), in logs; each log taken from the more accurate argument.
  const double lx = x <= 0.5 ? std::log(x) : std::log1p(-y);
  const double ly = y <= 0.5 ? std::log(y) : std::log1p(-x);
  const double log_front = a * lx + b * ly - lb;
  // The continued fraction converges quickly only for x < (a+1)/(a+b+2); beyond it, use the
  // symmetry I_x(a, b) = 1 - I_y(b, a).
  BetaTails t{};
  if (x < (a + 1.0) / (a + b + 2.0)) {
    t.log_lower = std::min(log_front + std::log(beta_continued_fraction(a, b, x) / a), 0.0);
    t.lower = std::exp(t.log_lower);
    t.upper = 1.0 - t.lower;
    t.log_upper = std::log1p(-t.lower);
  } else {
    t.log_upper = std::min(log_front + std::log(beta_continued_fraction(b, a, y) / b), 0.0);
    t.upper = std::exp(t.log_upper);
    t.lower = 1.0 - t.upper;
    t.log_lower = std::log1p(-t.upper);
  }
  return t;
}

/// Solves I_x(a, b) = p for x, where q = 1 - p is also given exactly, and x is expected to be
/// the smaller of x and 1 - x (so that it is found to full relative precision); x0 is the
/// starting value.
///
/// Newton's method on the log of the smaller tail, f(x) = log I_x - log p for p <= 1/2 and
/// log q - log(1 - I_x) above (increasing in x either way): in logs, Newton converges in a few
/// steps even where the tail behaves like a steep power of x (e.g. x^20000), and tails far
/// below the smallest double are handled. A bracket [lo, hi] always contains the root; a step
/// that leaves it is retried as a Newton step in log x (exact for power laws, never negative),
/// else replaced by a bisection, geometric when the bracket spans orders of magnitude.
double ibeta_inv_lower(double a, double b, double p, double q, double x0) {
  constexpr int kMaxIter = 1000;
  const double lb = log_beta(a, b);
  const bool use_lower = p <= 0.5;
  const double log_target = std::log(use_lower ? p : q);
  double lo = 0.0, hi = 1.0;
  double x = (x0 > 0.0 && x0 < 1.0) ? x0 : 0.5;
  for (int it = 0; it < kMaxIter; ++it) {
    if (!(x > 0.0)) return 0.0;  // bisected to zero: the root is below the smallest double
    const BetaTails t = beta_tails(a, b, x, 1.0 - x, lb);
    const double log_tail = use_lower ? t.log_lower : t.log_upper;
    const double f = use_lower ? log_tail - log_target : log_target - log_tail;
    if (f == 0.0) return x;
    if (f < 0.0)
      lo = x;
    else
      hi = x;
    // f'(x) = density / tail.
    const double log_pdf = (a - 1.0) * std::log(x) + (b - 1.0) * std::log1p(-x) - lb;
    const double slope = std::exp(log_pdf - log_tail);
    double xn = x - f / slope;
    if (!(xn > lo && xn < hi)) {
      const double xl = x * std::exp(-f / (x * slope));
      if (xl > lo && xl < hi)
        xn = xl;
      else if (lo > 0.0 && hi > 16.0 * lo)
        xn = std::sqrt(lo * hi);
      else if (lo == 0.0)
        xn = hi * 0.0625;
      else
        xn = 0.5 * (lo + hi);
    }
    const double step = std::fabs(xn - x);
    x = xn;
    // Converged when the step (after which Newton's error is far smaller), or the bracket, is
    // an ulp or two of x: relative precision, so the promised absolute 1e-12 follows. In the
    // subnormal range, where relative precision is unreachable, the iteration ends when x
    // stops moving.
    if (step <= 2.0 * kEps * x || hi - lo <= 4.0 * kEps * lo) break;
  }
  return x;
}

/// Solves I_x(a, b) = p with q = 1 - p exact; returns x and stores y = 1 - x, the smaller of
/// the two found to full relative precision.
double ibeta_inv_pair(double a, double b, double p, double q, double* y_out) {
  // Starting value, as the pair (x0, y0) so that the small one is not rounded away.
  double x0, y0;
  if (a >= 1.0 && b >= 1.0) {
    // Normal approximation, Abramowitz & Stegun 26.5.22 (u: the upper normal quantile of p).
    const double u = p <= 0.5 ? -normal_quantile(p) : normal_quantile(q);
    const double lambda = (u * u - 3.0) / 6.0;
    const double h = 2.0 / (1.0 / (2.0 * a - 1.0) + 1.0 / (2.0 * b - 1.0));
    const double w = u * std::sqrt(h + lambda) / h -
                     (1.0 / (2.0 * b - 1.0) - 1.0 / (2.0 * a - 1.0)) *
                         (lambda + 5.0 / 6.0 - 2.0 / (3.0 * h));
    // x0 = a / (a + b e^{2w}), y0 = b e^{2w} / (a + b e^{2w}), in a form that cannot overflow.
    const double lr = std::log(b / a) + 2.0 * w;  // log(b e^{2w} / a)
    if (lr > 0.0) {
      const double e = std::exp(-lr);
      x0 = e / (1.0 + e);
      y0 = 1.0 / (1.0 + e);
    } else {
      const double e = std::exp(lr);
      x0 = 1.0 / (1.0 + e);
      y0 = e / (1.0 + e);
    }
  } else {
    // Tail approximations I_x ~ x^a / (a B') near 0 and 1 - I_x ~ y^b / (b B') near 1, split
    // where each tail holds its share of the mass (Press et al., Numerical Recipes, 3rd ed.,
    // sec. 6.14.2).
    const double lab = std::log(a + b);
    const double t = std::exp(a * (std::log(a) - lab)) / a;
    const double u = std::exp(b * (std::log(b) - lab)) / b;
    const double w = t + u;
    if (p < t / w) {
      x0 = std::exp(std::log(a * w * p) / a);
      y0 = 1.0 - x0;
    } else {
      y0 = std::exp(std::log(b * w * q) / b);
      x0 = 1.0 - y0;
    }
  }
  // Solve for the smaller of x and y, using I_x(a, b) = p  <=>  I_y(b, a) = q.
  if (x0 <= 0.5) {
    const double x = ibeta_inv_lower(a, b, p, q, std::max(x0, std::numeric_limits<double>::min()));
    *y_out = 1.0 - x;
    return x;
  }
  const double y = ibeta_inv_lower(b, a, q, p, std::max(y0, std::numeric_limits<double>::min()));
  *y_out = y;
  return 1.0 - y;
}

}  // namespace

double log_beta(double a, double b) {
  const double s = std::min(a, b), l = std::max(a, b);
  if (!(s > 0.0)) return kNaN;
  if (l < 10.0) return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
  // For a large argument, lgamma(l) - lgamma(l + s) cancels badly in double precision (the
  // terms grow like l ln l). Write it with Stirling's series so that only O(s) terms remain.
  if (s < 10.0) {
    return std::lgamma(s) - (l - 0.5) * std::log1p(s / l) - s * std::log(s + l) + s +
           stirling_remainder(l) - stirling_remainder(l + s);
  }
  constexpr double kHalfLog2Pi = 0.91893853320467274178;
  const double sum = a + b;
  return kHalfLog2Pi + (a - 0.5) * std::log(a / sum) + (b - 0.5) * std::log(b / sum) -
         0.5 * std::log(sum) + stirling_remainder(a) + stirling_remainder(b) -
         stirling_remainder(sum);
}

double incomplete_beta(double a, double b, double x) {
  if (std::isnan(a) || std::isnan(b) || std::isnan(x) || a <= 0.0 || b <= 0.0) return kNaN;
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  return beta_tails(a, b, x, 1.0 - x, log_beta(a, b)).lower;
}

double incomplete_beta_inv(double a, double b, double p) {
  if (std::isnan(a) || std::isnan(b) || std::isnan(p) || a <= 0.0 || b <= 0.0 || p < 0.0 ||
      p > 1.0)
    return kNaN;
  if (p == 0.0) return 0.0;
  if (p == 1.0) return 1.0;
  double y = 0.0;
  return std::clamp(ibeta_inv_pair(a, b, p, 1.0 - p, &y), 0.0, 1.0);
}

double student_t_quantile(double p, double df) {
  if (std::isnan(p) || std::isnan(df) || df <= 0.0 || p < 0.0 || p > 1.0) return kNaN;
  if (p == 0.0) return -kInf;
  if (p == 1.0) return kInf;
  if (p == 0.5) return 0.0;
  const bool lower = p < 0.5;
  const double q = lower ? p : 1.0 - p;  // upper-tail probability, < 1/2 (exact for p >= 1/2)
  double t;
  if (std::isinf(df)) {
    t = -normal_quantile(q);
  } else if (const double z = -normal_quantile(q); df >= 1e5 || (df >= 1e4 && z <= 7.0)) {
    // The expansion's truncation error is O(z^11 / df^5): at most ~1e-14 relative in this
    // region (checked against 40-digit arithmetic), where the beta route below would lose
    // digits (for large df it evaluates the tail I_x at x = 1 - y rounded near 1, a relative
    // error of about eps * df / t^2).
    t = t_quantile_cornish_fisher(z, df);
  } else {
    // P(|T| > t) = I_x(df/2, 1/2) with x = df / (df + t^2), y = 1 - x = t^2 / (df + t^2)
    // (Abramowitz & Stegun 26.7.1 and 26.5.27). Solve with 2q and 1 - 2q both exact (2q < 1
    // and, for 2q >= 1/2, Sterbenz), getting x and y each to full relative precision, so that
    // t = sqrt(df y / x) keeps its digits also for t near 0.
    const double two_q = 2.0 * q;
    double y = 0.0;
    const double x = ibeta_inv_pair(0.5 * df, 0.5, two_q, 1.0 - two_q, &y);
    t = std::sqrt(df * (y / x));
  }
  return lower ? -t : t;
}

}  // namespace orgsim
