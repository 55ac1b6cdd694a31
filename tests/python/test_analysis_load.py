"""analysis.load on files written by the engine: dims, coordinates, categoricals, values equal to
what h5py reads, the h5py-only fallback (xarray missing) giving the same tables, durability from
/durability and recomputed from /win_events, provenance.

Run: /usr/bin/python3 -m pytest -q tests/python
"""

import json
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

h5py = pytest.importorskip("h5py")

from conftest import REPO  # noqa: E402
from analysis import load, stats  # noqa: E402


def _arm_names_h5(path):
    with h5py.File(path, "r") as f:
        return f["arm"].attrs["flag_meanings"].split()


@pytest.fixture()
def no_xarray(monkeypatch):
    """Behave as if xarray (and h5netcdf) were not installed."""
    monkeypatch.setitem(sys.modules, "xarray", None)
    monkeypatch.setitem(sys.modules, "h5netcdf", None)
    assert not load.has_xarray()


# ---- the (run, step) dataset ---------------------------------------------------------------------

def test_open_results_dims_coords_and_values_match_h5py(orgsim_files):
    xr = pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    path = orgsim_files("default")
    ds = load.open_results(path)
    assert isinstance(ds, xr.Dataset)
    assert dict(ds.sizes) == {"run": 40, "step": 156}
    for name in ["arm", "arm_code", "replicate", "point", "seed", "status", "campaign.strategy"]:
        assert name in ds.coords and ds[name].dims == ("run",), name
    names = _arm_names_h5(path)
    assert names == ["relationship_first", "big_messaging"]
    assert load.arm_names(ds) == names
    assert ds["arm"].attrs["categories"] == names
    with h5py.File(path, "r") as f:
        codes = f["arm"][:]
        np.testing.assert_array_equal(ds["arm_code"].values, codes)
        np.testing.assert_array_equal(ds["arm"].values, np.array(names)[codes])
        np.testing.assert_array_equal(ds["campaign.strategy"].values, np.array(names)[codes])
        for name in ["replicate", "point", "seed"]:
            np.testing.assert_array_equal(ds[name].values, f[name][:], err_msg=name)
        assert set(ds["status"].values) == {"done"}
        np.testing.assert_array_equal(ds["step"].values, f["step"][:])
        assert ds["step"].attrs["units"] == "week"
        per_step = load.per_step_names(ds)
        outcomes = load.outcome_names(ds)
        assert {"turnout", "trust_mean", "rung_supporter", "rung_member", "rung_leader",
                "standing_wins"} <= set(per_step)
        assert {"final_turnout", "wins", "reversals", "organized_base_end"} <= set(outcomes)
        assert "wall_seconds" not in outcomes
        for name in per_step:
            assert ds[name].dims == ("run", "step")
            np.testing.assert_array_equal(ds[name].values, f[name][:, :], err_msg=name)
            assert ds[name].attrs["units"] == f[name].attrs["units"], name
            assert ds[name].attrs["long_name"] == f[name].attrs["long_name"], name
        for name in outcomes:
            np.testing.assert_array_equal(ds[name].values, f[name][:], err_msg=name)
        # turnout is NaN exactly on steps without an action
        assert np.isnan(ds["turnout"].values).any() and np.isfinite(ds["turnout"].values).any()
        assert ds.attrs["schema"] == "orgsim.results"
        assert ds.attrs["master_seed"] == f.attrs["master_seed"]
    assert ds.attrs["arm_names"] == names
    assert ds.attrs["source_path"] == str(path.resolve())


def test_lazy_open_keeps_values(orgsim_files):
    pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    path = orgsim_files("default")
    ds = load.open_results(path, lazy=True)
    try:
        with h5py.File(path, "r") as f:
            np.testing.assert_array_equal(ds["trust_mean"].values, f["trust_mean"][:, :])
        assert load.arm_names(ds) == _arm_names_h5(path)
    finally:
        ds.close()


def test_groupby_arm_recipe_works(orgsim_files):
    pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    ds = load.open_results(orgsim_files("default"))
    mean = ds["organized_base_end"].groupby("arm").mean()
    runs = load.runs_table(ds)
    for arm in load.arm_names(ds):
        expect = runs.loc[runs["arm"] == arm, "organized_base_end"].mean()
        assert float(mean.sel(arm=arm)) == pytest.approx(expect)


