"""Scenario discovery with PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999,
"Bump hunting in high-dimensional data", Statistics and Computing 9:123-143), as used for
scenario discovery by Bryant & Lempert (2010, Technological Forecasting and Social Change
77:34-49). numpy only.

Given the inputs X of a set of runs (the sweep's varied parameters) and a yes/no condition y on
their outcomes, PRIM looks for a box (an interval per number, a set of levels per choice) where y
holds much more often than overall:

- peeling: starting from the box holding every point, repeatedly cut off a share `alpha` of the
  box's points at the low or the high end of one input, choosing the cut that leaves the highest
  share of y in the box (or drop one whole level of a choice: below), until fewer than
  `min_mass` of all points remain. Every box along the way is one point of the *peeling
  trajectory*: its coverage (the share of all y-points that are in the box) against its density
  (the share of the box's points that are y-points);
- a box is chosen on the trajectory (by default the one with the largest coverage x density, a
  balance of the two; or, with `threshold`, the largest coverage among boxes at least that dense);
- pasting: the chosen box is grown back, a share `alpha` of its points at a time along one
  limit (or one level of a choice), while that raises its density;
- which limits matter: each limit the box sets is dropped in turn (that input back to its full
  range, a choice to all its levels) and a one-sided binomial test asks how likely the box's
  count of y-points would be if its points had the density of the box without that limit. A
  large p-value says the limit adds nothing (the quasi-p-values of the EMA Workbench follow the
  same idea; this is our own code);
- covering: the points of the first box are removed and PRIM runs again on the rest, giving a
  second box (and so on for `n_boxes`).

A swept choice or switch (an ordered Categorical column, analysis.load; or `levels` given) is
peeled by its levels, as Friedman & Fisher (1999) peel a categorical input, one category at a
time: a peel removes one whole level still in the box (one that holds some of the box's points,
when the box keeps a point without it), so a box keeps any set of the levels ("actions.policy
in {hot, never}"), not only a run of neighbours in the sweep file's order.
Pasting may add back one level the box does not keep; dropping a choice's limit (the p-values,
`prune`) brings back every level the data holds. A box says a choice by name:
"campaign.strategy is big_messaging", "actions.policy in {hot, never}" (`Box.levels`,
`Box.kept`).

How a level peel competes with the alpha-peels of the numbers. A whole level can remove far
more than `alpha` of the box (a third of it, for three levels equally swept), and dropping it
nearly always leaves the densest box: choosing by density alone would take the big cut first,
the impatience PRIM's small peels exist to avoid. Friedman & Fisher's criterion for peels of
unequal size is the gain in the box's mean per point removed, (density after - density before)
/ points removed, which is (density of the box - density of the points removed) / points kept:
a level is dropped first when what it removes is poorer than what the best alpha-peel removes,
weighted by how much is left (the EMA Workbench's default "lenient" objective is the same rate).
We compare each level peel with the best alpha-peel by that rate. The alpha-peels of the numbers
are ranked among themselves by density, as before: they remove the same share of the box (up to
ties in the data), for which the two rules agree, and so the boxes of inputs that are all
numbers are exactly what they were. A level peel that would leave fewer than `min_mass` of the
points is no candidate; an alpha-peel that would still ends the peeling, as before.

A box's limits keep lower, upper (the box), min and max (the data's range) for every input; for
a choice they are indices into its levels (the smallest and largest kept, the range the data
holds) and `kept` holds the set itself, a bit mask (bit i set when level i is kept; 0 for a
number; load.kept_mask, load.kept_names), which is what `contains`, `describe` and `kept` read.
"""
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .load import (MAX_KEPT_LEVELS, kept_mask, kept_names, level_name, level_range,
                   unit_in_words)


def choice_levels(frame, columns=None):
    """{column: its level names} for the Categorical columns of a DataFrame (a swept choice or
    switch as analysis.load gives it), in their order (named by load.level_name: a boolean
    category is true/false); {} for numbers only."""
    if not isinstance(frame, pd.DataFrame):
        return {}
    cols = list(frame.columns) if columns is None else list(columns)
    return {c: [level_name(v) for v in frame[c].cat.categories] for c in cols
            if isinstance(frame[c].dtype, pd.CategoricalDtype)}


