"""The report of a sweep (analysis.report): its story says what changed with the varied
parameters, level by level, before the pooled averages, and never calls design points that
differ "the same workplaces"."""
import html
import re

import numpy as np
import pandas as pd

from analysis import report


def _runs(levels, means, arms=("a",), reps=4, extra=None):
    """A runs table: parameter p at each level, organized_base_end = means[arm][level] exactly
    (the replicates spread symmetrically around it)."""
    rows = []
    for arm in arms:
        for point, level in enumerate(levels):
            for r in range(reps):
                spread = (r - (reps - 1) / 2) * 0.001
                row = {"arm": arm, "point": point, "replicate": r, "p": level,
                       "organized_base_end": means[arm][point] + spread}
                if extra:
                    row.update(extra(point, r))
                rows.append(row)
    runs = pd.DataFrame(rows)
    runs["arm"] = pd.Categorical(runs["arm"], categories=list(arms), ordered=True)
    runs.attrs["units"] = {"organized_base_end": "1"}
    runs.attrs["long_name"] = {"organized_base_end": "share of the workplace organized"}
    return runs


def test_a_choice_is_told_level_by_level_by_name():
    runs = _runs(["relationship_first", "big_messaging"], {"a": [0.26, 0.002]})
    runs["p"] = pd.Categorical(runs["p"], categories=["relationship_first", "big_messaging"],
                               ordered=True)
    (text,) = report.sweep_sentences(runs, ["p"], "organized_base_end")
    assert text == ("Organized base at the end, by p: 26% with relationship first and 0.2% with "
                    "big messaging.")


def test_numbers_each_level_per_arm_and_the_marginal_mean_is_said():
    runs = _runs([5.0, 15.0, 25.0], {"a": [0.1, 0.2, 0.3], "b": [0.05, 0.05, 0.05]},
                 arms=("a", "b"), extra=lambda point, r: {"q": float(r % 2)})
    texts = report.sweep_sentences(runs, ["p", "q"], "organized_base_end")
    assert texts[0].startswith("Organized base at the end under a, by p: 10% at 5, 20% at 15 "
                               "and 30% at 25")
    assert texts[1].startswith("Organized base at the end under b, by p: 5.0% at 5")
    assert all(t.endswith("(each the average over the other parameters' settings).")
               for t in texts)
    # q: the other parameter; its two levels average over p's three
    assert "by q:" in texts[2] and len(texts) == 4


def test_a_sampled_parameter_is_told_by_its_lowest_and_highest_third():
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, 300)
    runs = pd.DataFrame({"arm": pd.Categorical(["a"] * 300), "point": np.arange(300),
                         "p": x, "organized_base_end": 0.5 * x})
    runs.attrs["units"] = {"organized_base_end": "1"}
    runs.attrs["long_name"] = {"organized_base_end": "share of the workplace organized"}
    (text,) = report.sweep_sentences(runs, ["p"], "organized_base_end")
    low = 0.5 * x[x <= np.quantile(x, 1 / 3)].mean()
    high = 0.5 * x[x >= np.quantile(x, 2 / 3)].mean()
    assert f"{report._pct(low)} in the lowest third of its range" in text
    assert f"{report._pct(high)} in the highest" in text


def test_the_sweep_report_says_design_points_not_the_same_workplaces(orgsim_files):
    page = report.render(str(orgsim_files("sweep_grid")))
    sub = html.unescape(re.search(r"<p class='sub'>(.*?)</p>", page, re.S).group(1))
    assert "20 design points with 10 simulated workplaces at each" in sub
    story = [html.unescape(t) for t in re.findall(
        r"<li>(.*?)</li>", re.search(r"<ul class='story'>(.*?)</ul>", page, re.S).group(1))]
    assert story[0].startswith("This is a sweep: 20 design points, where campaign hours per "
                               "week (campaign.hours_per_step) and environment turnover per week "
                               "(environment.turnover) take different values")
    assert any(t.startswith("Organized base at the end under relationship-first, by "
                            "campaign hours per week: ") for t in story)
    # the parameters in words and units, not dotted keys and raw fractions
    turnover = next(t for t in story if "by environment turnover per week:" in t)
    assert re.search(r"[\d.]+% at 0%, [\d.]+% at 0\.4%, [\d.]+% at 1\.0% and [\d.]+% at 2\.0%",
                     turnover)
    assert not any("by environment.turnover" in t or "at 0.004" in t for t in story)
    hours = next(t for t in story if "by campaign hours per week:" in t)
    assert " at 5 h, " in hours and " at 25 h" in hours
    assert any(t.startswith("Pooled over every design point") for t in story)
    note = html.unescape(re.search(r"<p class='note printonly'>(.*?)</p>", page, re.S).group(1))
    assert "the same" not in note and "20 design points" in note
    points = re.search(r"<ol class='discuss'>(.*?)</ol>", page, re.S).group(1)
    assert "sweep's settings" in html.unescape(points)
    assert "Which of these arms" not in html.unescape(points)


def test_parameters_are_said_in_words_and_units():
    assert report.param_words("environment.turnover", "1 per step") == \
        "environment turnover per week"
    assert report.param_words("campaign.hours_per_step", "h per step") == \
        "campaign hours per week"
    assert report.param_words("population.threshold.mean", "1") == "threshold mean"
    assert report.param_value(0.004, "1 per step") == "0.4%"
    assert report.param_value(15.0, "h per step") == "15 h"
    assert report.param_value(0.25, "1") == "0.25"
    assert report.param_value("big_messaging", "") == "big messaging"


def test_parameters_in_udunits_are_said_in_the_same_words():
    """Files say units as UDUNITS strings ("week-1", "h week-1"; docs/HDF5_LAYOUT.md); the room
    hears the same words as from the table's ("1 per step") of older files."""
    assert report.param_words("environment.turnover", "week-1") == \
        "environment turnover per week"
    assert report.param_words("campaign.hours_per_step", "h week-1") == \
        "campaign hours per week"
    assert report.param_words("broadcast.reach", "week-1") == "broadcast reach per week"
    assert report.param_value(0.004, "week-1") == "0.4%"
    assert report.param_value(15.0, "h week-1") == "15 h"
    assert report.param_value(3.0, "count") == "3"


def test_an_arms_interval_is_cut_where_the_outcome_cannot_go():
    """A count's mean over skewed runs (mostly 0): the t interval reaches below 0, the report's
    does not; a share's stops at 1. The half-width is the t interval's still."""
    from analysis import stats
    raw = stats.mean_ci([0, 0, 0, 0, 0, 0, 0, 2])
    assert raw["lower"] < 0
    cut = stats.mean_ci([0, 0, 0, 0, 0, 0, 0, 2], bounds=(0.0, float("inf")))
    assert cut["lower"] == 0.0 and cut["upper"] == raw["upper"] and cut["half"] == raw["half"]
    share = stats.mean_ci([1, 1, 1, 1, 1, 1, 0.9], bounds=(0.0, 1.0))
    assert share["upper"] == 1.0 and share["lower"] > 0.9
    runs = pd.DataFrame({"arm": pd.Categorical(["a"] * 8), "wins": [0] * 7 + [2]})
    table = stats.summarize_arms(runs, ["wins"], bounds={"wins": (0.0, float("inf"))})
    assert table.loc[0, "lower"] == 0.0
