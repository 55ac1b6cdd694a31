#pragma once
// Strategy presets: each strategy is just a named allocation of organizer hours, a targeting rule
// and an action policy. A scenario overrides any part field by field
// (campaign.allocation.*, campaign.targeting, actions.policy); null keeps the preset's value.
#include <array>
#include <cstddef>
#include <string>

namespace orgsim {

// Each enum's names, once, in the enum's order (core/names.hpp): its from-name and to-name
// functions and the parameter table's choices for its key read them.
enum class Strategy { none, relationship_first, issue_first, big_messaging, hybrid, organizing_only };
inline constexpr std::array kStrategyNames = {
    "none", "relationship_first", "issue_first", "big_messaging", "hybrid", "organizing_only"};
static_assert(kStrategyNames.size() == static_cast<std::size_t>(Strategy::organizing_only) + 1);

enum class Targeting { network, list, participants };
inline constexpr std::array kTargetingNames = {"network", "list", "participants"};
static_assert(kTargetingNames.size() == static_cast<std::size_t>(Targeting::participants) + 1);

enum class ActionPolicy { schedule, continuous, hot, readiness, ready_and_hot, never };
inline constexpr std::array kActionPolicyNames = {"schedule",  "continuous",    "hot",
                                                  "readiness", "ready_and_hot", "never"};
static_assert(kActionPolicyNames.size() == static_cast<std::size_t>(ActionPolicy::never) + 1);

/// What a called action is: a collective action, or a union election (a secret-ballot vote).
enum class ActionKind { action, election };
inline constexpr std::array kActionKindNames = {"action", "election"};
static_assert(kActionKindNames.size() == static_cast<std::size_t>(ActionKind::election) + 1);

/// How organizers assess readiness: the organized base (commitment at member or above), or every
/// yes on their sheets (the organized plus everyone who ever said yes to an ask, soft yeses
/// included: a signed card stays signed).
enum class Assessment { organized, yeses };
inline constexpr std::array kAssessmentNames = {"organized", "yeses"};
static_assert(kAssessmentNames.size() == static_cast<std::size_t>(Assessment::yeses) + 1);

/// How an election's ballots are decided: secret (each worker decides once, privately, from their
/// own utility and the public stance of their coworkers; nobody's vote is fixed in advance) or
/// open (the vote runs as an action's cascade: the seeds vote yes and every yes is seen).
enum class Ballot { secret, open };
inline constexpr std::array kBallotNames = {"secret", "open"};
static_assert(kBallotNames.size() == static_cast<std::size_t>(Ballot::open) + 1);

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
// From a name of the enum's list (the parameter table's choices); std::invalid_argument for any
// other (validation admits only those, so that is a programming error).
Strategy strategy_from_name(const std::string& name);
Targeting targeting_from_name(const std::string& name);
ActionPolicy policy_from_name(const std::string& name);
ActionKind action_kind_from_name(const std::string& name);
Assessment assessment_from_name(const std::string& name);
Ballot ballot_from_name(const std::string& name);
// To the name, from the same list.
const char* strategy_name(Strategy s);
const char* targeting_name(Targeting t);
const char* policy_name(ActionPolicy p);
const char* action_kind_name(ActionKind k);
const char* assessment_name(Assessment a);
const char* ballot_name(Ballot b);

}  // namespace orgsim
