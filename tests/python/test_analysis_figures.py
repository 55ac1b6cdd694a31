"""analysis.figures: what each figure draws (axes, one series per arm, axis labels with units,
legend entries = arms), and that PNG and SVG are written. Run figures on files written by the
engine; sweep figures on synthetic tables (the sweep engine does not exist yet).

Run: /usr/bin/python3 -m pytest -q tests/python
"""

import sys

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("h5py")

from matplotlib.collections import PathCollection, QuadMesh  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from analysis import figures, load, stats  # noqa: E402


def data_axes(fig):
    """The visible axes that are not colour bars."""
    return [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]


def legend_texts(fig):
    texts = []
    for legend in fig.legends + [ax.get_legend() for ax in fig.axes if ax.get_legend()]:
        texts += [t.get_text() for t in legend.get_texts()]
    return texts


def arm_lines(ax):
    return [line for line in ax.get_lines() if not line.get_label().startswith("_")]


def check_saved(fig, tmp_path, name):
    written = figures.save_figure(fig, tmp_path / name)
    assert [p.rsplit(".", 1)[1] for p in written] == ["png", "svg"]
    png, svg = (tmp_path / f"{name}.png"), (tmp_path / f"{name}.svg")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 10_000
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and len(text) > 5_000


# ---- style ------------------------------------------------------------------------------------

def test_palette_is_okabe_ito_and_distinct():
    okabe_ito = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00",
                 "#CC79A7"}
    assert set(figures.ARM_COLORS) == okabe_ito
    styles = [figures.arm_style(i) for i in range(8)]
    assert len({s["color"] for s in styles}) == 8
    assert len({str(s["linestyle"]) for s in styles}) == 8
    assert len({s["marker"] for s in styles}) == 8
    assert figures.STYLE["font.size"] >= 14  # readable on a projector


def test_units_shown_on_axes():
    share = {"units": "1", "long_name": "share of agents at member or above"}
    assert figures.display_units("organized_base", share) == "%"
    assert figures.display_units("organized_base", share, difference=True) == \
        "percentage points"
    assert figures.display_units("trust_mean", {"units": "1", "long_name": "mean trust"}) == \
        "0–1 scale"
    assert figures.display_units("rung_member", {"units": "agents"}) == "agents"  # older files
    # UDUNITS units (docs/HDF5_LAYOUT.md): a count shows what it counts, from unit_words.
    assert figures.display_units("rung_member", {"units": "count", "unit_words": "agents"}) == \
        "agents"
    assert figures.display_units("win_weeks", {"units": "week", "unit_words": "win-weeks"}) == \
        "win-weeks"
    assert figures.display_units("win_weeks", {"units": "win-steps"}) == "win-weeks"
    assert figures.display_units("x", {"units": "count"}) == "number"
    assert figures.arm_label("big_messaging") == "big messaging"
    assert figures.arm_label("rewired_10pct") == "rewired 10%"


def test_save_figure_drops_a_suffix(tmp_path):
    fig = figures.Figure()
    fig.subplots().plot([0, 1], [0, 1])
    written = figures.save_figure(fig, tmp_path / "sub" / "x.png")
    assert written == [str(tmp_path / "sub" / "x.png"), str(tmp_path / "sub" / "x.svg")]


