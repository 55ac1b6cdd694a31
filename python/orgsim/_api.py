"""The Python face of orgsim (docs/PYTHON.md): thin functions over the native module _orgsim.

The engine builds the results file the CLI would write, in memory (HDF5's core driver, never on
disk), and returns its bytes; `analysis.load` reads them into the same xarray.Dataset it gives
for the CLI's file. One reader, one layout."""
import contextlib
import importlib.util
import json
import os
import sys

from . import _orgsim


def _add_source_tree():
    """Puts the source tree this module was built from on sys.path (at the end) when no
    `analysis` package is importable, so that `from analysis import load` works in a script run
    from any folder (docs/PYTHON.md). An `analysis` found first (the working directory's, an
    installed one) is left to win."""
    if importlib.util.find_spec("analysis") is None and _orgsim.source_dir not in sys.path:
        sys.path.append(_orgsim.source_dir)


_add_source_tree()


def _analysis_load():
    """analysis.load, from the source tree this module was built from if not importable."""
    try:
        from analysis import load
    except ImportError:
        sys.path.insert(0, _orgsim.source_dir)
        from analysis import load
    return load


class InputError(ValueError):
    """Bad input (a scenario, a sweep, a --set value): names the file, the JSON path, what was
    expected and what was found, like the CLI's messages."""

    def __init__(self, message, file="", path="", expected="", found="", hint=""):
        super().__init__(message)
        self.file = file
        self.path = path
        self.expected = expected
        self.found = found
        self.hint = hint


_orgsim.set_input_error_class(InputError)


def _input_error(file, path, expected, found, hint=""):
    """An InputError with the CLI's message: `file: path: expected X, found Y (hint)`."""
    msg = f"{file}: {path}: expected {expected}, found {found}" + (f" ({hint})" if hint else "")
    return InputError(msg, file, path, expected, found, hint)


KEYWORD = "keyword argument"


@contextlib.contextmanager
def _keyword_errors(set_, **keywords):
    """Errors of values the caller gave as keyword arguments name them as such: the engine sees
    them as --set options (file "--set"); here they become file "keyword argument", path the
    keyword (replicates, steps, seed), or file "keyword argument set", path the dotted key."""
    try:
        yield
    except InputError as err:
        if err.file != "--set":
            raise
        given = keywords.get(err.path)
        if given is not None and err.found == json.dumps(given):
            raise _input_error(KEYWORD, err.path, err.expected, err.found, err.hint) from None
        if set_:
            hint = err.hint
            if err.expected.startswith("each key set at most once"):  # the CLI's words, in Python's
                hint = (f"keep one: set={{'{err.path}': ...}} or the keyword argument "
                        f"{err.path}=..." if err.path in ("replicates", "steps", "seed")
                        else "keep one")
            raise _input_error(KEYWORD + " set", err.path, err.expected, err.found,
                               hint) from None
        raise


def version():
    return _orgsim.version


def keep_freed_memory():
    """Tell the C library to keep freed memory in this process, so that many runs in a row reuse
    the pages of the first instead of faulting in fresh ones (2x faster small runs; bench/README.md,
    "The product path"). It changes the allocator of the whole Python process (memory freed by
    anything stays with the process), so it is yours to choose; `orgsim` on the command line does
    it. A no-op where the C library is not glibc."""
    _orgsim.keep_freed_memory()


def _source_args(obj, what):
    """(path, text, label) for the native loaders: a path, or a dict sent as JSON text."""
    if isinstance(obj, dict):
        name = obj.get("name", "")
        return "", json.dumps(obj), f"<{what} dict{' ' + name if name else ''}>"
    if isinstance(obj, (str, os.PathLike)):
        return os.fspath(obj), "", ""
    raise TypeError(f"{what}: expected a path or a dict, found {type(obj).__name__}")


def _set_args(set_, replicates=None, steps=None, seed=None):
    """--set strings in the CLI's order: the sets, then replicates, steps, seed."""
    sets = []
    if set_:
        items = set_.items() if isinstance(set_, dict) else [s.split("=", 1) for s in set_]
        for key, value in items:
            sets.append(f"{key}={value if isinstance(set_, list) else json.dumps(value)}")
    for key, value in (("replicates", replicates), ("steps", steps), ("seed", seed)):
        if value is not None:
            sets.append(f"{key}={json.dumps(value)}")
    return sets


def _threads(threads):
    if threads is None:
        return 0
    if int(threads) < 0:
        raise ValueError(f"threads: expected 0 (all cores) or a positive count, found {threads}")
    return int(threads)


