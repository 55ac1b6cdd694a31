// Network generators and the edge-list reader (sim/model/network.cpp).
//
// Organised by claim: every generator yields a valid symmetric CSR; its degree statistics match
// the theory of the random-graph model it implements (within a few standard errors, with the
// expected values derived from the model, not from a previous run); it is a pure function of the
// network stream; impossible specs and malformed edge lists are InputErrors naming the place.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/rng.hpp"
#include "model/network.hpp"

using namespace orgsim;

namespace {

constexpr std::uint64_t kSeed = 20240611;

Network make(const NetworkSpec& spec, std::int32_t n, std::uint64_t seed = kSeed) {
  Rng rng(seed, Stream::network);
  return build_network(spec, n, rng);
}

NetworkSpec er_spec(double mean_degree) {
  NetworkSpec s;
  s.type = NetworkType::erdos_renyi;
  s.mean_degree = mean_degree;
  return s;
}
NetworkSpec ring_spec(std::int32_t k, double rewire, RewireMethod method) {
  NetworkSpec s;
  s.type = NetworkType::ring_lattice;
  s.degree = k;
  s.rewire = rewire;
  s.rewire_method = method;
  return s;
}
NetworkSpec ws_spec(std::int32_t k, double rewire) {
  NetworkSpec s;
  s.type = NetworkType::watts_strogatz;
  s.degree = k;
  s.rewire = rewire;
  return s;
}
NetworkSpec ba_spec(std::int32_t m) {
  NetworkSpec s;
  s.type = NetworkType::barabasi_albert;
  s.m = m;
  return s;
}
NetworkSpec workplace_spec(std::int32_t departments, double within, double between) {
  NetworkSpec s;
  s.type = NetworkType::workplace;
  s.departments = departments;
  s.within_degree = within;
  s.between_degree = between;
  return s;
}

/// The first violated CSR invariant, or "" when the network is a valid symmetric CSR: offsets
/// consistent, every row strictly ascending (sorted, no duplicates), no self-loops, ids in range,
/// every entry (i, j) has its twin (j, i) with the same trust (both NaN or equal).
std::string csr_violation(const Network& net) {
  if (net.complete) return "network is complete (no CSR)";
  const auto n = static_cast<std::size_t>(net.n);
  if (net.offsets.size() != n + 1) return "offsets size != n + 1";
  if (net.offsets[0] != 0) return "offsets[0] != 0";
  for (std::size_t i = 0; i < n; ++i)
    if (net.offsets[i + 1] < net.offsets[i]) return "offsets decrease at " + std::to_string(i);
  if (net.neighbors.size() != static_cast<std::size_t>(net.offsets[n]))
    return "neighbors size != offsets[n]";
  if (net.trust.size() != net.neighbors.size()) return "trust size != neighbors size";
  for (std::int32_t i = 0; i < net.n; ++i) {
    for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e) {
      const std::int32_t j = net.neighbors[e];
      const std::string at = " at entry (" + std::to_string(i) + ", " + std::to_string(j) + ")";
      if (j < 0 || j >= net.n) return "id out of range" + at;
      if (j == i) return "self-loop" + at;
      if (e > net.offsets[i] && net.neighbors[e - 1] >= j) return "row not strictly ascending" + at;
      if (net.find_entry(i, j) != e) return "find_entry does not find" + at;
      const std::int64_t twin = net.find_entry(j, i);
      if (twin < 0) return "missing twin" + at;
      const float a = net.trust[e], b = net.trust[static_cast<std::size_t>(twin)];
      if (!(a == b || (std::isnan(a) && std::isnan(b)))) return "twin trust differs" + at;
    }
  }
  if (net.num_entries() % 2 != 0) return "odd number of entries";
  return "";
}

std::vector<double> degrees(const Network& net) {
  std::vector<double> d(static_cast<std::size_t>(net.n));
  for (std::int32_t i = 0; i < net.n; ++i) d[i] = net.degree(i);
  return d;
}
double mean(const std::vector<double>& x) {
  return std::accumulate(x.begin(), x.end(), 0.0) / double(x.size());
}
double variance(const std::vector<double>& x) {
  const double mu = mean(x);
  double s = 0.0;
  for (const double v : x) s += (v - mu) * (v - mu);
  return s / double(x.size() - 1);
}

bool is_lattice_tie(std::int32_t i, std::int32_t j, std::int32_t n, std::int32_t k) {
  const std::int32_t d = std::abs(i - j);
  return std::min(d, n - d) <= k / 2;
}
/// Share of the network's ties that are not ties of the ring lattice of degree k.
double non_lattice_share(const Network& net, std::int32_t k) {
  std::int64_t non_lattice = 0;
  for (std::int32_t i = 0; i < net.n; ++i)
    for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e)
      if (net.neighbors[e] > i && !is_lattice_tie(i, net.neighbors[e], net.n, k)) ++non_lattice;
  return double(non_lattice) / double(net.num_ties());
}

