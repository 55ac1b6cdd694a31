"""analysis on sweep files written by `orgsim sweep` (grid, sobol, morris): varied parameters as
coordinates, /design, /failures, /sensitivity, and the sweep figures and report on real data.
Skipped when the binary has no `sweep` command.

Run: /usr/bin/python3 -m pytest -q tests/python
"""

import re
import sys

import numpy as np
import pandas as pd
import pytest

h5py = pytest.importorskip("h5py")
pytest.importorskip("matplotlib")

from matplotlib.collections import QuadMesh  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from analysis import figures, load, report  # noqa: E402

GRID = ["campaign.hours_per_step", "environment.turnover"]


def data_axes(fig):
    return [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]


def test_grid_sweep_varied_parameters_and_design(orgsim_files, monkeypatch):
    path = orgsim_files("sweep_grid")
    ds = load.open_results(path)
    assert load.varied_params(ds) == GRID
    assert ds.attrs["kind"] == "sweep" and ds.attrs["design"] == "grid"
    runs = load.runs_table(ds)
    assert len(runs) == 400
    with h5py.File(path, "r") as f:
        for key in GRID:
            np.testing.assert_array_equal(runs[key].to_numpy(), f[key][:])
            assert runs.attrs["units"][key] == f[key].attrs["units"]
    design = load.design(path)
    assert design.attrs["type"] == "grid"
    assert list(design.columns) == GRID or set(design.columns) == set(GRID)
    assert len(design) == 20
    # the root `point` of a run indexes /design
    joined = runs[["point"] + GRID].merge(design, left_on="point", right_index=True,
                                         suffixes=("", "_design"))
    for key in GRID:
        np.testing.assert_array_equal(joined[key], joined[f"{key}_design"])
    assert len(load.failures(path)) == 0
    assert load.sensitivity(path) is None
    # the fallback reads the same table
    monkeypatch.setitem(sys.modules, "xarray", None)
    pd.testing.assert_frame_equal(load.runs_table(path), runs)


def test_heatmap_and_outcome_vs_param_on_a_grid_sweep(orgsim_files, tmp_path):
    runs = load.runs_table(orgsim_files("sweep_grid"))
    fig = figures.plot_heatmap(runs, GRID[1], GRID[0], "organized_base_end",
                               save=tmp_path / "heat")
    axes = data_axes(fig)
    assert len(axes) == 2
    mesh = [c for c in axes[0].collections if isinstance(c, QuadMesh)][0]
    rf = runs[runs["arm"] == "relationship_first"]
    expect = rf.groupby(GRID)["organized_base_end"].mean().unstack().to_numpy() * 100
    np.testing.assert_allclose(np.asarray(mesh.get_array()).reshape(expect.shape), expect)
    assert axes[0].get_xlabel() == "environment.turnover (per week)"  # units "week-1"
    assert (tmp_path / "heat.png").is_file() and (tmp_path / "heat.svg").is_file()

    fig = figures.plot_outcome_vs_param(runs, GRID[0], "organized_base_end")
    (ax,) = data_axes(fig)
    lines = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert [line.get_label() for line in lines] == ["relationship-first", "big messaging"]
    np.testing.assert_allclose(lines[0].get_xdata(), [5, 10, 15, 20, 25])
    expect = rf.groupby(GRID[0])["organized_base_end"].mean().to_numpy() * 100
    np.testing.assert_allclose(lines[0].get_ydata(), expect)


@pytest.mark.parametrize("which, method", [("sweep_sobol", "sobol"),
                                           ("sweep_morris", "morris")])
def test_sensitivity_table_and_bars(orgsim_files, which, method, tmp_path):
    path = orgsim_files(which)
    sens = load.sensitivity(path)
    assert sens.attrs["method"] == method
    with h5py.File(path, "r") as f:
        g = f["sensitivity"]
        arms = g["arm"].attrs["flag_meanings"].split()
        outputs = list(g["output"].asstr()[()])
        params = list(g["parameter"].asstr()[()])
        assert len(sens) == len(arms) * len(outputs) * len(params)
        cols = ["S1", "S1_conf", "ST", "ST_conf"] if method == "sobol" else \
            ["mu", "mu_star", "sigma"]
        for col in cols:
            np.testing.assert_array_equal(sens[col].to_numpy(), g[col][()].ravel())
        row = sens.iloc[len(params) + 1]  # arm 0, output 1, parameter 1
        assert (row["arm"], row["outcome"], row["parameter"]) == (arms[0], outputs[1], params[1])
        assert list(sens.attrs["noise_share"].columns) == outputs
    fig = figures.plot_sensitivity(sens, save=tmp_path / method)
    axes = data_axes(fig)
    assert len(axes) == len(arms) * len(outputs)
    for ax in axes:
        assert len([p for p in ax.patches if isinstance(p, Rectangle)]) == 2 * len(params)
        assert sorted(t.get_text() for t in ax.get_yticklabels()) == sorted(params)
    assert re.match(r".+ — (relationship-first|big messaging)$", axes[0].get_title(loc="left"))
    assert (tmp_path / f"{method}.png").is_file()


def test_sensitivity_group_opened_with_xarray_plots_the_same(orgsim_files):
    xr = pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    path = orgsim_files("sweep_sobol")
    with xr.open_dataset(path, engine="h5netcdf", group="sensitivity") as g:
        fig = figures.plot_sensitivity(g.load())
    fig2 = figures.plot_sensitivity(load.sensitivity(path))
    for a, b in zip(data_axes(fig), data_axes(fig2)):
        assert a.get_title(loc="left") == b.get_title(loc="left")
        wa = [p.get_width() for p in a.patches if isinstance(p, Rectangle)]
        wb = [p.get_width() for p in b.patches if isinstance(p, Rectangle)]
        np.testing.assert_allclose(wa, wb)


def test_report_on_a_sweep(orgsim_files, tmp_path):
    out = report.write_report(orgsim_files("sweep_sobol"), tmp_path / "sobol.html")
    page = open(out, encoding="utf-8").read()
    assert "A small sobol study for the tests." in page
    assert "sobol design over 3 parameters" in page
    assert "id='fig-sweep'" in page and "id='fig-sensitivity'" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "design points" in page and "pairs of runs" in page
