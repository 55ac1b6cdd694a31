"""The results-file layout as analysts meet it (docs/HDF5_LAYOUT.md).

Checks that an orgsim results file opens in ONE call with xarray (engine="h5netcdf") as a
(run, step) dataset with run-level coordinates, that plain h5py reads every part, and that the
storage choices (chunks, filters, fill values, provenance checksums) are those documented.

Which files:
  ORGSIM_RESULTS_FILE   a file written by the engine (`orgsim run|sweep ... -o FILE`), if set;
  otherwise, each in turn,
  - three files the engine writes here (ORGSIM_BINARY, or <repo>/build*/orgsim): the
    Centola-Macy validation scenario; the default scenario (3 replicates, 120 steps), which has
    wins; and the same with wins.hold_fraction=4, whose wins are also reversed, so that the
    /durability Kaplan-Meier curves are not empty;
  - a small Sobol sweep of the default scenario run by the engine (`orgsim sweep`);
  - the sample written by the C++ test "results file: sample study for the Python layout tests"
    to $ORGSIM_TEST_TMP/sample_results.h5 (or <repo>/build*/test-tmp/sample_results.h5);
  - the sample sweep written by the C++ test "results file: sample sweeps for the Python layout
    tests" to $ORGSIM_TEST_TMP/sample_sweep.h5 (Sobol design and indices, two failed runs).
The /design and /sensitivity tests run on the two sample sweeps (sample_sweep.h5, and
sample_sweep_morris.h5 for the Morris indices) and on the engine's Sobol sweep.

Run with Debian's Python, which has h5py, xarray and h5netcdf:
  /usr/bin/python3 -m pytest tests/python
"""

import hashlib
import json
import math
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")
xr = pytest.importorskip("xarray")
pytest.importorskip("h5netcdf")

REPO = Path(__file__).resolve().parents[2]
SAMPLE_NAME = "sample_results.h5"
SWEEP_NAME = "sample_sweep.h5"
SWEEP_MORRIS_NAME = "sample_sweep_morris.h5"

ROOT_ATTRS = [
    "schema", "schema_version", "orgsim_version", "git_commit", "git_dirty", "build_type", "compiler",
    "hdf5_version", "created_utc", "host", "command_line", "kind", "study_id", "master_seed",
    "rng", "seed_scheme", "n_runs_planned", "n_runs_done", "design",
]
RUN_COORDS = ["arm", "replicate", "point", "seed"]
PROVENANCE_JSON = ["scenario_json", "resolved_params_json", "parameter_table_json"]


def _find_sample(name):
    """A sample file written by the C++ tests tagged [hdf5], or None."""
    candidates = []
    if os.environ.get("ORGSIM_TEST_TMP"):
        candidates.append(Path(os.environ["ORGSIM_TEST_TMP"]) / name)
    candidates += sorted(REPO.glob(f"build*/test-tmp/{name}"),
                         key=lambda p: p.stat().st_mtime, reverse=True)
    for path in candidates:
        if path.is_file():
            return path
    return None


def _find_results_file():
    given = os.environ.get("ORGSIM_RESULTS_FILE")
    if given:
        path = Path(given)
        if not path.is_file():
            pytest.fail(f"ORGSIM_RESULTS_FILE={given} does not exist")
        return path
    found = _find_sample(SAMPLE_NAME)
    if found is None:
        pytest.skip("no results file to check: set ORGSIM_RESULTS_FILE to a file written by the "
                    "engine, or run the C++ tests tagged [hdf5] (they write "
                    f"<build>/test-tmp/{SAMPLE_NAME}; set ORGSIM_TEST_TMP if the build "
                    "directory is not <repo>/build*)")
    return found


def _engine_binary():
    given = os.environ.get("ORGSIM_BINARY")
    if given:
        return Path(given)
    found = sorted(REPO.glob("build*/orgsim"), key=lambda p: p.stat().st_mtime, reverse=True)
    return found[0] if found else None


# Files written by the engine itself: `orgsim run SCENARIO ARGS... -o <name>_results.h5`.
ENGINE_RUNS = {
    # three arms of the Centola-Macy scenario (wins may be rare)
    "engine": ("scenarios/validation/centola_macy.json", ["--replicates", "2", "--steps", "20"]),
    # the default (organizing) scenario: wins, though few or none of them reversed
    "engine_wins": ("scenarios/default.json", ["--replicates", "3", "--steps", "120"]),
    # the same with a defense four times the win's strength needed to hold it: reversals too
    "engine_reversals": ("scenarios/default.json",
                         ["--replicates", "3", "--steps", "120", "--set", "wins.hold_fraction=4"]),
}


def _engine_file(tmp_dir, which="engine"):
    binary = _engine_binary()
    if binary is None or not binary.is_file():
        pytest.skip("no orgsim binary: set ORGSIM_BINARY or build into <repo>/build")
    scenario, args = ENGINE_RUNS[which]
    out = tmp_dir / f"{which}_results.h5"
    if not out.is_file():
        subprocess.run([str(binary), "run", str(REPO / scenario), *args, "--quiet",
                        "-o", str(out)], check=True, capture_output=True)
    return out


