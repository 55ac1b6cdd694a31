"""A choice or switch swept by `orgsim sweep` (`"campaign.strategy": ["relationship_first",
"big_messaging"]`): the file stores each run's index into the column's `levels` attribute;
analysis.load gives the level names (with the index as `<key>_code`), the sweep figures put the
levels on a categorical axis in their order, and the report names them.

Run: /usr/bin/python3 -m pytest -q tests/python
"""

import json
import sys

import numpy as np
import pandas as pd
import pytest

h5py = pytest.importorskip("h5py")
pytest.importorskip("matplotlib")

from matplotlib.collections import QuadMesh  # noqa: E402

from conftest import REPO, _run_engine, text_of  # noqa: E402
from analysis import discover, figures, load, prim, report  # noqa: E402

STRATEGIES = ["relationship_first", "big_messaging"]
# Not in alphabetical order: the levels keep the order the sweep file lists them in.
UPDATES = ["random_sequential", "synchronous"]
SMALL = {"population": {"size": 100}, "network": {"departments": 5}, "steps": 12}


@pytest.fixture(scope="module")
def choice_files(orgsim_binary, tmp_path_factory):
    """Two sweeps run once: `strategy` (one arm; campaign.strategy x environment.turnover, a
    grid) and `update` (the default scenario's two arms; participation.update alone)."""
    out = tmp_path_factory.mktemp("levels")
    sweeps = {
        "strategy": {"scenario": SMALL,
                     "design": {"type": "grid", "parameters": {
                         "campaign.strategy": STRATEGIES, "environment.turnover": [0, 0.01]}}},
        "update": {"scenario": dict(SMALL, extends=str(REPO / "scenarios" / "default.json")),
                   "design": {"type": "grid",
                              "parameters": {"participation.update": UPDATES}}},
    }
    files = {}
    for name, sweep in sweeps.items():
        spec = out / f"{name}.json"
        spec.write_text(json.dumps(dict(sweep, name=f"levels-{name}", replicates=2, seed=5,
                                        description=f"A swept choice ({name}) for the tests.")),
                        encoding="utf-8")
        files[name] = _run_engine(orgsim_binary, "sweep", spec, out / f"{name}.h5")
    return files


def _readers():
    return [False, True] if load.has_xarray() else [True]


def test_a_swept_choice_loads_as_its_level_names(choice_files, monkeypatch):
    path = choice_files["strategy"]
    with h5py.File(path, "r") as f:
        stored = f["campaign.strategy"][()]
        turnover = f["environment.turnover"][()]
        assert json.loads(f["campaign.strategy"].attrs["levels"]) == STRATEGIES
    assert set(stored) == {0.0, 1.0}  # the file holds the index
    expect = np.array([STRATEGIES[int(i)] for i in stored], dtype=object)
    tables = []
    for force in _readers():
        monkeypatch.setattr(load, "FORCE_H5PY", force)
        ds = load.open_results(path)
        assert load.varied_params(ds) == ["campaign.strategy", "environment.turnover"]
        np.testing.assert_array_equal(ds["campaign.strategy"].values, expect)
        assert list(ds["campaign.strategy"].attrs["categories"]) == STRATEGIES
        assert "index" not in ds["campaign.strategy"].attrs["long_name"]
        np.testing.assert_array_equal(ds["campaign.strategy_code"].values, stored)
        np.testing.assert_array_equal(ds["environment.turnover"].values, turnover)  # a number
        runs = load.runs_table(ds)
        col = runs["campaign.strategy"]
        assert isinstance(col.dtype, pd.CategoricalDtype) and col.cat.ordered
        assert list(col.cat.categories) == STRATEGIES
        np.testing.assert_array_equal(col.astype(str).to_numpy(), expect.astype(str))
        np.testing.assert_array_equal(runs["campaign.strategy_code"].to_numpy(), stored)
        assert runs["campaign.strategy_code"].dtype == np.int64  # an index, as arm_code
        assert runs["environment.turnover"].dtype == np.float64
        tables.append(runs)
    if len(tables) == 2:
        pd.testing.assert_frame_equal(tables[0], tables[1])
    design = load.design(path)
    assert list(design["campaign.strategy"].cat.categories) == STRATEGIES
    assert list(design["campaign.strategy"].astype(str)) == [STRATEGIES[0]] * 2 + \
        [STRATEGIES[1]] * 2
    np.testing.assert_array_equal(design["campaign.strategy_code"], [0, 0, 1, 1])
    assert design["campaign.strategy_code"].dtype == np.int64


def test_levels_keep_the_sweep_files_order(choice_files):
    runs = load.runs_table(choice_files["update"])
    assert list(runs["participation.update"].cat.categories) == UPDATES
    by_point = runs.groupby("point")["participation.update"].first().astype(str)
    assert list(by_point) == UPDATES


