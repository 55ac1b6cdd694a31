#pragma once
// The environment phase's rules (DESIGN.md "Process, one step", 1): the grievance climate, the
// employer's counter-campaign, and turnover with the employer's firings.
#include <cstdint>
#include <vector>

#include "core/rng.hpp"
#include "model/config.hpp"
#include "model/network.hpp"
#include "model/population.hpp"

namespace orgsim {

/// The grievance climate G(t) = A sin(2 pi t / period + phase) + S(t), where the shock level
/// S(t) = persistence * S(t-1) + size * [shock at t]; one uniform per step from the climate stream.
class Climate {
 public:
  explicit Climate(const ClimateConfig& c) : c_(c) {}
  double advance(std::int32_t t, Rng& rng);

 private:
  ClimateConfig c_;
  double shock_level_ = 0.0;
};

/// The employer's counter-campaign (captive meetings, rumours): fear rises by
/// `intensity` (1 - v_i)(1 - f_i) for everyone. No-op when intensity <= 0.
void counter_campaign(Population& pop, double intensity);

/// Turnover and firings at step t: agent i leaves with probability `turnover`, plus `firing`
/// while exposed as a visible leader (exposed_until >= t), and a new hire takes the node (fresh
/// draws, commitment 0, ties reset to trust.baseline). One uniform per agent from `rng` every
/// call, so the stream stays aligned across arms; a new hire's draws come from a generator keyed
/// by (hire_key, t, node), so the same person is hired into the same node at the same step in
/// every arm. The agents who left are listed in `left` (cleared first). No draws and no work when
/// both rates are 0.
void turnover(const ModelConfig& cfg, Population& pop, Network& net, std::int32_t t,
              std::uint64_t hire_key, Rng& rng, std::vector<std::int32_t>& left);

}  // namespace orgsim
