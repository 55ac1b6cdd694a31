"""ABC-SMC (python/orgsim/abc.py): against a posterior known in closed form, and on the Watts
model (recover the threshold phi from the mean cascade size)."""
import sys

import numpy as np
import pytest

from conftest import REPO

BUILD_PY = REPO / "build" / "python"
if BUILD_PY.is_dir() and str(BUILD_PY) not in sys.path:
    sys.path.insert(0, str(BUILD_PY))
orgsim = pytest.importorskip("orgsim", reason="the Python module is not built")
from orgsim import abc  # noqa: E402


def test_normal_mean_posterior_matches_the_closed_form():
    # y = mean of 20 draws of N(mu, 1); flat prior on (-5, 5): the posterior of mu given the
    # observed mean 1.5 is N(1.5, 1/20) (sd 0.224). ABC at small tolerance must approach it.
    def simulate(p, seed):
        return [np.random.default_rng(seed).normal(p["mu"], 1.0, 20).mean()]

    post = abc.abc_smc(simulate, {"mu": (-5, 5)}, [1.5], n_particles=300, generations=8, seed=3)
    w = post.weights
    x = post.particles["mu"].to_numpy()
    mean = np.average(x, weights=w)
    sd = np.sqrt(np.average((x - mean) ** 2, weights=w))
    assert mean == pytest.approx(1.5, abs=0.06)
    assert sd == pytest.approx(1 / np.sqrt(20), rel=0.25)
    assert post.tolerances[0] == np.inf
    assert all(a > b for a, b in zip(post.tolerances[1:], post.tolerances[2:]))  # shrinking
    assert w.sum() == pytest.approx(1.0) and (w > 0).all()
    q = post.quantiles(0.05, 0.95)["mu"]
    assert q.iloc[0] < 1.5 < q.iloc[1]
    assert post.ess() > 50


def test_rejects_bad_priors():
    with pytest.raises(ValueError, match="low < high"):
        abc.abc_smc(lambda p, s: [0.0], {"a": (1, 1)}, [0.0])


def test_watts_phi_recovered_from_mean_cascade_size():
    # Watts (2002): fraction thresholds phi on an Erdos-Renyi graph, mean degree 4, one seed.
    # With integer degrees the mean cascade size is a step function of phi (steps at 1/k): it
    # is high up to phi = 1/5 and collapses above (a node of degree 5 then needs two active
    # neighbours). Data simulated at phi = 0.18 must put the posterior below 0.2 (where the
    # cascade size changes) and its 90% interval around the truth.
    scenario = str(REPO / "scenarios" / "validation" / "watts.json")
    base = {"population.size": 300}
    observed = orgsim.model(scenario, ["final_turnout"], replicates=20, seed=99,
                            set=dict(base, **{"population.threshold.value": 0.18}))()
    sim = abc.orgsim_simulator(scenario, ["final_turnout"], replicates=20, set=base, threads=2)
    post = abc.abc_smc(sim, {"population.threshold.value": (0.1, 0.3)},
                       [observed["final_turnout"]], n_particles=40, generations=4, seed=5)
    q05, q95 = post.quantiles(0.05, 0.95)["population.threshold.value"]
    assert q05 < 0.18 < q95
    assert q95 <= 0.21
    above = post.weights[post.particles["population.threshold.value"].to_numpy() > 0.205].sum()
    assert above < 0.1


def test_a_line_per_generation_on_stderr_unless_asked_not_to(capsys):
    """abc_smc takes seconds to minutes: it prints a line per generation on stderr (progress=
    True, the default), none with progress=False, and hands the lines to a function."""
    def simulate(p, seed):
        return [np.random.default_rng(seed).normal(p["mu"], 1.0, 5).mean()]

    abc.abc_smc(simulate, {"mu": (-5, 5)}, [1.5], n_particles=20, generations=3, seed=1)
    err = capsys.readouterr().err.splitlines()
    # numbered from 0, the prior's generation, as `orgsim calibrate` numbers them
    assert [line.split(":")[1] for line in err] == [" generation 0", " generation 1",
                                                    " generation 2"]
    assert "tolerance inf" in err[0] and "elapsed" in err[2] and "simulations" in err[1]
    assert err[0].endswith("(1 of 3 generations)") and err[2].endswith("(3 of 3 generations)")
    abc.abc_smc(simulate, {"mu": (-5, 5)}, [1.5], n_particles=20, generations=3, seed=1,
                progress=False)
    assert capsys.readouterr().err == ""
    lines = []
    abc.abc_smc(simulate, {"mu": (-5, 5)}, [1.5], n_particles=20, generations=2, seed=1,
                progress=lines.append)
    assert len(lines) == 2 and capsys.readouterr().err == ""
