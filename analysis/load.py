"""Read orgsim results files. The ONLY Python code that knows the HDF5 layout.

The layout is documented in docs/HDF5_LAYOUT.md (schema `orgsim.results`, major version 1) and
the variables in docs/OUTPUTS.md. Everything else in `analysis/` goes through this module.

    from analysis import load
    ds   = load.open_results("results/default.h5")  # xarray.Dataset: run x step
    runs = load.runs_table("results/default.h5")    # pandas: one row per run
    wins = load.win_events("results/default.h5")    # pandas: one row per win
    acts = load.action_events("results/default.h5") # pandas: one row per action or election
    dur  = load.durability("results/default.h5")    # Kaplan-Meier per arm (Durability)
    prov = load.provenance("results/default.h5")    # scenario, parameters, command line, build
    load.design(path), load.sensitivity(path), load.failures(path)   # sweeps; failed runs
    load.agents(path), load.networks(path)   # snapshots (output.snapshots > 0), else None

Every function takes a path, a `FileImage` (a results file in memory: what `orgsim.run` in
Python reads) or a dataset from `open_results`.

What the Dataset holds (`open_results`):

- dimensions `run` and `step` (`step` in weeks: attrs units="week");
- coordinates on `run`: `arm` (arm *names*, str; the categories in file order are
  `ds.arm.attrs["categories"]`, also `load.arm_names(ds)`), `arm_code` (int8, the stored code),
  `replicate`, `point`, `seed`, `status` (names: planned / done / failed), every varied
  parameter stored in the file (dotted keys, e.g. `environment.turnover`; attrs source="varied"),
  and every parameter set by an arm of the scenario (dotted keys, e.g. `campaign.strategy`,
  taken from the provenance; attrs source="arm"): each run holds its arm's resolved value, the
  scenario's where the arm does not set the key (Provenance.arm_value); a number is float64 (with
  the parameter's units, as a UDUNITS string: Provenance.udunits; NaN where unset, null), an
  integer int64 (float64 if some arm's is unset), a choice or switch its names (str; "null"
  where unset; the choice's names in attrs["categories"]);
- a choice or switch varied by a sweep (the file stores each run's index into the column's
  `levels` attribute) holds the level *names* (str: "relationship_first", a switch
  "true"/"false"; the names in the levels' order are `ds[key].attrs["categories"]`), with the
  stored index next to it as `<key>_code` (e.g. `campaign.strategy_code`; int64, float64 only if
  some run's stored index is not one of the levels), as `arm` and `arm_code`; in the runs table
  and `design()` the names are an ordered Categorical;
- data variables: the per-run outcomes (run) and the per-step outputs (run, step), with the
  file's attrs (long_name, units);
- attrs: the file's root attributes, plus `arm_names` (list) and `source_path`.

xarray cannot hold a pandas Categorical, so the Dataset's `arm` holds plain strings; xarray's
`groupby("arm")` sorts them by name. Use `load.arm_names(ds)` for the file's order, or the
runs table, whose `arm` column is an ordered `pandas.Categorical`.

Without xarray (or h5netcdf) the same functions work on plain h5py: `open_results` then returns a
`ResultsData`, a small read-only stand-in with the same names, dims, values and attrs
(`ds["turnout"].values`, `.dims`, `.attrs`, `ds.coords`, `ds.data_vars`, `ds.sizes`,
`ds.attrs`), which `analysis.figures` and `analysis.report` accept as well.
"""

import contextlib
import json
import hashlib
import math
import os
import shutil
import sys
import threading
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SCHEMA = "orgsim.results"
SCHEMA_MAJOR = 1
STATUS_NAMES = ("planned", "done", "failed")
# HDF5 / netCDF bookkeeping attributes that are not metadata for the analyst.
_HIDDEN_ATTRS = {"DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME", "_Netcdf4Dimid",
                 "_Netcdf4Coordinates", "_FillValue", "coordinates", "_nc3_strict"}
# Per-run datasets that are bookkeeping, not outcomes.
_NOT_OUTCOMES = {"wall_seconds"}

# Set to True (tests do) to behave as if xarray were not installed.
FORCE_H5PY = False


class ResultsFileError(ValueError):
    """The file is not an orgsim results file this reader understands."""


class FileImage:
    """A results file held in memory (the bytes of an HDF5 file): what the Python module
    `orgsim` gets from the engine. Every function here takes one wherever it takes a path;
    `name` labels it (source_path of what is read from it)."""

    def __init__(self, data, name="<in memory>"):
        self.data = bytes(data)
        self.name = name

    def __repr__(self):
        return f"<FileImage {self.name} ({len(self.data)} bytes)>"


# ---- small helpers -------------------------------------------------------------------------

def _h5py():
    import h5py
    return h5py


# ---- the read time limit -------------------------------------------------------------------
# HDF5 1.10 loops for ever on some corrupt files: a variable-length string whose global-heap
# reference is damaged (fuzz/regressions/results/hdf5_vlen_string_dataset_hang.h5.gz). The
# reading thread is then inside HDF5's C code, where no Python exception can reach it (a
# signal.alarm handler runs only between bytecodes, which never come). So, like the engine's
# h5::ReadDeadline, every read of strings and attributes registers a deadline with one watchdog
# thread, and a read still running after the limit (30 s, ORGSIM_READ_TIMEOUT seconds when set)
# prints what was being read from which file and ends the process with exit status 1. Numeric
# arrays are not timed: a large healthy file may take long to read, and they have no heap.

def read_timeout_seconds():
    """The read time limit in seconds: ORGSIM_READ_TIMEOUT when it is a number in (0, 10^6),
    else 30 (as in the engine)."""
    try:
        limit = float(os.environ.get("ORGSIM_READ_TIMEOUT", ""))
    except ValueError:
        return 30.0
    return limit if 0 < limit < 1e6 else 30.0


class _Watchdog:
    """One daemon thread that ends the process when a registered read outlives its deadline."""

    def __init__(self):
        self.cond = threading.Condition()
        self.reads = {}  # id -> (deadline on time.monotonic, message)
        self.next_id = 0
        self.thread = None

    def register(self, message, limit):
        with self.cond:
            if self.thread is None or not self.thread.is_alive():  # also after a fork
                self.thread = threading.Thread(target=self._watch, name="orgsim-read-limit",
                                               daemon=True)
                self.thread.start()
            self.next_id += 1
            self.reads[self.next_id] = (time.monotonic() + limit, message)
            self.cond.notify()
            return self.next_id

    def release(self, read_id):
        with self.cond:
            self.reads.pop(read_id, None)

    def _watch(self):
        with self.cond:
            while True:
                if not self.reads:
                    self.cond.wait()
                    continue
                deadline, message = min(self.reads.values())
                now = time.monotonic()
                if now >= deadline:
                    try:
                        sys.stderr.write(message)
                        sys.stderr.flush()
                    finally:
                        os._exit(1)  # the reading thread is stuck in HDF5: nothing can unwind
                self.cond.wait(deadline - now)


_watchdog = _Watchdog()
# A forked child starts with no watchdog thread and a lock that may have been held at the fork.
os.register_at_fork(after_in_child=_watchdog.__init__)
_reading_file = threading.local()  # .label: the file this thread is reading (set by _open_h5)


@contextlib.contextmanager
def _read_limit(what, label=None):
    """Times the read of `what` (a dataset, the attributes of an object) from the file `label`
    (default: the one this thread opened with _open_h5) against the read time limit."""
    label = label if label is not None else getattr(_reading_file, "label", "?")
    limit = read_timeout_seconds()
    message = (f"orgsim: failed: results file '{label}': reading {what} took more than "
               f"{limit:g} s: the file is damaged (HDF5 loops on some corrupt files; write it "
               f"again or restore a copy)\n")
    read_id = _watchdog.register(message, limit)
    try:
        yield
    finally:
        _watchdog.release(read_id)


def _is_h5_attrs(attrs):
    return hasattr(attrs, "_id") and hasattr(attrs, "get_id")


def _attrs_owner(attrs):
    """The HDF5 path of the object whose attributes `attrs` are (h5py), for messages."""
    try:
        name = _h5py().h5i.get_name(attrs._id)
        return name.decode("utf-8", "replace") if name else "?"
    except Exception:
        return "?"


def _attr(obj, key, default=None):
    """obj.attrs[key] (default when absent), under the read time limit."""
    with _read_limit(f"the attribute {key} of {obj.name}"):
        return obj.attrs[key] if key in obj.attrs else default


def _raw_attrs(obj):
    """obj.attrs as a dict of the values h5py reads, under the read time limit."""
    with _read_limit(f"the attributes of {obj.name}"):
        return dict(obj.attrs.items())


def _strings(dset):
    """A variable-length string dataset as a list of str, under the read time limit."""
    with _read_limit(dset.name):
        return [_text(v) for v in dset.asstr()[()]]


def _xarray():
    """xarray, if it and its h5netcdf engine are importable (and not disabled), else None."""
    if FORCE_H5PY or os.environ.get("ORGSIM_ANALYSIS_NO_XARRAY") == "1":
        return None
    try:
        import xarray
        import h5netcdf  # noqa: F401  (the engine open_dataset uses)
    except ImportError:
        return None
    return xarray


