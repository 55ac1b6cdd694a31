#include "model/elections.hpp"

#include <algorithm>

namespace orgsim {

bool employer_chooses(double share, Rng& rng) {
  if (share >= 1.0) return true;
  if (share <= 0.0) return false;
  return rng.uniform() < share;
}

VoteCount count_votes(const std::vector<std::uint8_t>& yes, double turnout, Rng& rng) {
  VoteCount v;
  for (const auto y : yes) {
    if (turnout < 1.0 && !(rng.uniform() < turnout)) continue;
    ++v.cast;
    v.yes += y ? 1 : 0;
  }
  v.won = v.cast > 0 && 2 * v.yes > v.cast;
  return v;
}

double first_contract_chance(double contract_rate, double hold_fraction, double strength,
                             double defense) noexcept {
  const double needed = hold_fraction * strength;
  const double capacity = needed > 0.0 ? std::min(1.0, std::max(0.0, defense) / needed) : 1.0;
  return contract_rate * capacity;
}

ElectionFate settle_election(bool reversed, double contract_rate, double hold_fraction,
                             double strength, const std::function<double()>& defense, Rng& rng) {
  if (reversed) return ElectionFate::decertified;
  if (!(contract_rate > 0.0)) return ElectionFate::standing;
  const double chance = first_contract_chance(contract_rate, hold_fraction, strength, defense());
  return rng.uniform() < chance ? ElectionFate::contract : ElectionFate::standing;
}

}  // namespace orgsim
