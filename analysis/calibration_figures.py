"""Figures of an ABC-SMC calibration (`orgsim calibrate`; docs/CALIBRATION.md): the posterior's
marginals and pairs over the prior ranges, the sampler's tolerances, and posterior-predictive
checks against the targets. `report_items(path, png)` gives the report's entries."""
import numpy as np

from . import load


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _log_axis(cal, name):
    return cal.priors.loc[name, "type"] == "log_uniform"


def plot_posterior(cal, generation=-1):
    """A corner plot: each parameter's weighted posterior histogram on its prior range (the
    prior's density dashed, the 90% credible interval shaded) on the diagonal, and weighted
    scatter plots of every pair below it (the whole panel is the prior's box)."""
    plt = _plt()
    names = cal.parameters
    k = len(names)
    fig, axes = plt.subplots(k, k, figsize=(2.8 * k + 0.6, 2.5 * k + 0.4), squeeze=False)
    x = cal.particles[generation]
    w = cal.weights[generation] / cal.weights[generation].sum()
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            ax = axes[i][j]
            if j > i:
                ax.axis("off")
                continue
            lo_b, hi_b = cal.priors.loc[b, "min"], cal.priors.loc[b, "max"]
            logb = _log_axis(cal, b)
            if i == j:
                edges = np.geomspace(lo_b, hi_b, 31) if logb else np.linspace(lo_b, hi_b, 31)
                ax.hist(x[:, j], bins=edges, weights=w, density=True, color="#4477aa",
                        alpha=0.8)
                if logb:
                    ax.set_xscale("log")
                    grid = np.geomspace(lo_b, hi_b, 100)
                    ax.plot(grid, 1.0 / (grid * np.log(hi_b / lo_b)), "k--", lw=1,
                            label="prior")
                else:
                    ax.plot([lo_b, hi_b], [1.0 / (hi_b - lo_b)] * 2, "k--", lw=1, label="prior")
                q05, q50, q95 = cal.quantiles(a, (0.05, 0.5, 0.95), generation)
                ax.axvspan(q05, q95, color="#ee7733", alpha=0.2, label="90% interval")
                ax.axvline(q50, color="#ee7733", lw=1.5, label="median")
                ax.set_yticks([])
                ax.set_title(f"{a}\nmedian {q50:.3g}, 90% [{q05:.3g}, {q95:.3g}]", fontsize=8)
                if i == 0:
                    ax.legend(fontsize=7, frameon=False)
            else:
                lo_a, hi_a = cal.priors.loc[a, "min"], cal.priors.loc[a, "max"]
                ax.scatter(x[:, j], x[:, i], s=4 + 400 * w, alpha=0.5, color="#4477aa",
                           edgecolors="none")
                ax.set_ylim(lo_a, hi_a)
                if _log_axis(cal, a):
                    ax.set_yscale("log")
                if logb:
                    ax.set_xscale("log")
                ax.set_ylabel(a, fontsize=8)
            ax.set_xlim(lo_b, hi_b)
            if i == k - 1:
                ax.set_xlabel(b, fontsize=8)
            ax.tick_params(labelsize=7)
    fig.tight_layout()
    return fig


def plot_tolerances(cal):
    """Tolerance and acceptance rate per generation (the sampler's progress)."""
    plt = _plt()
    g = cal.generations
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(8, 2.8))
    tol = g["tolerance"].replace(np.inf, np.nan)
    a1.plot(g.index, tol, "o-", color="#4477aa")
    a1.set_xlabel("generation")
    a1.set_ylabel("tolerance (distance)")
    a2.plot(g.index, g["acceptance"], "o-", color="#ee7733")
    a2.set_xlabel("generation")
    a2.set_ylabel("acceptance rate")
    a2.set_ylim(0, 1.05)
    for ax in (a1, a2):
        ax.set_xticks(list(g.index))
    fig.tight_layout()
    return fig