# A small Sobol sweep of the default scenario: 4 (2 + 2) = 16 points x 2 arms x 2 replicates.
ENGINE_SWEEP = {
    "name": "tiny-sobol",
    "scenario": str(REPO / "scenarios" / "default.json"),
    "design": {"type": "sobol", "samples": 4,
               "parameters": {"campaign.hours_per_step": {"min": 5, "max": 30},
                              "environment.turnover": {"min": 0.0, "max": 0.02}}},
    "replicates": 2,
    "seed": 1,
    "outputs": ["wins", "win_weeks", "peak_turnout"],
}


def _engine_sweep_file(tmp_dir):
    binary = _engine_binary()
    if binary is None or not binary.is_file():
        pytest.skip("no orgsim binary: set ORGSIM_BINARY or build into <repo>/build")
    out = tmp_dir / "engine_sweep_results.h5"
    if not out.is_file():
        spec = tmp_dir / "engine_sweep.json"
        spec.write_text(json.dumps(ENGINE_SWEEP))
        subprocess.run([str(binary), "sweep", str(spec), "--quiet", "--threads", "2",
                        "-o", str(out)], check=True, capture_output=True)
    return out


def _sample_file(name):
    found = _find_sample(name)
    if found is None:
        pytest.skip(f"no {name}: run the C++ tests tagged [hdf5] first (they write "
                    f"<build>/test-tmp/{name}; set ORGSIM_TEST_TMP if the build directory is "
                    "not <repo>/build*)")
    return found


@pytest.fixture(scope="module")
def engine_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("engine")


@pytest.fixture(scope="module",
                params=list(ENGINE_RUNS) + ["engine_sweep", "sample", "sample_sweep"])
def path(request, engine_dir):
    if os.environ.get("ORGSIM_RESULTS_FILE"):
        return _find_results_file()
    if request.param in ENGINE_RUNS:
        return _engine_file(engine_dir, request.param)
    if request.param == "engine_sweep":
        return _engine_sweep_file(engine_dir)
    if request.param == "sample_sweep":
        return _sample_file(SWEEP_NAME)
    return _find_results_file()


@pytest.fixture(scope="module")
def ds(path):
    dataset = xr.open_dataset(path, engine="h5netcdf")
    yield dataset
    dataset.close()


@pytest.fixture(scope="module")
def h5(path):
    with h5py.File(path, "r") as f:
        yield f


def _per_step_names(f):
    return [k for k, v in f.items() if isinstance(v, h5py.Dataset) and v.ndim == 2]


def _varied_names(f):
    return [k for k, v in f.items()
            if isinstance(v, h5py.Dataset) and "." in k and v.ndim == 1 and v.dtype == np.float64]


# ---- xarray ---------------------------------------------------------------------------------

def test_opens_in_one_call_with_run_and_step_dims(ds):
    assert set(ds.dims) == {"run", "step"}
    for name, var in ds.variables.items():
        assert not any("phony" in d for d in var.dims), f"{name} has phony dims {var.dims}"


def test_per_step_variables_are_run_by_step_with_run_coordinates(ds, h5):
    per_step = _per_step_names(h5)
    assert "turnout" in per_step
    for name in per_step:
        assert ds[name].dims == ("run", "step"), name
        assert ds[name].dtype == np.float32, name
    turnout = ds["turnout"]
    for coord in RUN_COORDS + _varied_names(h5):
        assert coord in turnout.coords, f"{coord} is not a coordinate of turnout"
        assert turnout[coord].dims == ("run",)


def test_groupby_arm_mean_over_runs(ds):
    by_arm = ds["turnout"].groupby("arm").mean("run")
    assert by_arm.dims == ("arm", "step")
    assert sorted(by_arm["arm"].values.tolist()) == sorted(set(ds["arm"].values.tolist()))
    assert by_arm.sizes["step"] == ds.sizes["step"]


def test_run_table_has_one_row_per_run(ds, h5):
    runs = ds.drop_dims("step").to_dataframe()
    assert len(runs) == ds.sizes["run"]
    for column in RUN_COORDS + ["status", "wall_seconds"] + _varied_names(h5):
        assert column in runs.columns, column
    # the tidy long form works too
    long = ds[["turnout"]].to_dataframe()
    assert len(long) == ds.sizes["run"] * ds.sizes["step"]


def test_step_and_run_are_dimension_scales(ds, h5):
    n_steps = h5["step"].shape[0]
    np.testing.assert_array_equal(ds["step"].values, np.arange(n_steps))
    assert h5["step"].dtype == np.int32
    assert h5["step"].attrs["units"] == "week"
    assert "long_name" in h5["step"].attrs
    assert h5["run"].dtype == np.int64
    assert h5["run"].maxshape == (None,), "run must be unlimited so runs can be appended"
    run = h5["run"][:]
    assert np.all(np.diff(run) > 0), "runs are stored in increasing run order"
    for name in ["step", "run"]:
        assert h5[name].attrs["CLASS"] == b"DIMENSION_SCALE"


# ---- h5py -----------------------------------------------------------------------------------

