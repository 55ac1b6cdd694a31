"""Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC) over orgsim runs.

The population Monte Carlo form of Beaumont, Cornuet, Marin & Robert (2009, "Adaptive
approximate Bayesian computation", Biometrika 96:983-990), in the ABC-SMC scheme of Toni,
Welch, Strelkowa, Ipsen & Stumpf (2009, J. R. Soc. Interface 6:187-202):

- generation 0 draws `n_particles` parameter vectors from the prior and simulates each;
- every later generation t sets its tolerance eps_t to the `quantile` of the previous
  generation's distances (adaptive tolerance), then repeatedly picks a particle of generation
  t-1 by weight, moves it with a Gaussian kernel whose covariance is twice the weighted
  covariance of generation t-1 (Beaumont et al. 2009), rejects moves outside the prior's
  support, simulates, and keeps the particle when its distance is at most eps_t, until it has
  `n_particles`;
- a kept particle's weight is prior(theta) / sum_j w_j K(theta | theta_j), normalised.

It stops after `generations` generations, or earlier when a generation's acceptance rate falls
below `min_acceptance`. Priors are independent uniforms on named parameters (any --set path).

    from orgsim import abc
    post = abc.abc_smc(simulate, {"population.threshold.value": (0.1, 0.3)}, observed=[0.6])
    post.particles, post.weights, post.quantiles(0.05, 0.95), post.tolerances

`simulate(params, seed) -> summary statistics` (a sequence of numbers); `abc.orgsim_simulator`
builds one from a scenario and outcome names (orgsim.model's)."""
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class Posterior:
    """The last generation's particles (DataFrame, one column per parameter), their normalised
    weights and distances; per generation: tolerance, acceptance rate, simulations; and every
    generation's particles in `history` (list of (particles, weights, distances))."""
    particles: pd.DataFrame
    weights: np.ndarray
    distances: np.ndarray
    tolerances: list
    acceptance: list
    simulations: list
    history: list = field(repr=False, default_factory=list)

    def mean(self):
        return pd.Series(np.average(self.particles.to_numpy(), axis=0, weights=self.weights),
                         index=self.particles.columns)

    def quantiles(self, *qs):
        """Weighted quantiles per parameter: DataFrame (rows qs, one column per parameter)."""
        out = {}
        for name in self.particles.columns:
            x = self.particles[name].to_numpy()
            order = np.argsort(x)
            cw = np.cumsum(self.weights[order])
            cw = (cw - 0.5 * self.weights[order]) / cw[-1]
            out[name] = np.interp(qs, cw, x[order])
        return pd.DataFrame(out, index=pd.Index(qs, name="quantile"))

    def ess(self):
        """Effective sample size of the weights (Kish)."""
        return float(1.0 / np.sum(self.weights ** 2))


def _scaled_distance(scale):
    def distance(x, y):
        return float(np.sqrt(np.sum(((np.asarray(x, float) - np.asarray(y, float)) / scale)
                                    ** 2)))
    return distance