# ---- run figures --------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["default", "centola"])
def test_plot_run_draws_one_series_per_arm(orgsim_files, tmp_path, which):
    path = orgsim_files(which)
    ds = load.open_results(path)
    names = load.arm_names(ds)
    labels = [figures.arm_label(n) for n in names]
    fig = figures.plot_run(ds)
    axes = data_axes(fig)
    assert len(axes) == 6
    titles = [ax.get_title(loc="left") for ax in axes]
    assert titles == ["Trust between coworkers", "Turnout at actions", "Supporters", "Members",
                      "Top rung (most committed)", "Standing wins"]
    units = {"Trust between coworkers": "0–1 scale", "Turnout at actions": "%",
             "Supporters": "agents", "Members": "agents", "Top rung (most committed)": "agents",
             "Standing wins": "wins"}
    for ax in axes:
        assert units[ax.get_title(loc="left")] in ax.get_ylabel()
    for ax in axes[-2:]:
        assert ax.get_xlabel() == "Time (years)"  # 156 and 300 weekly steps
    assert legend_texts(fig) == labels
    done_runs = np.asarray(ds["status"].values) == "done"
    codes = load.arm_codes(ds)
    for ax in axes:
        title = ax.get_title(loc="left")
        lines = arm_lines(ax)
        dots = [c for c in ax.collections if isinstance(c, PathCollection)]
        if title == "Turnout at actions" and which == "default":
            # one action per marker, one marker series per arm, none as lines
            assert lines == [] and [c.get_label() for c in dots] == labels
            n_actions = sum(np.isfinite(ds["turnout"].values[(codes == k) & done_runs]).sum()
                            for k in range(len(names)))
            assert sum(len(c.get_offsets()) for c in dots) == n_actions
        else:
            assert [line.get_label() for line in lines] == labels, title
            assert dots == []
    # the line is the mean over the arm's replicates (Members panel, first arm), in agents
    members = next(ax for ax in axes if ax.get_title(loc="left") == "Members")
    expect = np.nanmean(ds["rung_member"].values[(codes == 0) & done_runs], axis=0)
    np.testing.assert_allclose(arm_lines(members)[0].get_ydata(), expect, rtol=1e-6)
    # shares in percent: the trust panel stays 0-1, the turnout markers are 0-100
    if which == "default":
        turnout = next(ax for ax in axes if ax.get_title(loc="left") == "Turnout at actions")
        offsets = np.concatenate([c.get_offsets()[:, 1] for c in turnout.collections
                                  if isinstance(c, PathCollection)])
        assert offsets.max() > 1.5
    check_saved(fig, tmp_path, f"run_{which}")


def test_plot_run_bands_are_replicate_quantiles(orgsim_files):
    ds = load.open_results(orgsim_files("default"))
    fig = figures.plot_run(ds, variables=["trust_mean"])
    ax = data_axes(fig)[0]
    bands = [c for c in ax.collections if not isinstance(c, PathCollection)]
    assert len(bands) == 2  # one band per arm
    codes = load.arm_codes(ds)
    lo, hi = np.nanquantile(ds["trust_mean"].values[codes == 1], [0.1, 0.9], axis=0)
    verts = bands[1].get_paths()[0].vertices
    assert verts[:, 1].min() == pytest.approx(lo.min(), rel=1e-6)
    assert verts[:, 1].max() == pytest.approx(hi.max(), rel=1e-6)


def test_plot_run_same_with_the_h5py_fallback(orgsim_files, monkeypatch):
    path = orgsim_files("default")
    fig_xr = figures.plot_run(path)
    monkeypatch.setitem(sys.modules, "xarray", None)
    fb = load.open_results(path)
    assert isinstance(fb, load.ResultsData)
    fig_fb = figures.plot_run(fb)
    for a, b in zip(data_axes(fig_xr), data_axes(fig_fb)):
        assert a.get_title(loc="left") == b.get_title(loc="left")
        for la, lb in zip(arm_lines(a), arm_lines(b)):
            np.testing.assert_array_equal(la.get_ydata(), lb.get_ydata())


def test_plot_run_single_step_single_arm(orgsim_files, tmp_path):
    fig = figures.plot_run(orgsim_files("single"))
    assert legend_texts(fig) == ["baseline"]
    check_saved(fig, tmp_path, "single")


def _km_lines(ax):
    return [line for line in ax.get_lines() if line.get_gid() == "km"]


