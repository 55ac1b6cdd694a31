#include "model/network.hpp"

// Network generators. Every generator draws only from the `rng` it is given (the network stream),
// in a fixed order, so a graph is a pure function of (spec, n, stream state). Time and memory are
// O(n + m) for every generator (m = number of ties); ids are int32, counts and pair indices int64.
//
// Two building blocks keep memory low:
//  - OrderedCsr: when ties arrive in lexicographic order of (larger end, smaller end), appending
//    each tie to both of its rows leaves every row sorted, with no sorting pass. Row i receives
//    its smaller neighbours while the stream is at i (in ascending order) and its larger
//    neighbours afterwards, one per later stream position (again ascending).
//  - TieSet: an open-addressing hash set of tie keys for the duplicate checks of rewiring and of
//    random cross-department ties.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <istream>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "core/errors.hpp"
#include "core/text.hpp"
#include "core/files.hpp"

namespace orgsim {

namespace {

using Tie = std::pair<std::int32_t, std::int32_t>;

/// CSR offsets are int32: a graph holds at most this many directed entries (about 1.07e9 ties).
constexpr std::int64_t kMaxEntries = std::numeric_limits<std::int32_t>::max();

std::string fmt(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

[[noreturn]] void bad_spec(const std::string& key, std::string expected, std::string found,
                           std::string hint = {}) {
  throw InputError("", "network." + key, std::move(expected), std::move(found), std::move(hint));
}

void check_entries(std::int64_t entries, const std::string& key) {
  if (entries > kMaxEntries)
    bad_spec(key, "a network with at most " + std::to_string(kMaxEntries) + " directed tie entries",
             "about " + std::to_string(entries) + " entries",
             "CSR offsets are 32-bit; use a smaller population or fewer ties per agent");
}

/// Canonical key of the undirected tie {u, v}: (larger << 32) | smaller. Keys sort in the
/// (larger end, smaller end) order that OrderedCsr expects.
constexpr std::uint64_t tie_key(std::int32_t u, std::int32_t v) noexcept {
  const auto a = static_cast<std::uint64_t>(static_cast<std::uint32_t>(std::max(u, v)));
  const auto b = static_cast<std::uint64_t>(static_cast<std::uint32_t>(std::min(u, v)));
  return (a << 32) | b;
}
constexpr std::int32_t key_hi(std::uint64_t key) noexcept {
  return static_cast<std::int32_t>(key >> 32);
}
constexpr std::int32_t key_lo(std::uint64_t key) noexcept {
  return static_cast<std::int32_t>(key & 0xffffffffULL);
}

/// Open-addressing hash set of tie keys: linear probing with backward-shift deletion (Knuth,
/// TAOCP vol. 3, section 6.4, Algorithm R), so erasing leaves no tombstones. The capacity is
/// fixed at construction for at most `max_size` keys (load factor <= 1/2).
class TieSet {
 public:
  explicit TieSet(std::size_t max_size) {
    std::size_t cap = 16;
    while (cap < 2 * max_size) cap <<= 1;
    slots_.assign(cap, kEmpty);
    mask_ = cap - 1;
  }
  bool contains(std::uint64_t key) const noexcept {
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      if (slots_[i] == key) return true;
      if (slots_[i] == kEmpty) return false;
    }
  }
  /// False when the key was already present.
  bool insert(std::uint64_t key) noexcept {
    std::size_t i = home(key);
    for (; slots_[i] != kEmpty; i = (i + 1) & mask_)
      if (slots_[i] == key) return false;
    slots_[i] = key;
    return true;
  }
  void erase(std::uint64_t key) noexcept {
    std::size_t hole = home(key);
    while (slots_[hole] != key) {
      if (slots_[hole] == kEmpty) return;
      hole = (hole + 1) & mask_;
    }
    // Move later members of the probe cluster into the hole unless their home slot lies
    // cyclically in (hole, j], where they would no longer be found.
    for (std::size_t j = (hole + 1) & mask_; slots_[j] != kEmpty; j = (j + 1) & mask_) {
      const std::size_t h = home(slots_[j]);
      const bool stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
      if (!stays) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    slots_[hole] = kEmpty;
  }

 private:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};  // never a tie key (ids < 2^31)
  std::size_t home(std::uint64_t key) const noexcept {
    return static_cast<std::size_t>(mix64(key)) & mask_;
  }
  std::vector<std::uint64_t> slots_;
  std::size_t mask_ = 0;
};

/// Two-pass CSR assembly without a stored tie list: count() every tie, allocate(), then place()
/// the same ties again in (larger end, smaller end) lexicographic order; rows come out sorted.
/// Both passes touch the rows of the smaller ends in random order, so ties are handled in small
/// batches whose rows are prefetched first (the cost is memory latency, not arithmetic); the
/// result is the same as placing them one by one.
class OrderedCsr {
 public:
  explicit OrderedCsr(std::int32_t n) : n_(n), cursor_(static_cast<std::size_t>(n), 0) {}

