"""analysis.robustness: the key claim of each trainer story over a box of plausible parameters.

The verdicts are checked on hand-made runs tables (known answers), the claims file against the
shipped scenarios and sweeps (every story has a claim, every claim names arms its scenario has, every
sweep is valid), and one real sweep end to end at a small size.

Run: /usr/bin/python3 -m pytest -q tests/python/test_robustness.py
"""

import json
import subprocess

import numpy as np
import pandas as pd
import pytest

from analysis import robustness as R

REPO = R.ROOT


def runs(diffs_by_point, arms=("a", "b"), outcome="o"):
    """A runs table: per point, per replicate, arm a's outcome minus arm b's is the given diff."""
    rows = []
    for point, diffs in enumerate(diffs_by_point):
        for rep, d in enumerate(diffs):
            rows.append({"arm": arms[0], "point": point, "replicate": rep, outcome: 1.0 + d,
                         "status": "done"})
            rows.append({"arm": arms[1], "point": point, "replicate": rep, outcome: 1.0,
                         "status": "done"})
    return pd.DataFrame(rows)


CLAIM = {"outcome": "o", "greater": "a", "than": "b", "says": "a beats b", "sweep": "x.json"}


def test_paired_verdicts_per_point():
    table = runs([[1.0, 1.1, 0.9, 1.0],      # clearly holds
                  [0.5, -0.4, 0.2, -0.1],     # holds (mean > 0) but not clearly
                  [-1.0, -1.1, -0.9, -1.0],   # reversed
                  [0.0, 0.0, 0.0, 0.0]])      # tied: nothing differs
    p = R._per_point(table, CLAIM)
    assert p["holds"].tolist() == [True, True, False, False]
    assert p["clearly"].tolist() == [True, False, False, False]
    assert p["reversed"].tolist() == [False, False, True, False]
    assert p["tied"].tolist() == [False, False, False, True]
    np.testing.assert_allclose(p["statistic"], [1.0, 0.05, -1.0, 0.0])


def test_failed_runs_are_left_out():
    table = runs([[1.0, 1.0, -50.0]])
    table.loc[(table["replicate"] == 2), "status"] = "failed"
    p = R._per_point(table, CLAIM)
    assert p["statistic"].iloc[0] == pytest.approx(1.0)


def test_bound_claims_use_the_ratio_of_sums():
    table = pd.DataFrame([
        {"arm": "x", "point": 0, "replicate": 0, "wins": 1, "actions": 10, "status": "done"},
        {"arm": "x", "point": 0, "replicate": 1, "wins": 0, "actions": 30, "status": "done"},
        {"arm": "x", "point": 1, "replicate": 0, "wins": 5, "actions": 10, "status": "done"},
    ])
    claim = {"arm": "x", "outcome": "wins", "per": "actions", "at_most": 0.05, "says": "s",
             "sweep": "x.json"}
    p = R._per_point(table, claim)
    np.testing.assert_allclose(p["statistic"], [1 / 40, 0.5])
    assert p["holds"].tolist() == [True, False]


def test_unknown_arms_and_outcomes_are_named():
    with pytest.raises(R.ClaimError, match="arm 'c'"):
        R._per_point(runs([[1.0]]), dict(CLAIM, greater="c"))
    with pytest.raises(R.ClaimError, match="outcome 'zz'"):
        R._per_point(runs([[1.0]]), dict(CLAIM, outcome="zz"))


def test_the_reversing_parameter_is_the_one_that_separates_failures():
    points = pd.DataFrame({"holds": [True, True, False, False],
                           "x": [0.1, 0.2, 0.8, 0.9], "y": [0.5, 0.4, 0.5, 0.4]})
    rev = R._reversing(points, ["x", "y"])
    assert rev.param == "x" and rev.shift > 0 and rev.fail == pytest.approx(0.85)
    assert rev.level is None  # a number


def test_bad_claims_files_name_the_path(tmp_path):
    bad = tmp_path / "claims.json"
    bad.write_text(json.dumps({"claims": {"s": {"sweep": "s.json", "outcome": "o", "says": "x"}}}))
    with pytest.raises(R.ClaimError, match=r"claims.json: /claims/s: expected either"):
        R.read_claims(bad)
    bad.write_text(json.dumps({"claims": {"s": {"sweep": "s.json", "outcome": 3, "says": "x",
                                                "greater": "a", "than": "b"}}}))
    with pytest.raises(R.ClaimError, match=r"/claims/s/outcome: expected a string"):
        R.read_claims(bad)
    bad.write_text("{")
    with pytest.raises(R.ClaimError, match="cannot read"):
        R.read_claims(bad)


def test_every_trainer_story_has_a_claim_on_arms_it_has(orgsim_binary):
    claims = R.read_claims()
    stories = sorted(p.stem for p in (REPO / "scenarios").glob("*.json"))
    assert sorted(claims) == stories
    for story, c in claims.items():
        scenario = json.loads((REPO / "scenarios" / f"{story}.json").read_text())
        arms = [a["name"] for a in scenario.get("arms", [])]
        for key in ("greater", "than", "arm"):
            if key in c:
                assert c[key] in arms, (story, key, c[key], arms)
        sweep = REPO / "scenarios" / "robustness" / c["sweep"]
        done = subprocess.run([str(orgsim_binary), "check", str(sweep)], capture_output=True,
                              text=True)
        assert done.returncode == 0, done.stderr


def test_a_real_sweep_end_to_end(orgsim_binary, tmp_path):
    # year1_isolated's box at 6 points x 3 replicates: relationship-first's bigger base is the
    # story's most robust claim (it held at every point of the full box when it was written).
    sweep = json.loads((REPO / "scenarios" / "robustness" / "year1_isolated.json").read_text())
    sweep["scenario"] = str(REPO / "scenarios" / "year1_isolated.json")
    sweep["design"]["samples"] = 6
    sweep["replicates"] = 3
    f = tmp_path / "small.json"
    f.write_text(json.dumps(sweep))
    out = tmp_path / "small.h5"
    R.run_sweep(orgsim_binary, f, out)
    points, summary = R.evaluate(out, R.read_claims()["year1_isolated"])
    assert summary["points"] == 6 and len(points) == 6
    assert set(summary["params"]) == set(sweep["design"]["parameters"])
    assert summary["holds"] >= 5 / 6
    line = R.sentence("year1_isolated", R.read_claims()["year1_isolated"], summary)
    assert "holds in" in line and "of the box" in line
