"""The results-file layout as analysts meet it (docs/HDF5_LAYOUT.md).

Checks that an orgsim results file opens in ONE call with xarray (engine="h5netcdf") as a
(run, step) dataset with run-level coordinates, that plain h5py reads every part, and that the
storage choices (chunks, filters, fill values, provenance checksums) are those documented.

Which file:
  ORGSIM_RESULTS_FILE   a file written by the engine (`orgsim run|sweep ... -o FILE`), if set;
  otherwise the sample written by the C++ test "results file: sample study for the Python layout
  tests" to $ORGSIM_TEST_TMP/sample_results.h5 (or <repo>/build*/test-tmp/sample_results.h5).

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

ROOT_ATTRS = [
    "schema", "schema_version", "orgsim_version", "git_commit", "git_dirty", "build_type", "compiler",
    "hdf5_version", "created_utc", "host", "command_line", "kind", "study_id", "master_seed",
    "rng", "seed_scheme", "n_runs_planned", "n_runs_done", "design",
]
RUN_COORDS = ["arm", "replicate", "point", "seed"]
PROVENANCE_JSON = ["scenario_json", "resolved_params_json", "parameter_table_json"]


def _find_results_file():
    given = os.environ.get("ORGSIM_RESULTS_FILE")
    if given:
        path = Path(given)
        if not path.is_file():
            pytest.fail(f"ORGSIM_RESULTS_FILE={given} does not exist")
        return path
    candidates = []
    if os.environ.get("ORGSIM_TEST_TMP"):
        candidates.append(Path(os.environ["ORGSIM_TEST_TMP"]) / SAMPLE_NAME)
    candidates += sorted(REPO.glob(f"build*/test-tmp/{SAMPLE_NAME}"),
                         key=lambda p: p.stat().st_mtime, reverse=True)
    for path in candidates:
        if path.is_file():
            return path
    pytest.skip("no results file to check: set ORGSIM_RESULTS_FILE to a file written by the "
                "engine, or run the C++ tests tagged [hdf5] (they write "
                f"<build>/test-tmp/{SAMPLE_NAME}; set ORGSIM_TEST_TMP if the build directory "
                "is not <repo>/build*)")


def _engine_binary():
    given = os.environ.get("ORGSIM_BINARY")
    if given:
        return Path(given)
    found = sorted(REPO.glob("build*/orgsim"), key=lambda p: p.stat().st_mtime, reverse=True)
    return found[0] if found else None


def _engine_file(tmp_dir):
    """A file written by the engine itself: three arms of the Centola-Macy scenario."""
    binary = _engine_binary()
    if binary is None or not binary.is_file():
        pytest.skip("no orgsim binary: set ORGSIM_BINARY or build into <repo>/build")
    out = tmp_dir / "engine_results.h5"
    subprocess.run([str(binary), "run", str(REPO / "scenarios/validation/centola_macy.json"),
                    "--replicates", "2", "--steps", "20", "--quiet", "-o", str(out)],
                   check=True, capture_output=True)
    return out


@pytest.fixture(scope="module", params=["engine", "sample"])
def path(request, tmp_path_factory):
    if request.param == "engine" and not os.environ.get("ORGSIM_RESULTS_FILE"):
        return _engine_file(tmp_path_factory.mktemp("engine"))
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