def has_xarray():
    """True when open_results returns an xarray.Dataset (xarray and h5netcdf importable)."""
    return _xarray() is not None


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray) and value.dtype.kind in "SO" and value.shape == ():
        return _text(value[()])
    return value


def _clean_attrs(attrs):
    if _is_h5_attrs(attrs):  # read from the file: under the read time limit
        with _read_limit(f"the attributes of {_attrs_owner(attrs)}"):
            attrs = dict(attrs.items())
    out = {}
    for key, value in attrs.items():
        if key in _HIDDEN_ATTRS:
            continue
        value = _text(value)
        if isinstance(value, np.ndarray) and value.dtype.kind in "SO":
            value = np.array([_text(v) for v in value.tolist()], dtype=object)
        out[key] = value
    return out


def _string(dset):
    """A scalar variable-length string dataset as str (under the read time limit)."""
    with _read_limit(dset.name):
        return _text(dset.asstr()[()]) if hasattr(dset, "asstr") else _text(dset[()])


def _flag_names(attrs):
    if _is_h5_attrs(attrs):
        with _read_limit(f"the attribute flag_meanings of {_attrs_owner(attrs)}"):
            meanings = _text(attrs.get("flag_meanings", ""))
    else:
        meanings = _text(attrs.get("flag_meanings", ""))
    return meanings.split() if meanings else []


def _creation_order(group):
    """Names of a group's direct members in creation order (the writer tracks it)."""
    h5py = _h5py()
    names = []
    try:
        group.id.links.iterate(lambda n: names.append(n.decode("utf-8")) or None,
                               idx_type=h5py.h5.INDEX_CRT_ORDER)
    except Exception:  # creation order not tracked: name order
        names = list(group.keys())
    return names


def _dims(dset, fallback):
    """Dimension names of a dataset from its attached dimension scales."""
    names = []
    for axis, dim in enumerate(dset.dims):
        try:
            scale = dim[0].name.rsplit("/", 1)[-1] if len(dim) else None
        except Exception:
            scale = None
        names.append(scale or fallback[axis])
    return tuple(names)


@contextlib.contextmanager
def _open_h5(path):
    """The results file `path` (a path or a FileImage) opened with h5py after the schema check,
    closed on leaving the block; strings and attributes read from it in the block are timed
    against the read time limit under its name."""
    label = path.name if isinstance(path, FileImage) else os.fspath(path)
    outer = getattr(_reading_file, "label", None)
    _reading_file.label = label
    try:
        f = _open_checked(path, label)
        try:
            yield f
        finally:
            f.close()
    finally:
        _reading_file.label = outer


def _open_checked(path, label):
    h5py = _h5py()
    if isinstance(path, FileImage):
        import io
        with _read_limit("the superblock and root group", label):
            f = h5py.File(io.BytesIO(path.data), "r")
    else:
        if not os.path.isfile(label):
            raise FileNotFoundError(f"results file '{label}' does not exist")
        try:
            with _read_limit("the superblock and root group", label):
                f = h5py.File(label, "r")
        except OSError as err:
            raise ResultsFileError(f"'{label}' is not an HDF5 file ({err})") from err
    with _read_limit("the root attributes schema and schema_version", label):
        schema = _text(f.attrs.get("schema", ""))
        version = str(_text(f.attrs.get("schema_version", "")))
    if schema != SCHEMA:
        f.close()
        raise ResultsFileError(f"'{label}' is not an orgsim results file (schema='{schema}', "
                               f"expected '{SCHEMA}')")
    if version.split(".")[0] != str(SCHEMA_MAJOR):
        f.close()
        raise ResultsFileError(f"'{label}': schema version {version} is not supported "
                               f"(this reader understands {SCHEMA_MAJOR}.x)")
    return f


def _label(path):
    """source_path of what is read from `path` (a path or a FileImage)."""
    return path.name if isinstance(path, FileImage) else os.path.abspath(path)


def _source(obj):
    """A path or FileImage, or a Dataset / ResultsData opened by open_results (its source:
    the file image it was read from, else its source_path)."""
    if isinstance(obj, FileImage):
        return obj
    if isinstance(obj, (str, os.PathLike)):
        return os.fspath(obj)
    image = (getattr(obj, "encoding", None) or {}).get("orgsim_image")
    if isinstance(image, FileImage):
        return image
    path = getattr(obj, "attrs", {}).get("source_path")
    if path is None:
        raise TypeError("expected a results file path or a dataset from load.open_results")
    return path


# ---- provenance ----------------------------------------------------------------------------

@dataclass
class Provenance:
    """What a results file says about how it was made."""
    scenario: dict                       # the scenario file as read (parsed)
    scenario_json: str                   # ... and verbatim
    resolved_params: dict                # {"base": {key: value}, "arms": [{name, description,
                                         #   overrides, parameters}]}
    parameter_table: pd.DataFrame        # one row per parameter key: default, min, max, unit,
                                         #   meaning, type, source
    sweep: dict = None                   # the sweep specification (sweeps only)
    command_line: str = ""
    version: dict = field(default_factory=dict)   # orgsim_version, git_commit, git_dirty, ...
    attrs: dict = field(default_factory=dict)     # every root attribute
    checksums_ok: dict = field(default_factory=dict)  # provenance string -> sha256 matches

    @property
    def name(self):
        return self.scenario.get("name", "")

    @property
    def title(self):
        """The scenario file's own title, in words ("" when it has none: never from a base)."""
        return self.scenario.get("title", "") or ""

    @property
    def description(self):
        return self.scenario.get("description", "")

    @property
    def arms(self):
        """[{name, description, overrides}] in arm order (description may be '')."""
        arms = self.resolved_params.get("arms") or []
        out = []
        for i, arm in enumerate(arms):
            out.append({"name": arm.get("name", f"arm{i}"),
                        "description": arm.get("description", "") or "",
                        "overrides": dict(arm.get("overrides") or {})})
        return out

    def arm_value(self, arm, key, default=None):
        """Arm `arm`'s (index) resolved value of parameter `key`, as the engine reruns it
        (sim/io/rerun.cpp): a run file stores each arm's whole parameter set (`parameters`); a
        sweep stores the `base` and each arm's `overrides` (the arm's value where it sets the
        key, else the base's). A key a sweep varies is each run's, not the arm's: see the
        file's column. `default` where the file does not say."""
        arms = self.resolved_params.get("arms") or []
        base = self.resolved_params.get("base") or {}
        entry = arms[arm] if 0 <= arm < len(arms) else {}
        params = entry.get("parameters")
        if isinstance(params, dict) and key in params:
            return params[key]
        over = entry.get("overrides") or {}
        if key in over:
            return over[key]
        return base.get(key, default)

    def param_type(self, key):
        """The parameter table's type of `key` (number, integer, choice, ...; '' if unknown)."""
        if key in self.parameter_table.index and "type" in self.parameter_table.columns:
            value = self.parameter_table.loc[key, "type"]
            return value if isinstance(value, str) else ""
        return ""

    def meaning(self, key):
        """The parameter table's plain-language meaning of a parameter key ('' if unknown)."""
        if key in self.parameter_table.index:
            return str(self.parameter_table.loc[key, "meaning"])
        return ""

    def unit(self, key):
        """The parameter table's unit as a trainer reads it ("1 per step"; '' if unknown)."""
        if key in self.parameter_table.index and "unit" in self.parameter_table.columns:
            return str(self.parameter_table.loc[key, "unit"] or "")
        return ""

    def udunits(self, key):
        """The parameter's unit as a UDUNITS-2 string, what a `units` attribute holds ("week-1";
        '' for none). Files written before the table carried it: the table's `unit`."""
        if key not in self.parameter_table.index:
            return ""
        if "udunits" not in self.parameter_table.columns:
            return self.unit(key)
        value = self.parameter_table.loc[key, "udunits"]
        return str(value) if isinstance(value, str) else ""


_VERSION_ATTRS = ("orgsim_version", "git_commit", "git_dirty", "build_type", "compiler",
                  "hdf5_version", "created_utc", "host", "schema_version", "kind", "design",
                  "study_id", "master_seed", "rng")


def provenance(path):
    """The scenario, resolved parameters, parameter table, command line and build of a file."""
    with _open_h5(_source(path)) as f:
        attrs = _clean_attrs(f.attrs)
        g = f["provenance"] if "provenance" in f else {}
        texts, ok = {}, {}
        for name in ("scenario_json", "resolved_params_json", "parameter_table_json",
                     "sweep_json", "command_line"):
            if name in g:
                texts[name] = _string(g[name])
                digest = _text(_attr(g[name], "sha256", ""))
                if digest:
                    ok[name] = hashlib.sha256(texts[name].encode("utf-8")).hexdigest() == digest
    table = json.loads(texts.get("parameter_table_json", "[]") or "[]")
    frame = pd.DataFrame(table)
    if "key" in frame.columns:
        frame = frame.set_index("key")
    sweep = json.loads(texts["sweep_json"]) if texts.get("sweep_json") else None
    return Provenance(
        scenario=json.loads(texts.get("scenario_json", "{}") or "{}"),
        scenario_json=texts.get("scenario_json", ""),
        resolved_params=json.loads(texts.get("resolved_params_json", "{}") or "{}"),
        parameter_table=frame,
        sweep=sweep,
        command_line=texts.get("command_line", attrs.get("command_line", "")),
        version={k: attrs[k] for k in _VERSION_ATTRS if k in attrs},
        attrs=attrs,
        checksums_ok=ok,
    )


