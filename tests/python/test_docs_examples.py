"""The command-line examples of the docs print what the docs show: each is run as written and its
output compared with the doc's, so a model change that moves them fails here and the doc is
updated with it (docs/PYTHON.md's `orgsim.model` example: test_orgsim_module.py)."""
import re
import subprocess

from conftest import REPO


def _block_after(doc, heading, fence="```"):
    """The fenced blocks (their text) of `doc` after `heading`, in order."""
    rest = doc.split(heading, 1)[1]
    return re.findall(fence + r"[a-z]*\n(.*?)" + fence, rest, re.S)


def test_python_md_discover_example_prints_what_the_doc_shows(orgsim_binary, tmp_path):
    doc = (REPO / "docs/PYTHON.md").read_text()
    commands, shown = _block_after(doc, "## Scenario discovery: where does a condition hold?")[:2]
    sweep_line, discover = commands.split("\n", 1)
    sweep_file = sweep_line.split()[2]
    out = tmp_path / "hours-vs-turnover.h5"
    done = subprocess.run([orgsim_binary, "sweep", str(REPO / sweep_file), "-o", str(out), "-q"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    where = re.search(r'--where "([^"]+)"', discover).group(1)
    done = subprocess.run([orgsim_binary, "discover", str(out), "--no-write", "--where", where],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    expected = [line for line in shown.strip().splitlines() if not line.endswith("...")]
    got = done.stdout.strip().splitlines()
    assert got[:len(expected)] == expected


def _recipe_lines(doc, heading, starts):
    """The lines of the first python block after `heading` that start with one of `starts`."""
    block = _block_after(doc, heading, "```")[0]
    return [line for line in block.splitlines() if line.startswith(starts)]


def test_hdf5_layout_xarray_cube_recipe_keeps_every_run_of_a_sweep(orgsim_files):
    """docs/HDF5_LAYOUT.md's (run -> point x arm x replicate) recipe, run as written on a grid
    sweep (20 design points x 2 arms x 10 replicates): every run and every value is in the cube,
    each where it belongs, and xarray warns about nothing."""
    import warnings

    import numpy as np
    import pytest
    pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    path = orgsim_files("sweep_grid")
    doc = (REPO / "docs/HDF5_LAYOUT.md").read_text()
    lines = _recipe_lines(doc, "## Reading it", ("import ", "ds = ", "cube = "))
    assert [line.split()[0] for line in lines][-2:] == ["ds", "cube"], lines
    code = "\n".join(lines).replace('"results/study.h5"', repr(str(path)))
    scope = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exec(code, scope)
    ds, cube = scope["ds"], scope["cube"]
    assert ds.sizes["run"] == 400 and len(np.unique(ds.point.values)) == 20
    assert cube.size == ds.turnout.size  # no run lost, none made up
    assert int(cube.count()) == int(ds.turnout.count())
    for r in (0, 57, 399):  # each run's series at its (point, arm, replicate)
        at = cube.sel(point=int(ds.point[r]), arm=int(ds.arm[r]),
                      replicate=int(ds.replicate[r]))
        np.testing.assert_array_equal(at.transpose("step").values, ds.turnout[r].values)
    ds.close()


def test_hdf5_layout_group_recipes_open_every_group_they_name(orgsim_binary, orgsim_files,
                                                               tmp_path):
    """docs/HDF5_LAYOUT.md's recipe for the groups without dimension scales (and /discovery,
    which has them), run as written on a run with snapshots and a sweep with a /discovery:
    every line works, xarray's dimensions are named as the doc says, and analysis.load names
    them."""
    import shutil

    import pytest
    pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    run = tmp_path / "run.h5"
    done = subprocess.run([orgsim_binary, "run", "scenarios/default.json", "-o", str(run), "-q",
                           "--replicates", "2", "--set", "steps=20", "--set",
                           "population.size=90", "--set", "output.snapshots=5"],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    study = tmp_path / "study.h5"
    shutil.copyfile(orgsim_files("sweep_grid"), study)
    done = subprocess.run([orgsim_binary, "discover", str(study), "--where", "wins > 0"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    doc = (REPO / "docs/HDF5_LAYOUT.md").read_text()
    block = _block_after(doc, "The groups without dimension scales", "```")[0]
    # the calibration line on a file without /calibration: the error the doc says
    cal_line = next(line for line in block.splitlines() if line.startswith("posterior = "))
    block = block.replace(cal_line, "")
    code = "import xarray as xr\n" + (block.replace('"results/study.h5"', repr(str(study)))
                                      .replace('"results/run.h5"', repr(str(run))))
    scope = {}
    exec(code, scope)
    from analysis import load
    with pytest.raises(load.ResultsFileError, match="expected a calibration's results file"):
        exec(cal_line.replace('"results/cal.h5"', repr(str(run))), scope)
    assert not load.has_calibration(run)
    assert set(scope["disc"].dims) == {"box", "input"}
    assert set(scope["peel"].dims) == {"row"}
    assert scope["boxes"].where == "wins > 0"
    sizes = dict(scope["agents"].sizes)
    assert sizes["run"] == 4 and sizes["agent"] == 90 and sizes["snapshot"] >= 2
    assert set(scope["ties"].dims) == {"run", "snapshot", "edge"}
    assert scope["people"] is None  # no roster
    import xarray as xr
    with xr.open_dataset(run, engine="h5netcdf", group="agents", phony_dims="sort") as raw:
        assert raw["rung"].shape == (4, sizes["snapshot"], 90)
        assert all(d.startswith("phony_dim_") for d in raw["rung"].dims)
    for group in ("agents", "networks"):  # the plain call fails, as the doc says
        with pytest.raises(ValueError, match="no dimension scale"):
            xr.open_dataset(run, engine="h5netcdf", group=group)


def test_hdf5_layout_reading_block_runs_on_a_sweep_without_warnings(orgsim_files):
    """docs/HDF5_LAYOUT.md's first "Reading it" block, every line as written, on a sweep file
    (but the `levels` line, which needs a swept choice): no error and no warning (its bands
    were of turnout, NaN at steps without an action: "All-NaN slice encountered" per step);
    and the parts scheme it describes is the one that exists, not a future one."""
    import warnings

    import pytest
    pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    path = orgsim_files("sweep_grid")
    doc = (REPO / "docs/HDF5_LAYOUT.md").read_text()
    block = _block_after(doc, "## Reading it", "```")[0]
    code = "\n".join(line for line in block.splitlines() if not line.startswith("levels = "))
    code = code.replace('"results/study.h5"', repr(str(path)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exec(code, {})
    assert "OUTPUT_LAYOUT.md" not in doc and "A later part-file scheme" not in doc


def test_hdf5_layout_loader_block_gives_arm_names(orgsim_files):
    """docs/HDF5_LAYOUT.md's "Reading it" names analysis.load.open_results for the root group:
    its block, run as written on a sweep, gives arms by name (not codes), and the decoded `arm`
    no longer says it is a code."""
    import pytest
    pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    path = orgsim_files("sweep_grid")
    doc = (REPO / "docs/HDF5_LAYOUT.md").read_text()
    block = _block_after(doc, "`analysis.load.open_results` (the repository's loader", "```")[0]
    scope = {}
    exec(block.replace('"results/study.h5"', repr(str(path))), scope)
    ds, runs = scope["ds"], scope["runs"]
    assert sorted(set(ds.arm.values)) == ["big_messaging", "relationship_first"]
    assert "flag_meanings" not in ds.arm.attrs and "flag_meanings" in ds.arm_code.attrs
    assert list(runs["arm"].cat.categories) == ["relationship_first", "big_messaging"]
