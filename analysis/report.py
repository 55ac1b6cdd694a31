"""The trainer's report: one self-contained HTML page from a results file.

    /usr/bin/python3 -m analysis.report results/default.h5 [-o report.html]

Writes the page (default: next to the input, with .html) and prints its path. The page has no
external assets (figures are embedded as base64 PNG, the style sheet is inline), so it opens
offline and can be mailed or put on a USB stick. It contains the scenario's plain-language
description, the arms, a few generated sentences on what differed between the arms and how
sure we are, the summary table (per arm mean and 95% CI of each outcome, and the paired
differences), and the key figures (the run over time, how long wins lasted, the paired
differences).

Exit status: 0 written, 2 the input is missing or not an orgsim results file, 1 other failure.
"""


import base64
import datetime
import html
import io
import math
import os
import re
import shlex
import sys
import time

if __package__ in (None, ""):  # run as a file: make `analysis` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "analysis"  # noqa: A001

from . import cli, figures, load, stats  # noqa: E402  (first: finds the right interpreter)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

# What the built-in strategies do (docs/MODEL.md, 7.2), for arms that set campaign.strategy and
# give no description of their own.
STRATEGY_TEXT = {
    "relationship_first": "organizers spend their hours on one-on-one conversations (40%), "
                          "follow-up (30%), social time (20%) and training new leaders (10%), "
                          "working through the coworkers they know; actions are called once "
                          "enough of the workplace is organized",
    "issue_first": "organizers push the issue in conversations (50%), with some one-on-ones "
                   "(20%), follow-up (20%) and leader training (10%); actions are called when "
                   "grievances run hot",
    "big_messaging": "organizers spend almost all their hours (90%) broadcasting to everyone "
                     "on the list, plus some issue pushing; actions are called whenever "
                     "grievances run hot",
    "hybrid": "organizers mix one-on-ones (35%), follow-up (25%), broadcasting (25%), social "
              "time (10%) and leader training (5%), and bring people who turned out back to "
              "organizers; actions are called when grievances run hot",
    "organizing_only": "organizers work as in relationship-first organizing but never call an "
                       "action",
    "none": "no organizing work; actions on a fixed schedule",
}

# Outcomes in the sentences, in order: (what the arm did, what is compared, difference unit).
SENTENCES = {
    "organized_base_end": ("ended with an organized base of {v}", "organized bases", "points"),
    "peak_turnout": ("drew a peak turnout of {v}", "peak turnouts", "points"),
    "final_turnout": ("drew {v} of the workplace to its last action",
                      "turnouts at the last action", "points"),
    "wins": ("won {v} actions per run", "numbers of wins", "wins"),
    "reversals": ("had {v} wins per run reversed", "numbers of reversed wins", "reversals"),
    "win_weeks": ("held wins for {v} win-weeks per run", "win-weeks (standing wins summed "
                  "over the weeks)", "win-weeks"),
    "organizers_end": ("ended with {v} worker-organizers", "numbers of worker-organizers",
                       "worker-organizers"),
    "backfires_total": ("had {v} issue pushes backfire per run", "numbers of backfired issue "
                        "pushes", "backfires"),
    "actions": ("called {v} actions per run", "numbers of actions", "actions"),
}
# What the arm with the larger value had, pair by pair, in words that fit the outcome's
# direction (more reversals or backfires is not being "ahead").
PAIR_WORDS = {
    "organized_base_end": "had the bigger organized base",
    "peak_turnout": "drew the bigger peak turnout",
    "final_turnout": "drew more to its last action",
    "wins": "won more actions",
    "reversals": "had more wins reversed",
    "win_weeks": "held more win-weeks",
    "organizers_end": "ended with more worker-organizers",
    "backfires_total": "had more issue pushes backfire",
    "actions": "called more actions",
}
SENTENCE_ORDER = ("organized_base_end", "peak_turnout", "wins", "reversals", "win_weeks",
                  "backfires_total", "organizers_end", "actions")
MAX_CLEAR_SENTENCES = 4


# ---- numbers ----------------------------------------------------------------------------------

def _decimals(half, share):
    if not np.isfinite(half) or half <= 0:
        return None
    if share and half >= 1:
        return 0
    return int(min(1 if share else 3, max(0, 1 - math.floor(math.log10(half)))))


def _num(value, d):
    if not np.isfinite(value):
        return "–"
    return f"{value:.{d}f}".replace("-", "−")


def _value_ci(mean, lower, upper, share, with_ci=True):
    """'31% (95% CI 24–37%)' for shares, '2.4 (95% CI 0.8–3.9)' otherwise."""
    f = 100.0 if share else 1.0
    unit = "%" if share else ""
    m, lo, hi = mean * f, lower * f, upper * f
    half = (hi - lo) / 2 if np.isfinite(lo) and np.isfinite(hi) else math.nan
    d = _decimals(half, share)
    if d is None:  # no interval (one replicate, or every replicate gave the same value)
        if share:
            return f"{_num(m, 0 if abs(m) >= 1 or m == 0 else 1)}{unit}"
        return f"{m:.3g}".replace("-", "−") if np.isfinite(m) else "–"
    text = f"{_num(m, d)}{unit}"
    if with_ci:
        text += f" (95% CI {_num(lo, d)}–{_num(hi, d)}{unit})"
    return text


# ---- sentences ---------------------------------------------------------------------------------

def _cap(text):
    return text[:1].upper() + text[1:] if text else text


def _poss(name):
    """An arm's name as an owner: "big messaging's", "staff back the coworkers'"."""
    return name + ("'" if name.endswith("s") else "'s")


def _is_share(runs, outcome):
    return figures.is_share(outcome, figures.column_attrs(runs, outcome))


_SINGULAR = {"actions": "action", "wins": "win", "replicates": "replicate",
             "reversals": "reversal", "win-weeks": "win-week", "runs": "run",
             "worker-organizers": "worker-organizer", "backfires": "backfire"}


def _singular(text):
    """'1 actions' -> '1 action' (numbers that are exactly one)."""
    return re.sub(r"(?<![\d.,])1 (" + "|".join(map(re.escape, _SINGULAR)) + r")\b",
                  lambda m: "1 " + _SINGULAR[m.group(1)], text)


