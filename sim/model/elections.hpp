#pragma once
// The rules of a union election (docs/MODEL.md "Elections") that are not the vote's cascade:
// the employer's choice of tactics, the count, and the first contract that consolidates a win.
// The weeks of counter-campaign before the vote are environment.hpp's
// election_counter_campaign().
#include <cstdint>
#include <functional>
#include <vector>

#include "core/rng.hpp"

namespace orgsim {

/// The employer's consultants choose a campaign's tactics once, at the petition: a tactic used by
/// a share s of employers (elections.threat_campaign, elections.firing_campaign) is chosen with
/// chance s. One uniform from `rng` only for 0 < s < 1; s >= 1 always, s <= 0 never, no draw.
bool employer_chooses(double share, Rng& rng);

/// The count of a vote. Each worker casts a vote with probability `turnout` (one uniform per
/// worker in node order from `rng`; none when turnout >= 1, when everyone votes); a worker who
/// votes votes yes when `yes[i]` != 0. The union wins with a majority of the votes cast; a tie
/// loses, and so does a vote nobody cast (the NLRB certifies on a majority of the valid votes).
struct VoteCount {
  std::int64_t cast = 0, yes = 0;
  bool won = false;
};
VoteCount count_votes(const std::vector<std::uint8_t>& yes, double turnout, Rng& rng);

/// The chance, each step after the employer's push, that a won election not yet consolidated
/// reaches a first contract:
///   contract_rate x min(1, max(0, D) / (hold_fraction x strength)),
/// the rate times the share of the defense the win needs that the workers have (the whole rate
/// when the win needs none: hold_fraction x strength <= 0).
double first_contract_chance(double contract_rate, double hold_fraction, double strength,
                             double defense) noexcept;

/// The notice weeks of an election announced at `announced` and voted at `vote` (-1: none
/// called): the weeks after the announcement up to and including the vote's, when the employer
/// runs its counter-campaign (environment.hpp's election_counter_campaign).
inline bool in_notice_weeks(std::int32_t t, std::int32_t announced, std::int32_t vote) noexcept {
  return vote >= 0 && t > announced && t <= vote;
}

/// What becomes of a won election not yet consolidated, each step after the employer's push:
///   the push reversed the win (`reversed`): decertified, no draw;
///   else, with contract_rate > 0: one uniform from `rng`; below first_contract_chance(contract_rate,
///     hold_fraction, strength, D) the union reaches a first contract (the win is consolidated).
///     `defense` (D) is asked only then;
///   else it stands, unconsolidated.
enum class ElectionFate { standing, decertified, contract };
ElectionFate settle_election(bool reversed, double contract_rate, double hold_fraction,
                             double strength, const std::function<double()>& defense, Rng& rng);

}  // namespace orgsim