def _command_line(fn, obj, **kw):
    shown = "<dict>" if isinstance(obj, dict) else repr(os.fspath(obj))
    extra = "".join(f", {k}={v!r}" for k, v in kw.items() if v is not None)
    return f"python: orgsim.{fn}({shown}{extra})"


def run_image(scenario, *, replicates=None, seed=None, set=None, steps=None, threads=None):
    """The results file `orgsim run` would write for these inputs, as an analysis.load.FileImage
    (bytes in memory)."""
    path, text, label = _source_args(scenario, "scenario")
    sets = _set_args(set, replicates, steps, seed)
    with _keyword_errors(set, replicates=replicates, steps=steps, seed=seed):
        data = _orgsim.run_image(path, text, label, sets, _threads(threads),
                                 _command_line("run", scenario, replicates=replicates, seed=seed,
                                               set=set, steps=steps))
    return _analysis_load().FileImage(data, f"<in memory: {label or path}>")


def run_outcomes(scenario, *, replicates=None, seed=None, set=None, steps=None, threads=None):
    """Runs a scenario and returns only its per-run values: {"arm_names": [...], "arm_code",
    "replicate", "status" and one array per per-run output (the output dictionary's names)}, in
    run order. No results file is built: the fast path for samplers (model, abc)."""
    path, text, label = _source_args(scenario, "scenario")
    with _keyword_errors(set, replicates=replicates, steps=steps, seed=seed):
        return _orgsim.run_outcomes(path, text, label, _set_args(set, replicates, steps, seed),
                                    _threads(threads))


def run(scenario, *, replicates=None, seed=None, set=None, steps=None, threads=None):
    """Runs a scenario (a path or a dict) and returns the xarray.Dataset `analysis.load.
    open_results` gives for the file `orgsim run` would write: dims run x step, the arm,
    replicate, seed and parameter coordinates, every output with its attributes. Nothing is
    written to disk. `set`: {dotted key: value} (as --set); `threads`: None or 0 = all cores.
    Further tables (win events, durability, provenance) come from analysis.load on the result."""
    image = run_image(scenario, replicates=replicates, seed=seed, set=set, steps=steps,
                      threads=threads)
    return _analysis_load().open_results(image)


def sweep(spec, *, out=None, threads=None, resume=False, allow_commit_change=False):
    """Runs a sweep (a path or a dict) and returns its Dataset, as analysis.load gives for the
    file `orgsim sweep` writes. Without `out` the file is built in memory (every run held until
    the end); with `out` it streams to that file through the CLI's sweep writer (parts) and the
    Dataset is read from it. `resume=True` continues an interrupted sweep into `out` from its
    parts, as `orgsim sweep --resume` (from Python or the CLI, the same parts);
    `allow_commit_change=True` with it resumes from parts another build wrote (with a warning),
    as `--allow-commit-change`."""
    path, text, label = _source_args(spec, "sweep")
    load = _analysis_load()
    if (resume or allow_commit_change) and out is None:
        raise _input_error(KEYWORD, "resume" if resume else "allow_commit_change",
                           "it only with out= (an in-memory sweep leaves no parts to resume)",
                           "out=None")
    cmd = _command_line("sweep", spec, out=out, resume=resume or None,
                        allow_commit_change=allow_commit_change or None)
    if out is not None:
        out = os.fspath(out)
        try:
            failed = _orgsim.sweep_file(path, text, label, out, _threads(threads), cmd,
                                        bool(resume), bool(allow_commit_change))
        except _orgsim.PartsExistError:  # the engine's words are the CLI's: name the keyword
            raise _input_error(KEYWORD, "resume", "True to continue the sweep whose "
                               f"parts are in {out}.parts", "False",
                               "orgsim.sweep(..., out=..., resume=True) continues it; or "
                               "delete the folder to start again") from None
        except _orgsim.CommitChangeError as err:
            raise ValueError(str(err).replace("--allow-commit-change",
                                              "allow_commit_change=True")) from None
        if failed:
            import warnings
            warnings.warn(f"{failed} run(s) failed (status 'failed'; see load.failures)")
        return load.open_results(os.fspath(out))
    data, failures = _orgsim.sweep_image(path, text, label, _threads(threads), cmd)
    if failures:
        import warnings
        warnings.warn(f"{len(failures)} run(s) failed: " + "; ".join(failures[:3]))
    return load.open_results(load.FileImage(data, f"<in memory: {label or path}>"))


def params():
    """The parameter table (scenarios/PARAMETERS.md) as a DataFrame indexed by dotted key."""
    import pandas as pd
    frame = pd.DataFrame(json.loads(_orgsim.parameters_json()))
    return frame.set_index("key") if "key" in frame.columns else frame


