"""`orgsim calibrate CAL.json`: approximate Bayesian computation by sequential Monte Carlo over
orgsim sweeps (docs/CALIBRATION.md).

    /usr/bin/python3 -m analysis.calibrate CAL.json [-o OUT.h5] [--threads N] [--resume]
        [--allow-commit-change] [--launcher "mpirun -np 4"] [--orgsim PATH]

The algorithm is the population Monte Carlo ABC of Beaumont, Cornuet, Marin & Robert (2009,
Biometrika 96:983-990) in the ABC-SMC scheme of Toni, Welch, Strelkowa, Ipsen & Stumpf (2009,
J. R. Soc. Interface 6:187-202), with the tolerance of each generation set to a quantile of the
previous generation's distances (Del Moral, Doucet & Jasra 2012 use the same adaptive idea) and a
Gaussian perturbation kernel with twice the previous generation's weighted covariance (Beaumont et
al. 2009). The priors are independent uniform or log-uniform; the sampler works in internal
coordinates (log x for log-uniform priors) where every prior is uniform on a box, so a particle's
weight is 1 / sum_j w_j K(z | z_j).

Every batch of proposals is one `orgsim sweep` over a `points` design (docs/SWEEPS.md), each point
with its own master seed: threads, MPI (`--launcher`) and crash-safe parts come from the sweep
machinery. After every batch the calibration's state is written atomically to OUT.h5.cal/state.json;
`--resume` continues from it, and a batch killed mid-way resumes from its sweep's parts. Random
numbers: batch b of generation g draws its proposals and its points' seeds from
numpy's generator seeded with (seed, g, b), so a resumed calibration gives the posterior an
uninterrupted one gives, bit for bit.

Exit status: 0 done, 2 bad input (the CAL file, options), 1 other failure."""

import hashlib
import json
import math
import os
import shlex
import shutil
import subprocess
import sys
import time

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "analysis"  # noqa: A001

import numpy as np  # noqa: E402

from . import cli  # noqa: E402

STATE_VERSION = 1
PRIOR_TYPES = ("uniform", "log_uniform", "integer")
STATISTICS = ("mean", "share_above", "share_true", "quantile")
DISTANCE_SCALES = ("tolerance", "mad")
TOP_KEYS = ("name", "description", "scenario", "priors", "targets", "distance", "particles",
            "generations", "quantile", "min_acceptance", "replicates", "seed", "threads",
            "common_random_numbers", "posterior_predictive", "set")


class CalError(ValueError):
    """A bad CAL file or option: names the file, the JSON path, what was expected and found
    (the form of the engine's input errors)."""

    def __init__(self, file, path, expected, found, hint=""):
        self.file, self.path, self.expected, self.found, self.hint = \
            file, path, expected, found, hint
        msg = (file or "<input>") + (f": {path}" if path else "") + \
            f": expected {expected}, found {found}" + (f" ({hint})" if hint else "")
        super().__init__(msg)


def _found(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, dict):
        return "an object"
    if isinstance(v, list):
        return "an array"
    return json.dumps(v)


def _no_duplicates(file):
    def hook(pairs):
        seen = {}
        for k, v in pairs:
            if k in seen:
                raise CalError(file, k, "each key once", f"`{k}` twice")
            seen[k] = v
        return seen
    return hook


def _number(file, path, v, *, lo=None, hi=None, integer=False, lo_open=False, what="a number"):
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    if ok and integer:
        ok = float(v).is_integer()
    if ok and lo is not None:
        ok = v > lo if lo_open else v >= lo
    if ok and hi is not None:
        ok = v <= hi
    if not ok:
        raise CalError(file, path, what, _found(v))
    return int(v) if integer else float(v)


def _keys(file, path, obj, allowed, what):
    for k in obj:
        if k not in allowed:
            import difflib
            guess = difflib.get_close_matches(k, allowed, 1)
            raise CalError(file, f"{path}.{k}" if path else k,
                           f"a key of {what}: " + ", ".join(allowed), f"unknown key `{k}`",
                           f"did you mean `{guess[0]}`?" if guess else "")


def _need(file, path, obj, key, expected):
    if key not in obj:
        raise CalError(file, f"{path}.{key}" if path else key, expected, f"no `{key}` key")
    return obj[key]


