#include "model/metrics.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace orgsim {

std::int64_t count_yeses(const Population& p, double member_cut) {
  std::int64_t k = 0;
  const bool asked = !p.said_yes.empty();  // only a campaign asks
  for (std::int32_t i = 0; i < p.size(); ++i) {
    const bool yes = asked && p.said_yes[static_cast<std::size_t>(i)];
    k += (yes || committed(p, i, member_cut)) ? 1 : 0;
  }
  return k;
}

RungCounts count_rungs(const Population& p, double supporter_cut, double member_cut,
                       double leader_cut) {
  // Without a branch per agent (a commitment is as likely on one side of a cut as the other
  // under a busy campaign): each rung counts the agents at or above its cut and below the next
  // one up, exactly the first cut of leader, member, supporter that the commitment meets.
  const std::int32_t n = p.size();
  const float* const commitment = p.commitment.data();
  const Role* const role = p.role.data();
  std::int64_t leader = 0, member = 0, supporter = 0, organized = 0, organizers = 0;
  for (std::int32_t i = 0; i < n; ++i) {
    const auto c = static_cast<double>(commitment[i]);
    const int at_leader = c >= leader_cut ? 1 : 0, at_member = c >= member_cut ? 1 : 0,
              at_supporter = c >= supporter_cut ? 1 : 0;
    const int wo = role[i] == Role::worker_organizer ? 1 : 0;
    leader += at_leader;
    member += at_member & (at_leader ^ 1);
    supporter += at_supporter & ((at_leader | at_member) ^ 1);
    organized += at_member | wo;  // committed()
    organizers += wo;
  }
  RungCounts r;
  r.leader = leader;
  r.member = member;
  r.supporter = supporter;
  r.organized = organized;
  r.worker_organizers = organizers;
  return r;
}

TrustStats trust_stats(const Network& net) {
  if (net.complete) return {};
  TrustFold f;
  const auto entries = static_cast<std::int64_t>(net.trust.size());
  f.add(net.trust.data(), 0, entries);
  return f.stats(entries);
}

namespace {

/// Union-find over the strong ties: afterwards parent[i] is the root of i's component (the
/// smallest id in it). Each tie is read once, from its lower end's row (rows are sorted: the
/// entries past the row's own id). Returns whether any tie is strong.
bool strong_union_find(const Network& net, std::vector<std::int32_t>& parent) {
  parent.resize(static_cast<std::size_t>(net.n));
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](std::int32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  bool any = false;
  const std::int32_t* const nb = net.neighbors.data();
  const float* const trust = net.trust.data();
  const std::int32_t* const offsets = net.offsets.data();
  std::vector<std::int32_t> strong;  // a row's strong neighbours past its own id
  for (std::int32_t i = 0; i < net.n; ++i) {
    // From the row's end down to its own id: a scan, not a binary search (whose unpredictable
    // branches cost more than the entries it skips). The order of the unions does not change
    // the roots (each the smallest id of its component). i's root is found once a row and kept.
    // The strong neighbours are listed first without a branch on trust (whether a tie is strong
    // is as good as a coin flip under a busy campaign), then joined.
    const std::int32_t first = offsets[i];
    if (strong.size() < static_cast<std::size_t>(offsets[i + 1] - first))
      strong.resize(static_cast<std::size_t>(offsets[i + 1] - first));
    std::size_t k = 0;
    for (std::int32_t e = offsets[i + 1] - 1; e >= first && nb[e] > i; --e) {
      strong[k] = nb[e];
      k += trust[e] >= kStrongTie ? 1 : 0;
    }
    if (k == 0) continue;
    any = true;
    std::int32_t a = find(i);
    for (std::size_t q = 0; q < k; ++q) {
      const std::int32_t b = find(strong[q]);
      if (a < b) {
        parent[b] = a;
      } else if (b < a) {
        parent[a] = b;
        a = b;
      }
    }
  }
  // A parent's id is never above its child's (a union points the larger root at the smaller,
  // halving only shortens paths), so i's parent already holds its root when i is reached.
  for (std::int32_t i = 0; i < net.n; ++i) parent[i] = parent[parent[i]];
  return any;
}

}  // namespace

std::int64_t strong_component(const Network& net) {
  if (net.complete || net.n == 0) return 0;
  std::vector<std::int32_t> parent;
  if (!strong_union_find(net, parent)) return 0;
  std::vector<std::int32_t> size(static_cast<std::size_t>(net.n), 0);
  std::int32_t best = 0;
  for (const std::int32_t r : parent) best = std::max(best, ++size[static_cast<std::size_t>(r)]);
  return best;
}

// ---- StrongComponents ---------------------------------------------------------------------------

std::int64_t StrongComponents::update(Network& net) {
  if (net.complete || net.n == 0) {
    net.strong_log.clear();
    net.strong_log_full = false;
    return 0;
  }
  keys_.assign(net.strong_log.begin(), net.strong_log.end());
  net.strong_log.clear();
  const bool full = net.strong_log_full;
  net.strong_log_full = false;
  // The searches may cost up to half a full recomputation before it is chosen instead.
  const std::int64_t budget = 1024 + (net.n + net.num_entries()) / 2;
  if (n_ != net.n || full || !apply(net, keys_, budget)) rebuild(net);
  return best_ >= 2 ? best_ : 0;
}

