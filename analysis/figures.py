"""Figures from orgsim results: readable on a projector and in print, colour-blind-safe.

Every function returns a `matplotlib.figure.Figure` (made without pyplot, so it works headless
and leaves no global state) and, given `save="out/name"`, writes `out/name.png` and
`out/name.svg` (`save_figure`). An arm's colour follows its organizing strategy
(`campaign.strategy`), the same in every file and on the trainer's page (analysis/arm_colors.json;
`arm_colors`); a second arm of one strategy (or one whose strategy is unknown) takes a spare
colour, and a sweep that varies the strategy colours its arms by position. Each arm also has its
own line style and marker, by position, so the figures survive grey-scale printing.

Run figures (input: a results file path, or what `analysis.load` returns):

- `plot_run(ds)`                 per-step panels, one line per arm with replicate bands
- `plot_durability(dur)`         Kaplan-Meier survival of wins per arm, bands, censoring ticks
- `plot_paired_differences(runs)` forest plot: each arm minus the first arm, paired by replicate

Sweep figures (input: a tidy per-run DataFrame, one row per run, as `load.runs_table` returns;
the parameter columns are the varied keys, e.g. "environment.turnover"; an optional `arm`
column gives one series or panel per arm; `frame.attrs["units"]` {column: unit} labels axes):

- `plot_heatmap(df, x, y, outcome)`         mean outcome over a grid of two parameters
- `plot_outcome_vs_param(df, param, outcome)` outcome against one parameter, per arm, bands
                                             (a swept choice: one group per level, by name)
- `plot_sensitivity(indices)`               Sobol S1/ST or Morris mu*/sigma bars with intervals

A choice or switch varied by a sweep (`campaign.strategy`: an ordered Categorical of level names
in the runs table) is drawn by level: a categorical axis in the levels' order, labelled by name.
"""

import json
import math
import os
import textwrap

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from . import load, stats

# ---- style -------------------------------------------------------------------------------------

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
# deficiency. Yellow is last: it is faint on white.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9",
    "bluish_green": "#009E73", "yellow": "#F0E442", "blue": "#0072B2",
    "vermillion": "#D55E00", "reddish_purple": "#CC79A7",
}
# The arms' colours: one file shared with the trainer's page (web/assemble.py inlines it). An arm's
# colour is its strategy's ("strategy"); a second arm of one strategy takes a spare colour, and a
# sweep that varies the strategy colours by position ("position", the Okabe-Ito colours above,
# yellow last): `colors_for_strategies`.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "arm_colors.json"),
          encoding="utf-8") as _palette:
    ARM_PALETTE = json.load(_palette)
STRATEGY_COLORS = dict(ARM_PALETTE["strategy"])
ARM_COLORS = list(ARM_PALETTE["position"])
ARM_LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3)), (0, (8, 2)),
                  (0, (3, 1, 1, 1))]
ARM_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
SEQUENTIAL_CMAP = "cividis"  # perceptually uniform and colour-blind safe

STYLE = {
    "font.size": 15,
    "axes.titlesize": 17,
    "axes.titleweight": "bold",
    "axes.labelsize": 15,
    "xtick.labelsize": 13,
    "ytick.labelsize": 13,
    "legend.fontsize": 14,
    "legend.title_fontsize": 14,
    "figure.titlesize": 20,
    "figure.titleweight": "bold",
    "lines.linewidth": 2.6,
    "lines.markersize": 7,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
    "svg.fonttype": "none",  # SVG text stays text: editable, searchable, small
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
}

# Short titles for the variables the figures show most, in the figures' own words; others take
# the output dictionary's short label (long_name).
TITLES = {
    "trust_mean": "Trust between coworkers",
    "turnout": "Turnout at actions",
    "new_participants": "New participants",
    "power": "Power of actions",
    "cohesion": "Cohesion of actions",
    "rung_supporter": "Supporters",
    "rung_member": "Members",
    "rung_leader": "Top rung (most committed)",
    "organized_base": "Organized base",
    "standing_wins": "Standing wins",
    "strong_tie_share": "Strong ties",
    "staff_trust_mean": "Trust in staff organizers",
    "organizers_worker": "Worker-organizers",
    "final_turnout": "Turnout at the last action",
    "peak_turnout": "Peak turnout",
    "actions": "Actions called",
    "rounds_total": "Participation rounds",
    "wins": "Wins",
    "reversals": "Wins reversed",
    "win_weeks": "Win-weeks",
    "organized_base_end": "Organized base at the end",
    "organizers_end": "Worker-organizers at the end",
    "backfires_total": "Backfired issue pushes",
}

# Arm names of the built-in strategies, as a trainer would say them.
_ARM_WORDS = {
    "relationship_first": "relationship-first",
    "issue_first": "issue-first",
    "big_messaging": "big messaging",
    "organizing_only": "organizing only",
}

DEFAULT_RUN_PANELS = ("trust_mean", "turnout", "rung_supporter", "rung_member", "rung_leader",
                      "standing_wins")
DEFAULT_OUTCOMES = ("organized_base_end", "final_turnout", "peak_turnout", "actions", "wins",
                    "reversals", "win_weeks", "organizers_end", "backfires_total")
# Per-step variables that only exist on steps with an action (NaN elsewhere): drawn as markers.
EVENT_VARIABLES = {"turnout", "new_participants", "rounds", "power", "cohesion"}


def arm_label(name):
    """How an arm is named in figures and the report ("big_messaging" -> "big messaging")."""
    name = str(name)
    if name in _ARM_WORDS:
        return _ARM_WORDS[name]
    out = name.replace("_", " ")
    return out.replace("pct", "%") if any(c.isdigit() for c in out) else out


def arm_style(index, colors=None):
    """Colour, line style and marker of the arm with this code. `colors`: every arm's colour in
    code order (`arm_colors`: by strategy, or by position); by position when not given. The
    line style and marker always follow the position."""
    i = int(index)
    color = colors[i] if colors is not None and i < len(colors) else \
        ARM_COLORS[i % len(ARM_COLORS)]
    return {"color": color,
            "linestyle": ARM_LINESTYLES[i % len(ARM_LINESTYLES)],
            "marker": ARM_MARKERS[i % len(ARM_MARKERS)]}


def is_share(name, attrs):
    """A dimensionless share (0-1) that figures show in percent: the output dictionary calls it
    a share in its label (long_name) or its explanation (description)."""
    words = f"{attrs.get('long_name', '')} {attrs.get('description', '')}"
    return str(attrs.get("units", "")) == "1" and ("share" in words or "turnout" in name)


def column_attrs(df, name):
    """A runs-table column's attributes from the file (`load.runs_table` keeps them per column
    in `df.attrs`): units, unit_words, long_name (the short label) and description."""
    return {key: ((df.attrs.get(key) or {}).get(name, "") or "")
            for key in ("units", "unit_words", "long_name", "description")}


def display_units(name, attrs, difference=False, step_units="week"):
    """The unit shown on an axis: '%' for shares (percentage points for differences),
    '0-1' for other dimensionless levels, what a count counts ("agents": the file's unit_words
    beside units="count"), else the file's units. Files written before units were UDUNITS
    strings said the word in units ("agents", "win-steps")."""
    units = str(attrs.get("units", ""))
    words = str(attrs.get("unit_words", "") or "")
    if is_share(name, attrs):
        return "percentage points" if difference else "%"
    if units == "1":
        return "0–1 scale" if not difference else "difference on the 0–1 scale"
    if words:
        return words
    if units == "win-steps":
        return f"win-{step_units}s"
    if units == "count":
        return "number"
    return units


def scale_factor(name, attrs):
    return 100.0 if is_share(name, attrs) else 1.0


def title_of(name, attrs=None):
    if name in TITLES:
        return TITLES[name]
    long_name = str((attrs or {}).get("long_name", "")).strip()
    if long_name and len(long_name) <= 40:
        return long_name[0].upper() + long_name[1:]
    return name.replace("_", " ").replace(".", " ").capitalize()


def axis_label(name, attrs, difference=False, step_units="week"):
    unit = display_units(name, attrs, difference, step_units)
    title = title_of(name, attrs)
    return f"{title} ({unit})" if unit else title


def _time_axis(step_values, step_units, time_unit="auto"):
    """x values and label for the step axis: weeks, or years for runs of two years or more."""
    x = np.asarray(step_values, dtype=float)
    unit = str(step_units or "step")
    if unit.startswith("week"):
        span = (x.max() - x.min() + 1) if x.size else 0
        if time_unit == "year" or (time_unit == "auto" and span >= 104):
            return x / 52.0, "Time (years)"
        return x, "Time (weeks)"
    return x, f"Time ({unit}s)"


def save_figure(fig, path, formats=("png", "svg"), dpi=200):
    """Write `fig` as <path>.png and <path>.svg (a .png/.svg/.pdf suffix on `path` is dropped).
    Returns the paths written."""
    path = os.fspath(path)
    stem, ext = os.path.splitext(path)
    if ext.lower() not in (".png", ".svg", ".pdf"):
        stem = path
    directory = os.path.dirname(stem)
    if directory:
        os.makedirs(directory, exist_ok=True)
    written = []
    with rc_context(STYLE):
        for fmt in formats:
            out = f"{stem}.{fmt}"
            fig.savefig(out, format=fmt, dpi=dpi, bbox_inches="tight")
            written.append(out)
    return written