def _is_number(value):
    return isinstance(value, (int, float, np.integer, np.floating)) and \
        not isinstance(value, (bool, np.bool_))


def _arm_parameter_columns(prov, n_arms, skip):
    """Parameters set by the arms: {key: (values per arm code, attrs)} for scalar values.

    Each arm's resolved value (Provenance.arm_value: its own where it sets the key, else the
    scenario's). A number is float64 (NaN where unset: null), an integer int64 (float64 with
    NaN if some arm's is unset); a choice, switch or text holds names (level_name: a switch
    true/false, unset null), with `categories` the choice's names from the parameter table."""
    arms = prov.resolved_params.get("arms") or []
    if len(arms) != n_arms:
        return {}
    keys = []
    for arm in arms:
        for key in (arm.get("overrides") or {}):
            if key not in keys and key not in skip:
                keys.append(key)
    out = {}
    for key in keys:
        values = [prov.arm_value(i, key) for i in range(n_arms)]
        if any(isinstance(v, (dict, list)) for v in values):
            continue  # distributions and seed objects: see provenance().resolved_params
        kind = prov.param_type(key)
        present = [v for v in values if v is not None]
        numeric = bool(present) and all(_is_number(v) for v in present)
        attrs = {"long_name": prov.meaning(key) or key, "source": "arm"}
        if kind in ("number", "integer") or (kind == "" and numeric):
            if not all(v is None or _is_number(v) for v in values):
                continue  # not what the parameter table says: left to the provenance
            whole = kind == "integer" or (kind == "" and all(
                isinstance(v, (int, np.integer)) for v in present))
            if whole and len(present) == len(values):
                arr = np.array(values, dtype=np.int64)
            else:
                arr = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
            unit = prov.udunits(key)
            if unit:
                attrs["units"] = unit
        else:
            arr = np.array([level_name(v) for v in values], dtype=object)
            choices = (prov.parameter_table.loc[key, "choices"]
                       if key in prov.parameter_table.index
                       and "choices" in prov.parameter_table.columns else None)
            if isinstance(choices, list) and choices:
                attrs["categories"] = [level_name(c) for c in choices]
        out[key] = (arr, attrs)
    return out


# ---- the (run, step) dataset -----------------------------------------------------------------

class Variable:
    """One variable of a ResultsData: name, dims, values (numpy), attrs."""

    def __init__(self, name, dims, values, attrs=None):
        self.name = name
        self.dims = tuple(dims)
        self.values = np.asarray(values)
        self.attrs = dict(attrs or {})

    @property
    def shape(self):
        return self.values.shape

    @property
    def dtype(self):
        return self.values.dtype

    @property
    def sizes(self):
        return dict(zip(self.dims, self.values.shape))

    def __array__(self, dtype=None):
        return self.values if dtype is None else self.values.astype(dtype)

    def __len__(self):
        return len(self.values)

    def __repr__(self):
        return f"<Variable {self.name} {self.dims} {self.values.dtype}>"


class ResultsData:
    """The h5py-only stand-in for the xarray.Dataset of open_results (read-only, in memory).

    Supports what analysis code needs from a Dataset: `ds[name]` (a Variable with .values,
    .dims, .attrs), `name in ds`, `ds.coords`, `ds.data_vars`, `ds.variables` (dicts of
    Variables), `ds.sizes`, `ds.dims`, `ds.attrs`."""

    def __init__(self, coords, data_vars, attrs):
        self.encoding = {}
        self.coords = dict(coords)
        self.data_vars = dict(data_vars)
        self.attrs = dict(attrs)

    @property
    def variables(self):
        return {**self.coords, **self.data_vars}

    @property
    def sizes(self):
        out = {}
        for var in self.variables.values():
            out.update(var.sizes)
        return out

    @property
    def dims(self):
        return self.sizes

    def __getitem__(self, name):
        return self.variables[name]

    def __contains__(self, name):
        return name in self.coords or name in self.data_vars

    def __iter__(self):
        return iter(self.data_vars)

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __repr__(self):
        sizes = ", ".join(f"{k}: {v}" for k, v in self.sizes.items())
        return (f"<ResultsData ({sizes}) coords={list(self.coords)} "
                f"data_vars={list(self.data_vars)}>")


def _read_root_h5(f):
    """The root group with h5py: (coords, data_vars, attrs) as {name: (dims, values, attrs)}."""
    order = [n for n in _creation_order(f) if isinstance(f.get(n, getlink=True),
                                                         _h5py().HardLink)]
    n_run = f["run"].shape[0]
    n_step = f["step"].shape[0]
    coords, data = {}, {}
    for name in order:
        obj = f[name]
        if not isinstance(obj, _h5py().Dataset):
            continue
        attrs = _clean_attrs(obj.attrs)
        if name in ("run", "step"):
            coords[name] = ((name,), obj[()], attrs)
            continue
        if obj.ndim == 1 and obj.shape[0] == n_run:
            dims = _dims(obj, ("run",))
        elif obj.ndim == 2 and obj.shape == (n_run, n_step):
            dims = _dims(obj, ("run", "step"))
        else:
            continue
        values = obj[()]
        if name in ("arm", "replicate", "point", "seed") or ("." in name and obj.ndim == 1):
            coords[name] = (dims, values, attrs)
        else:
            data[name] = (dims, values, attrs)
    return coords, data, _clean_attrs(f.attrs)


def _levels_note(levels_text):
    """What `orgsim sweep` appends to the description of a swept choice's column (to its
    long_name in files written before long_names were short labels): the same text as
    sweep_header in sim/engine/sweep.cpp (`v.description += " (the index into the levels
    attribute, " + v.levels + ")"`). Keep the two in step; open_results strips it only where it
    matches exactly."""
    return f" (the index into the levels attribute, {levels_text})"


def unit_in_words(unit):
    """A `units` attribute as a person reads it after a number: the UDUNITS strings of a results
    file (docs/HDF5_LAYOUT.md, "Units and CF") "week-1" -> "per week", "h week-1" -> "h per
    week", "week" -> "weeks"; "" for "1" and "count" (the number says it all), and for a unit
    that is not one ("1 or agents" of older files). Older files' words stay, a share's rate
    without its "1" ("1 per step" -> "per step")."""
    unit = str(unit or "").strip()
    if " or " in unit:
        return ""
    if unit.startswith("1 "):
        unit = unit[2:]
    unit = {"week-1": "per week", "week": "weeks", "count": "", "1": ""}.get(unit, unit)
    if unit.endswith(" week-1"):
        unit = unit[:-len(" week-1")] + " per week"
    return unit


def level_name(level):
    """How a level of a swept choice or switch is shown: a name as it is, a boolean (Python's or
    numpy's) as true/false (as in the scenario's JSON), anything else as its JSON text. The one
    definition: analysis.prim and analysis.figures match values to level names with it."""
    if isinstance(level, (bool, np.bool_)):
        return "true" if level else "false"
    if isinstance(level, str):
        return str(level)
    if isinstance(level, np.generic):
        level = level.item()
    try:
        return json.dumps(level)
    except TypeError:  # not a JSON value: its text
        return str(level)


# A box keeps a set of a choice's levels: the bits of one int64, bit i set when level i is kept
# (the `kept` dataset of /discovery; analysis.prim). 63 bits: a choice of at most 63 levels.
MAX_KEPT_LEVELS = 63


def kept_mask(indices):
    """The bit mask of a set of level indices (bit i set when level i is in it)."""
    mask = 0
    for i in indices:
        i = int(i)
        if not 0 <= i < MAX_KEPT_LEVELS:
            raise ValueError(f"level index {i}: a set of levels is kept as the bits of an int64, "
                             f"so a choice may have at most {MAX_KEPT_LEVELS} levels")
        mask |= 1 << i
    return mask


def level_range(levels, lower, upper):
    """The levels whose index lies in [lower, upper] (the range of the points a box was found
    on; the levels a box kept when it could keep only a run of neighbours, as a /discovery group
    written before its `kept` dataset says)."""
    lo = max(0, int(math.ceil(lower - 1e-9)))
    hi = min(len(levels) - 1, int(math.floor(upper + 1e-9)))
    return list(levels[lo:hi + 1])


def kept_names(mask, levels):
    """The names of the levels whose bit is set in `mask`, in the levels' order."""
    mask = int(mask)
    return [name for i, name in enumerate(levels) if mask >> i & 1]


