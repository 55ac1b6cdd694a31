"""The model against what happens in real campaigns: the calibration patterns C1-C8.

`analysis/empirical_targets.json` holds the patterns of EMPIRICAL_PATTERNS.md (targets,
tolerances, sources). This module runs the empirical scenarios with the engine, computes each
pattern as a model output, with a 95% interval over replicates, and says whether that interval
falls inside the tolerance band, overlaps it, or misses it (`verdict`). docs/VALIDATION_EMPIRICAL.md
explains each comparison; its table is generated here.

    scenarios/empirical/union_election.json   C1-C4 and C6: one drive to an election and beyond,
                                              run at unit sizes 25 and 50 (NLRB-like units)
                                              C5: the starting workforce's latent support
    scenarios/empirical/contact_experiment.json  C7, C8: a randomized contact experiment inside
                                              the model, the design of Green & Gerber's field
                                              experiments: the same workplaces with and without
                                              one kind of contact, extra participants per contact

Run (Debian's interpreter):
    /usr/bin/python3 -m analysis.empirical [--orgsim build/orgsim] [--replicates R]
        [--results results/empirical] [--reuse] [--markdown docs/VALIDATION_EMPIRICAL.md]
"""

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from analysis import load

ROOT = Path(__file__).resolve().parent.parent
EMPIRICAL = ROOT / "scenarios" / "empirical"
TARGETS = ROOT / "analysis" / "empirical_targets.json"
UNIT_SIZES = (25, 50)
Z95 = 1.959963984540054


def read_targets(path=TARGETS):
    data = json.loads(Path(path).read_text())
    return data["patterns"]


def share_ci(k, n):
    """A share k/n and its Wilson 95% interval (Wilson 1927): good at small n and near 0 or 1."""
    if n == 0:
        return math.nan, math.nan, math.nan
    p = k / n
    d = 1 + Z95 ** 2 / n
    centre = (p + Z95 ** 2 / (2 * n)) / d
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95 ** 2 / (4 * n * n)) / d
    return p, max(0.0, centre - half), min(1.0, centre + half)


def mean_ci(values):
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return math.nan, math.nan, math.nan
    m = float(v.mean())
    if len(v) < 2:
        return m, math.nan, math.nan
    h = Z95 * float(v.std(ddof=1)) / math.sqrt(len(v))
    return m, m - h, m + h


