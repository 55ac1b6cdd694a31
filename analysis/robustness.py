"""How robust is each trainer story? Its key claim, checked over a box of plausible parameters.

A trainer scenario shows one workplace. A story told on it ("relationship-first builds a bigger
base than issue-first") is worth telling only if it holds for workplaces, employers and campaigns
a little different from the one in the file. `scenarios/robustness/claims.json` names, for each
story, its key claim and a sweep (`scenarios/robustness/<story>.json`: a Latin hypercube over a
documented box around the scenario). This module runs the sweep (or reads its results), checks the
claim at every design point and reports the share of the box where it holds.

A claim is either
- paired: ``{"outcome": o, "greater": a, "than": b}`` -- per design point, the mean over
  replicates of o(a) - o(b), replicate by replicate on the same workplace (common random numbers).
  It *holds* at a point when that mean is above 0, *clearly* when it is above two standard errors;
  it is *reversed* when the mean is below minus two standard errors, *tied* when the arms gave the
  same value in every replicate (typically: neither won anything);
- a bound: ``{"arm": a, "outcome": o, "per": p, "at_most": v}`` (or ``at_least``) -- per point,
  sum of o over replicates / sum of p (or the mean of o without ``per``) compared with v.

A swept choice or switch (a grid or points design listing e.g. `"actions.policy": ["readiness",
"hot"]`) is a parameter of the box like a number, handled by level: the summary gives the share
of points where the claim holds at each level (`by_level`), and "where it fails" names the level
most over-represented among the failing points. A paired claim compares two *arms*: a strategy
swept as a design parameter is refused, with what to do instead (`_per_point`).

Run (Debian's interpreter):
    /usr/bin/python3 -m analysis.robustness [--orgsim build/orgsim] [--results results/robustness]
        [--reuse] [--markdown docs/ROBUSTNESS.md] [story ...]
"""

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path

from typing import NamedTuple, Optional

import numpy as np
import pandas as pd

from analysis import load

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = ROOT / "scenarios" / "robustness" / "claims.json"


class ClaimError(ValueError):
    """A claims file or claim that cannot be evaluated (names the file and the JSON path)."""


def read_claims(path=CLAIMS):
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise ClaimError(f"{path}: cannot read the claims: {e}") from e
    claims = data.get("claims") if isinstance(data, dict) else None
    if not isinstance(claims, dict) or not claims:
        raise ClaimError(f"{path}: /claims: expected an object of story -> claim, found "
                         f"{type(claims).__name__}")
    for story, c in claims.items():
        where = f"{path}: /claims/{story}"
        if not isinstance(c, dict):
            raise ClaimError(f"{where}: expected an object, found {type(c).__name__}")
        for key in ("sweep", "outcome", "says"):
            if not isinstance(c.get(key), str):
                raise ClaimError(f"{where}/{key}: expected a string, found {c.get(key)!r}")
        paired = "greater" in c or "than" in c
        bound = "arm" in c
        if paired == bound:
            raise ClaimError(f"{where}: expected either greater/than (a paired claim) or arm with "
                             f"at_most/at_least (a bound), found keys {sorted(c)}")
        if paired and not (isinstance(c.get("greater"), str) and isinstance(c.get("than"), str)):
            raise ClaimError(f"{where}: a paired claim needs arm names in greater and than")
        if bound and sum(k in c for k in ("at_most", "at_least")) != 1:
            raise ClaimError(f"{where}: a bound needs exactly one of at_most, at_least")
    return claims