void StrongComponents::rebuild(const Network& net) {
  ++rebuilds_;
  n_ = net.n;
  const auto n = static_cast<std::size_t>(n_);
  // Union-find as in strong_component(): every agent is labelled by its root.
  strong_union_find(net, label_);
  size_.assign(n, 0);
  for (const std::int32_t l : label_) ++size_[l];
  best_ = n_ > 0 ? *std::max_element(size_.begin(), size_.end()) : 0;
  best_stale_ = false;
  stamp_.assign(n, 0);
  epoch_ = 0;
  pending_at_.assign(n, 0);
}

std::int32_t StrongComponents::free_label(const std::vector<std::int32_t>& part) {
  // Usually one of the part's own ids is free; else the next free label from a rotating
  // cursor. A part splits off a component of two or more agents, so fewer components than
  // agents exist and some label is free.
  for (const std::int32_t x : part)
    if (size_[static_cast<std::size_t>(x)] == 0) return x;
  for (std::int32_t k = 0; k < n_; ++k) {
    const std::int32_t l = (cursor_ + k) % n_;
    if (size_[static_cast<std::size_t>(l)] == 0) {
      cursor_ = (l + 1) % n_;
      return l;
    }
  }
  throw std::logic_error("StrongComponents: no free label");
}

bool StrongComponents::usable(const Network& net, std::int32_t x, std::int64_t e) const noexcept {
  if (net.trust[e] >= kStrongTie) return true;
  if (pending_at_[static_cast<std::size_t>(x)] == 0) return false;
  const std::uint64_t key = Network::strong_key(x, net.neighbors[e]);
  const auto it = std::lower_bound(pending_.begin(), pending_.end(), key);
  return it != pending_.end() && *it == key && live_[static_cast<std::size_t>(it - pending_.begin())];
}

void StrongComponents::resize_component(std::int32_t label, std::int32_t by) {
  std::int32_t& s = size_[label];
  if (by < 0 && s == best_) best_stale_ = true;
  s += by;
  best_ = std::max(best_, s);
}

