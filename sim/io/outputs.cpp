#include "io/outputs.hpp"

#include <stdexcept>

#include "io/layout.hpp"

namespace orgsim {

namespace {
using S = OutputScope;
using N = OutputNature;

std::vector<OutputVar> make_dictionary() {
  return {
      // ---- per step -------------------------------------------------------------------------
      {"turnout", S::per_step, N::stock, "1",
       "share of the population participating in the step's action when its rounds end "
       "(continuous actions: everyone who has joined so far; an election: those who would vote "
       "yes, whether or not they cast a vote)",
       "NaN when no action runs in the step", false},
      {"new_participants", S::per_step, N::flow, "1",
       "share of the population that joined the action during the step (seeds included)",
       "NaN when no action runs in the step", false},
      {"rounds", S::per_step, N::flow, "rounds",
       "participation rounds run in the step (until stable: the rounds in which someone joined, "
       "plus the final check)",
       "NaN when no action runs in the step", false},
      {"power", S::per_step, N::stock, "1",
       "power of the step's action, P = T (floor + (1 - floor) C)",
       "NaN when no action runs in the step", false},
      {"cohesion", S::per_step, N::stock, "1",
       "mean trust on ties among the action's participants (C)",
       "NaN when no action runs in the step", false},
      {"trust_mean", S::per_step, N::stock, "1", "mean trust over all ties",
       "NaN for a graph without ties", false},
      {"strong_tie_share", S::per_step, N::stock, "1", "share of ties with trust >= 0.5",
       "NaN for a graph without ties", false},
      {"strong_component", S::per_step, N::stock, "1",
       "share of agents in the largest component of the strong-tie (trust >= 0.5) graph",
       "NaN for a complete (mean-field) graph, and at the steps output.component_every skips",
       false},
      {"staff_trust_mean", S::per_step, N::stock, "1",
       "mean trust in the staff organizers (kept apart from peer trust)", "", false},
      {"rung_supporter", S::per_step, N::stock, "agents",
       "agents at the supporter rung (ladder.supporter <= c < ladder.member)", "", false},
      {"rung_member", S::per_step, N::stock, "agents",
       "agents at the member rung (ladder.member <= c < ladder.leader)", "", false},
      {"rung_leader", S::per_step, N::stock, "agents", "agents at the leader rung (c >= ladder.leader)",
       "", false},
      {"organized_base", S::per_step, N::stock, "1",
       "share of agents at member or above, or worker-organizers (the organized base)", "", false},
      {"organizers_staff", S::per_step, N::stock, "organizers", "staff organizers", "", false},
      {"organizers_worker", S::per_step, N::stock, "agents", "worker-organizers (embedded)", "",
       false},
      {"hours_one_on_one", S::per_step, N::flow, "h", "organizer hours spent on one-on-ones", "",
       false},
      {"hours_issue_push", S::per_step, N::flow, "h", "organizer hours spent on issue pushes", "",
       false},
      {"hours_social", S::per_step, N::flow, "h", "organizer hours spent on social time", "", false},
      {"hours_follow_up", S::per_step, N::flow, "h", "organizer hours spent on follow-up", "",
       false},
      {"hours_leader_training", S::per_step, N::flow, "h",
       "organizer hours spent training leaders", "", false},
      {"hours_broadcast", S::per_step, N::flow, "h", "organizer hours spent on broadcast messaging",
       "", false},
      {"backfires", S::per_step, N::flow, "conversations",
       "issue pushes below the voice threshold (people felt used)", "", false},
      {"awareness_mean", S::per_step, N::stock, "1", "mean awareness of the campaign's messaging",
       "", false},
      {"fear_mean", S::per_step, N::stock, "1", "mean fear", "", false},
      {"grievance_mean", S::per_step, N::stock, "1", "mean felt grievance (before the climate)", "",
       false},
      {"climate", S::per_step, N::stock, "1",
       "grievance climate G(t) added to every agent's grievance (cycle plus shocks)", "", false},
      {"turnover_share", S::per_step, N::flow, "1",
       "share of the population replaced by new hires during the step (firings included)", "",
       false},
      {"standing_wins", S::per_step, N::stock, "wins", "wins not yet reversed", "", false},
      {"wins_new", S::per_step, N::flow, "wins", "wins during the step", "", false},
      {"reversals_new", S::per_step, N::flow, "wins", "wins reversed during the step", "", false},
      {"joined_invited", S::per_step, N::flow, "agents",
       "agents who joined the step's action through a relationship: invited by a committed "
       "coworker or the staff, converted by a participating neighbour, or pulled by participating "
       "neighbours in the social term",
       "NaN when no action runs in the step", false},
      {"joined_broadcast", S::per_step, N::flow, "agents",
       "agents who joined the step's action through broadcast (the broadcast channel, or the "
       "campaign's messaging as their strongest invitation)",
       "NaN when no action runs in the step", false},
      {"joined_own", S::per_step, N::flow, "agents",
       "agents who joined the step's action on their own: seeds, and those whose private utility "
       "(grievance, commitment, fear) alone reached their threshold",
       "NaN when no action runs in the step", false},
      {"tasks_asked", S::per_step, N::flow, "tasks",
       "tasks taken on: yeses to a commitment ask in a one-on-one or a follow-up (tasks.*)",
       "0 with tasks off (tasks.due_steps = 0)", false},
      {"tasks_done", S::per_step, N::flow, "tasks", "tasks done at their due step", "", false},
      {"tasks_missed", S::per_step, N::flow, "tasks",
       "tasks not done at their due step (a soft yes or a no-show)", "", false},
      {"tasks_recovered", S::per_step, N::flow, "tasks",
       "missed tasks reopened by a follow-up (uplift)", "", false},
      {"ties_created", S::per_step, N::flow, "ties",
       "acquaintance ties created by organizers' introductions (referrals, social time)", "",
       false},
      {"ties_bridging", S::per_step, N::flow, "ties",
       "ties created between agents of different departments (workplace or roster)", "", false},
      {"burnouts", S::per_step, N::flow, "organizers",
       "organizers (staff or worker) who burned out during the step", "", false},
      {"leaders_found", S::per_step, N::flow, "agents",
       "agents whose leadership potential (>= training.potential) a one-on-one first revealed",
       "", false},
      {"leaders_developed", S::per_step, N::flow, "agents",
       "trained leaders who became worker-organizers during the step", "", false},
      {"broadcast_reached", S::per_step, N::flow, "agents",
       "agents reached by at least one of the step's broadcast blasts (campaign messaging)", "",
       false},
      {"broadcast_responders", S::per_step, N::flow, "agents",
       "agents the step's blasts reached who joined the step's action through the broadcast "
       "(as joined_broadcast): the response to the message, as advocacy benchmarks count it",
       "NaN when no action runs in the step", false},
      {"assessed_support", S::per_step, N::stock, "1",
       "the support the organizers count toward their readiness bar, as a share of agents: the "
       "organized base, or under actions.assessment = yeses everyone who ever said yes to an ask "
       "as well (soft yeses included)",
       "NaN unless actions.policy is readiness or ready_and_hot", false},
      // ---- per run --------------------------------------------------------------------------
      {"final_turnout", S::per_run, N::outcome, "1", "turnout of the run's last action",
       "NaN when the run called no action", true},
      {"peak_turnout", S::per_run, N::outcome, "1", "highest turnout of any action in the run",
       "NaN when the run called no action", true},
      {"actions", S::per_run, N::outcome, "actions", "number of actions called in the run", "",
       true},
      {"rounds_total", S::per_run, N::outcome, "rounds", "participation rounds over the whole run",
       "", false},
      {"wins", S::per_run, N::outcome, "wins", "actions won (power >= employer.resistance)", "",
       true},
      {"reversals", S::per_run, N::outcome, "wins", "wins reversed before the end of the run", "",
       true},
      {"win_weeks", S::per_run, N::outcome, "win-steps",
       "integral of standing wins over the run (sum over steps)", "", true},
      {"organized_base_end", S::per_run, N::outcome, "1",
       "organized base (share at member or above) at the end", "", true},
      {"organizers_end", S::per_run, N::outcome, "agents", "worker-organizers at the end", "",
       true},
      {"backfires_total", S::per_run, N::outcome, "conversations", "backfired issue pushes", "",
       true},
      {"threats", S::per_run, N::outcome, "events",
       "supervisor threats or coercive one-on-ones during elections' notice weeks", "", false},
      {"firings", S::per_run, N::outcome, "agents",
       "visible leaders fired during elections' notice weeks (replaced by new hires)", "", false},
      {"elections_won", S::per_run, N::outcome, "elections",
       "elections won (a majority of the votes cast); at most 1, the union is then certified", "",
       false},
      {"first_election_won", S::per_run, N::outcome, "1",
       "1 if the run's first election was won, 0 if it was lost, NaN if no election was held (the "
       "share of first elections won, as the NLRB counts it, is the mean over runs that held one)",
       "", false},
      {"consolidated_wins", S::per_run, N::outcome, "wins",
       "won elections that reached a first contract before the end of the run", "", false},
      {"decertifications", S::per_run, N::outcome, "wins",
       "won elections undone (reversed) before a first contract", "", false},
      {"tasks_asked_total", S::per_run, N::outcome, "tasks", "tasks taken on over the run", "",
       false},
      {"tasks_done_total", S::per_run, N::outcome, "tasks", "tasks done over the run", "", false},
      {"tasks_missed_total", S::per_run, N::outcome, "tasks",
       "tasks missed at their due step over the run (recovered ones included)", "", false},
      {"ties_created_total", S::per_run, N::outcome, "ties",
       "acquaintance ties created by organizers over the run", "", true},
      {"ties_bridging_total", S::per_run, N::outcome, "ties",
       "of the ties created, those across departments", "", false},
      {"burnouts_total", S::per_run, N::outcome, "organizers", "organizer burnouts over the run",
       "", true},
      {"leaders_found_total", S::per_run, N::outcome, "agents",
       "leaders found in one-on-ones over the run", "", false},
      {"leaders_developed_total", S::per_run, N::outcome, "agents",
       "leaders trained into worker-organizers over the run", "", true},
      {"latent_support", S::per_run, N::outcome, "1",
       "share of the starting workforce whose own utility with no fear, no invitation and no "
       "social pull (w_g g + w_c c) reaches their threshold: who would say yes on their own view "
       "(docs/MODEL.md 'Latent support')",
       "", false},
      {"threat_campaigns", S::per_run, N::outcome, "campaigns",
       "elections whose employer campaign chose supervisors' threats (elections.threat_campaign)",
       "", false},
      {"firing_campaigns", S::per_run, N::outcome, "campaigns",
       "elections whose employer campaign chose to fire supporters (elections.firing_campaign)",
       "", false},
      {"one_on_ones_staff_total", S::per_run, N::outcome, "conversations",
       "one-on-ones held by staff organizers over the run (contacts)", "", false},
      {"one_on_ones_peer_total", S::per_run, N::outcome, "conversations",
       "one-on-ones held by worker-organizers with their own coworkers over the run (contacts "
       "through a tie)", "", false},
      {"broadcast_reached_total", S::per_run, N::outcome, "exposures",
       "sum over steps of broadcast_reached (one exposure = an agent reached in a step)", "",
       false},
      {"broadcast_responders_total", S::per_run, N::outcome, "agents",
       "sum over steps of broadcast_responders", "", false},
      {"first_action_participants", S::per_run, N::outcome, "agents",
       "participants when the run's first action ends (an election: those who would vote yes)",
       "NaN when the run called no action", false},
  };
}

const std::vector<OutputVar>& filtered(S scope) {
  static const std::vector<OutputVar> step = [] {
    std::vector<OutputVar> v;
    for (const auto& o : output_dictionary())
      if (o.scope == S::per_step) v.push_back(o);
    return v;
  }();
  static const std::vector<OutputVar> run = [] {
    std::vector<OutputVar> v;
    for (const auto& o : output_dictionary())
      if (o.scope == S::per_run) v.push_back(o);
    return v;
  }();
  return scope == S::per_step ? step : run;
}

std::size_t index_in(const std::vector<OutputVar>& v, const std::string& name) {
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v[i].name == name) return i;
  throw std::logic_error("output '" + name + "' is not in the output dictionary");
}
}  // namespace