def _new_figure(figsize):
    return Figure(figsize=figsize, layout="constrained")


def _as_dataset(source):
    if isinstance(source, (str, os.PathLike)):
        return load.open_results(source)
    return source


def _as_runs(source):
    if isinstance(source, pd.DataFrame):
        return source
    return load.runs_table(source)


class ColumnError(ValueError):
    """A figure was asked for a column its table does not have."""


def _need_columns(df, **columns):
    """Checks that `df` has each named column ({argument: column}); a missing one is a
    ColumnError naming the argument, the column, a close match and the columns there are."""
    import difflib
    have = [str(c) for c in df.columns]
    for arg, col in columns.items():
        if col is None or col in df.columns:
            continue
        close = difflib.get_close_matches(str(col), have, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'? " if close else ""
        source = df.attrs.get("source_path")
        raise ColumnError(f"{arg}: expected a column of the runs table"
                          f"{' of ' + str(source) if source else ''}, found '{col}' ({hint}"
                          f"the columns: {', '.join(have)})")


def _frame(fig, handles=None, labels=None, ncol=1, legend_title=None, title=None,
           note=None):
    """Title, legend (one row above the panels) and a note (below them), with room reserved
    in the constrained layout (matplotlib 3.6 has no 'outside' legend placement)."""
    height = fig.get_figheight()
    top = 0.08  # inches of margin
    if title:
        fig.text(0.5, 1 - top / height, title, ha="center", va="top",
                 fontsize=STYLE["figure.titlesize"], fontweight="bold")
        top += 0.5
    if handles:
        rows = math.ceil(len(handles) / ncol) + (1 if legend_title else 0)
        fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 1 - top / height),
                   ncol=ncol, frameon=False, title=legend_title, borderaxespad=0.1)
        top += 0.31 * rows + 0.15
    bottom = 0.0
    if note:
        # Wrapped to the figure's width (about 10.5 characters an inch at 12 pt), so that a long
        # note does not widen the saved picture beyond its panels.
        lines = textwrap.wrap(note, max(40, int(fig.get_figwidth() * 10.5)))
        fig.text(0.01, 0.06 / height, "\n".join(lines), ha="left", va="bottom", fontsize=12,
                 color="#444444")
        bottom = 0.4 + 0.2 * (len(lines) - 1)
    # The constrained layout's rect is (left, bottom, width, height), not (left, bottom, right,
    # top): with a note below, a top edge given as a height would rise by the note's room and
    # put the panels' titles under the legend.
    low, high = bottom / height, 1 - top / height - 0.02
    fig.get_layout_engine().set(rect=(0, low, 1, high - low))


def _finish(fig, save):
    if save:
        save_figure(fig, save)
    return fig


# ---- run figures --------------------------------------------------------------------------------

def _done_mask(ds):
    if "status" in ds.coords:
        return np.asarray(ds["status"].values).astype(str) == "done"
    return np.ones(ds.sizes["run"], dtype=bool)


def plot_run(ds, variables=DEFAULT_RUN_PANELS, stat="mean", band=(0.1, 0.9), time_unit="auto",
             ncols=2, title=None, colors=None, save=None):
    """Per-step panels, one line per arm with a band over the arm's replicates.

    `ds`: a path or `load.open_results(...)`. `variables`: per-step outputs, one panel each
    (missing ones are skipped). Lines: the `stat` ("mean" or "median") over the arm's done runs
    at each step; bands: the `band` quantiles (10-90% by default) over those runs. Variables
    that only exist on steps with an action (turnout, power, ...) are drawn as markers, one per
    action of every run (as lines when actions run on most steps, e.g. continuous actions). Shares are shown in percent; the x axis in weeks, or in years for runs
    of two years or more (`time_unit` "week" / "year" forces one). `colors`: the arms' colours
    in code order (default `arm_colors`: by strategy, from the file's provenance)."""
    ds = _as_dataset(ds)
    names = load.arm_names(ds)
    codes = load.arm_codes(ds)
    colors = arm_colors(ds, names) if colors is None else colors
    done = _done_mask(ds)
    step_values, step_units = load.steps(ds)
    x, xlabel = _time_axis(step_values, step_units, time_unit)
    panels = [v for v in variables if v in ds.data_vars]
    if not panels:
        raise ValueError(f"none of {list(variables)} is in the results")
    ncols = max(1, min(ncols, len(panels)))
    nrows = math.ceil(len(panels) / ncols)
    with rc_context(STYLE):
        fig = _new_figure((6.6 * ncols, 3.9 * nrows + 1.3))
        axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
        n_reps = []
        any_event = False
        for k, var in enumerate(panels):
            ax = axes.flat[k]
            attrs = dict(ds[var].attrs)
            factor = scale_factor(var, attrs)
            values = np.asarray(ds[var].values, dtype=float) * factor
            event = var in EVENT_VARIABLES and np.isfinite(values[done]).mean() < 0.5
            any_event = any_event or event
            n_here = _draw_series(ax, x, values, codes, done, names, event, stat, band, colors)
            if k == 0:
                n_reps.extend(n_here)
            if var == "standing_wins" and _all_zero(values[done]):
                _empty_panel(ax, "no wins in any run")
            ax.set_title(title_of(var, attrs), loc="left")
            if ax.get_gid() != "empty":
                ax.set_ylabel(display_units(var, attrs, step_units=step_units) or var)
                ax.set_ylim(bottom=min(0.0, ax.get_ylim()[0]))
            _time_panel_axis(ax, k, len(panels), ncols, nrows, x, xlabel)
        for ax in axes.flat[len(panels):]:
            ax.set_visible(False)
        handles = _arm_handles(colors)
        reps = max(n_reps) if n_reps else 0
        what = "median" if stat == "median" else "mean"
        note = _lines_note(what, reps, band, any_event)
        _frame(fig, handles, [arm_label(a) for a in names], ncol=min(len(names), 4),
               title=title, note=note)
    return _finish(fig, save)


def _time_panel_axis(ax, k, n_panels, ncols, nrows, x, xlabel):
    """The time axis of panel `k` of a grid of `n_panels` (`ncols` wide, `nrows` high, sharing
    x): labelled on the bottom panel of each column, spanning the data's steps."""
    if k // ncols == nrows - 1 or k + ncols >= n_panels:
        ax.set_xlabel(xlabel)
        ax.tick_params(labelbottom=True)
    if x.size > 1:
        ax.set_xlim(x.min(), x.max())


def _arm_handles(colors):
    """One legend handle per arm code, in each arm's colour (`colors`, code order) and line
    style."""
    styles = [arm_style(c, colors) for c in range(len(colors))]
    return [Line2D([], [], color=st["color"], linestyle=st["linestyle"], marker=st["marker"],
                   markersize=8, linewidth=3) for st in styles]


def _lines_note(what, reps, band, any_event):
    """What lines, bands and markers are, in plain words."""
    if reps > 1 and band:
        note = (f"Lines: the {what} of {reps} simulated workplaces per arm (the same {reps} "
                f"under each arm); shaded: where the middle "
                f"{int(round((band[1] - band[0]) * 100))}% of them were.")
    else:
        note = "One simulated workplace per arm."
    if any_event:
        note += " Markers: one per action" + (" in every workplace." if reps > 1 else ".")
    return note


TRAINER_PANELS = ("backfires", "cohesion", "power", "fear_mean")


def arm_values(prov, names, key):
    """Each arm's resolved value of parameter `key`, from the file's provenance
    (Provenance.arm_value: a run file's arm parameters; a sweep's arm overrides, else its
    base); None where unknown."""
    if prov is None:
        return [None] * len(names)
    return [prov.arm_value(i, key) for i, _ in enumerate(names)]


def arm_strategies(prov, names):
    """Each arm's organizing strategy (`campaign.strategy`, resolved: the arm's own, else the
    scenario's or the sweep's base), from the file's provenance; None where unknown, and for
    every arm of a sweep that varies `campaign.strategy` (there it is each run's, not the
    arm's)."""
    if prov is None:
        return [None] * len(names)
    varied = ((prov.sweep or {}).get("design") or {}).get("parameters") or {}
    if "campaign.strategy" in varied:
        return [None] * len(names)
    return [v if isinstance(v, str) else None
            for v in arm_values(prov, names, "campaign.strategy")]