def test_three_arms_and_arm_parameters(orgsim_files):
    ds = load.open_results(orgsim_files("centola"))
    assert load.arm_names(ds) == ["lattice", "rewired_10pct", "random"]
    assert dict(ds.sizes) == {"run": 9, "step": 300}
    # the arms set network.rewire: a coordinate with one value per arm
    assert "network.rewire" in load.arm_params(ds)
    rewire = pd.Series(np.asarray(ds["network.rewire"].values),
                       index=np.asarray(ds["arm"].values))
    assert rewire.groupby(level=0).nunique().max() == 1
    assert rewire["lattice"].iloc[0] == 0.0
    assert rewire["rewired_10pct"].iloc[0] == pytest.approx(0.1)
    assert rewire["random"].iloc[0] == 1.0
    assert ds["network.rewire"].attrs["source"] == "arm"
    assert load.varied_params(ds) == []


# ---- runs table ----------------------------------------------------------------------------------

def test_runs_table_is_tidy_and_matches_h5py(orgsim_files):
    path = orgsim_files("default")
    runs = load.runs_table(path)
    names = _arm_names_h5(path)
    assert len(runs) == 40 and runs.index.name == "run"
    assert isinstance(runs["arm"].dtype, pd.CategoricalDtype)
    assert runs["arm"].cat.ordered
    assert list(runs["arm"].cat.categories) == names
    assert isinstance(runs["status"].dtype, pd.CategoricalDtype)
    with h5py.File(path, "r") as f:
        np.testing.assert_array_equal(runs.index.to_numpy(), f["run"][:])
        np.testing.assert_array_equal(runs["arm"].cat.codes.to_numpy(), f["arm"][:])
        for name in ["replicate", "point", "seed", "final_turnout", "peak_turnout", "wins",
                     "reversals", "win_weeks", "organized_base_end", "organizers_end"]:
            np.testing.assert_array_equal(runs[name].to_numpy(), f[name][:], err_msg=name)
            if name in ("final_turnout", "wins"):
                assert runs.attrs["units"][name] == f[name].attrs["units"]
    assert runs.groupby("arm").size().tolist() == [20, 20]
    assert runs.attrs["arm_names"] == names


def test_runs_table_from_dataset_equals_from_path(orgsim_files):
    path = orgsim_files("centola")
    pd.testing.assert_frame_equal(load.runs_table(path), load.runs_table(load.open_results(path)))


# ---- the h5py-only fallback ------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["default", "centola", "single"])
def test_fallback_without_xarray_gives_the_same_data(orgsim_files, monkeypatch, which):
    pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    path = orgsim_files(which)
    ds = load.open_results(path)
    runs = load.runs_table(path)
    wins = load.win_events(path)
    dur = load.durability(path)

    monkeypatch.setitem(sys.modules, "xarray", None)
    monkeypatch.setitem(sys.modules, "h5netcdf", None)
    assert not load.has_xarray()
    fb = load.open_results(path)
    assert isinstance(fb, load.ResultsData)
    assert dict(fb.sizes) == dict(ds.sizes)
    assert list(fb.coords) == list(ds.coords)
    assert list(fb.data_vars) == list(ds.data_vars)
    for name in list(ds.coords) + list(ds.data_vars):
        assert tuple(fb[name].dims) == tuple(ds[name].dims), name
        a, b = np.asarray(fb[name].values), np.asarray(ds[name].values)
        assert a.dtype == b.dtype, f"{name}: {a.dtype} vs {b.dtype}"
        np.testing.assert_array_equal(a, b, err_msg=name)
        assert set(fb[name].attrs) == set(ds[name].attrs), name
        for key, value in ds[name].attrs.items():
            np.testing.assert_array_equal(fb[name].attrs[key], value, err_msg=f"{name}@{key}")
    assert set(fb.attrs) == set(ds.attrs)
    for key, value in ds.attrs.items():
        assert fb.attrs[key] == value, key
    pd.testing.assert_frame_equal(load.runs_table(path), runs)
    pd.testing.assert_frame_equal(load.runs_table(fb), runs)
    pd.testing.assert_frame_equal(load.win_events(path), wins)
    dur2 = load.durability(path)
    pd.testing.assert_frame_equal(dur2.arms, dur.arms)
    pd.testing.assert_frame_equal(dur2.curves, dur.curves)
    assert load.arm_names(fb) == load.arm_names(ds)
    assert load.per_step_names(fb) == load.per_step_names(ds)
    assert load.outcome_names(fb) == load.outcome_names(ds)