def comparison_sentences(runs, summary, diffs):
    """Plain-language sentences: per other arm, what differed from the reference arm."""
    out = []
    names = stats.arm_order(runs)
    if len(names) < 2:
        return out
    reference = names[0]
    n_runs = int(diffs["n"].max()) if len(diffs) else 0
    outcomes = [o for o in SENTENCE_ORDER if o in set(diffs["outcome"])]
    sweep = "point" in runs.columns and runs["point"].nunique() > 1
    for arm in names[1:]:
        clear, unclear = [], []
        for outcome in outcomes:
            row = diffs[(diffs["arm"] == arm) & (diffs["outcome"] == outcome)]
            if row.empty or row.iloc[0]["n"] < 1 or not np.isfinite(row.iloc[0]["mean"]):
                continue
            row = row.iloc[0]
            share = _is_share(runs, outcome)
            single = row["n"] < 2
            if single and (row["mean"] == 0 or n_runs > 1):
                continue  # one run per arm: said without an interval; one pair of many: not said
            if not single and not (row["lower"] > 0 or row["upper"] < 0):
                if not (row["half"] == 0 and row["mean"] == 0):
                    unclear.append(SENTENCES[outcome][1])
                continue
            if len(clear) >= MAX_CLEAR_SENTENCES:
                continue
            clear.append(outcome)
            hi, lo = (arm, reference) if row["mean"] > 0 else (reference, arm)
            s_hi = summary[(summary["arm"] == hi) & (summary["outcome"] == outcome)].iloc[0]
            s_lo = summary[(summary["arm"] == lo) & (summary["outcome"] == outcome)].iloc[0]
            did, _, diff_unit = SENTENCES[outcome]
            f = 100.0 if share else 1.0
            d = abs(row["mean"]) * f
            a, b = sorted([abs(row["lower"]) * f, abs(row["upper"]) * f])
            dd = _decimals((b - a) / 2, share)
            more = int(row["n_greater"] if row["mean"] > 0 else row["n_less"])
            n = int(row["n"])
            ties = n - int(row["n_greater"]) - int(row["n_less"])
            same = (f"the same {n} workplaces under each arm" if not sweep else
                    f"{n} pairs of runs (the same design point and simulated workplace under "
                    f"each arm)")
            pairs = "workplaces" if not sweep else "pairs"
            if single:
                sure = ("one simulated workplace per arm: a single run cannot tell an effect "
                        "from chance")
            elif row["half"] == 0:
                sure = f"the same difference in each of {same}"
            else:
                sure = (f"compared on {same}: 95% confidence interval of the difference "
                        f"{_num(a, dd)}–{_num(b, dd)} {diff_unit}; "
                        f"{figures.arm_label(hi)} {PAIR_WORDS[outcome]} in {more} of the {n} "
                        f"{pairs}" + (f", and the two were level in {ties}" if ties else ""))
            size = (_num(d, dd) if dd is not None else f"{d:.3g}")
            out.append(
                f"{_cap(figures.arm_label(hi))} "
                + did.format(v=_value_ci(s_hi["mean"], s_hi["lower"], s_hi["upper"], share))
                + f", {size} {diff_unit} more than {figures.arm_label(lo)} "
                f"({_value_ci(s_lo['mean'], s_lo['lower'], s_lo['upper'], share, False)}; "
                f"{sure}).")
        if unclear:
            listed = unclear[0] if len(unclear) == 1 else \
                ", ".join(unclear[:-1]) + " or " + unclear[-1]
            out.append(f"{_cap(figures.arm_label(arm))} and {figures.arm_label(reference)} "
                       f"did not clearly differ in {listed}: over the same "
                       f"{int(diffs['n'].max())} workplaces under each arm the differences "
                       f"went both ways (their 95% confidence intervals include zero), so "
                       f"they could be chance.")
    return out


def single_arm_sentences(runs, summary):
    names = stats.arm_order(runs)
    out = []
    for arm in names:
        parts = []
        for outcome in SENTENCE_ORDER:
            row = summary[(summary["arm"] == arm) & (summary["outcome"] == outcome)]
            if row.empty or not np.isfinite(row.iloc[0]["mean"]):
                continue
            row = row.iloc[0]
            parts.append(SENTENCES[outcome][0].format(
                v=_value_ci(row["mean"], row["lower"], row["upper"], _is_share(runs, outcome))))
            if len(parts) == 3:
                break
        if parts:
            out.append(f"{_cap(figures.arm_label(arm))} " + ", ".join(parts[:-1])
                       + (" and " if len(parts) > 1 else "") + parts[-1]
                       + (f" (the average of {int(row['n'])} simulated workplaces)."
                          if row["n"] > 1 else " (one run)."))
    return out


def durability_sentences(dur):
    out = []
    arms = dur.arms
    if arms["wins"].sum() == 0:
        return ["No action was won in any run, so there is no durability to report."]
    unit = f"{dur.units}s"
    for arm, row in arms.iterrows():
        label = figures.arm_label(arm)
        wins, rev = int(row["wins"]), int(row["reversals"])
        if wins == 0:
            out.append(f"{_cap(label)} won no action in any run.")
        elif rev == 0:
            out.append(f"{_cap(label)} won {wins} actions across its runs and none was "
                       f"reversed before the end of its run.")
        else:
            text = (f"{_cap(label)} won {wins} actions across its runs and {rev} of them "
                    f"{'was' if rev == 1 else 'were'} reversed before the end of the run")
            if np.isfinite(row["median"]):
                text += (f"; half of its wins were gone within {row['median']:.0f} {unit} "
                         f"of being won")
            out.append(text + ".")
    with_wins = arms[arms["wins"] > 0]
    follow = with_wins["follow_up"].min() if len(with_wins) else 0
    horizon = next((t for t in (52, 26, 13) if follow >= t), None)
    # A share still standing is told only from five wins or more (as the story's shares of wins
    # taken back): 100% of two wins says nothing about how long that arm's wins last.
    told = [a for a in with_wins.index if with_wins.loc[a, "wins"] >= 5]
    few = [a for a in with_wins.index if a not in told]
    if horizon is not None and told and with_wins["reversals"].sum() > 0:
        parts = []
        for arm in told:
            s, lo, hi = stats.survival_at(dur.curve(arm), horizon)
            ci = (f" (95% confidence interval {lo * 100:.0f}–{hi * 100:.0f}%)"
                  if hi > lo else "")
            parts.append(f"{s * 100:.0f}%{ci} of {_poss(figures.arm_label(arm))} wins")
        when = "A year" if horizon == 52 else f"{horizon} {unit}"
        text = f"{when} after a win, " + (", against ".join(parts)) + " still stood"
        if few:
            text += (" (" + _join(f"{_poss(figures.arm_label(a))} {int(with_wins.loc[a, 'wins'])}"
                                  for a in few)
                     + (" wins are" if len(few) > 1 or with_wins.loc[few[0], "wins"] != 1
                        else " win is") + " too few to say how long its wins last)")
        out.append(text + ".")
    return out


def run_sentences(runs, ds):
    """Replicates (and design points), pairing, failed runs."""
    counts = runs.groupby("arm", observed=False).size()
    done = runs[runs["status"].astype(str) == "done"] if "status" in runs.columns else runs
    per_arm = done.groupby("arm", observed=False).size()
    n_points = int(done["point"].nunique()) if "point" in done.columns and len(done) else 1
    reps = sorted(set(int(v) for v in
                      done.groupby(["arm", "point"], observed=True).size().to_numpy())) or [0]
    names = stats.arm_order(runs)
    who = "Each arm" if len(names) > 1 else "The scenario"
    where = f" at each of {n_points} design points" if n_points > 1 else ""
    if reps == [1]:
        text = f"{who} was run once{where} (one replicate)"
    else:
        times = reps[0] if len(reps) == 1 else f"{reps[0]}–{reps[-1]}"
        text = f"{who} was run {times} times{where} (replicates)"
    if len(names) > 1:
        text += (" on the same simulated workplaces: workplace k has the same workers, network, "
                 "grievance climate and turnover under every arm, so the arms are compared "
                 "workplace by workplace")
    text += "."
    out = [text]
    failed = int(counts.sum() - per_arm.sum())
    if failed:
        out.append(f"{failed} run(s) did not finish and are left out.")
    return out


# ---- the scenario's own point -------------------------------------------------------------------

def _pct(v):
    """A share in percent: whole numbers from 10%, one decimal below."""
    if v == 0:
        return "0%"
    return f"{v * 100:.0f}%" if abs(v) * 100 >= 9.95 else f"{v * 100:.1f}%"


def _how_many(share):
    """A share of wins in words: "Most" above 55%, "Half" at 50% to the percent, "About half"
    from 45% to 55%, else "Many" (the caller says it only from 30%)."""
    if share > 0.55:
        return "Most"
    if round(share * 100) == 50:
        return "Half"
    return "About half" if share >= 0.45 else "Many"