def test_plot_durability_curves_bands_and_censoring(orgsim_files, tmp_path):
    path = orgsim_files("default")
    dur = load.durability(path)
    fig = figures.plot_durability(dur)
    (ax,) = data_axes(fig)
    lines = _km_lines(ax)
    assert len(lines) == 2
    texts = legend_texts(fig)
    assert texts[0].startswith("relationship-first: 47 wins, 0 reversed") or \
        texts[0].startswith("relationship-first:")
    assert texts[1].startswith("big messaging:")
    assert "still standing at the end of the run" in texts[-1]
    assert ax.get_ylabel() == "Wins still standing (%)"
    assert "weeks" in ax.get_xlabel()
    # the step curve is S(t) in percent, starting at 100 at the win
    bm = dur.curve("big_messaging")
    y = np.asarray(lines[1].get_ydata())
    assert y[0] == 100
    np.testing.assert_allclose(y[1:-1], bm["survival"].to_numpy() * 100)
    np.testing.assert_allclose(np.asarray(lines[1].get_xdata())[1:-1], bm["time"].to_numpy())
    # bands: one per arm with wins; censoring ticks: one tick series per arm with censored wins
    bands = [c for c in ax.collections]
    assert len(bands) == 2
    ticks = [line for line in ax.get_lines() if line.get_gid() == "censored"]
    assert len(ticks) == dur.censored["arm"].nunique()
    assert sum(len(t.get_xdata()) for t in ticks) == len(dur.censored)
    check_saved(fig, tmp_path, "durability")


def test_plot_durability_arm_without_wins(orgsim_files):
    fig = figures.plot_durability(orgsim_files("centola"))
    (ax,) = data_axes(fig)
    assert len(_km_lines(ax)) == 2  # lattice and rewired won; random did not
    texts = legend_texts(fig)
    assert texts[2] == "random: no wins"
    assert [t.split(":")[0] for t in texts[:3]] == ["lattice", "rewired 10%", "random"]


@pytest.mark.parametrize("which", ["default", "centola"])
def test_plot_paired_differences_forest(orgsim_files, tmp_path, which):
    runs = load.runs_table(orgsim_files(which))
    names = stats.arm_order(runs)
    outcomes = ["organized_base_end", "peak_turnout", "wins", "reversals"]
    fig = figures.plot_paired_differences(runs, outcomes)
    axes = data_axes(fig)
    assert len(axes) == len(outcomes)
    assert legend_texts(fig) == [figures.arm_label(a) for a in names[1:]]
    diffs = stats.paired_differences(runs, outcomes)
    for ax, outcome in zip(axes, outcomes):
        bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
        assert len(bars) == len(names) - 1
        factor = 100 if outcome in ("organized_base_end", "peak_turnout") else 1
        for bar, arm in zip(bars, names[1:]):
            row = diffs[(diffs["arm"] == arm) & (diffs["outcome"] == outcome)].iloc[0]
            x = bar.lines[0].get_xdata()[0]
            assert x == pytest.approx(row["mean"] * factor)
        unit = "percentage points" if factor == 100 else "wins"
        assert unit in ax.get_ylabel()
    assert "the same" in axes[-1].get_xlabel() and "workplaces under each arm" in axes[-1].get_xlabel()
    assert "95% confidence interval" in axes[-1].get_xlabel()
    check_saved(fig, tmp_path, f"paired_{which}")


# ---- sweep figures (synthetic sweeps in the runs-table shape) ---------------------------------------

def synthetic_grid_sweep(seed=1):
    rng = np.random.default_rng(seed)
    rows = []
    for arm in ["relationship_first", "big_messaging"]:
        for t in [0.0, 0.004, 0.008, 0.016]:
            for h in [5, 10, 15]:
                for r in range(6):
                    base = (0.4 if arm == "relationship_first" else 0.02) * (h / 15) * (1 - 20 * t)
                    rows.append({"arm": arm, "replicate": r, "environment.turnover": t,
                                 "campaign.hours_per_step": h,
                                 "organized_base_end": max(0.0, base + rng.normal(0, 0.03))})
    df = pd.DataFrame(rows)
    df["arm"] = pd.Categorical(df["arm"], ["relationship_first", "big_messaging"], ordered=True)
    df.attrs["units"] = {"environment.turnover": "1/step", "campaign.hours_per_step": "h",
                         "organized_base_end": "1"}
    df.attrs["long_name"] = {"organized_base_end": "organized base (share at member or above) "
                                                   "at the end"}
    return df