  void count(std::int32_t hi, std::int32_t lo) noexcept {
    push(hi, lo);
    if (len_ == kBatch) flush_count();
  }
  /// After counting: sizes the arrays (throws InputError naming `key` if too large).
  void allocate(const std::string& key) {
    flush_count();
    std::int64_t total = 0;
    for (const std::int32_t d : cursor_) total += d;
    check_entries(total, key);
    net_.n = n_;
    net_.offsets.assign(static_cast<std::size_t>(n_) + 1, 0);
    for (std::int32_t i = 0; i < n_; ++i) {
      net_.offsets[i + 1] = net_.offsets[i] + cursor_[i];
      cursor_[i] = net_.offsets[i];
    }
    net_.neighbors.resize(static_cast<std::size_t>(total));
  }
  /// Tie {hi, lo} with hi > lo; calls must come in ascending (hi, lo) order.
  void place(std::int32_t hi, std::int32_t lo) noexcept {
    push(hi, lo);
    if (len_ == kBatch) flush_place();
  }
  void place_key(std::uint64_t key) noexcept { place(key_hi(key), key_lo(key)); }

  Network finish() {
    flush_place();
    net_.trust.assign(net_.neighbors.size(), std::numeric_limits<float>::quiet_NaN());
    cursor_ = {};
    return std::move(net_);
  }

 private:
  static constexpr int kBatch = 64;
  void push(std::int32_t hi, std::int32_t lo) noexcept {
    hi_[len_] = hi;
    lo_[len_] = lo;
    ++len_;
  }
  void flush_count() noexcept {
    for (int t = 0; t < len_; ++t) __builtin_prefetch(&cursor_[lo_[t]], 1);
    for (int t = 0; t < len_; ++t) {
      ++cursor_[hi_[t]];
      ++cursor_[lo_[t]];
    }
    len_ = 0;
  }
  void flush_place() noexcept {
    std::int32_t* nb = net_.neighbors.data();
    for (int t = 0; t < len_; ++t) __builtin_prefetch(&cursor_[lo_[t]], 1);
    for (int t = 0; t < len_; ++t) {  // positions in stream order (rows may repeat in a batch)
      pos_hi_[t] = cursor_[hi_[t]]++;
      pos_lo_[t] = cursor_[lo_[t]]++;
      __builtin_prefetch(nb + pos_lo_[t], 1);
    }
    for (int t = 0; t < len_; ++t) {
      nb[pos_hi_[t]] = lo_[t];
      nb[pos_lo_[t]] = hi_[t];
    }
    len_ = 0;
  }