def _join(items):
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def arm_facts(ds, runs, prov):
    """Per arm (in arm order), the numbers the story is told from: means over the arm's
    finished runs of the run outcomes, and from the per-week series the power and cohesion
    at its actions (pooled over every action of every run), the share of its actions whose
    power reached the employer's resistance ("cleared"), the share of its actions won
    ("won": with actions.win_width > 0 a win is drawn, so the two differ), its
    actions.win_width, and fear at the end of the run."""
    names = stats.arm_order(runs)
    codes = load.arm_codes(ds)
    done = figures._done_mask(ds)
    resistance = figures.resistance_by_arm(prov, names)
    win_width = figures.win_width_by_arm(prov, names)
    kinds = figures.arm_values(prov, names, "actions.kind")
    bars = figures.arm_values(prov, names, "actions.readiness")
    facts = {}
    for code, arm in enumerate(names):
        mine = runs[(runs["arm"] == arm)]
        if "status" in mine.columns:
            mine = mine[mine["status"].astype(str) == "done"]
        # an arm whose actions are union elections (actions.kind): its actions are elections
        # held, its wins elections won (at most one a run), its reversals decertifications
        f = {"n": len(mine), "resistance": resistance[code], "win_width": win_width[code],
             "election": kinds[code] == "election", "bar": math.nan}
        for col in ("organized_base_end", "peak_turnout", "actions", "wins", "reversals",
                    "win_weeks", "backfires_total", "organizers_end", "elections_won",
                    "consolidated_wins", "decertifications"):
            v = mine[col].to_numpy(float) if col in mine.columns else np.zeros(0)
            v = v[np.isfinite(v)]
            f[col] = float(v.mean()) if v.size else math.nan
        # the share of the arm's actions that were won (runs weigh by their actions)
        f["won"] = (f["wins"] / f["actions"] if np.isfinite(f["wins"]) and
                    np.isfinite(f["actions"]) and f["actions"] > 0 else math.nan)
        rows = (codes == code) & done
        for var in ("power", "cohesion"):
            if var in ds.data_vars:
                v = np.asarray(ds[var].values, dtype=float)[rows]
                v = v[np.isfinite(v)]
                f[var] = float(v.mean()) if v.size else math.nan
                if var == "power":
                    f["cleared"] = (float((v >= resistance[code]).mean())
                                    if v.size and np.isfinite(resistance[code]) else math.nan)
            else:
                f[var] = math.nan
        # The base an arm waits for before it acts (actions.readiness), for an arm whose policy
        # waits for one (readiness or ready_and_hot, whether set or its strategy's preset): the
        # engine records the support it counts toward that bar (assessed_support) only then.
        if "assessed_support" in ds.data_vars and rows.any() and \
                isinstance(bars[code], (int, float)):
            if np.isfinite(np.asarray(ds["assessed_support"].values, dtype=float)[rows]).any():
                f["bar"] = float(bars[code])
        if "fear_mean" in ds.data_vars and rows.any():
            fear = np.asarray(ds["fear_mean"].values, dtype=float)[rows]
            f["fear_start"] = float(np.nanmean(fear[:, 0]))
            f["fear_end"] = float(np.nanmean(fear[:, -1]))
        else:
            f["fear_start"] = f["fear_end"] = math.nan
        facts[arm] = f
    return facts


def _election(f):
    """Whether an arm's facts (arm_facts) are of union elections."""
    return bool(f.get("election", False))


def _election_clause(name, f):
    """An election arm's wins, per workplace: elections_won is 0 or 1 a run, so its mean is the
    share of the workplaces where the union won its vote."""
    text = (f"{name} won the union's election in {_pct(f['elections_won'])} of the workplaces "
            f"({f['actions']:.3g} election{'s' if f['actions'] != 1 else ''} held per run on "
            f"average)")
    if f["elections_won"] > 0:
        text += (f", a first contract followed in {_pct(f['consolidated_wins'])} of the "
                 f"workplaces, and in {_pct(f['decertifications'])} the union was decertified "
                 f"before one")
    return text


def story_sentences(facts):
    """What this scenario shows, said from its arms' results: who built the bigger base, who
    won and whose wins lasted, whether actions had the power to beat the employer's line,
    where issue pushes backfired and who was left more afraid. Means over the runs; the
    intervals are in the sentences further down."""
    out = []
    names = list(facts)
    L = figures.arm_label
    runs_word = "per run on average" if max(f["n"] for f in facts.values()) > 1 else "in its run"
    # the organized base
    base = {a: f["organized_base_end"] for a, f in facts.items()
            if np.isfinite(f["organized_base_end"])}
    if base:
        best = max(base, key=base.get)
        worst = min(base, key=base.get)
        if base[best] < 0.01:
            out.append(f"No arm built an organized base to speak of: at most {_pct(base[best])} "
                       f"of the workplace was organized at the end.")
        elif len(base) > 1 and base[best] - base[worst] >= 0.02:
            rest = [f"{_pct(base[a])} for {L(a)}" for a in names if a != best and a in base]
            out.append(f"{_cap(L(best))} built the biggest organized base: {_pct(base[best])} of "
                       f"the workplace at the end, against {_join(rest)}.")
        elif len(base) > 1:
            out.append(f"The arms ended with about the same organized base "
                       f"({_join(_pct(base[a]) + ' for ' + L(a) for a in names if a in base)}).")
        else:
            out.append(f"{_cap(L(best))} ended with {_pct(base[best])} of the workplace "
                       f"organized.")
    # wins and how long they lasted
    winners = [a for a in names if facts[a]["wins"] > 0]
    acted = [a for a in names if facts[a]["actions"] > 0]
    if not winners:
        if acted:
            res = sorted({facts[a]["resistance"] for a in acted
                          if np.isfinite(facts[a]["resistance"])})
            line = (f" (the employer's resistance, {_join(f'{r:g}' for r in res)})"
                    if res else "")
            if all(_election(facts[a]) for a in acted):
                out.append("No arm won its union election: " + "; ".join(
                    f"{L(a)} held {facts[a]['actions']:.3g} per run on average" for a in acted)
                    + ".")
            else:
                out.append(f"No arm won anything: every action lost against the "
                           f"employer{line}.")
        else:
            out.append("No arm called an action, so nothing was won or lost.")
    else:
        parts = []
        for a in winners:
            f = facts[a]
            if _election(f):
                parts.append(_election_clause(L(a), f))
                continue
            share = f["reversals"] / f["wins"] if f["wins"] > 0 else 0.0
            kept = ("none of them taken back" if f["reversals"] == 0 else
                    f"{share * 100:.0f}% of them taken back by the employer before the run "
                    f"ended")
            parts.append(f"{L(a)} won {f['wins']:.3g} actions {runs_word}, {kept}")
        text = _cap("; ".join(parts)) + "."
        others = [a for a in names if a not in winners]
        if others:
            text += (f" {_cap(_join(L(a) for a in others))} "
                     + ("never won its election." if all(_election(facts[a]) for a in others)
                        else "won nothing."))
        out.append(text)
        # whose wins lasted: only between arms with five wins or more over their runs, and
        # said to differ only when the shares taken back differ beyond chance (Fisher's exact
        # test on the wins of both arms, p < 0.05); otherwise the counts are given as such.
        told = [a for a in winners if facts[a]["wins"] * facts[a]["n"] >= 5]
        if len(told) > 1 and not any(_election(facts[a]) for a in told):
            share = {a: facts[a]["reversals"] / facts[a]["wins"] for a in told}
            lasted = min(share, key=share.get)
            lost = max(share, key=share.get)
            if share[lost] - share[lasted] >= 0.2:
                won = {a: round(facts[a]["wins"] * facts[a]["n"]) for a in (lasted, lost)}
                back = {a: round(facts[a]["reversals"] * facts[a]["n"]) for a in (lasted, lost)}
                p = stats.fisher_exact(back[lost], won[lost] - back[lost],
                                       back[lasted], won[lasted] - back[lasted])
                if p >= 0.05:
                    out.append(f"{_cap(L(lost))} had {back[lost]} of its {won[lost]} wins "
                               f"taken back and {L(lasted)} {back[lasted]} of {won[lasted]}: "
                               f"too few wins to tell whether one arm's wins last better.")
                elif share[lasted] <= 0.2 and share[lost] >= 0.45:
                    out.append(f"{_poss(_cap(L(lasted)))} wins lasted; "
                               f"{_how_many(share[lost]).lower()} of {_poss(L(lost))} were "
                               f"taken back ({back[lost]} of {won[lost]}).")
                else:
                    out.append(f"{_poss(_cap(L(lasted)))} wins lasted longer than {_poss(L(lost))} "
                               f"({share[lasted] * 100:.0f}% against "
                               f"{share[lost] * 100:.0f}% taken back).")
    # power against the employer's line, and cohesion. With actions.win_width > 0 (the
    # default) a win is drawn, likelier the further the power is above the line: the share
    # that reached the line and the share won differ, and both are said.
    parts = []
    res = set()
    luck = False
    for a in acted:
        f = facts[a]
        if not np.isfinite(f["power"]) or _election(f):  # a vote is won by a majority
            continue
        clause = f"{_poss(L(a))} averaged {f['power']:.2f}"
        if np.isfinite(f["cleared"]):
            res.add(f["resistance"])
            width = f.get("win_width", math.nan)
            decided = bool(np.isfinite(width) and width == 0)  # the line decides
            reached = ("none reached the line" if f["cleared"] == 0 else
                       "every one reached the line" if f["cleared"] == 1 else
                       f"{_pct(f['cleared'])} reached the line")
            won = f.get("won", math.nan)
            if decided:
                clause += f", {reached}" + (" and won" if f["cleared"] > 0 else "")
            elif np.isfinite(won):
                luck = True
                clause += (f", {reached} and " + ("none won" if won == 0 else
                                                  "every one won" if won == 1 else
                                                  f"{_pct(won)} won"))
            else:
                luck = True
                clause += f", {reached}"
        parts.append(clause + f" (cohesion {f['cohesion']:.2f})")
    if parts:
        line = (f" against the employer's line of {next(iter(res)):g}"
                if len(res) == 1 else "")
        out.append(f"How strong the actions were (their power: how many took part, weighted by "
                   f"cohesion, the trust among the people who acted){line}: "
                   + "; ".join(parts) + "."
                   + (" Near the line, winning is partly luck." if luck else ""))
    silent = [a for a in names if a not in acted and facts[a]["actions"] == 0]
    if silent and acted:
        out.append(f"{_cap(_join(L(a) for a in silent))} never "
                   + ("filed for an election." if all(_election(facts[a]) for a in silent)
                      else "called an action."))
    # backfires
    fired = [a for a in names if facts[a]["backfires_total"] > 0]
    if fired:
        counts = _join(f"{L(a)} ({facts[a]['backfires_total']:,.0f} {runs_word})"
                       for a in fired)
        where = "only under " if len(fired) < len(names) else "under "
        out.append(f"Issue pushes backfired {where}{counts}: people pushed about an issue "
                   f"by someone they did not yet trust felt used, and their trust fell.")
    # fear
    fear = {a: f["fear_end"] for a, f in facts.items() if np.isfinite(f["fear_end"])}
    if len(fear) > 1:
        most = max(fear, key=fear.get)
        least = min(fear, key=fear.get)
        if fear[most] - fear[least] >= 0.02:
            out.append(f"{_cap(L(most))} left the workplace "
                       f"{'more' if len(fear) == 2 else 'most'} afraid (fear {fear[most]:.2f} "
                       f"on a 0–1 scale at the end, against {fear[least]:.2f} for {L(least)}): "
                       + ("the employer's counter-campaign before the vote."
                          if _election(facts[most]) else
                          "the employer retaliates after actions."))
    return out