bool same_graph(const Network& a, const Network& b) {
  return a.n == b.n && a.complete == b.complete && a.offsets == b.offsets &&
         a.neighbors == b.neighbors;
}

std::filesystem::path tmp_dir() {
#ifdef ORGSIM_TEST_TMP
  std::filesystem::path dir = ORGSIM_TEST_TMP;
#else
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "orgsim-test-tmp";
#endif
  dir /= "network";
  std::filesystem::create_directories(dir);
  return dir;
}
std::string write_temp(const std::string& name, const std::string& content) {
  const auto path = tmp_dir() / name;
  std::ofstream out(path, std::ios::binary);
  out << content;
  return path.string();
}

/// Both the generator and the loader's check (check_network_spec, no draws) refuse `spec` with
/// the same error: the loader's check is the generator's own.
void expect_spec_error(const NetworkSpec& spec, std::int32_t n, const std::string& where) {
  std::string built, checked;
  Rng rng(kSeed, Stream::network);
  try {
    build_network(spec, n, rng);
    FAIL("expected an InputError at " << where);
  } catch (const InputError& e) {
    CHECK(e.file() == "");
    CHECK(e.where() == where);
    CHECK_THAT(e.what(), Catch::Contains(where));
    built = e.what();
  }
  try {
    check_network_spec(spec, n);
    FAIL("check_network_spec passed what build_network refuses at " << where);
  } catch (const InputError& e) {
    checked = e.what();
  }
  CHECK(checked == built);
}

}  // namespace

// ---- Erdős–Rényi ------------------------------------------------------------------------------

TEST_CASE("erdos_renyi: valid CSR with Poisson degree statistics", "[network]") {
  const std::int32_t n = 20000;
  const double c = 8.0, p = c / (n - 1);
  const Network net = make(er_spec(c), n);
  REQUIRE(csr_violation(net) == "");

  const auto d = degrees(net);
  // Mean degree 2T/n with T ~ Binomial(n(n-1)/2, p): sd = sqrt(2 (n-1) p (1-p) / n).
  const double se_mean = std::sqrt(2.0 * (n - 1) * p * (1 - p) / n);
  CHECK(std::abs(mean(d) - c) < 4 * se_mean);
  // Degrees are Binomial(n-1, p) ~ Poisson(c): variance c (1-p); the sample variance of a
  // Poisson sample has sd sqrt((c + 2 c^2) / n).
  const double se_var = std::sqrt((c + 2 * c * c) / n);
  CHECK(std::abs(variance(d) - c * (1 - p)) < 5 * se_var);
  // Position does not matter: the first and last tenth of the ids have the same mean degree.
  const std::int32_t tenth = n / 10;
  const std::vector<double> first(d.begin(), d.begin() + tenth), last(d.end() - tenth, d.end());
  const double se_tenth = std::sqrt(c / tenth);
  CHECK(std::abs(mean(first) - c) < 5 * se_tenth);
  CHECK(std::abs(mean(last) - c) < 5 * se_tenth);
}

TEST_CASE("erdos_renyi: every pair is tied independently with probability p", "[network]") {
  // Exact check of the geometric skipping over the lexicographic pair list on a small graph: each
  // of the 21 pairs of 7 nodes must appear in a share p of the graphs (5 binomial sd).
  const std::int32_t n = 7;
  const int reps = 20000;
  for (const double p : {0.1, 0.5}) {
    Rng rng(kSeed, Stream::network);
    std::vector<int> count(n * n, 0);
    for (int r = 0; r < reps; ++r) {
      const Network net = build_network(er_spec(p * (n - 1)), n, rng);
      REQUIRE(net.num_ties() <= n * (n - 1) / 2);
      for (std::int32_t i = 0; i < n; ++i)
        for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e)
          ++count[i * n + net.neighbors[e]];
    }
    const double sd = std::sqrt(reps * p * (1 - p));
    for (std::int32_t i = 0; i < n; ++i)
      for (std::int32_t j = i + 1; j < n; ++j) {
        INFO("p = " << p << ", pair " << i << "," << j << ": " << count[i * n + j]);
        CHECK(count[i * n + j] == count[j * n + i]);
        CHECK(std::abs(count[i * n + j] - reps * p) < 5 * sd);
      }
  }
}