  std::int32_t n_;
  std::vector<std::int32_t> cursor_;  // degrees while counting, then fill positions
  Network net_;
  int len_ = 0;
  std::int32_t hi_[kBatch], lo_[kBatch], pos_hi_[kBatch], pos_lo_[kBatch];
};

// ---- Erdős–Rényi G(n, p) --------------------------------------------------------------------

/// Emits the ties of G(n, p) as (v, w), w < v, in lexicographic order (v ascending, then w).
/// Batagelj & Brandes (2005), "Efficient generation of large random networks", Phys. Rev. E 71,
/// 036113, algorithm G(n,p): the candidate pairs are walked in that order and the gap to the next
/// present pair is geometric, floor(log(U) / log(1 - p)), so time is O(n + m), not O(n^2).
template <class Emit>
void gnp_ties(std::int32_t n, double p, Rng& rng, Emit&& emit) {
  if (n < 2 || !(p > 0.0)) return;  // no ties, and no draws
  // A skip past every remaining pair ends the walk; capping it keeps w from overflowing (the
  // inner loop then advances v to n in at most n steps).
  constexpr std::uint64_t kSkipCap = std::uint64_t{1} << 61;
  const std::int64_t nn = n;
  std::int64_t v = 1, w = -1;
  const double log_q = p < 1.0 ? std::log1p(-p) : 0.0;
  while (v < nn) {
    const std::uint64_t skip = std::min(p < 1.0 ? rng.geometric_log(log_q) : 0, kSkipCap);
    w += 1 + static_cast<std::int64_t>(skip);
    while (w >= v && v < nn) {
      w -= v;
      ++v;
    }
    if (v < nn) emit(static_cast<std::int32_t>(v), static_cast<std::int32_t>(w));
  }
}

void check_er_spec(const NetworkSpec& spec, std::int32_t n) {
  const double max_degree = n >= 2 ? double(n - 1) : 0.0;
  if (!(spec.mean_degree >= 0.0 && spec.mean_degree <= max_degree))
    bad_spec("mean_degree", "a mean degree in [0, " + fmt(max_degree) + "] (n - 1 for " +
                                std::to_string(n) + " agents)",
             fmt(spec.mean_degree));
  check_entries(static_cast<std::int64_t>(std::ceil(double(n) * spec.mean_degree)),
                "mean_degree");
}

Network erdos_renyi(const NetworkSpec& spec, std::int32_t n, Rng& rng) {
  check_er_spec(spec, n);
  const double p = n >= 2 ? spec.mean_degree / double(n - 1) : 0.0;

  // One pass draws the ties in (larger end, smaller end) order and counts degrees, keeping only
  // each tie's smaller end (4 bytes a tie, freed before trust is allocated, so the peak stays at
  // the CSR's own 16 bytes a tie) and how many ties each larger end has; the CSR is then filled
  // from that list in the same order. Same ties, same order, same stream state afterwards as
  // drawing them twice, at half the draws.
  OrderedCsr csr(n);
  std::vector<std::int32_t> lo;
  lo.reserve(static_cast<std::size_t>(0.5 * spec.mean_degree * n * 1.01 + 16));
  std::vector<std::int32_t> per_hi(static_cast<std::size_t>(n), 0);
  gnp_ties(n, p, rng, [&](std::int32_t v, std::int32_t w) {
    csr.count(v, w);
    lo.push_back(w);
    ++per_hi[static_cast<std::size_t>(v)];
  });
  csr.allocate("mean_degree");
  std::size_t k = 0;
  for (std::int32_t v = 1; v < n; ++v)
    for (std::int32_t c = per_hi[static_cast<std::size_t>(v)]; c > 0; --c) csr.place(v, lo[k++]);
  lo = {};
  per_hi = {};
  return csr.finish();
}

// ---- ring lattice and rewiring -------------------------------------------------------------

void check_ring_spec(const NetworkSpec& spec, std::int32_t n, RewireMethod method) {
  if (spec.degree < 0 || spec.degree % 2 != 0 || spec.degree >= n)
    bad_spec("degree",
             "an even degree in [0, " + std::to_string(n) + ") (fewer than the " +
                 std::to_string(n) + " agents)",
             std::to_string(spec.degree),
             spec.degree % 2 != 0 ? "each agent is tied to degree/2 neighbours on each side" : "");
  if (!(spec.rewire >= 0.0 && spec.rewire <= 1.0))
    bad_spec("rewire", "a rewiring probability in [0, 1]", fmt(spec.rewire));
  check_entries(std::int64_t(n) * spec.degree, "degree");
  // Swaps need two ties and a lattice that is not complete (rewire_swaps).
  const std::int64_t ties = std::int64_t(n) * (spec.degree / 2);
  if (method == RewireMethod::swap && std::llround(spec.rewire * double(ties) / 2.0) > 0 &&
      (ties < 2 || spec.degree >= n - 1))
    bad_spec("rewire", "a ring lattice that admits degree-preserving swaps, or rewire = 0",
             "rewire " + fmt(spec.rewire) + " on a " +
                 (ties < 2 ? std::string("lattice with fewer than two ties")
                           : std::string("complete lattice (degree = n - 1)")));
}

/// Ties (i, i + j mod n) for j = 1..k/2 (outer), i = 0..n-1 (inner): Watts & Strogatz's laps.
std::vector<Tie> lattice_ties(std::int32_t n, std::int32_t k) {
  std::vector<Tie> ties;
  ties.reserve(static_cast<std::size_t>(std::int64_t(n) * (k / 2)));
  for (std::int32_t j = 1; j <= k / 2; ++j)
    for (std::int32_t i = 0; i < n; ++i)
      ties.emplace_back(i, static_cast<std::int32_t>((std::int64_t(i) + j) % n));
  return ties;
}

/// Watts & Strogatz (1998), "Collective dynamics of 'small-world' networks", Nature 393, 440:
/// lap j = 1..k/2 around the ring, and for each node i in turn the tie (i, i + j) is rewired with
/// probability `rewire`: its far end moves to a node drawn uniformly among those that are not i
/// and not already tied to i (rejection sampling). A node already tied to everyone keeps the tie.
/// Node i keeps its end, so every node retains degree >= k/2; the number of ties is unchanged.
void rewire_endpoints(std::int32_t n, std::int32_t k, double rewire, std::vector<Tie>& ties,
                      Rng& rng) {
  TieSet set(ties.size());
  for (const auto& [u, v] : ties) set.insert(tie_key(u, v));
  std::vector<std::int32_t> degree(static_cast<std::size_t>(n), k);
  const auto nn = static_cast<std::uint64_t>(n);
  for (auto& tie : ties) {
    if (!rng.bernoulli(rewire)) continue;
    const auto [i, far] = tie;
    if (degree[i] >= n - 1) continue;
    std::int32_t w;
    do {
      w = static_cast<std::int32_t>(rng.below(nn));
    } while (w == i || set.contains(tie_key(i, w)));
    set.erase(tie_key(i, far));
    set.insert(tie_key(i, w));
    --degree[far];
    ++degree[w];
    tie.second = w;
  }
}

/// Degree-preserving double-edge swaps (Maslov & Sneppen 2002, Science 296, 910): exactly
/// round(rewire * M / 2) successful swaps for M ties, i.e. rewire * M tie moves. One attempt draws
/// two distinct tie indices t1 = (a, b), t2 = (c, d) and one fair bit choosing (a, d), (c, b) or
/// (a, c), (b, d); it is rejected if that would create a self-loop or a tie that already exists.
/// A tie can be picked by several swaps, so the share of ties that end up moved is about
/// 1 - exp(-rewire) (each tie is untouched with probability (1 - 2/M)^(rewire M / 2)).
void rewire_swaps(std::int32_t n, std::int32_t k, double rewire, std::vector<Tie>& ties,
                  Rng& rng) {
  const auto m = static_cast<std::int64_t>(ties.size());
  const std::int64_t target = std::llround(rewire * double(m) / 2.0);
  if (target == 0) return;
  if (m < 2 || k >= n - 1)
    bad_spec("rewire", "a ring lattice that admits degree-preserving swaps, or rewire = 0",
             "rewire " + fmt(rewire) + " on a " +
                 (m < 2 ? std::string("lattice with fewer than two ties")
                        : std::string("complete lattice (degree = n - 1)")));
  TieSet set(ties.size());
  for (const auto& [u, v] : ties) set.insert(tie_key(u, v));
  const std::int64_t max_attempts = 100 * target;
  std::int64_t done = 0, attempts = 0;
  const auto mm = static_cast<std::uint64_t>(m);
  while (done < target) {
    if (attempts++ >= max_attempts)
      throw RunError("ring lattice swap rewiring: only " + std::to_string(done) + " of " +
                     std::to_string(target) + " degree-preserving swaps succeeded in " +
                     std::to_string(max_attempts) + " attempts");
    const std::uint64_t t1 = rng.below(mm);
    const std::uint64_t t2 = rng.below(mm);
    const bool cross = rng.below(2) == 1;
    if (t1 == t2) continue;
    const auto [a, b] = ties[t1];
    const auto [c, d] = ties[t2];
    const Tie x = cross ? Tie{a, c} : Tie{a, d};
    const Tie y = cross ? Tie{b, d} : Tie{c, b};
    if (x.first == x.second || y.first == y.second) continue;
    const std::uint64_t kx = tie_key(x.first, x.second), ky = tie_key(y.first, y.second);
    if (kx == ky || set.contains(kx) || set.contains(ky)) continue;
    set.erase(tie_key(a, b));
    set.erase(tie_key(c, d));
    set.insert(kx);
    set.insert(ky);
    ties[t1] = x;
    ties[t2] = y;
    ++done;
  }
}

Network ring_lattice(const NetworkSpec& spec, std::int32_t n, RewireMethod method, Rng& rng) {
  check_ring_spec(spec, n, method);
  std::vector<Tie> ties = lattice_ties(n, spec.degree);
  if (spec.rewire > 0.0) {
    if (method == RewireMethod::endpoint)
      rewire_endpoints(n, spec.degree, spec.rewire, ties, rng);
    else
      rewire_swaps(n, spec.degree, spec.rewire, ties, rng);
  }
  return csr_from_ties(n, ties);
}

// ---- Barabási–Albert -------------------------------------------------------------------------

/// Barabási & Albert (1999), Science 286, 509, built with the repeated-nodes list of Batagelj &
/// Brandes (2005, algorithm BA): every tie appends both ends to one list, so a node appears in it
/// as many times as its degree and a uniform entry is a degree-proportional node. Seed: a star,
/// node 0 tied to 1..m. Each new node v = m+1..n-1 then draws entries of the list as it stood
/// before v (rejecting nodes already chosen by v) until it has m distinct targets. The star's m
/// leaves start at degree 1; every later node has degree >= m. Ties: m (n - m).
void check_ba_spec(const NetworkSpec& spec, std::int32_t n) {
  const std::int32_t m = spec.m;
  if (m < 1 || m >= n)
    bad_spec("m", "ties per new node m in [1, " + std::to_string(n) + ") (fewer than the " +
                      std::to_string(n) + " agents)",
             std::to_string(m));
  check_entries(2 * std::int64_t(m) * (n - m), "m");
}

Network barabasi_albert(const NetworkSpec& spec, std::int32_t n, Rng& rng) {
  check_ba_spec(spec, n);
  const std::int32_t m = spec.m;
  const std::int64_t num_ties = std::int64_t(m) * (n - m);

  // ends[2t], ends[2t+1] = (larger, smaller) end of tie t, in (larger, smaller) order.
  std::vector<std::int32_t> ends;
  ends.reserve(static_cast<std::size_t>(2 * num_ties));
  for (std::int32_t j = 1; j <= m; ++j) {
    ends.push_back(j);
    ends.push_back(0);
  }
  std::vector<std::int32_t> chosen_by(static_cast<std::size_t>(n), -1);
  std::vector<std::int32_t> targets(static_cast<std::size_t>(m));
  for (std::int32_t v = m + 1; v < n; ++v) {
    const auto len = static_cast<std::uint64_t>(ends.size());
    for (std::int32_t got = 0; got < m;) {
      const std::int32_t t = ends[rng.below(len)];
      if (chosen_by[t] == v) continue;
      chosen_by[t] = v;
      targets[got++] = t;
    }
    std::sort(targets.begin(), targets.end());
    for (const std::int32_t t : targets) {
      ends.push_back(v);
      ends.push_back(t);
    }
  }
  chosen_by = {};

  OrderedCsr csr(n);
  for (std::size_t e = 0; e < ends.size(); e += 2) csr.count(ends[e], ends[e + 1]);
  csr.allocate("m");
  for (std::size_t e = 0; e < ends.size(); e += 2) csr.place(ends[e], ends[e + 1]);
  return csr.finish();
}

// ---- workplace -------------------------------------------------------------------------------

/// Departments as contiguous blocks: the first n % d blocks have q + 1 agents, the rest q.
struct Blocks {
  std::int32_t n, d, q, r;
  Blocks(std::int32_t n_, std::int32_t d_) : n(n_), d(d_), q(n_ / d_), r(n_ % d_) {}
  std::int32_t start(std::int32_t b) const noexcept { return b * q + std::min(b, r); }
  std::int32_t size(std::int32_t b) const noexcept { return q + (b < r ? 1 : 0); }
  std::int32_t of(std::int32_t i) const noexcept {
    const std::int32_t big = r * (q + 1);  // agents in the larger blocks
    return i < big ? i / (q + 1) : r + (i - big) / q;
  }
};

}  // namespace

std::int32_t workplace_department(std::int32_t n, std::int32_t departments, std::int32_t i) noexcept {
  return Blocks(n, departments).of(i);
}

namespace {

/// The workplace spec's checks; returns the number of cross-department ties to draw.
std::int64_t check_workplace_spec(const NetworkSpec& spec, std::int32_t n) {
  if (spec.departments < 1 || spec.departments > n)
    bad_spec("departments", "a number of departments in [1, " + std::to_string(n) + "] (at most "
                                "one per agent)",
             std::to_string(spec.departments));
  const Blocks blocks(n, spec.departments);
  const double max_within = double(blocks.q - 1);  // the smallest department bounds the degree
  if (!(spec.within_degree >= 0.0 && spec.within_degree <= max_within))
    bad_spec("within_degree",
             "a within-department mean degree in [0, " + fmt(max_within) +
                 "] (the smallest department has " + std::to_string(blocks.q) + " agents)",
             fmt(spec.within_degree));
  if (!(spec.between_degree >= 0.0))
    bad_spec("between_degree", "a non-negative between-department mean degree",
             fmt(spec.between_degree));
  std::int64_t cross_pairs = std::int64_t(n) * (n - 1) / 2;
  for (std::int32_t b = 0; b < blocks.d; ++b)
    cross_pairs -= std::int64_t(blocks.size(b)) * (blocks.size(b) - 1) / 2;
  const double target_d = std::round(double(n) * spec.between_degree / 2.0);
  if (target_d > double(cross_pairs))
    bad_spec("between_degree",
             "at most " + std::to_string(cross_pairs) + " cross-department ties (mean degree " +
                 fmt(2.0 * double(cross_pairs) / double(n)) + ")",
             fmt(spec.between_degree) + ", i.e. " + fmt(target_d) + " ties");
  const auto target = static_cast<std::int64_t>(target_d);
  check_entries(static_cast<std::int64_t>(std::ceil(double(n) * spec.within_degree)) + 2 * target,
                "within_degree");
  return target;
}

/// The default workplace (DESIGN: "departments as dense clusters with sparse cross ties"):
///  1. agents 0..n-1 split into `departments` contiguous blocks of near-equal size (Blocks);
///  2. inside each block of s agents, in block order, an independent G(s, within_degree / (s-1))
///     drawn with the Erdős–Rényi generator, so the expected within-department degree is
///     within_degree for every agent;
///  3. then exactly round(n * between_degree / 2) cross ties: pairs (u, v) with u and v uniform
///     in [0, n), rejected when in the same department (this includes u = v) or already tied;
///     every cross-department pair is equally likely, and the mean cross degree is
///     between_degree (up to the rounding).
/// Memory: the within ties are drawn twice from a copy of the stream (count, then fill) as in
/// erdos_renyi; only the cross ties are stored, sorted, and merged into the fill in order.
Network workplace(const NetworkSpec& spec, std::int32_t n, Rng& rng) {
  const std::int64_t target = check_workplace_spec(spec, n);
  const Blocks blocks(n, spec.departments);

  auto within_pass = [&](Rng& r, auto&& emit) {
    for (std::int32_t b = 0; b < blocks.d; ++b) {
      const std::int32_t lo = blocks.start(b), s = blocks.size(b);
      const double p = s >= 2 ? spec.within_degree / double(s - 1) : 0.0;
      gnp_ties(s, p, r, [&](std::int32_t v, std::int32_t w) { emit(lo + v, lo + w); });
    }
  };

  OrderedCsr csr(n);
  Rng pass = rng;
  within_pass(pass, [&](std::int32_t v, std::int32_t w) { csr.count(v, w); });

  std::vector<std::uint64_t> cross;
  cross.reserve(static_cast<std::size_t>(target));
  TieSet set(static_cast<std::size_t>(target));
  const auto nn = static_cast<std::uint64_t>(n);
  while (static_cast<std::int64_t>(cross.size()) < target) {
    const auto u = static_cast<std::int32_t>(pass.below(nn));
    const auto v = static_cast<std::int32_t>(pass.below(nn));
    if (blocks.of(u) == blocks.of(v)) continue;
    const std::uint64_t key = tie_key(u, v);
    if (!set.insert(key)) continue;
    cross.push_back(key);
    csr.count(u, v);
  }
  set = TieSet(0);
  std::sort(cross.begin(), cross.end());
  csr.allocate("within_degree");

  // Merge the stored cross ties into the re-drawn within ties, both in key order.
  Rng fill = rng;
  std::size_t c = 0;
  within_pass(fill, [&](std::int32_t v, std::int32_t w) {
    const std::uint64_t key = tie_key(v, w);
    while (c < cross.size() && cross[c] < key) csr.place_key(cross[c++]);
    csr.place(v, w);
  });
  while (c < cross.size()) csr.place_key(cross[c++]);
  rng = pass;
  return csr.finish();
}

// ---- edge list -------------------------------------------------------------------------------

bool parse_int(std::string_view s, std::int64_t& out) noexcept {
  if (s.empty()) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool parse_double(std::string_view s, double& out) noexcept {
  if (s.empty()) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

const char* const kExpectedEdgeListFile = "a readable CSV edge list (source,target[,trust])";

/// The first byte of `line` that cannot be in a text CSV line: a NUL or other control character
/// (tab and carriage return are fine), or a byte that is not part of valid UTF-8. npos if none.
std::size_t first_non_text_byte(std::string_view line) noexcept {
  std::size_t first = first_invalid_utf8(line);
  for (std::size_t i = 0; i < line.size() && i < first; ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) first = i;
  }
  return first;
}

std::string quoted(std::string_view s) {
  return s.empty() ? std::string("an empty field") : "'" + std::string(s) + "'";
}

}  // namespace

// ---- public functions --------------------------------------------------------------------------

void Network::set_tie(std::int64_t entry, std::int64_t twin, float tau) {
  float& a = trust[static_cast<std::size_t>(entry)];
  if ((a >= kStrongTie) != (tau >= kStrongTie))
    note_strong_flip(neighbors[static_cast<std::size_t>(twin)],
                     neighbors[static_cast<std::size_t>(entry)]);
  a = tau;
  trust[static_cast<std::size_t>(twin)] = tau;
}

void Network::note_strong_flip(std::int32_t i, std::int32_t j) {
  ++strong_changes;
  if (strong_log_full) return;
  if (strong_log.size() >= strong_log_limit()) {
    strong_log.clear();
    strong_log_full = true;
    return;
  }
  strong_log.push_back(strong_key(i, j));
}

std::int64_t Network::find_entry(std::int32_t i, std::int32_t j) const noexcept {
  if (complete || i < 0 || i >= n) return -1;
  // std::lower_bound without its branch per halving (which way a search goes is a coin flip a
  // branch predictor cannot learn): the range that holds the first entry >= j halves by a
  // conditional move each time. The same entry is found.
  const std::int32_t* const row = neighbors.data() + offsets[i];
  std::int32_t len = offsets[i + 1] - offsets[i];
  if (len == 0) return -1;
  const std::int32_t* first = row;
  while (len > 1) {
    const std::int32_t half = len / 2;
    first += first[half] < j ? half : 0;
    len -= half;
  }
  first += *first < j ? 1 : 0;
  const std::int32_t* const last = row + (offsets[i + 1] - offsets[i]);
  return (first != last && *first == j) ? static_cast<std::int64_t>(first - neighbors.data()) : -1;
}

std::int32_t department_of(const NetworkSpec& spec, std::int32_t n, std::int32_t i) noexcept {
  if (spec.type == NetworkType::roster)
    return spec.roster && i >= 0 && i < spec.roster->size()
               ? spec.roster->department_id[static_cast<std::size_t>(i)]
               : 0;
  if (spec.type != NetworkType::workplace || spec.departments < 1 || spec.departments > n) return 0;
  return Blocks(n, spec.departments).of(i);
}

void Network::set_accountable(std::int64_t entry, std::int64_t twin, bool on) {
  if (entry < 0 || twin < 0) return;
  if (accountable.empty()) {
    if (!on) return;
    accountable.assign(trust.size(), 0);
  }
  auto& a = accountable[static_cast<std::size_t>(entry)];
  const std::uint8_t k = on ? static_cast<std::uint8_t>(a < 255 ? a + 1 : 255) : 0;
  a = k;
  accountable[static_cast<std::size_t>(twin)] = k;
}

bool Network::add_tie(std::int32_t u, std::int32_t v, float tau) {
  if (complete || u == v || u < 0 || v < 0 || u >= n || v >= n) return false;
  if (find_entry(u, v) >= 0) return false;
  // The CSR index is 32-bit: a full graph takes no more ties (documented in docs/MODEL.md).
  if (static_cast<std::int64_t>(offsets[n]) + 2 * (static_cast<std::int64_t>(new_ties.size()) + 1) >
      kMaxEntries)
    return false;
  const auto lo = std::min(u, v), hi = std::max(u, v);
  for (const auto& t : new_ties)
    if (t.u == lo && t.v == hi) return false;
  new_ties.push_back(NewTie{lo, hi, tau});
  return true;
}

namespace {

/// Grows `v` to `size` elements, keeping spare room (1/16 of the size) when it must reallocate,
/// so that a run adding ties every step reallocates rarely rather than at every merge.
template <class T>
void grow_to(std::vector<T>& v, std::size_t size) {
  if (v.capacity() < size) v.reserve(size + size / 16);
  v.resize(size);
}

}  // namespace

std::int64_t Network::merge_new_ties() {
  if (new_ties.empty()) return 0;
  const auto added = static_cast<std::int64_t>(new_ties.size());
  // Each new tie gives one entry to each of its ends, listed by (row, neighbour).
  struct Add {
    std::int32_t i, j;
    float tau;
  };
  std::vector<Add> adds;
  adds.reserve(2 * new_ties.size());
  for (const auto& t : new_ties) {
    adds.push_back(Add{t.u, t.v, t.trust});
    adds.push_back(Add{t.v, t.u, t.trust});
    if (t.trust >= kStrongTie) note_strong_flip(t.u, t.v);
  }
  std::sort(adds.begin(), adds.end(),
            [](const Add& a, const Add& b) { return a.i != b.i ? a.i < b.i : a.j < b.j; });
  // The arrays grow in place. Walking the rows that gain entries from the last to the first, the
  // old entries after such a row move up by the number of entries added up to it, and the row
  // itself is merged from its end (old entries and additions, both sorted). Rows after the last
  // addition and before the first do not move; a row between two additions moves as a block.
  const bool has_acc = !accountable.empty();
  const auto old_total = static_cast<std::int64_t>(offsets[n]);
  const auto total = static_cast<std::size_t>(old_total) + adds.size();
  grow_to(neighbors, total);
  grow_to(trust, total);
  if (has_acc) grow_to(accountable, total);
  auto move_up = [&](std::int64_t first, std::int64_t last, std::int64_t by) {
    if (by == 0 || first >= last) return;
    std::copy_backward(neighbors.begin() + first, neighbors.begin() + last,
                       neighbors.begin() + last + by);
    std::copy_backward(trust.begin() + first, trust.begin() + last, trust.begin() + last + by);
    if (has_acc)
      std::copy_backward(accountable.begin() + first, accountable.begin() + last,
                         accountable.begin() + last + by);
  };
  auto shift = static_cast<std::int64_t>(adds.size());  // how far unmoved old entries must go
  std::int64_t unmoved_end = old_total;  // old entries [.., unmoved_end) are still in place
  for (auto a = static_cast<std::int64_t>(adds.size()); a > 0;) {
    const std::int32_t r = adds[static_cast<std::size_t>(a - 1)].i;
    std::int64_t first = a - 1;
    while (first > 0 && adds[static_cast<std::size_t>(first - 1)].i == r) --first;
    const std::int64_t row_begin = offsets[r], row_end = offsets[r + 1];
    move_up(row_end, unmoved_end, shift);
    std::int64_t src = row_end - 1, dst = row_end + shift - 1;
    for (std::int64_t b = a - 1; b >= first; --dst) {
      const Add& add = adds[static_cast<std::size_t>(b)];
      if (src >= row_begin && neighbors[static_cast<std::size_t>(src)] > add.j) {
        neighbors[static_cast<std::size_t>(dst)] = neighbors[static_cast<std::size_t>(src)];
        trust[static_cast<std::size_t>(dst)] = trust[static_cast<std::size_t>(src)];
        if (has_acc) accountable[static_cast<std::size_t>(dst)] = accountable[static_cast<std::size_t>(src)];
        --src;
      } else {
        neighbors[static_cast<std::size_t>(dst)] = add.j;
        trust[static_cast<std::size_t>(dst)] = add.tau;
        if (has_acc) accountable[static_cast<std::size_t>(dst)] = 0;
        --b;
      }
    }
    // The row's old entries before the additions move with the rows before it.
    shift -= a - first;
    unmoved_end = src + 1;
    a = first;
  }
  // Offsets: each row starts later by the entries added to the rows before it.
  std::int32_t before = 0;
  std::size_t a = 0;
  for (std::int32_t i = 0; i < n; ++i) {
    while (a < adds.size() && adds[a].i == i) {
      ++before;
      ++a;
    }
    offsets[static_cast<std::size_t>(i) + 1] += before;
  }
  new_ties.clear();
  ++topology;
  return added;
}

Network csr_from_ties(std::int32_t n,
                      const std::vector<std::pair<std::int32_t, std::int32_t>>& ties) {
  check_entries(2 * static_cast<std::int64_t>(ties.size()), "ties");
  Network net;
  net.n = n;
  net.offsets.assign(static_cast<std::size_t>(n) + 1, 0);
  for (const auto& [u, v] : ties) {
    if (u < 0 || u >= n || v < 0 || v >= n || u == v)
      throw RunError("csr_from_ties: invalid tie (" + std::to_string(u) + ", " +
                     std::to_string(v) + ") for " + std::to_string(n) + " agents");
    ++net.offsets[u + 1];
    ++net.offsets[v + 1];
  }
  for (std::int32_t i = 0; i < n; ++i) net.offsets[i + 1] += net.offsets[i];
  // Counting sort by row, then sort each row.
  std::vector<std::int32_t> cursor(net.offsets.begin(), net.offsets.end() - 1);
  net.neighbors.assign(static_cast<std::size_t>(net.offsets[n]), 0);
  for (const auto& [u, v] : ties) {
    net.neighbors[cursor[u]++] = v;
    net.neighbors[cursor[v]++] = u;
  }
  for (std::int32_t i = 0; i < n; ++i) {
    const auto first = net.neighbors.begin() + net.offsets[i];
    const auto last = net.neighbors.begin() + net.offsets[i + 1];
    std::sort(first, last);
    if (std::adjacent_find(first, last) != last)
      throw RunError("csr_from_ties: duplicate tie at agent " + std::to_string(i));
  }
  net.trust.assign(net.neighbors.size(), std::numeric_limits<float>::quiet_NaN());
  return net;
}

/// Format: one tie per line, `source,target[,trust]`, fields separated by commas with optional
/// whitespace around them. Blank lines and lines starting with '#' are skipped. The first other
/// line is a header (and skipped) when none of its first two fields is a number. An empty third
/// field means "no trust given" (NaN). Each tie may appear once, in either orientation.
Network read_edge_list(const std::string& path, const std::string& path_for_errors,
                       std::int32_t n) {
  const std::string& file = path_for_errors.empty() ? path : path_for_errors;
  // A directory, FIFO or device (/dev/zero) is refused before opening, not read forever.
  require_regular_file(path, "CSV edge list (source,target[,trust])", file);
  std::ifstream in(path, std::ios::binary);
  return read_edge_list(in, file, n);
}

Network read_edge_list(std::istream& in, const std::string& file, std::int32_t n) {
  std::vector<Tie> ties;
  std::vector<float> tie_trust;
  std::unordered_map<std::uint64_t, std::int64_t> first_line;  // tie key -> line number
  bool seen_content = false;
  std::string raw;
  std::int64_t line_no = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    std::string_view line(raw);
    if (line_no == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // UTF-8 BOM
    // Binary data (an image, a spreadsheet, NUL bytes) is not read as a header and skipped.
    if (const std::size_t bad = first_non_text_byte(line); bad != std::string_view::npos) {
      char byte[8];
      std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(line[bad]));
      throw InputError(file, "line " + std::to_string(line_no),
                       "a text CSV file (UTF-8, no control characters)",
                       std::string(line[bad] == '\0' ? "a NUL byte" : "the byte ") +
                           (line[bad] == '\0' ? "" : byte) + " at column " +
                           std::to_string(bad + 1) + " (a binary file?)");
    }
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    const std::string where = "line " + std::to_string(line_no);

    std::vector<std::string_view> fields;
    split_trimmed(line, ',', fields);
    if (!seen_content) {
      seen_content = true;
      double x;
      const bool numeric0 = parse_double(fields[0], x);
      const bool numeric1 = fields.size() > 1 && parse_double(fields[1], x);
      if (!numeric0 && !numeric1) continue;  // header
    }
    if (fields.size() < 2 || fields.size() > 3)
      throw InputError(file, where, "2 or 3 comma-separated fields (source,target[,trust])",
                       std::to_string(fields.size()) + " field" + (fields.size() == 1 ? "" : "s"));

    std::int32_t id[2];
    for (int f = 0; f < 2; ++f) {
      const char* what = f == 0 ? "source" : "target";
      std::int64_t x;
      if (!parse_int(fields[f], x))
        throw InputError(file, where, std::string("an integer agent id as ") + what,
                         quoted(fields[f]));
      if (x < 0 || x >= n)
        throw InputError(file, where,
                         std::string("a ") + what + " agent id in [0, " + std::to_string(n) +
                             ") (the population has " + std::to_string(n) + " agents)",
                         std::to_string(x));
      id[f] = static_cast<std::int32_t>(x);
    }
    if (id[0] == id[1])
      throw InputError(file, where, "a tie between two different agents",
                       "a self-loop " + std::to_string(id[0]) + "," + std::to_string(id[1]));

    float trust = std::numeric_limits<float>::quiet_NaN();
    if (fields.size() == 3 && !fields[2].empty()) {
      double t;
      if (!parse_double(fields[2], t) || !(t >= 0.0 && t <= 1.0))
        throw InputError(file, where, "a trust value: a number in [0, 1]", quoted(fields[2]));
      trust = static_cast<float>(t);
    }

    const auto [it, inserted] = first_line.emplace(tie_key(id[0], id[1]), line_no);
    if (!inserted)
      throw InputError(file, where, "each tie listed once (in either orientation)",
                       "a second tie between " + std::to_string(id[0]) + " and " +
                           std::to_string(id[1]) + ", first given on line " +
                           std::to_string(it->second));
    ties.emplace_back(id[0], id[1]);
    tie_trust.push_back(trust);
  }
  if (in.bad()) throw InputError(file, "line " + std::to_string(line_no + 1), kExpectedEdgeListFile,
                                 "a read error");
  // A workplace with no ties is almost always a wrong file (an export that lost its rows), so
  // zero ties is an error, a header-only file included.
  if (ties.empty())
    throw InputError(file, "", "at least one tie (a line source,target[,trust])",
                     seen_content ? "no ties, only a header line"
                                  : "no ties: the file is empty or holds only comments");
  first_line = {};