def _level_text(v):
    """A level as the room reads it: a number to 3 digits, a choice's name in words."""
    if isinstance(v, (float, np.floating)):
        return f"{v:.3g}"
    return load.level_name(v).replace("_", " ")


def _per_step(unit):
    """A rate per step: the file's units "week-1" ("h week-1"), or the parameter table's "1 per
    step" as files written before units were UDUNITS strings said it."""
    unit = str(unit or "")
    return unit.endswith("per step") or unit.split(" ")[-1] == "week-1"


def param_words(key, unit="", step_units="week"):
    """A varied parameter as the room reads it: its key in words, a rate per step said per
    week: "environment.turnover" (units "week-1") -> "environment turnover per week",
    "campaign.hours_per_step" -> "campaign hours per week", "population.threshold.mean" ->
    "threshold mean"."""
    parts = str(key).split(".")
    words = " ".join(parts if len(parts) <= 2 else parts[1:]).replace("_", " ")
    words = words.replace("per step", f"per {step_units}")
    if _per_step(unit) and f"per {step_units}" not in words:
        words += f" per {step_units}"
    return words


def param_value(v, unit=""):
    """A level of a varied parameter in its units: a share per step in percent ("0.4%" for
    0.004 of the workforce a week), hours as "15 h", a choice's name in words, other numbers to
    3 digits."""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer,
                                                             np.floating)):
        return _level_text(v)
    unit = str(unit or "")
    if unit in ("week-1", "1 per step"):  # a share per week (older files: "1 per step")
        return _pct(float(v))
    if unit.split(" ")[0] == "h":
        return f"{float(v):.3g} h"
    return f"{float(v):.3g}"


def sweep_sentences(runs, varied, key, max_params=3, max_levels=6, step_units="week"):
    """What a sweep found, for the room: for each varied parameter (the first `max_params`),
    outcome `key`'s mean at each of its levels (a choice, or at most `max_levels` numbers), or in
    the lowest and the highest third of its range, per arm. These are averages over the other
    parameters' settings (marginal means), and say so. Parameters and their values are said in
    words and units (param_words, param_value): "by environment turnover per week: 33% at
    0.4%"."""
    share = _is_share(runs, key)
    fmt = _pct if share else (lambda v: f"{v:.3g}")
    done = runs[runs["status"].astype(str) == "done"] if "status" in runs.columns else runs
    arms = stats.arm_order(done)
    units = runs.attrs.get("units") or {}
    out = []
    for p in varied[:max_params]:
        unit = units.get(p, "")
        val = lambda v: param_value(v, unit)  # noqa: E731
        col = done[p]
        categorical = figures.is_categorical(col)
        levels = (list(col.cat.categories) if isinstance(col.dtype, pd.CategoricalDtype)
                  else sorted(col.dropna().unique()))
        for arm in arms:
            mine = done[done["arm"] == arm]
            if categorical or len(levels) <= max_levels:
                word = "with" if categorical else "at"
                parts = [f"{fmt(v)} {word} {val(level)}" for level in levels
                         if np.isfinite(v := mine.loc[mine[p] == level, key].mean())]
            else:
                x = mine[p].to_numpy(float)
                lo, hi = np.nanquantile(x, [1 / 3, 2 / 3])
                low, high = mine[x <= lo], mine[x >= hi]
                parts = [f"{fmt(low[key].mean())} in the lowest third of its range "
                         f"({val(float(low[p].min()))} to {val(float(lo))})",
                         f"{fmt(high[key].mean())} in the highest "
                         f"({val(float(hi))} to {val(float(high[p].max()))})"]
            if len(parts) < 2:
                continue
            whose = f" under {figures.arm_label(arm)}" if len(arms) > 1 else ""
            out.append(f"{figures.title_of(key)}{whose}, by {param_words(p, unit, step_units)}: "
                       f"{_join(parts)}"
                       + (" (each the average over the other parameters' settings)."
                          if len(varied) > 1 else "."))
    return out


def people_sentences(people):
    """The trainer's own workplace, by name (network.type = roster): who is in it and which
    known leaders started organizing. The names come from the results file (`/roster`) and
    stay in the page."""
    if people is None or not len(people):
        return []

    def counts(col):
        c = people[col].value_counts(sort=False)
        return _join(f"{k} {v}" for k, v in c.items())

    n_d, n_s = people["department"].nunique(), people["shift"].nunique()
    out = [f"The workplace is the roster's {len(people)} people in {n_d} "
           f"department{'s' if n_d != 1 else ''} ({counts('department')}) on {n_s} "
           f"shift{'s' if n_s != 1 else ''} ({counts('shift')})."]
    if "leader" in people.columns and people["leader"].any():
        named = [f"{r['name']} ({r['department']}, {r['shift']} shift)"
                 for _, r in people[people["leader"]].iterrows()]
        out.append("The known leaders, who started as worker-organizers: " + _join(named) + ".")
    return out