TEST_CASE("erdos_renyi: limit cases p = 0 and p = 1", "[network]") {
  const Network empty = make(er_spec(0.0), 50);
  REQUIRE(csr_violation(empty) == "");
  CHECK(empty.num_ties() == 0);

  const Network full = make(er_spec(49.0), 50);
  REQUIRE(csr_violation(full) == "");
  CHECK(full.num_ties() == 50 * 49 / 2);
  for (std::int32_t i = 0; i < 50; ++i) CHECK(full.degree(i) == 49);

  const Network single = make(er_spec(0.0), 1);
  REQUIRE(csr_violation(single) == "");
  CHECK(single.num_ties() == 0);
}

TEST_CASE("erdos_renyi: the caller's stream advances by exactly the draws of one pass",
          "[network]") {
  // The walk draws one geometric gap (one 64-bit word) per tie plus the gap that ends it, even
  // though the generator runs it twice (count, fill) from copies of the stream.
  Rng rng(kSeed, Stream::network);
  const Network net = build_network(er_spec(5.0), 3000, rng);
  Rng expected(kSeed, Stream::network);
  for (std::int64_t t = 0; t < net.num_ties() + 1; ++t) expected.next_u64();
  CHECK(rng.next_u64() == expected.next_u64());
}

// ---- ring lattice, Watts–Strogatz -------------------------------------------------------------

TEST_CASE("ring_lattice without rewiring is the exact lattice", "[network]") {
  const std::pair<std::int32_t, std::int32_t> cases[] = {{101, 6}, {7, 6}, {10, 2}, {5, 0}};
  for (const auto& [n, k] : cases) {
    const Network net = make(ring_spec(k, 0.0, RewireMethod::endpoint), n);
    REQUIRE(csr_violation(net) == "");
    CHECK(net.num_ties() == std::int64_t(n) * k / 2);
    for (std::int32_t i = 0; i < n; ++i) {
      std::vector<std::int32_t> expected;
      for (std::int32_t j = 1; j <= k / 2; ++j) {
        expected.push_back((i + j) % n);
        expected.push_back((i - j + n) % n);
      }
      std::sort(expected.begin(), expected.end());
      const std::vector<std::int32_t> row(net.neighbors.begin() + net.offsets[i],
                                          net.neighbors.begin() + net.offsets[i + 1]);
      INFO("n = " << n << ", k = " << k << ", node " << i);
      CHECK(row == expected);
    }
  }
}

TEST_CASE("endpoint rewiring at rewire = 0 equals the lattice, WS is the same code path",
          "[network]") {
  const std::int32_t n = 500, k = 8;
  const Network lattice = make(ring_spec(k, 0.0, RewireMethod::swap), n);
  CHECK(same_graph(make(ring_spec(k, 0.0, RewireMethod::endpoint), n), lattice));
  CHECK(same_graph(make(ws_spec(k, 0.0), n), lattice));
  CHECK(same_graph(make(ws_spec(k, 0.3), n), make(ring_spec(k, 0.3, RewireMethod::endpoint), n)));
  // watts_strogatz ignores rewire_method: always endpoint rewiring.
  NetworkSpec ws_with_swap = ws_spec(k, 0.3);
  ws_with_swap.rewire_method = RewireMethod::swap;
  CHECK(same_graph(make(ws_with_swap, n), make(ws_spec(k, 0.3), n)));
}

TEST_CASE("endpoint rewiring moves a share rewire of the ties, keeps the tie count",
          "[network]") {
  const std::int32_t n = 10000, k = 10;
  const std::int64_t m = std::int64_t(n) * k / 2;
  for (const double r : {0.1, 0.5}) {
    const Network net = make(ws_spec(k, r), n);
    REQUIRE(csr_violation(net) == "");
    CHECK(net.num_ties() == m);
    // Each node keeps the k/2 ties it owns (only their far ends move).
    std::int32_t min_degree = n;
    for (std::int32_t i = 0; i < n; ++i) min_degree = std::min(min_degree, net.degree(i));
    CHECK(min_degree >= k / 2);
    // Each tie is rewired with probability r, to a lattice position only with probability
    // O(k/n): the non-lattice share is Binomial(M, r)/M up to that.
    const double se = std::sqrt(r * (1 - r) / double(m));
    INFO("rewire = " << r);
    CHECK(std::abs(non_lattice_share(net, k) - r) < 4 * se + double(k) / n);
  }
}