def _per_point(runs, claim):
    """Per design point: the claim's statistic, its standard error and the verdict.

    A claim names arms: two runs compared are the same workplace (replicate) under two arms. An
    arm name that is a level of a swept choice (the strategy as a design parameter) is refused
    rather than compared across design points, which are not paired that way."""
    rows = []
    arms = set(runs["arm"].astype(str))
    needed = [claim["greater"], claim["than"]] if "greater" in claim else [claim["arm"]]
    for a in needed:
        if a not in arms:
            swept = [c for c in runs.columns if isinstance(runs[c].dtype, pd.CategoricalDtype)
                     and c not in ("arm", "status") and a in set(runs[c].cat.categories)]
            hint = (f"; {a!r} is a level of {swept[0]}, swept as a design parameter: a claim "
                    f"compares arms on the same workplaces, so give the sweep's scenario one arm "
                    f"per {swept[0]} (\"arms\": [{{\"name\": \"{a}\", \"set\": "
                    f"{{\"{swept[0]}\": \"{a}\"}}}}, ...]) and remove {swept[0]} from the "
                    f"design") if swept else ""
            raise ClaimError(f"claim names arm {a!r}, the sweep has {sorted(arms)}{hint}")
    for col in [claim["outcome"]] + ([claim["per"]] if "per" in claim else []):
        if col not in runs.columns:
            raise ClaimError(f"claim names outcome {col!r}, not in the sweep's results")
    for point, g in runs.groupby("point", sort=True):
        if "status" in g.columns:
            g = g[g["status"].astype(str) == "done"]
        if "greater" in claim:
            a = g[g["arm"].astype(str) == claim["greater"]].set_index("replicate")[claim["outcome"]]
            b = g[g["arm"].astype(str) == claim["than"]].set_index("replicate")[claim["outcome"]]
            d = (a - b).dropna()
            n = len(d)
            mean = float(d.mean()) if n else math.nan
            se = float(d.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
            holds = mean > 0
            clearly = n > 1 and mean > 2 * se if se > 0 else mean > 0
            reversed_ = n > 1 and (mean < -2 * se if se > 0 else mean < 0)
            tied = n > 0 and bool((d == 0).all())
        else:
            r = g[g["arm"].astype(str) == claim["arm"]]
            if "per" in claim:
                den = float(r[claim["per"]].sum())
                mean = float(r[claim["outcome"]].sum()) / den if den > 0 else math.nan
            else:
                mean = float(r[claim["outcome"]].mean())
            se = math.nan
            tied = False
            if math.isnan(mean):
                holds = clearly = reversed_ = False
            elif "at_most" in claim:
                holds = clearly = mean <= claim["at_most"]
                reversed_ = not holds
            else:
                holds = clearly = mean >= claim["at_least"]
                reversed_ = not holds
        rows.append({"point": point, "statistic": mean, "se": se, "holds": bool(holds),
                     "clearly": bool(clearly), "reversed": bool(reversed_),
                     "tied": bool(tied)})
    return pd.DataFrame(rows).set_index("point")


def evaluate(results_path, claim):
    """The claim checked at every design point of a sweep's results file, and a summary."""
    runs = load.runs_table(results_path)
    points = _per_point(runs, claim)
    params = load.varied_params(load.open_results(results_path))
    design = runs.groupby("point")[params].first()
    for p in params:  # a swept choice keeps its levels (and their order) per point
        if isinstance(runs[p].dtype, pd.CategoricalDtype):
            design[p] = pd.Categorical(design[p].astype(object), dtype=runs[p].dtype)
    points = points.join(design)
    n = len(points)
    summary = {
        "points": n,
        "holds": float(points["holds"].mean()) if n else math.nan,
        "clearly": float(points["clearly"].mean()) if n else math.nan,
        "reversed": float(points["reversed"].mean()) if n else math.nan,
        "tied": float(points["tied"].mean()) if n else math.nan,
        "params": params,
        "reversing": _reversing(points, params),
        "by_level": by_level(points, params),
    }
    return points, summary


def _is_choice(column):
    return isinstance(column.dtype, pd.CategoricalDtype)


def by_level(points, params):
    """Per swept choice or switch among `params`: one row per level (in the levels' order) with
    the design points at that level and the shares where the claim holds, clearly holds, is
    reversed and shows no difference. The shares over the whole box mix the levels in the
    proportions the design gives them; this is the claim at each level."""
    out = {}
    for p in params:
        if not _is_choice(points[p]):
            continue
        g = points.groupby(p, observed=False)
        table = g[["holds", "clearly", "reversed", "tied"]].mean()
        table.insert(0, "points", g.size())
        out[p] = table
    return out


class Reversing(NamedTuple):
    """The parameter that most separates the failing points from the holding ones. A number:
    `shift` is the difference of its means (fail - ok) over its range in the box, `fail` and
    `ok` the two means. A choice: `level` is the level most over-represented where the claim
    fails, `fail` and `ok` its share of the failing and of the holding points, `shift` their
    difference."""
    param: str
    shift: float
    fail: float
    ok: float
    level: Optional[str] = None


def _reversing(points, params):
    """Which parameter most separates the points where the claim fails from those where it holds:
    the difference of its mean (scaled to the box's range) between the two groups.

    A swept choice has no mean (its index is only the order the sweep file lists the levels in):
    it is taken level by level, each level's indicator (0/1, range 1) scaled like a number, i.e.
    the difference of that level's share between the failing and the holding points; the level
    with the largest such difference stands for the choice. For a switch or a two-level choice
    this is the number's shift of its index; with more levels it does not depend on their order."""
    fail = points[~points["holds"]]
    ok = points[points["holds"]]
    if len(fail) == 0 or len(ok) == 0:
        return None
    best = None
    for p in params:
        if _is_choice(points[p]):
            for level in points[p].cat.categories:
                share_fail = float((fail[p] == level).mean())
                share_ok = float((ok[p] == level).mean())
                shift = share_fail - share_ok
                if shift > 0 and (best is None or abs(shift) > abs(best.shift)):
                    best = Reversing(p, shift, share_fail, share_ok, str(level))
            continue
        lo, hi = float(points[p].min()), float(points[p].max())
        if hi <= lo:
            continue
        shift = (float(fail[p].mean()) - float(ok[p].mean())) / (hi - lo)
        if best is None or abs(shift) > abs(best.shift):
            best = Reversing(p, shift, float(fail[p].mean()), float(ok[p].mean()))
    return best


def _fails_words(rev, table=False):
    """Where the claim fails, in words: the sentence's, or (`table`) the markdown table's
    shorter cell, names in backticks. The one wording of both."""
    q = "`" if table else ""
    name = f"{q}{rev.param}{q}" + ("" if table else " is")
    if rev.level is not None:
        shares = (f"{rev.fail:.0%} vs {rev.ok:.0%}" if table else
                  f"{rev.fail:.0%} of the points where it fails, {rev.ok:.0%} where it holds")
        return f"{name} more often {q}{rev.level}{q} ({shares})"
    means = ("" if table else "mean ") + f"{rev.fail:.3g} vs {rev.ok:.3g}"
    return f"{name} {'higher' if rev.shift > 0 else 'lower'} ({means})"


def _by_level_words(summary):
    """The table's cell for the swept choices: the share of points where the claim holds at
    each level ("`p`: `a` 100%, `b` 0%"); "—" when the sweep varies no choice."""
    parts = [f"`{p}`: " + ", ".join(f"`{level}` {100 * h:.0f}%"
                                    for level, h in table["holds"].items())
             for p, table in (summary.get("by_level") or {}).items()]
    return "; ".join(parts) or "—"


def run_sweep(orgsim, sweep_file, out):
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [str(orgsim), "sweep", str(sweep_file), "-o", str(out), "-q", "--force"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")


def sentence(story, claim, summary):
    pct = lambda x: f"{100 * x:.0f}%"  # noqa: E731
    s = (f"{story}: \"{claim['says']}\" holds in {pct(summary['holds'])} of the box "
         f"({pct(summary['clearly'])} clearly, reversed in {pct(summary['reversed'])}, "
         f"no difference at all in {pct(summary['tied'])}; "
         f"{summary['points']} points)")
    rev = summary["reversing"]
    if rev is not None and summary["holds"] < 1:
        s += f"; where it fails, {_fails_words(rev)}"
    for p, table in (summary.get("by_level") or {}).items():
        s += f"; by {p}: " + ", ".join(f"{pct(r.holds)} with {level} ({r.points} points)"
                                       for level, r in zip(table.index, table.itertuples()))
    return s + "."


def markdown(results, version=""):
    lines = [
        "<!-- generated by `/usr/bin/python3 -m analysis.robustness --markdown docs/ROBUSTNESS.md`;"
        " do not edit by hand -->",
        "",
    ]
    if version:
        lines += [f"Computed with `{version}`.", ""]
    # a column "holds by level" only when some story sweeps a choice
    by_level = any(summary.get("by_level") for _, _, summary in results)
    lines += [
        "| story | key claim | holds | clearly | reversed | no difference | where it fails |"
        + (" holds by level |" if by_level else ""),
        "|---|---|---|---|---|---|---|" + ("---|" if by_level else ""),
    ]
    for story, claim, summary in results:
        rev = summary["reversing"]
        fails = _fails_words(rev, table=True) if rev is not None and summary["holds"] < 1 else "—"
        lines.append(f"| `{story}` | {claim['says']} | {100 * summary['holds']:.0f}% | "
                     f"{100 * summary['clearly']:.0f}% | {100 * summary['reversed']:.0f}% | "
                     f"{100 * summary['tied']:.0f}% | {fails} |"
                     + (f" {_by_level_words(summary)} |" if by_level else ""))
    return "\n".join(lines) + "\n"


BEGIN, END = "<!-- generated:begin -->", "<!-- generated:end -->"


def write_markdown(path, table):
    """Writes the table between the BEGIN and END markers of `path` (the rest of the page is
    written by hand), or the whole file when it has no markers."""
    text = path.read_text() if path.exists() else ""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = f"{head}{BEGIN}\n{table}{END}{tail}"
    else:
        text = table
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m analysis.robustness", description=__doc__.split(
        "\n\n")[0])
    ap.add_argument("stories", nargs="*", help="stories to check (default: all in the claims file)")
    ap.add_argument("--claims", default=str(CLAIMS))
    ap.add_argument("--orgsim", default=os.environ.get("ORGSIM_BINARY", str(ROOT / "build" / "orgsim")))
    ap.add_argument("--results", default=str(ROOT / "results" / "robustness"))
    ap.add_argument("--reuse", action="store_true", help="read existing results, do not rerun")
    ap.add_argument("--markdown", help="write the summary table (markdown) here")
    args = ap.parse_args(argv)
    try:
        claims = read_claims(args.claims)
    except ClaimError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    stories = args.stories or list(claims)
    unknown = [s for s in stories if s not in claims]
    if unknown:
        print(f"error: {args.claims}: no claim for {unknown}; known: {sorted(claims)}",
              file=sys.stderr)
        return 2
    results = []
    for k, story in enumerate(stories, 1):
        claim = claims[story]
        sweep_file = Path(args.claims).parent / claim["sweep"]
        out = Path(args.results) / f"{story}.h5"
        if not (args.reuse and out.exists()):
            print(f"[{k}/{len(stories)}] sweeping {sweep_file} ...", file=sys.stderr, flush=True)
            run_sweep(args.orgsim, sweep_file, out)
        try:
            _, summary = evaluate(out, claim)
        except ClaimError as e:
            print(f"error: {args.claims}: /claims/{story}: {e}", file=sys.stderr)
            return 2
        print(sentence(story, claim, summary), flush=True)
        results.append((story, claim, summary))
    if args.markdown:
        version = subprocess.run([str(args.orgsim), "--version"], capture_output=True,
                                 text=True).stdout.strip()
        write_markdown(Path(args.markdown), markdown(results, version))
    return 0


if __name__ == "__main__":
    sys.exit(main())