def scenario_points(prov, sweep=False):
    """The scenario file's own points to discuss (its "discussion" list: written for the room,
    drawn from its seed story), for a run of the scenario as written. A sweep, or a run with
    --set, --steps or --seed, may not show what they ask about: then none."""
    if sweep or prov is None:
        return []
    words = shlex.split(prov.command_line) if prov.command_line else []
    if any(w in ("--set", "--steps", "--seed") or w.startswith(("--set=", "--steps=", "--seed="))
           for w in words):
        return []
    own = (prov.scenario or {}).get("discussion") or []
    return [q.strip() for q in own if isinstance(q, str) and q.strip()]


def discussion_points(facts, sweep=False):
    """Questions for the room, chosen from what happened in this scenario's arms (a sweep's:
    pooled over its design points)."""
    out = []
    names = list(facts)
    L = figures.arm_label
    fin = lambda a, k: facts[a][k] if np.isfinite(facts[a][k]) else -math.inf  # noqa: E731
    if len(names) > 1:
        crowd = max(names, key=lambda a: fin(a, "peak_turnout"))
        base = max(names, key=lambda a: fin(a, "organized_base_end"))
        gap = facts[base]["organized_base_end"] - facts[crowd]["organized_base_end"]
        if crowd != base and np.isfinite(facts[crowd]["peak_turnout"]) and gap >= 0.02:
            peak = _pct(facts[crowd]["peak_turnout"])
            out.append(f"{_cap(L(crowd))} drew the biggest crowd ({peak} at its peak) but "
                       f"{L(base)} built the bigger base "
                       f"({_pct(facts[base]['organized_base_end'])} organized). A year later, "
                       f"which would you rather have, and why?")
    winners = [a for a in names if facts[a]["wins"] > 0]
    if winners:
        # a share of wins is told only from five wins or more over the runs (fewer say little)
        share = {a: facts[a]["reversals"] / facts[a]["wins"] for a in winners
                 if facts[a]["wins"] * facts[a]["n"] >= 5}
        lost = max(share, key=share.get) if share else None
        if lost is not None and share[lost] >= 0.3:
            many = _how_many(share[lost])
            out.append(f"{many} of {_poss(L(lost))} won elections were decertified before a first "
                       f"contract. What does it take to turn a vote into a contract?"
                       if _election(facts[lost]) else
                       f"{many} of {_poss(L(lost))} wins were taken back. What keeps a win standing "
                       f"once the action is over, and who defends it?")
    elif all(_election(facts[a]) for a in names) and any(facts[a]["actions"] > 0 for a in names):
        out.append("No election was won. What would it have taken: more of the unit organized "
                   "before filing, or coworkers who trust each other more?")
    elif any(facts[a]["actions"] > 0 for a in names):
        out.append("No action beat the employer. What would it have taken: more people, or "
                   "people who trust each other more?")
    fired = [a for a in names if facts[a]["backfires_total"] > 0]
    if fired:
        out.append(f"Where did pushing the issue backfire ({_join(L(a) for a in fired)})? When "
                   f"have you seen someone feel used by an organizer, and what did it cost?")
    fear = {a: facts[a]["fear_end"] for a in names if np.isfinite(facts[a]["fear_end"])}
    if len(fear) > 1 and max(fear.values()) - min(fear.values()) >= 0.02:
        most = max(fear, key=fear.get)
        out.append(f"{_cap(L(most))} left people more afraid. How do you prepare coworkers "
                   f"for the employer's response before an action?")
    never = [a for a in names if facts[a]["actions"] == 0 and facts[a]["organized_base_end"] > 0]
    # an arm that waited for a bar it never reached did not leave a base unused
    short = [a for a in never if facts[a].get("bar", math.nan) > facts[a]["organized_base_end"]]
    idle = [a for a in never if a not in short]
    if short:
        out.append(_cap(_join(f"{L(a)} ({_pct(facts[a]['organized_base_end'])} organized at the "
                              f"end) never reached the {_pct(facts[a]['bar'])} it waited for"
                              for a in short))
                   + " before acting. What would it take to get there, and is waiting right?")
    if idle:
        out.append(f"{_cap(_join(L(a) for a in idle))} built a base and never used it. When "
                   f"is a workplace ready to act, and who decides?")
    if sweep:
        out.append("Which of the sweep's settings looks most like your workplace, and what "
                   "would it take to move it to a better one?")
    elif len(names) > 1:
        out.append("Which of these arms looks most like the campaign you are in now?")
    return out


# ---- html ---------------------------------------------------------------------------------------

CSS = """
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: #1a1a1a;
       max-width: 1100px; margin: 0 auto; padding: 24px 32px 48px; line-height: 1.5;
       font-size: 18px; background: #fff; }
h1 { font-size: 34px; margin: 0 0 4px; }
h2 { font-size: 25px; margin: 36px 0 10px; border-bottom: 3px solid #0072B2;
     padding-bottom: 4px; }
.sub { color: #555; font-size: 15px; margin: 0 0 18px; }
.description { font-size: 20px; background: #f3f7fb; border-left: 6px solid #0072B2;
               padding: 12px 18px; margin: 16px 0; }
ul.arms { padding-left: 0; list-style: none; }
ul.arms li { margin: 8px 0; padding-left: 28px; position: relative; }
ul.arms .swatch { position: absolute; left: 0; top: 6px; width: 18px; height: 18px;
                  border-radius: 3px; }
.findings li { margin: 8px 0; }
table { border-collapse: collapse; width: 100%; font-size: 16px; margin: 8px 0; }
th, td { padding: 7px 10px; border-bottom: 1px solid #ddd; text-align: right;
         vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #eef2f6; border-bottom: 2px solid #888; }
td.clear { font-weight: bold; }
td .unit { color: #666; font-size: 14px; }
figure { margin: 18px 0 28px; }
figure img { width: 100%; height: auto; border: 1px solid #e3e3e3; }
figcaption { color: #444; font-size: 16px; margin-top: 6px; }
.note { color: #555; font-size: 15px; }
footer { margin-top: 40px; color: #555; font-size: 14px; border-top: 1px solid #ccc;
         padding-top: 10px; word-break: break-word; }
code { font-size: 14px; }
.handout figure img { border: none; }
.handout figcaption .key { margin-right: 18px; white-space: nowrap; }
.handout figcaption .swatch { display: inline-block; width: 14px; height: 14px;
                              border-radius: 3px; margin-right: 6px; vertical-align: -1px; }
ol.discuss li { margin: 6px 0; }
.printonly { display: none; }
/* The printed handout: one page with the title, the scenario, what happened, the key panels and
   the points to discuss. Everything else (arms, intervals, table, full figures) stays on screen. */
@media print {
  @page { size: A4 portrait; margin: 11mm 13mm; }
  body { max-width: none; padding: 0; margin: 0; font-size: 9.5pt; line-height: 1.28; }
  body > *:not(.handout) { display: none !important; }
  .screenonly { display: none !important; }
  .printonly { display: block; font-size: 8pt; margin: 4px 0 0; }
  .handout h1 { font-size: 17pt; margin: 0 0 2px; }
  .handout .sub { font-size: 8.5pt; margin: 0 0 4px; }
  .handout h2 { font-size: 12pt; margin: 7px 0 3px; border-bottom-width: 2px;
                padding-bottom: 1px; break-after: avoid; }
  .handout .description { font-size: 9.5pt; padding: 5px 9px; margin: 4px 0; }
  .handout ul, .handout ol { margin: 2px 0; padding-left: 18px; }
  .handout li { margin: 1px 0; }
  .handout figure { margin: 4px 0; break-inside: avoid; text-align: center; }
  .handout figure img { width: auto; max-width: 100%; max-height: 92mm; }
  .handout figcaption { font-size: 9pt; margin-top: 0; }
}
"""