def colors_for_strategies(strategies):
    """The arms' colours (code order) from their strategies (analysis/arm_colors.json, the
    trainer's page's rule too): the first arm of each strategy takes that strategy's colour,
    the same in every file; a further arm of the same strategy, or an arm whose strategy is not
    known, takes a spare colour: first those no strategy has (sky blue, then yellow), then those
    of the strategies no arm of this file has, in the position order. When no arm's strategy is
    known (a sweep that varies it), every arm its position's. No two arms share a colour (up to
    eight arms)."""
    strategies = list(strategies)
    known = [isinstance(s, str) and s in STRATEGY_COLORS for s in strategies]
    if not any(known):
        return [ARM_COLORS[i % len(ARM_COLORS)] for i in range(len(strategies))]
    out = [None] * len(strategies)
    for i, s in enumerate(strategies):
        if known[i] and STRATEGY_COLORS[s] not in out:
            out[i] = STRATEGY_COLORS[s]
    present = {STRATEGY_COLORS[s] for s, k in zip(strategies, known) if k}
    free = [c for c in ARM_COLORS if c not in STRATEGY_COLORS.values()]
    free += [c for c in ARM_COLORS if c in STRATEGY_COLORS.values() and c not in present]
    spare = iter(free)
    for i in range(len(out)):
        if out[i] is None:
            out[i] = next(spare, ARM_COLORS[i % len(ARM_COLORS)])
    return out


def _provenance_of(source):
    """The provenance behind a figure's input (a path, a dataset from `load.open_results`, a
    runs table, a `load.Durability`, a `load.Provenance`), or None where it cannot be read (a
    table made by hand)."""
    if source is None or isinstance(source, load.Provenance):
        return source
    if isinstance(source, load.Durability):
        source = source.source_file
        if source is None:
            return None
    try:
        return load.provenance(load._source(source))
    except (TypeError, OSError, KeyError, ValueError):
        return None


def arm_colors(source, names=None):
    """The arms' colours: each arm's (of `names`, in that order) as the file's arms get them
    from their strategies (`colors_for_strategies`, decided over all the file's arms, so a
    figure of some arms colours them as one of all). `source`: a results file path, a dataset,
    runs table or `load.Durability` read from one, or a `load.Provenance`; `names`: arm names
    (default: the file's, in code order). By position where the provenance cannot be read or
    does not know an arm of `names`."""
    prov = _provenance_of(source)
    file_names = [a["name"] for a in prov.arms] if prov is not None else []
    names = file_names if names is None else [str(n) for n in names]
    if prov is None or not set(names) <= set(file_names):
        return colors_for_strategies([None] * len(names))
    colors = colors_for_strategies(arm_strategies(prov, file_names))
    return [colors[file_names.index(n)] for n in names]


def resistance_by_arm(prov, names):
    """Each arm's employer resistance (`employer.resistance`, the employer's line: an action's
    chance of winning rises with its power around it, docs/MODEL.md), from the resolved
    parameters in the file's provenance; NaN where unknown."""
    return [float(v) if isinstance(v, (int, float)) else math.nan
            for v in arm_values(prov, names, "employer.resistance")]


def win_width_by_arm(prov, names):
    """Each arm's `actions.win_width`, the width of the band around the employer's line where
    winning is partly luck (0: an action wins exactly when its power reaches the line); NaN
    where unknown."""
    return [float(v) if isinstance(v, (int, float)) else math.nan
            for v in arm_values(prov, names, "actions.win_width")]


def line_words(win_width):
    """What the employer's line means, for the arms' `actions.win_width` values: with any
    width > 0 (or unknown) a win is drawn, likelier the further above the line; with 0 the line
    decides."""
    widths = [w for w in win_width if np.isfinite(w)] if win_width is not None else []
    if widths and all(w == 0 for w in widths):
        return "above it, an action wins"
    return "the further above it, the likelier a win"


HANDOUT_PANELS = ("organized_base", "standing_wins", "power", "backfires")
# The share of the power panel's height the data may take: the line's label (two lines of
# text) sits in the rest, so it never covers a marker.
LABEL_HEADROOM = 0.66


def plot_trainer_panels(ds, resistance=None, panels=TRAINER_PANELS, time_unit="auto",
                        title=None, size=(6.6, 3.9), colors=None, save=None, win_width=None):
    """The four panels docs/SCENARIOS.md asks the trainer to show, one line or marker set per
    arm: backfired issue pushes (running total per run), cohesion at each action (mean trust
    among the people who took part), power at each action against the employer's resistance
    line (the further above it, the likelier a win; with actions.win_width = 0 an action above
    it wins), and fear over time. The line's label sits at the top of the panel, in headroom
    kept free of data.

    `ds`: a path or `load.open_results(...)`. `resistance`, `win_width`: per-arm employer
    resistance and actions.win_width (lists in arm order); read from the file's provenance when
    omitted. A panel with nothing to show
    says so in words ("no backfires", "no actions") instead of drawing an empty axis.
    `panels` picks and orders them (also "organized_base" and "standing_wins": the handout's
    key panels, HANDOUT_PANELS); `size` is one panel's width and height in inches; `colors`
    the arms' colours in code order (default `arm_colors`: by strategy)."""
    ds = _as_dataset(ds)
    names = load.arm_names(ds)
    codes = load.arm_codes(ds)
    done = _done_mask(ds)
    prov = (_provenance_of(ds) if resistance is None or colors is None or win_width is None
            else None)
    if resistance is None:
        resistance = resistance_by_arm(prov, names)
    if win_width is None:
        win_width = win_width_by_arm(prov, names)
    if colors is None:
        colors = arm_colors(prov, names)
    step_values, step_units = load.steps(ds)
    x, xlabel = _time_axis(step_values, step_units, time_unit)
    wanted = list(panels)
    panels = [v for v in wanted if v in ds.data_vars]
    if not panels:
        raise ValueError(f"none of {wanted} is in the results")
    ncols = 2
    nrows = math.ceil(len(panels) / ncols)
    titles = {"backfires": "Backfired issue pushes (running total)",
              "cohesion": "Cohesion at actions",
              "power": "Power against the employer's line",
              "fear_mean": "Fear",
              "organized_base": "Organized base",
              "standing_wins": "Wins standing"}
    units = {"organized_base": "% of the workplace", "standing_wins": "wins",
             "backfires": "conversations", "cohesion": "trust among those who acted (0–1)",
             "power": "power (0–1)", "fear_mean": "mean fear (0–1)"}
    with rc_context(STYLE):
        fig = _new_figure((size[0] * ncols, size[1] * nrows + 1.3))
        axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
        reps = 0
        any_event = False
        for k, var in enumerate(panels):
            ax = axes.flat[k]
            values = np.asarray(ds[var].values, dtype=float)
            if var == "backfires":
                values = np.cumsum(np.nan_to_num(values), axis=1)
            if var == "organized_base":
                values = values * 100.0
            event = var in EVENT_VARIABLES
            any_event = any_event or (event and np.isfinite(values[done]).any())
            reps = max([reps] + _draw_series(ax, x, values, codes, done, names, event,
                                             colors=colors))
            ax.set_title(titles[var], loc="left")
            if var == "backfires" and _all_zero(values[done]):
                _empty_panel(ax, "no backfires in any run")
            elif var == "standing_wins" and _all_zero(values[done]):
                _empty_panel(ax, "no wins in any run")
            elif event and not np.isfinite(values[done]).any():
                _empty_panel(ax, "no actions in any run")
            else:
                ax.set_ylabel(units[var])
                ax.set_ylim(bottom=0)
                if var in ("cohesion", "power", "fear_mean"):
                    ax.set_ylim(0, max(1.0 if var != "power" else 0.0,
                                       ax.get_ylim()[1]))
            if var == "power":
                finite = [r for r in resistance if np.isfinite(r)]
                if ax.get_gid() == "empty" or not finite:
                    pass
                else:
                    one = len(set(finite)) == 1
                    for code, r in enumerate(resistance):
                        if np.isfinite(r) and (not one or r == finite[0]):
                            ax.axhline(r, color="#222222" if one else
                                       arm_style(code, colors)["color"], linewidth=2,
                                       linestyle=(0, (6, 3)), zorder=2, gid="resistance")
                            if one:
                                break
                    # The label goes in the top of the panel, above every marker and the
                    # line: the data are kept to the lower ~2/3 of the height.
                    top = max([float(max(finite))] + [float(v) for v in
                                                      values[done][np.isfinite(values[done])]])
                    ax.set_ylim(0, max(ax.get_ylim()[1], top / LABEL_HEADROOM))
                    which = (f"the employer's line ({finite[0]:g})" if one
                             else "each arm's employer line")
                    ax.text(0.01, 0.98, f"dashed: {which}\n{line_words(win_width)}",
                            transform=ax.transAxes, va="top", ha="left", fontsize=12,
                            color="#222222", zorder=4, gid="resistance-label")
            _time_panel_axis(ax, k, len(panels), ncols, nrows, x, xlabel)
        for ax in axes.flat[len(panels):]:
            ax.set_visible(False)
        handles = _arm_handles(colors)
        _frame(fig, handles, [arm_label(a) for a in names], ncol=min(len(names), 4),
               title=title, note=_lines_note("mean", reps, (0.1, 0.9), any_event))
    return _finish(fig, save)


