"""PRIM and scenario discovery (analysis/prim.py, analysis/discover.py).

Known boxes: the condition holds (mostly) inside a box of two of five inputs and rarely outside;
PRIM must recover the box's limits within a tolerance, restrict only the inputs that matter
(their limits significant, the others left free), and the second box (covering) must find a
second region once the first is removed. Then discovery on a small real sweep, and bad --where
expressions."""
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from analysis import discover, load, prim


def _known(seed, n=2000, inside_p=0.9, outside_p=0.05):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, (n, 5))
    box1 = (X[:, 0] > 0.2) & (X[:, 0] < 0.6) & (X[:, 2] > 0.5)
    box2 = (X[:, 1] > 0.7) & (X[:, 3] < 0.3)
    p = np.where(box1 | box2, inside_p, outside_p)
    return X, rng.uniform(size=n) < p


def test_binomial_tail_matches_direct_sum():
    from math import comb
    n, p = 30, 0.3
    for k in (0, 5, 9, 20, 30):
        direct = sum(comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(k, n + 1))
        assert prim.binomial_sf(k, n, p) == pytest.approx(direct, rel=1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_recovers_known_boxes(seed):
    X, y = _known(seed)
    boxes = prim.find_boxes(X, y, n_boxes=2, names=list("abcde"))
    first, second = boxes
    lim = first.limits
    assert set(first.restricted) == {"a", "c"}
    assert lim.loc["a", "lower"] == pytest.approx(0.2, abs=0.04)
    assert lim.loc["a", "upper"] == pytest.approx(0.6, abs=0.04)
    assert lim.loc["c", "lower"] == pytest.approx(0.5, abs=0.04)
    assert lim.loc["c", "upper"] == pytest.approx(1.0, abs=0.01)
    assert (lim.loc[["a", "c"], "p_value"] < 1e-6).all()
    assert first.density > 0.8 and first.coverage_total > 0.5
    # the second box is the other region, found after the first one's points are removed
    assert {"b", "d"} <= set(second.restricted)
    assert second.limits.loc["b", "lower"] == pytest.approx(0.7, abs=0.05)
    assert second.limits.loc["d", "upper"] == pytest.approx(0.3, abs=0.05)
    assert second.density > 0.6
    # together they hold most of the points where the condition holds
    assert first.coverage_total + second.coverage_total > 0.75


def test_trajectory_trades_coverage_for_density():
    X, y = _known(4)
    box = prim.find_box(X, y, names=list("abcde"), paste=False)
    t = box.trajectory
    assert t["coverage"].iloc[0] == 1.0 and t["mass"].iloc[0] == 1.0
    assert t["density"].iloc[0] == pytest.approx(y.mean())
    assert (np.diff(t["mass"]) < 0).all()          # every peel removes points
    assert (np.diff(t["coverage"]) <= 1e-12).all()  # coverage never grows while peeling
    assert t["density"].max() > 0.8
    assert t["mass"].iloc[-1] >= 0.05 - 1e-9       # stops at min_mass
    assert t["chosen"].sum() == 1


def test_pasting_never_lowers_density():
    X, y = _known(5)
    peeled = prim.find_box(X, y, paste=False)
    pasted = prim.find_box(X, y, paste=True)
    assert pasted.density >= peeled.density - 1e-12


def test_irrelevant_limit_has_large_p_value():
    # the condition depends on `a` only: a box that also cuts `b` must show that cut as not
    # mattering when pasting is off and peeling cut it by chance
    rng = np.random.default_rng(6)
    X = rng.uniform(0, 1, (3000, 3))
    y = rng.uniform(size=3000) < np.where(X[:, 0] > 0.7, 0.8, 0.1)
    box = prim.find_box(X, y, names=["a", "b", "c"])
    assert box.limits.loc["a", "lower"] == pytest.approx(0.7, abs=0.04)
    assert box.limits.loc["a", "p_value"] < 1e-10
    for name in ("b", "c"):
        if box.limits.loc[name, "restricted"]:
            assert box.limits.loc[name, "p_value"] > 0.001


def test_box_applied_to_new_points_with_open_ends():
    # a box found on one half of the points, applied to the other half: with the box closed at
    # the first half's range, points of the second half a little past that range fall out on
    # inputs the box does not even cut; with open_ends they stay in, and the rule is the one the
    # box states (here: a > 0.7)
    rng = np.random.default_rng(8)
    X = rng.uniform(0, 1, (3000, 3))
    y = rng.uniform(size=3000) < np.where(X[:, 0] > 0.7, 0.85, 0.05)
    a, b = X[:1500], X[1500:]
    box = prim.find_box(a, y[:1500], names=["a", "b", "c"])
    assert box.limits.loc["a", "lower"] == pytest.approx(0.7, abs=0.04)
    frame = pd.DataFrame(b, columns=["a", "b", "c"])
    stated = np.ones(len(b), dtype=bool)
    for name, row in box.limits.iterrows():
        x = frame[name].to_numpy()
        if row["lower"] > row["min"]:
            stated &= x >= row["lower"]
        if row["upper"] < row["max"]:
            stated &= x <= row["upper"]
    assert (box.contains(frame, open_ends=True) == stated).all()
    # past the first half's range on an uncut input: in with open ends, out without
    past = frame.copy()
    past["c"] = box.limits.loc["c", "max"] + 0.01
    past["a"] = 0.9
    assert box.contains(past, open_ends=True).all()
    assert not box.contains(past).any()
    # on the held-out half the box keeps its density (the condition is a > 0.7 there too)
    inside = box.contains(frame, open_ends=True)
    assert y[1500:][inside].mean() > 0.75
    assert y[1500:][inside].sum() / y[1500:].sum() > 0.75


def test_prune_drops_the_limits_that_do_not_matter():
    # peeling without pasting on a small sample cuts inputs the condition does not depend on;
    # pruning frees them and keeps the ones it does (a, c), every limit left significant
    X, y = _known(10, n=600)
    y = y & ~((X[:, 1] > 0.7) & (X[:, 3] < 0.3))  # box 1 of _known only
    box = prim.find_box(X, y, names=list("abcde"), paste=False, min_mass=0.02)
    box.limits.loc["b", "upper"] = 0.8  # and a cut on an input that plays no part
    box.limits.loc["b", "restricted"] = True
    assert {"a", "c", "b", "d"} <= set(box.restricted)  # d: cut by the peeling, by chance
    pruned = prim.prune(box, X, y)
    assert set(pruned.restricted) == {"a", "c"}
    assert (pruned.limits.loc[pruned.restricted, "p_value"] <= 0.05).all()
    assert pruned.limits["p_value"][~pruned.limits["restricted"]].isna().all()
    assert pruned.k >= box.k  # a wider box holds at least as many
    inside = pruned.contains(pd.DataFrame(X, columns=list("abcde")))
    assert pruned.n == inside.sum() and pruned.k == y[inside].sum()
    # a box whose limits all matter is left as it is
    again = prim.prune(pruned, X, y)
    assert again.restricted == pruned.restricted and again.n == pruned.n


def test_box_in_words_reads_units():
    rng = np.random.default_rng(11)
    X = rng.uniform(0, 1, (1000, 2))
    y = rng.uniform(size=1000) < np.where(X[:, 0] < 0.3, 0.9, 0.05)
    box = prim.find_box(X, y, names=["turnover", "hours"])
    # a share per step is stored with the unit "1 per step": the box says "per step"
    text = box.describe({"turnover": "1 per step", "hours": "h per step"})
    line = [ln for ln in text.splitlines() if ln.strip().startswith("turnover at most")][0]
    assert " per step (of" in line and "1 per step" not in line
    assert "(of" in box.describe({"turnover": "1"}) and " 1 (of" not in box.describe(
        {"turnover": "1"})


def test_condition_errors_name_the_problem():
    outcomes, arms = ["wins", "win_weeks"], ["relationship_first", "big_messaging"]
    ok, named = discover.parse_condition("win_weeks[relationship_first] > win_weeks[big_messaging]",
                                         outcomes, arms)
    assert named == {"relationship_first", "big_messaging"}
    for text, needle in [("", "found nothing"), ("wins >", "not an expression"),
                         ("wons > 0", "'wons' is not a per-run output"),
                         ("wins[nobody] > 0", "'nobody' in wins[...] is not an arm"),
                         ("__import__('os') > 0", "is not allowed"),
                         ("wins + 1", "expected a condition")]:
        with pytest.raises(discover.ConditionError, match=needle.replace("[", r"\[")
                           .replace("]", r"\]").replace("(", r"\(").replace(")", r"\)")):
            discover.parse_condition(text, outcomes, arms)


@pytest.fixture(scope="module")
def small_sweep(orgsim_binary, tmp_path_factory):
    from conftest import REPO
    out = tmp_path_factory.mktemp("prim")
    spec = json.loads((REPO / "scenarios/sweeps/hours_vs_turnover.json").read_text())
    spec["replicates"] = 2
    spec["scenario"] = str(REPO / "scenarios/default.json")
    (out / "s.json").write_text(json.dumps(spec))
    subprocess.run([str(orgsim_binary), "sweep", str(out / "s.json"), "-o", str(out / "s.h5"),
                    "-q"], check=True, capture_output=True)
    return out / "s.h5"


def test_discovery_on_a_real_sweep(small_sweep, orgsim_binary):
    where = "win_weeks[relationship_first] > win_weeks[big_messaging]"
    res = subprocess.run([str(orgsim_binary), "discover", str(small_sweep), "--where", where],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "box 1" in res.stdout and "coverage" in res.stdout
    d = load.discovery(small_sweep)
    assert d.where == where and d.unit.startswith("workplace")
    runs = load.runs_table(small_sweep)
    # the condition as evaluated by hand, paired on (point, replicate)
    rf = runs[runs["arm"] == "relationship_first"].set_index(["point", "replicate"])
    bm = runs[runs["arm"] == "big_messaging"].set_index(["point", "replicate"])
    truth = (rf["win_weeks"] > bm["win_weeks"].reindex(rf.index))
    assert d.n == len(truth) and d.k == int(truth.sum())
    assert 0 < d.k < d.n
    b1 = d.boxes.loc[1]
    assert b1["density"] > d.k / d.n  # denser than the base rate
    assert d.limits.loc[1]["restricted"].any()
    assert set(d.trajectory["box"]) <= {1, 2}
    # the box's points recomputed from its limits give its stored counts
    lim = d.limits.loc[1]
    pts = rf.reset_index()
    inside = np.ones(len(pts), dtype=bool)
    for name, row in lim.iterrows():
        inside &= (pts[name] >= row["lower"]).to_numpy() & (pts[name] <= row["upper"]).to_numpy()
    assert inside.sum() == b1["n"]
    assert truth.to_numpy()[inside].sum() == b1["k"]
    # the file still reads as before
    assert load.open_results(small_sweep).sizes["run"] == len(runs)


def test_bad_where_is_an_input_error(small_sweep, orgsim_binary):
    res = subprocess.run([str(orgsim_binary), "discover", str(small_sweep), "--where",
                          "win_weeks[nobody] > 0"], capture_output=True, text=True)
    assert res.returncode == 2
    assert "'nobody' in win_weeks[...] is not an arm" in res.stderr
    assert "relationship_first" in res.stderr


def test_report_shows_the_boxes(small_sweep, orgsim_binary):
    from analysis import report
    subprocess.run([str(orgsim_binary), "discover", str(small_sweep), "--where", "wins > 0"],
                   check=True, capture_output=True)
    page = report.render(str(small_sweep))
    assert "Scenario discovery (PRIM)" in page and "wins &gt; 0" in page
    assert page.count("data:image/png;base64") >= 2
