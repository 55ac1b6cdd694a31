"""The trainer scenarios' numbers in docs/SCENARIOS.md, generated from the engine.

For each trainer scenario (scenarios/<name>.json, one section of docs/SCENARIOS.md each) this
runs the engine, and writes a table of its key outcomes per arm (mean ± half-width of the 95%
confidence interval over replicates) and the paired differences between arms for the outcomes
its story is about: replicate k of every arm is the same workplace, so the difference is taken
replicate by replicate. The table goes between the scenario's markers in the page,

    <!-- generated:begin NAME -->
    ...
    <!-- generated:end NAME -->

and the rest of the page (the prose, written by hand from these tables) is left as it is. A
scenario whose markers are missing or repeated is an error, reported before anything runs.

Run (Debian's interpreter):
    /usr/bin/python3 -m analysis.scenarios_doc [--replicates 40] [--markdown docs/SCENARIOS.md]
        [--orgsim build/orgsim] [--results results/scenarios_doc] [--reuse] [NAME ...]
"""

import argparse
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from analysis import load
from analysis.empirical import mean_ci, run

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"

# The per-run outcomes each table shows: (column, label, scale, decimals). "wins_standing" is
# derived (wins - reversals: the wins still standing at the end of the run). peak_turnout is
# undefined in a run without actions; its mean is over the runs that acted, and the table says
# in how many runs that was.
OUTCOMES = (
    ("actions", "actions", 1, 1),
    ("peak_turnout", "peak turnout (%)", 100, 1),
    ("wins", "wins", 1, 2),
    ("reversals", "reversals", 1, 2),
    ("wins_standing", "wins standing at the end", 1, 2),
    ("win_weeks", "win-weeks", 1, 1),
    ("organized_base_end", "organized base at the end (%)", 100, 1),
    ("organizers_end", "worker-organizers at the end", 1, 2),
    ("backfires_total", "backfired issue pushes", 1, 0),
)

# Per scenario, the paired differences its story is about: (arm a, arm b, outcomes), a minus b.
STORIES = {
    "year1_isolated": [
        ("relationship_first", "issue_first", ("organized_base_end", "backfires_total")),
        ("relationship_first", "nobody_organizes", ("organized_base_end",)),
    ],
    "year2_hot_no_relationships": [
        ("act_on_the_anger", "keep_building", ("wins", "organized_base_end")),
    ],
    "year3_base_clicks": [
        ("act_when_ready", "mobilize",
         ("win_weeks", "wins_standing", "reversals", "organized_base_end")),
    ],
    "big_messaging_no_base": [
        ("big_messaging", "relationship_first",
         ("peak_turnout", "reversals", "wins_standing", "win_weeks", "organized_base_end")),
    ],
    "staffer_pushed_ava": [
        ("staff_back_the_coworkers", "staff_push", ("wins", "win_weeks", "organized_base_end")),
        ("coworkers_alone", "staff_push", ("wins", "organized_base_end")),
    ],
    "organizing_never_mobilizes": [
        ("relationship_first", "organizing_only", ("wins", "organized_base_end")),
    ],
    "mobilizing_back_to_organizing": [
        ("hybrid", "big_messaging", ("organized_base_end", "win_weeks", "wins_standing")),
        ("hybrid", "relationship_first", ("win_weeks",)),
    ],
    "high_turnover": [
        ("big_messaging", "relationship_first", ("win_weeks", "wins", "wins_standing")),
        ("hybrid", "relationship_first", ("win_weeks",)),
    ],
}


class MarkerError(ValueError):
    """The page lacks a scenario's generated-block markers, or has them more than once."""


def markers(name):
    return f"<!-- generated:begin {name} -->", f"<!-- generated:end {name} -->"


def check_markers(text, names, where="the page"):
    """Raises MarkerError unless every name has exactly one begin marker followed by exactly one
    end marker in `text`."""
    for name in names:
        begin, end = markers(name)
        nb, ne = text.count(begin), text.count(end)
        if nb != 1 or ne != 1:
            raise MarkerError(
                f"{where}: scenario {name} needs exactly one '{begin}' and one '{end}' "
                f"(found {nb} and {ne}); add them to the scenario's section")
        if text.index(end) < text.index(begin):
            raise MarkerError(f"{where}: scenario {name}: '{end}' comes before '{begin}'")


def replace_block(text, name, block, where="the page"):
    """`text` with the lines between NAME's markers replaced by `block`; nothing else changes."""
    check_markers(text, [name], where)
    begin, end = markers(name)
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{block.rstrip(chr(10))}\n{end}{tail}"


def outcomes_table(path):
    """The runs of a results file with the derived column wins_standing."""
    runs = load.runs_table(path)
    runs = runs[runs["status"].astype(str) == "done"].copy()
    runs["wins_standing"] = runs["wins"] - runs["reversals"]
    return runs


