"""An arm's colour follows its organizing strategy, in every figure and the report, the same in
every file (analysis/arm_colors.json, shared with the trainer's page: tests/web/test_page.py
checks that the page agrees); where two arms of a file share a strategy the second takes a spare
colour (never another strategy's present in the file), so no two arms share a colour.

Run: ORGSIM_BINARY=build/orgsim /usr/bin/python3 -m pytest -q tests/python -k colour
"""

import html
import json
import re

import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("h5py")

from matplotlib.colors import to_hex  # noqa: E402

from analysis import figures, load, report  # noqa: E402
from conftest import REPO, _run_engine  # noqa: E402

PALETTE = json.loads((REPO / "analysis" / "arm_colors.json").read_text(encoding="utf-8"))
BY_STRATEGY = {k: v.lower() for k, v in PALETTE["strategy"].items()}
BY_POSITION = [v.lower() for v in PALETTE["position"]]
SHORT = ["--replicates", "2", "--steps", "30"]


def _legend_colours(fig):
    """{legend label: colour} of a figure's arm legend."""
    out = {}
    for legend in fig.legends + [ax.get_legend() for ax in fig.axes if ax.get_legend()]:
        for handle, text in zip(legend.legend_handles if hasattr(legend, "legend_handles")
                                else legend.legendHandles, legend.get_texts()):
            out[text.get_text()] = to_hex(handle.get_color()).lower()
    return out


def _report_swatches(path):
    """[(arm label, colour)] of the report's arm list (its swatches), in order."""
    page = report.render(path)
    found = re.findall(r"<li><span class='swatch' style='background:(#[0-9A-Fa-f]{6})'></span>"
                       r"<b>([^<]*)</b>", page)
    return [(html.unescape(label), colour.lower()) for colour, label in found]


def _write(tmp_path, name, doc):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_arm_colour_palette_covers_every_strategy_in_okabe_ito(orgsim_run):
    okabe_ito = {v.lower() for v in figures.OKABE_ITO.values()}
    prov = load.provenance(orgsim_run("default", *SHORT))
    choices = prov.parameter_table.loc["campaign.strategy", "choices"]
    assert sorted(BY_STRATEGY) == sorted(choices), "a strategy without its colour (or one too many)"
    assert set(BY_STRATEGY.values()) <= okabe_ito
    assert len(set(BY_STRATEGY.values())) == len(BY_STRATEGY), "two strategies share a colour"
    assert len(set(BY_POSITION)) == len(BY_POSITION) == 8 and set(BY_POSITION) == okabe_ito
    # the two strategies shown most get Okabe-Ito's most contrasting pair, and yellow (faint on
    # white) is no strategy's colour
    assert BY_STRATEGY["relationship_first"] == figures.OKABE_ITO["blue"].lower()
    assert BY_STRATEGY["big_messaging"] == figures.OKABE_ITO["vermillion"].lower()
    assert figures.OKABE_ITO["yellow"].lower() not in BY_STRATEGY.values()
    # the report's position colours are the file's
    assert [c.lower() for c in figures.ARM_COLORS] == BY_POSITION


def test_arm_colour_rule():
    rule = figures.colors_for_strategies
    assert [c.lower() for c in rule(["big_messaging", "relationship_first"])] == \
        [BY_STRATEGY["big_messaging"], BY_STRATEGY["relationship_first"]]
    # two arms of one strategy: the first keeps its colour, the second takes a spare one (no
    # strategy's colour first: sky blue), so it never looks like another strategy
    sky, yellow = figures.OKABE_ITO["sky_blue"].lower(), figures.OKABE_ITO["yellow"].lower()
    assert [c.lower() for c in rule(["relationship_first", "relationship_first",
                                     "big_messaging"])] == \
        [BY_STRATEGY["relationship_first"], sky, BY_STRATEGY["big_messaging"]]
    assert [c.lower() for c in rule(["hybrid", None])] == [BY_STRATEGY["hybrid"], sky]
    assert [c.lower() for c in rule(["hybrid", "shout"])] == [BY_STRATEGY["hybrid"], sky]
    # past the free colours: those of strategies the file does not have, never a present one's
    many = rule(["big_messaging"] * 4)
    assert [c.lower() for c in many] == [BY_STRATEGY["big_messaging"], sky, yellow,
                                         BY_STRATEGY["relationship_first"]]
    eight = [c.lower() for c in rule(["none"] * 8)]
    assert len(set(eight)) == 8
    # no strategy known (a sweep that varies it): by position
    assert [c.lower() for c in rule([None, None])] == BY_POSITION[:2]
    assert rule([]) == []


def test_a_strategy_keeps_its_colour_in_every_figure_wherever_its_arm_sits(orgsim_run):
    # default.json: relationship_first first, big_messaging second; big_messaging_no_base.json:
    # the other way round. Each strategy has one colour in both files, in every figure.
    for scenario in ("default", "big_messaging_no_base"):
        path = orgsim_run(scenario, *SHORT)
        ds = load.open_results(path)
        names = load.arm_names(ds)
        want = {figures.arm_label(s): BY_STRATEGY[s] for s in names}
        assert figures.arm_colors(path) == [PALETTE["strategy"][s] for s in names]
        assert _legend_colours(figures.plot_run(path)) == want, scenario
        assert _legend_colours(figures.plot_trainer_panels(ds)) == want, scenario
        runs = load.runs_table(path)
        others = {k: v for k, v in want.items() if k != figures.arm_label(names[0])}
        assert _legend_colours(figures.plot_paired_differences(runs)) == others, scenario
        km = _legend_colours(figures.plot_durability(load.durability(path)))
        for label, colour in km.items():
            arm = label.split(":")[0]
            if arm in want:
                assert colour == want[arm], (scenario, label)
        assert _report_swatches(path) == list(want.items()), scenario
    assert names[0] == "big_messaging"  # the second file's first arm