TEST_CASE("swap rewiring preserves every degree and moves about 1 - exp(-rewire) of the ties",
          "[network]") {
  const std::int32_t n = 10000, k = 10;
  const std::int64_t m = std::int64_t(n) * k / 2;
  for (const double r : {0.1, 0.5, 1.0}) {
    const Network net = make(ring_spec(k, r, RewireMethod::swap), n);
    REQUIRE(csr_violation(net) == "");
    CHECK(net.num_ties() == m);
    std::int32_t wrong_degree = 0;
    for (std::int32_t i = 0; i < n; ++i) wrong_degree += net.degree(i) != k;
    CHECK(wrong_degree == 0);
    // round(r M / 2) swaps move r M tie ends in total; each swap picks two uniform ties, so a
    // tie is untouched with probability (1 - 2/M)^(r M / 2) ~ exp(-r). A moved tie lands on a
    // lattice position with probability O(k/n).
    const double expected = 1.0 - std::exp(-r);
    const double se = std::sqrt(expected * (1 - expected) / double(m));
    INFO("rewire = " << r);
    CHECK(std::abs(non_lattice_share(net, k) - expected) < 4 * se + double(k) / n);
  }
}

TEST_CASE("rewiring stays valid on small dense lattices", "[network]") {
  // Many erasures and re-insertions in a small tie set, nodes that reach degree n - 1.
  for (const std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    const Network swapped = make(ring_spec(20, 1.0, RewireMethod::swap), 50, seed);
    REQUIRE(csr_violation(swapped) == "");
    for (std::int32_t i = 0; i < 50; ++i) REQUIRE(swapped.degree(i) == 20);
    const Network moved = make(ring_spec(20, 1.0, RewireMethod::endpoint), 30, seed);
    REQUIRE(csr_violation(moved) == "");
    CHECK(moved.num_ties() == 30 * 20 / 2);
  }
}

// ---- Barabási–Albert --------------------------------------------------------------------------

TEST_CASE("barabasi_albert: tie count, minimum degree and the k^-3 tail", "[network]") {
  const std::int32_t n = 50000, m = 3;
  const Network net = make(ba_spec(m), n);
  REQUIRE(csr_violation(net) == "");
  // A star of m ties, then m ties per later node: m (n - m) ties, mean degree 2m (n - m)/n -> 2m.
  CHECK(net.num_ties() == std::int64_t(m) * (n - m));
  CHECK(mean(degrees(net)) == Approx(2.0 * m).epsilon(1e-3));
  std::int32_t min_later = n;
  for (std::int32_t i = m + 1; i < n; ++i) min_later = std::min(min_later, net.degree(i));
  CHECK(min_later == m);  // every node added after the star brings m ties; the last has only those
  CHECK(net.degree(n - 1) == m);
  for (std::int32_t i = 0; i <= m; ++i) CHECK(net.degree(i) >= 1);

  // Analytic degree distribution (Dorogovtsev, Mendes & Samukhin 2000; Bollobás et al. 2001):
  // P(k) = 2m(m+1) / (k(k+1)(k+2)), k >= m, so P(K = m) = 2/(m+2) and the tail telescopes to
  // P(K >= k0) = m(m+1) / (k0(k0+1)). At k0 = 10m uniform attachment (geometric tail) would give
  // a share 30 times smaller, so this checks preferential attachment, not just the mean.
  auto share = [&](auto pred) {
    std::int64_t c = 0;
    for (std::int32_t i = 0; i < n; ++i) c += pred(net.degree(i));
    return double(c) / n;
  };
  const double p_m = share([&](std::int32_t k) { return k == m; });
  CHECK(p_m == Approx(2.0 / (m + 2)).epsilon(0.10));
  for (const std::int32_t k0 : {4 * m, 10 * m}) {
    const double tail = share([&](std::int32_t k) { return k >= k0; });
    INFO("k0 = " << k0);
    CHECK(tail == Approx(double(m) * (m + 1) / (double(k0) * (k0 + 1))).epsilon(0.20));
  }
}

TEST_CASE("barabasi_albert with m = 1 is a tree", "[network]") {
  const std::int32_t n = 5000;
  const Network net = make(ba_spec(1), n);
  REQUIRE(csr_violation(net) == "");
  CHECK(net.num_ties() == n - 1);
  // Connected: a breadth-first search from node 0 reaches everyone.
  std::vector<char> seen(n, 0);
  std::vector<std::int32_t> queue{0};
  seen[0] = 1;
  for (std::size_t q = 0; q < queue.size(); ++q)
    for (std::int32_t e = net.offsets[queue[q]]; e < net.offsets[queue[q] + 1]; ++e)
      if (!seen[net.neighbors[e]]) {
        seen[net.neighbors[e]] = 1;
        queue.push_back(net.neighbors[e]);
      }
  CHECK(queue.size() == static_cast<std::size_t>(n));
}

TEST_CASE("barabasi_albert with n = m + 1 is the seed star", "[network]") {
  const Network net = make(ba_spec(4), 5);
  REQUIRE(csr_violation(net) == "");
  CHECK(net.degree(0) == 4);
  for (std::int32_t i = 1; i < 5; ++i) CHECK(net.degree(i) == 1);
}

// ---- workplace --------------------------------------------------------------------------------