def arm_values(runs, arm, column):
    """The column of one arm, indexed by replicate."""
    sub = runs[runs["arm"].astype(str) == arm]
    return sub.set_index("replicate")[column].astype(float)


def paired(runs, a, b, column):
    """Mean paired difference a - b over the replicates where both are defined (peak_turnout of a
    run without actions counts as 0: nobody turned out), its 95% half-width and the count."""
    va, vb = arm_values(runs, a, column), arm_values(runs, b, column)
    if column == "peak_turnout":
        va, vb = va.fillna(0.0), vb.fillna(0.0)
    d = (va - vb).dropna()
    m, lo, _ = mean_ci(d.values)
    return m, (m - lo if math.isfinite(lo) else math.nan), len(d)


def fmt(m, half, scale=1, decimals=2):
    if not math.isfinite(m):
        return "—"
    if not math.isfinite(half):
        return f"{m * scale:.{decimals}f}"
    return f"{m * scale:.{decimals}f} ± {half * scale:.{decimals}f}"


def label_of(column):
    for col, label, scale, dec in OUTCOMES:
        if col == column:
            return label, scale, dec
    raise KeyError(column)


def scenario_block(name, runs, replicates, version=""):
    """The markdown block of one scenario: the per-arm table and the paired differences."""
    arms = [str(a) for a in runs.attrs.get("arm_names", [])] or \
        list(dict.fromkeys(runs["arm"].astype(str)))
    lines = [f"<!-- generated by `/usr/bin/python3 -m analysis.scenarios_doc --replicates "
             f"{replicates} --markdown docs/SCENARIOS.md`; do not edit by hand -->", ""]
    if version:
        lines += [f"Computed with `{version}`, {replicates} replicates per arm "
                  f"(mean ± 95% CI half-width).", ""]
    lines += ["| outcome | " + " | ".join(arms) + " |", "|---" * (len(arms) + 1) + "|"]
    for col, label, scale, dec in OUTCOMES:
        cells = []
        for arm in arms:
            v = arm_values(runs, arm, col)
            m, lo, _ = mean_ci(v.values)
            cell = fmt(m, m - lo if math.isfinite(lo) else math.nan, scale, dec)
            acted = int(np.isfinite(v.values).sum())
            if col == "peak_turnout" and 0 < acted < len(v):
                cell += f" ({acted} runs acted)"
            cells.append(cell)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    pairs = STORIES.get(name, [])
    if pairs:
        lines += ["", "| paired difference (same workplaces) | mean ± 95% CI half-width |",
                  "|---|---|"]
        for a, b, cols in pairs:
            for col in cols:
                label, scale, dec = label_of(col)
                m, half, n = paired(runs, a, b, col)
                if col == "peak_turnout":
                    label += ", 0 where no action"
                lines.append(f"| {a} − {b}: {label} | {fmt(m, half, scale, dec)} |")
    return "\n".join(lines) + "\n"


def orgsim_version(orgsim):
    return subprocess.run([str(orgsim), "--version"], capture_output=True,
                          text=True).stdout.strip()


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m analysis.scenarios_doc",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("scenarios", nargs="*", help="scenario names (default: all eight)")
    ap.add_argument("--orgsim", default=os.environ.get("ORGSIM_BINARY",
                                                       str(ROOT / "build" / "orgsim")))
    ap.add_argument("--results", default=str(ROOT / "results" / "scenarios_doc"))
    ap.add_argument("--replicates", type=int, default=40)
    ap.add_argument("--reuse", action="store_true", help="read existing results, do not rerun")
    ap.add_argument("--markdown", help="the page to write the blocks into (docs/SCENARIOS.md)")
    args = ap.parse_args(argv)
    names = args.scenarios or list(STORIES)
    unknown = [n for n in names if not (SCENARIOS / f"{n}.json").is_file()]
    if unknown:
        print(f"error: no scenario file for {', '.join(unknown)} in {SCENARIOS}", file=sys.stderr)
        return 2
    page = Path(args.markdown) if args.markdown else None
    if page is not None:
        try:
            check_markers(page.read_text(encoding="utf-8"), names, str(page))
        except (MarkerError, OSError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    version = orgsim_version(args.orgsim)
    blocks = {}
    for name in names:
        out = Path(args.results) / f"{name}.h5"
        if not (args.reuse and out.is_file()):
            run(args.orgsim, SCENARIOS / f"{name}.json", out, replicates=args.replicates)
        blocks[name] = scenario_block(name, outcomes_table(out), args.replicates, version)
        print(f"## {name}\n\n{blocks[name]}")
    if page is not None:
        text = page.read_text(encoding="utf-8")
        for name, block in blocks.items():
            text = replace_block(text, name, block, str(page))
        tmp = page.with_name(page.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
