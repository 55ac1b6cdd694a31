#include "model/decay.hpp"

#include <algorithm>

namespace orgsim {

namespace {

/// The sums of embeddedness() before each is divided by the degree; false (and every sum 0)
/// when there is nothing to sum (a complete graph or no tie).
bool embedded_sums(const ModelConfig& cfg, const Population& pop, const Network& net,
                   std::vector<float>& e) {
  e.assign(static_cast<std::size_t>(cfg.n), 0.0f);
  if (net.complete || net.num_entries() == 0) return false;
  for (std::int32_t j = 0; j < cfg.n; ++j) {
    if (!committed(pop, j, cfg.ladder_member)) continue;
    for (std::int32_t k = net.offsets[j]; k < net.offsets[j + 1]; ++k)
      e[static_cast<std::size_t>(net.neighbors[k])] += net.trust[k];  // tau_ji = tau_ij
  }
  return true;
}

/// e_i from its sum: divided by the degree (0 without ties).
inline float per_tie(float sum, std::int32_t deg) {
  return deg > 0 ? sum / static_cast<float>(deg) : 0.0f;
}

}  // namespace

void embeddedness(const ModelConfig& cfg, const Population& pop, const Network& net,
                  std::vector<float>& e) {
  if (!embedded_sums(cfg, pop, net, e)) return;
  for (std::int32_t i = 0; i < cfg.n; ++i)
    e[static_cast<std::size_t>(i)] = per_tie(e[static_cast<std::size_t>(i)], net.degree(i));
}

namespace {

/// A crossing seen from entry e (Network::note_entry_flip; its row found by binary search, a few
/// thousand ties a step at most). Out of line, so that the decay loop stays as tight as without.
[[gnu::noinline]] void log_crossing(Network& net, std::int64_t e) {
  const auto row = std::upper_bound(net.offsets.begin(), net.offsets.end(),
                                    static_cast<std::int32_t>(e)) - net.offsets.begin() - 1;
  net.note_entry_flip(static_cast<std::int32_t>(row), net.neighbors[static_cast<std::size_t>(e)]);
}

}  // namespace

DecayResult decay(const ModelConfig& cfg, Population& pop, Network& net,
                  std::vector<float>& embedded) {
  const auto& d = cfg.decay;
  DecayResult r;
  if (d.trust > 0 && !net.complete) {
    // One pass: relax every entry (both entries of a tie alike, so trust stays symmetric) and
    // measure what the recorder needs.
    const auto rate = static_cast<float>(d.trust), base = static_cast<float>(cfg.trust_baseline);
    // In blocks of 64 entries: a block in which no tie crosses the strong line (nearly all) is
    // relaxed by a loop the compiler vectorizes; a block with a crossing is relaxed entry by
    // entry, logging each crossing. The same arithmetic either way.
    constexpr std::int64_t kBlock = 64;
    float* const trust = net.trust.data();
    const std::int64_t entries = net.num_entries();
    TrustFold fold;
    for (std::int64_t first = 0; first < entries; first += kBlock) {
      float* const t = trust + first;
      const std::int64_t count = std::min(kBlock, entries - first);
      std::int32_t crossings = 0;
      for (std::int64_t k = 0; k < count; ++k) {
        const float next = t[k] - rate * (t[k] - base);
        crossings += static_cast<std::int32_t>(t[k] >= kStrongTie) ^
                     static_cast<std::int32_t>(next >= kStrongTie);
      }
      if (crossings == 0) {
        for (std::int64_t k = 0; k < count; ++k) t[k] = t[k] - rate * (t[k] - base);
      } else {
        for (std::int64_t k = 0; k < count; ++k) {
          const bool was = t[k] >= kStrongTie;
          t[k] -= rate * (t[k] - base);
          if (was != (t[k] >= kStrongTie)) log_crossing(net, first + k);
        }
      }
      fold.add(t, first, count);
    }
    r.trust_stats = fold.stats(entries);
    r.trust = r.has_trust_stats = true;
  }
  if (d.staff_trust > 0) {
    pop.staff_trust *= static_cast<float>(1.0 - d.staff_trust);
    r.staff_trust = true;
  }
  if (d.commitment > 0) {
    // Embeddedness from the trust after this step's relaxation, as before; each agent's sum is
    // divided by its degree in the pass that decays commitment (the same e_i as embeddedness()).
    const bool tied = embedded_sums(cfg, pop, net, embedded);
    const auto rate = static_cast<float>(d.commitment);
    const float* const sums = embedded.data();
    const std::int32_t* const off = tied ? net.offsets.data() : nullptr;
    for (std::int32_t i = 0; i < cfg.n; ++i) {
      if (pop.role[static_cast<std::size_t>(i)] == Role::worker_organizer) continue;
      const float e_i = tied ? per_tie(sums[i], off[i + 1] - off[i]) : 0.0f;
      pop.commitment[i] -= rate * (1.0f - e_i) * pop.commitment[i];
    }
    r.commitment = true;
  }
  if (d.awareness > 0) {
    pop.awareness *= static_cast<float>(1.0 - d.awareness);
    r.awareness = true;
  }
  // The bases are held when their decay is on (arrays_needed); without one there is nothing to
  // return to.
  if (d.grievance > 0 && pop.grievance_base.size() > 0) {
    pop.grievance += static_cast<float>(d.grievance) * (pop.grievance_base - pop.grievance);
    r.grievance = true;
  }
  if (d.fear > 0 && pop.fear_base.size() > 0) {
    pop.fear += static_cast<float>(d.fear) * (pop.fear_base - pop.fear);
    r.fear = true;
  }
  if (d.fatigue > 0) {
    pop.fatigue *= static_cast<float>(1.0 - d.fatigue);
    r.fatigue = true;
  }
  return r;
}

}  // namespace orgsim
