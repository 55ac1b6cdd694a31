"""A swept choice in the analyses that look at every varied parameter: `orgsim discover` (PRIM
boxes, analysis.prim), analysis.robustness and analysis.study.

The sweep runs the default scenario's two arms over a grid of `actions.policy` (three levels,
listed out of alphabetical order) x `employer.resistance`. The conditions are chosen so that the
answer is known whatever the engine's numbers: with the policy `never` no action is ever called,
with `schedule` and `continuous` at least one is.

Run: ORGSIM_BINARY=$PWD/build/orgsim /usr/bin/python3 -m pytest -q tests/python/test_choice_sweeps.py
"""

import json
import re
import subprocess

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("h5py")
pytest.importorskip("matplotlib")

from conftest import REPO, _run_engine, text_of  # noqa: E402
from analysis import discover, figures, load, prim, report  # noqa: E402

POLICY = "actions.policy"
LEVELS = ["schedule", "continuous", "never"]
SMALL = {"extends": str(REPO / "scenarios" / "default.json"), "population": {"size": 100},
         "network": {"departments": 5}, "steps": 60}


def _sweep(out, name, scenario, parameters, replicates=3):
    spec = out / f"{name}.json"
    spec.write_text(json.dumps({"name": f"choices-{name}", "description": "A swept choice.",
                                "scenario": scenario, "replicates": replicates, "seed": 5,
                                "design": {"type": "grid", "parameters": parameters}}),
                    encoding="utf-8")
    return spec


@pytest.fixture(scope="module")
def policy_sweep(orgsim_binary, tmp_path_factory):
    """The sweep file and its results: 3 policies x 3 resistances, 2 arms, 3 replicates."""
    out = tmp_path_factory.mktemp("choices")
    spec = _sweep(out, "policy", SMALL, {POLICY: LEVELS,
                                         "employer.resistance": [0.15, 0.3, 0.45]})
    return spec, _run_engine(orgsim_binary, "sweep", spec, out / "policy.h5")


@pytest.fixture()
def policy_file(policy_sweep, orgsim_copy):
    """A copy of the results (discover and the study write /discovery into it)."""
    return orgsim_copy(policy_sweep[1], "policy.h5")


