#include "model/parameters.hpp"

#include "core/text.hpp"
#include "model/config.hpp"

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <limits>
#include <map>
#include <stdexcept>

namespace orgsim {

namespace {
using T = ParamType;
using nlohmann::json;
constexpr double kInf = std::numeric_limits<double>::infinity();
// Largest population: ids are int32 and the CSR index is int32 (see docs/MODEL.md).
constexpr double kMaxAgents = 2147483647.0;

json dist_constant(double v) { return {{"distribution", "constant"}, {"value", v}}; }
json dist_beta(double a, double b) { return {{"distribution", "beta"}, {"a", a}, {"b", b}}; }

// A choice row's names are its enum's list (model/strategy.hpp, model/config.hpp), in the
// enum's order, and its default is named through the enum: the row cannot offer a name the
// enum lacks, and its binding turns the name into the enum by the same list.
template <std::size_t N>
std::vector<std::string> names(const std::array<const char*, N>& list) {
  return {list.begin(), list.end()};
}

std::vector<ParamSpec> make_table() {
  return {
      // ---- the study ------------------------------------------------------------------------
      {"name", T::text, "", 0, 0, "", {},
       "short name of the scenario; the default output is results/<name>.h5 (empty: the file's stem)",
       "", bind_member(&ModelConfig::name)},
      {"title", T::text, "", 0, 0, "", {},
       "the title the trainer's page and the report show, in words (\"The staffer who pushed "
       "Ava\"; empty: the name, its underscores as spaces)",
       "", bind_member(&ModelConfig::title)},
      {"description", T::text, "", 0, 0, "", {},
       "plain-language description a trainer can read aloud", "",
       bind_member(&ModelConfig::description)},
      {"steps", T::integer, 156, 1, 1e6, "step", {},
       "number of steps simulated (a step is one week: 156 = three years)", "",
       bind_member(&ModelConfig::steps)},
      {"replicates", T::integer, 20, 1, 1e7, "runs", {},
       "replicates per arm; replicate k of every arm shares population, network, climate and "
       "turnover draws (common random numbers)",
       "", bind_member(&ModelConfig::replicates)},
      {"output.snapshots", T::integer, 0, 0, 1e6, "step", {},
       "a snapshot of every person and tie every k steps (and at the last step) in the results "
       "file of `orgsim run` (/agents, /networks; docs/HDF5_LAYOUT.md); 0 = none. A sweep refuses "
       "it (sweeps store no snapshots)",
       "", bind_member(&ModelConfig::snapshot_every)},
      {"output.component_every", T::integer, 1, 1, 1e6, "step", {},
       "the largest strong-tie component (`strong_component`) measured every k steps and at the "
       "last step, NaN at the steps between; 1 = every step. Where many ties cross the strong "
       "line every step (big messaging at 10^5 agents) measuring it is about a sixth of the step",
       "", bind_member(&ModelConfig::component_every)},
      {"seed", T::integer, 1, 0, kLargestUint64, "", {},
       "master seed; every random stream derives from (seed, replicate, stream id)", "",
       bind_member(&ModelConfig::master_seed)},

      // ---- population -----------------------------------------------------------------------
      {"population.size", T::integer, 300, 1, kMaxAgents, "agents", {},
       "number of agents (workers)", "", bind_member(&ModelConfig::n)},
      {"population.threshold", T::distribution, dist_constant(0.5), 0, 1e9, "1 or agents", {},
       "participation threshold theta_i: U_i >= theta_i makes i join (a share of neighbours "
       "under threshold_rule=fraction, a trust-weighted count under count)",
       "Granovetter (1978) AJS 83(6):1420-1443", bind_threshold()},
      {"population.grievance", T::distribution, dist_beta(2, 3), 0, 1, "1", {},
       "how deeply each agent feels workplace problems, g_i", "seed 002",
       bind_agent_distribution(&ModelConfig::grievance)},
      {"population.fear", T::distribution, dist_beta(2, 5), 0, 1, "1", {},
       "fear of retaliation, f_i", "seed 002, seed 001 (inoculate)",
       bind_agent_distribution(&ModelConfig::fear)},
      {"population.inoculation", T::distribution, dist_constant(0.0), 0, 1, "1", {},
       "preparedness for the boss's response, v_i (fear counts as f_i(1 - v_i))",
       "seed 001 (AEIOU: inoculate)", bind_agent_distribution(&ModelConfig::inoculation)},
      {"population.commitment", T::distribution, dist_constant(0.0), 0, 1, "1", {},
       "initial commitment c_i (how organized the agent is)", "seed 000",
       bind_agent_distribution(&ModelConfig::commitment)},
      {"population.leadership", T::distribution, dist_beta(2, 5), 0, 1, "1", {},
       "leadership potential l_i, hidden until a one-on-one evaluates it",
       "seed 000: 'evaluate leadership potential'",
       bind_agent_distribution(&ModelConfig::leadership)},

      // ---- the engagement ladder ------------------------------------------------------------
      {"ladder.supporter", T::number, 0.2, 0, 1, "1", {},
       "commitment at which an agent counts as a supporter", "seed 000 (network membership)",
       bind_member(&ModelConfig::ladder_supporter)},
      {"ladder.member", T::number, 0.5, 0, 1, "1", {},
       "commitment at which an agent counts as a member (the organized base)", "",
       bind_member(&ModelConfig::ladder_member)},
      {"ladder.leader", T::number, 0.8, 0, 1, "1", {},
       "commitment at which an agent counts as a leader", "",
       bind_member(&ModelConfig::ladder_leader)},

      {"ladder.ceiling", T::number, 0.3, 0, 1, "1", {},
       "commitment saturates: organizing raises c toward 1 - x (1 - l_i), so only people with "
       "leadership potential l_i reach the leader rung through organizing (0: toward 1)",
       "seed 000: leaders are found, and few", bind_member(&ModelConfig::ladder_ceiling)},

      // ---- network --------------------------------------------------------------------------
      {"network.type", T::choice, network_type_name(NetworkType::workplace), 0, 0, "",
       names(kNetworkTypeNames),
       "acquaintance graph generator", "", bind_member(&ModelConfig::network, &NetworkSpec::type)},
      {"network.mean_degree", T::number, 10.0, 0, kInf, "ties", {},
       "erdos_renyi: expected ties per agent (G(N,p) with p = mean_degree/(N-1))",
       "Erdős & Rényi (1959); Batagelj & Brandes (2005) PRE 71:036113",
       bind_member(&ModelConfig::network, &NetworkSpec::mean_degree)},
      {"network.degree", T::integer, 4, 2, kMaxAgents, "ties", {},
       "ring_lattice, watts_strogatz: ties per agent (even), degree/2 on each side",
       "Watts & Strogatz (1998) Nature 393:440",
       bind_member(&ModelConfig::network, &NetworkSpec::degree)},
      {"network.rewire", T::number, 0.0, 0, 1, "1", {},
       "ring_lattice, watts_strogatz: share of ties rewired", "Watts & Strogatz (1998)",
       bind_member(&ModelConfig::network, &NetworkSpec::rewire)},
      {"network.rewire_method", T::choice, rewire_method_name(RewireMethod::endpoint), 0, 0, "",
       names(kRewireMethodNames),
       "ring_lattice: endpoint (each tie's far end moves with probability rewire) or swap "
       "(degree-preserving double-edge swaps, round(rewire*M/2) of them)",
       "Centola & Macy (2007) AJS 113(3):702-734 use degree-preserving rewiring",
       bind_member(&ModelConfig::network, &NetworkSpec::rewire_method)},
      {"network.m", T::integer, 2, 1, kMaxAgents, "ties", {},
       "barabasi_albert: ties each new agent makes (preferential attachment)",
       "Barabási & Albert (1999) Science 286:509",
       bind_member(&ModelConfig::network, &NetworkSpec::m)},
      {"network.departments", T::integer, 10, 1, kMaxAgents, "departments", {},
       "workplace: number of departments (dense clusters)", "seed 002 (departments, teams)",
       bind_member(&ModelConfig::network, &NetworkSpec::departments)},
      {"network.within_degree", T::number, 8.0, 0, kInf, "ties", {},
       "workplace: expected ties to one's own department", "",
       bind_member(&ModelConfig::network, &NetworkSpec::within_degree)},
      {"network.between_degree", T::number, 1.0, 0, kInf, "ties", {},
       "workplace: expected ties to other departments (cross ties)", "",
       bind_member(&ModelConfig::network, &NetworkSpec::between_degree)},
      {"network.path", T::path, "", 0, 0, "", {},
       "edge_list: CSV file source,target[,trust] (ids 0..N-1), relative to the scenario file",
       "", bind_network_path()},
      {"network.roster", T::path, "", 0, 0, "", {},
       "roster: CSV of people name,department,shift,role[,leader] (one agent per line, in "
       "order; population.size must equal the number of people; known leaders start as "
       "worker-organizers), relative to the scenario file",
       "", bind_network_file(&NetworkSpec::roster_path, &NetworkSpec::roster_path_for_errors)},
      {"network.friendships", T::path, "", 0, 0, "", {},
       "roster: optional CSV of known friendships name_a,name_b (always tied, trust "
       "trust.friendship_level), relative to the scenario file",
       "", bind_network_file(&NetworkSpec::friendships_path,
                             &NetworkSpec::friendships_path_for_errors)},
      {"network.roster_same_shift", T::number, 0.5, 0, 1, "1", {},
       "roster: chance that two people of the same department and shift know each other", "",
       bind_member(&ModelConfig::network, &NetworkSpec::roster_chances,
                   &RosterTieChances::same_shift)},
      {"network.roster_other_shift", T::number, 0.1, 0, 1, "1", {},
       "roster: chance that two people of the same department on different shifts know each "
       "other", "",
       bind_member(&ModelConfig::network, &NetworkSpec::roster_chances,
                   &RosterTieChances::other_shift)},
      {"network.roster_across", T::number, 0.02, 0, 1, "1", {},
       "roster: chance that two people of different departments know each other", "",
       bind_member(&ModelConfig::network, &NetworkSpec::roster_chances,
                   &RosterTieChances::across)},

      // ---- trust ----------------------------------------------------------------------------
      {"trust.initial", T::distribution, dist_constant(0.1), 0, 1, "1", {},
       "initial trust on each tie (one draw per tie; an edge list's trust column overrides it)",
       "seed 000: 'organised apathy'", bind_tie_distribution(&ModelConfig::trust_initial)},
      {"trust.baseline", T::number, 0.1, 0, 1, "1", {},
       "trust on a new hire's ties (turnover resets ties to this level) and the level trust "
       "decays toward without contact",
       "", bind_member(&ModelConfig::trust_baseline)},
      {"trust.friendships", T::number, 0.0, 0, 1, "1", {},
       "share of ties that start as private friendships (trust.friendship_level instead of a "
       "trust.initial draw)",
       "seed 000: private relationships", bind_member(&ModelConfig::friendships)},
      {"trust.friendship_level", T::number, 0.8, 0, 1, "1", {},
       "initial trust of a private friendship", "", bind_member(&ModelConfig::friendship_level)},
      {"trust.voice", T::number, 0.4, 0, 1, "1", {},
       "voice threshold: trust at which grievances surface in a conversation (below it, pushing "
       "for the issue backfires)",
       "seed 002: 'why would anyone pour out their feelings ... to someone they just met?'",
       bind_member(&ModelConfig::voice)},

      // ---- participation core ---------------------------------------------------------------
      {"participation.threshold_rule", T::choice, threshold_rule_name(ThresholdRule::fraction), 0,
       0, "", names(kThresholdRuleNames),
       "social term n_i: fraction = sum_j tau_ij x_j / deg_i, count = sum_j tau_ij x_j, off = "
       "threshold channel disabled",
       "Watts (2002) PNAS 99:5766 (fraction); Centola & Macy (2007) (count)",
       bind_member(&ModelConfig::rule)},
      {"participation.weights.grievance", T::number, 0.0, 0, kInf, "1", {},
       "w_g: weight of effective grievance g_eff = clamp(g + G(t)) in U_i", "",
       bind_member(&ModelConfig::w_grievance)},
      {"participation.weights.commitment", T::number, 0.0, 0, kInf, "1", {},
       "w_c: weight of commitment c_i in U_i", "", bind_member(&ModelConfig::w_commitment)},
      {"participation.weights.social", T::number, 1.0, 0, kInf, "1", {},
       "w_n: weight of the social term n_i in U_i", "", bind_member(&ModelConfig::w_social)},
      {"participation.weights.invitation", T::number, 0.0, 0, kInf, "1", {},
       "w_i: weight of invitations received in U_i", "seed 000: 'someone they know invited them'",
       bind_member(&ModelConfig::w_invitation)},
      {"participation.weights.fear", T::number, 0.0, 0, kInf, "1", {},
       "w_f: weight of fear f_i(1 - v_i), subtracted in U_i", "",
       bind_member(&ModelConfig::w_fear)},
      {"participation.rounds", T::rounds, "until_stable", 1, 1e9, "rounds", {},
       "rounds per step: until_stable (repeat until no one joins) or k rounds", "",
       bind_rounds(&ModelConfig::rounds)},
      {"participation.update", T::choice, update_order_name(UpdateOrder::synchronous), 0, 0, "",
       names(kUpdateOrderNames),
       "synchronous rounds, or random-sequential sweeps (threshold channel only; same final set "
       "for a monotone cascade)",
       "", bind_member(&ModelConfig::update)},
      {"participation.contagion.probability", T::number, 0.0, 0, 1, "1", {},
       "beta: each participating neighbour j converts i with probability beta * tau_ij", "",
       bind_member(&ModelConfig::contagion_probability)},
      {"participation.contagion.attempts", T::choice, attempts_name(Attempts::once), 0, 0, "",
       names(kAttemptsNames),
       "once: only those who joined in the previous round try (independent cascade, SIR-like); "
       "every_round: all participants try every round (SI-like)",
       "Kempe, Kleinberg & Tardos (2003) KDD; Bass (1969) Mgmt Sci 15(5):215",
       bind_member(&ModelConfig::attempts)},
      {"broadcast.reach", T::number, 0.0, 0, 1, "1 per step", {},
       "r: probability that an agent is reached by the step's broadcast", "",
       bind_member(&ModelConfig::broadcast_reach)},
      {"broadcast.conversion", T::number, 0.0, 0, 1, "1", {},
       "c: probability that a reached non-participant joins", "",
       bind_member(&ModelConfig::broadcast_conversion)},

      // ---- environment ----------------------------------------------------------------------
      {"environment.climate.amplitude", T::number, 0.0, 0, 1, "1", {},
       "amplitude A of the hot/cool grievance cycle G(t) = A sin(2 pi t / period + phase) + S(t)",
       "seed 002: 'the normal cycles of grievances being cool and hot'",
       bind_member(&ModelConfig::climate, &ClimateConfig::amplitude)},
      {"environment.climate.period", T::number, 52.0, 1, kInf, "step", {},
       "period of the grievance cycle", "",
       bind_member(&ModelConfig::climate, &ClimateConfig::period)},
      {"environment.climate.phase", T::number, 0.0, -kInf, kInf, "rad", {},
       "phase of the grievance cycle at step 0", "",
       bind_member(&ModelConfig::climate, &ClimateConfig::phase)},
      {"environment.climate.shock_rate", T::number, 0.0, 0, 1, "1 per step", {},
       "probability of a grievance shock (a pay cut, a new manager) in a step", "",
       bind_member(&ModelConfig::climate, &ClimateConfig::shock_rate)},
      {"environment.climate.shock_size", T::number, 0.2, 0, 1, "1", {},
       "size of a shock added to S(t)", "",
       bind_member(&ModelConfig::climate, &ClimateConfig::shock_size)},
      {"environment.climate.shock_persistence", T::number, 0.8, 0, 1, "1 per step", {},
       "share of the shock level S(t) that persists into the next step", "",
       bind_member(&ModelConfig::climate, &ClimateConfig::shock_persistence)},
      {"environment.turnover", T::number, 0.0, 0, 1, "1 per step", {},
       "probability that an agent leaves in a step and is replaced by a new hire in the same "
       "node (ties back to trust.baseline, commitment 0, fresh draws)",
       "seed 002: turnover sets the pace", bind_member(&ModelConfig::turnover)},

      // ---- campaign: who organizes, how much, and how they spend their time ---------------
      {"campaign.strategy", T::choice, strategy_name(Strategy::none), 0, 0, "",
       names(kStrategyNames),
       "organizing strategy: a named allocation of hours, targeting rule and action policy "
       "(docs/MODEL.md); every part can be overridden field by field; none = no organizing work",
       "seeds 002, 003", bind_member(&ModelConfig::strategy)},
      {"campaign.staff_organizers", T::integer, 1, 0, 1e6, "organizers", {},
       "staff organizers (not part of the workplace graph; their trust is kept apart)",
       "seed 002: professionalization", bind_member(&ModelConfig::staff_organizers)},
      {"campaign.worker_organizers", T::integer, 1, 0, 1e9, "agents", {},
       "embedded worker-organizers at the start (random agents, committed)", "",
       bind_member(&ModelConfig::worker_organizers)},
      {"campaign.hours_per_step", T::number, 15.0, 0, 168, "h per step", {},
       "hours each staff organizer spends on this workplace per step", "",
       bind_member(&ModelConfig::staff_hours)},
      {"campaign.worker_hours_per_step", T::number, 4.0, 0, 168, "h per step", {},
       "hours each worker-organizer (initial or trained) spends organizing per step",
       "seed 001: 'show someone else how'", bind_member(&ModelConfig::worker_hours)},
      {"campaign.skill", T::number, 1.0, 0, 5, "1", {},
       "organizer skill: multiplies the trust gained in one-on-ones, social time and follow-up", "",
       bind_member(&ModelConfig::skill)},
      {"campaign.allocation.one_on_one", T::number, nullptr, 0, 1, "1", {},
       "share of hours for one-on-ones (null: the strategy's preset)", "seed 000",
       bind_allocation(Activity::one_on_one)},
      {"campaign.allocation.issue_push", T::number, nullptr, 0, 1, "1", {},
       "share of hours for issue pushes, 'finding the issue' (null: preset)", "seed 002",
       bind_allocation(Activity::issue_push)},
      {"campaign.allocation.social", T::number, nullptr, 0, 1, "1", {},
       "share of hours for social time (null: preset)", "seed 002: break room, drinks, birthdays",
       bind_allocation(Activity::social)},
      {"campaign.allocation.follow_up", T::number, nullptr, 0, 1, "1", {},
       "share of hours for follow-up and uplift (null: preset)",
       "seed 000: '90% of organizing is follow-up'; seed 001: uplift",
       bind_allocation(Activity::follow_up)},
      {"campaign.allocation.leader_training", T::number, nullptr, 0, 1, "1", {},
       "share of hours for training leaders into worker-organizers (null: preset)", "seed 001",
       bind_allocation(Activity::leader_training)},
      {"campaign.allocation.broadcast", T::number, nullptr, 0, 1, "1", {},
       "share of hours for broadcast messaging (null: preset)", "seed 002: big messaging",
       bind_allocation(Activity::broadcast)},
      {"campaign.targeting", T::choice, nullptr, 0, 0, "", names(kTargetingNames),
       "whom organizers approach: network = weave outward along ties (embedded organizers: "
       "their neighbours; staff: referrals from members), list = anyone at random, "
       "participants = people who turned out at the last action first (null: preset)",
       "seed 000: network weaving; seed 003: push the mobilized back to organizers",
       bind_draft(&ConfigDraft::targeting)},

      // ---- organizing activities: costs and effects ------------------------------------------
      {"one_on_one.hours", T::number, 1.0, 0.01, 100, "h", {},
       "hours per one-on-one (30-45 minutes plus arranging and reflecting)",
       "seed 000: 'no more than 30-45 minutes'",
       bind_member(&ModelConfig::one_on_one, &ModelConfig::OneOnOne::hours)},
      {"one_on_one.trust_gain", T::number, 0.15, 0, 1, "1", {},
       "a1: trust gained per one-on-one, tau += a1 * skill * (1 - tau)", "",
       bind_member(&ModelConfig::one_on_one, &ModelConfig::OneOnOne::trust_gain)},
      {"one_on_one.agitation", T::number, 0.15, 0, 1, "1", {},
       "felt grievance raised toward 1 when trust is at voice (agitation)", "seed 001: AEIOU",
       bind_member(&ModelConfig::one_on_one, &ModelConfig::OneOnOne::agitation)},
      {"one_on_one.inoculation", T::number, 0.2, 0, 1, "1", {},
       "inoculation gained when trust is at voice, v += x (1 - v)", "seed 001: inoculate",
       bind_member(&ModelConfig::one_on_one, &ModelConfig::OneOnOne::inoculation)},
      {"one_on_one.ask_base", T::number, 0.05, -1, 1, "1", {},
       "commitment ask: base success probability", "seed 000: 'asked a commitment'",
       bind_member(&ModelConfig::one_on_one, &ModelConfig::OneOnOne::ask_base)},
      {"one_on_one.ask_trust", T::number, 0.5, 0, 5, "1", {}, "ask success: weight of trust", "",
       bind_member(&ModelConfig::one_on_one, &ModelConfig::OneOnOne::ask_trust)},
      {"one_on_one.ask_grievance", T::number, 0.3, 0, 5, "1", {},
       "ask success: weight of effective grievance", "",
       bind_member(&ModelConfig::one_on_one, &ModelConfig::OneOnOne::ask_grievance)},
      {"one_on_one.ask_fear", T::number, 0.4, 0, 5, "1", {},
       "ask success: weight of uninoculated fear f (1 - v)", "",
       bind_member(&ModelConfig::one_on_one, &ModelConfig::OneOnOne::ask_fear)},
      {"one_on_one.ask_fatigue", T::number, 0.3, 0, 5, "1", {}, "ask success: weight of fatigue", "",
       bind_member(&ModelConfig::one_on_one, &ModelConfig::OneOnOne::ask_fatigue)},
      {"one_on_one.commitment_gain", T::number, 0.3, 0, 1, "1", {},
       "commitment gained by a successful ask, c += x (1 - c)", "",
       bind_member(&ModelConfig::one_on_one, &ModelConfig::OneOnOne::commitment_gain)},
      {"issue_push.hours", T::number, 0.25, 0.01, 100, "h", {}, "hours per issue push", "",
       bind_member(&ModelConfig::issue_push, &ModelConfig::IssuePush::hours)},
      {"issue_push.agitation", T::number, 0.15, 0, 1, "1", {},
       "felt grievance raised when trust is at voice", "",
       bind_member(&ModelConfig::issue_push, &ModelConfig::IssuePush::agitation)},
      {"issue_push.backfire_trust", T::number, 0.3, 0, 1, "1", {},
       "below voice: share of trust lost (tau *= 1 - x): people feel used",
       "seed 002: instrumentalization",
       bind_member(&ModelConfig::issue_push, &ModelConfig::IssuePush::backfire_trust)},
      {"issue_push.backfire_fatigue", T::number, 0.2, 0, 1, "1", {},
       "below voice: fatigue gained, fatigue += x (1 - fatigue)", "",
       bind_member(&ModelConfig::issue_push, &ModelConfig::IssuePush::backfire_fatigue)},
      {"issue_push.backfire_commitment", T::number, 0.1, 0, 1, "1", {},
       "below voice: share of commitment lost", "",
       bind_member(&ModelConfig::issue_push, &ModelConfig::IssuePush::backfire_commitment)},
      {"social.hours", T::number, 2.0, 0.01, 100, "h", {}, "organizer hours per social gathering", "",
       bind_member(&ModelConfig::social, &ModelConfig::Social::hours)},
      {"social.attendees", T::integer, 6, 1, 1000, "agents", {},
       "neighbours of the host who attend (besides the host)", "",
       bind_member(&ModelConfig::social, &ModelConfig::Social::attendees)},
      {"social.trust_gain", T::number, 0.1, 0, 1, "1", {},
       "trust gained on every tie among attendees, tau += x * skill * (1 - tau)",
       "seed 002: conversations 'sprouted into group conversations'",
       bind_member(&ModelConfig::social, &ModelConfig::Social::trust_gain)},
      {"follow_up.hours", T::number, 0.5, 0.01, 100, "h", {}, "hours per follow-up", "",
       bind_member(&ModelConfig::follow_up, &ModelConfig::FollowUp::hours)},
      {"follow_up.uplift", T::number, 0.1, 0, 1, "1", {},
       "commitment restored by a follow-up, c += x (1 - c)", "seed 001: uplift",
       bind_member(&ModelConfig::follow_up, &ModelConfig::FollowUp::uplift)},
      {"follow_up.trust_gain", T::number, 0.05, 0, 1, "1", {}, "trust gained by a follow-up", "",
       bind_member(&ModelConfig::follow_up, &ModelConfig::FollowUp::trust_gain)},
      {"tasks.due_steps", T::integer, 2, 0, 1000, "step", {},
       "a yes to a one-on-one's commitment ask is a task due this many steps later; commitment "
       "comes when it is done (0: no tasks, a yes raises commitment at once)",
       "seed 001: AEIOU 'organize', tasks they volunteered to do",
       bind_member(&ModelConfig::tasks, &ModelConfig::Tasks::due_steps)},
      {"tasks.base", T::number, 0.1, -1, 1, "1", {},
       "task completion: base probability at the due step", "",
       bind_member(&ModelConfig::tasks, &ModelConfig::Tasks::base)},
      {"tasks.trust", T::number, 0.6, 0, 5, "1", {},
       "task completion: weight of trust in whoever asked (a soft yes to someone barely "
       "trusted is common)",
       "seed 002: Ava 'said yes, but she never followed through'",
       bind_member(&ModelConfig::tasks, &ModelConfig::Tasks::trust)},
      {"tasks.accountability", T::number, 0.25, 0, 5, "1", {},
       "task completion: weight of the accountability of the relationship the ask came over, "
       "1 - 2^-k after k one-on-ones (0 for a private or casual tie)",
       "seed 000: 'accountable for their actions (or inaction) to the network'",
       bind_member(&ModelConfig::tasks, &ModelConfig::Tasks::accountability)},
      {"tasks.nudge", T::number, 0.2, 0, 5, "1", {},
       "task completion: added per follow-up received while the task is open (at most two count)",
       "seed 001: uplift",
       bind_member(&ModelConfig::tasks, &ModelConfig::Tasks::nudge)},
      {"tasks.fear", T::number, 0.3, 0, 5, "1", {},
       "task completion: weight of uninoculated fear f (1 - v)", "seed 001: inoculate",
       bind_member(&ModelConfig::tasks, &ModelConfig::Tasks::fear)},
      {"tasks.done_trust", T::number, 0.1, 0, 1, "1", {},
       "a done task embeds: trust gained on the tie to the asker and to one organized coworker "
       "it was done with, tau += x (1 - tau)",
       "seed 000: 'through participation new volunteers become embedded'",
       bind_member(&ModelConfig::tasks, &ModelConfig::Tasks::done_trust)},
      {"tasks.outreach", T::number, 0.3, 0, 1, "1", {},
       "probability that a done task was outreach: the doer has a one-on-one with a coworker "
       "who is not yet organized (which may end in a task for that coworker)",
       "seed 000: 'begin listening to their friends'; seed 001: 'show someone else how'",
       bind_member(&ModelConfig::tasks, &ModelConfig::Tasks::outreach)},
      {"tasks.recover_steps", T::integer, 4, 0, 1000, "step", {},
       "steps after a missed task during which a follow-up recovers it (a new due date)",
       "seed 001: 'when people don't complete a task, follow-up'",
       bind_member(&ModelConfig::tasks, &ModelConfig::Tasks::recover_steps)},
      {"weaving.referral", T::number, 0.3, 0, 1, "1", {},
       "probability that a one-on-one at voice ends in a referral: the person introduces the "
       "organizer to a coworker (a new tie for a worker-organizer; warm staff trust for staff)",
       "seed 000: 'organisers are network weavers'",
       bind_member(&ModelConfig::weaving, &ModelConfig::Weaving::referral)},
      {"weaving.intro_trust", T::number, 0.15, 0, 1, "1", {},
       "trust on a tie created by an introduction (referral or social time)", "",
       bind_member(&ModelConfig::weaving, &ModelConfig::Weaving::intro_trust)},
      {"weaving.social_ties", T::number, 0.05, 0, 1, "1", {},
       "probability that two attendees of social time who were not acquainted become so "
       "(bridging departments when they come from different ones)",
       "seed 000: network weaving (Krebs & Holley 2006)",
       bind_member(&ModelConfig::weaving, &ModelConfig::Weaving::social_ties)},
      {"reach.saturation", T::number, 0.5, 0, 100, "1 per contact", {},
       "diminishing returns on the same person: the effects of a one-on-one or issue push (and "
       "the chance of being chosen again by a worker-organizer) scale by 1 / (1 + x * attention)",
       "", bind_member(&ModelConfig::reach, &ModelConfig::Reach::saturation)},
      {"reach.memory", T::number, 0.5, 0, 1, "1 per step", {},
       "attention (recent contacts) fades, attention *= 1 - x each step", "",
       bind_member(&ModelConfig::reach, &ModelConfig::Reach::memory)},
      {"burnout.rate", T::number, 0.05, 0, 1, "1 per step", {},
       "strain gained per step per unit of overload, x (hours / sustainable - 1); strain 1 is a "
       "burnout (0: no burnout)",
       "seed 000: one-to-ones 'can be exhausting'",
       bind_member(&ModelConfig::burnout, &ModelConfig::Burnout::rate)},
      {"burnout.staff_hours", T::number, 20.0, 0.01, 168, "h per step", {},
       "hours per step a staff organizer sustains on this workplace", "",
       bind_member(&ModelConfig::burnout, &ModelConfig::Burnout::staff_hours)},
      {"burnout.worker_hours", T::number, 5.0, 0.01, 168, "h per step", {},
       "hours per step a worker-organizer sustains besides their job", "",
       bind_member(&ModelConfig::burnout, &ModelConfig::Burnout::worker_hours)},
      {"burnout.support", T::number, 0.05, 0, 1, "1 per step", {},
       "strain relieved per step at full support (worker-organizer: share of strong ties into "
       "the organized base; staff: share of the organizing team that are worker-organizers)",
       "seed 001: taking each step in community with others",
       bind_member(&ModelConfig::burnout, &ModelConfig::Burnout::support)},
      {"burnout.staff_leave", T::integer, 8, 0, 1e6, "step", {},
       "steps a burned-out staff organizer is away (a worker-organizer steps back for good)", "",
       bind_member(&ModelConfig::burnout, &ModelConfig::Burnout::staff_leave)},
      {"types.selfish", T::number, 0.25, 0, 1, "1", {},
       "share of selfish people ('what's in it for me?'): asks to act land less well",
       "seed 000: selfish, self-interested, selfless",
       bind_member(&ModelConfig::types, &ModelConfig::Types::selfish)},
      {"types.selfless", T::number, 0.15, 0, 1, "1", {},
       "share of selfless people (serve rather than act): say yes easily, agitation moves them "
       "little; the rest are self-interested",
       "seed 000", bind_member(&ModelConfig::types, &ModelConfig::Types::selfless)},
      {"types.selfish_ask", T::number, 0.15, 0, 1, "1", {},
       "subtracted from a selfish person's ask and task-completion probabilities", "seed 000",
       bind_member(&ModelConfig::types, &ModelConfig::Types::selfish_ask)},
      {"types.selfless_ask", T::number, 0.15, 0, 1, "1", {},
       "added to a selfless person's ask probability (a yes, not always a deed)", "seed 000",
       bind_member(&ModelConfig::types, &ModelConfig::Types::selfless_ask)},
      {"types.selfless_agitation", T::number, 0.3, 0, 1, "1", {},
       "multiplier on the agitation a selfless person feels ('don't really know what they care "
       "about')",
       "seed 000", bind_member(&ModelConfig::types, &ModelConfig::Types::selfless_agitation)},
      {"training.hours", T::number, 1.5, 0.01, 100, "h", {}, "hours per training session", "",
       bind_member(&ModelConfig::training, &ModelConfig::Training::hours)},
      {"training.sessions", T::integer, 6, 1, 1000, "sessions", {},
       "sessions (one per step at most) before a leader becomes a worker-organizer", "",
       bind_member(&ModelConfig::training, &ModelConfig::Training::sessions)},
      {"training.potential", T::number, 0.4, 0, 1, "1", {},
       "leadership potential a trainee needs (evaluated in a one-on-one)", "",
       bind_member(&ModelConfig::training, &ModelConfig::Training::potential)},
      {"messaging.hours", T::number, 4.0, 0.01, 1000, "h", {}, "hours per broadcast blast", "",
       bind_member(&ModelConfig::messaging, &ModelConfig::Messaging::hours)},
      {"messaging.reach", T::number, 0.6, 0, 1, "1", {},
       "share of all agents a blast reaches (no ties needed)", "seed 002: email lists, social media",
       bind_member(&ModelConfig::messaging, &ModelConfig::Messaging::reach)},
      {"messaging.awareness_gain", T::number, 0.6, 0, 1, "1", {},
       "awareness gained by those reached, a += x (1 - a)", "",
       bind_member(&ModelConfig::messaging, &ModelConfig::Messaging::awareness_gain)},
      {"messaging.agitation", T::number, 0.05, 0, 1, "1", {},
       "felt grievance raised in those reached", "",
       bind_member(&ModelConfig::messaging, &ModelConfig::Messaging::agitation)},
      {"messaging.supporter_rate", T::number, 0.05, 0, 1, "1", {},
       "probability (times effective grievance) that a reached agent becomes an anonymous "
       "supporter",
       "seed 002: 'a broader base of anonymous supporters'",
       bind_member(&ModelConfig::messaging, &ModelConfig::Messaging::supporter_rate)},
      {"messaging.invitation", T::number, 0.1, 0, 1, "1", {},
       "strength of the broadcast invitation to an action, times awareness", "",
       bind_member(&ModelConfig::messaging, &ModelConfig::Messaging::invitation)},

      // ---- actions ---------------------------------------------------------------------------
      {"actions.policy", T::choice, nullptr, 0, 0, "", names(kActionPolicyNames),
       "schedule: every `every` steps from `first`; continuous: one long action from `first`; "
       "hot: when the climate G(t) >= hot_threshold; readiness: when the share at member or "
       "above reaches `readiness`; ready_and_hot: when both hold (a ready base and a hot "
       "moment); never (null: the strategy's preset; none -> schedule)",
       "seed 002: 'chasing after big moments'; seed 003", bind_draft(&ConfigDraft::policy)},
      {"actions.kind", T::choice, action_kind_name(ActionKind::action), 0, 0, "",
       names(kActionKindNames),
       "what the policy calls: a collective action (won when its power beats the resistance), "
       "or a union election (a secret-ballot vote won by a majority of the votes cast, "
       "announced actions.notice_steps weeks before; docs/MODEL.md 'Elections')",
       "NLRB representation elections (29 U.S.C. 159)", bind_member(&ModelConfig::kind)},
      {"actions.notice_steps", T::integer, 4, 0, 1e6, "step", {},
       "election: weeks between the announcement (the petition) and the vote, during which the "
       "employer runs its counter-campaign",
       "NLRB: median petition-to-election time 38 days before the 2015 election rule, about 23 "
       "after (NLRB election statistics)",
       bind_member(&ModelConfig::notice_steps)},
      {"actions.first", T::integer, 0, 0, 1e9, "step", {}, "step of the first possible action", "",
       bind_member(&ModelConfig::first_action)},
      {"actions.every", T::integer, 1, 1, 1e9, "step", {}, "schedule: steps between actions", "",
       bind_member(&ModelConfig::action_every)},
      {"actions.min_gap", T::integer, 8, 1, 1e9, "step", {},
       "hot, readiness: at least this many steps between actions", "",
       bind_member(&ModelConfig::min_gap)},
      {"actions.hot_threshold", T::number, 0.1, -2, 2, "1", {},
       "hot: climate level G(t) that calls an action", "",
       bind_member(&ModelConfig::hot_threshold)},
      {"actions.readiness", T::number, 0.15, 0, 1, "1", {},
       "readiness: share of agents at member or above that calls an action", "",
       bind_member(&ModelConfig::readiness)},
      {"actions.assessment", T::choice, assessment_name(Assessment::organized), 0, 0, "",
       names(kAssessmentNames),
       "what the readiness bar counts: organized = the organized base (member or above, or "
       "worker-organizers); yeses = that plus everyone who ever said yes to a commitment ask, "
       "soft yeses included (a signed card stays on the sheet) — the assessment can then run "
       "ahead of real support",
       "McAlevey (2016) No Shortcuts: organizers run 'structure tests' (majority petitions) "
       "because a signed card or a yes in a conversation is not yet a vote",
       bind_member(&ModelConfig::assessment)},
      {"actions.seed", T::seed_set, json{{"random", 1}}, 0, 0, "", {},
       "who starts an action: {\"random\": k}, {\"fraction\": f}, {\"agents\": [ids], "
       "\"with_neighbors\": bool} or {\"rung\": \"supporter\"|\"member\"|\"leader\"} "
       "(everyone at or above the rung, plus the worker-organizers)",
       "", bind_member(&ModelConfig::seed_set)},
      {"actions.power_floor", T::number, 0.3, 0, 1, "1", {},
       "power P = T (floor + (1 - floor) C): the weight of turnout without cohesion", "",
       bind_member(&ModelConfig::power_floor)},
      {"actions.participation_commitment", T::number, 0.05, 0, 1, "1", {},
       "commitment gained by taking part, c += x (1 - c)",
       "seed 000: 'through participation ... volunteers become embedded'",
       bind_member(&ModelConfig::participation_commitment)},
      {"actions.trust_gain", T::number, 0.03, 0, 1, "1", {},
       "trust gained on every tie between two participants of an action, tau += x (1 - tau)",
       "seed 002: acting together on the basis of relationships",
       bind_member(&ModelConfig::action_trust_gain)},
      {"actions.participation_fatigue", T::number, 0.1, 0, 1, "1", {},
       "fatigue gained by taking part", "", bind_member(&ModelConfig::participation_fatigue)},
      {"actions.win_commitment", T::number, 0.1, 0, 1, "1", {},
       "commitment gained by participants of a won action", "",
       bind_member(&ModelConfig::win_commitment)},
      {"actions.loss_fear", T::number, 0.1, 0, 1, "1", {},
       "fear gained by participants of a lost action, f += x (1 - v)(1 - f)", "",
       bind_member(&ModelConfig::loss_fear)},
      {"actions.loss_commitment", T::number, 0.05, 0, 1, "1", {},
       "commitment lost by participants of a lost action, c -= x c (a defeat demoralizes)",
       "seed 003: actions that fail cost the organizers' credibility",
       bind_member(&ModelConfig::loss_commitment)},
      {"actions.loss_trust", T::number, 0.05, 0, 1, "1", {},
       "trust lost by whoever called a lost action: each participant's staff_trust, and trust on "
       "every tie between a worker-organizer and a participant, fall by x times their value",
       "seed 000: organizers are accountable for what they ask people to do",
       bind_member(&ModelConfig::loss_trust)},
      {"actions.win_width", T::number, 0.03, 0, 2, "1", {},
       "width s of the chance of winning, P(win) = 1 / (1 + exp(-(P - R) / s)) (logistic in "
       "power minus resistance; s = 0 is the step P >= R); one uniform per decided action from "
       "the employer stream when s > 0",
       "the outcome of a contest between near-equal sides is uncertain (Tullock 1980 contest "
       "success functions)",
       bind_member(&ModelConfig::win_width)},

      // ---- the employer ----------------------------------------------------------------------
      {"employer.resistance", T::number, 0.25, 0, 2, "1", {},
       "R: the employer's line; an action's chance of winning rises with its power P around it "
       "(one half at P = R under actions.win_width > 0; with win_width = 0 it wins exactly when "
       "P >= R)",
       "", bind_member(&ModelConfig::resistance)},
      {"employer.retaliation", T::number, 0.1, 0, 1, "1", {},
       "fear added to visible participants after an action, f += x (1 - v)(1 - f)", "",
       bind_member(&ModelConfig::retaliation)},
      {"employer.firing", T::number, 0.003, 0, 1, "1 per step", {},
       "extra leaving probability of visible leaders (leaders and organizers who took part) "
       "for employer.firing_steps after an action",
       "seed 002: management style", bind_member(&ModelConfig::firing)},
      {"employer.firing_steps", T::integer, 8, 0, 1e6, "step", {},
       "steps a visible leader stays exposed to firing", "",
       bind_member(&ModelConfig::firing_steps)},
      {"employer.counter_campaign", T::number, 0.0, 0, 1, "1 per step", {},
       "fear added to everyone each step once an action has been called, x (1 - v)(1 - f)", "",
       bind_member(&ModelConfig::counter_campaign)},

      // ---- elections: the employer's counter-campaign, the first contract ------------------
      {"elections.ballot", T::choice, ballot_name(Ballot::secret), 0, 0, "", names(kBallotNames),
       "how the votes are decided: secret = every worker decides once and privately, comparing "
       "their own utility (grievance, commitment, fear, the campaign's invitations) plus the "
       "social pull of the coworkers whose support is public (the action's seeds: signed, "
       "visible supporters) with their threshold; no vote is fixed in advance, a card signer can "
       "vote no, and no one sees another's ballot, so there is no cascade of votes. open = the "
       "vote runs like an action: the seeds vote yes and each yes pulls in the next",
       "NLRB elections are secret-ballot votes (29 CFR 102.69); Bronfenbrenner (2009) No Holds "
       "Barred, EPI: support erodes between petition and vote under the employer's campaign, "
       "card signers among those who vote no",
       bind_member(&ModelConfig::elections, &ModelConfig::Elections::ballot)},
      {"elections.turnout", T::number, 0.85, 0, 1, "1", {},
       "probability that an eligible worker casts a vote (independently of how they vote)",
       "NLRB elections: most eligible voters vote (NLRB election reports; turnout is far above "
       "public elections)",
       bind_member(&ModelConfig::elections, &ModelConfig::Elections::turnout)},
      {"elections.captive_fear", T::number, 0.03, 0, 1, "1 per step", {},
       "captive-audience meetings: fear added to everyone each notice week, x (1 - v)(1 - f)",
       "Bronfenbrenner (2009) No Holds Barred, EPI: captive-audience meetings in 89% of campaigns",
       bind_member(&ModelConfig::elections, &ModelConfig::Elections::captive_fear)},
      {"elections.threat_rate", T::number, 0.03, 0, 1, "1 per step", {},
       "chance per notice week that a visible supporter (at the supporter rung or above) gets a "
       "supervisor's threat or coercive one-on-one",
       "Bronfenbrenner (2009): threats in mandatory supervisor one-on-ones in 54% of campaigns",
       bind_member(&ModelConfig::elections, &ModelConfig::Elections::threat_rate)},
      {"elections.threat_fear", T::number, 0.2, 0, 1, "1", {},
       "fear added by a threat, x (1 - v)(1 - f)", "Bronfenbrenner (2009)",
       bind_member(&ModelConfig::elections, &ModelConfig::Elections::threat_fear)},
      {"elections.firing_rate", T::number, 0.01, 0, 1, "1 per step", {},
       "chance per notice week that a visible leader (leader rung or worker-organizer) is fired; "
       "the fired leave like turnover and a new hire takes the node",
       "McNicholas et al. (2019) Unlawful, EPI: illegal firing charged in about 1 in 5 elections; "
       "Bronfenbrenner (2009): 34% of campaigns",
       bind_member(&ModelConfig::elections, &ModelConfig::Elections::firing_rate)},
      {"elections.contract_rate", T::number, 0.02, 0, 1, "1 per step", {},
       "after a won election, chance per step of a first contract (the win is consolidated) when "
       "the defense meets what the win needs; it falls in proportion to the defense's shortfall",
       "Bronfenbrenner (2009): 48% of new units had a first contract a year after the vote",
       bind_member(&ModelConfig::elections, &ModelConfig::Elections::contract_rate)},
      {"elections.threat_campaign", T::number, 1.0, 0, 1, "1", {},
       "chance that the employer's campaign, chosen once at the petition, uses supervisors' "
       "threats at all; elections.threat_rate is the per-supporter rate given that choice "
       "(1: every campaign, no draw)",
       "Bronfenbrenner (2009) No Holds Barred, EPI: tactics are a campaign-level choice, mostly "
       "of hired consultants (used in 75% of campaigns); threats in 54% of campaigns",
       bind_member(&ModelConfig::elections, &ModelConfig::Elections::threat_campaign)},
      {"elections.firing_campaign", T::number, 1.0, 0, 1, "1", {},
       "chance that the employer's campaign, chosen once at the petition, fires union supporters "
       "at all; elections.firing_rate is the per-leader rate given that choice (1: every "
       "campaign, no draw)",
       "Bronfenbrenner (2009): firings in 34% of campaigns; McNicholas et al. (2019) Unlawful, "
       "EPI: illegal firings charged in about 1 in 5 elections",
       bind_member(&ModelConfig::elections, &ModelConfig::Elections::firing_campaign)},

      // ---- wins and their durability ---------------------------------------------------------
      {"wins.hold_fraction", T::number, 0.5, 0, 10, "1", {},
       "the defense (share of workers who would turn out now x their cohesion) a win needs, as a "
       "share of its strength; a shortfall lets the gap term of the hazard through",
       "seed 002: wins 'easily reversed or watered down'",
       bind_member(&ModelConfig::wins, &WinRules::hold_fraction)},
      {"wins.hazard", T::number, 0.05, 0, 1, "1 per step", {},
       "reversal probability per step of an undefended win (scaled by the defense gap)", "",
       bind_member(&ModelConfig::wins, &WinRules::hazard)},
      {"wins.background_hazard", T::number, 0.004, 0, 1, "1 per step", {},
       "reversal probability per step that no defense removes (a new manager, a restructuring, "
       "a contract fight lost), added to the gap term",
       "seed 002: wins 'easily reversed or watered down'; management turnover and restructuring",
       bind_member(&ModelConfig::wins, &WinRules::background)},

      // ---- decay -----------------------------------------------------------------------------
      {"decay.trust", T::number, 0.002, 0, 1, "1 per step", {},
       "trust drifts toward trust.baseline without contact, tau -= x (tau - baseline)", "",
       bind_member(&ModelConfig::decay, &ModelConfig::Decay::trust)},
      {"decay.staff_trust", T::number, 0.02, 0, 1, "1 per step", {},
       "trust in staff organizers fades toward 0", "",
       bind_member(&ModelConfig::decay, &ModelConfig::Decay::staff_trust)},
      {"decay.commitment", T::number, 0.01, 0, 1, "1 per step", {},
       "commitment decay, reduced by embeddedness: c -= x (1 - e_i) c",
       "seed 000: people stay because of the relationships they have formed",
       bind_member(&ModelConfig::decay, &ModelConfig::Decay::commitment)},
      {"decay.awareness", T::number, 0.3, 0, 1, "1 per step", {}, "awareness fades fast", "",
       bind_member(&ModelConfig::decay, &ModelConfig::Decay::awareness)},
      {"decay.grievance", T::number, 0.05, 0, 1, "1 per step", {},
       "felt grievance returns toward the agent's baseline grievance", "",
       bind_member(&ModelConfig::decay, &ModelConfig::Decay::grievance)},
      {"decay.fear", T::number, 0.02, 0, 1, "1 per step", {},
       "fear returns toward the agent's baseline fear", "",
       bind_member(&ModelConfig::decay, &ModelConfig::Decay::fear)},
      {"decay.fatigue", T::number, 0.1, 0, 1, "1 per step", {}, "fatigue recovers", "",
       bind_member(&ModelConfig::decay, &ModelConfig::Decay::fatigue)},
  };
}
}  // namespace

// The built-in bases, as scenario JSON. `classic` switches off everything but the participation
// core (threshold, contagion and broadcast channels; docs/VALIDATION.md), so that a classic
// experiment is `{"extends": "classic"}` plus its own keys and reproduces the published model
// over any number of steps. Every table entry that moves state between steps is listed here:
// the campaign, the employer (retaliation, firing, counter-campaign, pushing wins back), the
// climate, turnover, every decay, what taking part, winning and losing do to an agent, and trust
// (1 on every tie, also for a tie reset or decaying). Wins are still recorded (power against
// employer.resistance) but feed nothing back. Nothing reads an agent's grievance, fear or
// leadership potential here, so they are not drawn (constant 0): the thresholds are drawn first
// from the population stream, so this changes no classic result, only the cost of initialising.
constexpr const char* kBuiltinBases = R"json({
  "classic": {
    "population": {"grievance": {"distribution": "constant", "value": 0},
                   "fear": {"distribution": "constant", "value": 0},
                   "leadership": {"distribution": "constant", "value": 0}},
    "campaign": {"strategy": "none"},
    "ladder": {"ceiling": 0},
    "tasks": {"due_steps": 0},
    "weaving": {"referral": 0, "social_ties": 0},
    "reach": {"saturation": 0},
    "burnout": {"rate": 0},
    "types": {"selfish": 0, "selfless": 0},
    "employer": {"retaliation": 0, "firing": 0, "counter_campaign": 0},
    "wins": {"hazard": 0, "background_hazard": 0},
    "environment": {"turnover": 0,
                    "climate": {"amplitude": 0, "shock_rate": 0}},
    "trust": {"initial": {"distribution": "constant", "value": 1},
              "baseline": 1, "friendships": 0},
    "participation": {"weights": {"grievance": 0, "commitment": 0, "social": 1,
                                  "invitation": 0, "fear": 0}},
    "actions": {"participation_commitment": 0, "trust_gain": 0, "participation_fatigue": 0,
                "win_commitment": 0, "loss_fear": 0, "loss_commitment": 0, "loss_trust": 0,
                "win_width": 0, "kind": "action"},
    "decay": {"trust": 0, "staff_trust": 0, "commitment": 0, "awareness": 0, "grievance": 0,
              "fear": 0, "fatigue": 0}
  }
})json";