def test_a_switch_shows_true_and_false(choice_files, orgsim_copy, monkeypatch):
    """No parameter of the table is a switch yet: the levels attribute is rewritten to one."""
    path = orgsim_copy(choice_files["strategy"], "switch.h5")
    with h5py.File(path, "r+") as f:
        f["campaign.strategy"].attrs["levels"] = "[false,true]"
        stored = f["campaign.strategy"][()]
    for force in _readers():
        monkeypatch.setattr(load, "FORCE_H5PY", force)
        runs = load.runs_table(path)
        assert list(runs["campaign.strategy"].cat.categories) == ["false", "true"]
        assert list(runs["campaign.strategy"].astype(str)) == \
            ["true" if v else "false" for v in stored]
    # a plain boolean column is drawn by level too
    gx, names = figures._categories(pd.Series([True, False, True]))
    assert names == ["true", "false"] and list(gx) == ["true", "false", "true"]


@pytest.mark.parametrize("levels, found", [
    ("relationship_first", "(not JSON)"),
    ("[]", "'[]'"),
    ('{"a": 1}', "'{\"a\": 1}'"),
    ('["a", 1]', "(holding 1)"),
    ('[null, "a"]', "(holding null)"),
    ('[["a"], "b"]', '(holding ["a"])'),
    ('["a", 0.5]', "(holding 0.5)"),
    ('["a", "a"]', "(naming the level a twice)"),
    ('[true, "true"]', "(naming the level true twice)"),
])
def test_a_bad_levels_attribute_is_a_results_file_error(choice_files, orgsim_copy, monkeypatch,
                                                        levels, found):
    """The engine's rule (levels_from_text, sim/engine/design.cpp): a non-empty JSON array of
    strings or booleans; distinct once named (true and "true" are both named true)."""
    path = orgsim_copy(choice_files["strategy"], "bad_levels.h5")
    with h5py.File(path, "r+") as f:
        f["campaign.strategy"].attrs["levels"] = levels
    for force in _readers():
        monkeypatch.setattr(load, "FORCE_H5PY", force)
        with pytest.raises(load.ResultsFileError) as err:
            load.open_results(path)
        text = str(err.value)
        assert text.startswith(f"{path}: campaign.strategy: expected a levels attribute "
                               f"holding a non-empty JSON array of distinct strings or "
                               f"booleans, found "), text
        assert text.endswith(found), text
    with pytest.raises(load.ResultsFileError, match=r"campaign\.strategy: expected"):
        load.design(path)


def test_an_empty_levels_attribute_means_a_number(choice_files, orgsim_copy, monkeypatch):
    """As the engine reads it (levels_from_text): levels="" is no levels, the stored value."""
    path = orgsim_copy(choice_files["strategy"], "no_levels.h5")
    with h5py.File(path, "r+") as f:
        f["campaign.strategy"].attrs["levels"] = ""
        stored = f["campaign.strategy"][()]
    for force in _readers():
        monkeypatch.setattr(load, "FORCE_H5PY", force)
        runs = load.runs_table(path)
        assert runs["campaign.strategy"].dtype == np.float64
        np.testing.assert_array_equal(runs["campaign.strategy"].to_numpy(), stored)
        assert "campaign.strategy_code" not in runs


def test_a_stored_index_outside_the_levels_has_no_name(choice_files, orgsim_copy, monkeypatch):
    """Not the name "" (which a level may have): None in the Dataset, NaN in the runs table."""
    path = orgsim_copy(choice_files["strategy"], "bad_index.h5")
    with h5py.File(path, "r+") as f:
        f["campaign.strategy"].attrs["levels"] = '["", "x"]'
        f["campaign.strategy"][0] = 7
        stored = f["campaign.strategy"][()]
    assert stored[0] == 7 and set(stored[1:]) == {0.0, 1.0}
    for force in _readers():
        monkeypatch.setattr(load, "FORCE_H5PY", force)
        ds = load.open_results(path)
        assert ds["campaign.strategy"].values[0] is None
        col = load.runs_table(ds)["campaign.strategy"]
        assert list(col.cat.categories) == ["", "x"]
        assert col.isna().tolist() == [True] + [False] * (len(stored) - 1)
        assert col.iloc[1:].astype(str).tolist() == [["", "x"][int(i)] for i in stored[1:]]


def test_the_levels_note_is_stripped_from_the_description_by_exact_match(choice_files,
                                                                         orgsim_copy):
    """The note on a swept choice's index (sweep_header, sweep.cpp) ends its description; the
    long_name is a short label without it. Files written before long_names were short labels
    carried the note on the long_name: it is stripped there too."""
    path = orgsim_copy(choice_files["strategy"], "note.h5")

    def text(value):
        return value.decode() if isinstance(value, bytes) else value

    with h5py.File(path, "r") as f:
        attrs = f["campaign.strategy"].attrs
        long_name, description = text(attrs["long_name"]), text(attrs["description"])
        levels = text(attrs["levels"])
    note = f" (the index into the levels attribute, {levels})"  # sweep_header, sweep.cpp
    assert long_name == "Campaign strategy"
    assert description.endswith(note)
    ds = load.open_results(path)
    assert ds["campaign.strategy"].attrs["long_name"] == long_name
    assert ds["campaign.strategy"].attrs["description"] == description[:-len(note)]
    # An older file: the note on the long_name, no description.
    with h5py.File(path, "r+") as f:
        f["campaign.strategy"].attrs["long_name"] = description
        del f["campaign.strategy"].attrs["description"]
    ds = load.open_results(path)
    assert ds["campaign.strategy"].attrs["long_name"] == description[:-len(note)]
    assert "description" not in ds["campaign.strategy"].attrs


