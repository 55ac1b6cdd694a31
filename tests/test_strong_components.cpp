// The strong-tie components kept up to date from the network's log of strong-line crossings
// (StrongComponents, sim/model/metrics.cpp) against the full recomputation strong_component().
//
// Organised by claim: by hand, a tie that falls below the line splits a component and one that
// rises joins two; on random graphs under random trust changes (both ways, through every kind of
// writer: set_tie, bulk writers that note their crossings, new ties) every update equals the
// full recomputation, and the update applied the log rather than recomputing; an overflowing
// log falls back to the full recomputation.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "core/rng.hpp"
#include "model/metrics.hpp"
#include "model/network.hpp"

using namespace orgsim;

namespace {

Network graph(std::int32_t n, const std::vector<std::pair<std::int32_t, std::int32_t>>& ties,
              float tau) {
  Network net = csr_from_ties(n, ties);
  std::fill(net.trust.begin(), net.trust.end(), tau);
  return net;
}

void set(Network& net, std::int32_t i, std::int32_t j, float tau) {
  net.set_tie(net.find_entry(i, j), net.find_entry(j, i), tau);
}

}  // namespace

TEST_CASE("strong components by hand: a weakened tie splits, a strengthened one joins",
          "[metrics][components]") {
  // Two strong paths 0-1-2-3-4 and 5-6-7, weakly tied by 4-5.
  Network net = graph(8, {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}, {6, 7}}, 0.8f);
  set(net, 4, 5, 0.2f);
  StrongComponents sc;
  CHECK(sc.update(net) == 5);
  CHECK(sc.rebuilds() == 1);  // the first update computes everything
  set(net, 1, 2, 0.1f);       // splits 0-1 | 2-3-4
  CHECK(sc.update(net) == 3);
  set(net, 4, 5, 0.9f);       // joins 2-3-4 and 5-6-7
  CHECK(sc.update(net) == 6);
  set(net, 1, 2, 0.6f);
  set(net, 4, 5, 0.3f);       // both in one log: 0-1-2-3-4 again, 5-6-7 apart
  CHECK(sc.update(net) == 5);
  set(net, 0, 1, 0.2f);       // a crossing undone before the update changes nothing
  set(net, 0, 1, 0.7f);
  CHECK(sc.update(net) == 5);
  for (auto [i, j] : std::vector<std::pair<int, int>>{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {5, 6}, {6, 7}})
    set(net, i, j, 0.0f);
  CHECK(sc.update(net) == 0);  // no strong tie left
  CHECK(sc.rebuilds() == 1);
  CHECK(strong_component(net) == 0);
}

TEST_CASE("strong components kept from the log equal the full recomputation under random changes",
          "[metrics][components]") {
  // A random graph (mean degree about 6) whose strong share drifts up and down, so the strong
  // graph passes through small pieces, a giant component and back.
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    Rng rng(seed, Stream::network);
    constexpr std::int32_t n = 400;
    std::vector<std::pair<std::int32_t, std::int32_t>> ties;
    for (std::int32_t u = 0; u < n; ++u)
      for (std::int32_t v = u + 1; v < n; ++v)
        if (rng.uniform() < 6.0 / n) ties.emplace_back(u, v);
    Network net = graph(n, ties, 0.0f);
    for (std::int32_t i = 0; i < n; ++i)
      for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e)
        if (net.neighbors[e] > i) set(net, i, net.neighbors[e], static_cast<float>(rng.uniform() * 0.8));
    StrongComponents sc;
    std::int64_t mismatches = 0, largest_seen = 0;
    for (int step = 0; step < 120; ++step) {
      const double p_strong = 0.2 + 0.25 * (1.0 + std::sin(step / 9.0));  // 0.2 .. 0.7
      const int changes = 1 + static_cast<int>(rng.below(40));
      for (int k = 0; k < changes; ++k) {
        const auto e = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(net.num_entries())));
        const std::int32_t j = net.neighbors[static_cast<std::size_t>(e)];
        const float tau = rng.uniform() < p_strong ? 0.5f + 0.5f * static_cast<float>(rng.uniform())
                                                   : 0.49f * static_cast<float>(rng.uniform());
        std::int32_t i = 0;  // the row of entry e
        while (net.offsets[i + 1] <= e) ++i;
        const auto twin = net.find_entry(j, i);
        if (k % 2 == 0) {
          net.set_tie(e, twin, tau);
        } else {
          // A bulk writer: sets both entries directly and notes the crossing once per tie
          // (from either end).
          const bool was = net.trust[static_cast<std::size_t>(e)] >= kStrongTie;
          net.trust[static_cast<std::size_t>(e)] = tau;
          net.trust[static_cast<std::size_t>(twin)] = tau;
          if (was != (tau >= kStrongTie)) {
            if (k % 4 == 1) net.note_strong_flip(i, j);
            else net.note_strong_flip(j, i);
          }
        }
      }
      if (step % 7 == 3) {  // organizers' introductions, some of them strong
        for (int k = 0; k < 5; ++k)
          net.add_tie(static_cast<std::int32_t>(rng.below(n)), static_cast<std::int32_t>(rng.below(n)),
                      static_cast<float>(rng.uniform()));
        net.merge_new_ties();
      }
      const std::int64_t kept = sc.update(net), full = strong_component(net);
      mismatches += kept != full ? 1 : 0;
      largest_seen = std::max(largest_seen, full);
      CHECK(kept == full);
      CHECK(net.strong_log.empty());
    }
    CHECK(mismatches == 0);
    CHECK(largest_seen > n / 2);  // the walk went through a giant component
    // Nearly every update applied the log; a few steps with many crossings in the giant
    // component cost more than half a full pass and fell back to it.
    CHECK(sc.rebuilds() <= 6);
  }
}

TEST_CASE("an overflowing strong-line log falls back to the full recomputation",
          "[metrics][components]") {
  std::vector<std::pair<std::int32_t, std::int32_t>> ties;
  constexpr std::int32_t n = 3000;
  for (std::int32_t i = 0; i + 1 < n; ++i) ties.emplace_back(i, i + 1);
  Network net = graph(n, ties, 0.9f);
  StrongComponents sc;
  CHECK(sc.update(net) == n);
  // Every other tie falls below the line: more crossings than the log keeps.
  for (std::int32_t i = 0; i + 1 < n; i += 2) set(net, i, i + 1, 0.1f);
  CHECK(net.strong_log_full);
  CHECK(sc.update(net) == 2);
  CHECK(sc.rebuilds() == 2);
  CHECK_FALSE(net.strong_log_full);
  set(net, 0, 1, 0.9f);  // 0-1-2
  CHECK(sc.update(net) == 3);
  CHECK(sc.rebuilds() == 2);
}
