#pragma once
// The typed configuration of one arm, built from a validated flat parameter map. Cross-field
// rules (those that involve more than one parameter) are checked here.
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/distributions.hpp"
#include "model/network.hpp"
#include "model/parameters.hpp"
#include "model/strategy.hpp"
#include "model/wins.hpp"

namespace orgsim {

// Each enum's names, once, in the enum's order (core/names.hpp): its from-name and to-name
// functions, and the parameter table's choices for its key, read them.
enum class ThresholdRule { fraction, count, off };
inline constexpr std::array kThresholdRuleNames = {"fraction", "count", "off"};
static_assert(kThresholdRuleNames.size() == static_cast<std::size_t>(ThresholdRule::off) + 1);

enum class Attempts { once, every_round };
inline constexpr std::array kAttemptsNames = {"once", "every_round"};
static_assert(kAttemptsNames.size() == static_cast<std::size_t>(Attempts::every_round) + 1);

enum class UpdateOrder { synchronous, random_sequential };
inline constexpr std::array kUpdateOrderNames = {"synchronous", "random_sequential"};
static_assert(kUpdateOrderNames.size() ==
              static_cast<std::size_t>(UpdateOrder::random_sequential) + 1);

/// A rung of the engagement ladder, as a seed set names it ({"rung": "member"}).
enum class LadderRung { supporter, member, leader };
inline constexpr std::array kLadderRungNames = {"supporter", "member", "leader"};
static_assert(kLadderRungNames.size() == static_cast<std::size_t>(LadderRung::leader) + 1);

// NetworkType and RewireMethod are declared in model/network.hpp; their names are here.
inline constexpr std::array kNetworkTypeNames = {
    "workplace", "erdos_renyi", "ring_lattice", "watts_strogatz",
    "barabasi_albert", "complete", "edge_list", "roster"};
static_assert(kNetworkTypeNames.size() == static_cast<std::size_t>(NetworkType::roster) + 1);
inline constexpr std::array kRewireMethodNames = {"endpoint", "swap"};
static_assert(kRewireMethodNames.size() == static_cast<std::size_t>(RewireMethod::swap) + 1);

// Every member below is filled from the parameter table (sim/model/parameters.cpp), whose rows
// carry the binding to their member: the defaults live there and only there. Members are
// value-initialised (zero) so that a config not built by make_config is visibly empty.

struct SeedSpec {
  enum class Kind { random, fraction, agents, rung } kind{};
  LadderRung rung_name{};      // rung: as written ...
  double rung{};               // ... and the commitment cut point it resolves to
  std::int64_t count{};        // random
  double fraction{};           // fraction: round(f * N) agents chosen at random
  std::vector<std::int32_t> agents;
  bool with_neighbors{};
};

/// The one seed-set parser (actions.seed), used by the scenario loader to validate and by
/// make_config to build the SeedSpec. `v` is one of {"random": k} (k a non-negative integer, 3.0
/// reads as 3), {"fraction": f} (f in [0, 1]), {"agents": [ids], "with_neighbors": bool} (ids
/// non-negative integers; with_neighbors optional, false by default) or {"rung": "supporter" |
/// "member" | "leader"}: exactly one kind. Anything else is an InputError naming `file`, the JSON
/// path (`path`, or the offending key or element under it), what was expected, what was found
/// and, for an unknown key, a did-you-mean. The ids are held to population.size elsewhere
/// (make_config, on the 64-bit values); a rung's cut point is resolved by make_config.
SeedSpec parse_seed_set(const nlohmann::json& v, const std::string& file, const std::string& path);

struct ClimateConfig {
  double amplitude{}, period{}, phase{};
  double shock_rate{}, shock_size{}, shock_persistence{};
};

struct ModelConfig {
  std::string name, title, description;
  std::int32_t steps{};
  std::int64_t replicates{};
  std::uint64_t master_seed{};
  std::int32_t snapshot_every{};  // output.snapshots: a frame every k steps (0: none)
  std::int32_t component_every{};  // output.component_every: strong_component every k steps