def discovery_figures(path, runs, varied):
    """The /discovery boxes (orgsim discover): the peeling trajectory and box 1 over pairwise
    scatter plots, captioned with the boxes in words. [] when the file has none."""
    from . import discover, prim

    disc = load.discovery(path)
    if disc is None or not len(disc.boxes):
        return []
    units = (runs.attrs.get("units") or {})
    words = []
    for b, row in disc.boxes.iterrows():
        lim = disc.limits.loc[b]
        cuts = []
        for name, r in lim[lim["restricted"]].iterrows():
            if name in disc.levels:  # a swept choice: the levels the box keeps, by name
                cuts.append(f"{prim.choice_words(name, disc.kept(b, name))} "
                            f"(p = {r['p_value']:.2g})")
                continue
            cuts.append(f"{prim.limit_words(name, r, units.get(name))} "
                        f"(p = {r['p_value']:.2g})")
        words.append(f"box {b}: {'; '.join(cuts) or 'no input restricted'}: density "
                     f"{row['density']:.0%}, {row['coverage_total']:.0%} of the points where it "
                     f"holds")
    out = [("discovery_trajectory", _png_data_uri(figures.plot_peeling_trajectory(disc)),
            f"Scenario discovery (PRIM) for \u201c{disc.where}\u201d, which holds for {disc.k} "
            f"of {disc.n} points (a point is a {disc.unit}). Each dot is a box on the way from the "
            f"whole space to a small corner; the ringed one was chosen. " + "; ".join(words)
            + ". A limit with a large p-value may not matter.", "Where the condition holds")]
    try:
        X, y, _ = discover.evaluate(runs, disc.where, varied)
        out.append(("discovery_box", _png_data_uri(figures.plot_box_scatter(disc, X, y)),
                    "The points over pairs of the inputs box 1 restricts, the box drawn on "
                    "each pair (points jittered where the design stacks them).", "Box 1"))
    except discover.ConditionError:
        pass
    return out


def _png_data_uri(fig, dpi=110):
    buf = io.BytesIO()
    with figures.rc_context(figures.STYLE):
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _arm_description(arm, prov):
    if arm["description"]:
        return arm["description"]
    parts = []
    for key, value in arm["overrides"].items():
        if key == "campaign.strategy" and value in STRATEGY_TEXT:
            parts.append(STRATEGY_TEXT[value])
        else:
            meaning = prov.meaning(key)
            parts.append(f"{key} = {value}" + (f" ({meaning})" if meaning else ""))
    return "; ".join(parts) if parts else "the scenario as written, with no changes"