  Network net = csr_from_ties(n, ties);
  for (std::size_t t = 0; t < ties.size(); ++t) {
    if (std::isnan(tie_trust[t])) continue;
    const auto [u, v] = ties[t];
    net.trust[static_cast<std::size_t>(net.find_entry(u, v))] = tie_trust[t];
    net.trust[static_cast<std::size_t>(net.find_entry(v, u))] = tie_trust[t];
  }
  return net;
}

void check_network_spec(const NetworkSpec& spec, std::int32_t n) {
  if (n < 0)
    throw InputError("", "population.size", "a non-negative population size", std::to_string(n));
  switch (spec.type) {
    case NetworkType::erdos_renyi: return check_er_spec(spec, n);
    case NetworkType::ring_lattice: return check_ring_spec(spec, n, spec.rewire_method);
    case NetworkType::watts_strogatz: return check_ring_spec(spec, n, RewireMethod::endpoint);
    case NetworkType::barabasi_albert: return check_ba_spec(spec, n);
    case NetworkType::workplace: check_workplace_spec(spec, n); return;
    case NetworkType::complete:
    case NetworkType::edge_list:  // read and checked line by line by the scenario loader
    case NetworkType::roster:     // likewise
      return;
  }
  bad_spec("type", "a known network type", std::to_string(static_cast<int>(spec.type)));
}

Network build_network(const NetworkSpec& spec, std::int32_t n, Rng& rng) {
  if (n < 0 || spec.type > NetworkType::roster) check_network_spec(spec, n);  // throws
  switch (spec.type) {
    case NetworkType::erdos_renyi:
      return erdos_renyi(spec, n, rng);
    case NetworkType::ring_lattice:
      return ring_lattice(spec, n, spec.rewire_method, rng);
    case NetworkType::watts_strogatz:
      return ring_lattice(spec, n, RewireMethod::endpoint, rng);
    case NetworkType::barabasi_albert:
      return barabasi_albert(spec, n, rng);
    case NetworkType::complete: {
      Network net;
      net.n = n;
      net.complete = true;
      return net;
    }
    case NetworkType::workplace:
      return workplace(spec, n, rng);
    case NetworkType::edge_list:
      return read_edge_list(spec.path, spec.path_for_errors, n);
    case NetworkType::roster:
      if (!spec.roster || spec.roster->size() != n)
        bad_spec("roster", "a roster of population.size people (read by the scenario loader)",
                 spec.roster ? std::to_string(spec.roster->size()) + " people" : "none");
      return roster_network(*spec.roster, spec.roster_chances, spec.friendship_trust, rng);
  }
  throw std::logic_error("build_network: unhandled network type");  // check_network_spec refused it
}

}  // namespace orgsim
