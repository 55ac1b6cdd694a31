"""PRIM and scenario discovery (analysis/prim.py, analysis/discover.py).

Known boxes: the condition holds (mostly) inside a box of two of five inputs and rarely outside;
PRIM must recover the box's limits within a tolerance, restrict only the inputs that matter
(their limits significant, the others left free), and the second box (covering) must find a
second region once the first is removed. Then discovery on a small real sweep, and bad --where
expressions. A swept choice is peeled by its levels: a box keeps any set of them (not only
neighbours), contains a point by its level, pastes a level back, drops a choice that does not
matter whole; and boxes of numbers are what they were before."""
import json
import math
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
    for text, needle in [("", "found nothing"),
                         ("wins >", "not an expression (invalid syntax at its end"),
                         ("wins > > 2", "at column 8"),
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


def test_the_discovery_group_opens_in_one_xarray_call(small_sweep, orgsim_binary):
    """/discovery (written by analysis/load.py) is on dimension scales, as the engine's groups
    are: `xr.open_dataset(path, engine="h5netcdf", group="discovery")` (and its trajectory) opens
    on named dimensions, with the values load.discovery reads; the root still opens."""
    xr = pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    where = "win_weeks[relationship_first] > win_weeks[big_messaging]"
    subprocess.run([str(orgsim_binary), "discover", str(small_sweep), "--where", where],
                   check=True, capture_output=True)
    d = load.discovery(small_sweep)
    with xr.open_dataset(small_sweep, engine="h5netcdf", group="discovery") as g:
        assert dict(g.sizes) == {"box": len(d.boxes), "input": 2}
        assert list(g["box"].values) == list(d.boxes.index)
        assert list(g["input"].values) == ["campaign.hours_per_step", "environment.turnover"]
        assert g["lower"].dims == ("box", "input") and g["density"].dims == ("box",)
        np.testing.assert_array_equal(g["density"].values, d.boxes["density"].to_numpy())
        lower = g["lower"].to_series()
        for (box, name), row in d.limits.iterrows():
            assert lower[(box, name)] == row["lower"]
        assert g.attrs["where"] == where
    with xr.open_dataset(small_sweep, engine="h5netcdf", group="discovery/trajectory") as t:
        assert set(t.dims) == {"row"} and t.sizes["row"] == len(d.trajectory)
        np.testing.assert_array_equal(t["coverage"].values, d.trajectory["coverage"].to_numpy())
    assert list(d.trajectory.columns) == ["box", "chosen", "coverage", "density", "mass", "n",
                                          "n_restricted", "step"]
    with xr.open_dataset(small_sweep, engine="h5netcdf") as root:
        assert not any("phony" in dim for dim in root.dims)


def test_a_condition_that_never_holds_keeps_the_earlier_discovery(small_sweep, orgsim_binary):
    where = "win_weeks[relationship_first] > win_weeks[big_messaging]"
    subprocess.run([str(orgsim_binary), "discover", str(small_sweep), "--where", where],
                   check=True, capture_output=True)
    before = load.discovery(small_sweep)
    res = subprocess.run([str(orgsim_binary), "discover", str(small_sweep), "--where",
                          "actions < 0"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "holds for 0 of" in res.stdout and "it never holds: no box" in res.stdout
    assert "nothing written" in res.stdout and "\nwritten: " not in res.stdout
    after = load.discovery(small_sweep)
    assert after.where == where and after.n == before.n and after.k == before.k
    assert len(after.boxes) == len(before.boxes) > 0


def test_bad_where_is_an_input_error(small_sweep, orgsim_binary):
    res = subprocess.run([str(orgsim_binary), "discover", str(small_sweep), "--where",
                          "win_weeks[nobody] > 0"], capture_output=True, text=True)
    assert res.returncode == 2
    assert "'nobody' in win_weeks[...] is not an arm" in res.stderr
    assert "relationship_first" in res.stderr
    # The engine's prefix (docs/RELIABILITY.md), for a bad condition and for a usage error alike.
    assert res.stderr.startswith("orgsim: error: ")
    res = subprocess.run([str(orgsim_binary), "discover", str(small_sweep)], capture_output=True,
                         text=True)
    assert res.returncode == 2
    assert res.stderr.splitlines()[-1] == ("orgsim: error: the following arguments are required: "
                                           "--where (see orgsim discover --help)")


@pytest.mark.parametrize("option, value, expected", [
    ("--alpha", "2", "a number in (0, 0.5)"),
    ("--alpha", "nan", "a number in (0, 0.5)"),
    ("--alpha", "0", "a number in (0, 0.5)"),
    ("--alpha", "x", "a number in (0, 0.5)"),
    ("--min-mass", "1.5", "a number in (0, 1)"),
    ("--min-mass", "-0.1", "a number in (0, 1)"),
    ("--threshold", "5", "a number in [0, 1] (a density)"),
    ("--threshold", "inf", "a number in [0, 1] (a density)"),
    ("--boxes", "-1", "a whole number of at least 1"),
    ("--boxes", "0", "a whole number of at least 1"),
])
def test_discover_checks_its_options(small_sweep, capsys, option, value, expected):
    """Each number option out of its range is a usage error (exit 2) naming the option, what it
    expects and what was given, with the engine's prefix; nothing is read or written."""
    with pytest.raises(SystemExit) as stop:
        discover.main([str(small_sweep), "--where", "wins > 0", "--no-write", option, value])
    assert stop.value.code == 2
    last = capsys.readouterr().err.splitlines()[-1]
    assert last == (f"orgsim: error: {option}: expected {expected}, found {value} "
                    f"(see orgsim discover --help)")


def test_discover_option_errors_through_the_engine(small_sweep, orgsim_binary):
    res = subprocess.run([str(orgsim_binary), "discover", str(small_sweep), "--where", "wins > 0",
                          "--alpha", "2"], capture_output=True, text=True)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert ("orgsim: error: --alpha: expected a number in (0, 0.5), found 2"
            in res.stderr.splitlines()[-1])
    # values in range still run
    res = subprocess.run([str(orgsim_binary), "discover", str(small_sweep), "--where", "wins > 0",
                          "--alpha", "0.1", "--min-mass", "0.2", "--threshold", "0.5",
                          "--boxes", "1", "--no-write"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "box 1" in res.stdout and "box 2" not in res.stdout


def test_report_shows_the_boxes(small_sweep, orgsim_binary):
    from analysis import report
    subprocess.run([str(orgsim_binary), "discover", str(small_sweep), "--where", "wins > 0"],
                   check=True, capture_output=True)
    page = report.render(str(small_sweep))
    assert "Scenario discovery (PRIM)" in page and "wins &gt; 0" in page
    assert page.count("data:image/png;base64") >= 2


# ---- a swept choice: peeled by its levels -------------------------------------------------------

def _skipping_a_level(seed=7, n=900):
    """A three-level choice c (a, b, c) where the condition holds for a and c but not b, and a
    number x that plays no part."""
    rng = np.random.default_rng(seed)
    names = ["a", "b", "c"]
    c = pd.Categorical(rng.choice(names, n), categories=names, ordered=True)
    x = rng.uniform(0, 1, n)
    y = rng.uniform(size=n) < np.where(c != "b", 0.9, 0.05)
    return pd.DataFrame({"c": c, "x": x}), y


def test_a_choice_keeps_levels_that_are_not_neighbours():
    X, y = _skipping_a_level()
    box = prim.find_boxes(X, y, n_boxes=1)[0]
    assert box.kept("c") == ["a", "c"]  # by index, a box could only keep a, b, c or a run of them
    assert box.restricted == ["c"]
    lim = box.limits.loc["c"]
    assert (lim["lower"], lim["upper"], lim["min"], lim["max"]) == (0, 2, 0, 2)
    assert lim["kept"] == 0b101 and box.limits.loc["x", "kept"] == 0
    assert lim["p_value"] < 1e-10
    assert "c in {a, c} (of a, b, c; p = " in box.describe()
    assert box.n == int((X["c"] != "b").sum()) and box.density > 0.85
    # the choice given by its index, with its levels: the same box
    codes = pd.DataFrame({"c": X["c"].cat.codes.astype(float), "x": X["x"]})
    same = prim.find_boxes(codes, y, n_boxes=1, levels={"c": ["a", "b", "c"]})[0]
    pd.testing.assert_frame_equal(same.limits, box.limits)
    # one level: "is"
    only = prim.find_boxes(X, y & (X["c"] == "c").to_numpy(), n_boxes=1)[0]
    assert only.kept("c") == ["c"] and "c is c (of a, b, c; p = " in only.describe()


def test_a_box_that_skips_a_level_contains_points_by_membership():
    X, y = _skipping_a_level()
    box = prim.find_boxes(X, y, n_boxes=1)[0]
    names = ["a", "b", "c", "a", "c"]
    xs = [0.5, 0.5, 0.5, 2.0, -1.0]  # past the data's range on x, which the box does not cut
    want = [True, False, True, False, False]
    want_open = [True, False, True, True, True]
    for col in (pd.Categorical(names, categories=["a", "b", "c"], ordered=True),
                np.array(names, dtype=object), [0.0, 1.0, 2.0, 0.0, 2.0]):
        new = pd.DataFrame({"c": col, "x": xs})
        assert box.contains(new).tolist() == want
        assert box.contains(new, open_ends=True).tolist() == want_open  # b stays out
    # a name that is no level, a missing value, an index that is no level: out
    odd = pd.DataFrame({"c": np.array(["d", None, "a"], dtype=object), "x": [0.5] * 3})
    assert box.contains(odd).tolist() == [False, False, True]
    assert box.contains(pd.DataFrame({"c": [0.5, 3.0, np.nan], "x": [0.5] * 3})).sum() == 0
    assert box.contains(X).sum() == box.n


def test_pasting_adds_back_a_level_that_raises_the_density():
    # levels a, m, b: the condition never holds with m; with a it holds only for x > 0.8, and
    # with b mostly there. Peeling drops m, then a (poorer than the box), then cuts x to about
    # 0.8; on that slice a is as dense as b, and pasting adds it back: the box keeps a and b,
    # which are not neighbours
    rng = np.random.default_rng(1)
    names = ["a", "m", "b"]
    c = rng.choice(names, 1500)
    x = rng.uniform(0, 1, 1500)
    p = np.select([c == "a", c == "m"], [np.where(x > 0.8, 1.0, 0.0), 0.0],
                  np.where(x > 0.8, 0.95, 0.3))
    y = rng.uniform(size=1500) < p
    X = pd.DataFrame({"c": pd.Categorical(c, categories=names, ordered=True), "x": x})
    peeled = prim.find_box(X, y, threshold=0.9, paste=False)
    pasted = prim.find_box(X, y, threshold=0.9)
    assert peeled.kept("c") == ["b"]
    assert pasted.kept("c") == ["a", "b"]
    assert pasted.density > peeled.density and pasted.n > peeled.n
    assert pasted.limits.loc["x", "lower"] == peeled.limits.loc["x", "lower"]
    assert pasted.limits.loc["x", "lower"] == pytest.approx(0.8, abs=0.04)
    assert "c in {a, b} (of a, m, b; p = " in pasted.describe()


def test_a_choice_that_does_not_matter_is_dropped_whole():
    # the condition depends on x only: a box made to keep levels a and c of the choice shows that
    # limit as not mattering, and pruning gives the choice all its levels back
    rng = np.random.default_rng(12)
    names = ["a", "b", "c"]
    c = rng.choice(names, 1500)
    x = rng.uniform(0, 1, 1500)
    y = rng.uniform(size=1500) < np.where(x > 0.7, 0.85, 0.05)
    X = pd.DataFrame({"c": pd.Categorical(c, categories=names, ordered=True), "x": x})
    box = prim.find_box(X, y)
    assert box.restricted == ["x"] and box.kept("c") == names
    box.limits.loc["c", "kept"] = 0b101  # keeps a and c only (bits 0 and 2)
    box.limits.loc["c", "restricted"] = True
    assert box.kept("c") == ["a", "c"]
    tested = prim.prune(box, X, y, p_max=1.0)  # every limit kept, each tested
    assert tested.kept("c") == ["a", "c"] and tested.n == int(box.contains(X).sum())
    assert tested.limits.loc["c", "p_value"] > 0.05
    assert tested.limits.loc["x", "p_value"] < 1e-10
    pruned = prim.prune(box, X, y)
    assert pruned.restricted == ["x"]
    assert pruned.kept("c") == names and pruned.limits.loc["c", "kept"] == 0b111
    assert np.isnan(pruned.limits.loc["c", "p_value"])
    inside = pruned.contains(X)
    assert pruned.n == inside.sum() and pruned.n > tested.n


def test_boxes_of_numbers_are_what_they_were():
    """Inputs that are all numbers (one of them a grid, with ties) peel, paste, cover and prune
    exactly as before the choices were peeled by level: the limits, p-values, counts and
    trajectories below are the old algorithm's, to the last bit."""
    rng = np.random.default_rng(2024)
    n = 500
    X = np.column_stack([rng.uniform(0, 1, n), rng.choice([0.1, 0.2, 0.3, 0.4, 0.5], n),
                         rng.normal(0, 1, n)])
    y = rng.uniform(size=n) < np.where((X[:, 0] > 0.3) & (X[:, 1] >= 0.3), 0.8, 0.1)
    first, second = prim.find_boxes(X, y, n_boxes=2, names=["u", "g", "z"])
    nan = math.nan
    old = [  # (box, lower, upper, min, max, p_value, restricted, n, k, trajectory n)
        (first, [0.2888501135345109, 0.3, -2.6573599347069137],
         [0.9958020988654668, 0.5, 2.85738057613228],
         [0.004001749987028624, 0.1, -2.6573599347069137],
         [0.9958020988654668, 0.5, 2.85738057613228],
         [2.014915351484073e-14, 1.0502963187137942e-15, nan], [True, True, False], 208, 163,
         [500, 412, 318, 302, 286, 271, 257, 244, 231, 219, 208, 144, 68, 64, 60, 57, 54, 51,
          48, 45, 42, 39, 37, 35, 33, 31, 29, 27, 25, 208]),
        (second, [0.004001749987028624, 0.1, -2.6413318904005325],
         [0.9958020988654668, 0.4, 2.85738057613228],
         [0.004001749987028624, 0.1, -2.6413318904005325],
         [0.9958020988654668, 0.5, 2.85738057613228],
         [nan, 0.37535806406290356, nan], [False, True, False], 256, 21,
         [292, 256, 217, 182, 94, 89, 84, 79, 75, 71, 67, 63, 59, 56, 53, 50, 47, 44, 41, 39,
          37, 35, 33, 31, 29, 27, 25, 23, 21, 20, 19, 18, 17, 16, 15, 256]),
    ]
    for box, lower, upper, lo, hi, p, restricted, n_in, k_in, traj in old:
        lim = box.limits
        for col, want in (("lower", lower), ("upper", upper), ("min", lo), ("max", hi),
                          ("p_value", p)):
            np.testing.assert_array_equal(lim[col].to_numpy(), want, err_msg=col)
        assert lim["restricted"].tolist() == restricted and (lim["kept"] == 0).all()
        assert (box.n, box.k) == (n_in, k_in)
        assert box.trajectory["n"].tolist() == traj
    assert (first.coverage, first.density) == (0.8810810810810811, 0.7836538461538461)
    assert (second.coverage, second.density) == (0.9545454545454546, 0.08203125)
    assert second.coverage_total == 0.11351351351351352
    # pruning box 2 on the points it was found on frees g (p = 0.38)
    rest = ~first.contains(pd.DataFrame(X, columns=["u", "g", "z"]))
    pruned = prim.prune(second, X[rest], y[rest])
    assert pruned.restricted == [] and (pruned.n, pruned.k) == (292, 22)
    np.testing.assert_array_equal(pruned.limits["upper"].to_numpy(),
                                  [0.9958020988654668, 0.5, 2.85738057613228])


def test_limit_words_leave_out_a_unit_that_is_not_one():
    """A threshold's unit is "1 or agents" (the rule decides which); the box does not say
    "at most 0.2 or agents". The report's caption and the printed box share these words."""
    row = {"lower": 0.2, "upper": 0.2, "min": 0.2, "max": 0.5}
    assert prim.limit_words("t", row, "1 or agents") == "t at most 0.2"
    assert prim.limit_words("h", {"lower": 15, "upper": 25, "min": 5, "max": 25},
                            "h per step") == "h at least 15 h per step"
    assert prim.limit_words("r", {"lower": 0.1, "upper": 0.3, "min": 0, "max": 1},
                            "1 per step") == "r between 0.1 and 0.3 per step"


def test_limit_words_say_udunits_in_words():
    """A file's units are UDUNITS strings (docs/HDF5_LAYOUT.md): a box says them in words, and
    leaves out a count's "count" as it does a share's "1"."""
    assert prim.limit_words("r", {"lower": 0.1, "upper": 0.3, "min": 0, "max": 1},
                            "week-1") == "r between 0.1 and 0.3 per week"
    assert prim.limit_words("h", {"lower": 15, "upper": 25, "min": 5, "max": 25},
                            "h week-1") == "h at least 15 h per week"
    assert prim.limit_words("k", {"lower": 2, "upper": 6, "min": 2, "max": 8},
                            "count") == "k at most 6"
    assert prim.limit_words("p", {"lower": 4, "upper": 52, "min": 1, "max": 52},
                            "week") == "p at least 4 weeks"


def _sha(path):
    import hashlib
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_failed_discovery_write_leaves_the_file_as_it_was(small_sweep, tmp_path,
                                                            monkeypatch):
    """/discovery is written into a copy renamed over the file when complete: a failure in the
    middle of writing the group leaves the sweep's file byte for byte as it was (its earlier
    /discovery readable) and no copy behind; a later write succeeds."""
    import shutil
    path = tmp_path / "s.h5"
    shutil.copyfile(small_sweep, path)
    where = "win_weeks[relationship_first] > win_weeks[big_messaging]"
    discover.discover(path, where)
    before = _sha(path)
    calls = []

    def failing(dset, *scales):
        calls.append(1)
        if len(calls) == 5:
            raise OSError(28, "No space left on device (simulated)")
        for axis, scale in enumerate(scales):
            dset.dims[axis].attach_scale(scale)
        return dset

    monkeypatch.setattr(load, "_on_dims", failing)
    with pytest.raises(OSError, match="simulated"):
        discover.discover(path, "wins > 0")
    assert len(calls) == 5  # it failed in the middle of the group
    assert _sha(path) == before
    assert load.discovery(path).where == where
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.h5"]
    monkeypatch.undo()
    discover.discover(path, "wins > 0")
    assert load.discovery(path).where == "wins > 0"
    assert load.open_results(path).sizes["run"] == load.open_results(small_sweep).sizes["run"]


def test_a_discovery_write_killed_midway_leaves_the_file_as_it_was(small_sweep, tmp_path):
    """SIGKILL in the middle of writing /discovery: the file is unchanged and readable; the copy
    left behind is replaced by the next write."""
    import shutil
    from conftest import REPO
    path = tmp_path / "s.h5"
    shutil.copyfile(small_sweep, path)
    where = "win_weeks[relationship_first] > win_weeks[big_messaging]"
    discover.discover(path, where)
    before = _sha(path)
    script = (
        "import os, signal, sys\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "from analysis import discover, load\n"
        "calls = []\n"
        "real = load._on_dims\n"
        "def killing(dset, *scales):\n"
        "    calls.append(1)\n"
        "    if len(calls) == 5:\n"
        "        dset.file.flush()\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return real(dset, *scales)\n"
        "load._on_dims = killing\n"
        f"discover.discover({str(path)!r}, 'wins > 0')\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == -9, done.stderr
    assert _sha(path) == before
    assert load.discovery(path).where == where
    stray = tmp_path / "s.h5.discovery.partial"
    assert stray.exists()
    res = subprocess.run([sys.executable, "-m", "analysis.discover", str(path), "--where",
                          "wins > 0"], cwd=REPO, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert load.discovery(path).where == "wins > 0" and not stray.exists()
