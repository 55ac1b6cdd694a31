#pragma once
// Measures of the state that several phases and the recorder share: who counts as organized,
// the ladder's rung counts, trust on ties, cohesion of a group and the strong-tie component.
// Each is a plain function over the state; the Simulation decides when to call them (only when
// what they read may have changed: docs/MODEL.md "Implementation").
#include <cstdint>
#include <vector>

#include "model/network.hpp"
#include "model/population.hpp"

namespace orgsim {

/// At least `cut` on the ladder, or a worker-organizer (who counts at every rung): the one
/// place that rule is written. The employer's threats and firings and a rung of seeds use it at
/// other rungs.
inline bool at_rung_or_organizer(const Population& p, std::int32_t i, double cut) noexcept {
  return p.commitment[i] >= cut || p.role[static_cast<std::size_t>(i)] == Role::worker_organizer;
}

/// The organized base: at least a member on the ladder, or a worker-organizer (the one
/// definition every phase uses).
inline bool committed(const Population& p, std::int32_t i, double member_cut) noexcept {
  return at_rung_or_organizer(p, i, member_cut);
}

struct RungCounts {
  std::int64_t supporter = 0, member = 0, leader = 0;  // highest rung reached (disjoint)
  std::int64_t organized = 0;                          // committed(): member+ or worker-organizer
  std::int64_t worker_organizers = 0;
};
/// Every yes on the organizers' sheets (actions.assessment = "yeses"): the organized base plus
/// everyone who said yes to an ask, soft yeses included (a card once signed stays signed). One
/// pass over the agents; without a campaign (no said_yes array) it is the organized base.
std::int64_t count_yeses(const Population& p, double member_cut);

/// One pass over the agents.
RungCounts count_rungs(const Population& p, double supporter_cut, double member_cut,
                       double leader_cut);

struct TrustStats {
  double sum = 0.0;          // over CSR entries (each tie twice, with equal trust)
  std::int64_t strong = 0;   // entries with trust >= kStrongTie
  std::int64_t entries = 0;
  double mean() const noexcept { return entries > 0 ? sum / static_cast<double>(entries) : 0.0; }
  double strong_share() const noexcept {
    return entries > 0 ? static_cast<double>(strong) / static_cast<double>(entries) : 0.0;
  }
};
/// One pass over the CSR entries.
TrustStats trust_stats(const Network& net);

/// The sums of trust_stats() over `entries` trust values, as every caller computes them: the sum
/// runs in four interleaved lanes (entry e into lane e mod 4, the lanes added as
/// (0 + 1) + (2 + 3)). Four independent chains of additions that the compiler can put in vector
/// registers, instead of one chain bound by the latency of each addition. Every caller sums in
/// this order, so a cached and a fresh statistic agree bit for bit.
struct TrustFold {
  double lane[4] = {0.0, 0.0, 0.0, 0.0};
  std::int64_t strong = 0;
  /// Adds `count` values starting at entry `first`; `first` a multiple of 4 unless this is the
  /// last call.
  void add(const float* t, std::int64_t first, std::int64_t count) noexcept {
    std::int64_t k = 0;
    for (; k + 4 <= count; k += 4)
      for (int j = 0; j < 4; ++j) {
        lane[j] += t[k + j];
        strong += t[k + j] >= kStrongTie ? 1 : 0;
      }
    for (; k < count; ++k) {
      lane[(first + k) & 3] += t[k];
      strong += t[k] >= kStrongTie ? 1 : 0;
    }
  }
  TrustStats stats(std::int64_t entries) const noexcept {
    TrustStats s;
    s.sum = (lane[0] + lane[1]) + (lane[2] + lane[3]);
    s.strong = strong;
    s.entries = entries;
    return s;
  }
};

/// Size of the largest connected component of the graph of strong ties (union-find, O(n + m));
/// 0 when there is no strong tie or the graph is complete (no ties stored).
std::int64_t strong_component(const Network& net);

/// The components of the strong-tie graph kept up to date between steps. update() reads the
/// network's log of ties that crossed the strong line since the last update (Network::strong_log)
/// and returns what strong_component() would: a tie that became strong joins two components
/// (the smaller is relabelled); a tie that fell below the line is taken out one at a time, and a
/// search from both of its ends, alternating, either meets (still one component) or exhausts the
/// smaller side, which becomes a component of its own. Cost: the components the logged ties
/// touch, not the graph. Everything is recomputed (as strong_component()) on the first update,
/// when the log overflowed (Network::strong_log_limit()), when the population size changed, and
/// when the searches pass half the cost of a full pass; after searches gave up, a log at least
/// half as long goes straight to the recomputation (but for every eighth). Exact either way.
/// A tie logged an even number of times crossed and crossed back: it is skipped.
class StrongComponents {
 public:
  /// Takes (and clears) `net.strong_log`; returns the size of the largest component of strong
  /// ties, 0 when there is no strong tie or the graph is complete.
  std::int64_t update(Network& net);
  /// How many updates recomputed everything (the rest applied the log).
  std::int64_t rebuilds() const noexcept { return rebuilds_; }