def _discover(binary, path, where):
    done = subprocess.run([str(binary), "discover", str(path), "--where", where],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


# ---- orgsim discover -----------------------------------------------------------------------------

def test_discover_says_a_choice_by_its_levels(policy_file, orgsim_binary):
    text = _discover(orgsim_binary, policy_file, "actions == 0")
    assert f"{POLICY} is never (of schedule, continuous, never; p = " in text
    assert not re.search(rf"{re.escape(POLICY)} (at least|at most|between)", text)
    text = _discover(orgsim_binary, policy_file, "actions > 0")
    assert f"{POLICY} in {{schedule, continuous}} (of schedule, continuous, never; p = " in text
    assert not re.search(rf"{re.escape(POLICY)} (at least|at most|between)", text)
    # what it wrote: the limits are indices into the column's levels, which load names
    d = load.discovery(policy_file)
    assert d.levels == {POLICY: LEVELS}
    lim = d.limits.loc[1]
    assert lim.loc[POLICY, "restricted"]
    assert prim.level_range(d.levels[POLICY], lim.loc[POLICY, "lower"],
                            lim.loc[POLICY, "upper"]) == ["schedule", "continuous"]


def test_the_report_names_the_levels_a_box_keeps(policy_file, orgsim_binary):
    _discover(orgsim_binary, policy_file, "actions > 0")
    text = text_of(report.render(str(policy_file)))
    assert f"box 1: {POLICY} in {{schedule, continuous}} (p = " in text
    assert f"{POLICY} 0 to 1" not in text
    # the box over the inputs: one tick per level, by name
    runs = load.runs_table(policy_file)
    d = load.discovery(policy_file)
    X, y, _ = discover.evaluate(runs, d.where, load.varied_params(load.open_results(policy_file)))
    fig = figures.plot_box_scatter(d, X, y, inputs=[POLICY, "employer.resistance"])
    ax = [a for a in fig.axes if a.get_visible()][0]
    assert [t.get_text() for t in ax.get_xticklabels()] == LEVELS


def test_the_file_keeps_the_levels_a_box_keeps(policy_file):
    """/discovery stores the set of levels a box keeps (`kept`, a bit mask), also when they are
    not neighbours; the report and the box figure say that set; a file written before `kept`
    reads as the run of levels lower..upper, which is all a box could keep then."""
    import h5py
    from analysis import study
    runs = load.runs_table(policy_file)
    params = load.varied_params(load.open_results(policy_file))
    X, _, unit = discover.evaluate(runs, "wins >= 0", params)
    levels = prim.choice_levels(runs, params)
    # a condition that holds with schedule and never, not with continuous, which lies between
    where = f"{POLICY} is not continuous"
    y = (X[POLICY] != LEVELS.index("continuous")).to_numpy()
    boxes = prim.find_boxes(X, y, n_boxes=1, levels=levels)
    assert boxes[0].kept(POLICY) == ["schedule", "never"]
    settings = {"alpha": 0.05, "min_mass": 0.05}
    load.write_discovery(policy_file, where, unit, boxes, len(y), int(y.sum()), settings)
    d = load.discovery(policy_file)
    assert d.kept(1, POLICY) == ["schedule", "never"]
    lim = d.limits.loc[(1, POLICY)]
    assert (lim["lower"], lim["upper"], lim["min"], lim["max"], lim["kept"]) == (0, 2, 0, 2, 5)
    assert lim["restricted"]
    assert d.limits.loc[(1, "employer.resistance"), "kept"] == 0
    with pytest.raises(ValueError, match="employer.resistance is not a swept choice"):
        d.kept(1, "employer.resistance")
    pd.testing.assert_frame_equal(d.limits.loc[1], boxes[0].limits)
    # the same boxes held in memory by the study
    mem = study.as_discovery(where, unit, boxes, len(y), int(y.sum()), settings)
    assert mem.kept(1, POLICY) == ["schedule", "never"]
    pd.testing.assert_frame_equal(mem.limits, d.limits)
    # the report's caption and the box figure: two bands, around schedule and around never
    assert f"box 1: {POLICY} in {{schedule, never}} (p = " in text_of(report.render(
        str(policy_file)))
    fig = figures.plot_box_scatter(d, X, y, inputs=[POLICY, "employer.resistance"])
    ax = [a for a in fig.axes if a.get_visible()][0]
    spans = sorted((round(p.get_x(), 6), round(p.get_x() + p.get_width(), 6))
                   for p in ax.patches)
    assert spans == [(-0.4, 0.4), (1.6, 2.4)]
    # a file written before `kept`: the levels lower..upper
    with h5py.File(policy_file, "r+") as f:
        del f["discovery/kept"]
    assert load.discovery(policy_file).kept(1, POLICY) == LEVELS
    y = (X[POLICY] != LEVELS.index("never")).to_numpy()
    boxes = prim.find_boxes(X, y, n_boxes=1, levels=levels)
    load.write_discovery(policy_file, "not never", unit, boxes, len(y), int(y.sum()), settings)
    with h5py.File(policy_file, "r+") as f:
        del f["discovery/kept"]
    old = load.discovery(policy_file)
    assert old.kept(1, POLICY) == ["schedule", "continuous"]
    assert old.limits.loc[(1, "employer.resistance"), "kept"] == 0


def test_prim_takes_a_choice_as_a_categorical_column():
    # levels out of alphabetical order: the index follows the levels, not the names' order
    rng = np.random.default_rng(3)
    names = ["low", "high", "mid"]
    c = pd.Categorical(rng.choice(names, 900), categories=names, ordered=True)
    x = rng.uniform(0, 1, 900)
    y = rng.uniform(size=900) < np.where((c == "mid") & (x > 0.5), 0.9, 0.05)
    X = pd.DataFrame({"c": c, "x": x})
    box = prim.find_boxes(X, y, n_boxes=1)[0]
    assert box.levels == {"c": names}
    assert box.kept("c") == ["mid"]
    assert "c is mid (of low, high, mid; p = " in box.describe()
    assert box.limits.loc["x", "lower"] == pytest.approx(0.5, abs=0.06)
    codes = pd.DataFrame({"c": X["c"].cat.codes.astype(float), "x": x})
    assert (box.contains(X) == box.contains(codes)).all()  # by name or by index
    assert (box.contains(X.assign(c=X["c"].astype(str))) == box.contains(codes)).all()
    assert box.contains(X).sum() == box.n
    same = prim.find_boxes(codes, y, n_boxes=1, levels={"c": names})[0]
    pd.testing.assert_frame_equal(same.limits, box.limits)
    pruned = prim.prune(box, X, y)
    assert pruned.levels == box.levels and "c" in pruned.restricted
    # two neighbouring levels read as a set
    y2 = rng.uniform(size=900) < np.where(c != "low", 0.9, 0.05)
    box2 = prim.find_boxes(X, y2, n_boxes=1)[0]
    assert box2.kept("c") == ["high", "mid"]
    assert "c in {high, mid} (of low, high, mid; p = " in box2.describe()


def test_prim_takes_a_switch_by_name_whatever_its_dtype():
    """A switch's levels are "true"/"false" (load.level_name), in the order the sweep file lists
    them: with [true, false], true is index 0 (not 1, as a cast of a bool to a number says).
    Python bools, numpy bools and the names all match the levels."""
    rng = np.random.default_rng(4)
    s = rng.uniform(size=600) < 0.5
    x = rng.uniform(0, 1, 600)
    y = rng.uniform(size=600) < np.where(~s & (x > 0.5), 0.9, 0.05)  # holds when s is false
    levels = {"s": ["true", "false"]}
    codes = pd.DataFrame({"s": np.where(s, 0.0, 1.0), "x": x})
    box = prim.find_boxes(codes, y, n_boxes=1, levels=levels)[0]
    assert box.kept("s") == ["false"]
    named = pd.Categorical(np.where(s, "true", "false"), categories=levels["s"], ordered=True)
    for col in (s, s.astype(object), named, np.where(s, "true", "false").astype(object)):
        frame = pd.DataFrame({"s": col, "x": x})
        assert (box.contains(frame) == box.contains(codes)).all(), frame["s"].dtype
        assert (box.contains(frame, open_ends=True) == box.contains(codes, open_ends=True)).all()
        same = prim.find_boxes(frame, y, n_boxes=1, levels=levels)[0]
        pd.testing.assert_frame_equal(same.limits, box.limits)
        pd.testing.assert_frame_equal(prim.prune(box, frame, y).limits,
                                      prim.prune(box, codes, y).limits)
    np.testing.assert_array_equal(
        prim.level_codes([True, False, np.True_, None, np.nan, "true", "True"], levels["s"]),
        [0, 1, 0, np.nan, np.nan, 0, np.nan])
    # a Categorical of booleans is named true/false too
    flags = pd.DataFrame({"s": pd.Categorical(s, categories=[True, False], ordered=True)})
    assert prim.choice_levels(flags) == levels


def test_open_ends_keep_a_choices_limits():
    """Open ends unbound a number's uncut side (the rule for points a little past the data),
    not a choice's: a level the box never saw is not one it keeps."""
    rng = np.random.default_rng(5)
    levels = ["a", "b", "c"]
    c = rng.choice(["a", "b"], 600)  # the box is found where c is never "c"
    x = rng.uniform(0, 1, 600)
    y = rng.uniform(size=600) < np.where((c == "b") & (x > 0.5), 0.9, 0.05)
    X = pd.DataFrame({"c": pd.Categorical(c, categories=levels, ordered=True), "x": x})
    box = prim.find_boxes(X, y, n_boxes=1)[0]
    assert box.kept("c") == ["b"] and box.limits.loc["c", "upper"] == box.limits.loc["c", "max"]
    assert box.limits.loc["x", "upper"] == box.limits.loc["x", "max"]
    new = pd.DataFrame({"c": pd.Categorical(["b", "c", "b"], categories=levels, ordered=True),
                        "x": [0.9, 0.9, 1.5]})
    assert box.contains(new, open_ends=True).tolist() == [True, False, True]
    assert box.contains(new).tolist() == [True, False, False]


# ---- analysis.robustness -------------------------------------------------------------------------

def test_robustness_takes_a_choice_by_level(policy_sweep):
    from analysis import robustness as R
    claim = {"arm": "relationship_first", "outcome": "actions", "at_least": 1,
             "says": "actions are called", "sweep": "policy.json"}
    points, summary = R.evaluate(policy_sweep[1], claim)
    assert list(points[POLICY].cat.categories) == LEVELS  # the levels, in the file's order
    table = summary["by_level"][POLICY]
    assert list(table.index) == LEVELS
    assert table["points"].tolist() == [3, 3, 3]
    assert table["holds"].tolist() == [1.0, 1.0, 0.0]
    assert "employer.resistance" not in summary["by_level"]  # a number has no levels
    rev = summary["reversing"]
    assert (rev.param, rev.level, rev.fail, rev.ok) == (POLICY, "never", 1.0, 0.0)
    line = R.sentence("policy", claim, summary)
    assert (f"where it fails, {POLICY} is more often never (100% of the points where it fails, "
            f"0% where it holds)") in line
    assert (f"by {POLICY}: 100% with schedule (3 points), 100% with continuous (3 points), "
            f"0% with never (3 points)") in line
    md = R.markdown([("policy", claim, summary)])
    head, rule, row = md.splitlines()[2:5]
    assert head.endswith("| where it fails | holds by level |") and rule.count("---") == 8
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[6:] == [f"`{POLICY}` more often `never` (100% vs 0%)",
                         f"`{POLICY}`: `schedule` 100%, `continuous` 100%, `never` 0%"]
    # where it holds everywhere: no "where it fails", the levels in their own column
    everywhere = dict(summary, holds=1.0, reversing=None)
    assert R.markdown([("policy", claim, everywhere)]).splitlines()[4].endswith(
        f"| — | `{POLICY}`: `schedule` 100%, `continuous` 100%, `never` 0% |")
    # no swept choice in any story: no column for it
    numbers = dict(summary, by_level={})
    assert "holds by level" not in R.markdown([("policy", claim, numbers)])
    assert R.markdown([("policy", claim, numbers)]).splitlines()[4].endswith(
        f"| `{POLICY}` more often `never` (100% vs 0%) |")


def test_robustness_reversing_choice_does_not_depend_on_the_levels_order():
    from analysis import robustness as R
    holds = [True, True, True, False, False, False]
    for order in (["a", "b", "c"], ["c", "a", "b"], ["b", "c", "a"]):
        points = pd.DataFrame({"holds": holds,
                               "k": pd.Categorical(["a", "a", "b", "c", "c", "b"],
                                                   categories=order, ordered=True),
                               "x": [0.1, 0.9, 0.5, 0.2, 0.8, 0.5]})
        rev = R._reversing(points, ["k", "x"])
        assert (rev.param, rev.level) == ("k", "c")
        assert rev.fail == pytest.approx(2 / 3) and rev.ok == 0.0
        assert rev.shift == pytest.approx(2 / 3)


def test_robustness_refuses_a_paired_claim_on_a_swept_choice(policy_sweep):
    from analysis import robustness as R
    claim = {"outcome": "wins", "greater": "schedule", "than": "never", "says": "s",
             "sweep": "policy.json"}
    with pytest.raises(R.ClaimError, match=r"claim names arm 'schedule'.*'schedule' is a level "
                                           r"of actions\.policy, swept as a design parameter.*one "
                                           r"arm per actions\.policy"):
        R.evaluate(policy_sweep[1], claim)


# ---- analysis.study ------------------------------------------------------------------------------

def test_the_study_runs_on_a_choice_sweep_and_names_its_levels(policy_file, tmp_path):
    from analysis import study
    doc = tmp_path / "WHEN.md"
    doc.write_text(f"head\n\n{study.BEGIN}\nstale\n{study.END}\n\ntail\n", encoding="utf-8")
    code = study.main(["--out", str(policy_file), "--reuse", "--markdown", str(doc),
                       "--images", str(tmp_path / "images")])
    assert code == 0
    text = doc.read_text(encoding="utf-8")
    assert "stale" not in text and "| region |" in text
    rows = [ln for ln in text.splitlines() if ln.startswith(f"| `{POLICY}` |")]
    assert rows  # PRIM cuts the policy in some box (never calls no action: no win)
    res = study.study(policy_file)
    assert res["levels"] == {POLICY: LEVELS}
    # a limit on the choice: the levels it keeps, of the levels studied: the levels held by the
    # points PRIM ran on (box 1: all of them; box 2: those outside box 1), from first to last
    studied = {}
    for c in res["conditions"]:
        X, _, _, _ = study.evaluate(res["runs"], c["where"], res["inputs"])
        outside = np.ones(len(X), dtype=bool)
        for i, box in enumerate(c["boxes"], 1):
            held = sorted(set(X[POLICY][outside].astype(int)))
            studied[(c["title"], i)] = ", ".join(LEVELS[held[0]:held[-1] + 1])
            outside &= ~box.contains(X)
    title, box_no, checked = None, None, 0
    for line in text.splitlines():
        if line.startswith("### "):
            title = line[4:]
        elif line.startswith("**Box "):
            box_no = int(line[6])
        elif line.startswith(f"| `{POLICY}` |") and title in {c["title"] for c in
                                                                res["conditions"]}:
            cells = [c.strip() for c in line.strip("|").split("|")]
            assert re.fullmatch(r"is \w+|in \{\w+(, \w+)+\}", cells[1]), line
            assert cells[2] == studied[(title, box_no)], line
            kept = re.findall(r"\w+", cells[1])[1:]
            assert set(kept) < set(cells[2].split(", ")), line
            checked += 1
    assert checked == len(rows)
    regions = study.regions(res)
    assert regions.set_index("region").loc["all workplaces", "workplaces"] == 27
    # a box that keeps two of the three levels, in the page's table
    X, _, _, pts = study.evaluate(res["runs"], "wins >= 0", res["inputs"])
    y = (X[POLICY] != LEVELS.index("never")).to_numpy()
    box = prim.find_boxes(X, y, n_boxes=1, levels=res["levels"])[0]
    assert study._box_rows(box)[0].startswith(
        f"| `{POLICY}` | in {{schedule, continuous}} | schedule, continuous, never | ")
    # the box found on one half of the design points, applied to the other half by name
    split = study.split_check(X, y, pts, seed=1, levels=res["levels"])
    assert (split["restricts"].str.contains(POLICY)).all()
    assert (split["density_test"] == 1.0).all() and (split["coverage_test"] == 1.0).all()
    # regions' workplaces hold the choice by name: the box applied to them by name
    rf = res["runs"][res["runs"]["arm"].astype(str) == "relationship_first"]
    inside = box.contains(rf[res["inputs"]], open_ends=True)
    assert (inside == (rf[POLICY].astype(str) != "never").to_numpy()).all()


def test_the_study_refuses_a_strategy_swept_as_a_design_parameter(orgsim_binary, tmp_path,
                                                                   capsys):
    from analysis import study
    scenario = {"population": {"size": 100}, "network": {"departments": 5}, "steps": 20}
    spec = _sweep(tmp_path, "strategy", scenario,
                  {"campaign.strategy": ["relationship_first", "big_messaging"]}, replicates=2)
    path = _run_engine(orgsim_binary, "sweep", spec, tmp_path / "strategy.h5")
    with pytest.raises(study.StudyError, match=r"no arm relationship_first or big_messaging.*"
                                               r"sweeps campaign\.strategy as a design "
                                               r"parameter.*one arm per strategy") as err:
        study.study(path)
    assert str(err.value).startswith(f"{path}: the study compares the arms "), err.value
    assert study.main(["--out", str(path), "--reuse"]) == 2
    err = capsys.readouterr().err
    assert f"analysis.study: error: {path}: " in err and "one arm per strategy" in err
    # refused before the sweep runs
    out = tmp_path / "never.h5"
    assert study.main(["--orgsim", str(orgsim_binary), "--sweep", str(spec), "--out",
                       str(out)]) == 2
    assert "sweeps campaign.strategy as a design parameter" in capsys.readouterr().err
    assert not out.exists()