def plot_predictive(cal):
    """Posterior-predictive check: for each target, the statistic simulated at posterior draws
    (dots and their 5-95% range) against the observed value and its tolerance band (the target's
    tolerance, or the distance's scale when it gives none)."""
    plt = _plt()
    names = list(cal.predictive.columns)
    fig, axes = plt.subplots(1, len(names), figsize=(3.0 * len(names) + 0.4, 3.0), squeeze=False)
    rng = np.random.default_rng(0)
    for ax, name in zip(axes[0], names):
        y = cal.predictive[name].to_numpy(float)
        obs = float(cal.targets.loc[name, "observed"])
        tol = cal.targets.loc[name].get("tolerance", np.nan)
        if tol is None or not np.isfinite(tol):
            tol = float(cal.targets.loc[name, "scale"])
        ax.axhspan(obs - tol, obs + tol, color="#bbbbbb", alpha=0.5, label="observed ± tol.")
        ax.axhline(obs, color="k", lw=1.2, label="observed")
        ax.scatter(rng.uniform(-0.15, 0.15, size=len(y)), y, s=10, color="#4477aa",
                   alpha=0.7, label="posterior predictive")
        fin = y[np.isfinite(y)]
        if fin.size:
            q = np.quantile(fin, [0.05, 0.95])
            ax.plot([0.3, 0.3], q, color="#ee7733", lw=3, label="5-95%")
        ax.set_xlim(-0.6, 0.6)
        ax.set_xticks([])
        ax.set_title(name, fontsize=9)
        ax.tick_params(labelsize=7)
    axes[0][0].legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return fig