const std::vector<OutputVar>& output_dictionary() {
  static const std::vector<OutputVar> dict = make_dictionary();
  return dict;
}
const std::vector<OutputVar>& per_step_outputs() { return filtered(S::per_step); }
const std::vector<OutputVar>& per_run_outputs() { return filtered(S::per_run); }
std::size_t per_step_index(const std::string& name) { return index_in(per_step_outputs(), name); }
std::size_t per_run_index(const std::string& name) { return index_in(per_run_outputs(), name); }

std::string outputs_markdown() {
  std::string md =
      "# orgsim outputs\n\n"
      "Generated by `orgsim outputs --markdown` from the output dictionary in "
      "`sim/io/outputs.cpp`; do not edit by hand (a test fails when this file is stale).\n\n"
      "Per-step variables are `(run, step)` float32 datasets in the root group of a results "
      "file; per-run outcomes are 1-D on `run`. See `docs/HDF5_LAYOUT.md`.\n";
  // The event tables, each on its own dimension (columns from io/layout.hpp).
  auto columns = [](const auto& names) {
    std::string c;
    for (const char* n : names) c += std::string(c.empty() ? "" : ", ") + "`" + n + "`";
    return c;
  };
  md += "\n## Event tables\n\n"
        "- `/win_events` (one row per win, dimension `win`): " +
        columns(layout::win_events::kColumnNames) +
        ".\n- `/action_events` (one row per action or election, dimension `event`): " +
        columns(layout::action_events::kColumnNames) +
        ". `turnout` is the share taking part (action) or casting a vote (election); `support` "
        "the share taking part, or the share of the votes cast that are yes; `notice_weeks` the "
        "weeks of the employer's counter-campaign before it; `consolidated_step` the step a won "
        "election reached its first contract (-1: none).\n";
  for (S scope : {S::per_step, S::per_run}) {
    md += scope == S::per_step ? "\n## Per step `(run, step)`\n\n" : "\n## Per run `(run)`\n\n";
    md += "| name | kind | units | meaning | when undefined |\n|---|---|---|---|---|\n";
    for (const auto& o : filtered(scope)) {
      const char* kind = o.nature == N::stock ? "stock" : o.nature == N::flow ? "flow" : "outcome";
      md += "| `" + o.name + "` | " + kind + " | " + o.units + " | " + o.long_name + " | " +
            (o.when_undefined.empty() ? "-" : o.when_undefined) + " |\n";
    }
  }
  return md;
}

}  // namespace orgsim
