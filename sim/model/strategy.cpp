#include "model/strategy.hpp"

#include <stdexcept>

namespace orgsim {

// Allocation order: one_on_one, issue_push, social, follow_up, leader_training, broadcast.
// The shares are our reading of the seed texts (docs/MODEL.md, "Strategies"):
StrategyPreset preset(Strategy s) {
  switch (s) {
    case Strategy::none:
      return {{0, 0, 0, 0, 0, 0}, Targeting::list, ActionPolicy::schedule};
    case Strategy::relationship_first:
      // Get to know people first (one-on-ones, social time), follow up (90% of organizing),
      // train leaders; act when the organized base is ready (seed 002, seed 000, seed 001).
      return {{0.40, 0.00, 0.20, 0.30, 0.10, 0.00}, Targeting::network, ActionPolicy::readiness};
    case Strategy::issue_first:
      // "Finding the issue" before the relationship exists; act when grievances run hot.
      return {{0.20, 0.50, 0.00, 0.20, 0.10, 0.00}, Targeting::network, ActionPolicy::hot};
    case Strategy::big_messaging:
      // Broadcast to the anonymous many, chase big moments (seed 002).
      return {{0.00, 0.10, 0.00, 0.00, 0.00, 0.90}, Targeting::list, ActionPolicy::hot};
    case Strategy::hybrid:
      // Mobilize at hot moments, then push the mobilized "back into the arms of organizers":
      // one-on-ones with those who turned out first (seed 003).
      return {{0.35, 0.00, 0.10, 0.25, 0.05, 0.25}, Targeting::participants, ActionPolicy::hot};
    case Strategy::organizing_only:
      // Organizing for its own sake that never calls an action (seed 003).
      return {{0.40, 0.00, 0.20, 0.30, 0.10, 0.00}, Targeting::network, ActionPolicy::never};
  }
  return {};
}

Strategy strategy_from_name(const std::string& n) {
  if (n == "relationship_first") return Strategy::relationship_first;
  if (n == "issue_first") return Strategy::issue_first;
  if (n == "big_messaging") return Strategy::big_messaging;
  if (n == "hybrid") return Strategy::hybrid;
  if (n == "organizing_only") return Strategy::organizing_only;
  if (n == "none") return Strategy::none;
  throw std::invalid_argument("unknown strategy name '" + n + "'");
}

Targeting targeting_from_name(const std::string& n) {
  if (n == "list") return Targeting::list;
  if (n == "participants") return Targeting::participants;
  if (n == "network") return Targeting::network;
  throw std::invalid_argument("unknown targeting name '" + n + "'");
}

ActionPolicy policy_from_name(const std::string& n) {
  if (n == "continuous") return ActionPolicy::continuous;
  if (n == "hot") return ActionPolicy::hot;
  if (n == "readiness") return ActionPolicy::readiness;
  if (n == "ready_and_hot") return ActionPolicy::ready_and_hot;
  if (n == "never") return ActionPolicy::never;
  if (n == "schedule") return ActionPolicy::schedule;
  throw std::invalid_argument("unknown action policy name '" + n + "'");
}

ActionKind action_kind_from_name(const std::string& n) {
  if (n == "action") return ActionKind::action;
  if (n == "election") return ActionKind::election;
  throw std::invalid_argument("unknown action kind '" + n + "'");
}

Assessment assessment_from_name(const std::string& n) {
  if (n == "organized") return Assessment::organized;
  if (n == "yeses") return Assessment::yeses;
  throw std::invalid_argument("unknown assessment '" + n + "'");
}

Ballot ballot_from_name(const std::string& n) {
  if (n == "secret") return Ballot::secret;
  if (n == "open") return Ballot::open;
  throw std::invalid_argument("unknown ballot '" + n + "'");
}

}  // namespace orgsim