def test_fallback_in_a_process_without_xarray(orgsim_files):
    """A fresh interpreter in which `import xarray` fails still loads everything."""
    path = orgsim_files("default")
    code = (
        "import sys; sys.modules['xarray'] = None; sys.modules['h5netcdf'] = None\n"
        "from analysis import load\n"
        f"ds = load.open_results({str(path)!r})\n"
        "assert type(ds).__name__ == 'ResultsData', type(ds)\n"
        f"runs = load.runs_table({str(path)!r})\n"
        "print(len(runs), list(runs['arm'].cat.categories), ds.sizes['step'])\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0] == "40 ['relationship_first', 'big_messaging'] 156"


# ---- varied parameters (sweeps) ---------------------------------------------------------------------

def test_varied_parameters_become_coordinates(orgsim_files, orgsim_copy, monkeypatch):
    """A dotted 1-D float64 root dataset on `run` (how sweeps store varied keys) is a
    coordinate and a runs-table column, with both readers."""
    path = orgsim_copy(orgsim_files("default"), "varied.h5")
    values = np.linspace(0.0, 0.01, 40)
    with h5py.File(path, "r+") as f:
        d = f.create_dataset("environment.turnover", data=values, dtype="f8")
        d.attrs["units"] = "1/step"
        d.attrs["long_name"] = "turnover per step"
        d.dims[0].attach_scale(f["run"])
    readers = [False, True] if load.has_xarray() else [True]
    tables = []
    for force in readers:
        monkeypatch.setattr(load, "FORCE_H5PY", force)
        ds = load.open_results(path)
        assert "environment.turnover" in ds.coords
        assert load.varied_params(ds) == ["environment.turnover"]
        np.testing.assert_array_equal(ds["environment.turnover"].values, values)
        assert ds["environment.turnover"].attrs["units"] == "1/step"
        runs = load.runs_table(ds)
        np.testing.assert_array_equal(runs["environment.turnover"].to_numpy(), values)
        assert runs.attrs["units"]["environment.turnover"] == "1/step"
        tables.append(runs)
    if len(tables) == 2:
        pd.testing.assert_frame_equal(tables[0], tables[1])


# ---- parameters set by the arms -----------------------------------------------------------------

ARMS_SET_DIFFERENT_THINGS = {
    "extends": str(REPO / "scenarios" / "default.json"), "population": {"size": 60},
    "network": {"departments": 3}, "steps": 12, "campaign": {"hours_per_step": 12},
    "arms": [{"name": "more_hours", "set": {"campaign.strategy": "relationship_first",
                                            "campaign.hours_per_step": 25,
                                            "employer.resistance": 0.35}},
             {"name": "two_staff", "set": {"campaign.strategy": "big_messaging",
                                           "campaign.staff_organizers": 2,
                                           "campaign.targeting": "list"}}]}


@pytest.fixture(scope="module")
def arms_sweep(orgsim_binary, tmp_path_factory):
    """A small grid sweep (2 turnovers x 2 arms x 2 replicates) and a run of the same scenario,
    whose arms each set a parameter the other does not."""
    from conftest import _run_engine
    out = tmp_path_factory.mktemp("arm_params")
    scenario = out / "scenario.json"
    scenario.write_text(json.dumps(ARMS_SET_DIFFERENT_THINGS), encoding="utf-8")
    spec = out / "sweep.json"
    spec.write_text(json.dumps({"name": "arm-params", "scenario": str(scenario),
                                "design": {"type": "grid",
                                           "parameters": {"environment.turnover": [0.0, 0.01]}},
                                "replicates": 2, "seed": 1, "outputs": ["wins"]}),
                    encoding="utf-8")
    return (_run_engine(orgsim_binary, "sweep", spec, out / "sweep.h5", ["--threads", "1"]),
            _run_engine(orgsim_binary, "run", scenario, out / "run.h5", ["--replicates", "2"]))


@pytest.mark.parametrize("which", [0, 1], ids=["sweep", "run"])
def test_arm_parameters_hold_each_arms_resolved_value_typed(arms_sweep, monkeypatch, which):
    """A parameter only some arms set holds every arm's real value (the scenario's where the arm
    does not set it): a number float64, an integer int64, a choice its names (unset: null),
    with both readers, on a sweep and on a run; a per-arm mean works."""
    path = arms_sweep[which]
    expect = {"campaign.hours_per_step": ({"more_hours": 25.0, "two_staff": 12.0}, np.float64),
              "employer.resistance": ({"more_hours": 0.35, "two_staff": 0.25}, np.float64),
              "campaign.staff_organizers": ({"more_hours": 1, "two_staff": 2}, np.int64),
              "campaign.strategy": ({"more_hours": "relationship_first",
                                     "two_staff": "big_messaging"}, object),
              "campaign.targeting": ({"more_hours": "null", "two_staff": "list"}, object)}
    readers = [False, True] if load.has_xarray() else [True]
    tables = []
    for force in readers:
        monkeypatch.setattr(load, "FORCE_H5PY", force)
        ds = load.open_results(path)
        assert set(expect) <= set(load.arm_params(ds))
        runs = load.runs_table(ds)
        arms = runs["arm"].astype(str).to_numpy()
        for key, (per_arm, dtype) in expect.items():
            assert ds[key].attrs["source"] == "arm", key
            assert np.asarray(ds[key].values).dtype == dtype, (key, force)
            assert runs[key].dtype == dtype, (key, force)
            assert list(runs[key]) == [per_arm[a] for a in arms], (key, force)
        assert ds["campaign.hours_per_step"].attrs["units"] == "h week-1"  # UDUNITS
        assert "units" not in ds["campaign.strategy"].attrs
        assert "list" in ds["campaign.targeting"].attrs["categories"]
        mean = runs.groupby("arm", observed=True)["campaign.hours_per_step"].mean()
        assert mean.to_dict() == {"more_hours": 25.0, "two_staff": 12.0}
        tables.append(runs)
    if len(tables) == 2:
        pd.testing.assert_frame_equal(tables[0], tables[1])
    # the trainer's figures read the same values (an arm's resistance line)
    from analysis import figures
    prov = load.provenance(path)
    assert figures.resistance_by_arm(prov, ["more_hours", "two_staff"]) == [0.35, 0.25]


# ---- wins and durability ----------------------------------------------------------------------------

def test_win_events_match_h5py(orgsim_files):
    path = orgsim_files("default")
    wins = load.win_events(path)
    with h5py.File(path, "r") as f:
        g = f["win_events"]
        assert len(wins) == g["win"].shape[0] > 0
        np.testing.assert_array_equal(wins.index.to_numpy(), g["win"][:])
        for col in ["run", "replicate", "point", "start_step", "end_step", "strength",
                    "duration"]:
            np.testing.assert_array_equal(wins[col].to_numpy(), g[col][:], err_msg=col)
        np.testing.assert_array_equal(wins["censored"].to_numpy(), g["censored"][:] == 1)
        np.testing.assert_array_equal(wins["arm"].cat.codes.to_numpy(), g["arm"][:])
    assert wins["censored"].dtype == bool
    assert list(wins["arm"].cat.categories) == _arm_names_h5(path)
    assert wins.attrs["units"]["duration"] == "week"
    assert (wins.loc[wins["censored"], "end_step"] == -1).all()


def test_action_events_match_h5py_and_the_per_run_counts(orgsim_files):
    path = orgsim_files("default")
    acts = load.action_events(path)
    runs = load.runs_table(path)
    with h5py.File(path, "r") as f:
        g = f["action_events"]
        assert len(acts) == g["event"].shape[0] > 0
        np.testing.assert_array_equal(acts.index.to_numpy(), g["event"][:])
        for col in ["run", "replicate", "point", "step", "turnout", "support", "cohesion",
                    "power", "notice_weeks", "consolidated_step"]:
            np.testing.assert_array_equal(acts[col].to_numpy(), g[col][:], err_msg=col)
        np.testing.assert_array_equal(acts["won"].to_numpy(), g["won"][:] == 1)
        np.testing.assert_array_equal(acts["arm"].cat.codes.to_numpy(), g["arm"][:])
    assert acts["won"].dtype == bool
    assert (acts["kind"] == "action").all()  # the default scenario holds no election
    assert acts.attrs["units"]["step"] == "week"
    # One row per action called, and the won rows are the run's wins.
    per_run = acts.groupby("run").size().reindex(runs.index, fill_value=0).to_numpy()
    np.testing.assert_array_equal(per_run, runs["actions"].to_numpy())
    won = acts.groupby("run")["won"].sum().reindex(runs.index, fill_value=0).to_numpy()
    np.testing.assert_array_equal(won, runs["wins"].to_numpy())


def test_durability_from_file_matches_recomputed_from_win_events(orgsim_files, orgsim_copy):
    path = orgsim_files("default")
    stored = load.durability(path)
    assert stored.source == "file"
    old = orgsim_copy(path, "no_durability.h5")
    with h5py.File(old, "r+") as f:
        del f["durability"]
    computed = load.durability(old)
    assert computed.source == "computed"
    pd.testing.assert_frame_equal(computed.arms, stored.arms)
    pd.testing.assert_frame_equal(computed.curves.drop(columns=["lower", "upper"]),
                                  stored.curves.drop(columns=["lower", "upper"]),
                                  check_dtype=False)
    np.testing.assert_allclose(computed.curves[["lower", "upper"]].to_numpy(),
                               stored.curves[["lower", "upper"]].to_numpy(), rtol=1e-9)
    pd.testing.assert_frame_equal(computed.censored, stored.censored)
    # what the engine printed for this scenario: relationship-first's wins are reversed less
    # often than big messaging's (a defended win still carries the background hazard)
    rf = stored.arms.loc["relationship_first"]
    bm = stored.arms.loc["big_messaging"]
    assert 0 < bm["reversals"]
    assert rf["reversals"] / rf["wins"] < bm["reversals"] / bm["wins"]
    assert np.isfinite(stored.arms.loc["big_messaging", "median"])
    assert math.isnan(stored.arms.loc["relationship_first", "median"])
    # the censoring ticks are the censored wins
    wins = load.win_events(path)
    assert stored.censored["count"].sum() == wins["censored"].sum()
    assert stored.arms["wins"].sum() == len(wins)


def test_durability_without_wins_for_an_arm(orgsim_files):
    dur = load.durability(orgsim_files("centola"))
    assert list(dur.arms.index) == ["lattice", "rewired_10pct", "random"]
    assert dur.arms.loc["random", "wins"] == 0
    assert len(dur.curve("random")) == 0
    assert dur.arms.loc["lattice", "wins"] == 3


def test_fisher_exact_by_hand():
    # [[3, 3], [0, 5]]: the margins allow 0..3 in the first cell, with probabilities 10, 60, 75,
    # 20 over C(11, 3) = 165; tables as unlikely as 20/165 or less: x = 3 and x = 0.
    assert stats.fisher_exact(3, 3, 0, 5) == pytest.approx(30 / 165, rel=1e-12)
    # A classic table (R's fisher.test and scipy give 0.0027594561852200836).
    assert stats.fisher_exact(1, 9, 11, 3) == pytest.approx(0.0027594561852200836, rel=1e-12)
    # Symmetric in rows and in columns; a table with no information gives 1.
    assert stats.fisher_exact(5, 0, 0, 5) == pytest.approx(stats.fisher_exact(0, 5, 5, 0))
    assert stats.fisher_exact(0, 0, 0, 0) == 1.0
    assert stats.fisher_exact(2, 2, 2, 2) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        stats.fisher_exact(-1, 0, 0, 0)


def test_kaplan_meier_by_hand():
    # 5 wins: reversals at 2, 3, 3; censored at 3 and 5
    curve = stats.kaplan_meier([2, 3, 3, 3, 5], [True, True, True, False, False])
    np.testing.assert_array_equal(curve["time"], [2, 3])
    np.testing.assert_array_equal(curve["at_risk"], [5, 4])
    np.testing.assert_array_equal(curve["events"], [1, 2])
    np.testing.assert_allclose(curve["survival"], [0.8, 0.8 * 0.5])
    assert stats.km_median(curve) == 3
    assert stats.survival_at(curve, 1)[0] == 1.0
    assert stats.survival_at(curve, 4)[0] == pytest.approx(0.4)
    assert (curve["lower"] <= curve["survival"]).all()
    assert (curve["survival"] <= curve["upper"]).all()


# ---- provenance ---------------------------------------------------------------------------------

def test_provenance(orgsim_files):
    path = orgsim_files("default")
    prov = load.provenance(path)
    with open(REPO / "scenarios" / "default.json", encoding="utf-8") as fh:
        scenario = json.load(fh)
    assert prov.scenario == scenario
    assert prov.description == scenario["description"]
    assert prov.name == "default"
    assert [a["name"] for a in prov.arms] == ["relationship_first", "big_messaging"]
    assert prov.arms[1]["overrides"] == {"campaign.strategy": "big_messaging"}
    assert "population.size" in prov.parameter_table.index
    assert prov.meaning("population.size")
    assert prov.resolved_params["arms"][0]["parameters"]["population.size"] == 300
    assert "orgsim" in prov.command_line and str(path) in prov.command_line
    for key in ["orgsim_version", "git_commit", "created_utc", "hdf5_version"]:
        assert prov.version.get(key), key
    assert prov.checksums_ok and all(prov.checksums_ok.values())
    assert prov.sweep is None


def test_not_a_results_file(tmp_path):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f.attrs["schema"] = "something.else"
    with pytest.raises(load.ResultsFileError, match="not an orgsim results file"):
        load.open_results(other)
    with pytest.raises(FileNotFoundError):
        load.runs_table(tmp_path / "missing.h5")
    text = tmp_path / "text.h5"
    text.write_text("hello")
    with pytest.raises(load.ResultsFileError, match="not an HDF5 file"):
        load.provenance(text)


# ---- statistics used by the report ---------------------------------------------------------------

def test_paired_differences_pair_by_replicate(orgsim_files):
    runs = load.runs_table(orgsim_files("default"))
    diffs = stats.paired_differences(runs, ["organized_base_end"])
    row = diffs.iloc[0]
    assert row["arm"] == "big_messaging" and row["reference"] == "relationship_first"
    a = runs[runs["arm"] == "big_messaging"].set_index("replicate")["organized_base_end"]
    b = runs[runs["arm"] == "relationship_first"].set_index("replicate")["organized_base_end"]
    d = (a - b.loc[a.index]).to_numpy()
    assert row["n"] == 20
    assert row["mean"] == pytest.approx(d.mean())
    from scipy import stats as sst
    half = sst.t.ppf(0.975, 19) * d.std(ddof=1) / np.sqrt(20)
    assert row["half"] == pytest.approx(half)
    assert row["upper"] < 0  # relationship-first builds the larger base (docs/MODEL.md, 8)
    assert row["n_less"] + row["n_greater"] <= 20


def test_t_quantile_fallback_is_close(monkeypatch):
    dfs = (1, 2, 3, 4, 5, 19, 100)
    exact = [stats.t_quantile(df) for df in dfs]
    monkeypatch.setitem(sys.modules, "scipy", None)
    approx = [stats.t_quantile(df) for df in dfs]
    np.testing.assert_allclose(approx, exact, rtol=0.01)


def test_calibration_of_a_file_without_one_is_an_error_naming_it(orgsim_files):
    """load.calibration on a run's file (no /calibration) says what it expected and what the
    file is, rather than returning None for `.posterior()` to fail on; has_calibration asks."""
    path = orgsim_files("default")
    with pytest.raises(load.ResultsFileError) as err:
        load.calibration(path)
    text = str(err.value)
    assert str(path) in text and "expected a calibration's results file" in text
    assert "found a run file without /calibration" in text
    assert load.has_calibration(path) is False
