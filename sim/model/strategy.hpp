#pragma once
// Strategy presets: each strategy is just a named allocation of organizer hours, a targeting rule
// and an action policy. A scenario overrides any part field by field
// (campaign.allocation.*, campaign.targeting, actions.policy); null keeps the preset's value.
#include <array>
#include <string>

namespace orgsim {

enum class Strategy { none, relationship_first, issue_first, big_messaging, hybrid, organizing_only };
enum class Targeting { network, list, participants };
enum class ActionPolicy { schedule, continuous, hot, readiness, ready_and_hot, never };
/// What a called action is: a collective action, or a union election (a secret-ballot vote).
enum class ActionKind { action, election };
/// How organizers assess readiness: the organized base (commitment at member or above), or every
/// yes on their sheets (the organized plus everyone who ever said yes to an ask, soft yeses
/// included: a signed card stays signed).
enum class Assessment { organized, yeses };
/// How an election's ballots are decided: secret (each worker decides once, privately, from their
/// own utility and the public stance of their coworkers; nobody's vote is fixed in advance) or
/// open (the vote runs as an action's cascade: the seeds vote yes and every yes is seen).
enum class Ballot { secret, open };

/// Activities, in the order of campaign.allocation.* and of the hours_* outputs.
enum class Activity { one_on_one = 0, issue_push, social, follow_up, leader_training, broadcast };
inline constexpr int kActivities = 6;
inline constexpr std::array<const char*, kActivities> kActivityNames = {
    "one_on_one", "issue_push", "social", "follow_up", "leader_training", "broadcast"};

struct StrategyPreset {
  std::array<double, kActivities> allocation{};  // shares of hours, summing to 1 (or all 0)
  Targeting targeting = Targeting::network;
  ActionPolicy policy = ActionPolicy::schedule;
};

StrategyPreset preset(Strategy s);
// From the names of the parameter table's choices. Validation admits only those, so an unknown
// name is a programming error: std::invalid_argument.
Strategy strategy_from_name(const std::string& name);
Targeting targeting_from_name(const std::string& name);
ActionPolicy policy_from_name(const std::string& name);
ActionKind action_kind_from_name(const std::string& name);
Assessment assessment_from_name(const std::string& name);
Ballot ballot_from_name(const std::string& name);

}  // namespace orgsim