def _levels_of(name, attrs, path):
    """The level names of varied parameter `name` from its `levels` attribute, or None for a
    numeric parameter (no attribute, or an empty one). The rule of the engine's
    levels_from_text (sim/engine/design.cpp): a non-empty JSON array of strings or booleans;
    here also distinct once named (level_name: true and "true" are the same name).
    ResultsFileError naming the file, the parameter, what was expected and what was found."""
    text = attrs.get("levels")
    if text is None:
        return None
    text = _text(text)
    if isinstance(text, str) and text == "":
        return None  # as levels_from_text: no levels (a number)
    expected = ("a levels attribute holding a non-empty JSON array of distinct strings or "
                "booleans")

    def refuse(found):
        return ResultsFileError(f"{_label(path)}: {name}: expected {expected}, found {found}")

    if not isinstance(text, str):
        raise refuse(f"{text!r} (not text)")
    try:
        levels = json.loads(text)
    except ValueError:
        raise refuse(f"{text!r} (not JSON)") from None
    if not isinstance(levels, list) or not levels:
        raise refuse(repr(text))
    for level in levels:
        if not isinstance(level, (str, bool)):
            raise refuse(f"{text!r} (holding {json.dumps(level)})")
    names = [level_name(v) for v in levels]
    seen = set()
    for shown in names:
        if shown in seen:
            raise refuse(f"{text!r} (naming the level {shown} twice)")
        seen.add(shown)
    return names


def _level_columns(name, dims, values, attrs, path):
    """A varied choice or switch: its column holds each run's index into its `levels`. Returns
    {name: names, name + "_code": the stored index} as (dims, values, attrs), like `arm` and
    `arm_code`; {} for a numeric parameter. An index outside the levels (not a whole number in
    range) gets no name: None (NaN in the runs table), never mistaken for a level named ""."""
    names = _levels_of(name, attrs, path)
    if names is None:
        return {}
    codes = np.asarray(values, dtype=float)
    whole = np.isfinite(codes) & (codes == np.round(codes)) & (codes >= 0) & (codes < len(names))
    shown = np.array([names[int(c)] if ok else None for c, ok in zip(codes, whole)], dtype=object)
    note = _levels_note(_text(attrs["levels"]))
    named = {k: v for k, v in attrs.items() if k not in ("min", "max", "long_name")}
    for key in ("long_name", "description"):  # the note: on description, on older files' long_name
        text = _text(attrs.get(key, ""))
        if text.endswith(note):
            text = text[:-len(note)]
        if text or key == "long_name":
            named[key] = text
    named.update(categories=list(names), source="varied")
    code_attrs = {"long_name": f"{name} code (index into {name}.attrs['categories'])",
                  "levels": attrs["levels"]}
    # The index is a whole number (int64, as `arm_code` is an integer) unless some run's is not
    # one of the levels (then float64, that run's as stored).
    code = codes.astype(np.int64) if whole.all() else np.asarray(values)
    return {name: (dims, shown, named), name + "_code": (dims, code, code_attrs)}


def _decorations(arm_values, arm_attrs, status_values, status_attrs, prov, existing):
    """Shared by both readers: the run-level coordinates to add or replace.

    Returns ({name: (dims, values, attrs)}, arm names): `arm` as names, `arm_code`, `status` as
    names, and one coordinate per parameter set by the arms (not already a varied key)."""
    names = _flag_names(arm_attrs)
    codes = np.asarray(arm_values).astype(np.int64)
    if not names:
        names = [f"arm{i}" for i in range(int(codes.max()) + 1 if codes.size else 0)]
    # `arm` holds names now: the code's attributes (flag_values, flag_meanings, a description
    # of the code) go with `arm_code`, which still holds the code.
    code_keys = ("flag_values", "flag_meanings", "description", "long_name")
    named = {k: v for k, v in arm_attrs.items() if k not in code_keys}
    named.update(long_name="Strategy arm", categories=list(names))
    code = {k: v for k, v in arm_attrs.items() if k in ("flag_values", "flag_meanings")}
    code.update(long_name="Arm code",
                description="the stored arm code: index into arm.attrs['categories']")
    out = {
        "arm": (("run",), np.array([names[c] for c in codes], dtype=object), named),
        "arm_code": (("run",), np.asarray(arm_values), code),
    }
    if status_values is not None:
        snames = _flag_names(status_attrs) or list(STATUS_NAMES)
        out["status"] = (("run",), np.array([snames[int(v)] for v in status_values],
                                            dtype=object),
                         {"long_name": status_attrs.get("long_name", "run status"),
                          "categories": list(snames)})
    for key, (per_arm, kattrs) in _arm_parameter_columns(prov, len(names),
                                                          set(existing)).items():
        out[key] = (("run",), per_arm[codes], kattrs)
    return out, names


def _open_with_h5py(path):
    prov = provenance(path)
    with _open_h5(path) as f:
        coords, data, attrs = _read_root_h5(f)
    for name in list(coords):
        if "." in name:
            coords[name] = (coords[name][0], coords[name][1], dict(coords[name][2],
                                                                    source="varied"))
            coords.update(_level_columns(name, *coords[name], path))
    status = data.pop("status", None)
    extra, names = _decorations(coords["arm"][1], coords["arm"][2],
                                status[1] if status else None, status[2] if status else {},
                                prov, coords)
    coords.update(extra)
    attrs = dict(attrs, arm_names=list(names), source_path=_label(path))
    out = ResultsData({k: Variable(k, *v) for k, v in coords.items()},
                      {k: Variable(k, *v) for k, v in data.items()}, attrs)
    if isinstance(path, FileImage):
        out.encoding["orgsim_image"] = path
    return out


def _open_with_xarray(xr, path, lazy):
    prov = provenance(path)
    with _open_h5(path):  # the schema check, with a clear message
        pass
    if isinstance(path, FileImage):
        import io
        ds = xr.open_dataset(io.BytesIO(path.data), engine="h5netcdf", decode_times=False,
                             decode_timedelta=False)
    else:
        ds = xr.open_dataset(path, engine="h5netcdf", decode_times=False, decode_timedelta=False)
    if not lazy:
        ds = ds.load()
        ds.close()
    return _xarray_decorate(xr, ds, prov, path)


def _open_with_xarray_from_h5py(xr, path):
    """The Dataset of _open_with_xarray, read with h5py and assembled here: h5netcdf works out
    the dimension sizes anew for every variable it opens, which takes seconds on a small file;
    h5py reads the same arrays in a fraction of that. Same variables, dims, values and attrs
    (a test compares the two on run and sweep files)."""
    prov = provenance(path)
    with _open_h5(path) as f:
        coords, data, attrs = _read_root_h5(f)
    variables = {k: xr.Variable(*v) for k, v in {**coords, **data}.items()}
    ds = xr.Dataset(variables, attrs=attrs)
    return _xarray_decorate(xr, ds, prov, path)


def _xarray_decorate(xr, ds, prov, path):
    """What both xarray readers do after reading: coordinates, cleaned attrs, decorations."""
    varied = [n for n, v in ds.variables.items() if "." in n and v.dims == ("run",)]
    ds = ds.set_coords([n for n in ["arm", "replicate", "point", "seed"] + varied
                        if n in ds.variables])
    for name in varied:
        ds[name].attrs["source"] = "varied"
    for name, var in ds.variables.items():
        var.attrs = _clean_attrs(var.attrs)
    levels = {}
    for name in varied:
        levels.update(_level_columns(name, ds[name].dims, ds[name].values,
                                     dict(ds[name].attrs), path))
    if levels:  # the names replace the indices in place (varied_params keeps the file's order)
        ds = ds.assign_coords({k: xr.Variable(*v) for k, v in levels.items()})
    has_status = "status" in ds.variables
    extra, names = _decorations(
        ds["arm"].values, dict(ds["arm"].attrs),
        ds["status"].values if has_status else None,
        dict(ds["status"].attrs) if has_status else {}, prov, ds.coords)
    if has_status:
        ds = ds.drop_vars("status")
    ds = ds.assign_coords({k: xr.Variable(*v) for k, v in extra.items()})
    ds.attrs = dict(_clean_attrs(ds.attrs), arm_names=list(names),
                    source_path=_label(path))
    if isinstance(path, FileImage):
        ds.encoding["orgsim_image"] = path
    return ds


def open_results(path, lazy=False):
    """The run x step dataset of a results file (see the module docstring).

    With xarray and h5netcdf: an xarray.Dataset, loaded into memory and closed unless
    `lazy=True` (then the per-step variables stay on disk until used; close it when done).
    Without them: a ResultsData with the same names, dims, values and attrs."""
    if not isinstance(path, FileImage):
        path = os.fspath(path)
    xr = _xarray()
    if xr is None:
        return _open_with_h5py(path)
    if lazy and not isinstance(path, FileImage):
        return _open_with_xarray(xr, path, lazy)
    return _open_with_xarray_from_h5py(xr, path)


# ---- generic accessors (xarray.Dataset or ResultsData) -----------------------------------------

def arm_names(ds):
    """Arm names in file (code) order."""
    return list(ds.attrs.get("arm_names") or ds["arm"].attrs.get("categories") or [])


def arm_codes(ds):
    """The arm code of every run (int array)."""
    return np.asarray(ds["arm_code"].values).astype(np.int64)


def per_step_names(ds):
    """The (run, step) variables, in file order."""
    return [n for n, v in ds.data_vars.items() if tuple(v.dims) == ("run", "step")]