  std::int32_t n{};
  Distribution threshold, grievance, fear, inoculation, commitment;
  Range threshold_range{};                          // population.threshold's range
  static constexpr Range unit_range{0.0, 1.0};      // where the other agent attributes live

  NetworkSpec network{};
  Distribution trust_initial;
  double trust_baseline{};

  ThresholdRule rule{};
  double w_grievance{}, w_commitment{}, w_social{}, w_invitation{}, w_fear{};
  std::int32_t rounds{};  // 0 = until stable
  UpdateOrder update{};
  double contagion_probability{};
  Attempts attempts{};
  double broadcast_reach{}, broadcast_conversion{};

  ClimateConfig climate;
  double turnover{};

  // The organizing model (docs/MODEL.md).
  Distribution leadership;
  double ladder_supporter{}, ladder_member{}, ladder_leader{};
  double friendships{}, friendship_level{}, voice{};
  double ladder_ceiling{};  // commitment ceiling under organizing: 1 - s (1 - l_i)

  Strategy strategy{};
  std::array<double, kActivities> allocation{};  // normalised shares (all 0: no organizing work)
  Targeting targeting{};
  std::int32_t staff_organizers{}, worker_organizers{};
  double staff_hours{}, worker_hours{}, skill{};

  struct OneOnOne {
    double hours, trust_gain, agitation, inoculation, ask_base, ask_trust, ask_grievance, ask_fear,
        ask_fatigue, commitment_gain;
  } one_on_one{};
  struct IssuePush {
    double hours, agitation, backfire_trust, backfire_fatigue, backfire_commitment;
  } issue_push{};
  struct Social {
    double hours;
    std::int32_t attendees;
    double trust_gain;
  } social{};
  struct FollowUp {
    double hours, uplift, trust_gain;
  } follow_up{};
  struct Training {
    double hours;
    std::int32_t sessions;
    double potential;
  } training{};
  struct Messaging {
    double hours, reach, awareness_gain, agitation, supporter_rate, invitation;
  } messaging{};

  // The seeds' organizing mechanisms (docs/MODEL.md 7.2; issue 10 item 2).
  struct Tasks {
    std::int32_t due_steps;  // 0: no tasks (a yes raises commitment at once)
    double base, trust, accountability, nudge, fear, done_trust, outreach;
    std::int32_t recover_steps;
  } tasks{};
  struct Weaving {
    double referral, intro_trust, social_ties;
  } weaving{};
  struct Reach {
    double saturation, memory;
  } reach{};
  struct Burnout {
    double rate, staff_hours, worker_hours, support;
    std::int32_t staff_leave;
  } burnout{};
  struct Types {
    double selfish, selfless, selfish_ask, selfless_ask, selfless_agitation;
  } types{};

  ActionPolicy policy{};
  std::int32_t first_action{}, action_every{}, min_gap{};
  double hot_threshold{}, readiness{};
  Assessment assessment{};  // readiness: what organizers count (the organized, or every yes)
  SeedSpec seed_set;
  double power_floor{}, participation_commitment{}, action_trust_gain{}, participation_fatigue{},
      win_commitment{}, loss_fear{};
  double win_width{};        // width of the logistic P(win) in P - R (0: the step P >= R)
  double loss_commitment{};  // commitment lost by participants of a lost action
  double loss_trust{};       // trust lost by whoever called a lost action (staff, worker-organizers)
  ActionKind kind{};
  std::int32_t notice_steps{};  // election: weeks between announcement and vote

