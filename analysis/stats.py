"""Summaries used by the figures and the report: means with t intervals, paired differences
between arms, and the Kaplan-Meier estimate of how long wins stand.

Nothing here knows the HDF5 layout; the inputs are the tables of `analysis.load`:

- a *runs table* (`load.runs_table`): one row per run, columns `arm` (ordered Categorical),
  `replicate`, `point`, `status`, and one column per outcome;
- a *wins table* (`load.win_events`): one row per win, columns `arm`, `run`, `duration`,
  `censored` (bool).
"""

import math

import numpy as np
import pandas as pd

Z95 = 1.959963984540054  # two-sided 95% normal quantile (the engine's kaplan_meier uses it too)


def t_quantile(df, level=0.95):
    """Two-sided Student t quantile for `df` degrees of freedom (scipy if present)."""
    if df is None or df < 1 or not np.isfinite(df):
        return math.nan
    p = 0.5 + level / 2.0
    try:
        from scipy import stats as _st
        return float(_st.t.ppf(p, df))
    except ImportError:  # exact for df 1 and 2, else the Cornish-Fisher expansion (< 0.5%)
        from statistics import NormalDist
        if df == 1:
            return math.tan(math.pi * (p - 0.5))
        if df == 2:
            return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
        z = NormalDist().inv_cdf(p)
        g1 = (z ** 3 + z) / 4
        g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96
        g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384
        return z + g1 / df + g2 / df ** 2 + g3 / df ** 3