def test_outcome_by_level_one_group_per_level(choice_files):
    runs = load.runs_table(choice_files["update"])
    assert figures.is_categorical(runs["participation.update"])
    assert not figures.is_categorical(runs["replicate"])
    fig = figures.plot_outcome_vs_param(runs, "participation.update", "organized_base_end")
    (ax,) = [a for a in fig.axes if a.get_visible()]
    assert [t.get_text() for t in ax.get_xticklabels()] == UPDATES
    bars = ax.containers
    means = [c for c in bars if hasattr(c, "has_yerr") and c.has_yerr]
    assert len(means) == 2  # one series per arm, no line joining the levels
    for code, arm in enumerate(load.arm_names(load.open_results(choice_files["update"]))):
        mine = runs[runs["arm"] == arm]
        expect = mine.groupby("participation.update", observed=False)[
            "organized_base_end"].mean().to_numpy() * 100
        line = means[code].lines[0]
        np.testing.assert_allclose(np.asarray(line.get_ydata(), float), expect)
        assert np.all(np.abs(np.asarray(line.get_xdata(), float) - np.arange(2)) < 0.5)


def test_heatmap_with_a_choice_axis(choice_files):
    runs = load.runs_table(choice_files["strategy"])
    fig = figures.plot_heatmap(runs, "campaign.strategy", "environment.turnover",
                               "organized_base_end")
    ax = [a for a in fig.axes if a.get_visible() and a.get_label() != "<colorbar>"][0]
    assert [t.get_text() for t in ax.get_xticklabels()] == STRATEGIES
    mesh = [c for c in ax.collections if isinstance(c, QuadMesh)][0]
    expect = runs.groupby(["environment.turnover", "campaign.strategy"], observed=False)[
        "organized_base_end"].mean().unstack()[STRATEGIES].to_numpy() * 100
    np.testing.assert_allclose(np.asarray(mesh.get_array()).reshape(expect.shape), expect)


def test_report_names_the_levels(choice_files, monkeypatch):
    drawn = []
    for name in ("plot_outcome_vs_param", "plot_heatmap"):
        original = getattr(figures, name)

        def spy(*args, _original=original, **kw):
            fig = _original(*args, **kw)
            drawn.append(fig)
            return fig
        monkeypatch.setattr(figures, name, spy)
    text = text_of(report.render(choice_files["strategy"]))
    assert "campaign.strategy: relationship_first or big_messaging; environment.turnover" in text
    assert [t.get_text() for t in drawn[-1].axes[0].get_xticklabels()] == STRATEGIES
    text = text_of(report.render(choice_files["update"]))
    assert "participation.update: random_sequential or synchronous" in text
    three = {"k": type("Column", (), {"attrs": {"categories": ["a", "b", "c"]}})()}
    assert report._varied_text(three, "k") == "k: one of a, b, c"
    assert "for each participation.update (random_sequential, synchronous)" in text
    assert [t.get_text() for t in drawn[-1].axes[0].get_xticklabels()] == UPDATES


def test_report_command_runs_on_a_choice_sweep(choice_files, tmp_path):
    import subprocess
    out = tmp_path / "update.html"
    done = subprocess.run([sys.executable, "-m", "analysis.report", str(choice_files["update"]),
                           "-o", str(out)], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "random_sequential" in text_of(out.read_text(encoding="utf-8"))


def test_discovery_peels_a_choice_by_its_index(choice_files, orgsim_copy):
    path = orgsim_copy(choice_files["strategy"], "discover.h5")
    runs = load.runs_table(path)
    params = load.varied_params(load.open_results(path))
    # big messaging broadcasts, relationship-first never does: the condition is the choice
    X, y, _ = discover.evaluate(runs, "broadcast_reached_total > 0", params)
    assert X["campaign.strategy"].dtype == float
    assert set(X["campaign.strategy"]) == {0.0, 1.0}
    np.testing.assert_array_equal(y, X["campaign.strategy"] == STRATEGIES.index("big_messaging"))
    box = prim.find_boxes(X, y, n_boxes=1, levels=prim.choice_levels(runs, params))[0]
    assert box.restricted == ["campaign.strategy"]
    assert box.kept("campaign.strategy") == ["big_messaging"]
    assert (box.coverage, box.density) == (1.0, 1.0)
    assert "campaign.strategy is big_messaging (of relationship_first, big_messaging; p = " \
        in box.describe()