def per_run_arrays(source):
    """The per-run datasets only, read with h5py, nothing else (fast: what orgsim.model and
    samplers call per point): {"arm_names": [...], "arm_code", "replicate", "point", "status"
    (codes; 1 = done), and every per-run outcome: arrays}."""
    path = _source(source)
    out = {}
    with _open_h5(path) as f:
        n_run = f["run"].shape[0]
        out["arm_names"] = _flag_names(f["arm"].attrs)
        for name in _creation_order(f):
            obj = f.get(name)
            if (isinstance(obj, _h5py().Dataset) and obj.ndim == 1 and obj.shape[0] == n_run
                    and name not in ("run", "seed") and name not in _NOT_OUTCOMES):
                out["arm_code" if name == "arm" else name] = obj[()]
    return out


def outcome_names(ds):
    """The per-run outcomes (run) in file order (wall_seconds excluded)."""
    return [n for n, v in ds.data_vars.items()
            if tuple(v.dims) == ("run",) and n not in _NOT_OUTCOMES]


def varied_params(ds):
    """The varied parameters stored in the file (sweeps), in file order."""
    return [n for n, v in ds.coords.items() if v.attrs.get("source") == "varied"]


def arm_params(ds):
    """Parameters set by the scenario's arms (from the provenance)."""
    return [n for n, v in ds.coords.items() if v.attrs.get("source") == "arm"]


def steps(ds):
    """(step values, units) of the step dimension."""
    step = ds["step"]
    return np.asarray(step.values), step.attrs.get("units", "step")


def runs_table(source):
    """One row per run: arm (ordered Categorical of names), arm_code, replicate, point, seed,
    status (Categorical), the varied and arm parameters (a swept choice or switch: an ordered
    Categorical of its level names, and `<key>_code`), the per-run outcomes, wall_seconds.

    `source`: a path or a dataset from open_results. Indexed by `run`. `frame.attrs` holds
    `units`, `unit_words` (what a count counts), `long_name` (the short label) and `description`
    per column, `arm_names`, and `source_path`."""
    ds = open_results(source) if isinstance(source, (str, os.PathLike, FileImage)) else source
    names = arm_names(ds)
    cols, units, unit_words, long_names, descriptions = {}, {}, {}, {}, {}
    run_vars = [(n, v) for n, v in ds.coords.items() if tuple(v.dims) == ("run",) and n != "run"]
    run_vars += [(n, v) for n, v in ds.data_vars.items() if tuple(v.dims) == ("run",)]
    for name, var in run_vars:
        values = np.asarray(var.values)
        if name == "arm":
            values = pd.Categorical(values, categories=names, ordered=True)
        elif name == "status":
            values = pd.Categorical(values, categories=var.attrs.get("categories",
                                                                     list(STATUS_NAMES)))
        elif var.attrs.get("source") == "varied" and "categories" in var.attrs:
            values = pd.Categorical(values, categories=list(var.attrs["categories"]),
                                    ordered=True)  # a swept choice: its levels, in order
        cols[name] = values
        if "units" in var.attrs:
            units[name] = var.attrs["units"]
        if "unit_words" in var.attrs:
            unit_words[name] = var.attrs["unit_words"]
        if "long_name" in var.attrs:
            long_names[name] = var.attrs["long_name"]
        if "description" in var.attrs:
            descriptions[name] = var.attrs["description"]
    frame = pd.DataFrame(cols, index=pd.Index(np.asarray(ds["run"].values), name="run"))
    frame.attrs.update(units=units, unit_words=unit_words, long_name=long_names,
                       description=descriptions, arm_names=names,
                       source_path=ds.attrs.get("source_path"))
    return frame


# ---- wins and their durability -----------------------------------------------------------------

_WIN_COLUMNS = ("run", "arm", "replicate", "point", "start_step", "end_step", "censored",
                "strength", "duration")


def win_events(source):
    """One row per win (index `win`): run, arm (ordered Categorical), replicate, point,
    start_step, end_step (-1 if still standing), censored (bool: still standing at the end of
    the run), strength, duration (steps it stood). `frame.attrs['units']` per column.

    A file without /win_events gives an empty table."""
    path = _source(source)
    with _open_h5(path) as f:
        names = _flag_names(f["arm"].attrs)
        g = f["win_events"] if "win_events" in f else None
        cols, units = {}, {}
        for col in _WIN_COLUMNS:
            if g is not None and col in g:
                cols[col] = g[col][()]
                if (unit := _attr(g[col], "units")) is not None:
                    units[col] = _text(unit)
            else:
                cols[col] = np.zeros(0, dtype=np.float64 if col == "strength" else np.int64)
        index = g["win"][()] if g is not None and "win" in g else np.arange(len(cols["run"]))
    cols["censored"] = np.asarray(cols["censored"]).astype(bool)
    cols["arm"] = pd.Categorical.from_codes(np.asarray(cols["arm"]).astype(np.int64),
                                            categories=names, ordered=True)
    frame = pd.DataFrame(cols, index=pd.Index(index, name="win"))
    frame.attrs.update(units=units, arm_names=names, source_path=_label(path))
    return frame


_ACTION_COLUMNS = ("run", "arm", "replicate", "point", "step", "kind", "turnout", "support",
                   "cohesion", "power", "won", "notice_weeks", "consolidated_step")
_ACTION_FLOATS = ("turnout", "support", "cohesion", "power")


def action_events(source):
    """One row per action or election (index `event`): run, arm (ordered Categorical),
    replicate, point, step, kind ("action" / "election", a Categorical), turnout (share taking
    part or casting a vote), support (share taking part, or share of the votes cast that are
    yes), cohesion, power, won (bool), notice_weeks (weeks of counter-campaign before it),
    consolidated_step (step a won election reached a first contract; -1 if none).
    `frame.attrs['units']` per column.

    A file without /action_events (written before the table existed) gives an empty table."""
    path = _source(source)
    with _open_h5(path) as f:
        names = _flag_names(f["arm"].attrs)
        g = f["action_events"] if "action_events" in f else None
        cols, units = {}, {}
        for col in _ACTION_COLUMNS:
            if g is not None and col in g:
                cols[col] = g[col][()]
                if (unit := _attr(g[col], "units")) is not None:
                    units[col] = _text(unit)
            else:
                cols[col] = np.zeros(0, dtype=np.float64 if col in _ACTION_FLOATS else np.int64)
        index = (g["event"][()] if g is not None and "event" in g
                 else np.arange(len(cols["run"])))
    cols["won"] = np.asarray(cols["won"]).astype(bool)
    cols["kind"] = pd.Categorical.from_codes(np.asarray(cols["kind"]).astype(np.int64),
                                             categories=["action", "election"])
    cols["arm"] = pd.Categorical.from_codes(np.asarray(cols["arm"]).astype(np.int64),
                                            categories=names, ordered=True)
    frame = pd.DataFrame(cols, index=pd.Index(index, name="event"))
    frame.attrs.update(units=units, arm_names=names, source_path=os.path.abspath(path))
    return frame


@dataclass
class Durability:
    """Kaplan-Meier estimates of how long each arm's wins stood (over the done runs).

    arms:     one row per arm (index: arm names in order): wins, reversals, median (steps; NaN
              if S never drops to 0.5), follow_up (longest observed duration: the curve's end)
    curves:   one row per (arm, event time): arm, time, survival, lower, upper (95% interval),
              at_risk, events; S(t) = share of the arm's wins still standing t steps after
              they were won; before an arm's first row S = 1
    censored: one row per (arm, duration) of wins still standing at the end of their run: arm,
              time, count (the censoring ticks)
    source:   "file" (/durability) or "computed" (from /win_events: older files)
    units:    the time unit ("week")
    source_file: the results file it was read from (a path or a FileImage; None if made by
              hand): its provenance gives the figures the arms' strategies
    """
    arms: pd.DataFrame
    curves: pd.DataFrame
    censored: pd.DataFrame
    source: str
    units: str = "week"
    source_file: object = None

    def curve(self, arm):
        return self.curves[self.curves["arm"] == arm].reset_index(drop=True)


def roster(source):
    """The people of a roster workplace (`/roster`, network.type = roster): a DataFrame indexed
    by agent with columns name, department, shift, role, leader (bool); None when the file
    has no roster."""
    with _open_h5(_source(source)) as f:
        if "roster" not in f:
            return None
        g = f["roster"]
        cols = {}
        for key in ("name", "department", "shift", "role"):
            cols[key] = [_text(v) for v in g[key][()]] if key in g else None
        leader = np.asarray(g["leader"][()]).astype(bool) if "leader" in g else None
    frame = pd.DataFrame({k: v for k, v in cols.items() if v is not None})
    if leader is not None:
        frame["leader"] = leader
    frame.index.name = "agent"
    return frame


_AGENT_VARIABLES = ("rung", "commitment", "trust_degree", "role", "took_part")