def run(orgsim, scenario, out, sets=(), replicates=None):
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [str(orgsim), "run", str(scenario), "-o", str(out), "-q", "--force"]
    for s in sets:
        cmd += ["--set", s]
    if replicates:
        cmd += ["--replicates", str(replicates)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    return out


# ---- the patterns ------------------------------------------------------------------------------

def election_patterns(path, arm="relationship_first"):
    """C1-C4 from one union_election results file: first elections per run of `arm`."""
    runs = load.runs_table(path)
    runs = runs[(runs["arm"].astype(str) == arm) & (runs["status"].astype(str) == "done")]
    acts = load.action_events(path)
    acts = acts[(acts["arm"].astype(str) == arm) & (acts["kind"].astype(str) == "election")]
    steps = len(load.steps(load.open_results(path))[0])
    first = acts.sort_values("step").groupby("run").head(1).set_index("run")
    called = runs.index.isin(first.index)
    n_runs, n_elections = len(runs), int(called.sum())
    won = first["won"].astype(bool)
    out = {"runs": n_runs, "elections": n_elections}
    out["C1"] = share_ci(int(won.sum()), len(first))
    # C2, C3: among the campaigns that came to an election (the employer's campaign starts with
    # the petition), the share with at least one firing / threat.
    held = runs[called]
    out["C2"] = share_ci(int((held["firings"] > 0).sum()), len(held))
    out["C3"] = share_ci(int((held["threats"] > 0).sum()), len(held))
    # C4: won first elections whose next 52 weeks are inside the run: a first contract by then?
    w = first[won & (first["step"] + 52 <= steps - 1)]
    done = (w["consolidated_step"] >= 0) & (w["consolidated_step"] - w["step"] <= 52)
    out["C4"] = share_ci(int(done.sum()), len(w))
    out["C4_n"] = len(w)
    return out


def latent_support(path, arm="relationship_first"):
    """C5: latent support as a property of the starting workforce: the per-run output
    `latent_support` (the share whose own utility with no fear, no invitation and no social pull
    reaches their threshold, docs/MODEL.md "Latent support"), mean over the runs of `arm`."""
    runs = load.runs_table(path)
    runs = runs[runs["arm"].astype(str) == arm]
    return mean_ci(runs["latent_support"])


def readiness_bar(scenario=None, arm="relationship_first"):
    """C6 is a policy: the readiness bar union_election's first arm calls the vote at (the arm's
    own setting, else the scenario's)."""
    doc = json.loads(Path(scenario or EMPIRICAL / "union_election.json").read_text())
    for a in doc.get("arms", []):
        if a.get("name") == arm and "actions.readiness" in a.get("set", {}):
            return float(a["set"]["actions.readiness"])
    return doc.get("actions", {}).get("readiness")


# The contact arms of scenarios/empirical/contact_experiment.json and the per-run output that
# counts each arm's contacts.
CONTACT_ARMS = (("one_on_one", "C7a", "one_on_ones_staff_total"),
                ("broadcast", "C7b", "broadcast_reached_total"),
                ("coworker_invite", "C7c", "one_on_ones_peer_total"))


def contact_effects(path):
    """C7, C8 from the contact experiment. Replicate k of every arm is the same workplace (common
    random numbers), so per replicate the extra participants of a treated arm over the control,
    divided by that arm's contacts, is one estimate of the effect per contact; the pattern is its
    mean over replicates (the ratio of means would weight big contact counts; both are reported
    by `contact_table`). C8: the broadcast arm's responders (reached and joined through the
    message) per person reached."""
    runs = load.runs_table(path)
    ctl = runs[runs["arm"].astype(str) == "control"].set_index("replicate")
    out = {}
    for arm, key, contacts in CONTACT_ARMS:
        t = runs[runs["arm"].astype(str) == arm].set_index("replicate")
        if len(t) == 0:
            continue
        extra = (t["first_action_participants"] - ctl["first_action_participants"]).dropna()
        n = t.loc[extra.index, contacts]
        per = (extra / n).replace([np.inf, -np.inf], np.nan)
        out[key] = mean_ci(per)
        out[key + "_contacts"] = float(n.mean())
    b = runs[runs["arm"].astype(str) == "broadcast"]
    if len(b):
        reached = b["broadcast_reached_total"].to_numpy(dtype=float)
        resp = b["broadcast_responders_total"].to_numpy(dtype=float)
        ok = reached > 0
        out["C8"] = mean_ci(resp[ok] / reached[ok])
    return out


def _missing(x):
    return x is None or (isinstance(x, float) and math.isnan(x))


def verdict(est, low, high):
    """Where an estimate falls against the tolerance band [low, high]. `est` is (value, lower,
    upper) with its 95% interval, or a bare value (a policy, or an estimate without an interval,
    judged by the value alone). The interval decides, not the point estimate:

    - "inside": the whole interval inside the band;
    - "overlapping (lower edge)" / "(upper edge)" / "(both edges)": the interval overlaps the
      band but reaches past it below / above / on both sides;
    - "outside (below)" / "outside (above)": the interval and the band do not overlap;
    - "not measured": no value."""
    value, lo, hi = est if isinstance(est, tuple) else (est, math.nan, math.nan)
    if _missing(value):
        return "not measured"
    if _missing(lo) or _missing(hi):
        lo = hi = value
    if hi < low:
        return "outside (below)"
    if lo > high:
        return "outside (above)"
    if low <= lo and hi <= high:
        return "inside"
    side = ("both edges" if lo < low and hi > high else
            "lower edge" if lo < low else "upper edge")
    return f"overlapping ({side})"


def fmt(est, share=True):
    v, lo, hi = est
    if _missing(v):
        return "—"
    if _missing(lo):
        return f"{v:.3g}"
    return f"{v:.3f} ({lo:.3f}–{hi:.3f})"


def fmt_interval(est):
    """The 95% interval of an estimate, "lo–hi" ("—" without one)."""
    v, lo, hi = est
    if _missing(v) or _missing(lo) or _missing(hi):
        return "—"
    return f"{lo:.3f}–{hi:.3f}"


def fmt_value(est):
    v = est[0]
    return "—" if _missing(v) else (f"{v:.3f}" if not _missing(est[1]) else f"{v:.3g}")


def compare(orgsim, results, replicates=None, reuse=False):
    """Runs the empirical scenarios and returns rows (id, what the model gives, verdict, note)."""
    targets = read_targets()
    rows = []
    per_size = {}
    for n in UNIT_SIZES:
        out = Path(results) / f"union_election_{n}.h5"
        if not (reuse and out.exists()):
            print(f"running union_election at population.size={n} ...", file=sys.stderr,
                  flush=True)
            # three years, so that a vote called late still has 52 weeks to show a contract (C4)
            run(orgsim, EMPIRICAL / "union_election.json", out,
                [f"population.size={n}", "steps=156"], replicates)
        per_size[n] = election_patterns(out)
    for key in ("C1", "C2", "C3", "C4"):
        t = targets[key]
        for n in UNIT_SIZES:
            est = per_size[n][key]
            note = (f"{per_size[n]['elections']} elections in {per_size[n]['runs']} runs"
                    if key != "C4" else f"{per_size[n]['C4_n']} won elections with 52 weeks to see")
            rows.append((key, n, est, verdict(est, t["low"], t["high"]), note))
    bar = readiness_bar()
    t = targets["C6"]
    rows.append(("C6", None, (bar, math.nan, math.nan) if bar is not None else (math.nan,) * 3,
                 verdict(bar, t["low"], t["high"]) if bar is not None else "not measured",
                 "a policy: the readiness bar of union_election's relationship_first arm"))
    t = targets["C5"]
    for n in UNIT_SIZES:
        est = latent_support(Path(results) / f"union_election_{n}.h5")
        rows.append(("C5", n, est, verdict(est, t["low"], t["high"]),
                     "latent_support of the starting workforce, mean over runs"))
    contact = EMPIRICAL / "contact_experiment.json"
    out = Path(results) / "contact_experiment.h5"
    if not (reuse and out.exists()):
        print("running contact_experiment ...", file=sys.stderr, flush=True)
        run(orgsim, contact, out, [], replicates)
    eff = contact_effects(out)
    for key, note in (("C7a", "staff one-on-ones with listed workers"),
                      ("C7b", "one broadcast blast"),
                      ("C7c", "worker-organizers' one-on-ones with their own coworkers")):
        t = targets[key]
        est = eff.get(key, (math.nan,) * 3)
        rows.append((key, 100, est, verdict(est, t["low"], t["high"]),
                     f"extra participants per contact, {note} "
                     f"({eff.get(key + '_contacts', math.nan):.1f} contacts per run)"))
    t = targets["C8"]
    est = eff.get("C8", (math.nan,) * 3)
    rows.append(("C8", 100, est, verdict(est, t["low"], t["high"]),
                 "responders per person reached by one blast"))
    return rows, targets


def markdown(rows, targets, version=""):
    lines = ["<!-- generated by `/usr/bin/python3 -m analysis.empirical --replicates 200 --markdown "
             "docs/VALIDATION_EMPIRICAL.md`; do not edit by hand -->", ""]
    if version:
        lines += [f"Computed with `{version}`.", ""]
    lines += ["Verdict: *inside* when the model's whole 95% interval lies inside the tolerance "
              "band; *overlapping* when the interval overlaps the band but reaches past the "
              "edge named; *outside* when they do not overlap.", "",
              "| pattern | unit size | target | tolerance band | model's 95% interval | model "
              "estimate | verdict | note |",
              "|---|---|---|---|---|---|---|---|"]
    for key, n, est, v, note in rows:
        t = targets[key]
        target = f"{t['target']}" if "target" in t else "—"
        lines.append(f"| {key} | {n if n else '—'} | {target} | {t['low']}–{t['high']} | "
                     f"{fmt_interval(est)} | {fmt_value(est)} | {v} | {note} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m analysis.empirical",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--orgsim", default=os.environ.get("ORGSIM_BINARY",
                                                       str(ROOT / "build" / "orgsim")))
    ap.add_argument("--results", default=str(ROOT / "results" / "empirical"))
    ap.add_argument("--replicates", type=int, default=None)
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--markdown")
    args = ap.parse_args(argv)
    rows, targets = compare(args.orgsim, args.results, args.replicates, args.reuse)
    for key, n, est, v, note in rows:
        size = f" N={n}" if n else ""
        band = f"{targets[key]['low']}–{targets[key]['high']}"
        print(f"{key}{size}: {fmt(est)} against the band {band} -> {v} ({note})")
    if args.markdown:
        from analysis.robustness import write_markdown
        version = subprocess.run([str(args.orgsim), "--version"], capture_output=True,
                                 text=True).stdout.strip()
        write_markdown(Path(args.markdown), markdown(rows, targets, version))
    return 0


if __name__ == "__main__":
    sys.exit(main())