  struct Elections {
    double turnout;          // probability that an eligible worker casts a vote
    double captive_fear;     // fear added to everyone per notice week (captive-audience meetings)
    double threat_rate;      // per notice week: chance a visible supporter gets a coercive one-on-one
    double threat_fear;      // fear added by a threat
    double firing_rate;      // per notice week: chance a visible leader is fired
    double contract_rate;    // per step after a won election: top chance of a first contract
    double threat_campaign;  // chance the employer's campaign uses supervisors' threats at all
    double firing_campaign;  // chance the employer's campaign fires union supporters at all
    Ballot ballot;           // secret: private decisions; open: the action's cascade
  } elections{};

  double resistance{}, retaliation{}, firing{}, counter_campaign{};
  std::int32_t firing_steps{};
  WinRules wins{};

  struct Decay {
    double trust, staff_trust, commitment, awareness, grievance, fear, fatigue;
  } decay{};
};

/// What the table's bindings fill: the config, plus the values that are resolved against other
/// parameters once every row has been read (a strategy preset's nulls, a distribution's count of
/// per-agent values).
struct ConfigDraft {
  ModelConfig cfg;
  std::array<std::optional<double>, kActivities> allocation;  // null: the strategy's preset
  std::optional<Targeting> targeting;                          // null: the preset
  std::optional<ActionPolicy> policy;                          // null: the preset
  /// Per-agent `values` distributions read: (their key, how many values) — checked against N.
  std::vector<std::pair<std::string, std::size_t>> agent_values;
};

/// Where a binding reads its value from: the table row, and the scenario file for messages and
/// relative paths.
struct BindContext {
  const ParamSpec& spec;
  const std::string& file;
  const std::string& dir;
};

// Reading one validated JSON value into a typed member. A choice is turned into its enum by the
// from-name function, by its index in the enum's list of names (the list the table's choices for
// that key come from); a name not in it throws std::invalid_argument (validation admits only
// the table's choices, so that is a programming error).
void read_value(const nlohmann::json& v, const BindContext& ctx, double& out);
void read_value(const nlohmann::json& v, const BindContext& ctx, std::int32_t& out);
void read_value(const nlohmann::json& v, const BindContext& ctx, std::int64_t& out);
void read_value(const nlohmann::json& v, const BindContext& ctx, std::uint64_t& out);
void read_value(const nlohmann::json& v, const BindContext& ctx, std::string& out);
void read_value(const nlohmann::json& v, const BindContext& ctx, NetworkType& out);
void read_value(const nlohmann::json& v, const BindContext& ctx, RewireMethod& out);
void read_value(const nlohmann::json& v, const BindContext& ctx, ThresholdRule& out);
void read_value(const nlohmann::json& v, const BindContext& ctx, UpdateOrder& out);
void read_value(const nlohmann::json& v, const BindContext& ctx, Attempts& out);
void read_value(const nlohmann::json& v, const BindContext& ctx, Strategy& out);
void read_value(const nlohmann::json& v, const BindContext& ctx, Targeting& out);
void read_value(const nlohmann::json& v, const BindContext& ctx, ActionPolicy& out);
void read_value(const nlohmann::json& v, const BindContext& ctx, ActionKind& out);
void read_value(const nlohmann::json& v, const BindContext& ctx, Assessment& out);
void read_value(const nlohmann::json& v, const BindContext& ctx, Ballot& out);
void read_value(const nlohmann::json& v, const BindContext& ctx, SeedSpec& out);
template <class T>
void read_value(const nlohmann::json& v, const BindContext& ctx, std::optional<T>& out) {
  if (v.is_null()) {
    out.reset();
  } else {
    T x{};
    read_value(v, ctx, x);
    out = x;
  }
}

/// Bindings for table rows: a member of the config, a member of one of its parts, a member of
/// the draft (nullable preset overrides).
template <class M>
ParamBinding bind_member(M ModelConfig::*m) {
  return [m](ConfigDraft& d, const nlohmann::json& v, const BindContext& c) {
    read_value(v, c, d.cfg.*m);
  };
}
template <class P, class M>
ParamBinding bind_member(P ModelConfig::*part, M P::*m) {
  return [part, m](ConfigDraft& d, const nlohmann::json& v, const BindContext& c) {
    read_value(v, c, d.cfg.*part.*m);
  };
}
template <class P, class Q, class M>
ParamBinding bind_member(P ModelConfig::*part, Q P::*sub, M Q::*m) {
  return [part, sub, m](ConfigDraft& d, const nlohmann::json& v, const BindContext& c) {
    read_value(v, c, d.cfg.*part.*sub.*m);
  };
}
template <class M>
ParamBinding bind_draft(M ConfigDraft::*m) {
  return [m](ConfigDraft& d, const nlohmann::json& v, const BindContext& c) {
    read_value(v, c, d.*m);
  };
}
/// campaign.allocation.<activity> (null: the preset's share).
ParamBinding bind_allocation(Activity a);
/// A per-agent distribution, drawn within the row's range.
ParamBinding bind_agent_distribution(Distribution ModelConfig::*m);
/// population.threshold: also keeps the row's range (thresholds may exceed 1).
ParamBinding bind_threshold();
/// trust.initial: one draw per tie, so no population-level kinds.
ParamBinding bind_tie_distribution(Distribution ModelConfig::*m);
/// network.path: resolved against the scenario's directory.
ParamBinding bind_network_path();
/// network.roster / network.friendships: a path resolved against the scenario's directory into
/// NetworkSpec::*resolved, as written into NetworkSpec::*shown.
ParamBinding bind_network_file(std::string NetworkSpec::*resolved, std::string NetworkSpec::*shown);
/// participation.rounds: "until_stable" is 0.
ParamBinding bind_rounds(std::int32_t ModelConfig::*m);

/// From a name of the enum's list; std::invalid_argument for any other.
NetworkType network_type_from_name(const std::string& name);
RewireMethod rewire_method_from_name(const std::string& name);
ThresholdRule threshold_rule_from_name(const std::string& name);
UpdateOrder update_order_from_name(const std::string& name);
Attempts attempts_from_name(const std::string& name);
LadderRung ladder_rung_from_name(const std::string& name);
/// To the name, from the same list.
const char* network_type_name(NetworkType t);
const char* rewire_method_name(RewireMethod m);
const char* threshold_rule_name(ThresholdRule r);
const char* update_order_name(UpdateOrder u);
const char* attempts_name(Attempts a);
const char* ladder_rung_name(LadderRung r);

/// Rosters (network.type = roster) already read, by their resolved roster and friendships paths,
/// so that make_config reads each file once for all the configs it is handed with: a sweep keeps
/// one for all its points, arms and runs (engine/sweep.hpp Sweep::rosters). A roster that fails
/// to read is not kept (the next call reads it again and gives the same error). Thread-safe.
class RosterCache {
 public:
  /// The roster of (`roster_path`, `friendships_path`): `read()` the first time, the kept one
  /// after. `read` runs under the cache's lock.
  std::shared_ptr<const Roster> get(const std::string& roster_path,
                                    const std::string& friendships_path,
                                    const std::function<std::shared_ptr<const Roster>()>& read);
  /// How many rosters were read (not found kept) through this cache.
  std::size_t reads() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<const Roster>> rosters_;
  std::size_t reads_ = 0;
};

/// Builds the typed config from a flat map of one arm (already validated key by key): every table
/// row's binding reads its key once, then the cross-field rules are checked and the strategy
/// preset fills the nulls. `file` names the scenario in error messages; relative paths resolve
/// from `dir`. A key of the table missing from `flat` is a programming error (std::logic_error).
/// A roster is read from its files, or taken from `rosters` when given and it holds it already
/// (its size is checked against population.size either way).
ModelConfig make_config(const nlohmann::json& flat, const std::string& file,
                        const std::string& dir, RosterCache* rosters = nullptr);

/// Expected number of directed CSR entries (2 x ties) of the configured network.
double expected_entries(const ModelConfig& cfg);

}  // namespace orgsim