bool StrongComponents::apply(const Network& net, std::vector<std::uint64_t>& keys,
                             std::int64_t budget) {
  // Every crossing is logged once per tie and crossings alternate, so a tie logged an even
  // number of times is on the side of the line where it was at the last update: only the ties
  // logged an odd number of times changed the strong graph (a tie that an action raised over
  // the line and decay pulled back in the same step costs nothing).
  std::sort(keys.begin(), keys.end());
  std::size_t kept = 0;
  for (std::size_t a = 0; a < keys.size();) {
    std::size_t b = a + 1;
    while (b < keys.size() && keys[b] == keys[a]) ++b;
    if ((b - a) % 2 == 1) keys[kept++] = keys[a];
    a = b;
  }
  keys.resize(kept);
  // When the last attempt gave up, a log at least half as long is likely to give up too: its
  // searches would only add to the recomputation. Every eighth such log is tried all the same,
  // so a graph whose searches became cheap is noticed.
  if (gave_up_at_ > 0 && keys.size() >= gave_up_at_ / 2 && ++skipped_ % 8 != 0) return false;
  std::int64_t work = 0;
  // The neighbours of x along usable ties, in row order, listed in near_. An agent with no
  // pending tie (nearly all) has only its strong ties usable: they are listed without a branch
  // on trust (whether a tie is strong is as good as a coin flip near the line), and only they
  // are then looked up in the labels or stamps (random reads).
  const std::int32_t* const nb = net.neighbors.data();
  const float* const trust = net.trust.data();
  auto usable_neighbours = [&](std::int32_t x) {
    const std::int32_t first = net.offsets[x], last = net.offsets[x + 1];
    work += last - first;
    if (near_.size() < static_cast<std::size_t>(last - first))
      near_.resize(static_cast<std::size_t>(last - first));
    std::size_t k = 0;
    if (pending_at_[static_cast<std::size_t>(x)] == 0) {
      for (std::int32_t e = first; e < last; ++e) {
        near_[k] = nb[e];
        k += trust[e] >= kStrongTie ? 1 : 0;
      }
    } else {
      for (std::int32_t e = first; e < last; ++e)
        if (usable(net, x, e)) near_[k++] = nb[e];
    }
    return k;
  };
  // Ties now below the line wait in pending_; until taken out they still join their ends, so
  // the graph searched is the strong graph as it was plus the ties that became strong.
  pending_.clear();
  std::vector<std::uint8_t> strong(keys.size(), 0);
  for (std::size_t k = 0; k < keys.size(); ++k) {
    const auto i = static_cast<std::int32_t>(keys[k] >> 32);
    const auto j = static_cast<std::int32_t>(keys[k] & 0xffffffffULL);
    const std::int64_t e = net.find_entry(i, j);
    strong[k] = e >= 0 && net.trust[static_cast<std::size_t>(e)] >= kStrongTie;
    if (!strong[k]) pending_.push_back(keys[k]);
  }
  live_.assign(pending_.size(), 1);
  auto take_out = [&](std::size_t k) {
    live_[k] = 0;
    --pending_at_[static_cast<std::size_t>(pending_[k] >> 32)];
    --pending_at_[static_cast<std::size_t>(pending_[k] & 0xffffffffULL)];
  };
  for (const std::uint64_t key : pending_) {
    ++pending_at_[static_cast<std::size_t>(key >> 32)];
    ++pending_at_[static_cast<std::size_t>(key & 0xffffffffULL)];
  }

  // 1. Ties that became strong: the smaller of the two components takes the larger's label.
  std::vector<std::int32_t>& queue = side_[0];
  for (std::size_t k = 0; k < keys.size(); ++k) {
    if (!strong[k]) continue;
    const auto i = static_cast<std::int32_t>(keys[k] >> 32);
    const auto j = static_cast<std::int32_t>(keys[k] & 0xffffffffULL);
    const std::int32_t a = label_[i], b = label_[j];
    if (a == b) continue;
    const bool a_small = size_[a] < size_[b];
    const std::int32_t small = a_small ? a : b, big = a_small ? b : a;
    queue.assign(1, a_small ? i : j);
    label_[queue[0]] = big;
    for (std::size_t q = 0; q < queue.size(); ++q) {
      const std::size_t found = usable_neighbours(queue[q]);
      for (std::size_t r = 0; r < found; ++r) {
        const std::int32_t y = near_[r];
        if (label_[y] != small) continue;
        label_[y] = big;
        queue.push_back(y);
      }
    }
    // The search must have found the whole component; if not, the log missed a tie.
    if (static_cast<std::int32_t>(queue.size()) != size_[small] || work > budget) {
      gave_up_at_ = keys.size();
      return false;
    }
    const std::int32_t moved = size_[small];
    resize_component(small, -moved);
    resize_component(big, moved);
  }

  // A tie now below the line whose ends lie in different components was not strong before
  // (a strong tie's ends share a label): it joins nothing.
  for (std::size_t k = 0; k < pending_.size(); ++k) {
    const auto i = static_cast<std::int32_t>(pending_[k] >> 32);
    const auto j = static_cast<std::int32_t>(pending_[k] & 0xffffffffULL);
    if (label_[i] != label_[j]) take_out(k);
  }

  // 2. Ties that fell below the line, one at a time: search from both ends, one agent from each
  // side in turn, until the sides meet or one side has nothing left to visit.
  for (std::size_t k = 0; k < pending_.size(); ++k) {
    if (!live_[k]) continue;
    take_out(k);
    const auto i = static_cast<std::int32_t>(pending_[k] >> 32);
    const auto j = static_cast<std::int32_t>(pending_[k] & 0xffffffffULL);
    if (epoch_ > 0xfffffff0u) {
      std::fill(stamp_.begin(), stamp_.end(), 0u);
      epoch_ = 0;
    }
    epoch_ += 2;
    side_[0].assign(1, i);
    side_[1].assign(1, j);
    stamp_[static_cast<std::size_t>(i)] = epoch_;
    stamp_[static_cast<std::size_t>(j)] = epoch_ + 1;
    std::size_t head[2] = {0, 0};
    int exhausted = -1;
    bool met = false;
    while (!met && exhausted < 0) {
      for (int s = 0; s < 2 && !met; ++s) {
        auto& mine = side_[s];
        if (head[s] == mine.size()) {
          exhausted = s;
          break;
        }
        const std::size_t found = usable_neighbours(mine[head[s]++]);
        for (std::size_t r = 0; r < found; ++r) {
          const std::int32_t y = near_[r];
          const std::uint32_t st = stamp_[static_cast<std::size_t>(y)];
          if (st == epoch_ + static_cast<std::uint32_t>(s)) continue;
          if (st == epoch_ + static_cast<std::uint32_t>(1 - s)) {
            met = true;
            break;
          }
          stamp_[static_cast<std::size_t>(y)] = epoch_ + static_cast<std::uint32_t>(s);
          mine.push_back(y);
        }
      }
      if (work > budget) {
        gave_up_at_ = keys.size();
        return false;
      }
    }
    if (met) continue;
    // The exhausted side is a component of its own now.
    const auto& part = side_[exhausted];
    const std::int32_t old = label_[i], fresh = free_label(part);
    for (const std::int32_t x : part) label_[x] = fresh;
    const auto moved = static_cast<std::int32_t>(part.size());
    resize_component(old, -moved);
    resize_component(fresh, moved);
  }
  if (best_stale_) {
    best_ = *std::max_element(size_.begin(), size_.end());
    best_stale_ = false;
  }
  gave_up_at_ = 0;
  skipped_ = 0;
  return true;
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