def test_h5py_reads_provenance_and_arrays(h5):
    scenario = h5["provenance/scenario_json"].asstr()[()]
    assert isinstance(scenario, str)
    json.loads(scenario)
    names = PROVENANCE_JSON + (["sweep_json"] if "sweep_json" in h5["provenance"] else [])
    for name in names:
        ds = h5["provenance"][name]
        assert ds.shape == ()
        assert h5py.check_string_dtype(ds.dtype).encoding == "utf-8", name
        text = ds.asstr()[()]
        assert ds.attrs["sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest(), name
    turnout = h5["turnout"][:, :]
    assert isinstance(turnout, np.ndarray)
    assert turnout.dtype == np.float32
    assert turnout.shape == (h5["run"].shape[0], h5["step"].shape[0])


def test_root_attributes(h5):
    missing = [a for a in ROOT_ATTRS if a not in h5.attrs]
    assert not missing, f"missing root attributes: {missing}"
    assert h5.attrs["schema"] == "orgsim.results"
    assert h5.attrs["schema_version"].split(".")[0] == "1"
    assert h5.attrs["kind"] in ("run", "sweep")
    assert h5.attrs["master_seed"].dtype == np.uint64
    assert h5.attrs["n_runs_done"] == h5["run"].shape[0]
    assert h5.attrs["n_runs_done"] <= h5.attrs["n_runs_planned"]
    assert h5.attrs["rng"] == "xoshiro256**"
    assert h5.attrs["created_utc"].endswith("Z")
    assert "replicate_seed" in h5.attrs["seed_scheme"]


def test_run_variables(h5):
    n_runs = h5["run"].shape[0]
    types = {"arm": np.int8, "replicate": np.int32, "point": np.int32, "seed": np.uint64,
             "status": np.int8, "wall_seconds": np.float32}
    for name, dtype in types.items():
        assert h5[name].shape == (n_runs,), name
        assert h5[name].dtype == dtype, name
    arm = h5["arm"]
    meanings = arm.attrs["flag_meanings"].split()
    np.testing.assert_array_equal(arm.attrs["flag_values"], np.arange(len(meanings)))
    assert arm.attrs["flag_values"].dtype == np.int8
    assert set(arm[:].tolist()) <= set(range(len(meanings)))
    for name in _varied_names(h5):
        attrs = h5[name].attrs
        for key in ["units", "min", "max", "long_name"]:
            assert key in attrs, f"{name} lacks attribute {key}"
        values = h5[name][:]
        assert np.all((values >= attrs["min"]) & (values <= attrs["max"])), name


# ---- storage --------------------------------------------------------------------------------

def test_per_step_datasets_are_chunked_and_compressed(h5):
    n_steps = h5["step"].shape[0]
    n_planned = int(h5.attrs["n_runs_planned"])
    for name in _per_step_names(h5):
        d = h5[name]
        assert d.chunks is not None and d.chunks[1] == n_steps, name
        assert d.compression == "gzip" and d.compression_opts == 4, name
        assert d.shuffle, name
        assert d.maxshape == (None, n_steps), name
        chunk_bytes = d.chunks[0] * n_steps * d.dtype.itemsize
        assert chunk_bytes <= 1 << 20, f"{name}: chunk of {chunk_bytes} B"
        assert chunk_bytes >= 256 << 10 or d.chunks[0] >= n_planned, \
            f"{name}: chunk of {chunk_bytes} B is small although more runs are planned"
        coords = d.attrs["coordinates"].split()
        assert coords[:4] == RUN_COORDS, name
        assert set(_varied_names(h5)) <= set(coords), name


def test_fill_value_is_nan(h5, ds):
    for name in _per_step_names(h5):
        d = h5[name]
        fill = d.attrs["_FillValue"]
        assert fill.dtype == np.float32 and math.isnan(fill), name
        assert math.isnan(d.fillvalue), name
    assert ds["turnout"].encoding.get("dtype") == np.float32


# ---- /win_events: the event table -----------------------------------------------------------------

NO_WINS_NAME = "sample_results_no_wins.h5"
WIN_COLUMNS = {"run": np.int64, "arm": np.int8, "replicate": np.int32, "point": np.int32,
               "start_step": np.int32, "end_step": np.int32, "censored": np.int8,
               "strength": np.float64, "duration": np.int32}
WIN_RUN_COORDS = ["run", "arm", "replicate", "point"]


def _check_wins_opens(path):
    """The /win_events group opens in one xarray call, on its own `win` dimension, and turns into a
    one-row-per-win DataFrame."""
    with xr.open_dataset(path, engine="h5netcdf", group="win_events") as wins:
        assert set(wins.dims) == {"win"}
        for name, var in wins.variables.items():
            assert var.dims == ("win",), f"{name} has dims {var.dims}"
        for name, dtype in WIN_COLUMNS.items():
            assert name in wins.variables, name
            # no CF masking: end_step keeps -1 for censored wins and stays an integer
            assert wins[name].dtype == dtype, f"{name}: {wins[name].dtype}"
        np.testing.assert_array_equal(wins["win"].values, np.arange(wins.sizes["win"]))
        for coord in WIN_RUN_COORDS:
            assert coord in wins["duration"].coords, f"{coord} is not a coordinate of duration"
        frame = wins.to_dataframe()
        assert len(frame) == wins.sizes["win"]
        assert frame.index.name == "win"
        assert set(WIN_COLUMNS) <= set(frame.columns)
        return frame


@pytest.fixture(scope="module")
def wins_frame(path):
    return _check_wins_opens(path)


def test_wins_table_opens_in_one_call_with_xarray(wins_frame, path):
    if Path(path).name in ("engine_wins_results.h5", "engine_reversals_results.h5"):
        assert len(wins_frame) > 0, "the default scenario has wins"
    if Path(path).name == SAMPLE_NAME:
        assert len(wins_frame) > 0, "the sample study has wins"
        assert wins_frame["censored"].isin([0, 1]).all()
        # groupby works on the table, e.g. median duration per arm
        with xr.open_dataset(path, engine="h5netcdf", group="win_events") as wins:
            by_arm = wins["duration"].groupby("arm").median()
            assert set(by_arm["arm"].values.tolist()) <= {0, 1}


def test_wins_table_is_consistent_with_the_runs(h5):
    g = h5["win_events"]
    n = g["win"].shape[0]
    cols = {name: g[name][:] for name in WIN_COLUMNS}
    for name, dtype in WIN_COLUMNS.items():
        assert g[name].shape == (n,), name
        assert g[name].dtype == dtype, name
    n_steps = h5["step"].shape[0]
    censored = cols["censored"] == 1
    assert set(np.unique(cols["censored"]).tolist()) <= {0, 1}
    np.testing.assert_array_equal(cols["end_step"] == -1, censored)
    assert np.all((cols["start_step"] >= 0) & (cols["start_step"] < n_steps))
    reversed_ = ~censored
    assert np.all(cols["end_step"][reversed_] >= cols["start_step"][reversed_])
    assert np.all(cols["end_step"][reversed_] < n_steps)
    expected = np.where(censored, n_steps - cols["start_step"],
                        cols["end_step"] - cols["start_step"])
    np.testing.assert_array_equal(cols["duration"], expected)
    # Rows are in run order, and carry their run's design columns.
    assert np.all(np.diff(cols["run"]) >= 0)
    run = h5["run"][:]
    pos = np.searchsorted(run, cols["run"])
    assert np.all(pos < len(run)) and np.all(run[np.minimum(pos, len(run) - 1)] == cols["run"])
    for name in ["arm", "replicate", "point"]:
        np.testing.assert_array_equal(cols[name], h5[name][:][pos], err_msg=name)


def test_wins_table_storage_and_attributes(h5):
    g = h5["win_events"]
    assert g["win"].attrs["CLASS"] == b"DIMENSION_SCALE"
    assert g["win"].dtype == np.int64
    for name in ["win"] + list(WIN_COLUMNS):
        d = g[name]
        assert d.maxshape == (None,), f"{name} must be unlimited (appended batch by batch)"
        assert d.chunks is not None, name
        assert d.compression == "gzip" and d.compression_opts == 4, name
        assert d.shuffle, name
        assert "long_name" in d.attrs, name
        if name != "win":
            assert d.dims[0][0].name == "/win_events/win", f"{name}: `win` scale not attached"
    for name in ["start_step", "end_step", "duration"]:
        assert g[name].attrs["units"] == "week", name
    for key in ["flag_values", "flag_meanings"]:
        np.testing.assert_array_equal(g["arm"].attrs[key], h5["arm"].attrs[key], err_msg=key)
    np.testing.assert_array_equal(g["censored"].attrs["flag_values"], [0, 1])
    assert g["censored"].attrs["flag_meanings"] == "reversed censored"


def test_empty_wins_table_still_opens():
    candidates = []
    if os.environ.get("ORGSIM_TEST_TMP"):
        candidates.append(Path(os.environ["ORGSIM_TEST_TMP"]) / NO_WINS_NAME)
    candidates += sorted(REPO.glob(f"build*/test-tmp/{NO_WINS_NAME}"),
                         key=lambda p: p.stat().st_mtime, reverse=True)
    found = [p for p in candidates if p.is_file()]
    if not found:
        pytest.skip(f"no {NO_WINS_NAME}: run the C++ tests tagged [hdf5] first")
    frame = _check_wins_opens(found[0])
    assert len(frame) == 0
    with h5py.File(found[0], "r") as f:
        for name in ["win"] + list(WIN_COLUMNS):
            assert f["win_events"][name].shape == (0,), name
        # written without set_durability(): no /durability group at all
        assert "durability" not in f


# ---- /durability: Kaplan-Meier estimates of how long wins stand -----------------------------

NO_REVERSALS_NAME = "sample_results_no_reversals.h5"
Z95 = 1.959963984540054  # the two-sided 95% normal quantile used by orgsim::kaplan_meier
DURABILITY_ARM = {"wins": np.int64, "reversals": np.int64, "median": np.float64}
DURABILITY_KM = {"km_arm": np.int8, "time": np.float64, "survival": np.float64,
                 "lower": np.float64, "upper": np.float64, "at_risk": np.int64,
                 "events": np.int64}


def kaplan_meier_np(durations, events):
    """Product-limit estimate from durations and event flags (True = reversal observed, False =
    censored). Returns the distinct event times, S(t) just after each, the 95% interval by
    Greenwood's formula on the log(-log S) scale, the numbers at risk and of events, and the
    median (first t with S(t) <= 0.5, NaN if never)."""
    durations = np.asarray(durations, dtype=np.float64)
    events = np.asarray(events, dtype=bool)
    times = np.unique(durations[events])
    at_risk = np.array([np.sum(durations >= t) for t in times], dtype=np.int64)
    d = np.array([np.sum(events & (durations == t)) for t in times], dtype=np.int64)
    survival = np.cumprod(1.0 - d / at_risk) if len(times) else np.zeros(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(np.where(d < at_risk, d / (at_risk * (at_risk - d)), 0.0))
        se = np.sqrt(greenwood) / np.abs(np.log(survival))
        lower = survival ** np.exp(Z95 * se)
        upper = survival ** np.exp(-Z95 * se)
    inner = (survival > 0.0) & (survival < 1.0)  # at S = 0 or 1 the interval is S itself
    lower = np.where(inner, lower, survival)
    upper = np.where(inner, upper, survival)
    below = np.flatnonzero(survival <= 0.5)
    median = times[below[0]] if below.size else math.nan
    return times, survival, lower, upper, at_risk, d, median


def test_numpy_kaplan_meier_by_hand():
    """The reference estimator on a worked example: durations 1 2 2 3 4 5, the second 2 and the 4
    censored. S = 5/6 at t=1 (6 at risk), x 4/5 at t=2 (5 at risk, 1 event; the censored 2
    leaves after), x 2/3 at t=3 (3 at risk), x 0 at t=5 (1 at risk): 5/6, 2/3, 4/9, 0."""
    times, surv, lower, upper, at_risk, d, median = kaplan_meier_np(
        [1, 2, 2, 3, 4, 5], [True, True, False, True, False, True])
    np.testing.assert_array_equal(times, [1, 2, 3, 5])
    np.testing.assert_allclose(surv, [5 / 6, 2 / 3, 4 / 9, 0.0])
    np.testing.assert_array_equal(at_risk, [6, 5, 3, 1])
    np.testing.assert_array_equal(d, [1, 1, 1, 1])
    assert median == 3
    # Greenwood at t=1: var sum 1/(6*5); log(-log S) interval around S
    se = math.sqrt(1 / 30) / abs(math.log(5 / 6))
    assert lower[0] == pytest.approx((5 / 6) ** math.exp(Z95 * se))
    assert upper[0] == pytest.approx((5 / 6) ** math.exp(-Z95 * se))
    assert lower[-1] == upper[-1] == 0.0
    assert np.all(lower <= surv) and np.all(surv <= upper)


def _check_durability_opens(path):
    """/durability opens in one xarray call on its `arm` and `km` dimensions."""
    with xr.open_dataset(path, engine="h5netcdf", group="durability") as dur:
        assert set(dur.dims) == {"arm", "km"}
        for name, var in dur.variables.items():
            assert not any("phony" in d for d in var.dims), f"{name} has phony dims {var.dims}"
        np.testing.assert_array_equal(dur["arm"].values, np.arange(dur.sizes["arm"]))
        np.testing.assert_array_equal(dur["km"].values, np.arange(dur.sizes["km"]))
        assert dur["arm"].dtype == np.int8
        for name, dtype in DURABILITY_ARM.items():
            assert dur[name].dims == ("arm",), name
            assert dur[name].dtype == dtype, f"{name}: {dur[name].dtype}"
        for name, dtype in DURABILITY_KM.items():
            assert dur[name].dims == ("km",), name
            assert dur[name].dtype == dtype, f"{name}: {dur[name].dtype}"
        for name in ["arm", "km"] + list(DURABILITY_ARM) + list(DURABILITY_KM):
            assert "long_name" in dur[name].attrs, name
        assert dur["median"].attrs["units"] == "week"  # a step is a week (UDUNITS)
        assert dur["time"].attrs["units"] == "week"
        for name in ["survival", "lower", "upper", "at_risk", "events"]:
            assert "km_arm" in dur[name].coords and "time" in dur[name].coords, name
        return dur.load()


def _done_wins(h5):
    """The /win_events rows of the done runs (status 1): duration, event flag, arm code."""
    g = h5["win_events"]
    run = h5["run"][:]
    done = run[h5["status"][:] == 1]
    keep = np.isin(g["run"][:], done)
    return (g["duration"][:][keep], g["censored"][:][keep] == 0, g["arm"][:][keep])


def test_durability_is_written_by_orgsim_run(h5):
    if "durability" not in h5:
        assert h5.attrs["kind"] != "run", "`orgsim run` writes /durability"
        pytest.skip("this file has no /durability group")


def test_durability_opens_in_one_call_and_matches_a_numpy_kaplan_meier(path, h5):
    if "durability" not in h5:
        pytest.skip("this file has no /durability group")
    dur = _check_durability_opens(path)
    g = h5["durability"]
    n_arms = dur.sizes["arm"]
    # The arm codes and their names are those of the root `arm`.
    for key in ["flag_values", "flag_meanings"]:
        for name in ["arm", "km_arm"]:
            np.testing.assert_array_equal(g[name].attrs[key], h5["arm"].attrs[key],
                                          err_msg=f"{name}@{key}")
    assert n_arms == len(h5["arm"].attrs["flag_meanings"].split())
    # Dimension scales, attached.
    for scale in ["arm", "km"]:
        assert g[scale].attrs["CLASS"] == b"DIMENSION_SCALE", scale
    for name in DURABILITY_ARM:
        assert g[name].dims[0][0].name == "/durability/arm", f"{name}: `arm` not attached"
    for name in DURABILITY_KM:
        assert g[name].dims[0][0].name == "/durability/km", f"{name}: `km` not attached"

    # The curve table: arms in order, event times ascending within an arm, intervals around S.
    km_arm = dur["km_arm"].values
    assert np.all(np.diff(km_arm.astype(np.int64)) >= 0), "rows are grouped by arm, in order"
    assert set(km_arm.tolist()) <= set(range(n_arms))
    s, lo, hi = dur["survival"].values, dur["lower"].values, dur["upper"].values
    assert np.all((0.0 <= lo) & (lo <= s) & (s <= hi) & (hi <= 1.0))

    # Recompute from the event table of the same file: KM over the wins of each arm's done runs,
    # time = duration, event = not censored.
    durations, events, arm_of = _done_wins(h5)
    for k in range(n_arms):
        mine = arm_of == k
        times, surv, lower, upper, at_risk, d, median = kaplan_meier_np(durations[mine],
                                                                        events[mine])
        msg = f"arm {k}"
        assert dur["wins"].values[k] == mine.sum(), msg
        assert dur["reversals"].values[k] == events[mine].sum(), msg
        rows = dur.isel(km=km_arm == k)
        np.testing.assert_array_equal(rows["time"].values, times, err_msg=msg)
        np.testing.assert_allclose(rows["survival"].values, surv, rtol=1e-12, err_msg=msg)
        np.testing.assert_allclose(rows["lower"].values, lower, rtol=1e-9, err_msg=msg)
        np.testing.assert_allclose(rows["upper"].values, upper, rtol=1e-9, err_msg=msg)
        np.testing.assert_array_equal(rows["at_risk"].values, at_risk, err_msg=msg)
        np.testing.assert_array_equal(rows["events"].values, d, err_msg=msg)
        assert rows["events"].values.sum() == dur["reversals"].values[k], msg
        if math.isnan(median):
            assert math.isnan(dur["median"].values[k]), msg
        else:
            assert dur["median"].values[k] == median, msg

    # Which files must have something to compare.
    name = Path(path).name
    if name in ("engine_wins_results.h5", "engine_reversals_results.h5", SAMPLE_NAME):
        assert dur["wins"].values.sum() > 0, "this study has wins"
    if name in ("engine_reversals_results.h5", SAMPLE_NAME):
        assert dur.sizes["km"] > 0, "this study has reversals: the curves are not empty"


def test_durability_plots_per_arm_as_documented(path, h5):
    """The recipe in docs/HDF5_LAYOUT.md: one arm's curve is survival where km_arm == k, against
    time. The group is loaded first (.load()): xarray's lazy indexing of h5netcdf variables fails
    on an empty selection (an arm without reversals)."""
    if "durability" not in h5:
        pytest.skip("this file has no /durability group")
    with xr.open_dataset(path, engine="h5netcdf", group="durability") as lazy:
        dur = lazy.load()
        names = dur["arm"].attrs["flag_meanings"].split()
        for k in range(dur.sizes["arm"]):
            mine = dur.km_arm.values == k
            # NaN outside arm k: a step plot of it against `time` shows arm k's curve alone
            s = dur.survival.where(dur.km_arm == k)
            assert s.dims == ("km",) and "time" in s.coords, names[k]
            np.testing.assert_array_equal(np.isnan(s.values), ~mine)
            np.testing.assert_array_equal(s.values[mine], dur.survival.values[mine])
            # or select the arm's rows (also fine on an empty table, unlike where(drop=True))
            rows = dur.isel(km=mine)
            np.testing.assert_array_equal(rows.time.values, dur.time.values[mine])
            dropped = dur.survival.where(dur.km_arm == k, drop=True)
            np.testing.assert_array_equal(dropped.values, rows.survival.values)
            np.testing.assert_array_equal(dropped.time.values, rows.time.values)
        per_arm = dur.drop_dims("km").to_dataframe()  # one row per arm
        assert len(per_arm) == dur.sizes["arm"]
        assert {"wins", "reversals", "median"} <= set(per_arm.columns)
        table = dur.drop_dims("arm").to_dataframe()   # one row per (arm, event time)
        assert len(table) == dur.sizes["km"]
        assert set(DURABILITY_KM) <= set(table.columns)


def test_durability_without_reversals_has_an_empty_curve_table():
    found = _find_sample(NO_REVERSALS_NAME)
    if found is None:
        pytest.skip(f"no {NO_REVERSALS_NAME}: run the C++ tests tagged [hdf5] first")
    dur = _check_durability_opens(found)
    assert dur.sizes["km"] == 0
    assert dur.sizes["arm"] == 2
    assert dur["wins"].values.sum() > 0
    np.testing.assert_array_equal(dur["reversals"].values, [0, 0])
    assert np.all(np.isnan(dur["median"].values))
    with h5py.File(found, "r") as f:
        for name in ["km"] + list(DURABILITY_KM):
            assert f["durability"][name].shape == (0,), name


# ---- /failures: one row per failed run ------------------------------------------------------

FAILURE_COLUMNS = {"run": np.int64, "point": np.int32, "arm": np.int8, "replicate": np.int32,
                   "seed": np.uint64}


def _check_failures_opens(path):
    """/failures opens in one xarray call on its `failure` dimension: the run-level columns are
    coordinates of `message`, and the table turns into a one-row-per-failure DataFrame."""
    with xr.open_dataset(path, engine="h5netcdf", group="failures") as fails:
        assert set(fails.dims) == {"failure"}
        for name, var in fails.variables.items():
            assert var.dims == ("failure",), f"{name} has dims {var.dims}"
        np.testing.assert_array_equal(fails["failure"].values, np.arange(fails.sizes["failure"]))
        assert fails["failure"].dtype == np.int64
        for name, dtype in FAILURE_COLUMNS.items():
            assert fails[name].dtype == dtype, f"{name}: {fails[name].dtype}"
            assert name in fails["message"].coords, f"{name} is not a coordinate of message"
        assert fails["message"].dtype == object
        assert all(isinstance(m, str) for m in fails["message"].values)
        for name in ["failure", "message"] + list(FAILURE_COLUMNS):
            assert "long_name" in fails[name].attrs, name
        frame = fails.to_dataframe()
        assert len(frame) == fails.sizes["failure"]
        assert frame.index.name == "failure"
        assert set(FAILURE_COLUMNS) | {"message"} <= set(frame.columns)
        return frame


def test_failures_table_lists_the_failed_runs(path, h5):
    frame = _check_failures_opens(path)
    run, status = h5["run"][:], h5["status"][:]
    failed = run[status == 2]
    np.testing.assert_array_equal(frame["run"].to_numpy(), failed)
    pos = np.searchsorted(run, failed)
    for name in ["point", "arm", "replicate", "seed"]:
        np.testing.assert_array_equal(frame[name].to_numpy(), h5[name][:][pos], err_msg=name)

    g = h5["failures"]
    assert g["failure"].attrs["CLASS"] == b"DIMENSION_SCALE"
    for name in ["failure", "message"] + list(FAILURE_COLUMNS):
        d = g[name]
        assert d.maxshape == (None,), f"{name} must be unlimited (appended batch by batch)"
        assert d.chunks is not None, name
        assert d.compression == "gzip" and d.compression_opts == 4, name
        if name != "failure":
            assert d.dims[0][0].name == "/failures/failure", f"{name}: `failure` not attached"
    assert h5py.check_string_dtype(g["message"].dtype).encoding == "utf-8"
    for key in ["flag_values", "flag_meanings"]:
        np.testing.assert_array_equal(g["arm"].attrs[key], h5["arm"].attrs[key], err_msg=key)

    if Path(path).name == SWEEP_NAME:
        assert len(frame) == 2, "the sample sweep has two failed runs (one per batch)"
        assert frame["run"].tolist() == [5, 17]
        for message in frame["message"]:
            assert "out of range" in message and "Größe" in message
        assert h5["failures/message"].asstr()[0] == frame["message"].iloc[0]
        # a failed run has no outcomes: NaN in the root
        assert np.all(np.isnan(h5["final_turnout"][:][pos]))


def test_empty_failures_table_still_opens():
    found = _sample_file(SAMPLE_NAME)
    frame = _check_failures_opens(found)
    assert len(frame) == 0, "the sample study has no failed run"
    with h5py.File(found, "r") as f:
        for name in ["failure", "message"] + list(FAILURE_COLUMNS):
            assert f["failures"][name].shape == (0,), name


def test_run_files_have_no_design_or_sensitivity(h5):
    if h5.attrs["kind"] == "run":
        assert "design" not in h5 and "sensitivity" not in h5


# ---- /design and /sensitivity (sweeps) ------------------------------------------------------

SOBOL_ARRAYS = ["S1", "S1_conf", "ST", "ST_conf"]
MORRIS_ARRAYS = ["mu", "mu_star", "sigma"]
# What the C++ test writes into the samples (make_sensitivity): base + 0.1 arm + 0.01 output +
# 0.001 parameter, NaN at [0, 0, 0] of the first array.
SAMPLE_BASE = {"S1": 0.2, "S1_conf": 0.02, "ST": 0.3, "ST_conf": 0.03,
               "mu": -0.5, "mu_star": 0.5, "sigma": 0.05}


@pytest.fixture(scope="module", params=["sample_sweep", "sample_sweep_morris", "engine_sweep"])
def sweep_path(request, engine_dir):
    if request.param == "engine_sweep":
        return _engine_sweep_file(engine_dir)
    return _sample_file(SWEEP_NAME if request.param == "sample_sweep" else SWEEP_MORRIS_NAME)


def _is_sample(path):
    return Path(path).name in (SWEEP_NAME, SWEEP_MORRIS_NAME)


def _varied_in_order(f):
    """The varied parameters in the writer's order (h5py lists a group by name): the order of
    the per-step variables' `coordinates` attribute, after the four run coordinates."""
    keys = f["turnout"].attrs["coordinates"].split()[len(RUN_COORDS):]
    assert sorted(keys) == sorted(_varied_names(f))
    return keys


def test_design_opens_in_one_call_and_matches_the_runs(sweep_path):
    with h5py.File(sweep_path, "r") as f:
        keys = _varied_in_order(f)
        design_type = f.attrs["design"]
        root_point = f["point"][:]
        root_params = {k: f[k][:] for k in keys}
        g = f["design"]
        for scale in ["point", "parameter"]:
            assert g[scale].attrs["CLASS"] == b"DIMENSION_SCALE", scale
        assert h5py.check_string_dtype(g["parameter"].dtype).encoding == "utf-8"
        for name in ["value"] + (["unit"] if "unit" in g else []):
            assert g[name].dims[0][0].name == "/design/point", name
            assert g[name].dims[1][0].name == "/design/parameter", name
    with xr.open_dataset(sweep_path, engine="h5netcdf", group="design") as design:
        d = design.load()
    assert set(d.dims) == {"point", "parameter"}
    for name, var in d.variables.items():
        assert not any("phony" in dim for dim in var.dims), f"{name} has phony dims {var.dims}"
        assert "long_name" in var.attrs, name
    assert d.attrs["type"] == design_type
    n_points = d.sizes["point"]
    assert d["point"].dtype == np.int64
    np.testing.assert_array_equal(d["point"].values, np.arange(n_points))
    # string labels: the dotted keys, in the order of the root's varied parameters
    assert d["parameter"].values.tolist() == keys
    assert d["value"].dims == ("point", "parameter") and d["value"].dtype == np.float64
    if design_type != "grid":
        assert d["unit"].dims == ("point", "parameter") and d["unit"].dtype == np.float64
        assert np.all((d["unit"].values >= 0.0) & (d["unit"].values <= 1.0))
    for j, key in enumerate(keys):
        assert d[key].dims == ("point",), key
        np.testing.assert_array_equal(d[key].values, d["value"].values[:, j], err_msg=key)
        np.testing.assert_array_equal(d["value"].sel(parameter=key).values, d[key].values)
        # a run's parameters are its design point's row (root `point` indexes /design)
        per_run = d[key].sel(point=xr.DataArray(root_point, dims="run"))
        assert per_run.dims == ("run",)
        np.testing.assert_array_equal(per_run.values, root_params[key], err_msg=key)
    assert root_point.max() < n_points
    points = d.drop_dims("parameter").to_dataframe()  # one row per design point, one column per key
    assert len(points) == n_points and set(keys) <= set(points.columns)
    if _is_sample(sweep_path):
        assert n_points == (8 if design_type == "sobol" else 6)
        assert set(np.unique(root_point).tolist()) == set(range(n_points))


def test_sensitivity_opens_in_one_call(sweep_path):
    with h5py.File(sweep_path, "r") as f:
        keys = _varied_in_order(f)
        design_type = f.attrs["design"]
        arm_attrs = {k: f["arm"].attrs[k] for k in ["flag_values", "flag_meanings"]}
        per_run_names = {k for k, v in f.items()
                         if isinstance(v, h5py.Dataset) and v.ndim == 1 and v.dtype == np.float64}
        g = f["sensitivity"]
        for scale in ["arm", "output", "parameter"]:
            assert g[scale].attrs["CLASS"] == b"DIMENSION_SCALE", scale
        for key, value in arm_attrs.items():
            np.testing.assert_array_equal(g["arm"].attrs[key], value, err_msg=key)
    with xr.open_dataset(sweep_path, engine="h5netcdf", group="sensitivity") as sens:
        s = sens.load()
    method = s.attrs["method"]
    assert method == design_type
    arrays, absent = ((SOBOL_ARRAYS, MORRIS_ARRAYS) if method == "sobol"
                      else (MORRIS_ARRAYS, SOBOL_ARRAYS))
    assert set(s.dims) == {"arm", "output", "parameter"}
    for name, var in s.variables.items():
        assert not any("phony" in dim for dim in var.dims), f"{name} has phony dims {var.dims}"
        assert "long_name" in var.attrs, name
    assert s["arm"].dtype == np.int8
    np.testing.assert_array_equal(s["arm"].values, np.arange(s.sizes["arm"]))
    assert s.sizes["arm"] == len(str(arm_attrs["flag_meanings"]).split())
    assert s["parameter"].values.tolist() == keys
    outputs = s["output"].values.tolist()
    assert outputs and all(isinstance(o, str) for o in outputs)
    assert set(outputs) <= per_run_names, "every output is a per-run variable of the root"
    for name in arrays:
        assert s[name].dims == ("arm", "output", "parameter"), name
        assert s[name].dtype == np.float64, name
    for name in absent:
        assert name not in s.variables, name
    assert s["noise_share"].dims == ("arm", "output")
    noise = s["noise_share"].values
    assert np.all(np.isnan(noise) | ((noise >= 0.0) & (noise <= 1.0)))
    # label-based selection on the string dimensions
    one = s[arrays[0]].sel(output=outputs[0], parameter=keys[0])
    assert one.dims == ("arm",)
    table = s[arrays].to_dataframe()  # one row per (arm, output, parameter)
    assert len(table) == s.sizes["arm"] * len(outputs) * len(keys)

    if _is_sample(sweep_path):
        assert outputs == ["final_turnout", "peak_turnout"]
        a, o, p = np.meshgrid(np.arange(s.sizes["arm"]), np.arange(len(outputs)),
                              np.arange(len(keys)), indexing="ij")
        for name in arrays:
            expected = SAMPLE_BASE[name] + 0.1 * a + 0.01 * o + 0.001 * p
            if name == arrays[0]:
                expected[0, 0, 0] = np.nan
            np.testing.assert_allclose(s[name].values, expected, rtol=0, atol=1e-15,
                                       err_msg=name)
        a2, o2 = np.meshgrid(np.arange(s.sizes["arm"]), np.arange(len(outputs)), indexing="ij")
        np.testing.assert_allclose(noise, 0.25 + 0.1 * a2 + 0.01 * o2, rtol=0, atol=1e-15)
    else:
        assert outputs == ENGINE_SWEEP["outputs"]