TEST_CASE("workplace: department blocks, within and between degrees", "[network]") {
  const std::int32_t n = 10000, d = 7;
  const double within = 8.0, between = 1.0;
  const Network net = make(workplace_spec(d, within, between), n);
  REQUIRE(csr_violation(net) == "");

  // Blocks: 10000 = 7 * 1428 + 4, so the first four departments have 1429 agents.
  std::vector<std::int32_t> dept;
  std::vector<std::int32_t> size;
  for (std::int32_t b = 0; b < d; ++b) {
    size.push_back(b < n % d ? n / d + 1 : n / d);
    dept.insert(dept.end(), static_cast<std::size_t>(size.back()), b);
  }
  REQUIRE(dept.size() == static_cast<std::size_t>(n));
  REQUIRE(size[3] == 1429);
  REQUIRE(size[4] == 1428);

  std::vector<std::int64_t> within_ties(d, 0), cross_ends(d, 0);
  std::int64_t cross_ties = 0;
  for (std::int32_t i = 0; i < n; ++i)
    for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e) {
      const std::int32_t j = net.neighbors[e];
      if (dept[i] == dept[j]) {
        if (j > i) ++within_ties[dept[i]];
      } else {
        ++cross_ends[dept[i]];
        if (j > i) ++cross_ties;
      }
    }
  // Exactly round(n * between / 2) cross ties (a shifted block boundary would break this).
  CHECK(cross_ties == std::llround(n * between / 2));

  double sum_sq = 0;
  for (const std::int32_t s : size) sum_sq += double(s) * s;
  for (std::int32_t b = 0; b < d; ++b) {
    INFO("department " << b);
    // G(s, within/(s-1)): Binomial(s(s-1)/2, p) ties, mean s * within / 2.
    const double s = size[b], p = within / (s - 1);
    const double mu = s * within / 2, sd = std::sqrt(s * (s - 1) / 2 * p * (1 - p));
    CHECK(std::abs(double(within_ties[b]) - mu) < 5 * sd);
    // Cross ties are uniform over the pairs in different departments: a tie has an end in
    // department b with probability 2 s (n - s) / (n^2 - sum s^2).
    const double mu_cross = double(cross_ties) * 2 * s * (n - s) / (double(n) * n - sum_sq);
    CHECK(std::abs(double(cross_ends[b]) - mu_cross) < 5 * std::sqrt(mu_cross));
  }
  const double within_mean =
      2.0 * double(std::accumulate(within_ties.begin(), within_ties.end(), std::int64_t{0})) / n;
  CHECK(std::abs(within_mean - within) < 4 * std::sqrt(2 * within / n));
}

TEST_CASE("workplace: exact structure in a tiny case", "[network]") {
  // 10 agents, 3 departments {0..3}, {4..6}, {7..9}; within degree 2 makes the two 3-agent
  // departments complete triangles (p = 1); no cross ties.
  const Network net = make(workplace_spec(3, 2.0, 0.0), 10);
  REQUIRE(csr_violation(net) == "");
  for (std::int32_t i = 4; i < 10; ++i) {
    const std::int32_t lo = i < 7 ? 4 : 7;
    const std::vector<std::int32_t> row(net.neighbors.begin() + net.offsets[i],
                                        net.neighbors.begin() + net.offsets[i + 1]);
    std::vector<std::int32_t> expected;
    for (std::int32_t j = lo; j < lo + 3; ++j)
      if (j != i) expected.push_back(j);
    CHECK(row == expected);
  }
  for (std::int32_t i = 0; i < 4; ++i)
    for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e) CHECK(net.neighbors[e] < 4);

  // One department per agent: only cross ties, exactly round(n * between / 2) = 15 of them.
  const Network cross = make(workplace_spec(10, 0.0, 3.0), 10);
  REQUIRE(csr_violation(cross) == "");
  CHECK(cross.num_ties() == 15);
}

// ---- complete ---------------------------------------------------------------------------------

TEST_CASE("complete: mean-field, no stored entries", "[network]") {
  NetworkSpec spec;
  spec.type = NetworkType::complete;
  const Network net = make(spec, 1000);
  CHECK(net.complete);
  CHECK(net.offsets.empty());
  CHECK(net.neighbors.empty());
  CHECK(net.num_entries() == 0);
  CHECK(net.num_ties() == 1000 * 999 / 2);
  for (std::int32_t i = 0; i < 1000; ++i) REQUIRE(net.degree(i) == 999);
  CHECK(net.find_entry(0, 1) == -1);
  // Counts are 64-bit: a million agents have 499,999,500,000 ties.
  CHECK(make(spec, 1000000).num_ties() == std::int64_t{499999500000});
}