def _missing(v):
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def level_codes(values, levels):
    """A choice's values as their index into `levels`, float: a value is matched by its name
    (load.level_name: a boolean, Python's or numpy's, is "true"/"false", as the levels of a
    switch are); NaN for a missing value or one that names no level."""
    index = {name: float(i) for i, name in enumerate(levels)}
    return np.array([np.nan if _missing(v) else index.get(level_name(v), np.nan)
                     for v in np.asarray(values, dtype=object)], dtype=float)


def _by_name(col):
    """Whether a column holds a choice by name (a Categorical, strings, objects or booleans)
    rather than by its index."""
    return isinstance(col.dtype, pd.CategoricalDtype) or col.dtype.kind in "OUSb"


def _column_numbers(col, levels=None):
    """A DataFrame column as PRIM's numbers: a choice with `levels` given by name as its index
    into them; a Categorical without levels as its codes (NaN where missing); else as floats."""
    if levels is not None and _by_name(col):
        return level_codes(col.astype(object), levels)
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes.where(col.notna()).to_numpy(dtype=float)
    return np.asarray(col, dtype=float)


def limit_words(name, row, unit=None, digits=3):
    """A box's limits on a number input, in words: "x at least 1 h per week", "x at most 0.2",
    "x between 0.1 and 0.3" (row: lower, upper, min, max). A unit that is not one ("1 or
    agents": a threshold's, which the rule decides) is left out, and a share's "1" too."""
    unit = unit_in_words(unit)  # "week-1" reads "per week"; "1", "count", "1 or agents": none
    u = f" {unit}" if unit else ""
    fmt = lambda v: f"{v:.{digits}g}"  # noqa: E731
    lo_cut = row["lower"] > row["min"]
    hi_cut = row["upper"] < row["max"]
    if lo_cut and hi_cut:
        return f"{name} between {fmt(row['lower'])} and {fmt(row['upper'])}{u}"
    if lo_cut:
        return f"{name} at least {fmt(row['lower'])}{u}"
    return f"{name} at most {fmt(row['upper'])}{u}"


def choice_words(name, kept):
    """A box's restriction of a choice, by name: "x is a" or "x in {a, b}"."""
    if len(kept) == 1:
        return f"{name} is {kept[0]}"
    return f"{name} in {{{', '.join(kept)}}}"


def _inputs(X, names=None, levels=None):
    """(n x d float array, names, levels) of PRIM's inputs. A DataFrame's choice columns
    become their index into their levels: a Categorical column, and a column of names or
    booleans whose levels are given in `levels` (a Categorical's levels are its categories
    unless given); numeric columns are used as they are."""
    levels = dict(levels or {})
    if isinstance(X, pd.DataFrame):
        names = list(X.columns) if names is None else names
        for c, lv in choice_levels(X).items():
            levels.setdefault(c, lv)
        X = (np.column_stack([_column_numbers(X[c], levels.get(c)) for c in X.columns])
             if len(X.columns) else X.to_numpy(dtype=float))
    return np.asarray(X, dtype=float), names, levels