def test_a_strategy_set_by_the_scenario_colours_its_arm(orgsim_binary, tmp_path):
    # no arm sets campaign.strategy: the scenario does, for its one (implicit) arm
    path = _run_engine(orgsim_binary, "run", _write(tmp_path, "loud", {
        "name": "loud", "steps": 30, "replicates": 2,
        "campaign": {"strategy": "big_messaging"}}), tmp_path / "loud.h5")
    assert figures.arm_strategies(load.provenance(path), load.arm_names(
        load.open_results(path))) == ["big_messaging"]
    assert [c.lower() for c in figures.arm_colors(path)] == [BY_STRATEGY["big_messaging"]]
    assert list(_legend_colours(figures.plot_run(path)).values()) == \
        [BY_STRATEGY["big_messaging"]]
    assert [c for _, c in _report_swatches(path)] == [BY_STRATEGY["big_messaging"]]


def test_arm_colour_spare_for_a_second_arm_of_one_strategy(orgsim_run, orgsim_binary, tmp_path):
    # year2_hot_no_relationships: both arms relationship_first (the scenario's), differing in
    # their action policy
    path = orgsim_run("year2_hot_no_relationships", *SHORT)
    prov = load.provenance(path)
    names = load.arm_names(load.open_results(path))
    assert figures.arm_strategies(prov, names) == ["relationship_first"] * 2
    sky = figures.OKABE_ITO["sky_blue"].lower()
    want = [BY_STRATEGY["relationship_first"], sky]
    assert [c.lower() for c in figures.arm_colors(path)] == want
    assert list(_legend_colours(figures.plot_run(path)).values()) == want
    assert [c for _, c in _report_swatches(path)] == want
    # three arms, two of them relationship_first with other hours: the second takes sky blue,
    # never big messaging's vermillion
    path = _run_engine(orgsim_binary, "run", _write(tmp_path, "twins", {
        "name": "twins", "steps": 30, "replicates": 2, "arms": [
            {"name": "big", "set": {"campaign.strategy": "big_messaging"}},
            {"name": "rf", "set": {"campaign.strategy": "relationship_first"}},
            {"name": "rf_more_hours", "set": {"campaign.strategy": "relationship_first",
                                              "campaign.hours_per_step": 25}}]}),
        tmp_path / "twins.h5")
    want = [BY_STRATEGY["big_messaging"], BY_STRATEGY["relationship_first"], sky]
    assert [c.lower() for c in figures.arm_colors(path)] == want
    assert list(_legend_colours(figures.plot_run(path)).values()) == want
    # a figure of some of the arms colours them as the figure of all of them does
    assert [c.lower() for c in figures.arm_colors(path, ["rf_more_hours", "big"])] == \
        [sky, BY_STRATEGY["big_messaging"]]


def test_arm_colour_in_sweeps(orgsim_binary, tmp_path):
    # a sweep keeps its scenario's arms: coloured by their strategies
    scenario = {"name": "two", "steps": 20, "arms": [
        {"name": "big_messaging", "set": {"campaign.strategy": "big_messaging"}},
        {"name": "relationship_first", "set": {"campaign.strategy": "relationship_first"}}]}
    sweep = _write(tmp_path, "arms_sweep", {
        "name": "arms-sweep", "scenario": scenario, "replicates": 1, "seed": 1,
        "design": {"type": "grid", "parameters": {"environment.turnover": [0.0, 0.01]}},
        "outputs": ["organized_base_end"]})
    path = _run_engine(orgsim_binary, "sweep", sweep, tmp_path / "arms_sweep.h5",
                       ["--threads", "1"])
    want = [BY_STRATEGY["big_messaging"], BY_STRATEGY["relationship_first"]]
    assert [c.lower() for c in figures.arm_colors(path)] == want
    runs = load.runs_table(path)
    fig = figures.plot_outcome_vs_param(runs, "environment.turnover", "organized_base_end")
    assert list(_legend_colours(fig).values()) == want
    # a sweep that varies the strategy: no arm has one strategy, so by position
    sweep = _write(tmp_path, "strategy_sweep", {
        "name": "strategy-sweep", "scenario": {"name": "one", "steps": 20},
        "replicates": 1, "seed": 1,
        "design": {"type": "grid", "parameters": {
            "campaign.strategy": ["big_messaging", "relationship_first"]}},
        "outputs": ["organized_base_end"]})
    path = _run_engine(orgsim_binary, "sweep", sweep, tmp_path / "strategy_sweep.h5",
                       ["--threads", "1"])
    assert figures.arm_strategies(load.provenance(path), ["one"]) == [None]
    assert [c.lower() for c in figures.arm_colors(path)] == BY_POSITION[:1]
