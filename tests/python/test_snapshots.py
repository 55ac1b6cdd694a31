"""Snapshots in the results file (output.snapshots): load.agents / load.networks read what
`orgsim run` wrote (dims, schedule, rungs from commitment, NaN trust for ties not yet made), a
file without snapshots gives None, and the report shows the network panel only when the file
has snapshots; the panel's positions are the same for every arm and time.

Run: ORGSIM_BINARY=$PWD/build/orgsim /usr/bin/python3 -m pytest -q tests/python/test_snapshots.py
"""

import subprocess

import numpy as np
import pytest

pytest.importorskip("h5py")
pytest.importorskip("matplotlib")

from conftest import REPO  # noqa: E402
from analysis import figures, load, report  # noqa: E402


@pytest.fixture(scope="module")
def files(orgsim_binary, tmp_path_factory):
    out = tmp_path_factory.mktemp("snapshots")

    def run(name, *extra):
        path = out / f"{name}.h5"
        cmd = [str(orgsim_binary), "run", "scenarios/default.json", "-o", str(path), "--quiet",
               "--replicates", "2", "--set", "steps=30", "--set", "population.size=90"]
        done = subprocess.run(cmd + list(extra), cwd=REPO, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, done.stderr
        return path

    return {"on": run("on", "--set", "output.snapshots=7"), "off": run("off")}


def test_agents_and_networks_round_trip(files):
    a = load.agents(files["on"])
    net = load.networks(files["on"])
    ds = load.open_results(files["on"])
    n_runs = ds.sizes["run"]
    steps = np.asarray(a["snapshot_step"])
    assert list(steps) == [0, 7, 14, 21, 28, 29]
    rung = np.asarray(a["rung"])
    assert rung.shape == (n_runs, 6, 90)
    assert set(np.unique(rung)) <= {0, 1, 2, 3}
    # the rung counts of the last snapshot are the per-step rung outputs of the last step
    for r in range(n_runs):
        for k, name in ((1, "rung_supporter"), (2, "rung_member"), (3, "rung_leader")):
            assert np.asarray(ds[name].values)[r, -1] == np.sum(rung[r, -1] == k), (r, name)
    commitment = np.asarray(a["commitment"])
    assert np.all((commitment >= 0) & (commitment <= 1))
    assert list(np.asarray(a["arm"])[: 2]) == [load.arm_names(ds)[0]] * 2
    src, dst = np.asarray(net["source"]), np.asarray(net["target"])
    trust = np.asarray(net["trust"])
    assert trust.shape == (n_runs, 6, src.shape[1])
    for r in range(n_runs):
        real = src[r] >= 0
        assert np.all(src[r][real] < dst[r][real])
        # a tie that exists stays: once finite, trust stays finite in later snapshots
        seen = np.isfinite(trust[r])
        assert np.all(seen[1:] >= seen[:-1])
        assert np.all(~seen[:, ~real])
        assert seen[0][real].sum() > 0


def test_a_file_without_snapshots_gives_none_and_no_panel(files):
    assert load.agents(files["off"]) is None
    assert load.networks(files["off"]) is None
    assert "id='fig-network'" not in report.render(str(files["off"]))


def test_the_report_has_the_network_panel_with_fixed_positions(files):
    page = report.render(str(files["on"]))
    assert "id='fig-network'" in page
    assert "The workplace network over time" in page
    a = load.agents(files["on"])
    net = load.networks(files["on"])
    fig = figures.plot_network_snapshots(a, net)
    axes = [ax for ax in fig.axes if ax.collections]
    assert len(axes) == 2 * 3  # two arms, start / middle / end
    offsets = [ax.collections[-1].get_offsets() for ax in axes]
    for o in offsets[1:]:
        assert np.array_equal(np.asarray(o), np.asarray(offsets[0]))
    dep = np.asarray(a["department"])[0]
    pos = figures.network_positions(dep, np.asarray(net["source"]).ravel(),
                                    np.asarray(net["target"]).ravel())
    # departments are clusters: people sit nearer their own department's centre than others'
    centres = {d: pos[dep == d].mean(axis=0) for d in np.unique(dep)}
    for i in range(0, dep.size, 7):
        own = np.linalg.norm(pos[i] - centres[dep[i]])
        assert all(own <= np.linalg.norm(pos[i] - c) for d, c in centres.items() if d != dep[i])
