"""analysis.empirical: the calibration patterns C1-C8 computed from the empirical scenarios.

Checks the statistics on known answers (Wilson intervals), the pattern extraction on a real
union_election run against the run's own tables, the policy read for C6, and that the targets file
holds every calibration pattern with a source.

Run: /usr/bin/python3 -m pytest -q tests/python/test_empirical.py
"""

import math
import subprocess

import numpy as np
import pytest

from analysis import empirical as E
from analysis import load


def test_wilson_interval_known_values():
    # Wilson (1927) 95% interval for 8 of 10: 0.490-0.943 (e.g. Newcombe 1998, Table I)
    p, lo, hi = E.share_ci(8, 10)
    assert p == 0.8
    assert lo == pytest.approx(0.4902, abs=5e-4) and hi == pytest.approx(0.9433, abs=5e-4)
    p, lo, hi = E.share_ci(0, 20)
    assert p == 0 and lo == 0 and 0.1 < hi < 0.2
    assert all(math.isnan(x) for x in E.share_ci(0, 0))


def test_targets_hold_every_calibration_pattern():
    t = E.read_targets()
    for key in ("C1", "C2", "C3", "C4", "C5", "C6", "C7a", "C7b", "C7c", "C8"):
        assert key in t, key
        assert t[key]["low"] <= t[key].get("target", t[key]["low"]) <= t[key]["high"]
        assert t[key]["source"]


def test_the_readiness_bar_is_the_drives_policy():
    assert E.readiness_bar() == pytest.approx(0.75)


def test_election_patterns_agree_with_the_runs_own_tables(orgsim_binary, tmp_path):
    out = E.run(orgsim_binary, E.EMPIRICAL / "union_election.json", tmp_path / "u.h5",
                ["population.size=25", "steps=156"], 12)
    got = E.election_patterns(out)
    runs = load.runs_table(out)
    rel = runs[runs["arm"].astype(str) == "relationship_first"]
    acts = load.action_events(out)
    el = acts[(acts["arm"].astype(str) == "relationship_first") & (acts["kind"] == "election")]
    assert got["runs"] == len(rel)
    assert got["elections"] == el["run"].nunique()
    assert got["elections"] > 0
    held = rel[rel.index.isin(el["run"].unique())]
    assert got["C2"][0] == pytest.approx(np.mean(held["firings"] > 0))
    assert got["C3"][0] == pytest.approx(np.mean(held["threats"] > 0))
    first = el.sort_values("step").groupby("run").head(1)
    assert got["C1"][0] == pytest.approx(first["won"].mean())
    for key in ("C1", "C2", "C3", "C4"):
        v, lo, hi = got[key]
        assert math.isnan(v) or 0 <= lo <= v <= hi <= 1


def test_contact_effects_agree_with_the_runs_own_tables(orgsim_binary, tmp_path):
    out = E.run(orgsim_binary, E.EMPIRICAL / "contact_experiment.json", tmp_path / "c.h5", [], 12)
    got = E.contact_effects(out)
    runs = load.runs_table(out)
    ctl = runs[runs["arm"].astype(str) == "control"].set_index("replicate")
    one = runs[runs["arm"].astype(str) == "one_on_one"].set_index("replicate")
    per = (one["first_action_participants"] - ctl["first_action_participants"]) / \
        one["one_on_ones_staff_total"]
    assert got["C7a"][0] == pytest.approx(per.mean())
    b = runs[runs["arm"].astype(str) == "broadcast"]
    assert got["C8"][0] == pytest.approx(
        (b["broadcast_responders_total"] / b["broadcast_reached_total"]).mean())
    # the control makes no contact; every treated arm makes its own kind
    assert ctl["one_on_ones_staff_total"].sum() == 0 and ctl["broadcast_reached_total"].sum() == 0
    assert (b["broadcast_reached_total"] > 0).all()
    for key in ("C7a", "C7b", "C7c", "C8"):
        v, lo, hi = got[key]
        assert lo <= v <= hi


def test_the_verdict_reads_the_interval_not_the_point_estimate():
    """A point estimate inside the band whose 95% interval pokes out is not 'inside' (the review:
    C8 0.038 (0.035-0.042) against 0.01-0.04, C5 0.308 (0.295-0.321) against 0.30-0.50)."""
    assert E.verdict((0.038, 0.035, 0.042), 0.01, 0.04) == "overlapping (upper edge)"
    assert E.verdict((0.308, 0.295, 0.321), 0.30, 0.50) == "overlapping (lower edge)"
    assert E.verdict((0.4, 0.2, 0.6), 0.30, 0.50) == "overlapping (both edges)"
    assert E.verdict((0.074, 0.064, 0.084), 0.05, 0.13) == "inside"
    assert E.verdict((0.29, 0.28, 0.299), 0.30, 0.50) == "outside (below)"
    assert E.verdict((1.0, 0.981, 1.0), 0.62, 0.76) == "outside (above)"
    # an estimate just outside the band whose interval reaches into it overlaps, not 'below'
    assert E.verdict((0.295, 0.285, 0.305), 0.30, 0.50) == "overlapping (lower edge)"
    # a value without an interval (C6, a policy) is judged by the value
    assert E.verdict(0.75, 0.7, 0.8) == "inside"
    assert E.verdict((0.9, math.nan, math.nan), 0.7, 0.8) == "outside (above)"
    assert E.verdict((math.nan,) * 3, 0.7, 0.8) == "not measured"


def test_the_table_prints_the_interval_next_to_the_band():
    targets = E.read_targets()
    rows = [("C8", 100, (0.038, 0.035, 0.042), E.verdict((0.038, 0.035, 0.042), 0.01, 0.04),
             "responders"),
            ("C6", None, (0.75, math.nan, math.nan), E.verdict(0.75, 0.7, 0.8), "a policy")]
    text = E.markdown(rows, targets)
    assert "| tolerance band | model's 95% interval | model estimate | verdict |" in text
    assert ("| C8 | 100 | 0.02 | 0.01–0.04 | 0.035–0.042 | 0.038 | overlapping (upper edge) | "
            "responders |") in text
    assert "| C6 | — | — | 0.7–0.8 | — | 0.75 | inside | a policy |" in text