def outputs():
    """The output dictionary (docs/OUTPUTS.md) as a DataFrame indexed by name: scope, units,
    long_name (the short label) and description (what exactly is counted), as in results files."""
    import pandas as pd
    return pd.DataFrame(_orgsim.outputs()).set_index("name")


def _parse_outcome(spec, arms, per_run):
    """(output, arm_a, arm_b) of an outcome name: "output" (one-arm scenarios), "output:arm" or
    "output:armA-armB" (the mean paired difference, armA minus armB on the same replicate)."""
    name, _, who = spec.partition(":")
    if name not in per_run:
        raise ValueError(f"outcome '{spec}': '{name}' is not a per-run output "
                         f"(one of {', '.join(per_run)})")
    if not who:
        if len(arms) != 1:
            raise ValueError(f"outcome '{spec}': the scenario has {len(arms)} arms "
                             f"({', '.join(arms)}); name one ('{name}:{arms[0]}') or a "
                             f"difference ('{name}:{arms[0]}-{arms[-1]}')")
        return name, arms[0], None
    if who in arms:
        return name, who, None
    for i in range(1, len(who)):
        if who[i] == "-" and who[:i] in arms and who[i + 1:] in arms:
            return name, who[:i], who[i + 1:]
    raise ValueError(f"outcome '{spec}': '{who}' is neither an arm nor a difference of two "
                     f"arms 'A-B' (arms: {', '.join(arms)})")


def outcome_values(source, outcomes):
    """{outcome: mean over replicates} (the outcome names of `model`) from a run's results: a
    Dataset of orgsim.run, run_image's FileImage, or run_outcomes' dict of arrays (fastest)."""
    import numpy as np
    load = _analysis_load()
    if isinstance(source, (load.FileImage, dict)):
        table = load.per_run_arrays(source) if isinstance(source, load.FileImage) else source
        arms = table["arm_names"]
        codes = np.asarray(table["arm_code"]).astype(np.int64)
        rep = np.asarray(table["replicate"])
        columns = table
        per_run = [k for k in table if k not in ("arm_names", "arm_code", "replicate", "point",
                                                 "status") and "." not in k]
    else:
        arms = load.arm_names(source)
        per_run = load.outcome_names(source)
        codes = load.arm_codes(source)
        rep = np.asarray(source["replicate"].values)
        columns = {n: source[n].values for n in per_run}
    out = {}
    for spec in outcomes:
        name, a, b = _parse_outcome(spec, arms, per_run)
        values = np.asarray(columns[name], dtype=float)
        ya = values[codes == arms.index(a)]
        ra = rep[codes == arms.index(a)]
        if b is None:
            out[spec] = float(np.nanmean(ya)) if ya.size else float("nan")
            continue
        yb = values[codes == arms.index(b)]
        rb = rep[codes == arms.index(b)]
        order_a, order_b = np.argsort(ra), np.argsort(rb)
        diff = ya[order_a] - yb[order_b]  # paired on the replicate (same workplace)
        out[spec] = float(np.nanmean(diff)) if diff.size else float("nan")
    return out


def model(scenario, outcomes, *, replicates=None, seed=None, set=None, threads=None):
    """A plain function f(**parameters) -> {outcome: value} over a scenario: the shape the EMA
    Workbench, SALib and ABC tools call. Parameters are dotted keys (as --set; pass them with
    f(**{"environment.turnover": 0.02})). Each outcome is the mean over replicates of a per-run
    output: "output" (one-arm scenarios), "output:arm", or "output:armA-armB" (the mean paired
    difference: armA minus armB on the same replicate, i.e. the same workplace). The seed is the
    scenario's unless given, so every call shares common random numbers."""
    path, text, label = _source_args(scenario, "scenario")
    with _keyword_errors(set, replicates=replicates, seed=seed):
        arms = list(_orgsim.check_scenario(path, text, label,
                                           _set_args(set, replicates, None, seed)))
    per_run = [o["name"] for o in _orgsim.outputs() if o["scope"] == "per_run"]
    outcomes = list(outcomes)
    for spec in outcomes:
        _parse_outcome(spec, arms, per_run)  # fail now, not at the first call

    def f(**parameters):
        merged = dict(set or {})
        merged.update(parameters)
        return outcome_values(run_outcomes(scenario, replicates=replicates, seed=seed,
                                           set=merged, threads=threads), outcomes)

    f.outcomes = outcomes
    f.arms = arms
    return f
