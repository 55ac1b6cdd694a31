#include "model/metrics.hpp"

#include <algorithm>
#include <numeric>
#include <vector>

namespace orgsim {

RungCounts count_rungs(const Population& p, double supporter_cut, double member_cut,
                       double leader_cut) {
  RungCounts r;
  const std::int32_t n = p.size();
  for (std::int32_t i = 0; i < n; ++i) {
    const float c = p.commitment[i];
    const bool wo = p.role[static_cast<std::size_t>(i)] == Role::worker_organizer;
    if (static_cast<double>(c) >= leader_cut) ++r.leader;
    else if (static_cast<double>(c) >= member_cut) ++r.member;
    else if (static_cast<double>(c) >= supporter_cut) ++r.supporter;
    r.organized += (static_cast<double>(c) >= member_cut || wo) ? 1 : 0;
    r.worker_organizers += wo ? 1 : 0;
  }
  return r;
}

TrustStats trust_stats(const Network& net) {
  TrustStats s;
  if (net.complete) return s;
  for (const float tau : net.trust) {
    s.sum += tau;
    s.strong += tau >= kStrongTie ? 1 : 0;
  }
  s.entries = static_cast<std::int64_t>(net.trust.size());
  return s;
}

std::int64_t strong_component(const Network& net) {
  if (net.complete || net.n == 0) return 0;
  std::vector<std::int32_t> parent(static_cast<std::size_t>(net.n));
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](std::int32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  bool any = false;
  for (std::int32_t i = 0; i < net.n; ++i)
    for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e) {
      const std::int32_t j = net.neighbors[e];
      if (j <= i || net.trust[e] < kStrongTie) continue;
      any = true;
      const std::int32_t a = find(i), b = find(j);
      if (a != b) parent[std::max(a, b)] = std::min(a, b);
    }
  if (!any) return 0;
  std::vector<std::int32_t> size(static_cast<std::size_t>(net.n), 0);
  std::int32_t best = 0;
  for (std::int32_t i = 0; i < net.n; ++i) best = std::max(best, ++size[find(i)]);
  return best;
}

void GrowingCohesion::reset() {
  std::fill(in_.begin(), in_.end(), 0);
  sum_ = 0.0;
  ties_ = 0;
}

void GrowingCohesion::add(const Network& net, std::int32_t i) {
  auto& flag = in_[static_cast<std::size_t>(i)];
  if (flag) return;
  flag = 1;
  if (net.complete) return;
  // Each tie inside the group counts from both ends, as cohesion() counts CSR entries.
  for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e)
    if (in_[static_cast<std::size_t>(net.neighbors[e])]) {
      sum_ += 2.0 * static_cast<double>(net.trust[e]);
      ties_ += 2;
    }
}

}  // namespace orgsim