def agents(source):
    """The snapshots of the people (`/agents`, written when output.snapshots > 0): an
    xarray.Dataset with dims (run, snapshot, agent) holding rung (int8: 0 unengaged .. 3
    leader), commitment, trust_degree (float32), role (0 member, 1 worker-organizer) and
    took_part (int8), `department` on (run, agent), and coordinates snapshot_step (snapshot),
    arm (names), arm_code and replicate (run). Without xarray a dict of numpy arrays with the same
    names plus "dims". None when the file has no snapshots."""
    with _open_h5(_source(source)) as f:
        if "agents" not in f:
            return None
        g = f["agents"]
        data = {k: np.asarray(g[k][()]) for k in _AGENT_VARIABLES if k in g}
        department = np.asarray(g["department"][()])
        step = np.asarray(g["snapshot_step"][()])
        arm_code = np.asarray(f["arm"][()])
        names = _flag_names(f["arm"].attrs)
        replicate = np.asarray(f["replicate"][()])
    arm = np.array([names[int(c)] if 0 <= int(c) < len(names) else str(int(c)) for c in arm_code])
    xr = _xarray()
    if xr is None:
        out = dict(data)
        out.update(department=department, snapshot_step=step, arm=arm, arm_code=arm_code,
                   replicate=replicate, dims=("run", "snapshot", "agent"))
        return out
    ds = xr.Dataset({k: (("run", "snapshot", "agent"), v) for k, v in data.items()})
    ds["department"] = (("run", "agent"), department)
    return ds.assign_coords(snapshot_step=("snapshot", step), arm=("run", arm),
                            arm_code=("run", arm_code), replicate=("run", replicate))


def networks(source):
    """The ties of every run's snapshots (`/networks`): a dict with `source`, `target` (run,
    edge; -1 past the run's ties), `trust` (run, snapshot, edge; NaN for a tie not yet made at
    that snapshot) and `snapshot_step`; with xarray an xarray.Dataset of the same. None when the
    file has no snapshots. Ties organizers create are appended, so an edge keeps its index over
    the snapshots of a run."""
    with _open_h5(_source(source)) as f:
        if "networks" not in f:
            return None
        g = f["networks"]
        src = np.asarray(g["source"][()])
        dst = np.asarray(g["target"][()])
        trust = np.asarray(g["trust"][()])
        step = np.asarray(f["agents"]["snapshot_step"][()]) if "agents" in f else None
    xr = _xarray()
    if xr is None:
        return {"source": src, "target": dst, "trust": trust, "snapshot_step": step}
    ds = xr.Dataset({"source": (("run", "edge"), src), "target": (("run", "edge"), dst),
                     "trust": (("run", "snapshot", "edge"), trust)})
    if step is not None:
        ds = ds.assign_coords(snapshot_step=("snapshot", step))
    return ds


def durability(source):
    """Kaplan-Meier durability of wins per arm: /durability if the file has it, else computed
    from /win_events (time = duration, event = reversed) over the wins of the done runs."""
    from . import stats

    path = _source(source)
    wins = win_events(path)
    with _open_h5(path) as f:
        names = _flag_names(f["arm"].attrs)
        status_names = _flag_names(f["status"].attrs) or list(STATUS_NAMES)
        done_runs = f["run"][()][np.asarray(
            [status_names[int(s)] == "done" for s in f["status"][()]], dtype=bool)]
        units = _text(_attr(f["step"], "units", "week"))
        stored = None
        if "durability" in f:
            g = f["durability"]
            stored = {k: g[k][()] for k in g.keys() if isinstance(g[k], _h5py().Dataset)}
    wins = wins[np.isin(wins["run"].to_numpy(), done_runs)]
    arm_rows, curves, cens = [], [], []
    for code, arm in enumerate(names):
        mine = wins[wins["arm"] == arm]
        dur = mine["duration"].to_numpy(dtype=float)
        reversed_ = ~mine["censored"].to_numpy(dtype=bool)
        if stored is not None:
            rows = stored["km_arm"] == code
            curve = pd.DataFrame({k: stored[k][rows] for k in
                                  ("time", "survival", "lower", "upper", "at_risk", "events")})
            n_wins, n_rev = int(stored["wins"][code]), int(stored["reversals"][code])
            median = float(stored["median"][code])
        else:
            curve = stats.kaplan_meier(dur, reversed_)
            n_wins, n_rev = int(len(mine)), int(reversed_.sum())
            median = stats.km_median(curve)
        curve.insert(0, "arm", arm)
        curves.append(curve)
        arm_rows.append({"arm": arm, "wins": n_wins, "reversals": n_rev, "median": median,
                         "follow_up": float(dur.max()) if dur.size else math.nan})
        if (~reversed_).any():
            t, n = np.unique(dur[~reversed_], return_counts=True)
            cens.append(pd.DataFrame({"arm": arm, "time": t, "count": n}))
    cat = pd.CategoricalDtype(names, ordered=True)
    arms = pd.DataFrame(arm_rows, columns=["arm", "wins", "reversals", "median", "follow_up"])
    arms = arms.set_index(pd.CategoricalIndex(arms.pop("arm"), dtype=cat, name="arm"))
    curves = pd.concat(curves, ignore_index=True) if curves else pd.DataFrame(
        columns=["arm", "time", "survival", "lower", "upper", "at_risk", "events"])
    curves["arm"] = curves["arm"].astype(cat)
    censored = pd.concat(cens, ignore_index=True) if cens else pd.DataFrame(
        {"arm": [], "time": [], "count": []})
    censored["arm"] = censored["arm"].astype(cat)
    return Durability(arms=arms, curves=curves, censored=censored,
                      source="file" if stored is not None else "computed", units=units,
                      source_file=path)


# ---- sweeps: design, sensitivity, failures --------------------------------------------------------

def _group_table(f, group, dim, names):
    """The 1-D columns of `group` on dimension `dim` as a dict of arrays (strings decoded)."""
    g = f[group]
    cols, units = {}, {}
    n = g[dim].shape[0] if dim in g else None
    for name in _creation_order(g):
        obj = g[name]
        if not isinstance(obj, _h5py().Dataset) or obj.ndim != 1 or name == dim:
            continue
        if _dims(obj, (dim,))[0] != dim or (n is not None and obj.shape[0] != n):
            continue  # on another dimension (e.g. /design/parameter)
        if obj.dtype.kind == "O" or h5_is_string(obj):
            values = np.array(_strings(obj), dtype=object)
        else:
            values = obj[()]
        if name == "arm" and names:
            values = pd.Categorical.from_codes(np.asarray(values).astype(np.int64),
                                               categories=names, ordered=True)
        cols[name] = values
        if (unit := _attr(obj, "units")) is not None:
            units[name] = _text(unit)
    index = g[dim][()] if dim in g else None
    return cols, units, index


def h5_is_string(dset):
    return _h5py().check_string_dtype(dset.dtype) is not None


def failures(source):
    """One row per failed run (index `failure`): run, point, arm (Categorical), replicate, seed,
    message. Empty when no run failed or the file has no /failures group."""
    path = _source(source)
    with _open_h5(path) as f:
        names = _flag_names(f["arm"].attrs)
        if "failures" not in f:
            frame = pd.DataFrame({"run": np.zeros(0, np.int64), "point": np.zeros(0, np.int32),
                                  "arm": pd.Categorical([], categories=names, ordered=True),
                                  "replicate": np.zeros(0, np.int32),
                                  "seed": np.zeros(0, np.uint64), "message": []})
            frame.index.name = "failure"
            return frame
        cols, _, index = _group_table(f, "failures", "failure", names)
    frame = pd.DataFrame(cols, index=pd.Index(index, name="failure"))
    return frame


def design(source):
    """A sweep's design points: one row per point (index `point`), one column per varied
    parameter; `frame.attrs` holds `type` (grid, random, lhs, sobol, morris, points) and `units`.
    A swept choice or switch is an ordered Categorical of its level names, with the stored index
    next to it (`<key>_code`), as in `open_results`. None for a file without /design."""
    path = _source(source)
    with _open_h5(path) as f:
        if "design" not in f:
            return None
        cols, units, index = _group_table(f, "design", "point", [])
        kind = _text(_attr(f["design"], "type", ""))
        for name in list(cols):  # a swept choice: names (and the index), as in open_results
            root = f.get(name) if "." in name else None
            if root is not None and isinstance(root, _h5py().Dataset):
                for col, (_, values, attrs) in _level_columns(
                        name, ("point",), cols[name], _clean_attrs(root.attrs), path).items():
                    cols[col] = values if col != name else pd.Categorical(
                        values, categories=attrs["categories"], ordered=True)
    frame = pd.DataFrame(cols, index=pd.Index(index, name="point"))
    frame.attrs.update(type=kind, units=units)
    return frame