const std::vector<ParamSpec>& parameter_table() {
  static const std::vector<ParamSpec> table = make_table();
  return table;
}

const ParamSpec* find_param(const std::string& key) {
  for (const auto& p : parameter_table())
    if (p.key == key) return &p;
  return nullptr;
}

const nlohmann::json& builtin_bases() {
  static const json bases = json::parse(kBuiltinBases);
  return bases;
}

std::vector<std::string> parameter_keys() {
  std::vector<std::string> keys;
  for (const auto& p : parameter_table()) keys.push_back(p.key);
  return keys;
}

namespace {
const char* type_name(ParamType t) {
  switch (t) {
    case T::number: return "number";
    case T::integer: return "integer";
    case T::boolean: return "boolean";
    case T::choice: return "choice";
    case T::text: return "text";
    case T::path: return "path";
    case T::distribution: return "distribution";
    case T::seed_set: return "seed set";
    case T::rounds: return "rounds";
  }
  return "?";
}

std::string fmt_num(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string range_text(const ParamSpec& p) {
  switch (p.type) {
    case T::integer: return "[" + integer_text(p.min) + ", " + integer_text(p.max) + "]";
    case T::number:
    case T::distribution:
      return "[" + fmt_num(p.min) + ", " + fmt_num(p.max) + "]";
    case T::rounds:
      return "until_stable or [1, " + fmt_num(p.max) + "]";
    case T::choice: {
      std::string s;
      for (std::size_t i = 0; i < p.choices.size(); ++i) s += (i ? " | " : "") + p.choices[i];
      return s;
    }
    default:
      return "";
  }
}
}  // namespace

std::string udunits_of(const std::string& unit) {
  // The table says units as a trainer reads them; a results file needs strings UDUNITS-2 parses
  // (docs/HDF5_LAYOUT.md, "Units and CF"). One step is one week (docs/MODEL.md, "Scales").
  static const std::map<std::string, std::string> udunits = {
      {"", ""},
      {"1", "1"},
      {"rad", "rad"},
      {"h", "h"},
      {"step", "week"},
      {"1 per step", "week-1"},
      {"h per step", "h week-1"},
      // A probability per contact: a contact is an event, not a unit.
      {"1 per contact", "1"},
      // population.threshold: a share of neighbours, or a trust-weighted count (not a whole
      // number), by population.threshold_rule: dimensionless either way.
      {"1 or agents", "1"},
      // Numbers of things: UDUNITS' "count" (the dimensionless 1).
      {"agents", "count"},
      {"ties", "count"},
      {"runs", "count"},
      {"departments", "count"},
      {"rounds", "count"},
      {"organizers", "count"},
      {"sessions", "count"},
  };
  const auto it = udunits.find(unit);
  if (it == udunits.end())
    throw std::logic_error("parameter unit '" + unit +
                           "' has no UDUNITS string: add it to udunits_of (model/parameters.cpp)");
  return it->second;
}

std::string parameters_text() {
  std::string out;
  for (const auto& p : parameter_table()) {
    out += p.key + "  (" + type_name(p.type) + ")  default " + p.default_value.dump();
    const std::string r = range_text(p);
    if (!r.empty()) out += "  range " + r;
    if (!p.unit.empty()) out += "  unit " + p.unit;
    out += "\n    " + p.meaning + "\n";
    if (!p.source.empty()) out += "    source: " + p.source + "\n";
  }
  return out;
}

std::string parameters_markdown() {
  std::string md =
      "# orgsim parameters\n\n"
      "Generated by `orgsim params --markdown` from the parameter table in "
      "`sim/model/parameters.cpp`; do not edit by hand (a test fails when this file is stale).\n\n"
      "Every key is a dotted path into a scenario file; `--set key=value`, arms and sweeps "
      "address parameters the same way. Distributions are described in `docs/MODEL.md`.\n\n"
      "| key | type | default | range | unit | meaning | source |\n"
      "|---|---|---|---|---|---|---|\n";
  auto esc = [](std::string s) {
    std::string o;
    for (char c : s) o += (c == '|') ? std::string("\\|") : std::string(1, c);
    return o;
  };
  for (const auto& p : parameter_table()) {
    md += "| `" + p.key + "` | " + type_name(p.type) + " | `" + esc(p.default_value.dump()) +
          "` | " + esc(range_text(p)) + " | " + p.unit + " | " + esc(p.meaning) + " | " +
          esc(p.source) + " |\n";
  }
  md += "\n## Built-in bases\n\n"
        "A scenario file may start from a built-in base with `\"extends\": \"NAME\"` (see "
        "README.md and docs/VALIDATION.md); values resolve as defaults < base < file < `--set` < arm.\n";
  for (auto it = builtin_bases().begin(); it != builtin_bases().end(); ++it)
    md += "\n### `" + it.key() + "`\n\n```json\n" + it->dump(2) + "\n```\n";
  return md;
}

nlohmann::json parameters_json() {
  json arr = json::array();
  for (const auto& p : parameter_table()) {
    json e = {{"key", p.key},
              {"type", type_name(p.type)},
              {"default", p.default_value},
              {"unit", p.unit},
              {"meaning", p.meaning},
              {"source", p.source},
              {"udunits", udunits_of(p.unit)}};
    if (p.type == T::number || p.type == T::integer || p.type == T::distribution ||
        p.type == T::rounds) {
      e["min"] = std::isinf(p.min) ? json(fmt_num(p.min)) : json(p.min);
      e["max"] = std::isinf(p.max) ? json(fmt_num(p.max)) : json(p.max);
    }
    if (!p.choices.empty()) e["choices"] = p.choices;
    arr.push_back(e);
  }
  return arr;
}

std::string json_value_text(const nlohmann::json& v) {
  using nlohmann::json;
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean (" + v.dump() + ")";
    case json::value_t::string: return "a string (" + v.dump() + ")";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "the integer " + v.dump();
    case json::value_t::number_float: return "the number " + v.dump();
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    default: return v.dump();
  }
}

}  // namespace orgsim