def binomial_sf(k, n, p):
    """P(Binomial(n, p) >= k), summed in log space (exact; n up to a few hundred thousand)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    i = np.arange(k, n + 1, dtype=float)
    logs = (math.lgamma(n + 1) - np.array([math.lgamma(v + 1) for v in i])
            - np.array([math.lgamma(n - v + 1) for v in i])
            + i * math.log(p) + (n - i) * math.log1p(-p))
    top = logs.max()
    return float(min(1.0, math.exp(top) * np.exp(logs - top).sum()))


def _codes(x, n_levels):
    """A choice's values (floats: an index into its levels) as integer level indices, -1 where
    missing or not the index of a level."""
    x = np.asarray(x, dtype=float)
    ok = np.isfinite(x)
    ok[ok] = (x[ok] == np.round(x[ok])) & (x[ok] >= 0) & (x[ok] < n_levels)
    return np.where(ok, np.where(ok, x, 0), -1).astype(np.int64)


def _member(codes, keep):
    """Which points (their level indices, -1 for none) hold a level of the set `keep` (bool per
    level)."""
    return (codes >= 0) & keep[np.maximum(codes, 0)]


def _held(codes, n_levels):
    """Bool per level: the levels some point holds."""
    return np.bincount(codes[codes >= 0], minlength=n_levels)[:n_levels] > 0


class _Points:
    """PRIM's inputs as it peels them: X (n x d floats) and, per choice input (column j), its
    points' level indices. A box is (lo, hi, kept): the limits of every column (a choice's are
    not used while peeling) and, per choice column, a bool per level: the levels it keeps."""

    def __init__(self, X, names, levels):
        self.X = X
        self.codes = {j: _codes(X[:, j], len(levels[name])) for j, name in enumerate(names)
                      if name in levels}
        self.n_levels = {j: len(levels[names[j]]) for j in self.codes}

    def held(self):
        """Per choice column, the levels the points hold: the kept set of the whole space."""
        return {j: _held(c, self.n_levels[j]) for j, c in self.codes.items()}

    def inside(self, lo, hi, kept, skip=None):
        """Which points are in the box, leaving out the limits on column `skip`."""
        X = self.X
        if not self.codes and skip is None:
            return np.all((X >= lo) & (X <= hi), axis=1)
        inside = np.ones(len(X), dtype=bool)
        for j in range(X.shape[1]):
            if j == skip:
                continue
            if j in self.codes:
                inside &= _member(self.codes[j], kept[j])
            else:
                inside &= (X[:, j] >= lo[j]) & (X[:, j] <= hi[j])
        return inside

    def restricted(self, lo, hi, kept, rng_lo, rng_hi, held):
        """Bool per column: the box cuts it (a number's limits inside its range; a choice that
        keeps fewer levels than the points hold)."""
        out = (lo > rng_lo) | (hi < rng_hi)
        for j in self.codes:
            out[j] = bool(np.any(held[j] & ~kept[j]))
        return out

    def limits(self, lo, hi, kept, rng_lo, rng_hi, held, pvals, index):
        """The Box.limits table: a choice's lower and upper are its smallest and largest kept
        level index, its `kept` the set's bit mask (0 for a number)."""
        lo, hi = lo.astype(float), hi.astype(float)
        masks = np.zeros(len(lo), dtype=np.int64)
        for j, keep in kept.items():
            idx = np.flatnonzero(keep)
            lo[j], hi[j] = (idx[0], idx[-1]) if idx.size else (math.nan, math.nan)
            masks[j] = kept_mask(idx)
        return pd.DataFrame({"lower": lo, "upper": hi, "min": rng_lo, "max": rng_hi,
                             "kept": masks,
                             "restricted": self.restricted(lo, hi, kept, rng_lo, rng_hi, held),
                             "p_value": pvals}, index=index)


