#pragma once
// Random streams owned by the model: no global generator, no clock seeds, no std:: distributions
// (their algorithms differ between standard libraries, which would break bit-reproducibility).
//
// Seed scheme (documented in docs/RANDOMNESS.md and stored in every results file):
//   replicate_seed = mix(mix(master_seed ^ kReplicateSalt) + replicate)
//   stream seed    = mix(mix(replicate_seed ^ kStreamSalt) + stream_id)
// where mix() is the splitmix64 finaliser (Steele, Lea & Flood 2014, "Fast splittable
// pseudorandom number generators", OOPSLA). Every sub-model draws from its own named stream, so
// changing one mechanism never shifts another's draws, and because streams are keyed by the
// replicate (not the arm), replicate k of every arm shares population, network, climate and
// turnover draws (common random numbers). The generator is xoshiro256** (Blackman & Vigna 2021,
// "Scrambled linear pseudorandom number generators", ACM TOMS 47(4)), seeded by running splitmix64
// from the stream seed.
#include <cmath>
#include <cstdint>
#include <limits>
#include <unordered_set>
#include <vector>

namespace orgsim {

/// splitmix64 finaliser: a bijective 64-bit mixing function.
constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

inline constexpr std::uint64_t kReplicateSalt = 0x6f726773696d5250ULL;  // "orgsimRP"
inline constexpr std::uint64_t kStreamSalt = 0x6f726773696d5354ULL;     // "orgsimST"

/// The seed shared by every run of replicate `replicate` (in every arm) under `master_seed`.
constexpr std::uint64_t replicate_seed(std::uint64_t master_seed, std::uint64_t replicate) noexcept {
  return mix64(mix64(master_seed ^ kReplicateSalt) + replicate);
}

/// One named stream per sub-model. Values are part of the reproducibility contract: never
/// renumber; add new streams at the end.
enum class Stream : std::uint64_t {
  population = 1,   // per-agent initial draws (thresholds, grievance, ...)
  network = 2,      // graph generation
  trust = 3,        // initial trust on ties
  climate = 4,      // grievance climate shocks
  turnover = 5,     // who leaves each step, and the new hires' draws
  seeds = 6,        // action seed sets
  participation = 7,// contagion and broadcast draws, sequential update orders
  campaign = 8,     // organizing work (targeting, outcomes)
  employer = 9,     // retaliation, reversals
};

constexpr std::uint64_t stream_seed(std::uint64_t rep_seed, Stream s) noexcept {
  return mix64(mix64(rep_seed ^ kStreamSalt) + static_cast<std::uint64_t>(s));
}

/// xoshiro256** with our own, fixed algorithms for every distribution we draw from.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) noexcept {
    std::uint64_t z = seed;
    for (auto& w : s_) {
      z += 0x9e3779b97f4a7c15ULL;
      w = mix64(z);
    }
  }
  Rng(std::uint64_t rep_seed, Stream s) noexcept : Rng(stream_seed(rep_seed, s)) {}

  std::uint64_t next_u64() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// Uniform in [0, 1) with 53 random bits.
  double uniform() noexcept { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  /// Uniform in (0, 1]: safe to take the log of.
  double uniform_pos() noexcept { return static_cast<double>((next_u64() >> 11) + 1) * 0x1.0p-53; }
  double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }

  /// Uniform integer in [0, n) without modulo bias (Lemire 2019, ACM TOMS 29(1)).
  std::uint64_t below(std::uint64_t n) noexcept {
    if (n <= 1) return 0;
    std::uint64_t x = next_u64();
    __uint128_t m = static_cast<__uint128_t>(x) * n;
    auto l = static_cast<std::uint64_t>(m);
    if (l < n) {
      const std::uint64_t t = (0 - n) % n;
      while (l < t) {
        x = next_u64();
        m = static_cast<__uint128_t>(x) * n;
        l = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }

  bool bernoulli(double p) noexcept { return uniform() < p; }

  /// Standard normal by the Marsaglia polar method (one value cached).
  double normal() noexcept {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u, v, s;
    do {
      u = 2.0 * uniform() - 1.0;
      v = 2.0 * uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double f = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * f;
    has_spare_ = true;
    return u * f;
  }
  double normal(double mean, double sd) noexcept { return mean + sd * normal(); }

  /// Gamma(shape, 1) by Marsaglia & Tsang (2000), ACM TOMS 26(3); shape < 1 via the boost
  /// U^(1/shape) (their section 6).
  double gamma(double shape) noexcept {
    if (shape < 1.0) {
      const double u = uniform_pos();
      return gamma(shape + 1.0) * std::pow(u, 1.0 / shape);
    }
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x, v;
      do {
        x = normal();
        v = 1.0 + c * x;
      } while (v <= 0.0);
      v = v * v * v;
      const double u = uniform_pos();
      if (u < 1.0 - 0.0331 * (x * x) * (x * x)) return d * v;
      if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
    }
  }
  /// log of a Gamma(shape, 1) variate; for shape < 1 the boost is applied in logs, so tiny
  /// shapes (whose variates underflow to 0) stay finite.
  double log_gamma_variate(double shape) noexcept {
    if (shape >= 1.0) return std::log(gamma(shape));
    const double g = gamma(shape + 1.0);
    return std::log(g) + std::log(uniform_pos()) / shape;
  }
  /// Beta(a, b) as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b), computed as 1/(1 + exp(lnY - lnX)).
  double beta(double a, double b) noexcept {
    if (a >= 1.0 && b >= 1.0) {
      const double x = gamma(a);
      const double y = gamma(b);
      return x / (x + y);
    }
    const double lx = log_gamma_variate(a);
    const double ly = log_gamma_variate(b);
    return 1.0 / (1.0 + std::exp(ly - lx));
  }
  /// Number of failures before the first success, p in (0, 1]: floor(log U / log(1-p)).
  std::uint64_t geometric(double p) noexcept {
    if (p >= 1.0) return 0;
    return geometric_log(std::log1p(-p));
  }
  /// geometric(p) given log_q = log1p(-p) (p < 1), computed once by a caller drawing many: the
  /// same operations on the same values, so the same draws.
  std::uint64_t geometric_log(double log_q) noexcept {
    const double g = std::floor(std::log(uniform_pos()) / log_q);
    return g >= 1.8e19 ? std::numeric_limits<std::uint64_t>::max()
                       : static_cast<std::uint64_t>(g);
  }

  /// Fisher-Yates shuffle of a random-access range.
  template <class It>
  void shuffle(It first, It last) noexcept {
    const auto n = static_cast<std::uint64_t>(last - first);
    for (std::uint64_t i = n; i > 1; --i) {
      const std::uint64_t j = below(i);
      std::swap(first[i - 1], first[j]);
    }
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept {
    return (x << k) | (x >> (64 - k));
  }
  std::uint64_t s_[4]{};
  double spare_ = 0.0;
  bool has_spare_ = false;
};

/// k distinct agents of n by Floyd's algorithm, in O(k) and a deterministic order: for
/// j = n - k .. n - 1, t = below(j + 1), or j when t was already taken (one draw per agent).
/// The seeds of an action and the first worker-organizers are chosen so.
inline std::vector<std::int32_t> sample_distinct(Rng& rng, std::int32_t n, std::int64_t k) {
  std::vector<std::int32_t> chosen;
  std::unordered_set<std::int32_t> taken;
  for (std::int64_t j = n - k; j < n; ++j) {
    auto t = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(j + 1)));
    if (taken.count(t)) t = static_cast<std::int32_t>(j);
    taken.insert(t);
    chosen.push_back(t);
  }
  return chosen;
}

}  // namespace orgsim