def _all_zero(values):
    """True when every finite value is 0 (or there is none): a panel with nothing to show."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return v.size == 0 or not np.any(v != 0)


def _empty_panel(ax, text):
    """A panel that says in words that there is nothing to draw ("no wins"), instead of an
    axis around zero (matplotlib draws a flat 0 on a -0.04..0.04 scale)."""
    for artist in list(ax.lines) + list(ax.collections):
        artist.remove()
    ax.set_ylim(0, 1)
    ax.set_yticks([])
    ax.grid(False)
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=17,
            color="#444444", gid="empty-text")
    ax.set_gid("empty")


def _draw_series(ax, x, values, codes, done, names, event, stat="mean", band=(0.1, 0.9),
                 colors=None):
    """One line (mean or median over the arm's done runs, with a quantile band) or, for
    variables that exist only at actions (`event`), one marker per action of every run, per
    arm. Returns the number of runs drawn per arm."""
    counts = []
    for code, arm in enumerate(names):
        rows = values[(codes == code) & done]
        counts.append(rows.shape[0])
        st = arm_style(code, colors)
        label = arm_label(arm)
        if rows.shape[0] == 0:
            continue
        if event:
            r, c = np.nonzero(np.isfinite(rows))
            ax.scatter(x[c], rows[r, c], s=30, color=st["color"], marker=st["marker"],
                       alpha=0.45 if rows.shape[0] > 1 else 0.9, linewidths=0,
                       label=label, zorder=3)
            continue
        with np.errstate(all="ignore"), _quiet():
            centre = (np.nanmedian(rows, axis=0) if stat == "median"
                      else np.nanmean(rows, axis=0))
            if rows.shape[0] > 1 and band:
                lo, hi = np.nanquantile(rows, band, axis=0)
                ax.fill_between(x, lo, hi, color=st["color"], alpha=0.18, linewidth=0,
                                label="_nolegend_")
        ax.plot(x, centre, color=st["color"], linestyle=st["linestyle"], label=label, zorder=3)
    return counts


class _quiet:
    """Silence numpy's all-NaN slice warnings (steps where every run is NaN)."""

    def __enter__(self):
        import warnings
        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", category=RuntimeWarning)

    def __exit__(self, *exc):
        return self._w.__exit__(*exc)


def plot_durability(dur, time_unit="week", horizon=None, title=None, colors=None, save=None):
    """Kaplan-Meier curves of how long wins stood, one per arm with wins.

    `dur`: a `load.Durability`, or a path / dataset (then `load.durability` is called). Step
    curves start at 100% at the win, drop at each reversal, and end at the arm's longest
    observed win; shaded: the 95% interval (Greenwood, log-log); ticks: wins still standing at
    the end of their run (censored). Arms without wins are listed in the legend only.
    `colors`: the arms' colours in code order (default `arm_colors`: by strategy)."""
    if not isinstance(dur, load.Durability):
        dur = load.durability(load._source(dur))
    names = list(dur.arms.index.astype(str))
    colors = arm_colors(dur, names) if colors is None else colors
    per_year = time_unit == "year"
    div = 52.0 if per_year else 1.0
    unit_word = "years" if per_year else f"{dur.units}s"
    with rc_context(STYLE):
        fig = _new_figure((11, 6.6 + 0.31 * (len(names) + 1)))
        ax = fig.subplots()
        handles, labels = [], []
        ax.axhline(50, color="#777777", linewidth=1.2, linestyle=(0, (4, 3)), zorder=1)
        for code, arm in enumerate(names):
            st = arm_style(code, colors)
            info = dur.arms.loc[arm]
            n_wins, n_rev = int(info["wins"]), int(info["reversals"])
            if n_wins == 0:
                handles.append(Line2D([], [], color=st["color"], linestyle="none",
                                      marker=st["marker"], markersize=9, alpha=0.6))
                labels.append(f"{arm_label(arm)}: no wins")
                continue
            curve = dur.curve(arm)
            end = float(info["follow_up"]) if np.isfinite(info["follow_up"]) else 0.0
            if curve.shape[0]:
                end = max(end, float(curve["time"].max()))
            t = np.concatenate([[0.0], curve["time"].to_numpy(float), [end]]) / div
            s = np.concatenate([[1.0], curve["survival"].to_numpy(float),
                                [curve["survival"].iloc[-1] if len(curve) else 1.0]]) * 100
            lo = np.concatenate([[1.0], curve["lower"].to_numpy(float),
                                 [curve["lower"].iloc[-1] if len(curve) else 1.0]]) * 100
            hi = np.concatenate([[1.0], curve["upper"].to_numpy(float),
                                 [curve["upper"].iloc[-1] if len(curve) else 1.0]]) * 100
            ax.fill_between(t, lo, hi, step="post", color=st["color"], alpha=0.18,
                            linewidth=0, label="_nolegend_")
            (line,) = ax.step(t, s, where="post", color=st["color"],
                              linestyle=st["linestyle"], zorder=3)
            line.set_gid("km")
            cens = dur.censored[dur.censored["arm"] == arm]
            if len(cens):
                ct = cens["time"].to_numpy(float)
                cs = np.array([stats.survival_at(curve, v)[0] for v in ct]) * 100
                (ticks,) = ax.plot(ct / div, cs, linestyle="none", marker="|", markersize=14,
                                   markeredgewidth=2.2, color=st["color"], zorder=4,
                                   label="_nolegend_")
                ticks.set_gid("censored")
            median = info["median"]
            med = (f"median {median / div:.3g} {unit_word}" if np.isfinite(median)
                   else "median not reached")
            handles.append(line)
            labels.append(f"{arm_label(arm)}: {n_wins} wins, {n_rev} reversed, {med}")
        handles.append(Line2D([], [], color="#333333", linestyle="none", marker="|",
                              markersize=14, markeredgewidth=2.2))
        labels.append("still standing at the end of the run")
        ax.set_ylim(-2, 103)
        ax.set_xlim(left=0, right=horizon / div if horizon else None)
        ax.set_xlabel(f"Time since the win ({unit_word})")
        ax.set_ylabel("Wins still standing (%)")
        _frame(fig, handles, labels, ncol=1,
               title=title or "How long wins lasted (Kaplan–Meier, 95% band)")
    return _finish(fig, save)


def _default_outcomes(runs):
    present = [o for o in DEFAULT_OUTCOMES if o in runs.columns]
    if present:
        return present
    skip = {"arm", "arm_code", "replicate", "point", "seed", "status", "wall_seconds"}
    return [c for c in runs.columns if c not in skip and "." not in c
            and pd.api.types.is_numeric_dtype(runs[c])]


def _fmt(value, digits=3):
    if not np.isfinite(value):
        return "–"
    if value == 0:
        return "0"
    mag = abs(value)
    if mag >= 100:
        return f"{value:.0f}"
    return f"{value:.{digits}g}"


def _decimals(half):
    """Decimals that show an interval of half-width `half` to about two significant digits."""
    if not np.isfinite(half) or half <= 0:
        return None
    return int(min(3, max(0, 1 - math.floor(math.log10(half)))))


def format_estimate(mean, lower, upper, signed=False, unit=""):
    """'+10.8 [5.0, 16.7]': an estimate with its interval, rounded to the interval's precision."""
    if not np.isfinite(mean):
        return "–"
    half = (upper - lower) / 2 if np.isfinite(lower) and np.isfinite(upper) else math.nan
    sign = "+" if signed and mean > 0 else ""
    if half == 0:  # every replicate (pair) gave the same value
        return f"{sign}{mean:.4g}{unit} (all equal)".replace("-", "−")
    d = _decimals(half)
    if d is None:
        d = 0 if abs(mean) >= 100 else (1 if abs(mean) >= 1 or mean == 0 else 3)
    text = f"{sign}{mean:.{d}f}{unit}"
    if np.isfinite(half):
        text += f" [{lower:.{d}f}, {upper:.{d}f}]"
    return text.replace("-", "−")


def plot_paired_differences(runs, outcomes=None, reference=None, level=0.95, title=None,
                            skip_unchanged=None, colors=None, save=None):
    """Forest plot: per outcome, the mean paired difference (arm minus the reference arm, the
    first by default) with its t interval over the replicates.

    `runs`: a runs table (`load.runs_table`), a path or a dataset. One panel per outcome, each on
    its own scale and units (shares in percentage points); one row per other arm. Replicate k
    of every arm shares its population, network and climate, so pairs are formed by
    (point, replicate). `skip_unchanged` (default: when `outcomes` is not given) leaves out
    outcomes with no difference to show (zero in every pair, e.g. wins when nobody won, or no
    pair at all) and names them in a note under the panels. `colors`: the arms' colours in the
    order of `stats.arm_order(runs)` (default `arm_colors`: by strategy)."""
    runs = _as_runs(runs)
    if skip_unchanged is None:
        skip_unchanged = not outcomes
    outcomes = list(outcomes) if outcomes else _default_outcomes(runs)
    _need_columns(runs, **{f"outcomes[{i}]": o for i, o in enumerate(outcomes)})
    names = stats.arm_order(runs)
    colors = arm_colors(runs, names) if colors is None else colors
    reference = reference if reference is not None else names[0]
    diffs = stats.paired_differences(runs, outcomes, reference=reference, level=level)
    others = [a for a in names if a != reference]

    def _nothing(outcome):  # no arm differs in any pair (no wins anywhere), or no pair at all
        rows = diffs[diffs["outcome"] == outcome]
        return bool(((rows["n"] == 0) | ~np.isfinite(rows["mean"]) |
                     ((rows["mean"] == 0) & (rows["half"].fillna(0) == 0))).all())

    dropped = [o for o in outcomes if _nothing(o)] if skip_unchanged else []
    outcomes = [o for o in outcomes if o not in dropped] or outcomes[:1]
    attrs_of = {o: column_attrs(runs, o) for o in outcomes}
    n_pairs = int(diffs["n"].max()) if len(diffs) else 0
    row_h = 0.62 * max(1, len(others)) + 0.55
    with rc_context(STYLE):
        fig = _new_figure((12.5, row_h * len(outcomes) + 1.9))
        axes = fig.subplots(len(outcomes), 1, squeeze=False)[:, 0]
        for ax, outcome in zip(axes, outcomes):
            attrs = attrs_of[outcome]
            factor = scale_factor(outcome, attrs)
            ax.axvline(0, color="#555555", linewidth=1.4, zorder=1)
            texts = []
            for j, arm in enumerate(others):
                row = diffs[(diffs["arm"] == arm) & (diffs["outcome"] == outcome)].iloc[0]
                code = names.index(arm)
                st = arm_style(code, colors)
                y = len(others) - 1 - j
                m = row["mean"] * factor
                if np.isfinite(row["half"]):
                    err = [[m - row["lower"] * factor], [row["upper"] * factor - m]]
                else:
                    err = None
                ax.errorbar([m], [y], xerr=err, fmt=st["marker"], color=st["color"],
                            markersize=10, elinewidth=3, capsize=6, capthick=2.5, zorder=3,
                            label=arm_label(arm))
                texts.append((y, format_estimate(m, row["lower"] * factor,
                                                 row["upper"] * factor, signed=True)))
            lo, hi = ax.get_xlim()
            span = max(abs(lo), abs(hi), 1e-9)
            ax.set_xlim(-span * 1.08, span * 1.08)
            ax.set_ylim(-0.6, len(others) - 0.4)
            ax.set_yticks([])
            ax.grid(axis="y", visible=False)
            ax.spines["left"].set_visible(False)
            unit = display_units(outcome, attrs, difference=True)
            ax.set_ylabel(f"{title_of(outcome, attrs)}\n({unit})" if unit
                          else title_of(outcome, attrs),
                          rotation=0, ha="right", va="center", labelpad=14)
            for y, text in texts:
                ax.annotate(text, xy=(1.0, y), xycoords=("axes fraction", "data"),
                            xytext=(10, 0), textcoords="offset points", ha="left",
                            va="center", fontsize=13)
        if n_pairs > 1:
            axes[-1].set_xlabel(f"Difference from {arm_label(reference)}: the average over the "
                                f"same {n_pairs} workplaces under each arm, with its "
                                f"{int(level * 100)}% confidence interval")
        else:
            axes[-1].set_xlabel(f"Difference from {arm_label(reference)} in the one simulated "
                                f"workplace (one run: no interval)")
        handles = [Line2D([], [], color=arm_style(names.index(a), colors)["color"],
                          linestyle="none", marker=arm_style(names.index(a))["marker"],
                          markersize=10)
                   for a in others]
        note = None
        if dropped:
            note = ("Not shown, the same under every arm in every workplace (or never "
                    "defined for both): " + ", ".join(title_of(o, attrs_of.get(o)) for o in dropped)
                    + ".")
        _frame(fig, handles, [arm_label(a) for a in others], ncol=min(len(others), 4),
               legend_title=f"each arm minus {arm_label(reference)}", title=title, note=note)
    return _finish(fig, save)


# ---- sweep figures ------------------------------------------------------------------------------

def _levels(values, max_levels, bins, force_bins=False):
    """Group a parameter column: its distinct values if few (grid designs), else equal-width
    bins (random, LHS, Sobol designs). Returns (group key per row, sorted centres)."""
    v = np.asarray(values, dtype=float)
    distinct = np.unique(v[np.isfinite(v)])
    if distinct.size <= max_levels and not force_bins or distinct.size <= 1:
        return v, distinct
    edges = np.linspace(distinct.min(), distinct.max(), bins + 1)
    idx = np.clip(np.digitize(v, edges[1:-1]), 0, bins - 1)
    centres = (edges[:-1] + edges[1:]) / 2
    return centres[idx], centres


def is_categorical(values):
    """Whether a parameter column is a choice or switch (names, not numbers): an ordered
    Categorical as `load.runs_table` gives a swept choice, or strings or booleans."""
    dtype = getattr(values, "dtype", None)
    if dtype is None:  # a list: only then is it converted
        dtype = np.asarray(values).dtype
    return isinstance(dtype, pd.CategoricalDtype) or dtype.kind in "OUSb"


def _categories(values):
    """Group a choice or switch column by its levels: (name per row, the level names in order:
    a Categorical's categories, else in order of first appearance), each named by
    load.level_name (booleans are true/false)."""
    col = pd.Series(values)
    name = lambda v: None if pd.isna(v) else load.level_name(v)  # noqa: E731
    if isinstance(col.dtype, pd.CategoricalDtype):
        names = [load.level_name(c) for c in col.cat.categories]
        return col.astype(object).map(name).to_numpy(dtype=object), names
    shown = col.astype(object).map(name)
    return shown.to_numpy(dtype=object), [v for v in pd.unique(shown) if v is not None]


def _unit_of(df, col):
    return (df.attrs.get("units", {}) or {}).get(col, "")


def _param_label(df, col):
    unit = load.unit_in_words(_unit_of(df, col))  # "week-1" -> "per week"
    return f"{col} ({unit})" if unit else col


def _outcome_attrs(df, outcome):
    return column_attrs(df, outcome)


def _hue_colors(df, hue, arms):
    """The colours of the groups `arms` of column `hue`: the arms' `arm_colors` (by strategy)
    when `hue` is the arm; else None (by position)."""
    if hue != "arm" or arms == [None]:
        return None
    return arm_colors(df, arms)


def _arms_of(df, hue):
    if hue and hue in df.columns:
        col = df[hue]
        return list(col.cat.categories) if isinstance(col.dtype, pd.CategoricalDtype) \
            else list(pd.unique(col))
    return [None]


def plot_heatmap(df, x, y, outcome, agg="mean", hue="arm", max_levels=25, bins=10,
                 annotate=None, cmap=SEQUENTIAL_CMAP, title=None, save=None):
    """Heatmap of an outcome over two parameters, one panel per arm, shared colour scale.

    `df`: one row per run (`load.runs_table` of a sweep) with numeric columns `x`, `y` and
    `outcome`, and optionally `hue` ("arm"). Each cell is the `agg` ("mean" or "median") of the
    runs at that (x, y): the replicates of a grid point. Designs that do not fill a grid of at
    most `max_levels` values per parameter (random, LHS, Sobol, Morris) are binned into at most
    `bins` equal-width bins per parameter (fewer for small designs: about two design points
    per cell). A choice or switch (a Categorical, strings or booleans: `is_categorical`) has one
    row or column per level, in the levels' order, labelled by name. Cells are labelled with
    their value when the grid is at most 12 x 12 (or `annotate=True`). `df` may also be a
    results file's path or a dataset (its runs table is used)."""
    df = _as_runs(df)
    _need_columns(df, x=x, y=y, outcome=outcome, hue=hue if hue != "arm" else None)
    attrs = _outcome_attrs(df, outcome)
    factor = scale_factor(outcome, attrs)
    # A grid design fills its grid: every (x, y) pair of distinct values was run. Other designs
    # (random, LHS, Sobol, Morris) are binned, with about two design points per cell or more.
    nx, ny = df[x].nunique(), df[y].nunique()
    combos = len(df[[x, y]].drop_duplicates())
    binned = not (nx <= max_levels and ny <= max_levels and combos >= 0.8 * nx * ny)
    if binned:
        bins = max(2, min(bins, int(math.sqrt(combos / 2))))
    cat_x, cat_y = is_categorical(df[x]), is_categorical(df[y])
    gx, xs = _categories(df[x]) if cat_x else _levels(df[x], max_levels, bins, force_bins=binned)
    gy, ys = _categories(df[y]) if cat_y else _levels(df[y], max_levels, bins, force_bins=binned)
    arms = _arms_of(df, hue)
    grids = []
    for arm in arms:
        mine = np.ones(len(df), bool) if arm is None else (df[hue] == arm).to_numpy()
        frame = pd.DataFrame({"x": gx[mine], "y": gy[mine],
                              "v": df[outcome].to_numpy(float)[mine] * factor})
        table = frame.groupby(["y", "x"])["v"].agg(agg).unstack("x")
        grids.append(table.reindex(index=ys, columns=xs).to_numpy(float))
    finite = np.concatenate([g[np.isfinite(g)] for g in grids]) if grids else np.zeros(0)
    vmin, vmax = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    if annotate is None:
        annotate = len(xs) <= 12 and len(ys) <= 12
    ncols = min(len(arms), 3)
    nrows = math.ceil(len(arms) / ncols)
    with rc_context(STYLE):
        fig = _new_figure((5.8 * ncols + 1.6, 5.2 * nrows + 0.6))
        axes = fig.subplots(nrows, ncols, squeeze=False)
        mesh = None
        for k, (arm, grid) in enumerate(zip(arms, grids)):
            ax = axes.flat[k]
            mesh = ax.pcolormesh(np.arange(len(xs) + 1) - 0.5, np.arange(len(ys) + 1) - 0.5,
                                 grid, cmap=cmap, vmin=vmin, vmax=vmax, shading="flat")
            ax.grid(False)
            digits = 2 if binned else 3
            ax.set_xticks(np.arange(len(xs)), [v if cat_x else _fmt(v, digits) for v in xs],
                          rotation=45 if len(xs) > 6 else 0)
            ax.set_yticks(np.arange(len(ys)), [v if cat_y else _fmt(v, digits) for v in ys])
            _thin_ticks(ax, len(xs), len(ys))
            ax.set_xlabel(_param_label(df, x))
            ax.set_ylabel(_param_label(df, y))
            if arm is not None:
                ax.set_title(arm_label(arm), loc="left")
            if annotate:
                mid = (vmin + vmax) / 2
                for (i, j), v in np.ndenumerate(grid):
                    if np.isfinite(v):
                        ax.text(j, i, _fmt(v, 2), ha="center", va="center", fontsize=11,
                                color="white" if v < mid else "black")
        for ax in axes.flat[len(arms):]:
            ax.set_visible(False)
        cbar = fig.colorbar(mesh, ax=axes, shrink=0.9)
        what = "median" if agg == "median" else "mean"
        cbar.set_label(f"{axis_label(outcome, attrs)}, {what} over runs")
        _frame(fig, title=title)
    return _finish(fig, save)


def _thin_ticks(ax, nx, ny, most=10):
    for n, axis in ((nx, ax.xaxis), (ny, ax.yaxis)):
        if n > most:
            step = math.ceil(n / most)
            for i, label in enumerate(axis.get_ticklabels()):
                label.set_visible(i % step == 0)


def plot_outcome_vs_param(df, param, outcome, hue="arm", stat="mean", band=(0.1, 0.9),
                          level=0.95, max_levels=25, bins=12, points=True, title=None,
                          colors=None, save=None):
    """An outcome against one parameter, one line per arm.

    `df`: one row per run with numeric columns `param` and `outcome` (and optionally `hue`).
    Runs are grouped by the parameter's value (grid designs) or into `bins` equal-width bins
    (more than `max_levels` distinct values). Line: the `stat` of each group; dark band: the
    `level` t interval of the mean; light band: the `band` quantiles of the runs; dots: the runs
    (`points=False` hides them). A choice or switch (`is_categorical`) is drawn by level
    instead: one group per level on a categorical axis, in the levels' order, labelled by name
    (see `_plot_outcome_by_level`). `colors`: one per arm, in the order of the `hue` column's
    categories (default: the arms' `arm_colors`, by strategy, when `hue` is "arm"). `df` may
    also be a results file's path or a dataset (its runs table is used)."""
    df = _as_runs(df)
    _need_columns(df, param=param, outcome=outcome, hue=hue if hue != "arm" else None)
    if is_categorical(df[param]):
        return _plot_outcome_by_level(df, param, outcome, hue, stat, band, level, points,
                                      title, save, colors)
    attrs = _outcome_attrs(df, outcome)
    factor = scale_factor(outcome, attrs)
    gx, centres = _levels(df[param], max_levels, bins)
    raw_x = df[param].to_numpy(float)
    values = df[outcome].to_numpy(float) * factor
    arms = _arms_of(df, hue)
    colors = _hue_colors(df, hue, arms) if colors is None else colors
    with rc_context(STYLE):
        fig = _new_figure((11, 6.8))
        ax = fig.subplots()
        for code, arm in enumerate(arms):
            st = arm_style(code, colors)
            mine = np.ones(len(df), bool) if arm is None else (df[hue] == arm).to_numpy()
            label = arm_label(arm) if arm is not None else title_of(outcome, attrs)
            centre, ci_lo, ci_hi, q_lo, q_hi, xs = [], [], [], [], [], []
            for c in centres:
                v = values[mine & (gx == c)]
                v = v[np.isfinite(v)]
                if v.size == 0:
                    continue
                xs.append(c)
                ci = stats.mean_ci(v, level)
                centre.append(np.median(v) if stat == "median" else ci["mean"])
                ci_lo.append(ci["lower"] if np.isfinite(ci["lower"]) else ci["mean"])
                ci_hi.append(ci["upper"] if np.isfinite(ci["upper"]) else ci["mean"])
                lo, hi = np.quantile(v, band) if band else (np.nan, np.nan)
                q_lo.append(lo)
                q_hi.append(hi)
            if points:
                ax.scatter(raw_x[mine], values[mine], s=14, color=st["color"], alpha=0.25,
                           linewidths=0, label="_nolegend_", zorder=2)
            if band:
                ax.fill_between(xs, q_lo, q_hi, color=st["color"], alpha=0.12, linewidth=0,
                                label="_nolegend_")
            ax.fill_between(xs, ci_lo, ci_hi, color=st["color"], alpha=0.3, linewidth=0,
                            label="_nolegend_")
            ax.plot(xs, centre, color=st["color"], linestyle=st["linestyle"],
                    marker=st["marker"], label=label, zorder=4)
        _outcome_by_param_labels(ax, df, param, outcome, attrs, stat, level, band, title, arms,
                                 ("line", "dark band", "light band"))
    return _finish(fig, save)


def _outcome_by_param_labels(ax, df, param, outcome, attrs, stat, level, band, title, arms,
                             words):
    """Axis labels, title, the note saying what the marks are (`words`: what shows the centre,
    the interval of the mean and the runs' band) and the arms' legend, for the outcome plotted
    against a parameter, whether a number (lines) or a choice (groups)."""
    ax.set_xlabel(_param_label(df, param))
    ax.set_ylabel(axis_label(outcome, attrs))
    what = "median" if stat == "median" else "mean"
    note = f"{words[0]}: {what}; {words[1]}: {int(level * 100)}% CI of the mean"
    if band:
        note += f"; {words[2]}: {int(band[0] * 100)}–{int(band[1] * 100)}% of runs"
    ax.set_title(title or f"{title_of(outcome, attrs)} by {param}", loc="left")
    ax.text(0.0, -0.16, note, transform=ax.transAxes, fontsize=12, color="#444444", va="top")
    if arms != [None]:
        ax.legend(frameon=False)


def _plot_outcome_by_level(df, param, outcome, hue, stat, band, level, points, title, save,
                           colors=None):
    """plot_outcome_vs_param for a choice or switch: one group per level (the levels' order,
    labelled by name), the arms side by side within it. Marker: the `stat` of the level's runs,
    with the `level` t interval of the mean as an error bar; shaded bar: the `band` quantiles
    of the runs; dots: the runs. No line joins the levels: they are names, not a scale."""
    attrs = _outcome_attrs(df, outcome)
    factor = scale_factor(outcome, attrs)
    gx, names = _categories(df[param])
    values = df[outcome].to_numpy(float) * factor
    arms = _arms_of(df, hue)
    colors = _hue_colors(df, hue, arms) if colors is None else colors
    width = 0.8 / len(arms)
    jitter = np.random.default_rng(0).uniform(-0.3, 0.3, len(df)) * width
    with rc_context(STYLE):
        fig = _new_figure((max(8, 2.2 * len(names) + 3), 6.8))
        ax = fig.subplots()
        for code, arm in enumerate(arms):
            st = arm_style(code, colors)
            mine = np.ones(len(df), bool) if arm is None else (df[hue] == arm).to_numpy()
            label = arm_label(arm) if arm is not None else title_of(outcome, attrs)
            offset = (code - (len(arms) - 1) / 2) * width
            xs, centre, err_lo, err_hi = [], [], [], []
            for i, name in enumerate(names):
                at = mine & (gx == name)
                v = values[at]
                keep = np.isfinite(v)
                if not keep.any():
                    continue
                x = i + offset
                if points:
                    ax.scatter(x + jitter[at][keep], v[keep], s=14, color=st["color"],
                               alpha=0.25, linewidths=0, label="_nolegend_", zorder=2)
                v = v[keep]
                if band:
                    lo, hi = np.quantile(v, band)
                    bars = ax.bar(x, hi - lo, bottom=lo, width=0.8 * width, color=st["color"],
                                  alpha=0.12, linewidth=0, label="_nolegend_", zorder=1)
                    for patch in bars:  # keep the usual margins around the data
                        patch.sticky_edges.y[:] = []
                ci = stats.mean_ci(v, level)
                m = np.median(v) if stat == "median" else ci["mean"]
                lo = ci["lower"] if np.isfinite(ci["lower"]) else m
                hi = ci["upper"] if np.isfinite(ci["upper"]) else m
                xs.append(x)
                centre.append(m)
                err_lo.append(max(m - lo, 0.0))
                err_hi.append(max(hi - m, 0.0))
            ax.errorbar(xs, centre, yerr=[err_lo, err_hi], fmt=st["marker"], color=st["color"],
                        markersize=9, elinewidth=3, capsize=6, capthick=2, label=label,
                        zorder=4)
        ax.set_xticks(np.arange(len(names)), names, rotation=20 if len(names) > 4 else 0)
        ax.set_xlim(-0.6, len(names) - 0.4)
        ax.grid(axis="x", visible=False)
        _outcome_by_param_labels(ax, df, param, outcome, attrs, stat, level, band, title, arms,
                                 ("marker", "bar", "shaded"))
    return _finish(fig, save)


SOBOL_COLUMNS = ("S1", "S1_conf", "ST", "ST_conf")
MORRIS_COLUMNS = ("mu_star", "mu_star_conf", "sigma")


def plot_sensitivity(indices, kind=None, outcomes=None, arms=None, title=None, save=None):
    """Bar charts of sensitivity indices with their intervals, one panel per outcome (and arm).

    `indices`: a DataFrame with one row per (outcome, parameter) -- `load.sensitivity(path)`
    gives it for sobol and morris sweeps -- or an xarray Dataset of the /sensitivity group
    (converted with to_dataframe; its `output` dimension is the outcome). Columns: `parameter`,
    optional `outcome` and `arm` (one panel per outcome x arm, arms as columns), and either
      Sobol:  S1, S1_conf, ST, ST_conf  (first-order and total indices; *_conf = half-width of
                                         the 95% interval, as SALib and orgsim report them)
      Morris: mu_star, sigma [, mu_star_conf]  (mean absolute elementary effect, optionally
                                         with the half-width of its 95% interval, and spread)
    `kind` ("sobol" / "morris") is inferred from the columns when omitted; `outcomes` and
    `arms` select panels. Parameters are sorted by ST (Sobol) or mu* (Morris), largest on
    top."""
    df = indices
    if not isinstance(df, pd.DataFrame):
        df = df.to_dataframe().reset_index()
        if "arm" in df.columns and "flag_meanings" in getattr(indices["arm"], "attrs", {}):
            names = str(indices["arm"].attrs["flag_meanings"]).split()
            df["arm"] = pd.Categorical.from_codes(df["arm"].astype(int), names, ordered=True)
    if "output" in df.columns and "outcome" not in df.columns:
        df = df.rename(columns={"output": "outcome"})
    if "parameter" not in df.columns:
        raise ValueError("sensitivity table needs a `parameter` column")
    if kind is None:
        kind = "sobol" if {"S1", "ST"} <= set(df.columns) else \
            "morris" if {"mu_star", "sigma"} <= set(df.columns) else None
    if kind not in ("sobol", "morris"):
        raise ValueError("sensitivity table needs columns S1, ST (Sobol) or mu_star, sigma "
                         "(Morris)")
    if "outcome" not in df.columns:
        df = df.assign(outcome="")
    outcomes = list(outcomes) if outcomes else list(pd.unique(df["outcome"]))
    arm_list = [None]
    if "arm" in df.columns:
        arm_list = list(arms) if arms else _arms_of(df, "arm")
        arm_list = [a for a in arm_list if (df["arm"] == a).any()]
    if kind == "sobol":
        series = [("S1", "S1_conf", "first order S1"), ("ST", "ST_conf", "total ST")]
        xlabel = "Sobol index (share of the outcome's variance)"
        sort_key = "ST"
    else:
        series = [("mu_star", "mu_star_conf", "μ* (mean |effect|)"),
                  ("sigma", None, "σ (spread of effects)")]
        xlabel = "Elementary effect (outcome units per parameter range)"
        sort_key = "mu_star"
    has_conf = any(conf and conf in df.columns for _, conf, _ in series)
    panels = [(o, a) for o in outcomes for a in arm_list]
    # Outcomes whose indices are undefined (NaN: e.g. a design point where every replicate
    # failed, or an outcome that never varies) get no panel, and a note says which.
    cols = [c for c, _, _ in series if c in df.columns]

    def _defined(outcome, arm):
        mine = df["outcome"] == outcome
        if arm is not None:
            mine &= df["arm"] == arm
        return bool(np.isfinite(df.loc[mine, cols].to_numpy(float)).any())

    skipped = [p for p in panels if not _defined(*p)]
    panels = [p for p in panels if p not in skipped]
    note = None
    if skipped:
        names = sorted({title_of(str(o)) if o else "(outcome)" for o, _ in skipped})
        note = ("not shown (indices undefined, NaN): " + ", ".join(names) +
                (" for some arms" if arm_list != [None] else ""))
    if not panels:
        with rc_context(STYLE):
            fig = _new_figure((7.4, 2.0))
            fig.text(0.5, 0.5, note or "no sensitivity indices", ha="center", va="center",
                     wrap=True)
        return _finish(fig, save)
    n_params = int(df["parameter"].nunique())
    ncols = len(arm_list) if arm_list != [None] and len(arm_list) <= 3 else min(len(panels), 2)
    nrows = math.ceil(len(panels) / ncols)
    with rc_context(STYLE):
        fig = _new_figure((7.4 * ncols, (0.55 * n_params + 1.8) * nrows + 1.0))
        axes = fig.subplots(nrows, ncols, squeeze=False)
        for k, (outcome, arm) in enumerate(panels):
            ax = axes.flat[k]
            mine = df["outcome"] == outcome
            if arm is not None:
                mine &= df["arm"] == arm
            rows = df[mine].sort_values(sort_key, ascending=True, na_position="first")
            ypos = np.arange(len(rows))
            height = 0.38
            for j, (col, conf, label) in enumerate(series):
                vals = rows[col].to_numpy(float)
                err = rows[conf].to_numpy(float) if conf and conf in rows.columns else None
                if err is not None and not np.isfinite(err).any():
                    err = None  # matplotlib cannot draw all-NaN whiskers
                ax.barh(ypos + (j - 0.5) * height, vals, height=height * 0.95,
                        color=ARM_COLORS[j], xerr=err, capsize=4,
                        error_kw={"elinewidth": 2, "capthick": 2, "ecolor": "#222222"},
                        label=label, hatch=None if j == 0 else "//", edgecolor="white")
            ax.set_yticks(ypos, rows["parameter"].astype(str))
            ax.grid(axis="y", visible=False)
            ax.axvline(0, color="#555555", linewidth=1)
            if kind == "sobol":
                ax.set_xlim(left=min(0, ax.get_xlim()[0]))
            ax.set_xlabel(xlabel)
            parts = [title_of(str(outcome))] if outcome else []
            if arm is not None:
                parts.append(arm_label(arm))
            ax.set_title(" — ".join(parts), loc="left")
        for ax in axes.flat[len(panels):]:
            ax.set_visible(False)
        handles = [Patch(facecolor=ARM_COLORS[j], hatch=None if j == 0 else "//",
                         edgecolor="white") for j in range(len(series))]
        _frame(fig, handles, [s[2] for s in series], ncol=len(series),
               legend_title=("bars: estimate; whiskers: 95% interval" if has_conf
                             else "bars: estimate"), title=title)
        if note:
            fig.text(0.01, 0.005, note, ha="left", va="bottom", fontsize="small",
                     color="#555555")
    return _finish(fig, save)


# ---- scenario discovery (PRIM boxes, load.discovery) -------------------------------------------

def plot_peeling_trajectory(disc, title=None, save=None):
    """PRIM's peeling trajectory: coverage against density of every box along the peel, one
    panel per box found (`disc`: load.Discovery), coloured by how many inputs the box cuts; the
    chosen (pasted) box ringed."""
    boxes = list(disc.boxes.index)
    with rc_context(STYLE):
        fig = _new_figure((5.6 * max(2, len(boxes)), 5.4))
        axes = fig.subplots(1, max(1, len(boxes)), squeeze=False)[0]
        for ax, b in zip(axes, boxes):
            t = disc.trajectory[disc.trajectory["box"] == b]
            peel = t[t["step"] >= 0]
            sc = ax.scatter(peel["coverage"], peel["density"], c=peel["n_restricted"],
                            cmap=SEQUENTIAL_CMAP, s=30, zorder=2)
            ax.plot(peel["coverage"], peel["density"], color="#999999", lw=1, zorder=1)
            chosen = t[t["chosen"]]
            ax.scatter(chosen["coverage"], chosen["density"], s=160, facecolors="none",
                       edgecolors=OKABE_ITO["vermillion"], linewidths=2.5, zorder=3,
                       label="chosen box")
            ax.set_xlabel("coverage")
            ax.set_ylabel("density")
            ax.set_xlim(-0.02, 1.02)
            ax.set_ylim(-0.02, 1.02)
            ax.set_title(f"box {b}" + (" (after box 1 removed)" if b > 1 else ""))
            ax.grid(alpha=0.3)
            fig.colorbar(sc, ax=ax, label="inputs restricted")
        _frame(fig, title=title or "PRIM peeling trajectory",
               note=f"where {disc.where}. Coverage: share of the points where it holds that are "
                    f"in the box; density: share of the box's points where it holds.")
    return _finish(fig, save)


def _box_spans(row, levels=None):
    """A box's extent along one input, as intervals: a number's limits; for a choice (its axis
    holds the level indices) one band per run of neighbouring levels the box keeps, each level
    drawn as a band around its tick, so that a box keeping {a, c} of a, b, c is two bands."""
    if levels is None:
        return [(row["lower"], row["upper"])]
    if "kept" in row.index:
        kept = [i for i, v in enumerate(levels) if v in load.kept_names(row["kept"], levels)]
    else:  # a limits table without the mask: the run lower..upper
        kept = [levels.index(v) for v in load.level_range(levels, row["lower"], row["upper"])]
    spans = []
    for i in kept:
        if spans and spans[-1][1] == i - 1:
            spans[-1][1] = i
        else:
            spans.append([i, i])
    return [(first - 0.4, last + 0.4) for first, last in spans]


def plot_box_scatter(disc, X, y, box=1, inputs=None, max_inputs=4, title=None, save=None):
    """The points over pairs of the inputs box `box` restricts (X: DataFrame of the inputs,
    y: where the condition holds), with the box drawn on each pair. Inputs default to the
    restricted ones, most significant first (at most `max_inputs`). A swept choice
    (`disc.levels`; X holds its index) has one tick per level, named; a box that keeps levels
    that are not neighbours is drawn as several rectangles, one per run of neighbouring kept
    levels."""
    from matplotlib.patches import Rectangle

    lim = disc.limits.loc[box]
    levels = getattr(disc, "levels", None) or {}
    if inputs is None:
        r = lim[lim["restricted"]].sort_values("p_value")
        inputs = list(r.index[:max_inputs])
        if len(inputs) < 2:
            inputs += [c for c in lim.index if c not in inputs][:2 - len(inputs)]
    inputs = inputs[:max_inputs]
    pairs = [(a, b) for i, a in enumerate(inputs) for b in inputs[i + 1:]] or [(inputs[0],
                                                                               inputs[0])]
    ncol = min(3, len(pairs))
    nrow = math.ceil(len(pairs) / ncol)
    y = np.asarray(y, dtype=bool)
    rng = np.random.default_rng(0)  # jitter only: grid designs stack points
    with rc_context(STYLE):
        fig = _new_figure((max(9.0, 5.0 * ncol), 4.6 * nrow + 1.2))
        axes = fig.subplots(nrow, ncol, squeeze=False).ravel()
        for ax, (a, b) in zip(axes, pairs):
            xa, xb = X[a].to_numpy(float), X[b].to_numpy(float)
            ja = (xa.max() - xa.min() or 1) * 0.012 * rng.standard_normal(len(xa))
            jb = (xb.max() - xb.min() or 1) * 0.012 * rng.standard_normal(len(xb))
            ax.scatter(xa[~y] + ja[~y], xb[~y] + jb[~y], s=12, c=OKABE_ITO["sky_blue"],
                       alpha=0.6, label="does not hold", marker="o")
            ax.scatter(xa[y] + ja[y], xb[y] + jb[y], s=16, c=OKABE_ITO["vermillion"],
                       alpha=0.8, label="holds", marker="^")
            for a0, a1 in _box_spans(lim.loc[a], levels.get(a)):
                for b0, b1 in _box_spans(lim.loc[b], levels.get(b)):
                    ax.add_patch(Rectangle((a0, b0), a1 - a0, b1 - b0, fill=False, lw=2.5,
                                           edgecolor=OKABE_ITO["black"]))
            ax.set_xlabel(a)
            ax.set_ylabel(b)
            for name, axis, lim_of in ((a, ax.xaxis, ax.set_xlim), (b, ax.yaxis, ax.set_ylim)):
                if name in levels:  # a swept choice: one tick per level, by name
                    axis.set_ticks(range(len(levels[name])))
                    axis.set_ticklabels(levels[name])
                    lim_of(-0.5, len(levels[name]) - 0.5)
        for ax in axes[len(pairs):]:
            ax.set_visible(False)
        handles = [Line2D([], [], ls="", marker="^", color=OKABE_ITO["vermillion"]),
                   Line2D([], [], ls="", marker="o", color=OKABE_ITO["sky_blue"]),
                   Patch(fill=False, edgecolor="black", lw=2.5)]
        _frame(fig, handles, ["condition holds", "does not hold", f"box {box}"], ncol=3,
               title=title or f"PRIM box {box}", note=f"where {disc.where}")
    return _finish(fig, save)


# ---- network snapshots --------------------------------------------------------------------------

RUNG_NAMES = ("unengaged", "supporter", "member", "leader")
RUNG_COLORS = ("#c9c9c9", "#9ecae1", "#3182bd", "#08306b")


def network_positions(department, source, target):
    """Fixed node positions for every picture of one workplace: departments are clusters on a
    circle (in department order), and inside a cluster people sit on a sunflower spiral, the
    best connected (most ties in the union of the graphs given) nearest its centre. Ties broken
    by agent index, so the layout is deterministic. `source`/`target`: 1-D arrays of tie ends
    (negative entries skipped). Returns an (N, 2) array."""
    department = np.asarray(department).astype(int)
    n = department.size
    degree = np.zeros(n)
    for s, t in zip(np.asarray(source).ravel(), np.asarray(target).ravel()):
        if s >= 0 and t >= 0:
            degree[s] += 1
            degree[t] += 1
    depts = sorted(set(department.tolist()))
    pos = np.zeros((n, 2))
    golden = math.pi * (3 - math.sqrt(5))
    k = len(depts)
    for d_index, d in enumerate(depts):
        members = [i for i in range(n) if department[i] == d]
        members.sort(key=lambda i: (-degree[i], i))
        if k > 1:
            angle = 2 * math.pi * d_index / k
            centre = np.array([math.cos(angle), math.sin(angle)]) * 1.0
            radius = 0.9 * math.sin(math.pi / k) if k > 2 else 0.45
        else:
            centre, radius = np.zeros(2), 1.0
        m = max(len(members), 1)
        for rank, i in enumerate(members):
            r = radius * math.sqrt((rank + 0.5) / m)
            pos[i] = centre + r * np.array([math.cos(rank * golden), math.sin(rank * golden)])
    return pos


def snapshot_choice(steps):
    """Indices of the start, middle and end snapshots (fewer when the file has fewer)."""
    s = len(steps)
    return sorted({0, (s - 1) // 2, s - 1})


def plot_network_snapshots(agents, networks, replicate=0, save=None):
    """One replicate per arm at the start, middle and end of the run (rows: arms; columns:
    snapshots), every panel with the same positions (network_positions over the union of the
    arms' final ties): people coloured by rung, ties drawn darker and thicker with more trust.
    `agents`, `networks`: what load.agents / load.networks return."""
    from matplotlib.collections import LineCollection

    arm = np.asarray(agents["arm"])
    rep = np.asarray(agents["replicate"])
    steps = np.asarray(agents["snapshot_step"])
    rung = np.asarray(agents["rung"])
    department = np.asarray(agents["department"])
    src, dst = np.asarray(networks["source"]), np.asarray(networks["target"])
    trust = np.asarray(networks["trust"])
    names = list(dict.fromkeys(arm.tolist()))
    runs = []
    for name in names:
        rows = np.flatnonzero((arm == name) & (rep == replicate))
        if rows.size == 0:
            rows = np.flatnonzero(arm == name)
        runs.append(int(rows[0]))
    pos = network_positions(department[runs[0]], src[runs].ravel(), dst[runs].ravel())
    cols = snapshot_choice(steps)
    fig = _new_figure((3.0 * len(cols), 3.0 * len(runs) + 0.5))
    axes = fig.subplots(len(runs), len(cols), squeeze=False)
    n = department.shape[1]
    for r_i, (name, run) in enumerate(zip(names, runs)):
        for c_i, s in enumerate(cols):
            ax = axes[r_i][c_i]
            ok = (src[run] >= 0) & np.isfinite(trust[run, s])
            t = np.clip(trust[run, s][ok], 0, 1)
            segs = np.stack([pos[src[run][ok]], pos[dst[run][ok]]], axis=1)
            colors = np.zeros((t.size, 4))
            colors[:, 3] = 0.05 + 0.6 * t
            ax.add_collection(LineCollection(segs, colors=colors, linewidths=0.2 + 1.2 * t))
            codes = np.clip(rung[run, s, :n], 0, 3)
            ax.scatter(pos[:, 0], pos[:, 1], s=max(4.0, 400.0 / math.sqrt(n)),
                       c=[RUNG_COLORS[c] for c in codes], edgecolors="#555555",
                       linewidths=0.3, zorder=2)
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.autoscale_view()
            if r_i == 0:
                ax.set_title(f"week {int(steps[s]) + 1}", fontsize=9)
            if c_i == 0:
                ax.set_ylabel(arm_label(name), fontsize=9)
    handles = [Line2D([], [], marker="o", linestyle="", markerfacecolor=c,
                      markeredgecolor="#555555", label=l)
               for c, l in zip(RUNG_COLORS, RUNG_NAMES)]
    handles.append(Line2D([], [], color="black", alpha=0.6, label="tie (darker: more trust)"))
    _frame(fig, handles, [h.get_label() for h in handles], ncol=3)
    return _finish(fig, save)