// ---- determinism ------------------------------------------------------------------------------

TEST_CASE("generators are pure functions of the network stream", "[network]") {
  const std::int32_t n = 2000;
  const std::vector<std::pair<std::string, NetworkSpec>> specs = {
      {"erdos_renyi", er_spec(6.0)},
      {"ring endpoint", ring_spec(6, 0.2, RewireMethod::endpoint)},
      {"ring swap", ring_spec(6, 0.2, RewireMethod::swap)},
      {"watts_strogatz", ws_spec(6, 0.2)},
      {"barabasi_albert", ba_spec(2)},
      {"workplace", workplace_spec(10, 6.0, 1.0)},
  };
  for (const auto& [name, spec] : specs) {
    INFO(name);
    Rng a(7, Stream::network), b(7, Stream::network), c(8, Stream::network);
    const Network na = build_network(spec, n, a);
    const Network nb = build_network(spec, n, b);
    const Network nc = build_network(spec, n, c);
    CHECK(same_graph(na, nb));
    CHECK(a.next_u64() == b.next_u64());  // the stream continues from the same state
    CHECK_FALSE(same_graph(na, nc));
    // The generator consumed draws: a second graph from the same stream differs.
    CHECK_FALSE(same_graph(build_network(spec, n, a), nb));
  }
}

// ---- edge list --------------------------------------------------------------------------------

TEST_CASE("edge_list: header, comments, blank lines, whitespace, optional trust", "[network]") {
  const std::string path = write_temp("valid.csv",
                                      "\xEF\xBB\xBF# a small workplace\r\n"
                                      "source, target, trust\r\n"
                                      "\n"
                                      "0,1,0.5\n"
                                      "  2 ,\t1 \n"
                                      "   # an indented comment\n"
                                      "3,0,\n"
                                      "1, 3, 1\n");
  const Network net = read_edge_list(path, "valid.csv", 5);
  REQUIRE(csr_violation(net) == "");
  CHECK(net.num_ties() == 4);
  const std::vector<std::int32_t> offsets{0, 2, 5, 6, 8, 8};
  const std::vector<std::int32_t> neighbors{1, 3, 0, 2, 3, 1, 0, 1};
  CHECK(net.offsets == offsets);
  CHECK(net.neighbors == neighbors);
  CHECK(net.trust[net.find_entry(0, 1)] == 0.5f);
  CHECK(net.trust[net.find_entry(1, 0)] == 0.5f);
  CHECK(net.trust[net.find_entry(1, 3)] == 1.0f);
  CHECK(net.trust[net.find_entry(3, 1)] == 1.0f);
  CHECK(std::isnan(net.trust[net.find_entry(1, 2)]));
  CHECK(std::isnan(net.trust[net.find_entry(2, 1)]));
  CHECK(std::isnan(net.trust[net.find_entry(0, 3)]));
  CHECK(net.find_entry(0, 2) == -1);
  CHECK(net.degree(4) == 0);

  // Without a header; through build_network, which draws nothing for an edge list.
  NetworkSpec spec;
  spec.type = NetworkType::edge_list;
  spec.path = write_temp("plain.csv", "0,1\n1,2\n");
  spec.path_for_errors = "plain.csv";
  Rng rng(kSeed, Stream::network), untouched(kSeed, Stream::network);
  const Network plain = build_network(spec, 3, rng);
  REQUIRE(csr_violation(plain) == "");
  CHECK(plain.num_ties() == 2);
  CHECK(rng.next_u64() == untouched.next_u64());
}

TEST_CASE("edge_list: errors name the file, the line and what was found", "[network]") {
  struct Case {
    const char* what;
    std::string content;
    int line;
    std::vector<std::string> mentions;
  };
  const std::vector<Case> cases = {
      {"non-integer id", "0,1\n1,x\n", 2, {"integer", "'x'"}},
      {"fractional id", "0,1\n\n# c\n1,2.5\n", 4, {"integer", "'2.5'"}},
      {"id too large", "0,1\n1,5\n", 2, {"[0, 5)", "found 5"}},
      {"negative id", "-1,2\n", 1, {"[0, 5)", "found -1"}},
      {"self-loop", "0,1\n2,2\n", 2, {"self-loop"}},
      {"duplicate, reversed", "0,1\n1,2\n1,0\n", 3, {"line 1", "between 1 and 0"}},
      {"duplicate after header", "source,target\n0,1\n2,3\n2,3\n", 4, {"line 3"}},
      {"trust not a number", "0,1,abc\n", 1, {"trust", "'abc'"}},
      {"trust above 1", "0,1\n1,2,1.5\n", 2, {"trust", "[0, 1]", "'1.5'"}},
      {"trust below 0", "0,1,-0.1\n", 1, {"trust", "'-0.1'"}},
      {"trust nan", "0,1,nan\n", 1, {"trust", "'nan'"}},
      {"one field", "0,1\n3\n", 2, {"2 or 3", "1 field"}},
      {"four fields", "0,1\n1,2,0.5,7\n", 2, {"2 or 3", "4 fields"}},
  };
  int k = 0;
  for (const auto& c : cases) {
    INFO(c.what);
    const std::string path = write_temp("bad" + std::to_string(k++) + ".csv", c.content);
    try {
      read_edge_list(path, "data/staff.csv", 5);
      FAIL("no InputError for " << c.what);
    } catch (const InputError& e) {
      const std::string where = "line " + std::to_string(c.line);
      const std::string msg = e.what();
      INFO(msg);
      CHECK(e.file() == "data/staff.csv");
      CHECK(e.where() == where);
      CHECK_THAT(msg, Catch::StartsWith("data/staff.csv: " + where + ": expected "));
      for (const auto& s : c.mentions) CHECK_THAT(msg, Catch::Contains(s));
    }
  }
}