def parse_spec(path, text=None):
    """The CAL file at `path` as a validated dict with defaults filled in (CalError on bad
    input; parameter names and target outputs are checked against the scenario later by
    `check_against_engine`)."""
    path = os.fspath(path)
    if text is None:
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        except OSError as err:
            raise CalError(path, "", "a readable calibration file", err.strerror) from None
    try:
        doc = json.loads(text, object_pairs_hook=_no_duplicates(path))
    except json.JSONDecodeError as err:
        raise CalError(path, "", "JSON", f"{err.msg} at line {err.lineno} column {err.colno}") \
            from None
    if not isinstance(doc, dict):
        raise CalError(path, "", "a calibration object {\"scenario\", \"priors\", \"targets\", "
                       "...}", _found(doc))
    _keys(path, "", doc, TOP_KEYS, "a calibration file")
    spec = {"file": path, "text": text, "dir": os.path.dirname(os.path.abspath(path))}
    spec["name"] = doc.get("name", os.path.splitext(os.path.basename(path))[0])
    if not isinstance(spec["name"], str) or not spec["name"]:
        raise CalError(path, "name", "a non-empty string", _found(doc.get("name")))
    spec["description"] = doc.get("description", "")
    scen = _need(path, "", doc, "scenario", "a scenario path (relative to the calibration file)")
    if not isinstance(scen, str) or not scen:
        raise CalError(path, "scenario", "a scenario path (relative to the calibration file)",
                       _found(scen))
    scen_path = os.path.normpath(os.path.join(spec["dir"], scen))
    if not os.path.isfile(scen_path):
        raise CalError(path, "scenario", "an existing scenario file", json.dumps(scen),
                       f"looked for {scen_path}")
    spec["scenario"] = scen_path
    spec["scenario_as_written"] = scen  # relative to the CAL file (or absolute)
    fixed = doc.get("set", {})
    if not isinstance(fixed, dict):
        raise CalError(path, "set", "an object {\"dotted.key\": value} of fixed settings",
                       _found(fixed))
    spec["set"] = fixed

    # priors
    pr = _need(path, "", doc, "priors", "an object of priors {\"dotted.key\": {\"type\": "
               "\"uniform\", \"min\": a, \"max\": b}}")
    if not isinstance(pr, dict) or not pr:
        raise CalError(path, "priors", "an object with at least one prior {\"dotted.key\": "
                       "{\"type\": \"uniform\", \"min\": a, \"max\": b}}",
                       "an empty object" if isinstance(pr, dict) else _found(pr))
    priors = []
    for key, p in pr.items():
        where = f"priors.{key}"
        if not isinstance(p, dict):
            raise CalError(path, where, "a prior {\"type\": \"uniform\" or \"log_uniform\", "
                           "\"min\": a, \"max\": b}", _found(p))
        _keys(path, where, p, ("type", "min", "max"), "a prior")
        kind = p.get("type", "uniform")
        if kind not in PRIOR_TYPES:
            raise CalError(path, f"{where}.type", "one of " + ", ".join(
                f'"{t}"' for t in PRIOR_TYPES), _found(kind))
        if kind == "log_uniform":
            lo = _number(path, f"{where}.min", _need(path, where, p, "min", "a number"),
                         lo=0.0, lo_open=True, what="a number > 0 (a log-uniform prior)")
        elif kind == "integer":
            lo = _number(path, f"{where}.min", _need(path, where, p, "min", "an integer"),
                         integer=True, what="an integer (an integer prior)")
        else:
            lo = _number(path, f"{where}.min", _need(path, where, p, "min", "a number"))
        if kind == "integer":
            hi = _number(path, f"{where}.max", _need(path, where, p, "max", "an integer"), lo=lo,
                         lo_open=True, integer=True,
                         what=f"an integer greater than min ({lo:g})")
        else:
            hi = _number(path, f"{where}.max", _need(path, where, p, "max", "a number"), lo=lo,
                         lo_open=True, what=f"a number greater than min ({lo:g})")
        priors.append({"key": key, "type": kind, "min": lo, "max": hi})
    spec["priors"] = priors

    # targets
    tg = _need(path, "", doc, "targets", "an array of targets")
    if not isinstance(tg, list) or not tg:
        raise CalError(path, "targets", "a non-empty array of targets {\"output\", \"statistic\", "
                       "\"observed\"}", "an empty array" if isinstance(tg, list) else _found(tg))
    targets, names = [], set()
    for i, t in enumerate(tg):
        where = f"targets[{i}]"
        if not isinstance(t, dict):
            raise CalError(path, where, "a target {\"output\", \"statistic\", \"observed\"}",
                           _found(t))
        _keys(path, where, t, ("name", "output", "arm", "statistic", "threshold", "q",
                               "observed", "tolerance", "weight"), "a target")
        out = _need(path, where, t, "output", "a per-run output name")
        if not isinstance(out, str) or not out:
            raise CalError(path, f"{where}.output", "a per-run output name", _found(out))
        arm = t.get("arm")
        if arm is not None and (not isinstance(arm, str) or not arm):
            raise CalError(path, f"{where}.arm", "an arm name", _found(arm))
        stat = t.get("statistic", "mean")
        if stat not in STATISTICS:
            raise CalError(path, f"{where}.statistic", "one of " + ", ".join(
                f'"{s}"' for s in STATISTICS), _found(stat))
        extra = {"share_above": "threshold", "quantile": "q"}.get(stat)
        for k in ("threshold", "q"):
            if k in t and k != extra:
                raise CalError(path, f"{where}.{k}", "no `" + k + "` for statistic \"" + stat +
                               "\"", _found(t[k]),
                               "`threshold` belongs to share_above, `q` to quantile")
        target = {"output": out, "arm": arm, "statistic": stat}
        if stat == "share_above":
            target["threshold"] = _number(path, f"{where}.threshold",
                                          _need(path, where, t, "threshold", "a number"))
        if stat == "quantile":
            target["q"] = _number(path, f"{where}.q", _need(path, where, t, "q",
                                                            "a probability in [0, 1]"),
                                  lo=0.0, hi=1.0, what="a probability in [0, 1]")
        target["observed"] = _number(path, f"{where}.observed",
                                     _need(path, where, t, "observed", "a number"))
        if "tolerance" in t:
            target["tolerance"] = _number(path, f"{where}.tolerance", t["tolerance"], lo=0.0,
                                          lo_open=True, what="a number > 0")
        target["weight"] = _number(path, f"{where}.weight", t.get("weight", 1.0), lo=0.0,
                                   lo_open=True, what="a number > 0")
        default = {"mean": f"mean {out}", "share_above": f"share {out} > {target.get('threshold')}",
                   "share_true": f"share {out}", "quantile": f"q{target.get('q')} {out}"}[stat]
        target["name"] = t.get("name", default + (f" [{arm}]" if arm else ""))
        if not isinstance(target["name"], str) or target["name"] in names:
            raise CalError(path, f"{where}.name", "a name no other target has",
                           _found(target["name"]))
        names.add(target["name"])
        targets.append(target)
    spec["targets"] = targets

    dist = doc.get("distance", {})
    if not isinstance(dist, dict):
        raise CalError(path, "distance", "a distance {\"scale\": \"mad\" or \"tolerance\"}",
                       _found(dist))
    _keys(path, "distance", dist, ("type", "scale"), "a distance")
    if dist.get("type", "euclidean") != "euclidean":
        raise CalError(path, "distance.type", "\"euclidean\"", _found(dist.get("type")))
    scale = dist.get("scale", "mad")
    if scale not in DISTANCE_SCALES:
        raise CalError(path, "distance.scale", "\"mad\" or \"tolerance\"", _found(scale))
    if scale == "tolerance":
        for i, t in enumerate(targets):
            if "tolerance" not in t:
                raise CalError(path, f"targets[{i}].tolerance",
                               "a tolerance > 0 (distance.scale is \"tolerance\")",
                               "no `tolerance` key")
    spec["distance"] = {"type": "euclidean", "scale": scale}

    def count(key, default, lo, what):
        return _number(path, key, doc.get(key, default), lo=lo, integer=True, what=what)
    spec["particles"] = count("particles", 100, 2, "an integer >= 2")
    spec["generations"] = count("generations", 5, 1, "an integer >= 1")
    spec["replicates"] = count("replicates", 10, 1, "an integer >= 1")
    spec["seed"] = _number(path, "seed", doc.get("seed", 1), lo=0, hi=2 ** 53, integer=True,
                           what="an integer in [0, 2^53]")
    spec["threads"] = count("threads", 0, 0, "an integer >= 0 (0: all cores)")
    spec["posterior_predictive"] = count("posterior_predictive", 50, 1, "an integer >= 1")
    spec["quantile"] = _number(path, "quantile", doc.get("quantile", 0.5), lo=0.0, hi=1.0,
                               lo_open=True, what="a number in (0, 1)")
    if spec["quantile"] >= 1.0:
        raise CalError(path, "quantile", "a number in (0, 1)", _found(doc.get("quantile")))
    spec["min_acceptance"] = _number(path, "min_acceptance", doc.get("min_acceptance", 0.01),
                                     lo=0.0, lo_open=True, hi=1.0,
                                     what="a number in (0, 1]")
    crn = doc.get("common_random_numbers", False)
    if not isinstance(crn, bool):
        raise CalError(path, "common_random_numbers", "true or false", _found(crn))
    spec["common_random_numbers"] = crn
    return spec