@dataclass
class Box:
    """One box found by PRIM.

    limits:     DataFrame indexed by input name: lower, upper (the box), min, max (the data's
                range), kept (a choice: the bit mask of the levels the box keeps, bit i for
                level i; 0 for a number), restricted (bool: the box cuts this input), p_value (of
                dropping this limit; NaN when not restricted). A choice's lower, upper, min and
                max are level indices: the smallest and largest kept, the range the data holds
    coverage:   share of all y-points (of the data PRIM ran on) inside the box
    density:    share of the box's points that are y-points
    mass:       share of the points inside the box
    n, k:       points and y-points inside the box
    trajectory: the peeling trajectory: one row per peel (step, coverage, density, mass,
                n_restricted), then the pasted box (step = -1 marks it: `chosen` True)
    base_density: share of y-points in the data PRIM ran on
    levels:     {input: level names} for the inputs that are a swept choice or switch (`kept`
                gives the names a box keeps)
    """
    limits: pd.DataFrame
    coverage: float
    density: float
    mass: float
    n: int
    k: int
    base_density: float
    trajectory: pd.DataFrame = field(repr=False)
    coverage_total: float = math.nan  # coverage of all y-points of the original data
    levels: dict = field(default_factory=dict, repr=False)

    @property
    def restricted(self):
        return list(self.limits.index[self.limits["restricted"]])

    def _keeps(self, name):
        """Bool per level of choice input `name`: the levels the box keeps (its `kept` mask; a
        limits table without one, as written before the mask: the levels lower..upper)."""
        levels = self.levels[name]
        row = self.limits.loc[name]
        if "kept" in self.limits.columns:
            names = set(kept_names(row["kept"], levels))
        else:
            names = set(level_range(levels, row["lower"], row["upper"]))
        return np.array([v in names for v in levels], dtype=bool)

    def kept(self, name):
        """The level names of choice input `name` that the box keeps (all the levels of the data
        it was found on when it does not restrict the input), in the levels' order."""
        return [v for v, keep in zip(self.levels[name], self._keeps(name)) if keep]

    def _values(self, X, name):
        """Column `name` of X as numbers: a choice given by name (a Categorical, strings or
        booleans) as its index into the box's levels."""
        return _column_numbers(X[name], self.levels.get(name))

    def contains(self, X, open_ends=False):
        """Boolean mask of the rows of X (DataFrame with the input columns) inside the box.

        By default the box is closed at the data's range on every input, as PRIM found it. With
        `open_ends`, a side the box does not cut (an unrestricted input, or the uncut end of a
        restricted one) is unbounded: the rule the box states, for points PRIM did not see
        (another half of a study, new runs), whose range can reach a little past the data's.
        A choice is in the box when its level is one the box keeps, open ends or not: a level
        the box never saw is not one it keeps.
        A choice may be given by its level names (a Categorical, as analysis.load gives it;
        strings; booleans, as true/false) or by its index."""
        inside = np.ones(len(X), dtype=bool)
        for name, row in self.limits.iterrows():
            x = self._values(X, name)
            if name in self.levels:
                inside &= _member(_codes(x, len(self.levels[name])), self._keeps(name))
                continue
            lower, upper = row["lower"], row["upper"]
            if open_ends:
                lower = lower if lower > row["min"] else -np.inf
                upper = upper if upper < row["max"] else np.inf
            inside &= (x >= lower) & (x <= upper)
        return inside

    def describe(self, units=None, digits=3):
        """The box in words: one line per restricted input, with its p-value; a choice by the
        names of its levels ("x is a (of a, b, c; p = ...)", "x in {a, c} (of a, b, c; ...)",
        of the levels from the first to the last the data holds)."""
        units = units or {}
        lines = []
        for name in self.restricted:
            row = self.limits.loc[name]
            p = row["p_value"]
            flag = ", may not matter" if p > 0.05 else ""
            if name in self.levels:
                of = ", ".join(level_range(self.levels[name], row["min"], row["max"]))
                lines.append(f"{choice_words(name, self.kept(name))} (of {of}; p = {p:.2g}"
                             f"{flag})")
                continue
            fmt = lambda v: f"{v:.{digits}g}"  # noqa: E731
            lines.append(f"{limit_words(name, row, units.get(name), digits)} (of "
                         f"{fmt(row['min'])} to {fmt(row['max'])}; p = {p:.2g}{flag})")
        head = (f"coverage {self.coverage:.0%}, density {self.density:.0%} "
                f"(base {self.base_density:.0%}), {self.n} of the points ({self.mass:.0%})")
        return head + ("\n  " + "\n  ".join(lines) if lines else "\n  (no input restricted)")


def _stats(inside, y, total_k):
    n = int(inside.sum())
    k = int(y[inside].sum())
    return n, k, (k / n if n else 0.0), (k / total_k if total_k else 0.0)


def _peel_candidates(X, inside, lo, hi, alpha, skip=()):
    """Every one-limit cut of the box along a number (a column not in `skip`) removing about
    alpha of its points: (j, side, new value, mask of the points kept)."""
    out = []
    n_in = inside.sum()
    for j in range(X.shape[1]):
        if j in skip:
            continue
        x = X[inside, j]
        if x.size == 0 or x.min() == x.max():
            continue
        # low side: drop points below the alpha quantile (at least the smallest value)
        q = np.quantile(x, alpha)
        if q <= x.min():
            q = np.min(x[x > x.min()])
        keep = inside & (X[:, j] >= q)
        if 0 < keep.sum() < n_in:
            out.append((j, 0, q, keep))
        q = np.quantile(x, 1 - alpha)
        if q >= x.max():
            q = np.max(x[x < x.max()])
        keep = inside & (X[:, j] <= q)
        if 0 < keep.sum() < n_in:
            out.append((j, 1, q, keep))
    return out


