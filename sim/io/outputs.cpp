#include "io/outputs.hpp"

#include <stdexcept>

#include "io/layout.hpp"

namespace orgsim {

namespace {
using S = OutputScope;
using N = OutputNature;

// Each entry: name, scope, nature, units, long_name (a short label, <= kLabelMaxChars, as an axis
// or a drop-down shows it), description (the explanation: what is counted and how), what the
// value is when undefined, whether the terminal summary shows it, and (the climate alone) whether
// it is drawn afresh with each week, so has no value at week 0.
std::vector<OutputVar> make_dictionary() {
  return {
      // ---- per step -------------------------------------------------------------------------
      {"turnout", S::per_step, N::stock, "1", "", "Turnout of the week's action",
       "share of the population participating in the step's action when its rounds end (continuous "
       "actions: everyone who has joined so far; an election: those who would vote yes, whether or "
       "not they cast a vote)",
       "NaN when no action runs in the step", false},
      {"new_participants", S::per_step, N::flow, "1", "", "New participants in the week's action",
       "share of the population that joined the action during the step (seeds included)",
       "NaN when no action runs in the step", false},
      {"rounds", S::per_step, N::flow, "count", "rounds", "Participation rounds in the week",
       "participation rounds run in the step (until stable: the rounds in which someone joined, "
       "plus the final check)",
       "NaN when no action runs in the step", false},
      {"power", S::per_step, N::stock, "1", "", "Power of the week's action",
       "P = T (floor + (1 - floor) C): turnout T weighted by cohesion C (floor = "
       "actions.power_floor). Against the employer's resistance R the action is won with "
       "probability 1 / (1 + exp(-(P - R) / s)), s = actions.win_width: the further P is above R "
       "the likelier a win, and near R it is partly luck (s = 0: won exactly when P >= R)",
       "NaN when no action runs in the step", false},
      {"cohesion", S::per_step, N::stock, "1", "", "Cohesion of the week's action",
       "mean trust on ties among the action's participants (C in power)",
       "NaN when no action runs in the step", false},
      {"trust_mean", S::per_step, N::stock, "1", "", "Mean trust between coworkers",
       "mean trust over all ties", "NaN for a graph without ties", false},
      {"strong_tie_share", S::per_step, N::stock, "1", "", "Share of strong ties",
       "share of ties with trust >= 0.5", "NaN for a graph without ties", false},
      {"strong_component", S::per_step, N::stock, "1", "", "Share in the largest strong-tie group",
       "share of agents in the largest component of the strong-tie (trust >= 0.5) graph",
       "NaN for a complete (mean-field) graph, and at the steps output.component_every skips",
       false},
      {"staff_trust_mean", S::per_step, N::stock, "1", "", "Mean trust in staff organizers",
       "mean trust in the staff organizers (kept apart from peer trust)", "", false},
      {"rung_supporter", S::per_step, N::stock, "count", "agents", "People at the supporter rung",
       "agents at the supporter rung (ladder.supporter <= c < ladder.member)", "", false},
      {"rung_member", S::per_step, N::stock, "count", "agents", "People at the member rung",
       "agents at the member rung (ladder.member <= c < ladder.leader)", "", false},
      {"rung_leader", S::per_step, N::stock, "count", "agents", "People at the leader rung",
       "agents at the leader rung (c >= ladder.leader)", "", false},
      {"organized_base", S::per_step, N::stock, "1", "", "Organized base",
       "share of agents at member or above, or worker-organizers (the organized base)", "", false},
      {"organizers_staff", S::per_step, N::stock, "count", "organizers", "Staff organizers",
       "staff organizers working on the workplace", "", false},
      {"organizers_worker", S::per_step, N::stock, "count", "agents", "Worker-organizers",
       "worker-organizers: coworkers who organize (embedded)", "", false},
      {"hours_one_on_one", S::per_step, N::flow, "h", "", "Hours on one-on-ones",
       "organizer hours spent on one-on-ones", "", false},
      {"hours_issue_push", S::per_step, N::flow, "h", "", "Hours on issue pushes",
       "organizer hours spent on issue pushes", "", false},
      {"hours_social", S::per_step, N::flow, "h", "", "Hours on social time",
       "organizer hours spent on social time", "", false},
      {"hours_follow_up", S::per_step, N::flow, "h", "", "Hours on follow-up",
       "organizer hours spent on follow-up", "", false},
      {"hours_leader_training", S::per_step, N::flow, "h", "", "Hours on leader training",
       "organizer hours spent training leaders", "", false},
      {"hours_broadcast", S::per_step, N::flow, "h", "", "Hours on broadcast messaging",
       "organizer hours spent on broadcast messaging", "", false},
      {"backfires", S::per_step, N::flow, "count", "conversations", "Backfired issue pushes",
       "issue pushes below the voice threshold (people felt used)", "", false},
      {"awareness_mean", S::per_step, N::stock, "1", "", "Mean awareness of the campaign",
       "mean awareness of the campaign's messaging", "", false},
      {"fear_mean", S::per_step, N::stock, "1", "", "Mean fear", "mean fear over the agents", "",
       false},
      {"grievance_mean", S::per_step, N::stock, "1", "", "Mean felt grievance",
       "mean felt grievance (before the climate)", "", false},
      {"climate", S::per_step, N::stock, "1", "", "Grievance climate",
       "grievance climate G(t) added to every agent's grievance (cycle plus shocks)", "", false,
       /*drawn_each_week=*/true},
      {"turnover_share", S::per_step, N::flow, "1", "", "Share replaced by new hires",
       "share of the population replaced by new hires during the step (firings included)", "",
       false},
      {"standing_wins", S::per_step, N::stock, "count", "wins", "Standing wins",
       "wins not yet reversed", "", false},
      {"wins_new", S::per_step, N::flow, "count", "wins", "Wins this week",
       "actions won during the step", "", false},
      {"reversals_new", S::per_step, N::flow, "count", "wins", "Wins reversed this week",
       "wins reversed during the step", "", false},
      {"joined_invited", S::per_step, N::flow, "count", "agents", "Joined through a relationship",
       "agents who joined the step's action through a relationship: invited by a committed "
       "coworker or the staff, converted by a participating neighbour, or pulled by participating "
       "neighbours in the social term",
       "NaN when no action runs in the step", false},
      {"joined_broadcast", S::per_step, N::flow, "count", "agents", "Joined through broadcast",
       "agents who joined the step's action through broadcast (the broadcast channel, or the "
       "campaign's messaging as their strongest invitation)",
       "NaN when no action runs in the step", false},
      {"joined_own", S::per_step, N::flow, "count", "agents", "Joined on their own",
       "agents who joined the step's action on their own: seeds, and those whose private utility "
       "(grievance, commitment, fear) alone reached their threshold",
       "NaN when no action runs in the step", false},
      {"tasks_asked", S::per_step, N::flow, "count", "tasks", "Tasks taken on",
       "tasks taken on: yeses to a commitment ask in a one-on-one or a follow-up (tasks.*)",
       "0 with tasks off (tasks.due_steps = 0)", false},
      {"tasks_done", S::per_step, N::flow, "count", "tasks", "Tasks done",
       "tasks done at their due step", "", false},
      {"tasks_missed", S::per_step, N::flow, "count", "tasks", "Tasks missed",
       "tasks not done at their due step (a soft yes or a no-show)", "", false},
      {"tasks_recovered", S::per_step, N::flow, "count", "tasks", "Missed tasks recovered",
       "missed tasks reopened by a follow-up (uplift)", "", false},
      {"ties_created", S::per_step, N::flow, "count", "ties", "Ties created by organizers",
       "acquaintance ties created by organizers' introductions (referrals, social time)", "",
       false},
      {"ties_bridging", S::per_step, N::flow, "count", "ties", "Ties created across departments",
       "ties created between agents of different departments (workplace or roster)", "", false},
      {"burnouts", S::per_step, N::flow, "count", "organizers", "Organizer burnouts",
       "organizers (staff or worker) who burned out during the step", "", false},
      {"leaders_found", S::per_step, N::flow, "count", "agents", "Leaders found in one-on-ones",
       "agents whose leadership potential (>= training.potential) a one-on-one first revealed", "",
       false},
      {"leaders_developed", S::per_step, N::flow, "count", "agents",
       "Leaders who became organizers",
       "trained leaders who became worker-organizers during the step", "", false},
      {"broadcast_reached", S::per_step, N::flow, "count", "agents", "People reached by broadcast",
       "agents reached by at least one of the step's broadcast blasts (campaign messaging)", "",
       false},
      {"broadcast_responders", S::per_step, N::flow, "count", "agents", "Broadcast responders",
       "agents the step's blasts reached who joined the step's action through the broadcast (as "
       "joined_broadcast): the response to the message, as advocacy benchmarks count it",
       "NaN when no action runs in the step", false},
      {"assessed_support", S::per_step, N::stock, "1", "", "Support counted toward readiness",
       "the support the organizers count toward their readiness bar, as a share of agents: the "
       "organized base, or under actions.assessment = yeses everyone who ever said yes to an ask "
       "as well (soft yeses included)",
       "NaN unless actions.policy is readiness or ready_and_hot", false},
      // ---- per run --------------------------------------------------------------------------
      {"final_turnout", S::per_run, N::outcome, "1", "", "Turnout of the last action",
       "turnout of the run's last action", "NaN when the run called no action", true},
      {"peak_turnout", S::per_run, N::outcome, "1", "", "Peak turnout",
       "highest turnout of any action in the run", "NaN when the run called no action", true},
      {"actions", S::per_run, N::outcome, "count", "actions", "Actions called",
       "number of actions called in the run", "", true},
      {"rounds_total", S::per_run, N::outcome, "count", "rounds", "Participation rounds in all",
       "participation rounds over the whole run", "", false},
      {"wins", S::per_run, N::outcome, "count", "wins", "Actions won",
       "actions won over the run. An action's chance of winning rises smoothly with its power P "
       "around the employer's resistance R, 1 / (1 + exp(-(P - R) / s)) with s = "
       "actions.win_width: near R it is partly luck, so some actions below R win and some above it "
       "lose (s = 0: won exactly when P >= R)",
       "", true},
      {"reversals", S::per_run, N::outcome, "count", "wins", "Wins reversed",
       "wins reversed before the end of the run", "", true},
      {"win_weeks", S::per_run, N::outcome, "week", "win-weeks", "Win-weeks (standing wins summed)",
       "integral of standing wins over the run (sum over steps)", "", true},
      {"organized_base_end", S::per_run, N::outcome, "1", "", "Organized base at the end",
       "organized base at the end of the run: the share of agents at member or above, or "
       "worker-organizers",
       "", true},
      {"organizers_end", S::per_run, N::outcome, "count", "agents", "Worker-organizers at the end",
       "worker-organizers at the end of the run", "", true},
      {"backfires_total", S::per_run, N::outcome, "count", "conversations",
       "Backfired issue pushes in all", "backfired issue pushes over the run", "", true},
      {"threats", S::per_run, N::outcome, "count", "events", "Threats in notice weeks",
       "supervisor threats or coercive one-on-ones during elections' notice weeks", "", false},
      {"firings", S::per_run, N::outcome, "count", "agents", "Leaders fired in notice weeks",
       "visible leaders fired during elections' notice weeks (replaced by new hires)", "", false},
      {"elections_won", S::per_run, N::outcome, "count", "elections", "Elections won",
       "elections won (a majority of the votes cast); at most 1, the union is then certified", "",
       false},
      {"first_election_won", S::per_run, N::outcome, "1", "", "First election won (1) or lost (0)",
       "1 if the run's first election was won, 0 if it was lost, NaN if no election was held (the "
       "share of first elections won, as the NLRB counts it, is the mean over runs that held one)",
       "", false},
      {"consolidated_wins", S::per_run, N::outcome, "count", "wins",
       "Won elections with a first contract",
       "won elections that reached a first contract before the end of the run", "", false},
      {"decertifications", S::per_run, N::outcome, "count", "wins", "Decertifications",
       "won elections undone (reversed) before a first contract", "", false},
      {"tasks_asked_total", S::per_run, N::outcome, "count", "tasks", "Tasks taken on in all",
       "tasks taken on over the run", "", false},
      {"tasks_done_total", S::per_run, N::outcome, "count", "tasks", "Tasks done in all",
       "tasks done over the run", "", false},
      {"tasks_missed_total", S::per_run, N::outcome, "count", "tasks", "Tasks missed in all",
       "tasks missed at their due step over the run (recovered ones included)", "", false},
      {"ties_created_total", S::per_run, N::outcome, "count", "ties",
       "Ties created by organizers in all", "acquaintance ties created by organizers over the run",
       "", true},
      {"ties_bridging_total", S::per_run, N::outcome, "count", "ties",
       "Cross-department ties created in all", "of the ties created, those across departments", "",
       false},
      {"burnouts_total", S::per_run, N::outcome, "count", "organizers", "Organizer burnouts in all",
       "organizer burnouts over the run", "", true},
      {"leaders_found_total", S::per_run, N::outcome, "count", "agents", "Leaders found in all",
       "leaders found in one-on-ones over the run", "", false},
      {"leaders_developed_total", S::per_run, N::outcome, "count", "agents",
       "Leaders developed in all", "leaders trained into worker-organizers over the run", "", true},
      {"latent_support", S::per_run, N::outcome, "1", "", "Latent support at the start",
       "share of the starting workforce whose own utility with no fear, no invitation and no "
       "social pull (w_g g + w_c c) reaches their threshold: who would say yes on their own view "
       "(docs/MODEL.md 'Latent support')",
       "", false},
      {"threat_campaigns", S::per_run, N::outcome, "count", "campaigns",
       "Employer threat campaigns",
       "elections whose employer campaign chose supervisors' threats (elections.threat_campaign)",
       "", false},
      {"firing_campaigns", S::per_run, N::outcome, "count", "campaigns",
       "Employer firing campaigns",
       "elections whose employer campaign chose to fire supporters (elections.firing_campaign)", "",
       false},
      {"one_on_ones_staff_total", S::per_run, N::outcome, "count", "conversations",
       "Staff one-on-ones in all", "one-on-ones held by staff organizers over the run (contacts)",
       "", false},
      {"one_on_ones_peer_total", S::per_run, N::outcome, "count", "conversations",
       "Peer one-on-ones in all",
       "one-on-ones held by worker-organizers with their own coworkers over the run (contacts "
       "through a tie)",
       "", false},
      {"broadcast_reached_total", S::per_run, N::outcome, "count", "exposures",
       "Broadcast exposures in all",
       "sum over steps of broadcast_reached (one exposure = an agent reached in a step)", "",
       false},
      {"broadcast_responders_total", S::per_run, N::outcome, "count", "agents",
       "Broadcast responders in all", "sum over steps of broadcast_responders", "", false},
      {"first_action_participants", S::per_run, N::outcome, "count", "agents",
       "Participants in the first action",
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

std::string units_text(const OutputVar& o) {
  return o.unit_words.empty() ? o.units : o.units + " (" + o.unit_words + ")";
}

std::string outputs_markdown() {
  std::string md =
      "# orgsim outputs\n\n"
      "Generated by `orgsim outputs --markdown` from the output dictionary in "
      "`sim/io/outputs.cpp`; do not edit by hand (a test fails when this file is stale).\n\n"
      "Per-step variables are `(run, step)` float32 datasets in the root group of a results "
      "file; per-run outcomes are 1-D on `run`. See `docs/HDF5_LAYOUT.md`.\n\n"
      "Each dataset carries two texts from this dictionary: `long_name`, a short label (at most " +
      std::to_string(kLabelMaxChars) +
      " characters) that xarray puts on a plot's axis and the trainer's page offers in its "
      "picker, and `description`, the explanation (what is counted, how, under which "
      "parameters). `description` is not a CF attribute (CF's free-text one is `comment`); we "
      "name it for what it holds, and CF readers ignore attributes they do not know.\n\n"
      "`units` is a string UDUNITS-2 parses (`udunits2`; a test checks every one in a file): `1` "
      "for a share or a mean on a 0-1 scale, `count` for a number of things (UDUNITS' name for "
      "the dimensionless 1: it converts to 1), `h` for hours, `week` for steps (a step is one "
      "week). What one unit of a count is (agents, wins, tasks) is the `unit_words` attribute "
      "(not CF), shown here in parentheses. The rule and the other groups' units: "
      "`docs/HDF5_LAYOUT.md`, \"Units and CF\".\n";
  // The event tables, each on its own dimension, and /durability's two dimensions: every
  // column's attributes from its ColumnDef (io/layout.hpp).
  auto table = [](const char* group, const char* what, const layout::ColumnDef& index,
                  const auto& columns) {
    std::string t = std::string("\n### `/") + group + "`: " + what + ", dimension `" + index.name +
                    "`\n\n| name | units | label (`long_name`) | meaning (`description`) |\n"
                    "|---|---|---|---|\n";
    auto row = [&t](const layout::ColumnDef& c) {
      std::string units = c.units ? c.units : "-";
      if (c.unit_words) units += std::string(" (") + c.unit_words + ")";
      t += std::string("| `") + c.name + "` | " + units + " | " + c.long_name + " | " +
           c.description + " |\n";
    };
    row(index);
    for (const auto& c : columns) row(c);
    return t;
  };
  md +=
      "\n## Event tables\n\nOne row per event, on the table's own dimension; every column "
      "has a `long_name`, a `description` and, where it has a unit, `units`.\n";
  md += table(layout::kWinEvents, "one row per win", layout::win_events::kIndex,
              layout::win_events::kColumns);
  md += table(layout::kActionEvents, "one row per action or election",
              layout::action_events::kIndex, layout::action_events::kColumns);
  md += table(layout::kFailures, "one row per failed run", layout::failures::kIndex,
              layout::failures::kColumns);
  md +=
      "\n## Win durability\n\nThe Kaplan-Meier estimate of how long wins last, per arm "
      "(`/durability`, written by `orgsim run` and `orgsim sweep`): per-arm counts and the "
      "median on `arm`, the curves as one long table on `km`. Every dataset has a `long_name`, "
      "a `description` and, where it has a unit, `units`; a count also has `unit_words` (in "
      "parentheses).\n";
  md += table(layout::kDurability, "per arm", layout::durability::kArmIndex,
              layout::durability::kArmColumns);
  md += table(layout::kDurability, "one row per (arm, event time)", layout::durability::kKmIndex,
              layout::durability::kKmColumns);
  for (S scope : {S::per_step, S::per_run}) {
    md += scope == S::per_step
              ? "\n## Per step `(run, step)`\n\n"
                "A *stock* is a level at the end of the step; it is also measured at week 0, "
                "before the first step (the trainer's page and the Python `run`'s `week0`), "
                "except a level *drawn each week* from outside the workplace. A *flow* is an "
                "amount during the step, and has no week 0.\n\n"
              : "\n## Per run `(run)`\n\n";
    md +=
        "| name | kind | `units` (`unit_words`) | label (`long_name`) | meaning (`description`) | "
        "when undefined |\n|---|---|---|---|---|---|\n";
    for (const auto& o : filtered(scope)) {
      const char* kind = o.nature == N::stock
                             ? (o.drawn_each_week ? "stock, drawn each week" : "stock")
                         : o.nature == N::flow ? "flow"
                                               : "outcome";
      md += "| `" + o.name + "` | " + kind + " | " + units_text(o) + " | " + o.long_name + " | " +
            o.description + " | " + (o.when_undefined.empty() ? "-" : o.when_undefined) + " |\n";
    }
  }
  return md;
}

}  // namespace orgsim