TEST_CASE("edge_list: an unreadable file is an InputError naming it", "[network]") {
  const std::string missing = (tmp_dir() / "does-not-exist.csv").string();
  std::filesystem::remove(missing);
  try {
    read_edge_list(missing, "workplaces/acme.csv", 10);
    FAIL("no InputError for a missing file");
  } catch (const InputError& e) {
    CHECK(e.file() == "workplaces/acme.csv");
    CHECK_THAT(e.what(), Catch::Contains("workplaces/acme.csv") && Catch::Contains("no such file"));
  }
  CHECK_THROWS_AS(read_edge_list(tmp_dir().string(), "dir", 10), InputError);
}

// ---- impossible specs -------------------------------------------------------------------------

TEST_CASE("impossible specs are InputErrors naming the network key", "[network]") {
  expect_spec_error(er_spec(100.0), 100, "network.mean_degree");
  expect_spec_error(er_spec(-1.0), 100, "network.mean_degree");
  expect_spec_error(ring_spec(5, 0.0, RewireMethod::endpoint), 100, "network.degree");
  expect_spec_error(ring_spec(100, 0.0, RewireMethod::endpoint), 100, "network.degree");
  expect_spec_error(ring_spec(-2, 0.0, RewireMethod::endpoint), 100, "network.degree");
  expect_spec_error(ws_spec(102, 0.1), 100, "network.degree");
  expect_spec_error(ring_spec(4, 1.5, RewireMethod::swap), 100, "network.rewire");
  expect_spec_error(ring_spec(6, 0.5, RewireMethod::swap), 7, "network.rewire");  // complete
  expect_spec_error(ba_spec(0), 100, "network.m");
  expect_spec_error(ba_spec(100), 100, "network.m");
  expect_spec_error(workplace_spec(0, 2.0, 1.0), 10, "network.departments");
  expect_spec_error(workplace_spec(11, 0.0, 1.0), 10, "network.departments");
  expect_spec_error(workplace_spec(3, 3.0, 1.0), 10, "network.within_degree");  // blocks of 3
  expect_spec_error(workplace_spec(2, 2.0, 6.0), 10, "network.between_degree");  // > 25 pairs
  expect_spec_error(workplace_spec(1, 2.0, 1.0), 10, "network.between_degree");  // one dept
  expect_spec_error(er_spec(1.0), -1, "population.size");
  expect_spec_error(workplace_spec(10, 1.0, 0.0), 10, "network.within_degree");  // one each
  expect_spec_error(workplace_spec(2, 2.0, 15.0), 20, "network.between_degree");  // > 100 pairs
  // The largest valid values are accepted, by the check and by the generator.
  for (const auto& [spec, n] : std::vector<std::pair<NetworkSpec, std::int32_t>>{
           {er_spec(99.0), 100},
           {ring_spec(98, 0.0, RewireMethod::swap), 100},
           {ba_spec(99), 100},
           {workplace_spec(2, 2.0, 5.0), 10},
           {workplace_spec(10, 0.0, 0.0), 10}})
    CHECK_NOTHROW(check_network_spec(spec, n));
  CHECK(make(er_spec(99.0), 100).num_ties() == 100 * 99 / 2);
  CHECK(make(ring_spec(98, 0.0, RewireMethod::swap), 100).num_ties() == 100 * 98 / 2);
  CHECK(make(ba_spec(99), 100).num_ties() == 99);
  CHECK(make(workplace_spec(2, 2.0, 5.0), 10).num_ties() > 0);
}

// ---- csr_from_ties ----------------------------------------------------------------------------

