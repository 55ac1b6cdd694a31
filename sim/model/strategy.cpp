#include "model/strategy.hpp"

#include "core/names.hpp"

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

// ---- names ----------------------------------------------------------------------------------

Strategy strategy_from_name(const std::string& n) {
  return static_cast<Strategy>(name_index(kStrategyNames, n, "strategy"));
}
Targeting targeting_from_name(const std::string& n) {
  return static_cast<Targeting>(name_index(kTargetingNames, n, "targeting"));
}
ActionPolicy policy_from_name(const std::string& n) {
  return static_cast<ActionPolicy>(name_index(kActionPolicyNames, n, "action policy"));
}
ActionKind action_kind_from_name(const std::string& n) {
  return static_cast<ActionKind>(name_index(kActionKindNames, n, "action kind"));
}
Assessment assessment_from_name(const std::string& n) {
  return static_cast<Assessment>(name_index(kAssessmentNames, n, "assessment"));
}
Ballot ballot_from_name(const std::string& n) {
  return static_cast<Ballot>(name_index(kBallotNames, n, "ballot"));
}

const char* strategy_name(Strategy s) { return kStrategyNames[static_cast<std::size_t>(s)]; }
const char* targeting_name(Targeting t) { return kTargetingNames[static_cast<std::size_t>(t)]; }
const char* policy_name(ActionPolicy p) { return kActionPolicyNames[static_cast<std::size_t>(p)]; }
const char* action_kind_name(ActionKind k) { return kActionKindNames[static_cast<std::size_t>(k)]; }
const char* assessment_name(Assessment a) { return kAssessmentNames[static_cast<std::size_t>(a)]; }
const char* ballot_name(Ballot b) { return kBallotNames[static_cast<std::size_t>(b)]; }

}  // namespace orgsim