def mean_ci(values, level=0.95, bounds=None):
    """Mean of the finite values with a t interval: dict n, mean, sd, lower, upper, half.
    `bounds` (lo, hi): the values the quantity can take; the interval is cut there (a count's
    mean has no chance below 0, however skewed its runs), `half` stays the t half-width."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return {"n": 0, "mean": math.nan, "sd": math.nan, "lower": math.nan,
                "upper": math.nan, "half": math.nan}
    mean = float(x.mean())
    if n == 1:
        return {"n": 1, "mean": mean, "sd": math.nan, "lower": math.nan, "upper": math.nan,
                "half": math.nan}
    sd = float(x.std(ddof=1))
    half = t_quantile(n - 1, level) * sd / math.sqrt(n)
    lo, hi = bounds if bounds is not None else (-math.inf, math.inf)
    return {"n": n, "mean": mean, "sd": sd, "lower": max(mean - half, lo),
            "upper": min(mean + half, hi), "half": half}


def _done(runs):
    if "status" in runs.columns:
        return runs[runs["status"].astype(str) == "done"]
    return runs


def arm_order(runs):
    """The arms of a runs table in their file order."""
    arm = runs["arm"]
    if isinstance(arm.dtype, pd.CategoricalDtype):
        return list(arm.cat.categories)
    return list(pd.unique(arm))


def summarize_arms(runs, outcomes, level=0.95, bounds=None):
    """Per arm and outcome: n, mean, sd, lower, upper (t interval over the arm's done runs, cut
    at `bounds[outcome]` = (lo, hi) where given: mean_ci).

    Returns a long DataFrame with columns arm, outcome, n, mean, sd, lower, upper, half."""
    runs = _done(runs)
    bounds = bounds or {}
    rows = []
    for arm in arm_order(runs):
        mine = runs[runs["arm"] == arm]
        for outcome in outcomes:
            rows.append({"arm": arm, "outcome": outcome,
                         **mean_ci(mine[outcome], level, bounds.get(outcome))})
    out = pd.DataFrame(rows, columns=["arm", "outcome", "n", "mean", "sd", "lower", "upper",
                                      "half"])
    out["arm"] = pd.Categorical(out["arm"], categories=arm_order(runs), ordered=True)
    return out


def paired_differences(runs, outcomes, reference=None, level=0.95):
    """Differences `arm - reference` per outcome, paired by (point, replicate).

    Replicate k of every arm shares its population, network, climate and turnover draws (common
    random numbers), so the difference is taken within each pair and the t interval is over the
    pairs. Pairs where either value is NaN are dropped. Returns a long DataFrame with columns
    arm, reference, outcome, n (pairs), mean, sd, lower, upper, half, n_greater / n_less (pairs
    in which the arm was above / below the reference), arm_mean, ref_mean (over the pairs)."""
    runs = _done(runs)
    arms = arm_order(runs)
    if reference is None:
        reference = arms[0]
    keys = [k for k in ("point", "replicate") if k in runs.columns]
    base = runs[runs["arm"] == reference].set_index(keys)
    rows = []
    for arm in arms:
        if arm == reference:
            continue
        other = runs[runs["arm"] == arm].set_index(keys)
        common = base.index.intersection(other.index)
        for outcome in outcomes:
            a = other.loc[common, outcome].to_numpy(dtype=float)
            b = base.loc[common, outcome].to_numpy(dtype=float)
            ok = np.isfinite(a) & np.isfinite(b)
            diff = a[ok] - b[ok]
            ci = mean_ci(diff, level)
            rows.append({"arm": arm, "reference": reference, "outcome": outcome, **ci,
                         "n_greater": int((diff > 0).sum()), "n_less": int((diff < 0).sum()),
                         "arm_mean": float(np.mean(a[ok])) if ok.any() else math.nan,
                         "ref_mean": float(np.mean(b[ok])) if ok.any() else math.nan})
    cols = ["arm", "reference", "outcome", "n", "mean", "sd", "lower", "upper", "half",
            "n_greater", "n_less", "arm_mean", "ref_mean"]
    out = pd.DataFrame(rows, columns=cols)
    out["arm"] = pd.Categorical(out["arm"], categories=arms, ordered=True)
    return out


def fisher_exact(a, b, c, d):
    """Two-sided p-value of Fisher's exact test on the 2x2 table [[a, b], [c, d]] (counts): the
    probability, with the margins fixed, of a table as unlikely as this one or less
    (hypergeometric; the sum over tables whose probability is at most the observed one's, with
    a relative tolerance of 1e-7 for ties, as R's fisher.test does)."""
    a, b, c, d = (int(x) for x in (a, b, c, d))
    if min(a, b, c, d) < 0:
        raise ValueError("fisher_exact: counts must be >= 0")
    row, col, n = a + b, a + c, a + b + c + d
    if n == 0:
        return 1.0
    total = math.comb(n, col)

    def prob(x):
        return math.comb(row, x) * math.comb(n - row, col - x) / total

    lo, hi = max(0, col - (n - row)), min(row, col)
    observed = prob(a)
    return min(1.0, sum(p for p in (prob(x) for x in range(lo, hi + 1))
                        if p <= observed * (1 + 1e-7)))


def kaplan_meier(durations, reversed_, z=Z95):
    """Product-limit estimate of the share of wins still standing t steps after the win.

    `durations`: steps each win stood; `reversed_`: True where the reversal was observed, False
    where the win was still standing at the end of its run (censored). Returns a DataFrame with
    one row per distinct event time: time, survival (S just after time), lower and upper (95%
    interval, Greenwood's variance on the log(-log S) scale, as orgsim::kaplan_meier), at_risk,
    events."""
    d = np.asarray(durations, dtype=float)
    e = np.asarray(reversed_, dtype=bool)
    times = np.unique(d[e])
    at_risk = np.array([np.sum(d >= t) for t in times], dtype=np.int64)
    events = np.array([np.sum(e & (d == t)) for t in times], dtype=np.int64)
    if times.size == 0:
        empty = np.zeros(0)
        return pd.DataFrame({"time": empty, "survival": empty, "lower": empty, "upper": empty,
                             "at_risk": np.zeros(0, np.int64), "events": np.zeros(0, np.int64)})
    survival = np.cumprod(1.0 - events / at_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(np.where(events < at_risk,
                                       events / (at_risk * (at_risk - events)), 0.0))
        se = np.sqrt(greenwood) / np.abs(np.log(survival))
        lower = survival ** np.exp(z * se)
        upper = survival ** np.exp(-z * se)
    inner = (survival > 0.0) & (survival < 1.0)
    lower = np.where(inner, lower, survival)
    upper = np.where(inner, upper, survival)
    return pd.DataFrame({"time": times, "survival": survival, "lower": lower, "upper": upper,
                         "at_risk": at_risk, "events": events})


def km_median(curve):
    """First event time at which S(t) <= 0.5, NaN if S never drops to 0.5."""
    below = curve.index[curve["survival"] <= 0.5]
    return float(curve.loc[below[0], "time"]) if len(below) else math.nan


def survival_at(curve, t):
    """S(t), lower, upper of a step curve (one arm's rows of `Durability.curves`) at time t."""
    rows = curve[curve["time"] <= t]
    if rows.empty:
        return 1.0, 1.0, 1.0
    last = rows.iloc[-1]
    return float(last["survival"]), float(last["lower"]), float(last["upper"])