 private:
  void rebuild(const Network& net);
  /// Applies the logged ties; false when it gave up (the searches passed `budget` entries).
  bool apply(const Network& net, std::vector<std::uint64_t>& keys, std::int64_t budget);
  /// Whether the tie at `e` (row x) belongs to the graph being searched: strong now, or a tie
  /// that was strong and whose removal is not yet processed (in pending_).
  bool usable(const Network& net, std::int32_t x, std::int64_t e) const noexcept;
  void resize_component(std::int32_t label, std::int32_t by);
  std::int32_t free_label(const std::vector<std::int32_t>& part);

  std::int32_t n_ = -1;
  std::vector<std::int32_t> label_;  // component label of each agent
  std::vector<std::int32_t> size_;   // agents per label (0 = label unused)
  // A label is free when no agent carries it (size_ 0): free_label() finds one for a part split
  // off (no list of free labels is kept).
  std::int32_t best_ = 0;            // the largest size (exact unless best_stale_)
  bool best_stale_ = false;          // a component of the largest size shrank: rescan at the end
  std::int32_t cursor_ = 0;          // where free_label() looks next
  std::int64_t rebuilds_ = 0;
  std::size_t gave_up_at_ = 0;  // ties in the log whose searches last gave up (0: they did not)
  std::uint32_t skipped_ = 0;   // logs sent straight to the recomputation since then
  // Searches: visit stamps (stamp_ == epoch_ one side, epoch_ + 1 the other) and their queues.
  std::vector<std::uint32_t> stamp_;
  std::uint32_t epoch_ = 0;
  std::vector<std::int32_t> side_[2];
  // Ties that fell below the line, not yet taken out (sorted keys; taken out = 0 in live_).
  std::vector<std::uint64_t> pending_;
  std::vector<std::uint8_t> live_;
  std::vector<std::int32_t> pending_at_;  // per agent: live pending ties it is an end of
  std::vector<std::uint64_t> keys_;  // the log being applied
  std::vector<std::int32_t> near_;   // a searched agent's neighbours along usable ties
};

/// Cohesion of a group: mean trust over the ties whose two ends are both in it (0 if none).
/// `in(i)` says whether agent i belongs. On a complete graph the trust of every tie is
/// `complete_trust`.
template <class In>
double cohesion(const Network& net, In in, double complete_trust) {
  if (net.complete) return complete_trust;
  double sum = 0.0;
  std::int64_t ties = 0;
  for (std::int32_t i = 0; i < net.n; ++i) {
    if (!in(i)) continue;
    // Branch-free: an entry to an outsider adds exactly 0 (same sum, in the same order); the
    // 0/1 weight is arithmetic, as whether a neighbour belongs is no pattern a predictor learns.
    for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e) {
      const std::int32_t both = in(net.neighbors[e]) ? 1 : 0;
      sum += static_cast<double>(net.trust[e]) * static_cast<double>(both);
      ties += both;
    }
  }
  return ties > 0 ? sum / static_cast<double>(ties) : 0.0;
}

/// Cohesion kept up to date while a group only grows and trust does not change: add() each new
/// member once; value() then equals cohesion() over the members added so far (up to the order
/// of the double sums). reset() empties it.
class GrowingCohesion {
 public:
  explicit GrowingCohesion(std::int32_t n) : in_(static_cast<std::size_t>(n), 0) {}
  void reset();
  void add(const Network& net, std::int32_t i);
  double value() const noexcept { return ties_ > 0 ? sum_ / static_cast<double>(ties_) : 0.0; }

 private:
  std::vector<std::uint8_t> in_;
  double sum_ = 0.0;
  std::int64_t ties_ = 0;
};

}  // namespace orgsim