def _level_peels(points, inside, kept):
    """Every removal of one whole level of a choice from the box: a level it keeps that holds
    some of its points, when a point is left without it. (j, level, mask of the points kept)."""
    out = []
    for j, codes in points.codes.items():
        held = _held(codes[inside], points.n_levels[j])
        for level in np.flatnonzero(kept[j] & held):
            keep = inside & (codes != level)
            if keep.any():
                out.append((j, int(level), keep))
    return out


def _gain_per_point(keep, n_in, dens_in, y, total_k):
    """Friedman & Fisher's criterion for peels of unequal size: the rise of the box's density
    per point the peel removes."""
    n, _, dens, _ = _stats(keep, y, total_k)
    return (dens - dens_in) / (n_in - n)


def _level_peel_to_take(cut, level_peels, inside, y, total_k):
    """The level peel (j, level, mask of the points kept) to take rather than the numbers' best
    cut (`cut`: (score, j, side, value, mask), or None), or None to take the cut: the larger gain
    in density per point removed wins; on ties the peel that keeps more points, then the input
    listed first."""
    n_in, _, dens_in, _ = _stats(inside, y, total_k)

    def score(keep, j):
        return _gain_per_point(keep, n_in, dens_in, y, total_k), int(keep.sum()), -j

    top = score(cut[4], cut[1]) if cut is not None else None
    take = None
    for j, level, keep in level_peels:
        s = score(keep, j)
        if top is None or s > top:
            top, take = s, (j, level, keep)
    return take


def _paste(points, y, lo, hi, kept, held, alpha, total_k):
    """Grows the box while its density rises: at each step the densest of the candidates (along
    one limit of a number, about alpha of the box's points; or one level of a choice that the box
    does not keep and the data holds)."""
    X = points.X
    lo, hi = lo.copy(), hi.copy()
    kept = {j: v.copy() for j, v in kept.items()}
    inside = points.inside(lo, hi, kept)
    n, k, dens, _ = _stats(inside, y, total_k)
    while True:
        best = None
        step = max(1, int(round(alpha * n)))
        for j in range(X.shape[1]):
            if j in points.codes:
                continue
            others = points.inside(lo, hi, kept, skip=j)
            for side in (0, 1):
                if side == 0:
                    cand = np.sort(X[others & (X[:, j] < lo[j]), j])[::-1]
                else:
                    cand = np.sort(X[others & (X[:, j] > hi[j]), j])
                if cand.size == 0:
                    continue
                v = cand[min(step, cand.size) - 1]
                new_lo, new_hi = lo.copy(), hi.copy()
                if side == 0:
                    new_lo[j] = v
                else:
                    new_hi[j] = v
                m = points.inside(new_lo, new_hi, kept)
                n2, k2, d2, _ = _stats(m, y, total_k)
                if d2 > dens + 1e-12 and (best is None or d2 > best[0]):
                    best = (d2, new_lo, new_hi, kept)
        for j in points.codes:
            for level in np.flatnonzero(held[j] & ~kept[j]):
                wider = dict(kept)
                wider[j] = kept[j].copy()
                wider[j][level] = True
                _, _, d2, _ = _stats(points.inside(lo, hi, wider), y, total_k)
                if d2 > dens + 1e-12 and (best is None or d2 > best[0]):
                    best = (d2, lo, hi, wider)
        if best is None:
            return lo, hi, kept
        dens, lo, hi, kept = best
        n, k, dens, _ = _stats(points.inside(lo, hi, kept), y, total_k)


