#pragma once
// Special functions with fixed, documented algorithms (no dependence on library versions).
namespace orgsim {

/// Standard normal CDF.
double normal_cdf(double x);
/// Inverse standard normal CDF (Wichura 1988, AS 241, PPND16: ~1e-16 relative accuracy).
double normal_quantile(double p);
/// log Beta(a, b).
double log_beta(double a, double b);
/// Regularised incomplete beta I_x(a, b) (continued fraction, Lentz's method).
double incomplete_beta(double a, double b, double x);
/// Inverse of I_x(a, b) in x (bisection-safeguarded Newton; |error| < 1e-12).
double incomplete_beta_inv(double a, double b, double p);
/// Student's t quantile with `df` degrees of freedom (via the incomplete beta inverse).
double student_t_quantile(double p, double df);

}  // namespace orgsim