TEST_CASE("csr_from_ties: symmetric sorted rows, NaN trust", "[network]") {
  const Network net = csr_from_ties(5, {{3, 1}, {0, 4}, {1, 0}, {4, 3}, {2, 1}});
  REQUIRE(csr_violation(net) == "");
  const std::vector<std::int32_t> offsets{0, 2, 5, 6, 8, 10};
  const std::vector<std::int32_t> neighbors{1, 4, 0, 2, 3, 1, 1, 4, 0, 3};
  CHECK(net.offsets == offsets);
  CHECK(net.neighbors == neighbors);
  CHECK(std::all_of(net.trust.begin(), net.trust.end(), [](float t) { return std::isnan(t); }));
  CHECK(net.find_entry(2, 1) == 5);
  CHECK(net.find_entry(2, 3) == -1);
  CHECK(net.find_entry(1, 4) == -1);
}

// ---- ties added during a run ------------------------------------------------------------------

TEST_CASE("merging new ties in place gives the CSR a rebuild from the whole tie list gives",
          "[network][weaving]") {
  // A random graph whose ties carry random trust and (from the third round) accountability; each
  // round queues random new ties (rows at both ends of the id range, isolated agents, several
  // per row) and merges them. The reference rebuilds CSR from every tie with csr_from_ties and
  // sets trust and accountability tie by tie.
  constexpr std::int32_t n = 120;
  Rng rng(77, Stream::network);
  struct TieState {
    float trust;
    std::uint8_t acc;
  };
  std::map<std::pair<std::int32_t, std::int32_t>, TieState> ties;
  for (std::int32_t u = 0; u < n; ++u)
    for (std::int32_t v = u + 1; v < n; ++v)
      if (u >= 3 && rng.uniform() < 0.04)  // agents 0-2 start isolated
        ties[{u, v}] = TieState{static_cast<float>(rng.uniform()), 0};
  std::vector<std::pair<std::int32_t, std::int32_t>> list;
  for (const auto& [uv, st] : ties) list.push_back(uv);
  Network net = csr_from_ties(n, list);
  for (const auto& [uv, st] : ties) {
    net.trust[static_cast<std::size_t>(net.find_entry(uv.first, uv.second))] = st.trust;
    net.trust[static_cast<std::size_t>(net.find_entry(uv.second, uv.first))] = st.trust;
  }
  for (int round = 0; round < 8; ++round) {
    if (round == 2) {  // some ties go public: the accountability array now exists and must follow
      for (auto& [uv, st] : ties)
        if (rng.uniform() < 0.3) {
          net.set_accountable(net.find_entry(uv.first, uv.second),
                              net.find_entry(uv.second, uv.first), true);
          st.acc = 1;
        }
    }
    std::int64_t queued = 0, strong = 0;
    const auto strong_before = net.strong_changes;
    auto queue = [&](std::int32_t u, std::int32_t v) {
      const auto tau = static_cast<float>(rng.uniform());
      const auto key = std::make_pair(std::min(u, v), std::max(u, v));
      const bool fresh = u != v && !ties.count(key);
      bool queued_already = false;
      for (const auto& t : net.new_ties) queued_already |= (t.u == key.first && t.v == key.second);
      CHECK(net.add_tie(u, v, tau) == (fresh && !queued_already));
      if (fresh && !queued_already) {
        ties[key] = TieState{tau, 0};
        ++queued;
        strong += tau >= kStrongTie ? 1 : 0;
      }
    };
    queue(0, n - 1);        // the first and the last row
    queue(round % 3, 50);   // an agent that started isolated
    for (int k = 0; k < 5; ++k) queue(60, static_cast<std::int32_t>(rng.below(n)));  // one row, several
    for (int k = 0; k < 20; ++k)
      queue(static_cast<std::int32_t>(rng.below(n)), static_cast<std::int32_t>(rng.below(n)));
    CHECK(net.merge_new_ties() == queued);
    CHECK(net.strong_changes == strong_before + static_cast<std::uint64_t>(strong));

    list.clear();
    for (const auto& [uv, st] : ties) list.push_back(uv);
    Network ref = csr_from_ties(n, list);
    if (!net.accountable.empty()) ref.accountable.assign(ref.neighbors.size(), 0);
    for (const auto& [uv, st] : ties)
      for (const auto& [a, b] : {uv, std::make_pair(uv.second, uv.first)}) {
        const auto e = static_cast<std::size_t>(ref.find_entry(a, b));
        ref.trust[e] = st.trust;
        if (!ref.accountable.empty()) ref.accountable[e] = st.acc;
      }
    REQUIRE(net.offsets == ref.offsets);
    REQUIRE(net.neighbors == ref.neighbors);
    REQUIRE(net.trust == ref.trust);
    REQUIRE(net.accountable == ref.accountable);
  }
}
