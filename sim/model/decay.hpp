#pragma once
// Decay (DESIGN.md "Process, one step", 5): without contact, trust drifts back toward its
// baseline, trust in the staff fades, commitment decays at a rate reduced by embeddedness,
// awareness fades fast, felt grievance and fear return to the agent's own level, fatigue recovers.
#include <cstdint>
#include <vector>

#include "model/config.hpp"
#include "model/metrics.hpp"
#include "model/network.hpp"
#include "model/population.hpp"

namespace orgsim {

/// What one decay step changed, and the trust statistics measured in the same pass over the
/// ties when trust decayed (so the recorder needs no second pass).
struct DecayResult {
  bool trust = false, staff_trust = false, commitment = false, awareness = false,
       grievance = false, fear = false, fatigue = false;
  bool has_trust_stats = false;
  TrustStats trust_stats;
};

/// One decay step; a rate of 0 costs nothing.
///   trust        tau += -d_trust (tau - baseline)              (every tie, both entries alike)
///   staff trust  s *= 1 - d_staff
///   commitment   c -= d_c (1 - e_i) c, e_i = sum_j tau_ij [j committed] / deg_i (embeddedness),
///                worker-organizers exempt
///   awareness    a *= 1 - d_a;  fatigue F *= 1 - d_F
///   grievance    g += d_g (g_base - g);  fear f += d_f (f_base - f)
/// `embedded` is scratch (resized to N; holds the sums of e_i, before the division by the
/// degree, afterwards when commitment decays).
DecayResult decay(const ModelConfig& cfg, Population& pop, Network& net,
                  std::vector<float>& embedded);

/// Embeddedness e_i of every agent (see decay()), scattered from the committed agents' rows in
/// node order: the same float sums, in the same order, as the row-wise sparse product over
/// sorted rows. O(N + ties of the committed).
void embeddedness(const ModelConfig& cfg, const Population& pop, const Network& net,
                  std::vector<float>& e);

}  // namespace orgsim