def test_plot_heatmap_grid(tmp_path):
    df = synthetic_grid_sweep()
    fig = figures.plot_heatmap(df, "environment.turnover", "campaign.hours_per_step",
                               "organized_base_end")
    axes = data_axes(fig)
    assert len(axes) == 2  # one panel per arm
    assert len(fig.axes) == 3  # and one colour bar
    assert [ax.get_title(loc="left") for ax in axes] == ["relationship-first", "big messaging"]
    meshes = [c for ax in axes for c in ax.collections if isinstance(c, QuadMesh)]
    assert len(meshes) == 2
    expect = (df[df["arm"] == "big_messaging"]
              .groupby(["campaign.hours_per_step", "environment.turnover"])
              ["organized_base_end"].mean().unstack().to_numpy() * 100)
    np.testing.assert_allclose(np.asarray(meshes[1].get_array()).reshape(expect.shape), expect)
    assert meshes[0].get_clim() == meshes[1].get_clim()  # one shared colour scale
    for ax in axes:
        assert ax.get_xlabel() == "environment.turnover (1/step)"
        assert ax.get_ylabel() == "campaign.hours_per_step (h)"
        assert len(ax.texts) == 12  # cells labelled
    cbar = next(ax for ax in fig.axes if ax.get_label() == "<colorbar>")
    assert "(%)" in cbar.get_ylabel()
    check_saved(fig, tmp_path, "heatmap")


def test_plot_heatmap_bins_continuous_designs():
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"a.x": rng.uniform(0, 1, 500), "b.y": rng.uniform(0, 2, 500)})
    df["out"] = df["a.x"] + df["b.y"]
    fig = figures.plot_heatmap(df, "a.x", "b.y", "out", bins=8)
    (ax,) = data_axes(fig)
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    assert np.asarray(mesh.get_array()).size == 64
    assert ax.get_title(loc="left") == ""


def test_plot_outcome_vs_param_lines_and_bands(tmp_path):
    df = synthetic_grid_sweep()
    fig = figures.plot_outcome_vs_param(df, "campaign.hours_per_step", "organized_base_end")
    (ax,) = data_axes(fig)
    lines = arm_lines(ax)
    assert [line.get_label() for line in lines] == ["relationship-first", "big messaging"]
    assert legend_texts(fig) == ["relationship-first", "big messaging"]
    expect = (df[df["arm"] == "relationship_first"].groupby("campaign.hours_per_step")
              ["organized_base_end"].mean().to_numpy() * 100)
    np.testing.assert_allclose(lines[0].get_ydata(), expect)
    np.testing.assert_array_equal(lines[0].get_xdata(), [5, 10, 15])
    assert ax.get_xlabel() == "campaign.hours_per_step (h)"
    assert ax.get_ylabel() == "Organized base at the end (%)"
    # per arm: the runs (dots), the 10-90% band and the CI band
    dots = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(dots) == 2
    assert len(ax.collections) - len(dots) == 4
    check_saved(fig, tmp_path, "outcome_vs_param")


def test_plot_outcome_vs_param_continuous_without_arms():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"p": rng.uniform(0, 1, 300)})
    df["y"] = 2 * df["p"] + rng.normal(0, 0.1, 300)
    fig = figures.plot_outcome_vs_param(df, "p", "y", bins=10, points=False)
    (ax,) = data_axes(fig)
    (line,) = arm_lines(ax)
    assert len(line.get_xdata()) == 10
    assert np.all(np.diff(line.get_ydata()) > -0.2)  # rises with p