def sensitivity(source):
    """A sobol or morris sweep's sensitivity indices as a tidy table: one row per (arm, outcome,
    parameter) with the method's indices (sobol: S1, S1_conf, ST, ST_conf; morris: mu, mu_star,
    sigma), the shape `analysis.figures.plot_sensitivity` takes. `frame.attrs` holds `method`
    and `noise_share` (a DataFrame, arm x outcome). None for a file without /sensitivity."""
    path = _source(source)
    with _open_h5(path) as f:
        if "sensitivity" not in f:
            return None
        g = f["sensitivity"]
        names = _flag_names(g["arm"].attrs) or _flag_names(f["arm"].attrs)
        outputs = _strings(g["output"])
        params = _strings(g["parameter"])
        arms = [names[int(c)] for c in g["arm"][()]]
        method = _text(_attr(g, "method", ""))
        arrays = {k: g[k][()] for k in _creation_order(g)
                  if isinstance(g[k], _h5py().Dataset) and g[k].ndim == 3}
        noise = g["noise_share"][()] if "noise_share" in g else None
    a, o, p = np.meshgrid(np.arange(len(arms)), np.arange(len(outputs)), np.arange(len(params)),
                          indexing="ij")
    frame = pd.DataFrame({
        "arm": pd.Categorical(np.array(arms, dtype=object)[a.ravel()], categories=names,
                              ordered=True),
        "outcome": np.array(outputs, dtype=object)[o.ravel()],
        "parameter": np.array(params, dtype=object)[p.ravel()],
        **{k: v.ravel() for k, v in arrays.items()}})
    frame.attrs["method"] = method
    if noise is not None:
        frame.attrs["noise_share"] = pd.DataFrame(noise, index=pd.Index(arms, name="arm"),
                                                  columns=pd.Index(outputs, name="outcome"))
    return frame


# ---- scenario discovery (/discovery, written by analysis.discover) ---------------------------

DISCOVERY = "discovery"


@dataclass
class Discovery:
    """The PRIM boxes stored in a sweep's /discovery group (docs/HDF5_LAYOUT.md).

    where:      the condition (`orgsim discover --where`)
    unit:       what a point is ("run", or "workplace (design point, replicate)")
    n, k:       points, and points where the condition holds
    boxes:      one row per box (index box = 1, 2, ...): coverage, density, mass, n, k,
                coverage_total (share of all k points), base_density
    limits:     one row per (box, input): lower, upper, min, max, kept, restricted, p_value
                (kept: a choice's kept levels as a bit mask, 0 for a number; `kept` names them)
    trajectory: one row per (box, peeling step): coverage, density, mass, n, n_restricted,
                chosen (step -1: the pasted box that was chosen)
    settings:   alpha, min_mass
    levels:     {input: level names} for the inputs that are a swept choice or switch (from the
                `levels` attribute of the file's column): their lower, upper, min and max are
                indices into these names ({} when every input is a number)
    """
    where: str
    unit: str
    n: int
    k: int
    boxes: pd.DataFrame
    limits: pd.DataFrame
    trajectory: pd.DataFrame
    settings: dict
    levels: dict = field(default_factory=dict)

    def kept(self, box, name):
        """The names of the levels of choice input `name` that box `box` keeps."""
        if name not in self.levels:
            raise ValueError(f"{name} is not a swept choice or switch: a box keeps a range of "
                             f"it (limits lower, upper), not levels")
        return kept_names(self.limits.loc[(box, name), "kept"], self.levels[name])


