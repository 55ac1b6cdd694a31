#include "engine/snapshot.hpp"

#include "engine/simulation.hpp"

namespace orgsim {

bool snapshot_due(std::int32_t t, std::int32_t steps, std::int32_t every) noexcept {
  if (every <= 0) return false;
  return t % every == 0 || t == steps - 1;
}

Snapshots snapshot_layout(const Simulation& sim, const ModelConfig& cfg,
                          const SnapshotOptions& opt) {
  Snapshots s;
  s.every = opt.every;
  s.staff_organizers = cfg.staff_organizers;
  const Network& net = sim.network();
  const std::int32_t n = sim.population().size();
  s.department.assign(static_cast<std::size_t>(n), 0);
  for (std::int32_t i = 0; i < n; ++i)
    s.department[static_cast<std::size_t>(i)] = department_of(cfg.network, n, i);
  if (!net.complete) {
    for (std::int32_t i = 0; i < n; ++i)
      for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e) {
        const std::int32_t j = net.neighbors[static_cast<std::size_t>(e)];
        if (i < j) {
          s.tie_i.push_back(i);
          s.tie_j.push_back(j);
        }
      }
  }
  return s;
}

Frame take_frame(const Simulation& sim, const ModelConfig& cfg, Snapshots& layout,
                 const SnapshotOptions& opt) {
  const Population& p = sim.population();
  const Network& net = sim.network();
  const std::int32_t n = p.size();
  const auto un = static_cast<std::size_t>(n);
  Frame f;
  f.step = sim.current_step() - 1;
  f.rung.resize(un);
  f.commitment.resize(un);
  f.trust_degree.assign(un, 0.0f);
  f.staff_trust.resize(un);
  f.role.resize(un);
  f.took_part.resize(un);
  f.last_action.resize(un);
  for (std::int32_t i = 0; i < n; ++i) {
    const auto k = static_cast<std::size_t>(i);
    const double c = static_cast<double>(p.commitment[i]);
    f.rung[k] = static_cast<std::int8_t>(c >= cfg.ladder_leader   ? Rung::leader
                                         : c >= cfg.ladder_member ? Rung::member
                                         : c >= cfg.ladder_supporter ? Rung::supporter
                                                                     : Rung::unengaged);
    f.commitment[k] = p.commitment[i];
    // Staff trust is campaign state (0 without a campaign); the last action is kept whenever
    // snapshots are on (arrays_needed).
    f.staff_trust[k] = p.staff_trust.size() > 0 ? p.staff_trust[i] : 0.0f;
    f.role[k] = static_cast<std::uint8_t>(p.role[k]);
    f.last_action[k] = p.last_action.empty() ? -1 : p.last_action[k];
    // Before the first step (step -1, week 0) nobody has taken part: last_action -1 means never.
    f.took_part[k] = f.step >= 0 && f.last_action[k] == f.step ? 1 : 0;
    if (!net.complete) {
      float sum = 0.0f;
      for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e)
        sum += net.trust[static_cast<std::size_t>(e)];
      f.trust_degree[k] = sum;
    }
  }
  if (opt.ties && !net.complete) {
    const auto ties_now = static_cast<std::size_t>(net.offsets[n]) / 2;
    if (ties_now == layout.tie_i.size() && layout.tie_index.empty()) {
      // The graph has not grown (ties are never removed): CSR order is the layout's order.
      f.tie_trust.reserve(ties_now);
      for (std::int32_t i = 0; i < n; ++i)
        for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e)
          if (i < net.neighbors[static_cast<std::size_t>(e)])
            f.tie_trust.push_back(net.trust[static_cast<std::size_t>(e)]);
    } else {
      auto key = [](std::int32_t i, std::int32_t j) {
        return static_cast<std::uint64_t>(static_cast<std::uint32_t>(i)) << 32 |
               static_cast<std::uint32_t>(j);
      };
      if (layout.tie_index.empty())
        for (std::size_t k = 0; k < layout.tie_i.size(); ++k)
          layout.tie_index.emplace(key(layout.tie_i[k], layout.tie_j[k]),
                                   static_cast<std::int32_t>(k));
      f.tie_trust.assign(ties_now, 0.0f);
      for (std::int32_t i = 0; i < n; ++i)
        for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e) {
          const std::int32_t j = net.neighbors[static_cast<std::size_t>(e)];
          if (i >= j) continue;
          auto [it, added] = layout.tie_index.emplace(
              key(i, j), static_cast<std::int32_t>(layout.tie_i.size()));
          if (added) {
            layout.tie_i.push_back(i);
            layout.tie_j.push_back(j);
          }
          f.tie_trust[static_cast<std::size_t>(it->second)] = net.trust[static_cast<std::size_t>(e)];
        }
    }
  }
  return f;
}

}  // namespace orgsim
