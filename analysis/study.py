"""When organizing wins: the study of scenarios/sweeps/when_organizing_wins.json.

The sweep is a Latin hypercube over the workplace, the employer and the campaign on the default
workplace, both strategies (relationship_first, big_messaging) on the same workplaces. Every run
lasts the sweep's `steps` (five years); the **horizon** (how long the campaign has before it is
judged) is one more input, read off the per-step series: a run's first T weeks do not depend on
how long it lasts (nothing in the engine looks at the run's length before its last step), so the
outcomes at horizon T are the five-year run's outcomes cut at T. Each design point gets its
horizon from one more Latin hypercube column (integer weeks in [--horizon-min, steps], stratified
like the sweep's own columns, seeded by the sweep's seed), shared by its replicates and arms.

This module runs the sweep (or reads its results), cuts every run at its horizon, runs PRIM
(analysis.prim) for each condition of CONDITIONS over the nine inputs, checks that the first box
found on half the design points holds on the other half (and the other way round), draws the
peeling trajectories and the boxes over pairwise scatter plots (analysis.figures), writes the
generated section of docs/WHEN_ORGANIZING_WINS.md, and leaves the paired condition at the full
horizon in the results file's /discovery (what `orgsim discover` would write), so that `orgsim
report` on the file shows it.

Run (Debian's interpreter; about ten minutes on two cores, most of it the sweep):
    /usr/bin/python3 -m analysis.study [--orgsim build/orgsim] [--threads 2]
        [--out results/when-organizing-wins.h5] [--reuse]
        [--markdown docs/WHEN_ORGANIZING_WINS.md] [--images docs/images]
A small version (for tests): --samples 40 --replicates 2 (writes a copy of the sweep file next to
the output with those numbers).
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "analysis"  # noqa: A001

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from . import discover, load, prim  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SWEEP = ROOT / "scenarios" / "sweeps" / "when_organizing_wins.json"
DOC = ROOT / "docs" / "WHEN_ORGANIZING_WINS.md"
IMAGES = ROOT / "docs" / "images"
BEGIN, END = "<!-- generated:begin -->", "<!-- generated:end -->"

HORIZON = "horizon"
HORIZON_MIN = 52
RF, BM = "relationship_first", "big_messaging"
# The conditions, in the order they are reported. `where` uses the syntax of `orgsim discover`
# on the outcomes cut at each workplace's horizon. The paired ones treat a workplace (design
# point, replicate) as a point; standing_wins_end alone treats every run as a point.
CONDITIONS = [
    {"key": "organizing_ahead", "title": "Relationship-first ahead",
     "where": f"win_weeks[{RF}] > win_weeks[{BM}]", "figures": True},
    {"key": "mobilizing_ahead", "title": "Big messaging ahead",
     "where": f"win_weeks[{BM}] > win_weeks[{RF}]", "figures": True},
    {"key": "any_standing", "title": "Any win standing at the horizon (either strategy)",
     "where": "standing_wins_end > 0", "figures": False},
    {"key": "organizing_standing", "title": "Relationship-first holds a win at the horizon",
     "where": f"standing_wins_end[{RF}] > 0", "figures": False},
    {"key": "mobilizing_standing", "title": "Big messaging holds a win at the horizon",
     "where": f"standing_wins_end[{BM}] > 0", "figures": False},
]
# The paired condition left in the results file at the full horizon (what `orgsim discover`
# gives on the file itself; `orgsim report` draws it).
FILE_CONDITION = CONDITIONS[0]["where"]
# Units of the inputs, for the boxes in words.
UNITS = {"environment.turnover": "per week", "campaign.hours_per_step": "h per week",
         "wins.hazard": "per week", "wins.background_hazard": "per week", HORIZON: "weeks"}


# ---- the sweep ----------------------------------------------------------------------------------

def sweep_file(sweep, samples=None, replicates=None, workdir=None):
    """The sweep file to run: `sweep` itself, or a copy with fewer samples or replicates (the
    scenario path made absolute) written into `workdir`."""
    sweep = Path(sweep)
    if samples is None and replicates is None:
        return sweep
    spec = json.loads(sweep.read_text())
    if samples is not None:
        spec["design"]["samples"] = int(samples)
    if replicates is not None:
        spec["replicates"] = int(replicates)
    sc = spec["scenario"]
    if isinstance(sc, str):
        spec["scenario"] = str((sweep.parent / sc).resolve())
    elif isinstance(sc, dict) and isinstance(sc.get("extends"), str) and sc["extends"] not in (
            "classic",) and not os.path.isabs(sc["extends"]):
        sc["extends"] = str((sweep.parent / sc["extends"]).resolve())
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / f"{sweep.stem}.s{samples}r{replicates}.json"
    out.write_text(json.dumps(spec, indent=1))
    return out


def run_sweep(orgsim, sweep, out, threads=None, log=None):
    """Runs `orgsim sweep` into `out` (a fresh file: an old one and its parts are removed) and
    returns the wall time in seconds. The sweep's own lines on stderr (what it runs, then
    "runs done/total ... ETA" every 10 s) go through to `log` (default: this process's stderr)
    as they come, so a long study is not silent."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        out.unlink()
    parts = Path(str(out) + ".parts")
    if parts.is_dir():
        for p in parts.iterdir():
            p.unlink()
        parts.rmdir()
    cmd = [str(orgsim), "sweep", str(sweep), "-o", str(out)]
    if threads:
        cmd += ["--threads", str(threads)]
    if log is None:
        def log(line):
            print(line, end="", file=sys.stderr, flush=True)
    start = time.monotonic()
    # stdout (the closing `results:` lines) is not the study's; stderr is read line by line as
    # it comes (to a pipe the sweep writes whole lines)
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    err = []
    for line in proc.stderr:
        err.append(line)
        log(line)
    proc.stderr.close()
    code = proc.wait()
    seconds = time.monotonic() - start
    if code != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed (exit {code}):\n{''.join(err)}")
    return seconds


# ---- outcomes at each workplace's horizon --------------------------------------------------------

def lhs_unit(n, seed):
    """One Latin hypercube column on [0, 1): one value uniform inside each of the n strata of
    width 1/n, in a random order (numpy's PCG64 seeded with `seed`)."""
    rng = np.random.default_rng(seed)
    return (rng.permutation(n) + rng.uniform(size=n)) / n


def lhs_column(n, lo, hi, seed):
    """lhs_unit as integers in [lo, hi] (whole weeks): floor(lo + u (hi - lo + 1))."""
    u = lhs_unit(n, seed)
    return np.clip(np.floor(lo + u * (hi - lo + 1)), lo, hi).astype(int)


def horizon_table(path, horizon_min=HORIZON_MIN, seed=None):
    """(runs, inputs, steps): one row per run with the varied parameters, its `horizon` (weeks)
    and its outcomes cut at that horizon -- win_weeks (sum of standing wins over the first
    horizon weeks), wins and reversals up to it, standing_wins_end (wins standing in its last
    week) and organized_base_end (the organized base then); `inputs` is the varied parameters
    plus `horizon`. Checks that the cut at the full horizon gives the file's own outcomes."""
    ds = load.open_results(path)
    runs = load.runs_table(ds)
    varied = load.varied_params(ds)
    step_values, _ = load.steps(ds)
    T = len(step_values)
    points = np.asarray(runs["point"], dtype=int)
    n_points = int(points.max()) + 1
    if seed is None:
        sweep = load.provenance(path).sweep or {}
        seed = int(sweep.get("seed", 0))
    h_point = lhs_column(n_points, min(horizon_min, T), T, seed)
    h = h_point[points]
    standing = np.asarray(ds["standing_wins"].values, dtype=float)
    won = np.asarray(ds["wins_new"].values, dtype=float)
    base = np.asarray(ds["organized_base"].values, dtype=float)
    week = np.arange(T)[None, :]
    before = week < h[:, None]
    last = h - 1
    rows = np.arange(len(h))
    out = runs.copy()
    # the per-step series add up to the file's per-run outcomes (runs that finished)
    done = np.asarray(runs["status"].astype(str) == "done") if "status" in runs else \
        np.ones(len(h), dtype=bool)
    for name, value in (("win_weeks", standing.sum(axis=1)), ("wins", won.sum(axis=1))):
        ok = np.isclose(value, runs[name].to_numpy(float)) | ~done
        if not ok.all():
            raise AssertionError(f"{path}: the per-step series do not add up to {name} in "
                                 f"{int((~ok).sum())} runs")
    out[HORIZON] = h.astype(float)
    out["win_weeks"] = np.where(before, standing, 0).sum(axis=1)
    out["wins"] = np.where(before, won, 0).sum(axis=1)
    out["standing_wins_end"] = standing[rows, last]
    out["reversals"] = out["wins"] - out["standing_wins_end"]
    out["organized_base_end"] = base[rows, last]
    keep = ["point", "replicate", "arm", "status", "wall_seconds", *varied, HORIZON, "win_weeks",
            "wins", "reversals", "standing_wins_end", "organized_base_end"]
    out = out[[c for c in keep if c in out.columns]]
    out.attrs["arm_names"] = runs.attrs.get("arm_names")
    return out, varied + [HORIZON], T


def evaluate(runs, where, inputs):
    """discover.evaluate on the cut outcomes, with each point's design point alongside:
    (X, y, unit, design point per row)."""
    runs = runs.assign(design_point=runs["point"].astype(float))
    X, y, unit = discover.evaluate(runs, where, inputs + ["design_point"])
    pts = X.pop("design_point").to_numpy(int)
    return X, y, unit, pts


# ---- does a box hold out of sample? -------------------------------------------------------------

def split_check(X, y, pts, seed, **kw):
    """Splits the design points in two random halves (a point's replicates stay together), finds
    box 1 on each half and applies it (open ends: the rule it states) to the other. One row per
    direction: the inputs it cuts, coverage and density on the half it was found on and on the
    other half, and the other half's base density."""
    rng = np.random.default_rng(seed)
    ids = np.unique(pts)
    half = set(rng.permutation(ids)[: len(ids) // 2].tolist())
    in_a = np.array([p in half for p in pts])
    rows = []
    for name, fit, test in (("A -> B", in_a, ~in_a), ("B -> A", ~in_a, in_a)):
        Xf, yf = X[fit].reset_index(drop=True), y[fit]
        Xt, yt = X[test].reset_index(drop=True), y[test]
        if yf.sum() == 0 or yt.sum() == 0:
            continue
        found = prim.find_boxes(Xf, yf, n_boxes=1, **kw)[0]
        for kind, box in (("box 1", found), ("pruned", prim.prune(found, Xf, yf))):
            inside = box.contains(Xt, open_ends=True)
            rows.append({"direction": name, "box": kind, "restricts": ", ".join(box.restricted),
                         "coverage_fit": box.coverage, "density_fit": box.density,
                         "coverage_test": yt[inside].sum() / yt.sum(),
                         "density_test": yt[inside].mean() if inside.any() else math.nan,
                         "base_test": yt.mean(), "n_test": int(inside.sum())})
    return pd.DataFrame(rows)


# ---- figures ------------------------------------------------------------------------------------

def as_discovery(where, unit, boxes, n, k, settings):
    """The boxes as a load.Discovery (what load.discovery reads from a file's /discovery), in
    memory: the figures of analysis.figures draw it."""
    table = pd.DataFrame({c: [getattr(b, c) for b in boxes] for c in (
        "coverage", "density", "mass", "n", "k", "coverage_total", "base_density")},
        index=pd.Index(range(1, len(boxes) + 1), name="box"))
    limits = pd.concat([b.limits.assign(box=i + 1) for i, b in enumerate(boxes)]) \
        .reset_index().set_index(["box", "input"])
    traj = pd.concat([b.trajectory.assign(box=i + 1) for i, b in enumerate(boxes)],
                     ignore_index=True)
    traj["chosen"] = traj["chosen"].astype(bool)
    return load.Discovery(where=where, unit=unit, n=n, k=k, boxes=table, limits=limits,
                          trajectory=traj, settings=settings,
                          levels=boxes[0].levels if boxes else {})


def save_png(fig, path, dpi=80, colors=256):
    """A PNG small enough for the repository: the figure at `dpi`, reduced to an adaptive
    palette of `colors` (Pillow, which matplotlib depends on); a plain PNG without Pillow."""
    import io
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    try:
        from PIL import Image
    except ImportError:
        Path(path).write_bytes(buf.getvalue())
        return
    buf.seek(0)
    with Image.open(buf) as im:
        im.convert("RGB").quantize(colors=colors).save(path, optimize=True)


def draw(disc, X, y, key, images, title):
    """The peeling trajectory and box 1 over pairwise scatter plots, as PNGs in `images`;
    returns their file names."""
    from . import figures
    images = Path(images)
    images.mkdir(parents=True, exist_ok=True)
    names = []
    for suffix, fig in (("trajectory", figures.plot_peeling_trajectory(
            disc, title=f"{title}: PRIM peeling trajectory")),
                        ("box", figures.plot_box_scatter(disc, X, y, box=1, max_inputs=4,
                                                         title=f"{title}: box 1"))):
        name = f"when_organizing_wins_{key}_{suffix}.png"
        save_png(fig, images / name)
        names.append(name)
        import matplotlib.pyplot as plt
        plt.close(fig)
    return names


# ---- the study ----------------------------------------------------------------------------------

class StudyError(ValueError):
    """A results file the study cannot be run on (says why and what to do instead)."""


def check_arms(runs, varied, path):
    """The study compares relationship-first and big messaging as two arms on the same
    workplaces (a paired comparison per design point and replicate). A sweep that varies the
    strategy as a design parameter instead (a swept choice, one arm) has no such pairs: the
    study refuses it, saying to put the strategies in the scenario's arms. Other swept choices
    and switches are inputs like the numbers (PRIM peels their index, the boxes name them).
    `path`: the results file `runs` was read from; the StudyError's message starts with it."""
    arms = [str(a) for a in (runs.attrs.get("arm_names") or runs["arm"].cat.categories)]
    missing = [a for a in (RF, BM) if a not in arms]
    if not missing:
        return
    msg = (f"{path}: the study compares the arms {RF} and {BM} on the same workplaces; this "
           f"file has no arm {' or '.join(missing)} (its arms: {', '.join(arms)})")
    swept = [k for k in varied if isinstance(runs[k].dtype, pd.CategoricalDtype)
             and set(missing) & set(runs[k].cat.categories.astype(str))]
    if swept:
        msg += "; " + _swept_strategy(swept[0])
    raise StudyError(msg)


def _swept_strategy(key):
    return (f"it sweeps {key} as a design parameter, whose levels are not paired workplace by "
            f"workplace as the study's arms are: give the scenario one arm per strategy "
            f"(\"arms\": [{{\"name\": \"{RF}\", \"set\": {{\"campaign.strategy\": "
            f"\"{RF}\"}}}}, ...], as scenarios/default.json does) and remove {key} from the "
            f"design")


def check_sweep(sweep):
    """Refuses, before anything runs, a sweep file that varies campaign.strategy as a design
    parameter (check_arms says why); a file that cannot be read is left to `orgsim sweep`."""
    try:
        params = json.loads(Path(sweep).read_text())["design"]["parameters"]
    except (OSError, ValueError, KeyError, TypeError):
        return
    if isinstance(params, dict) and "campaign.strategy" in params:
        raise StudyError(f"{sweep}: " + _swept_strategy("campaign.strategy"))


def study(path, alpha=0.05, min_mass=0.05, seed=None, images=None, horizon_min=HORIZON_MIN):
    """Every condition of CONDITIONS on the results file `path`: a dict with the plan and, per
    condition, the boxes, the split-half check and the figures drawn. A swept choice or switch
    is an input like a number: PRIM peels its index into its levels (in the sweep file's
    order), the boxes and tables name its levels (Box.levels). StudyError when the file has
    no arms relationship_first and big_messaging (check_arms)."""
    runs, inputs, T = horizon_table(path, horizon_min, seed)
    check_arms(runs, inputs[:-1], path)
    levels = prim.choice_levels(runs, inputs)
    settings = {"alpha": alpha, "min_mass": min_mass}
    seed = 0 if seed is None else seed
    result = {"runs": runs, "inputs": inputs, "steps": T, "conditions": [], "levels": levels}
    for i, c in enumerate(CONDITIONS):
        X, y, unit, pts = evaluate(runs, c["where"], inputs)
        boxes = prim.find_boxes(X, y, n_boxes=2, alpha=alpha, min_mass=min_mass,
                                levels=levels) if y.any() else []
        split = split_check(X, y, pts, seed + 1000 + i, alpha=alpha, min_mass=min_mass,
                            levels=levels)
        entry = {**c, "unit": unit, "n": len(y), "k": int(y.sum()), "boxes": boxes,
                 "pruned": prim.prune(boxes[0], X, y) if boxes else None,
                 "split": split, "images": []}
        if images is not None and c["figures"] and boxes:
            disc = as_discovery(c["where"], unit, boxes, len(y), int(y.sum()), settings)
            entry["images"] = draw(disc, X, y, c["key"], images, c["title"])
        result["conditions"].append(entry)
    return result


def regions(res):
    """Workplaces inside and outside the pruned box 1 of the two paired conditions (the rules
    that matter): per region, how many, the share where each strategy is ahead or they tie, the
    mean win-weeks, wins and organized base at the horizon of each strategy."""
    runs = res["runs"]
    key = ["point", "replicate"]
    rf = runs[runs["arm"].astype(str) == RF].set_index(key)
    bm = runs[runs["arm"].astype(str) == BM].set_index(key)
    both = rf[res["inputs"]].join(rf[["win_weeks", "wins", "organized_base_end"]].add_prefix(
        "rf_")).join(bm[["win_weeks", "wins", "organized_base_end"]].add_prefix("bm_"),
                     how="inner")
    by_key = {c["key"]: c for c in res["conditions"]}
    org = by_key["organizing_ahead"]["pruned"]
    mob = by_key["mobilizing_ahead"]["pruned"]
    in_org = org.contains(both, open_ends=True) if org is not None else np.zeros(len(both), bool)
    in_mob = mob.contains(both, open_ends=True) if mob is not None else np.zeros(len(both), bool)
    rows = []
    for name, m in (("all workplaces", np.ones(len(both), dtype=bool)),
                    ("relationship-first's box", in_org),
                    ("big messaging's box", in_mob),
                    ("in both boxes", in_org & in_mob),
                    ("relationship-first's box only", in_org & ~in_mob),
                    ("big messaging's box only", in_mob & ~in_org),
                    ("in neither box", ~in_org & ~in_mob)):
        x = both[m]
        if not len(x):
            continue
        rows.append({"region": name, "workplaces": len(x),
                     "rf_ahead": float((x["rf_win_weeks"] > x["bm_win_weeks"]).mean()),
                     "bm_ahead": float((x["bm_win_weeks"] > x["rf_win_weeks"]).mean()),
                     "tied": float((x["rf_win_weeks"] == x["bm_win_weeks"]).mean()),
                     "rf_win_weeks": x["rf_win_weeks"].mean(),
                     "bm_win_weeks": x["bm_win_weeks"].mean(),
                     "rf_wins": x["rf_wins"].mean(), "bm_wins": x["bm_wins"].mean(),
                     "rf_base": x["rf_organized_base_end"].mean(),
                     "bm_base": x["bm_organized_base_end"].mean()})
    return pd.DataFrame(rows)


def by_horizon(res, edges=(52, 104, 156, 208, 261)):
    """Per band of horizons (years one to five): workplaces, the share where each strategy is
    ahead, and the mean win-weeks of each."""
    runs = res["runs"]
    key = ["point", "replicate"]
    rf = runs[runs["arm"].astype(str) == RF].set_index(key)
    bm = runs[runs["arm"].astype(str) == BM].set_index(key)
    both = rf[[HORIZON, "win_weeks"]].join(bm[["win_weeks"]], rsuffix="_bm", how="inner")
    rows = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        x = both[(both[HORIZON] >= lo) & (both[HORIZON] < hi)]
        if not len(x):
            continue
        rows.append({"weeks": f"{lo}–{hi - 1}", "workplaces": len(x),
                     "rf_ahead": float((x["win_weeks"] > x["win_weeks_bm"]).mean()),
                     "bm_ahead": float((x["win_weeks_bm"] > x["win_weeks"]).mean()),
                     "rf_win_weeks": x["win_weeks"].mean(),
                     "bm_win_weeks": x["win_weeks_bm"].mean()})
    return pd.DataFrame(rows)


def durability_table(path):
    """Per arm: wins, reversals and the Kaplan-Meier median duration of a win (load.durability,
    over every win of the runs, not cut at any horizon)."""
    return load.durability(path).arms.reset_index()


def tied_share(runs):
    """Share of workplaces where the two strategies' win-weeks are equal (both zero, mostly)."""
    rf = runs[runs["arm"].astype(str) == RF].set_index(["point", "replicate"])["win_weeks"]
    bm = runs[runs["arm"].astype(str) == BM].set_index(["point", "replicate"])["win_weeks"]
    both = rf.to_frame("rf").join(bm.to_frame("bm"), how="inner")
    return float((both["rf"] == both["bm"]).mean()), float(((both["rf"] == 0)
                                                             & (both["bm"] == 0)).mean())


def _fmt(v, digits=3):
    return f"{v:.{digits}g}"


def _box_rows(box):
    lines = []
    lim = box.limits
    for name in lim.index[lim["restricted"]].tolist():
        row = lim.loc[name]
        flag = " (may not matter)" if row["p_value"] > 0.05 else ""
        if name in box.levels:  # a swept choice: the levels kept, of the levels studied
            what = prim.choice_words("", box.kept(name)).strip()
            studied = ", ".join(prim.level_range(box.levels[name], row["min"], row["max"]))
            lines.append(f"| `{name}` | {what} | {studied} | {row['p_value']:.2g}{flag} |")
            continue
        lo_cut, hi_cut = row["lower"] > row["min"], row["upper"] < row["max"]
        what = (f"{_fmt(row['lower'])} – {_fmt(row['upper'])}" if lo_cut and hi_cut else
                f"≥ {_fmt(row['lower'])}" if lo_cut else f"≤ {_fmt(row['upper'])}")
        unit = UNITS.get(name, "")
        lines.append(f"| `{name}` | {what}{' ' + unit if unit else ''} | {_fmt(row['min'])} – "
                     f"{_fmt(row['max'])} | {row['p_value']:.2g}{flag} |")
    return lines


def markdown(res, meta):
    """The generated section of docs/WHEN_ORGANIZING_WINS.md."""
    runs = res["runs"]
    n_points = int(runs["point"].max()) + 1
    reps = int(runs["replicate"].max()) + 1
    lines = [f"<!-- generated by `{meta['command']}`; do not edit by hand -->", "",
             f"Computed with `{meta['version']}` (source commit `{meta['commit']}`), "
             f"{meta['date']}. Sweep: `{meta['sweep']}`, {n_points} design points × 2 arms × "
             f"{reps} replicates = {len(runs)} runs of {res['steps']} weeks"
             + (f" ({runs['wall_seconds'].sum():.0f} s of run time summed over runs"
                if "wall_seconds" in runs else " (")
             + (f"; the sweep took {meta['seconds']:.0f} s on {meta['threads']} threads)"
                if meta.get("seconds") else ")") + ". Horizons drawn in "
             f"[{HORIZON_MIN}, {res['steps']}] weeks. PRIM: alpha = "
             f"{meta['alpha']}, min_mass = {meta['min_mass']}.", ""]
    tied, zero = tied_share(runs)
    lines += [f"On {tied:.0%} of the workplaces the two strategies have the same win-weeks "
              f"({zero:.0%}: neither has a win standing at any week up to the horizon); those "
              f"workplaces count for neither strategy being ahead.", ""]
    dur = meta.get("durability")
    if dur is not None and len(dur):
        parts = [f"{r['arm']}: {r['wins']} wins, median {r['median']:.0f} weeks"
                 for _, r in dur.iterrows()]
        lines += ["How long wins last, over every win of the five-year runs (Kaplan–Meier, the "
                  "file's `/durability`, not cut at the horizon): " + "; ".join(parts) + ".", ""]
    hz = by_horizon(res)
    if len(hz):
        lines += ["By horizon (every workplace of the box, whatever its other inputs):", "",
                  "| horizon (weeks) | workplaces | relationship-first ahead | big messaging "
                  "ahead | mean win-weeks (RF / BM) |", "|---|---|---|---|---|"]
        for _, r in hz.iterrows():
            lines.append(f"| {r['weeks']} | {r['workplaces']} | {r['rf_ahead']:.0%} | "
                         f"{r['bm_ahead']:.0%} | {r['rf_win_weeks']:.0f} / "
                         f"{r['bm_win_weeks']:.0f} |")
        lines.append("")
    reg = regions(res)
    if len(reg):
        lines += ["Inside and outside the two boxes (box 1 of each paired condition, the limits "
                  "that matter; both boxes below), at each workplace's horizon:", "",
                  "| region | workplaces | relationship-first ahead | big messaging ahead | "
                  "tied | mean win-weeks (RF / BM) | mean wins (RF / BM) | organized base "
                  "(RF / BM) |", "|---|---|---|---|---|---|---|---|"]
        for _, r in reg.iterrows():
            lines.append(f"| {r['region']} | {r['workplaces']} | {r['rf_ahead']:.0%} | "
                         f"{r['bm_ahead']:.0%} | {r['tied']:.0%} | {r['rf_win_weeks']:.0f} / "
                         f"{r['bm_win_weeks']:.0f} | {r['rf_wins']:.1f} / {r['bm_wins']:.1f} | "
                         f"{r['rf_base']:.0%} / {r['bm_base']:.0%} |")
        lines.append("")
    for c in res["conditions"]:
        lines += [f"### {c['title']}", "", f"`{c['where']}` (at the horizon): holds for "
                  f"{c['k']} of {c['n']} points ({c['k'] / c['n']:.1%}); a point is a "
                  f"{c['unit']}.", ""]
        for i, box in enumerate(c["boxes"], 1):
            lines += [f"**Box {i}**" + (" (the points of box 1 removed)" if i > 1 else "")
                      + f": coverage {box.coverage:.0%}"
                      + (f" ({box.coverage_total:.0%} of all the points where it holds)"
                         if i > 1 else "")
                      + f", density {box.density:.0%} (base {box.base_density:.0%}), "
                      f"{box.n} points ({box.mass:.0%} of the points PRIM ran on).", ""]
            if box.restricted:
                lines += ["| input | box | range studied | p (dropping this limit) |",
                          "|---|---|---|---|", *_box_rows(box), ""]
            else:
                lines += ["(no input restricted)", ""]
        pr = c["pruned"]
        if pr is not None and pr.restricted != c["boxes"][0].restricted:
            lines += [f"**Box 1, the limits that matter** (limits with p > 0.05 dropped one by "
                      f"one, prim.prune): coverage {pr.coverage:.0%}, density {pr.density:.0%}, "
                      f"{pr.n} points ({pr.mass:.0%}).", ""]
            lines += (["| input | box | range studied | p (dropping this limit) |",
                       "|---|---|---|---|", *_box_rows(pr), ""] if pr.restricted
                      else ["(no limit matters)", ""])
        s = c["split"]
        if len(s):
            lines += ["Split-half check (box 1 found on half the design points, applied to the "
                      "other half with the rule it states):", "",
                      "| found on → applied to | box | inputs cut | coverage, density where "
                      "found | coverage, density on the other half (its base) |",
                      "|---|---|---|---|---|"]
            for _, r in s.iterrows():
                dt = "—" if math.isnan(r["density_test"]) else f"{r['density_test']:.0%}"
                lines.append(f"| {r['direction']} | {r['box']} | {r['restricts'] or '—'} | "
                             f"{r['coverage_fit']:.0%}, {r['density_fit']:.0%} | "
                             f"{r['coverage_test']:.0%}, {dt} ({r['base_test']:.0%}) |")
            lines.append("")
        for name in c["images"]:
            lines += [f"![{c['title']}: {name.rsplit('_', 1)[1][:-4]}](images/{name})", ""]
    if meta.get("file_discovery"):
        lines += ["### At the full horizon, from the file alone", "",
                  f"`orgsim discover {meta['out_name']} --where \"{FILE_CONDITION}\"` (eight "
                  f"inputs, every run at {res['steps']} weeks) prints:", "", "```",
                  meta["file_discovery"], "```", ""]
    return "\n".join(lines)


def write_markdown(path, text):
    """Writes `text` between the generated markers of `path` (the rest is written by hand)."""
    path = Path(path)
    doc = path.read_text()
    if BEGIN not in doc or END not in doc:
        raise ValueError(f"{path}: no {BEGIN} ... {END} markers to write between")
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(f"{head}{BEGIN}\n{text}{END}{tail}")
    tmp.replace(path)


def build_of(path):
    """(version, commit, date) of the engine that wrote the results file, from its provenance."""
    v = load.provenance(path).version
    commit = str(v.get("git_commit", "unknown"))
    if str(v.get("git_dirty", "")).lower() in ("1", "true"):
        commit += " with uncommitted changes"
    return (f"orgsim {v.get('orgsim_version', '?')} ({v.get('build_type', '?')})", commit,
            str(v.get("created_utc", "?")))


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m analysis.study",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--orgsim", default=os.environ.get("ORGSIM_BINARY",
                                                       str(ROOT / "build" / "orgsim")))
    ap.add_argument("--sweep", default=str(SWEEP))
    ap.add_argument("--out", default=str(ROOT / "results" / "when-organizing-wins.h5"))
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--samples", type=int, default=None, help="fewer design points (tests)")
    ap.add_argument("--replicates", type=int, default=None, help="fewer replicates (tests)")
    ap.add_argument("--reuse", action="store_true", help="read an existing --out, do not rerun")
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--min-mass", type=float, default=0.05)
    ap.add_argument("--markdown", help="rewrite the generated section of this page")
    ap.add_argument("--images", help="write the figures (PNG) into this folder")
    args = ap.parse_args(argv)
    out = Path(args.out)
    seconds = None
    try:
        if not (args.reuse and out.exists()):
            check_sweep(args.sweep)
            sweep = sweep_file(args.sweep, args.samples, args.replicates, out.parent)
            print(f"running {sweep} -> {out} ...", file=sys.stderr, flush=True)
            seconds = run_sweep(args.orgsim, sweep, out, args.threads)
            print(f"sweep: {seconds:.0f} s", file=sys.stderr)
        res = study(out, args.alpha, args.min_mass, images=args.images)
    except StudyError as err:
        print(f"analysis.study: error: {err}", file=sys.stderr)
        return 2
    for c in res["conditions"]:
        print(discover.describe(c["where"], c["boxes"], c["n"], c["k"], c["unit"], UNITS))
        if c["pruned"] is not None:
            print("box 1, limits that matter: " + c["pruned"].describe(UNITS).replace(
                "\n", "\n  "))
        for _, r in c["split"].iterrows():
            print(f"  split {r['direction']} ({r['box']}): cuts {r['restricts'] or 'nothing'}; "
                  f"coverage "
                  f"{r['coverage_fit']:.0%} -> {r['coverage_test']:.0%}, density "
                  f"{r['density_fit']:.0%} -> {r['density_test']:.0%} (base "
                  f"{r['base_test']:.0%})")
    # the CLI's discovery at the full horizon, written into the file for `orgsim report`; it
    # replaces an earlier /discovery (one `orgsim discover` wrote into a --reuse'd file), and
    # says so: the page quotes the file's discovery, so the two must agree (docs/PYTHON.md)
    earlier = load.discovery_condition(str(out))
    boxes, X, y, unit = discover.discover(str(out), FILE_CONDITION, args.alpha, args.min_mass)
    d = load.design(str(out))  # the units the CLI prints, so the page shows what it prints
    cli_units = (d.attrs.get("units") or {}) if d is not None else {}
    file_text = discover.describe(FILE_CONDITION, boxes, len(y), int(y.sum()), unit, cli_units)
    print(file_text)
    print(discover.written_note(str(out), FILE_CONDITION, earlier, bool(boxes)))
    if args.markdown:
        cmd = "/usr/bin/python3 -m analysis.study" + (
            f" --threads {args.threads}" if args.threads else "") + (
            " --markdown docs/WHEN_ORGANIZING_WINS.md --images docs/images")
        version, commit, date = build_of(out)
        meta = {"command": cmd, "version": version, "commit": commit, "date": date,
                "sweep": os.path.relpath(args.sweep, ROOT) if Path(args.sweep).is_absolute()
                else args.sweep, "seconds": seconds, "threads": args.threads or os.cpu_count(),
                "alpha": args.alpha, "min_mass": args.min_mass, "out_name": out.name,
                "file_discovery": file_text, "durability": durability_table(out)}
        write_markdown(args.markdown, markdown(res, meta))
        print(f"written: {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