def test_plot_sensitivity_sobol(tmp_path):
    params = ["environment.turnover", "campaign.hours_per_step", "trust.initial", "x.y"]
    df = pd.DataFrame({
        "outcome": ["organized_base_end"] * 4 + ["final_turnout"] * 4,
        "parameter": params * 2,
        "S1": [0.5, 0.2, 0.05, 0.01, 0.3, 0.3, 0.1, 0.0],
        "S1_conf": [0.05, 0.04, 0.03, 0.02] * 2,
        "ST": [0.6, 0.3, 0.1, 0.02, 0.4, 0.35, 0.2, 0.01],
        "ST_conf": [0.06, 0.05, 0.03, 0.02] * 2})
    fig = figures.plot_sensitivity(df)
    axes = data_axes(fig)
    assert len(axes) == 2
    assert legend_texts(fig) == ["first order S1", "total ST"]
    for ax in axes:
        bars = [p for p in ax.patches if isinstance(p, Rectangle)]
        assert len(bars) == 8  # S1 and ST per parameter
        errs = [c for c in ax.containers if hasattr(c, "errorbar") and c.errorbar is not None]
        assert len(errs) == 2
        assert "Sobol index" in ax.get_xlabel()
        # largest total effect on top
        assert ax.get_yticklabels()[-1].get_text() == "environment.turnover"
    assert axes[0].get_title(loc="left") == "Organized base at the end"
    check_saved(fig, tmp_path, "sobol")


def test_plot_sensitivity_morris_and_bad_input():
    df = pd.DataFrame({"parameter": ["a.b", "c.d", "e.f"], "mu_star": [0.3, 0.1, 0.02],
                       "mu_star_conf": [0.05, 0.03, 0.01], "sigma": [0.2, 0.05, 0.01]})
    fig = figures.plot_sensitivity(df)
    (ax,) = data_axes(fig)
    assert len([p for p in ax.patches if isinstance(p, Rectangle)]) == 6
    assert legend_texts(fig)[0].startswith("μ*")
    with pytest.raises(ValueError):
        figures.plot_sensitivity(pd.DataFrame({"parameter": ["a"], "foo": [1]}))


def test_plot_sensitivity_skips_outcomes_whose_indices_are_nan():
    # Issue 9: a Sobol sweep with an output whose indices are all NaN (every replicate of a
    # point failed, or an outcome that never varies) crashed `orgsim report` with StopIteration
    # inside matplotlib's errorbar. The panel is skipped and a note says which outcome.
    nan = float("nan")
    df = pd.DataFrame({
        "outcome": ["organized_base_end"] * 2 + ["win_weeks"] * 2,
        "parameter": ["a", "b", "a", "b"],
        "S1": [0.6, 0.1, nan, nan], "S1_conf": [0.05, 0.02, nan, nan],
        "ST": [0.7, 0.2, nan, nan], "ST_conf": [0.05, 0.03, nan, nan]})
    fig = figures.plot_sensitivity(df)
    texts = " ".join(t.get_text() for t in fig.texts)
    assert "not shown" in texts and figures.title_of("win_weeks") in texts
    assert sum(ax.get_visible() for ax in fig.axes) >= 1
    only_nan = df[df["outcome"] == "win_weeks"]
    fig = figures.plot_sensitivity(only_nan)
    assert "not shown" in " ".join(t.get_text() for t in fig.texts)


def test_figures_name_a_misspelt_column_and_take_a_path(orgsim_files):
    """A column the runs table lacks is a ColumnError naming the argument, the column, a close
    match and the columns there are (not a bare KeyError); the table functions take a results
    file's path as plot_paired_differences does (not AttributeError on str)."""
    path = orgsim_files("sweep_grid")
    with pytest.raises(figures.ColumnError) as err:
        figures.plot_heatmap(path, "campaign.hours_per_step", "environment.turnovr", "win_weeks")
    text = str(err.value)
    assert text.startswith("y: expected a column of the runs table")
    assert "found 'environment.turnovr'" in text
    assert "did you mean 'environment.turnover'?" in text and "win_weeks" in text
    with pytest.raises(figures.ColumnError, match="outcome: .*did you mean 'win_weeks'"):
        figures.plot_outcome_vs_param(path, "environment.turnover", "win_weeks_")
    with pytest.raises(figures.ColumnError, match=r"outcomes\[1\]: .*'wns'"):
        figures.plot_paired_differences(path, outcomes=["wins", "wns"])
    fig = figures.plot_heatmap(path, "campaign.hours_per_step", "environment.turnover",
                               "win_weeks")
    assert len(fig.axes) >= 2
    fig = figures.plot_outcome_vs_param(load.open_results(path), "environment.turnover",
                                        "win_weeks")
    assert fig.axes
