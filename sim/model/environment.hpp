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

/// One week of the employer's counter-campaign before an election (docs/MODEL.md "Elections"):
///   captive-audience meetings: fear += captive_fear (1 - v)(1 - f) for everyone;
///   threats: each visible supporter (commitment >= ladder.supporter, or a worker-organizer), in
///     node order, draws one uniform from `rng` (when threat_rate > 0) and is threatened with
///     probability threat_rate: fear += threat_fear (1 - v)(1 - f);
///   firings: then each visible leader (commitment >= ladder.leader, or a worker-organizer) not
///     already replaced this step (hired == t) draws one uniform (when firing_rate > 0) and is
///     fired with probability firing_rate: a new hire takes the node, as in turnover() (same
///     hire key), and the node is appended to `left`.
/// `threaten` and `fire` are the employer's choice of tactics for this campaign (drawn once per
/// campaign, elections.threat_campaign / firing_campaign): a tactic not chosen draws nothing.
struct CounterCampaignWeek {
  std::int64_t threats = 0, firings = 0;
};
CounterCampaignWeek election_counter_campaign(const ModelConfig& cfg, Population& pop, Network& net,
                                              std::int32_t t, std::uint64_t hire_key, Rng& rng,
                                              std::vector<std::int32_t>& left, bool threaten = true,
                                              bool fire = true);

}  // namespace orgsim