def plot_predictive_pair(cal, x, y):
    """Two targets' statistics at the same posterior draws, one dot per draw, over both
    observed values and their tolerance boxes: whether the model can meet the two targets at
    once (a dot inside the box) or only one at a time (the dots run past the box)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(4.2, 3.6))
    obs, tol = [], []
    for name in (x, y):
        obs.append(float(cal.targets.loc[name, "observed"]))
        t = cal.targets.loc[name].get("tolerance", np.nan)
        tol.append(float(cal.targets.loc[name, "scale"]) if t is None or not np.isfinite(t) else
                   float(t))
    ax.add_patch(plt.Rectangle((obs[0] - tol[0], obs[1] - tol[1]), 2 * tol[0], 2 * tol[1],
                               color="#bbbbbb", alpha=0.5, label="observed ± tol."))
    ax.plot([obs[0]], [obs[1]], "k+", ms=10, label="observed")
    ax.scatter(cal.predictive[x], cal.predictive[y], s=12, color="#4477aa", alpha=0.75,
               label="posterior predictive draws")
    ax.set_xlabel(x, fontsize=8)
    ax.set_ylabel(y, fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return fig


def predictive_sentences(cal):
    """One sentence per target: observed value, predictive median and 90% range, and whether
    the observed value falls inside that range."""
    out = []
    for name in cal.predictive.columns:
        y = cal.predictive[name].to_numpy(float)
        y = y[np.isfinite(y)]
        obs = float(cal.targets.loc[name, "observed"])
        if not y.size:
            out.append(f"{name}: observed {obs:.3g}; no finite predictive value.")
            continue
        lo, med, hi = np.quantile(y, [0.05, 0.5, 0.95])
        inside = "inside" if lo <= obs <= hi else "OUTSIDE"
        out.append(f"{name}: observed {obs:.3g}, predicted {med:.3g} (90% of draws "
                   f"{lo:.3g} to {hi:.3g}; the observation is {inside} that range).")
    return out


_STATISTIC_WORDS = {"mean": "the mean of", "share_above": "the share of runs with",
                    "share_true": "the share of runs with", "quantile": "the quantile of"}


def target_sentences(cal):
    """One line per target: its name, the statistic of which output (and arm), the observed
    value and its tolerance."""
    out = []
    for name, t in cal.targets.iterrows():
        stat = str(t.get("statistic", "mean"))
        what = f"{_STATISTIC_WORDS.get(stat, stat)} {t.get('output', '')}"
        if stat == "share_above":
            what += f" > {float(t['threshold']):g}"
        elif stat == "share_true":
            what += " non-zero"
        elif stat == "quantile":
            what = f"the {float(t['q']):g} quantile of {t.get('output', '')}"
        arm = t.get("arm")
        if isinstance(arm, str) and arm:
            what += f" in arm {arm}"
        tol = t.get("tolerance", np.nan)
        has_tol = tol is not None and np.isfinite(float(tol))
        out.append(f"{name}: {what}, observed {float(t['observed']):.3g}"
                   + (f" ± {float(tol):.3g}" if has_tol else "") + ".")
    return out


# The last generation lowering the tolerance by less than this share counts as levelled off.
LEVELLED = 0.05


def stop_sentence(cal):
    """Why the sampler stopped, in words: at its generation cap with the tolerance still
    falling (not converged), at the cap with the tolerance levelled off, or because acceptance
    fell below min_acceptance (the tolerance cannot be pushed further)."""
    reason = str(cal.attrs.get("stop_reason", ""))
    g = cal.generations
    n = len(g)
    tol = g["tolerance"].to_numpy(float)
    tol = tol[np.isfinite(tol)]
    last = f"{tol[-1]:.3g}" if tol.size else "infinite"
    if reason == "min_acceptance":
        return (f"The sampler stopped on its own: generation {n} accepted fewer than "
                f"{float(cal.attrs.get('min_acceptance', np.nan)):g} of its proposals "
                f"(min_acceptance), so the tolerance had levelled off at {last}, about what "
                f"the simulation noise lets it resolve; the posterior is generation {n - 1}'s "
                f"(stop_reason = 'min_acceptance').")
    if reason == "generations":
        head = (f"The sampler stopped because it hit its generation cap ({n} generation"
                f"{'s' if n != 1 else ''}, stop_reason = 'generations')")
        if tol.size < 2:
            return (head + f", before the tolerance ({last}) could be seen to level off: not "
                    "converged. More generations may narrow the posterior.")
        drop = 1.0 - tol[-1] / tol[-2] if tol[-2] > 0 else 0.0
        if drop < LEVELLED:
            return (head + f"; the tolerance had levelled off (it fell {drop:.0%} in the last "
                    f"generation, to {last}), so more generations would change little.")
        return (head + f", with the tolerance still falling ({drop:.0%} in the last generation, "
                f"to {last}): not converged. More generations (or more particles) may narrow "
                "the posterior.")
    return f"The sampler's stop reason is not recorded ({reason or 'none'})."


def calibration_lead(path):
    """What the report of a calibration's file leads with, None for other files: {"title",
    "description", "targets" (lines), "stop" (a sentence), "command" (the `orgsim calibrate`
    line, "" when the file does not record it), "draws", "replicates"}."""
    import json
    if not load.has_calibration(path):
        return None
    cal = load.calibration(path)
    name = str(cal.attrs.get("name", ""))
    description = str(cal.attrs.get("description", "") or "")
    if not description:  # files written before the description was an attribute
        try:
            description = str(json.loads(cal.spec).get("description", "") or "")
        except ValueError:
            description = ""
    scenario = str(cal.attrs.get("scenario", ""))
    if not description:
        description = (f"A calibration (ABC-SMC) of {scenario or 'a scenario'}: which values of "
                       + ", ".join(cal.parameters) + " reproduce the targets below.")
    return {"title": f"Calibration {name}" if name else "Calibration",
            "description": description, "scenario": scenario,
            "targets": target_sentences(cal), "stop": stop_sentence(cal),
            "command": str(cal.attrs.get("command_line", "") or ""),
            "draws": len(cal.predictive), "replicates": int(cal.attrs.get("replicates", 0))}


def report_items(path, png):
    """The report's calibration entries [(id, image, caption, title)], [] without a
    /calibration group. `png(fig)` turns a figure into the report's image."""
    if not load.has_calibration(path):
        return []
    cal = load.calibration(path)
    g = cal.generations
    parts = []
    for name in cal.parameters:
        lo, med, hi = cal.quantiles(name, (0.05, 0.5, 0.95))
        parts.append(f"{name} median {med:.3g}, 90% credible interval {lo:.3g} to {hi:.3g} "
                     f"(prior {cal.priors.loc[name, 'min']:.3g} to "
                     f"{cal.priors.loc[name, 'max']:.3g})")
    last = g.iloc[-1]
    items = [("calibration_posterior", png(plot_posterior(cal)),
              f"The posterior of the calibration \u201c{cal.attrs.get('name', '')}\u201d "
              f"(ABC-SMC, {len(g)} generations of {cal.particles.shape[1]} particles, final "
              f"tolerance {last['tolerance']:.3g}, effective sample size {last['ess']:.0f}): "
              + "; ".join(parts) + ". Each panel spans the prior's range; the dashed line is "
              "the prior.", "Calibration: what the data say about the parameters"),
             ("calibration_predictive", png(plot_predictive(cal)),
              "Posterior-predictive check: each target's statistic simulated at "
              f"{len(cal.predictive)} draws from the posterior, against the observed value "
              "and its tolerance. " + " ".join(predictive_sentences(cal)),
              "Calibration: does the fitted model reproduce the targets?"),
             ("calibration_tolerances", png(plot_tolerances(cal)),
              "The sampler, generation by generation: the tolerance (a quantile of the previous "
              "generation's distances) and the share of simulated proposals accepted.",
              "Calibration: the sampler's progress")]
    return items