def spec_digest(spec):
    """What a resumed calibration must share with the one it continues."""
    with open(spec["scenario"], "rb") as fh:
        scen = fh.read()
    return hashlib.sha256(spec["text"].encode() + b"\0" + scen).hexdigest()


# ---- internal coordinates: every prior is uniform on a box --------------------------------------

def _bounds(spec):
    # An integer prior on a..b is a uniform z on [a, b + 1) read as floor(z): each integer gets
    # the same prior mass, the kernel still moves z continuously, and the weights stay those of
    # a uniform prior on a box.
    lo = np.array([math.log(p["min"]) if p["type"] == "log_uniform" else p["min"]
                   for p in spec["priors"]])
    hi = np.array([math.log(p["max"]) if p["type"] == "log_uniform" else
                   p["max"] + 1 if p["type"] == "integer" else p["max"]
                   for p in spec["priors"]])
    return lo, hi


def to_params(spec, z):
    """Internal coordinates (n, k) to parameter values."""
    z = np.atleast_2d(np.asarray(z, float))
    out = z.copy()
    for c, p in enumerate(spec["priors"]):
        if p["type"] == "log_uniform":
            out[:, c] = np.exp(z[:, c])
        elif p["type"] == "integer":
            out[:, c] = np.minimum(np.floor(z[:, c]), p["max"])
    return out