def _limit_p_values(points, y, lo, hi, kept, rng_lo, rng_hi, held):
    """Per input, the p-value of the box's limits on it (NaN where it sets none): the chance of
    the box's count of y-points or more if its points had the density of the box without them
    (a number back to its range, a choice to every level the data holds)."""
    total_k = int(y.sum())
    n, k, _, _ = _stats(points.inside(lo, hi, kept), y, total_k)
    pvals = np.full(points.X.shape[1], np.nan)
    for j in np.flatnonzero(points.restricted(lo, hi, kept, rng_lo, rng_hi, held)):
        lo2, hi2, kept2 = _freed(j, lo, hi, kept, rng_lo, rng_hi, held)
        _, _, d2, _ = _stats(points.inside(lo2, hi2, kept2), y, total_k)
        pvals[j] = binomial_sf(k, n, d2)
    return pvals


def _freed(j, lo, hi, kept, rng_lo, rng_hi, held):
    """The box without its limits on input j."""
    lo, hi, kept = lo.copy(), hi.copy(), dict(kept)
    if j in kept:
        kept[j] = held[j].copy()
    else:
        lo[j], hi[j] = rng_lo[j], rng_hi[j]
    return lo, hi, kept


def prune(box, X, y, p_max=0.05):
    """The box with the limits that do not matter dropped: repeatedly frees the input whose
    limits have the largest p-value above `p_max` (a number back to its full range, a choice to
    all its levels) and tests the remaining limits again on the wider box, until every limit left
    has p <= p_max. X, y: the points the box was found on. Returns a new Box (its trajectory is
    the original's)."""
    names = list(box.limits.index)
    if isinstance(X, pd.DataFrame):
        X = _inputs(X[names], levels=box.levels)[0]
    points = _Points(np.asarray(X, dtype=float), names, box.levels)
    y = np.asarray(y, dtype=bool)
    lim = box.limits
    lo, hi = lim["lower"].to_numpy(float).copy(), lim["upper"].to_numpy(float).copy()
    rng_lo, rng_hi = lim["min"].to_numpy(float), lim["max"].to_numpy(float)
    kept = {j: box._keeps(names[j]) for j in points.codes}
    for j in points.codes:  # a choice's limits are its kept set
        lo[j], hi[j] = rng_lo[j], rng_hi[j]
    held = points.held()
    while True:
        pvals = _limit_p_values(points, y, lo, hi, kept, rng_lo, rng_hi, held)
        if not np.any(pvals > p_max):
            break
        lo, hi, kept = _freed(int(np.nanargmax(pvals)), lo, hi, kept, rng_lo, rng_hi, held)
    total_k = int(y.sum())
    n, k, dens, cov = _stats(points.inside(lo, hi, kept), y, total_k)
    limits = points.limits(lo, hi, kept, rng_lo, rng_hi, held, pvals, lim.index)
    return Box(limits=limits, coverage=cov, density=dens, mass=n / len(y), n=n, k=k,
               base_density=box.base_density, trajectory=box.trajectory, levels=box.levels)