def _fsync_dir(directory):
    try:
        fd = os.open(directory or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a directory
    finally:
        os.close(fd)


@contextlib.contextmanager
def _replaced_copy(path, suffix=".discovery.partial"):
    """Yields the path of a copy of the file `path` to change; once the block ends the copy is
    fsync'ed and renamed over `path` (and the folder fsync'ed). A failure or a kill inside the
    block leaves `path` as it was, byte for byte (docs/RELIABILITY.md): a failure removes the
    copy, a kill leaves it under `path + suffix`, which the next write replaces. Costs one copy
    of the file (shutil.copyfile: copy_file_range, a reflink where the file system has them)
    and room on the disk for it."""
    path = os.path.realpath(os.fspath(path))  # a symlink's file is replaced, not the link
    tmp = path + suffix
    try:
        shutil.copyfile(path, tmp)
        shutil.copymode(path, tmp)
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.lexists(tmp) and not os.path.isdir(tmp):
            os.remove(tmp)
        raise
    _fsync_dir(os.path.dirname(path))


@contextlib.contextmanager
def _fresh_group(path, name, attrs):
    """Opens the results file `path` (after the schema check) for writing and yields its group
    `name` created anew with `attrs` (an old group of that name is replaced). In place: only for
    a file that is itself being written under a temporary name (write_calibration's
    posterior-predictive file, _replaced_copy's copy)."""
    h5py = _h5py()
    with _open_h5(path):  # the schema check
        pass
    with h5py.File(os.fspath(path), "r+") as f:
        if name in f:
            del f[name]
        g = f.create_group(name)
        for key, value in attrs.items():
            g.attrs[key] = value
        yield g


def _scale(dset, name):
    """Makes `dset` the dimension scale `name` (a netCDF dimension with its coordinate)."""
    dset.make_scale(name)
    return dset


def _on_dims(dset, *scales):
    """Attaches the dimension scales `scales` to the axes of `dset`, in order, so that netCDF
    readers (xarray with h5netcdf) name its dimensions; returns `dset`."""
    for axis, scale in enumerate(scales):
        dset.dims[axis].attach_scale(scale)
    return dset


def write_discovery(path, where, unit, boxes, n, k, settings):
    """Replaces the /discovery group of the results file `path` with PRIM boxes (analysis.prim
    Box objects). Its datasets are on the dimension scales `box` and `input` (the trajectory's on
    `row`), as the engine's groups are, so `xr.open_dataset(path, engine="h5netcdf",
    group="discovery")` (and group="discovery/trajectory") opens it in one call.

    The file is not changed in place: the group is written into a copy, which replaces the file
    when complete (_replaced_copy), so a failure or a kill mid-write leaves the sweep's file as
    it was."""
    with _open_h5(path):  # the schema check, before copying anything
        pass
    with _replaced_copy(path) as tmp:
        _write_discovery_group(tmp, where, unit, boxes, n, k, settings)


def _write_discovery_group(path, where, unit, boxes, n, k, settings):
    h5py = _h5py()
    inputs = list(boxes[0].limits.index) if boxes else []
    nb, ni = len(boxes), len(inputs)
    attrs = {"method": "prim", "where": where, "unit": unit, "n_points": np.int64(n),
             "n_true": np.int64(k), **settings}
    with _fresh_group(path, DISCOVERY, attrs) as g:
        box = _scale(g.create_dataset("box", data=np.arange(1, nb + 1, dtype=np.int32)), "box")
        inp = _scale(g.create_dataset("input", data=np.array(inputs, dtype=object),
                                      dtype=h5py.string_dtype()), "input")
        for col in ("lower", "upper", "min", "max", "p_value"):
            _on_dims(g.create_dataset(col, data=np.array(
                [b.limits[col].to_numpy(float) for b in boxes]).reshape(nb, ni)), box, inp)
        _on_dims(g.create_dataset("kept", data=np.array(
            [b.limits["kept"].to_numpy(np.int64) for b in boxes], dtype=np.int64)
            .reshape(nb, ni)), box, inp)
        _on_dims(g.create_dataset("restricted", data=np.array(
            [b.limits["restricted"].to_numpy(np.int8) for b in boxes], dtype=np.int8)
            .reshape(nb, ni)), box, inp)
        for col in ("coverage", "density", "mass", "coverage_total", "base_density"):
            _on_dims(g.create_dataset(col, data=np.array([getattr(b, col) for b in boxes],
                                                         dtype=float)), box)
        for col in ("n", "k"):
            _on_dims(g.create_dataset(col, data=np.array([getattr(b, col) for b in boxes],
                                                         dtype=np.int64)), box)
        traj = pd.concat([b.trajectory.assign(box=i + 1) for i, b in enumerate(boxes)],
                         ignore_index=True) if boxes else pd.DataFrame(
            columns=["box", "step", "coverage", "density", "mass", "n", "n_restricted", "chosen"])
        t = g.create_group("trajectory")
        row = _scale(t.create_dataset("row", data=np.arange(len(traj), dtype=np.int64)), "row")
        for col in ("box", "step", "n", "n_restricted"):
            _on_dims(t.create_dataset(col, data=traj[col].to_numpy(np.int64)), row)
        for col in ("coverage", "density", "mass"):
            _on_dims(t.create_dataset(col, data=traj[col].to_numpy(float)), row)
        _on_dims(t.create_dataset("chosen", data=traj["chosen"].to_numpy(bool).astype(np.int8)),
                 row)


def discovery_condition(source):
    """The condition (`where`) of the file's /discovery group: None when it has none, '' when
    the group says none. Cheap: reads one attribute (what a writer says it replaces)."""
    with _open_h5(_source(source)) as f:
        if DISCOVERY not in f:
            return None
        return _text(_attr(f[DISCOVERY], "where", ""))


def discovery(source):
    """The /discovery group of a results file as a Discovery, or None when it has none."""
    path = _source(source)
    with _open_h5(path) as f:
        if DISCOVERY not in f:
            return None
        g = f[DISCOVERY]
        inputs = _strings(g["input"])
        boxes = pd.DataFrame({c: g[c][()] for c in ("coverage", "density", "mass", "n", "k",
                                                    "coverage_total", "base_density")},
                             index=pd.Index(g["box"][()], name="box"))
        levels = {}  # a swept choice: the box's limits index its column's levels
        for name in inputs:
            column = f.get(name) if "." in name else None
            if column is not None and isinstance(column, _h5py().Dataset):
                found = _levels_of(name, _clean_attrs(column.attrs), path)
                if found is not None:
                    levels[name] = found
        rows = []
        for b, box in enumerate(boxes.index):
            for i, name in enumerate(inputs):
                row = {"box": box, "input": name,
                       **{c: g[c][b, i] for c in ("lower", "upper", "min", "max")}}
                if "kept" in g:
                    row["kept"] = int(g["kept"][b, i])
                elif name in levels:  # written before `kept`: a box kept a run of levels
                    run = level_range(levels[name], row["lower"], row["upper"])
                    row["kept"] = kept_mask(levels[name].index(v) for v in run)
                else:
                    row["kept"] = 0
                rows.append({**row, "restricted": bool(g["restricted"][b, i]),
                             "p_value": g["p_value"][b, i]})
        limits = pd.DataFrame(rows).set_index(["box", "input"]) if rows else pd.DataFrame()
        t = g["trajectory"]
        traj = pd.DataFrame({c: t[c][()] for c in t.keys() if c != "row"})  # row: its index
        traj["chosen"] = traj["chosen"].astype(bool)
        gattrs = _raw_attrs(g)
        settings = {k: gattrs[k] for k in ("alpha", "min_mass") if k in gattrs}
        return Discovery(where=_text(gattrs["where"]), unit=_text(gattrs["unit"]),
                         n=int(gattrs["n_points"]), k=int(gattrs["n_true"]), boxes=boxes,
                         limits=limits, trajectory=traj, settings=settings, levels=levels)


# ---- calibration (/calibration, written by analysis.calibrate) ----------------------------------

CALIBRATION = "calibration"


@dataclass
class Calibration:
    """The posterior of an ABC-SMC calibration (`orgsim calibrate`; docs/CALIBRATION.md), from a
    file's /calibration group (docs/HDF5_LAYOUT.md).

    parameters:  the calibrated parameters' dotted keys
    priors:      one row per parameter: type ("uniform" | "log_uniform"), min, max
    targets:     one row per target: observed, scale (the distance's divisor), output, arm,
                 statistic (and threshold / q, tolerance when given)
    generations: one row per generation: tolerance, acceptance, simulations, ess, elapsed
    particles:   array (generation, particle, parameter); weights, distances (generation, particle);
                 statistics (generation, particle, target): the accepted particles' statistics
    predictive:  DataFrame (draw x target): statistics simulated at posterior draws
    spec:        the calibration file's JSON text; attrs: the group's other attributes
    """
    parameters: list
    priors: pd.DataFrame
    targets: pd.DataFrame
    generations: pd.DataFrame
    particles: np.ndarray
    weights: np.ndarray
    distances: np.ndarray
    statistics: np.ndarray
    predictive: pd.DataFrame
    spec: str
    attrs: dict

    def posterior(self, generation=-1):
        """The particles of a generation (default the last) as a DataFrame with a `weight`
        column (normalised)."""
        frame = pd.DataFrame(self.particles[generation], columns=self.parameters)
        w = self.weights[generation]
        frame["weight"] = w / w.sum()
        return frame

    def quantiles(self, name, qs=(0.05, 0.5, 0.95), generation=-1):
        """Weighted quantiles of one parameter's marginal posterior."""
        x = self.particles[generation][:, self.parameters.index(name)]
        w = self.weights[generation]
        order = np.argsort(x)
        cw = np.cumsum(w[order])
        cw = (cw - 0.5 * w[order]) / cw[-1]
        return np.interp(qs, cw, x[order])

    def mean(self, generation=-1):
        return pd.Series(np.average(self.particles[generation], axis=0,
                                    weights=self.weights[generation]), index=self.parameters)


def write_calibration(path, spec, state, predictive, draws, command=""):
    """Adds the /calibration group (docs/HDF5_LAYOUT.md) to the results file `path`: the
    finished generations of an analysis.calibrate state, the CAL spec (analysis.calibrate
    parse_spec), the posterior-predictive statistics (draw x target), the drawn particles and
    the `orgsim calibrate` command line that made it."""
    import json as _json
    h5py = _h5py()
    with _open_h5(path):  # the schema check
        pass
    gens = state["generations"]
    names = [p["key"] for p in spec["priors"]]
    tnames = [t["name"] for t in spec["targets"]]
    sdt = h5py.string_dtype()
    attrs = {"method": "abc-smc", "name": spec["name"], "spec_json": spec["text"],
             "description": spec.get("description", "") or "",
             # as the CAL file gives it (relative to the CAL file), and as resolved
             "scenario": spec.get("scenario_as_written") or spec["scenario"],
             "scenario_path": os.path.abspath(spec["scenario"]),
             "cal_file": os.path.abspath(spec["file"]) if spec.get("file") else "",
             "command_line": command or "",
             "max_generations": spec["generations"],
             "priors_json": _json.dumps(spec["priors"]),
             "targets_json": _json.dumps(spec["targets"]),
             "distance": "weighted euclidean, scaled by " + (
                 "each target's tolerance" if spec["distance"]["scale"] == "tolerance"
                 else "the prior-predictive MAD of each statistic"),
             **{key: spec[key] for key in ("particles", "replicates", "seed", "quantile",
                                           "min_acceptance")},
             "common_random_numbers": np.int8(spec["common_random_numbers"]),
             "stop_reason": state["stop_reason"]}
    with _fresh_group(path, CALIBRATION, attrs) as g:
        g.create_dataset("parameter", data=np.array(names, dtype=object), dtype=sdt)
        g.create_dataset("prior_type", data=np.array([p["type"] for p in spec["priors"]],
                                                     dtype=object), dtype=sdt)
        g.create_dataset("prior_min", data=np.array([p["min"] for p in spec["priors"]]))
        g.create_dataset("prior_max", data=np.array([p["max"] for p in spec["priors"]]))
        g.create_dataset("target", data=np.array(tnames, dtype=object), dtype=sdt)
        g.create_dataset("observed", data=np.array([t["observed"] for t in spec["targets"]]))
        g.create_dataset("scale", data=np.array(state["scale"], float))
        g.create_dataset("generation", data=np.arange(len(gens), dtype=np.int32))
        for col in ("tolerance", "acceptance", "ess", "elapsed"):
            g.create_dataset(col, data=np.array([gen[col] for gen in gens], float))
        g.create_dataset("simulations", data=np.array([gen["simulations"] for gen in gens],
                                                      np.int64))
        g.create_dataset("particles", data=np.array([gen["params"] for gen in gens], float))
        g.create_dataset("weights", data=np.array([gen["weights"] for gen in gens], float))
        g.create_dataset("distances", data=np.array([gen["distances"] for gen in gens], float))
        g.create_dataset("statistics", data=np.array([gen["stats"] for gen in gens], float))
        g.create_dataset("predictive", data=np.asarray(predictive, float))
        g.create_dataset("predictive_particle", data=np.asarray(draws, np.int64))


def has_calibration(source):
    """Whether the results file holds a /calibration group (an `orgsim calibrate` file)."""
    with _open_h5(_source(source)) as f:
        return CALIBRATION in f


def calibration(source):
    """The /calibration group of a results file as a Calibration. A results file without one
    (any file but `orgsim calibrate`'s) is a ResultsFileError naming the file and what it is;
    has_calibration(source) asks first."""
    import json as _json
    path = _source(source)
    with _open_h5(path) as f:
        if CALIBRATION not in f:
            label = path.name if isinstance(path, FileImage) else path
            kind = _text(f.attrs.get("kind", "")) or "results"
            raise ResultsFileError(
                f"'{label}': expected a calibration's results file (written by orgsim "
                f"calibrate, with a /calibration group), found a {kind} file without "
                f"/calibration (load.has_calibration asks first)")
        g = f[CALIBRATION]
        params = _strings(g["parameter"])
        tnames = _strings(g["target"])
        priors = pd.DataFrame({"type": _strings(g["prior_type"]),
                               "min": g["prior_min"][()], "max": g["prior_max"][()]},
                              index=pd.Index(params, name="parameter"))
        gattrs = _raw_attrs(g)
        tspec = pd.DataFrame(_json.loads(_text(gattrs["targets_json"])))
        tspec.index = pd.Index(tnames, name="target")
        tspec = tspec.drop(columns=["name"], errors="ignore")
        tspec["observed"] = g["observed"][()]
        tspec["scale"] = g["scale"][()]
        gens = pd.DataFrame({c: g[c][()] for c in ("tolerance", "acceptance", "simulations",
                                                   "ess", "elapsed")},
                            index=pd.Index(g["generation"][()], name="generation"))
        pred = pd.DataFrame(g["predictive"][()], columns=tnames)
        pred.index.name = "draw"
        attrs = {k: (_text(v) if isinstance(v, (bytes, str)) else v) for k, v in gattrs.items()
                 if k not in ("spec_json",)}
        return Calibration(parameters=params, priors=priors, targets=tspec, generations=gens,
                           particles=g["particles"][()], weights=g["weights"][()],
                           distances=g["distances"][()], statistics=g["statistics"][()],
                           predictive=pred, spec=_text(gattrs["spec_json"]), attrs=attrs)