# ---- summary statistics ------------------------------------------------------------------------

def statistic(target, values):
    """A target's statistic over one particle's replicate values (NaN values are dropped)."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return math.nan
    s = target["statistic"]
    if s == "mean":
        return float(v.mean())
    if s == "share_above":
        return float(np.mean(v > target["threshold"]))
    if s == "share_true":
        return float(np.mean(v != 0))
    return float(np.quantile(v, target["q"]))


def summaries(spec, runs, n_points):
    """(n_points, n_targets) statistics from a sweep's runs table."""
    out = np.full((n_points, len(spec["targets"])), math.nan)
    for j, t in enumerate(spec["targets"]):
        sel = runs if t["arm"] is None else runs[runs["arm"].astype(str) == t["arm"]]
        for point, grp in sel.groupby("point"):
            out[int(point), j] = statistic(t, grp[t["output"]].to_numpy(float))
    return out


# ---- running batches as sweeps ----------------------------------------------------------------

def _run_relaying(cmd, progress=None):
    """Runs `cmd` (an orgsim sweep) to the end, handing its stderr's progress lines and warnings
    to `progress` as they come; returns a CompletedProcess with the whole stderr (stdout, which
    holds only the closing `results:` lines, is discarded)."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    lines = []
    for line in proc.stderr:
        lines.append(line)
        text = line.strip()
        if progress is not None and (text.startswith("runs ") or "warning:" in text):
            progress(text)
    proc.stderr.close()
    code = proc.wait()
    return subprocess.CompletedProcess(cmd, code, "", "".join(lines))


class Engine:
    """Runs points sweeps with the orgsim binary (optionally under an MPI launcher)."""

    def __init__(self, spec, binary, threads=None, launcher=None, quiet=True,
                 allow_commit_change=False):
        self.spec, self.binary = spec, binary
        self.threads = spec["threads"] if threads is None else threads
        self.launcher = shlex.split(launcher) if launcher else []
        self.quiet = quiet
        self.allow_commit_change = allow_commit_change

    def build(self):
        """The binary's build, as `orgsim --version` names it ("orgsim 0.1.0 (<commit>, ...)")."""
        done = subprocess.run([self.binary, "--version"], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    def sweep_doc(self, params, seeds, replicates, name):
        design = {"type": "points",
                  "parameters": {p["key"]: [int(x) if p["type"] == "integer" else float(x)
                                            for x in params[:, c]]
                                 for c, p in enumerate(self.spec["priors"])}}
        if seeds is not None:
            design["seeds"] = [int(s) for s in seeds]
        scen = {"extends": self.spec["scenario"]}
        for key, value in self.spec["set"].items():  # fixed settings: nested objects
            node = scen
            parts = key.split(".")
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = value
        return {"name": name, "scenario": scen, "design": design, "replicates": replicates,
                "seed": int(self.spec["seed"])}

    def run(self, doc, out, resume=False, progress=None):
        """Runs the sweep `doc` into `out` (a results file); returns its runs table. The sweep's
        progress lines ("runs 1200/6000 ...", every 10 s on long batches) and warnings go to
        `progress` as they come."""
        from . import load
        sweep_path = out + ".json"
        with open(sweep_path, "w", encoding="utf-8") as fh:
            json.dump(doc, fh)
        cmd = self.launcher + [self.binary, "sweep", sweep_path, "-o", out,
                               "--threads", str(self.threads)]
        if resume and os.path.isdir(out + ".parts"):
            cmd.append("--resume")
            if self.allow_commit_change:
                cmd.append("--allow-commit-change")
        elif os.path.isdir(out + ".parts"):
            shutil.rmtree(out + ".parts")
        for stale in (out, out + ".partial"):
            if os.path.exists(stale):
                os.remove(stale)
        done = _run_relaying(cmd, progress)
        if done.returncode == 2:
            raise CalError(sweep_path, "", "a sweep the engine accepts",
                           done.stderr.strip().splitlines()[-1] if done.stderr.strip() else
                           "an input error")
        if done.returncode != 0 and not os.path.exists(out):
            raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
        return load.runs_table(out)

    def check(self, spec):
        """Asks the engine to validate a one-point sweep at the priors' midpoints and the
        targets' outputs and arms; engine errors are reported against the CAL file."""
        lo, hi = _bounds(spec)
        doc = self.sweep_doc(to_params(spec, (lo + hi) / 2), None, 1, "check")
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "check.json")
            with open(path, "w", encoding="utf-8") as fh:
                json.dump(doc, fh)
            done = subprocess.run([self.binary, "check", path], stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            msg = done.stderr.strip().splitlines()
            line = msg[-1] if msg else "an error"
            line = line.removeprefix("orgsim: error: ").replace(path + ": ", "", 1)
            where, sep, tail = line.partition(": expected ")
            exp, _, found = tail.partition(", found ")
            hint = ""
            if found.endswith(")") and " (" in found:
                found, _, hint = found[:-1].partition(" (")
            where = where.removeprefix("design.parameters.")
            keys = [p["key"] for p in spec["priors"]]
            owner = next((k for k in keys if where == k or where.startswith(k + ".")), None)
            if owner is None:  # a prior key inside an object that does not hold it
                owner = next((k for k in keys if k.startswith(where + ".") or
                              k.rsplit(".", 1)[0] == where.rsplit(".", 1)[0]), None)
            if sep and owner is not None:
                raise CalError(spec["file"], "priors." + (where if where.startswith(owner)
                                                          else owner),
                               exp, found, hint)
            if sep:
                raise CalError(spec["file"], "set" if spec["set"] else "scenario",
                               f"{exp} at {where}", found, hint)
            raise CalError(spec["file"], "scenario", "a scenario the engine accepts", line)


def check_targets(spec, outputs, arms):
    """Targets name per-run outputs and (for scenarios with arms) an arm."""
    for i, t in enumerate(spec["targets"]):
        if t["output"] not in outputs:
            import difflib
            guess = difflib.get_close_matches(t["output"], outputs, 1)
            raise CalError(spec["file"], f"targets[{i}].output",
                           "a per-run output: " + ", ".join(outputs), json.dumps(t["output"]),
                           f"did you mean \"{guess[0]}\"?" if guess else "")
        if t["arm"] is None and len(arms) > 1:
            raise CalError(spec["file"], f"targets[{i}].arm", "one of the scenario's arms: " +
                           ", ".join(arms), "no `arm` key",
                           "the scenario has several arms; say which one the target is about")
        if t["arm"] is not None and t["arm"] not in arms:
            raise CalError(spec["file"], f"targets[{i}].arm", "one of the scenario's arms: " +
                           (", ".join(arms) or "(none: a one-arm scenario)"),
                           json.dumps(t["arm"]))


# ---- the sampler -------------------------------------------------------------------------------

def _weighted_cov(z, w):
    k = z.shape[1]
    cov = np.atleast_2d(np.cov(z.T, aweights=w)) if len(z) > 1 else np.zeros((k, k))
    cov = 2.0 * cov  # Beaumont et al. 2009: twice the weighted covariance
    cov += np.eye(k) * 1e-12 * max(float(np.max(np.diag(cov))), 1e-300)
    return cov


def _kernel_matrix(new, old, cov):
    inv = np.linalg.inv(cov)
    diff = new[:, None, :] - old[None, :, :]
    return np.exp(-0.5 * np.einsum("abi,ij,abj->ab", diff, inv, diff))


def ess(w):
    w = np.asarray(w, float)
    return float(w.sum() ** 2 / np.sum(w ** 2))


class Calibration:
    """ABC-SMC over a batch simulator. `simulate(params, seeds, tag) -> (n, n_targets)` runs a
    batch (params: (n, k) values; seeds: per-point master seeds, or None for common random
    numbers; tag: a name unique to the batch, for its files). The state (a JSON-able dict) is
    handed to `save` after every batch, and a saved state continues with `resume`."""

    def __init__(self, spec, simulate, save=None, progress=None, progress_interval=5.0,
                 clock=time.monotonic):
        self.spec, self.simulate = spec, simulate
        self.save = save or (lambda state: None)
        self.progress = progress or (lambda line: None)
        # Lines within a generation (a batch starting or ending, a sweep's own progress, through
        # `note`) come at most every `progress_interval` seconds; a generation's line always.
        self.progress_interval, self.clock = progress_interval, clock
        self._last_note = None
        self.lo, self.hi = _bounds(spec)
        self.observed = np.array([t["observed"] for t in spec["targets"]])
        self.weights = np.array([t["weight"] for t in spec["targets"]])
        self.state = {"version": STATE_VERSION, "generations": [], "current": None,
                      "scale": None, "done": False, "stop_reason": ""}

    def note(self, line, force=False):
        """A progress line from within a generation, dropped when the last one was printed less
        than `progress_interval` seconds ago (the first is always printed)."""
        now = self.clock()
        if force or self._last_note is None or now - self._last_note >= self.progress_interval:
            self._last_note = now
            self.progress(line)

    # distances
    def distance(self, stats):
        scale = np.asarray(self.state["scale"], float)
        d = np.sqrt(np.sum(self.weights * ((np.asarray(stats) - self.observed) / scale) ** 2,
                           axis=-1))
        return np.where(np.isfinite(d), d, np.inf)

    def _set_scale(self, stats):
        if self.spec["distance"]["scale"] == "tolerance":
            scale = np.array([t["tolerance"] for t in self.spec["targets"]])
        else:  # the prior-predictive median absolute deviation of each statistic
            scale = np.empty(stats.shape[1])
            for j in range(stats.shape[1]):
                col = stats[:, j][np.isfinite(stats[:, j])]
                mad = float(np.median(np.abs(col - np.median(col)))) if col.size else 0.0
                if not mad > 0:
                    mad = float(np.std(col)) if col.size else 0.0
                scale[j] = mad if mad > 0 else 1.0
        self.state["scale"] = scale.tolist()

    def _rng(self, g, b):
        return np.random.default_rng([int(self.spec["seed"]), g, b])

    def _seeds(self, rng, n):
        seeds = rng.integers(0, 2 ** 53, size=n)
        return None if self.spec["common_random_numbers"] else seeds

    def run(self):
        start = time.monotonic() - (self.state["generations"][-1]["elapsed"]
                                    if self.state["generations"] else 0.0)
        spec, n = self.spec, self.spec["particles"]
        k = len(spec["priors"])
        while not self.state["done"]:
            gens = self.state["generations"]
            g = len(gens)
            if g >= spec["generations"]:
                self._finish("generations")
                break
            cur = self.state["current"]
            if cur is None:
                cur = {"generation": g, "batch": 0, "z": [], "distances": [], "stats": [],
                       "tried": 0,
                       "tolerance": math.inf if g == 0 else float(np.quantile(
                           gens[-1]["distances"], spec["quantile"]))}
                self.state["current"] = cur
            b = cur["batch"]
            rng = self._rng(g, b)
            need = n - len(cur["z"])
            if g == 0:
                z = self.lo + (self.hi - self.lo) * rng.uniform(size=(n, k))
            else:
                prev = gens[-1]
                pz, pw = np.array(prev["z"]), np.array(prev["weights"])
                chol = np.linalg.cholesky(_weighted_cov(pz, pw))
                acc = (len(cur["z"]) / cur["tried"]) if cur["tried"] else prev["acceptance"]
                acc = max(acc, spec["min_acceptance"])
                m = int(min(max(need, math.ceil(1.1 * need / acc)), 20 * n))
                z = np.empty((m, k))
                for i in range(m):
                    while True:
                        c = pz[rng.choice(len(pz), p=pw)] + chol @ rng.standard_normal(k)
                        if np.all((c >= self.lo) & (c <= self.hi)):
                            break  # outside the prior: redrawn, no simulation spent
                    z[i] = c
            seeds = self._seeds(rng, len(z))
            reps = spec.get("replicates")
            self.note(f"generation {g}, batch {b}: simulating {len(z)} proposal"
                      f"{'s' if len(z) != 1 else ''}"
                      + (f" x {reps} replicate{'s' if reps != 1 else ''}" if reps else "")
                      + f"; {len(cur['z'])} of {n} accepted so far")
            stats = np.asarray(self.simulate(to_params(spec, z), seeds, f"g{g}-b{b}"), float)
            if g == 0 and self.state["scale"] is None:
                self._set_scale(stats)
            d = self.distance(stats)
            for i in range(len(z)):
                cur["tried"] += 1
                if d[i] <= cur["tolerance"]:
                    cur["z"].append(z[i].tolist())
                    cur["distances"].append(float(d[i]))
                    cur["stats"].append([float(x) for x in stats[i]])
                    if len(cur["z"]) == n:
                        break
            cur["batch"] = b + 1
            elapsed = time.monotonic() - start
            if len(cur["z"]) == n:
                self._close_generation(cur, elapsed)
            else:
                reps = spec.get("replicates")
                self.note(f"generation {g}, batch {b}: {len(cur['z'])} of {n} accepted so far, "
                          f"{cur['tried']} proposals simulated"
                          + (f" ({cur['tried'] * reps} runs per arm)" if reps else "")
                          + f", elapsed {elapsed:.1f} s")
            if len(cur["z"]) < n and g > 0 and cur["tried"] >= n and \
                    len(cur["z"]) / cur["tried"] < spec["min_acceptance"]:
                self.progress(f"generation {g}: acceptance {len(cur['z'])}/{cur['tried']} below "
                              f"min_acceptance {spec['min_acceptance']}: stopping with "
                              f"generation {g - 1}")
                self.state["current"] = None
                self._finish("min_acceptance")
            self.save(self.state)
        return self.state

    def _close_generation(self, cur, elapsed):
        gens = self.state["generations"]
        g = cur["generation"]
        z = np.array(cur["z"])
        if g == 0:
            w = np.full(len(z), 1.0 / len(z))
        else:
            prev = gens[-1]
            pz, pw = np.array(prev["z"]), np.array(prev["weights"])
            w = 1.0 / (_kernel_matrix(z, pz, _weighted_cov(pz, pw)) @ pw)
            w /= w.sum()
        gen = {"z": cur["z"], "params": to_params(self.spec, z).tolist(), "weights": w.tolist(),
               "distances": cur["distances"], "stats": cur["stats"],
               "tolerance": cur["tolerance"], "simulations": cur["tried"],
               "acceptance": len(z) / cur["tried"], "ess": ess(w), "elapsed": elapsed}
        gens.append(gen)
        self.state["current"] = None
        tol = "inf" if math.isinf(gen["tolerance"]) else f"{gen['tolerance']:.4g}"
        self.note(f"generation {g}: tolerance {tol}, acceptance {gen['acceptance']:.3f} "
                  f"({len(z)}/{gen['simulations']}), ESS {gen['ess']:.1f}, "
                  f"elapsed {elapsed:.1f} s", force=True)

    def _finish(self, reason):
        self.state["done"] = True
        self.state["stop_reason"] = reason


def weighted_quantiles(x, w, qs):
    x, w = np.asarray(x, float), np.asarray(w, float)
    order = np.argsort(x)
    cw = np.cumsum(w[order])
    cw = (cw - 0.5 * w[order]) / cw[-1]
    return np.interp(qs, cw, x[order])


# ---- files ---------------------------------------------------------------------------------------

def _write_json_atomic(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(obj, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def calibrate(spec, out, *, binary, threads=None, resume=False, launcher=None,
              log=print, allow_commit_change=False, command=None, progress_interval=5.0):
    """Runs the calibration `spec` (parse_spec) and writes `out`; returns the final state.
    `command`: the command line that asked for it (stored in the file; default one made from
    the arguments). Progress within a generation is logged at most every `progress_interval`
    seconds."""
    from . import load
    out = os.fspath(out)
    work = out + ".cal"
    state_path = os.path.join(work, "state.json")
    digest = spec_digest(spec)
    engine = Engine(spec, binary, threads=threads, launcher=launcher,
                    allow_commit_change=allow_commit_change)
    build = engine.build()
    # A calibration is unfinished (resumable) once its state.json is saved; a folder without
    # one holds nothing to continue (at most the probe of a start that failed, as earlier
    # versions left it) and is reused.
    if resume:
        if not os.path.isfile(state_path):
            raise CalError(out, "", f"a calibration to resume ({state_path})", "none",
                           "start it without --resume")
    elif os.path.isfile(state_path):
        raise CalError(out, "", "no unfinished calibration in the way",
                       f"{work} (from an earlier calibration)",
                       "continue it with --resume, or remove the folder")
    engine.check(spec)

    if command is None:
        command = command_line(spec["file"], out, threads=threads, launcher=launcher)

    def relay(prefix):
        return lambda line: cal.note(f"{prefix}: {line}", force="warning:" in line)

    def simulate(params, seeds, tag):
        path = os.path.join(work, f"batch-{tag}.h5")
        g, b = tag[1:].split("-b")
        runs = engine.run(engine.sweep_doc(params, seeds, spec["replicates"],
                                           f"{spec['name']}-{tag}"), path, resume=resume,
                          progress=relay(f"generation {g}, batch {b}"))
        stats = summaries(spec, runs, len(params))
        for leftover in (path, path + ".json"):
            if os.path.exists(leftover):
                os.remove(leftover)
        return stats

    cal = Calibration(spec, simulate, progress=log, progress_interval=progress_interval)
    if resume:
        with open(state_path, encoding="utf-8") as fh:
            saved = json.load(fh)
        if saved.get("digest") != digest:
            raise CalError(spec["file"], "", "the calibration file and scenario that "
                           f"{state_path} was started with", "a different one",
                           "a changed calibration starts afresh: remove the folder")
        # Generations simulated by another build of the engine would be mixed with this one's
        # (as a sweep's parts are refused, docs/RELIABILITY.md): refused unless asked for.
        before = saved.get("build", "")
        if before and build and before != build:
            if not allow_commit_change:
                raise CalError(state_path, "build", f"the build that started it ({before})",
                               build, "finish it with that build, start afresh, or give "
                               "--allow-commit-change to mix the two builds' generations")
            log(f"warning: resuming with {build}; the earlier generations came from {before}")
        cal.state = saved["state"]
        log(f"resuming after {len(cal.state['generations'])} generation(s)")
    else:
        # a target naming an unknown output or arm fails here, before any run, and before
        # anything is written next to OUT: the probe runs in a temporary folder
        import tempfile
        with tempfile.TemporaryDirectory(prefix="orgsim-cal-probe-") as scratch:
            probe = engine.run(engine.sweep_doc(to_params(spec, (cal.lo + cal.hi)[None, :] / 2),
                                                None, 1, "probe"),
                               os.path.join(scratch, "probe.h5"))
        outputs = [c for c in probe.columns if c not in
                   ("arm", "arm_code", "replicate", "point", "seed", "status", "wall_seconds")
                   and c not in [p["key"] for p in spec["priors"]]]
        check_targets(spec, outputs, list(probe.attrs.get("arm_names", [])))
        os.makedirs(work, exist_ok=True)
        for leftover in ("probe.h5", "probe.h5.json"):  # left by earlier versions
            if os.path.exists(os.path.join(work, leftover)):
                os.remove(os.path.join(work, leftover))
    cal.save = lambda state: _write_json_atomic(state_path, {"digest": digest, "build": build,
                                                             "state": state})
    if not resume:
        cal.save(cal.state)  # from here on --resume can continue, even within the first batch
    state = cal.run()
    if not state["generations"]:
        raise RuntimeError("calibrate: no generation finished")

    # posterior predictive: draws from the last generation by weight
    last = state["generations"][-1]
    rng = np.random.default_rng([int(spec["seed"]), 1_000_003])
    w = np.array(last["weights"])
    draws = rng.choice(len(w), size=spec["posterior_predictive"], p=w / w.sum())
    params = np.array(last["params"])[draws]
    seeds = None if spec["common_random_numbers"] else rng.integers(0, 2 ** 53, size=len(draws))
    log(f"posterior predictive: {len(draws)} draws x {spec['replicates']} replicates")
    doc = engine.sweep_doc(params, seeds, spec["replicates"], f"{spec['name']}-predictive")
    tmp = out + ".ppc.h5"
    runs = engine.run(doc, tmp, resume=resume, progress=relay("posterior predictive"))
    predictive = summaries(spec, runs, len(draws))
    load.write_calibration(tmp, spec, state, predictive, draws, command=command)
    os.replace(tmp, out)
    if os.path.exists(tmp + ".json"):
        os.remove(tmp + ".json")
    shutil.rmtree(work, ignore_errors=True)
    post = load.calibration(out)
    for name in post.parameters:
        lo, med, hi = post.quantiles(name, (0.05, 0.5, 0.95))
        log(f"{name}: median {med:.4g}, 90% interval [{lo:.4g}, {hi:.4g}]")
    return state


def command_line(cal, out, *, threads=None, launcher=None):
    """The `orgsim calibrate CAL -o OUT ...` line that runs this calibration, as stored in its
    file (the sweeps it runs are temporary files, deleted when it is done). Without --resume: a
    resumed calibration gives the posterior of an uninterrupted one, which this line reruns."""
    args = ["orgsim", "calibrate", os.fspath(cal), "-o", os.fspath(out)]
    if threads is not None:
        args += ["--threads", str(threads)]
    if launcher:
        args += ["--launcher", launcher]
    return shlex.join(args)


def _default_binary():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for cand in (os.environ.get("ORGSIM_BINARY"), os.path.join(here, "build", "orgsim"),
                 shutil.which("orgsim")):
        if cand and os.path.isfile(cand):
            return cand
    return "orgsim"


def main(argv=None):
    ap = cli.Parser(prog="orgsim calibrate", description=(
        "ABC-SMC calibration of a scenario's parameters to observed summary statistics "
        "(docs/CALIBRATION.md)."))
    ap.add_argument("cal", help="the calibration file (CAL.json)")
    ap.add_argument("-o", "--output", help="results file (default results/NAME.h5)")
    ap.add_argument("--threads", type=int, help="threads per sweep (default: the file's, "
                    "0 = all cores)")
    ap.add_argument("--resume", action="store_true",
                    help="continue an interrupted calibration from OUT.h5.cal/")
    ap.add_argument("--allow-commit-change", action="store_true",
                    help="with --resume: continue although the engine was rebuilt from another "
                         "git commit since the calibration started")
    ap.add_argument("--launcher", help="prefix for each batch's sweep, e.g. \"mpirun -np 4\"")
    ap.add_argument("--orgsim", help="the orgsim binary (default: the one that called)")
    args = ap.parse_args(argv)
    try:
        spec = parse_spec(args.cal)
        if args.threads is not None and args.threads < 0:
            raise CalError("--threads", "", "an integer >= 0", str(args.threads))
        out = args.output or os.path.join("results", spec["name"] + ".h5")
        if os.path.dirname(out):
            os.makedirs(os.path.dirname(out), exist_ok=True)
        calibrate(spec, out, binary=args.orgsim or _default_binary(), threads=args.threads,
                  resume=args.resume, launcher=args.launcher,
                  log=lambda line: print(line, flush=True),
                  allow_commit_change=args.allow_commit_change)
        print(f"wrote {out}")
        return 0
    except CalError as err:
        print(f"orgsim: error: {err}", file=sys.stderr)
        return 2
    except (RuntimeError, OSError) as err:
        print(f"orgsim: failed: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    from . import _interpreter
    _interpreter.ensure()
    sys.exit(main())