def find_box(X, y, names=None, alpha=0.05, min_mass=0.05, threshold=None, paste=True,
             levels=None):
    """One PRIM box of y (bool) over the inputs X (n x d array or DataFrame). `levels`:
    {input: level names} for inputs given as an index into their levels (a swept choice); a
    DataFrame's Categorical columns are such inputs without saying so."""
    X, names, levels = _inputs(X, names, levels)
    y = np.asarray(y, dtype=bool)
    n_all, d = X.shape
    names = names or [f"x{j}" for j in range(d)]
    if n_all == 0:
        raise ValueError("PRIM: no points")
    if not (0 < alpha < 0.5):
        raise ValueError(f"PRIM: alpha must be in (0, 0.5), found {alpha}")
    for name in names:
        if len(levels.get(name, ())) > MAX_KEPT_LEVELS:
            raise ValueError(f"PRIM: choice {name} has {len(levels[name])} levels; a box keeps a "
                             f"set of levels as the bits of an int64, at most {MAX_KEPT_LEVELS}")
    points = _Points(X, names, levels)
    rng_lo, rng_hi = X.min(axis=0), X.max(axis=0)
    held = points.held()
    total_k = int(y.sum())
    lo, hi = rng_lo.copy(), rng_hi.copy()
    kept = {j: v.copy() for j, v in held.items()}
    inside = np.ones(n_all, dtype=bool)
    boxes = [(lo.copy(), hi.copy(), dict(kept))]
    rows = []

    def record(step, lo_, hi_, kept_, inside_):
        n, k, dens, cov = _stats(inside_, y, total_k)
        cut = points.restricted(lo_, hi_, kept_, rng_lo, rng_hi, held)
        rows.append({"step": step, "coverage": cov, "density": dens, "mass": n / n_all,
                     "n": n, "n_restricted": int(cut.sum())})

    record(0, lo, hi, kept, inside)
    step = 0
    while inside.sum() / n_all > min_mass:
        cands = _peel_candidates(X, inside, lo, hi, alpha, skip=points.codes)
        levels_out = [c for c in _level_peels(points, inside, kept)
                      if c[2].sum() / n_all >= min_mass]
        if not cands and not levels_out:
            break
        best = None
        for j, side, q, keep in cands:  # the numbers: the densest cut, as always
            n, k, dens, _ = _stats(keep, y, total_k)
            score = (dens, n)  # highest density; on ties keep more points
            if best is None or score > best[0]:
                best = (score, j, side, q, keep)
        take = _level_peel_to_take(best, levels_out, inside, y, total_k)
        if take is not None:
            j, level, keep = take
            kept = dict(kept)
            kept[j] = kept[j].copy()
            kept[j][level] = False
        else:
            _, j, side, q, keep = best
            if keep.sum() / n_all < min_mass:
                break
            if side == 0:
                lo[j] = q
            else:
                hi[j] = q
        inside = keep
        step += 1
        boxes.append((lo.copy(), hi.copy(), dict(kept)))
        record(step, lo, hi, kept, inside)
    traj = pd.DataFrame(rows)
    if threshold is not None:
        ok = traj[traj["density"] >= threshold]
        pick = int(ok["coverage"].idxmax()) if len(ok) else int(traj["density"].idxmax())
    else:
        pick = int((traj["coverage"] * traj["density"]).idxmax())
    lo, hi, kept = boxes[pick][0].copy(), boxes[pick][1].copy(), dict(boxes[pick][2])
    if paste:
        lo, hi, kept = _paste(points, y, lo, hi, kept, held, alpha, total_k)
    inside = points.inside(lo, hi, kept)
    n, k, dens, cov = _stats(inside, y, total_k)
    traj["chosen"] = False
    traj.loc[pick, "chosen"] = not paste
    cut = points.restricted(lo, hi, kept, rng_lo, rng_hi, held)
    if paste:
        traj = pd.concat([traj, pd.DataFrame([{
            "step": -1, "coverage": cov, "density": dens, "mass": n / n_all, "n": n,
            "n_restricted": int(cut.sum()), "chosen": True}])],
            ignore_index=True)
    pvals = _limit_p_values(points, y, lo, hi, kept, rng_lo, rng_hi, held)
    limits = points.limits(lo, hi, kept, rng_lo, rng_hi, held, pvals,
                           pd.Index(names, name="input"))
    return Box(limits=limits, coverage=cov, density=dens, mass=n / n_all, n=n, k=k,
               base_density=total_k / n_all, trajectory=traj,
               levels={c: list(v) for c, v in levels.items() if c in names})


def find_boxes(X, y, n_boxes=2, **kw):
    """PRIM with covering: box 1 on all points, box 2 on the points outside box 1, ...
    Stops early when no y-point is left. Each box's `coverage_total` is its share of all
    y-points of the original data. A choice: as in find_box (`levels`, or a Categorical)."""
    if isinstance(X, pd.DataFrame):
        Xa, names, kw["levels"] = _inputs(X, levels=kw.get("levels"))
    else:
        Xa = np.asarray(X, dtype=float)
        names = kw.pop("names", None)
    y = np.asarray(y, dtype=bool)
    total = int(y.sum())
    remaining = np.ones(len(y), dtype=bool)
    boxes = []
    for _ in range(n_boxes):
        if y[remaining].sum() == 0 or remaining.sum() < 2:
            break
        box = find_box(Xa[remaining], y[remaining], names=names, **kw)
        frame = pd.DataFrame(Xa, columns=box.limits.index)
        inside = box.contains(frame) & remaining
        box.coverage_total = int(y[inside].sum()) / total if total else math.nan
        boxes.append(box)
        remaining &= ~inside
    return boxes