def _sentence_end(text):
    """`text` ending in exactly one full stop (or its own ! or ?): descriptions written as
    sentences get no second one."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _summary_table(runs, summary, diffs, outcomes):
    names = stats.arm_order(runs)
    reference = names[0]
    others = names[1:]
    head = "".join(f"<th>{html.escape(figures.arm_label(a))}</th>" for a in names)
    head += "".join(f"<th>{html.escape(figures.arm_label(a))} − "
                    f"{html.escape(figures.arm_label(reference))}<br>"
                    f"<span class='unit'>difference, same workplaces</span></th>"
                    for a in others)
    rows = []
    for outcome in outcomes:
        share = _is_share(runs, outcome)
        attrs = figures.column_attrs(runs, outcome)
        unit = figures.display_units(outcome, attrs)
        cells = [f"<td>{html.escape(figures.title_of(outcome, attrs))}"
                 f"<br><span class='unit'>{html.escape(unit)}</span></td>"]
        for arm in names:
            row = summary[(summary["arm"] == arm) & (summary["outcome"] == outcome)].iloc[0]
            text = _value_ci(row["mean"], row["lower"], row["upper"], share).replace(
                " (95% CI ", "<br><span class='unit'>").replace(")", "</span>") \
                if np.isfinite(row["mean"]) else "–"
            cells.append(f"<td>{text}</td>")
        for arm in others:
            row = diffs[(diffs["arm"] == arm) & (diffs["outcome"] == outcome)].iloc[0]
            if row["n"] == 0 or not np.isfinite(row["mean"]):
                # e.g. turnout when one of the two arms never called an action
                cells.append("<td class='undefined' title='no pair of runs where both arms "
                             "have this value'>–<br><span class='unit'>not comparable"
                             "</span></td>")
                continue
            f = 100.0 if share else 1.0
            clear = row["lower"] > 0 or row["upper"] < 0
            # a share's difference is in percentage points, said as such
            text = figures.format_estimate(row["mean"] * f, row["lower"] * f,
                                           row["upper"] * f, signed=True,
                                           unit=" points" if share else "")
            text = text.replace(" [", "<br><span class='unit'>[").replace("]", "]</span>")
            if row["n"] == 1 and diffs["n"].max() > 1:
                text += "<br><span class='unit'>one workplace only</span>"
            cells.append(f"<td class='{'clear' if clear else ''}'>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f"<table><thead><tr><th>outcome</th>{head}</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def _category_names(ds, key):
    """The level names of a swept choice or switch as the loaded Dataset gives them (its
    column's attrs["categories"]), in order ([] for a number)."""
    return [str(v) for v in ds[key].attrs.get("categories", [])]


def _varied_text(ds, key):
    """A varied parameter for the sweep note: its key, and a choice's levels by name ("a or b";
    "one of a, b, c" for three or more)."""
    levels = _category_names(ds, key)
    if not levels:
        return key
    if len(levels) <= 2:
        return f"{key}: {' or '.join(levels)}"
    return f"{key}: one of {', '.join(levels)}"


def render(path):
    """The report for a results file, as an HTML string."""
    ds = load.open_results(path)
    runs = load.runs_table(ds)
    prov = load.provenance(path)
    dur = load.durability(path)
    names = load.arm_names(ds)
    colors = figures.arm_colors(prov, names)  # by strategy, as on the trainer's page
    outcomes = [o for o in figures.DEFAULT_OUTCOMES if o in runs.columns]
    # Every per-run outcome is a count, a sum over steps or a share (docs/OUTPUTS.md): an arm's
    # interval is cut at 0, and a share's at 1 (differences between arms are not cut).
    summary = stats.summarize_arms(runs, outcomes, bounds={
        o: (0.0, 1.0 if _is_share(runs, o) else math.inf) for o in outcomes})
    diffs = stats.paired_differences(runs, outcomes) if len(names) > 1 else None
    # The scenario's own title, in words; else its name (or the file's), underscores as spaces.
    title = prov.title or _cap((prov.name or os.path.splitext(os.path.basename(path))[0])
                               .replace("_", " "))
    description = prov.description or "No description given."
    varied = load.varied_params(ds)
    sweep_note = ""
    if prov.sweep is not None:  # a sweep: its own name and question, then the base scenario
        title = (prov.sweep.get("title")
                 or _cap(str(prov.sweep.get("name") or "").replace("_", " ")) or title)
        base = prov.description
        description = prov.sweep.get("description") or description
        if base and base != description:
            description += " The scenario it varies: " + base
        n_points = int(np.unique(np.asarray(ds["point"].values)).size)
        sweep_note = (f" A {ds.attrs.get('design', 'sweep')} design over "
                      f"{len(varied)} parameter{'s' if len(varied) != 1 else ''} "
                      f"({'; '.join(_varied_text(ds, k) for k in varied)}), "
                      f"{n_points} design points.")

    from . import calibration_figures
    # An `orgsim calibrate` file: its runs are the posterior-predictive sweep, a temporary sweep
    # file with no description; the page leads with the calibration's own.
    lead = calibration_figures.calibration_lead(path) if prov.sweep is not None else None
    if lead is not None:
        title, description = lead["title"], lead["description"]
        sweep_note = (f" The calibration's posterior-predictive check: {lead['draws']} parameter "
                      f"sets drawn from its posterior, {lead['replicates']} runs each.")

    facts = arm_facts(ds, runs, prov)
    people = people_sentences(load.roster(path))
    story = [_singular(f) for f in story_sentences(facts)]
    points = discussion_points(facts, sweep=bool(varied))
    own = scenario_points(prov, bool(varied))
    if own:  # the scenario's own questions first; the closing generic one gives way to them
        points = own + [q for q in points if not q.startswith("Which of these arms")]
        points = points[:6]
    n_max = max((f["n"] for f in facts.values()), default=0)
    workplaces = (f"each on the same {n_max} simulated workplaces" if n_max > 1
                  else "one simulated workplace each")
    if varied:  # a sweep: the story's averages pool design points that differ; say so first
        n_points = int(np.unique(np.asarray(ds["point"].values)).size)
        per_point = runs.groupby(["arm", "point"], observed=True).size()
        reps = (f"{int(per_point.iloc[0])} simulated workplace"
                f"{'s' if int(per_point.iloc[0]) != 1 else ''} at each"
                if per_point.nunique() == 1 else "a few simulated workplaces at each")
        workplaces = f"{n_points} design points with {reps}"
        key = next((o for o in ("organized_base_end", "win_weeks", "peak_turnout")
                    if o in runs.columns), outcomes[0])
        step_units = load.steps(ds)[1] or "week"
        units = runs.attrs.get("units") or {}
        said = [f"{param_words(k, units.get(k, ''), step_units)} ({k})" for k in varied]
        opening = (f"These runs are the calibration's posterior-predictive check: {n_points} "
                   f"parameter sets drawn from its posterior" if lead is not None else
                   f"This is a sweep: {n_points} design points")
        story = ([f"{opening}, where {_join(said)} take different values. What changed with "
                  f"them:"]
                 + [_singular(t) for t in sweep_sentences(runs, varied, key,
                                                          step_units=step_units)]
                 + [f"Pooled over every design point, the arms' averages were: "
                    f"{story[0][0].lower() + story[0][1:]}" if story else ""]
                 + story[1:])
        story = [t for t in story if t]
    findings = run_sentences(runs, ds)
    if diffs is not None:
        findings += comparison_sentences(runs, summary, diffs)
    else:
        findings += single_arm_sentences(runs, summary)
    findings += durability_sentences(dur)
    findings = [_singular(f) for f in findings]

    figs = []
    if varied:
        key = next((o for o in ("organized_base_end", "win_weeks", "peak_turnout")
                    if o in runs.columns), outcomes[0])
        if len(varied) >= 2:
            fig = figures.plot_heatmap(runs, varied[0], varied[1], key)
            caption = (f"{figures.title_of(key)} over {varied[0]} and {varied[1]}: the mean "
                       f"over the runs in each cell, one panel per arm.")
        elif figures.is_categorical(runs[varied[0]]):
            fig = figures.plot_outcome_vs_param(runs, varied[0], key)
            caption = (f"{figures.title_of(key)} for each {varied[0]} "
                       f"({', '.join(_category_names(ds, varied[0]))}): mean with its 95% "
                       f"interval and the spread of the runs, the arms side by side.")
        else:
            fig = figures.plot_outcome_vs_param(runs, varied[0], key)
            caption = (f"{figures.title_of(key)} against {varied[0]}: mean, its 95% interval "
                       f"and the spread of the runs, one line per arm.")
        figs.append(("sweep", _png_data_uri(fig), caption, "Outcome over the sweep"))
        sens = load.sensitivity(path)
        if sens is not None and len(sens):
            fig = figures.plot_sensitivity(sens)
            figs.append(("sensitivity", _png_data_uri(fig),
                         "Which parameters matter: sensitivity indices per outcome and arm, "
                         "with their 95% intervals where the method gives them.",
                         "Sensitivity indices"))
        figs += discovery_figures(path, runs, varied)
        # an `orgsim calibrate` file: its posterior first
        figs = calibration_figures.report_items(path, _png_data_uri) + figs
    fig = figures.plot_run(ds, colors=colors)
    figs.append(("run", _png_data_uri(fig),
                 "The run over time: trust between coworkers, turnout at each action, how many "
                 "people stood on each rung of the commitment ladder (supporters, members, the "
                 "most committed top rung) and the wins standing. "
                 + (f"Lines are the average of the {n_max} simulated workplaces"
                    + (" (all design points pooled)" if varied else "")
                    + ", shaded bands where the middle 80% of them were."
                    if n_max > 1 else "One simulated workplace per arm."),
                 "Week by week, one line per arm"))
    snap_agents = load.agents(path)
    if snap_agents is not None:
        fig = figures.plot_network_snapshots(snap_agents, load.networks(path))
        figs.append(("network", _png_data_uri(fig),
                     "One simulated workplace per arm (the same people in every picture, in the "
                     "same places: each cluster is a department) at the start, middle and end of "
                     "the run. Dots are people, darker the higher they stand on the commitment "
                     "ladder; lines are ties between coworkers, darker with more trust.",
                     "The workplace network over time"))
    handout_panels = list(figures.HANDOUT_PANELS)
    # With actions.win_width > 0 an action near the line is won by chance (a logistic in the
    # power's distance to it): the caption must not say the line decides.
    win_width = max((v for v in figures.arm_values(prov, names, "actions.win_width")
                     if isinstance(v, (int, float))), default=0.0)
    if all(f["backfires_total"] == 0 for f in facts.values()):
        handout_panels[-1] = "fear_mean"
    widths = figures.win_width_by_arm(prov, names)
    fig = figures.plot_trainer_panels(ds, resistance=figures.resistance_by_arm(prov, names),
                                      panels=handout_panels, size=(5.6, 2.6), colors=colors,
                                      win_width=widths)
    handout_uri = _png_data_uri(fig, dpi=100)
    fig = figures.plot_trainer_panels(ds, resistance=figures.resistance_by_arm(prov, names),
                                      colors=colors, win_width=widths)
    figs.append(("trainer", _png_data_uri(fig),
                 "What to show the room: issue pushes that backfired (running total per run), "
                 "cohesion at each action (the trust among the people who took part), the "
                 "power of each action against the employer's resistance (dashed line: "
                 + ("the further above it, the likelier a win; near it, winning is partly luck"
                    if win_width > 0 else "an action above it is won")
                 + "), and fear over time.",
                 "Backfires, cohesion, power against the employer's line, fear"))
    if dur.arms["wins"].sum() > 0:
        fig = figures.plot_durability(dur, colors=colors)
        figs.append(("durability", _png_data_uri(fig),
                     "How long wins lasted: the share of each arm's wins still standing a "
                     "given number of weeks after they were won, with a 95% band. Wins still "
                     "standing when the run ended (ticks) count for as long as they were seen "
                     "(the Kaplan–Meier method).",
                     "How long wins lasted, one curve per arm"))
    if diffs is not None:
        fig = figures.plot_paired_differences(
            runs, outcomes, colors=figures.arm_colors(prov, stats.arm_order(runs)))
        figs.append(("differences", _png_data_uri(fig),
                     (f"How each arm differed from {figures.arm_label(names[0])}, compared "
                      f"on the same {n_max} simulated workplaces under each arm: the average "
                      "difference (dot) and its 95% confidence interval (bar). A bar that does "
                      "not cross the zero line is a clear difference."
                      if n_max > 1 else
                      f"How each arm differed from {figures.arm_label(names[0])} in the one "
                      "simulated workplace (one run per arm: no interval, and no telling an "
                      "effect from chance)."),
                     "Differences between the arms"))

    arms_html = []
    for i, arm in enumerate(prov.arms or [{"name": n, "description": "", "overrides": {}}
                                          for n in names]):
        colour = figures.arm_style(i, colors)["color"]
        arms_html.append(
            f"<li><span class='swatch' style='background:{colour}'></span>"
            f"<b>{html.escape(figures.arm_label(arm['name']))}</b> "
            f"<span class='note'>(<code>{html.escape(arm['name'])}</code>)</span>: "
            f"{html.escape(_sentence_end(_arm_description(arm, prov)))}</li>")
    command = prov.command_line
    if lead is not None:  # not the temporary sweep file orgsim calibrate ran and deleted
        command = lead["command"] or ("orgsim calibrate (the command line is not recorded in "
                                      "files written before it was)")
    version = prov.version
    dirty = " (uncommitted changes)" if str(version.get("git_dirty")) == "true" else ""
    footer = (
        f"File <code>{html.escape(os.path.abspath(path))}</code>, written "
        f"{html.escape(str(version.get('created_utc', '')))} by orgsim "
        f"{html.escape(str(version.get('orgsim_version', '')))} (commit "
        f"{html.escape(str(version.get('git_commit', '')))}{dirty}); study "
        f"{html.escape(str(version.get('study_id', '')))}, master seed "
        f"{html.escape(str(version.get('master_seed', '')))}.<br>Command: "
        f"<code>{html.escape(command)}</code><br>Report generated "
        f"{datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} by "
        f"<code>python -m analysis.report</code>.")
    if prov.checksums_ok and not all(prov.checksums_ok.values()):
        bad = ", ".join(k for k, ok in prov.checksums_ok.items() if not ok)
        footer += f"<br><b>Warning:</b> checksum mismatch in the provenance ({bad})."

    legend = "".join(
        f"<span class='key'><span class='swatch' style='background:"
        f"{colors[i]}'></span>{html.escape(figures.arm_label(n))}</span>"
        for i, n in enumerate(names))
    handout = [
        "<section class='handout'>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p class='sub'>orgsim results: {len(names)} arm{'s' if len(names) != 1 else ''}, "
        f"{workplaces}; {int(ds.sizes['run'])} runs of {int(ds.sizes['step'])} "
        f"{html.escape(str(ds['step'].attrs.get('units', 'step')))}s each."
        f"{html.escape(sweep_note)}</p>",
        "<h2 class='screenonly'>The scenario</h2>" if prov.sweep is None
        else "<h2 class='screenonly'>The calibration</h2>" if lead is not None
        else "<h2 class='screenonly'>The sweep</h2>",
        f"<p class='description'>{html.escape(description)}</p>",
        "" if lead is None else
        (f"<p class='calibration'>Its targets (scenario <code>"
         f"{html.escape(lead['scenario'])}</code>):</p><ul class='targets'>"
         + "".join(f"<li>{html.escape(t)}</li>" for t in lead["targets"]) + "</ul>"
         f"<p class='calibration stop'>{html.escape(lead['stop'])}</p>"),
        "".join(f"<p class='people'>{html.escape(s_)}</p>" for s_ in people),
        "<h2>What happened</h2>",
        "<ul class='story'>" + "".join(f"<li>{html.escape(s_)}</li>" for s_ in story)
        + "</ul>",
        f"<figure id='fig-handout'><img src=\"{handout_uri}\" alt=\"Organized base, wins "
        f"standing, power against the employer's line, "
        f"{'backfires' if handout_panels[-1] == 'backfires' else 'fear'}\">"
        f"<figcaption>{legend}</figcaption></figure>",
        "<h2>Points to discuss</h2>",
        "<ol class='discuss'>" + "".join(f"<li>{html.escape(q)}</li>" for q in points)
        + "</ol>",
        "<p class='note printonly'>"
        + html.escape(f"orgsim, a model of organizing: {len(names)} arm"
                      f"{'s' if len(names) != 1 else ''}, "
                      + f"{workplaces}; results of a model, not forecasts.") + "</p>",
        "</section>",
    ]
    ci_note = (
        "<p class='note'>These are results of a model, not forecasts. The confidence intervals "
        "say how much the results vary between the simulated workplaces (different workers, "
        "networks and grievance climates drawn from the same scenario); they do not cover "
        "doubts about the model's assumptions.</p>" if n_max > 1 else
        "<p class='note'>These are results of a model, not forecasts. Each arm was run on one "
        "simulated workplace only, so there are no confidence intervals: run more replicates "
        "(<code>--replicates 20</code>) to tell an effect from chance.</p>")
    table_note = (
        "<p class='note'>The average per run with its 95% confidence interval over the "
        "simulated workplaces" + ("; differences in bold where the interval excludes zero. "
                                  "A difference of shares shown in % is in percentage points. "
                                  "A dash: the outcome does not exist for an arm (e.g. turnout "
                                  "when it never called an action)." if diffs is not None
                                  else ".") + "</p>" if n_max > 1 else
        "<p class='note'>The value of the one run per arm (no intervals with one run).</p>")
    body = handout + [
        "<h2>The arms compared</h2>" if len(names) > 1 else "<h2>The arm</h2>",
        "<ul class='arms'>" + "".join(arms_html) + "</ul>",
        "<h2>How sure we are</h2>",
        "<ul class='findings'>" + "".join(f"<li>{html.escape(s)}</li>" for s in findings)
        + "</ul>",
        ci_note,
        "<h2>Summary</h2>",
        table_note,
        _summary_table(runs, summary, diffs if diffs is not None else summary.iloc[0:0],
                       outcomes),
        "<h2>Figures</h2>",
    ]
    for key, uri, caption, alt in figs:
        body.append(f"<figure id='fig-{key}'><img src=\"{uri}\" alt=\"{html.escape(alt)}\">"
                    f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    body.append(f"<footer>{footer}</footer>")
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{html.escape(title)} {REPORT_MARK}<style>{CSS}</style></head>"
            "<body>" + "\n".join(body) + "</body></html>\n")


def default_output(path):
    return os.path.splitext(os.fspath(path))[0] + ".html"


class OutputError(ValueError):
    """The report's output path cannot be written (it would replace the results file, a folder,
    or a file that is not an earlier report): an input error, exit status 2."""


REPORT_MARK = "— orgsim report</title>"  # in every report's <head>: an earlier report is replaced


def _is_report(path):
    try:
        with open(path, "rb") as f:
            head = f.read(16384)
    except OSError:
        return False
    return REPORT_MARK.encode("utf-8") in head


def check_output(path, output, force=False):
    """Refuses an output that would destroy something (as `orgsim run` does for its -o): the
    results file being reported on, a folder, or an existing file that is not an orgsim report
    (unless `force`). Raises OutputError."""
    if os.path.isdir(output):
        raise OutputError(f"the output {output} is a folder: give a file name, e.g. "
                          f"{os.path.join(output, os.path.basename(default_output(path)))}")
    if not os.path.lexists(output):
        return
    if os.path.exists(path) and os.path.samefile(path, output):
        raise OutputError(f"the output {output} is the results file the report is about: "
                          f"not replacing it (give another -o)")
    if not force and not _is_report(output):
        raise OutputError(f"the output {output} exists and is not an orgsim report: not replacing "
                          f"it (give another -o, or --force to replace it)")


def write_report(path, output=None, force=False):
    """Write the report for `path`; returns the output path. The page is written next to the
    output and renamed over it when complete (a crash leaves no half page under its name);
    check_output refuses outputs that would destroy something."""
    output = os.fspath(output) if output else default_output(path)
    check_output(os.fspath(path), output, force)
    text = render(os.fspath(path))
    directory = os.path.dirname(output)
    if directory:
        os.makedirs(directory, exist_ok=True)
    tmp = output + ".partial"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, output)
    except BaseException:
        if os.path.lexists(tmp) and not os.path.isdir(tmp):
            os.remove(tmp)
        raise
    return output


def main(argv=None):
    parser = cli.Parser(
        prog="python -m analysis.report",
        description="Write a self-contained one-page HTML report from an orgsim results file.")
    parser.add_argument("results", help="results file written by `orgsim run` (.h5)")
    parser.add_argument("-o", "--output", help="HTML file to write (default: next to the "
                                               "results file, with .html)")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing output that is not an earlier report")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress line")
    args = parser.parse_args(argv)
    # As the engine's progress line: on a terminal only (a report takes seconds: reading the
    # file and drawing the figures), on stderr, never with --quiet.
    tty = not args.quiet and sys.stderr.isatty()
    start = time.monotonic()
    if tty:
        print(f"orgsim report: reading {args.results} and drawing its figures ...",
              file=sys.stderr, end="", flush=True)
    try:
        out = write_report(args.results, args.output, force=args.force)
    except (FileNotFoundError, load.ResultsFileError, OutputError) as err:
        if tty:
            print(file=sys.stderr)
        print(f"orgsim: error: {err}", file=sys.stderr)
        return 2
    except BaseException:
        if tty:
            print(file=sys.stderr)
        raise
    if tty:
        print(f" done ({time.monotonic() - start:.1f} s)", file=sys.stderr, flush=True)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