def abc_smc(simulate, priors, observed, *, distance=None, n_particles=100, generations=5,
            quantile=0.5, min_acceptance=0.01, seed=1, max_simulations=None, progress=True):
    """ABC-SMC (see the module docstring). `priors`: {name: (low, high)} uniform;
    `observed`: the target summary statistics; `distance(sim, obs)`: default Euclidean on the
    statistics scaled by the observed values' magnitude (1 where it is 0). `progress`: True (a
    line per generation on stderr: tolerance, acceptance, simulations, elapsed time), False for
    none, or a function called with each line."""
    import sys
    import time
    if progress is True:
        def progress(line):
            print(line, file=sys.stderr, flush=True)
    elif not progress:
        def progress(line):
            pass
    start = time.monotonic()

    def report(g, eps, acc, n_sims):
        tol = "inf" if math.isinf(eps) else f"{eps:.4g}"
        # generations are numbered from 0 (the prior), as `orgsim calibrate` numbers them
        progress(f"abc_smc: generation {g}: tolerance {tol}, acceptance {acc:.3f}, {n_sims} "
                 f"simulations, elapsed {time.monotonic() - start:.1f} s ({g + 1} of "
                 f"{generations} generations)")
    names = list(priors)
    lo = np.array([priors[n][0] for n in names], dtype=float)
    hi = np.array([priors[n][1] for n in names], dtype=float)
    if not (hi > lo).all():
        raise ValueError("abc_smc: every prior needs low < high")
    if not (0 < quantile < 1):
        raise ValueError(f"abc_smc: quantile must be in (0, 1), found {quantile}")
    observed = np.atleast_1d(np.asarray(observed, dtype=float))
    if distance is None:
        scale = np.where(np.abs(observed) > 0, np.abs(observed), 1.0)
        distance = _scaled_distance(scale)
    rng = np.random.default_rng(seed)
    d = len(names)
    total = 0

    def run(theta):
        nonlocal total
        total += 1
        sim_seed = int(rng.integers(1, 2 ** 53))
        stats = np.atleast_1d(np.asarray(simulate(dict(zip(names, theta.tolist())), sim_seed),
                                         dtype=float))
        dist = distance(stats, observed)
        return dist if math.isfinite(dist) else math.inf

    # generation 0: the prior
    theta = lo + (hi - lo) * rng.uniform(size=(n_particles, d))
    dist = np.array([run(t) for t in theta])
    w = np.full(n_particles, 1.0 / n_particles)
    tolerances, acceptance, sims = [math.inf], [1.0], [n_particles]
    history = [(theta.copy(), w.copy(), dist.copy())]
    report(0, math.inf, 1.0, n_particles)
    for g in range(1, generations):
        eps = float(np.quantile(dist, quantile))
        cov = 2.0 * np.atleast_2d(np.cov(theta.T, aweights=w))
        cov += np.eye(d) * 1e-12 * np.max(np.diag(cov), initial=1.0)
        chol = np.linalg.cholesky(cov)
        inv = np.linalg.inv(cov)
        new_theta, new_dist = [], []
        tried = 0
        while len(new_theta) < n_particles:
            if max_simulations is not None and total >= max_simulations:
                break
            i = rng.choice(n_particles, p=w)
            cand = theta[i] + chol @ rng.standard_normal(d)
            if ((cand < lo) | (cand > hi)).any():
                continue  # outside the prior: no simulation spent
            tried += 1
            dc = run(cand)
            if dc <= eps:
                new_theta.append(cand)
                new_dist.append(dc)
            if tried >= 50 and len(new_theta) / tried < min_acceptance:
                break
        if len(new_theta) < n_particles:
            progress(f"abc_smc: generation {g}: stopped after {tried} simulations "
                     f"(acceptance {len(new_theta)}/{tried}, or the budget spent); keeping "
                     f"generation {g - 1}")
            break  # acceptance too low (or the budget spent): keep the last full generation
        new_theta = np.array(new_theta)
        # weights: uniform prior density (constant inside the support) over the kernel mixture
        diff = new_theta[:, None, :] - theta[None, :, :]
        kern = np.exp(-0.5 * np.einsum("abi,ij,abj->ab", diff, inv, diff))
        new_w = 1.0 / (kern @ w)
        new_w /= new_w.sum()
        theta, dist, w = new_theta, np.array(new_dist), new_w
        tolerances.append(eps)
        acceptance.append(n_particles / tried)
        sims.append(tried)
        history.append((theta.copy(), w.copy(), dist.copy()))
        report(g, eps, n_particles / tried, tried)
    return Posterior(particles=pd.DataFrame(theta, columns=names), weights=w, distances=dist,
                     tolerances=tolerances, acceptance=acceptance, simulations=sims,
                     history=history)


def orgsim_simulator(scenario, outcomes, *, replicates=None, threads=None, set=None):
    """simulate(params, seed) for abc_smc: runs `scenario` with the parameters (and the given
    seed, so every simulation draws afresh) and returns the outcomes (orgsim.model's names:
    the mean over replicates of "output", "output:arm" or "output:armA-armB")."""
    from . import _api

    outcomes = list(outcomes)

    def simulate(params, seed):
        merged = dict(set or {})
        merged.update(params)
        values = _api.outcome_values(_api.run_outcomes(scenario, replicates=replicates,
                                                       seed=seed, set=merged, threads=threads),
                                     outcomes)
        return [values[o] for o in outcomes]

    return simulate
