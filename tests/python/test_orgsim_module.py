"""`import orgsim` (python/orgsim, docs/PYTHON.md): the in-memory Dataset equals what
analysis.load gives for the CLI's file (every variable, coordinate and attribute but the
provenance and timing ones), input errors carry file / path / expected / found, the GIL is
released while the engine runs, threads do not change results, model() gives the outcomes and
paired arm differences the CLI's file gives."""
import json
import os
import re
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from conftest import REPO

BUILD_PY = REPO / "build" / "python"
if BUILD_PY.is_dir() and str(BUILD_PY) not in sys.path:
    sys.path.insert(0, str(BUILD_PY))
orgsim = pytest.importorskip("orgsim", reason="the Python module is not built "
                                               "(cmake --build build --target _orgsim)")
from analysis import load  # noqa: E402

# Attributes that record when, where and how a file was made, not what is in it.
PROVENANCE_ATTRS = {"created_utc", "host", "study_id", "command_line", "source_path",
                    "git_commit", "git_dirty"}  # the last two: of the build (read at every build)
TIMING_VARS = {"wall_seconds"}  # the run's own wall time: compared by dims and attrs only
DEFAULT = str(REPO / "scenarios" / "default.json")


def _cli(binary, tmp_path, *args, name="cli.h5"):
    out = tmp_path / name
    subprocess.run([str(binary), *args, "-o", str(out), "-q"], check=True, capture_output=True)
    return load.open_results(out)


def _same(a, b):
    """Every variable (coordinates too), its dims, values and attrs; the root attrs."""
    assert set(a.variables) == set(b.variables)
    assert dict(a.sizes) == dict(b.sizes)
    for name in a.variables:
        va, vb = a[name], b[name]
        assert va.dims == vb.dims, name
        x, y = np.asarray(va.values), np.asarray(vb.values)
        assert x.dtype == y.dtype, name
        if name in TIMING_VARS:
            assert x.shape == y.shape
        elif x.dtype.kind == "f":
            assert np.array_equal(x, y, equal_nan=True), name
        else:
            assert (x == y).all(), name
        assert set(va.attrs) == set(vb.attrs), name
        for k in va.attrs:
            assert np.array_equal(np.asarray(va.attrs[k]), np.asarray(vb.attrs[k])), (name, k)
    ka = set(a.attrs) - PROVENANCE_ATTRS
    assert ka == set(b.attrs) - PROVENANCE_ATTRS
    for k in ka:
        assert np.array_equal(np.asarray(a.attrs[k]), np.asarray(b.attrs[k])), k


def test_run_equals_the_cli_file(orgsim_binary, tmp_path):
    cli = _cli(orgsim_binary, tmp_path, "run", DEFAULT, "--replicates", "3", "--seed", "5",
               "--set", "environment.turnover=0.01")
    py = orgsim.run(DEFAULT, replicates=3, seed=5, set={"environment.turnover": 0.01})
    _same(py, cli)
    assert py.attrs["source_path"].startswith("<in memory")
    # the other tables read from the in-memory file too
    assert load.win_events(py).equals(load.win_events(cli))
    assert load.durability(py).arms.equals(load.durability(cli).arms)
    assert load.provenance(py).resolved_params == load.provenance(cli).resolved_params


def test_a_dict_scenario_is_the_same_scenario(tmp_path):
    doc = json.loads(open(DEFAULT).read())
    doc["replicates"] = 2
    a = orgsim.run(doc, steps=30)
    b = orgsim.run(DEFAULT, replicates=2, steps=30)
    for name in load.outcome_names(a) + load.per_step_names(a):
        assert np.array_equal(a[name].values, b[name].values, equal_nan=True), name


def test_threads_do_not_change_results():
    a = orgsim.run(DEFAULT, replicates=3, steps=40, threads=1)
    b = orgsim.run(DEFAULT, replicates=3, steps=40, threads=2)
    for name in load.outcome_names(a):
        assert np.array_equal(a[name].values, b[name].values, equal_nan=True), name


def test_input_errors_carry_file_path_expected_found(tmp_path):
    with pytest.raises(orgsim.InputError) as err:
        orgsim.run(DEFAULT, set={"population.size": -5})
    e = err.value
    assert e.path == "population.size" and e.found and e.expected
    assert isinstance(e, ValueError)
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "bad", "network": {"type": "nosuch"}}')
    with pytest.raises(orgsim.InputError) as err:
        orgsim.run(str(bad))
    assert err.value.file == str(bad) and err.value.path == "network.type"
    assert "nosuch" in err.value.found
    with pytest.raises(orgsim.InputError) as err:
        orgsim.run({"name": "d", "population": {"size": "many"}})
    assert err.value.file.startswith("<scenario dict") and err.value.path == "population.size"


def test_the_gil_is_released_while_running():
    ticks = 0
    done = threading.Event()

    def work():
        orgsim.run(DEFAULT, replicates=2, threads=1)
        done.set()

    t = threading.Thread(target=work)
    start = time.perf_counter()
    t.start()
    while not done.is_set():
        ticks += 1  # pure Python: advances only while the engine does not hold the GIL
        time.sleep(0)
    t.join()
    elapsed = time.perf_counter() - start
    assert elapsed > 0.05
    # An engine holding the GIL would leave this loop no turn at all until it returned (C++ code
    # never yields it on its own): a handful of ticks at the start and end. Released, the loop
    # runs throughout; how fast depends on the machine's load (about 1,000 in 0.2 s on 2 busy
    # cores, 10^5 on an idle one), so the bar is set far below that and far above "held".
    assert ticks > 100, f"{ticks} ticks in {elapsed:.2f} s: the GIL was held"


def test_params_is_the_parameter_table(orgsim_binary, tmp_path):
    table = orgsim.params()
    ds = _cli(orgsim_binary, tmp_path, "run", DEFAULT, "--replicates", "1", "--steps", "2")
    stored = load.provenance(ds).parameter_table
    assert list(table.index) == list(stored.index)
    assert table.equals(stored)
    assert "environment.turnover" in table.index and "meaning" in table.columns


def test_outputs_is_the_dictionary_with_its_descriptions(orgsim_binary, tmp_path):
    """orgsim.outputs() gives every output's label and description as a results file has them
    (the one dictionary, sim/io/outputs.cpp)."""
    table = orgsim.outputs()
    assert {"scope", "units", "long_name", "description"} <= set(table.columns)
    ds = _cli(orgsim_binary, tmp_path, "run", DEFAULT, "--replicates", "1", "--steps", "2")
    assert set(table.index) <= set(ds.variables)
    assert len(table) > 50
    for name, row in table.iterrows():
        attrs = ds[name].attrs
        assert row["description"] and row["description"] == attrs["description"], name
        assert (row["long_name"], row["units"]) == (attrs["long_name"], attrs["units"]), name


def test_run_outcomes_are_the_datasets_values():
    fast = orgsim._api.run_outcomes(DEFAULT, replicates=2, steps=30, seed=4)
    ds = orgsim.run(DEFAULT, replicates=2, steps=30, seed=4)
    assert fast["arm_names"] == load.arm_names(ds)
    assert (fast["arm_code"] == load.arm_codes(ds)).all()
    assert (fast["replicate"] == ds["replicate"].values).all()
    assert set(load.outcome_names(ds)) <= set(fast)
    for name in load.outcome_names(ds):
        assert np.array_equal(fast[name], ds[name].values.astype(float), equal_nan=True), name


def test_model_gives_the_outcomes_of_the_cli_file(orgsim_binary, tmp_path):
    f = orgsim.model(DEFAULT, ["win_weeks:relationship_first-big_messaging",
                               "wins:big_messaging", "organized_base_end:relationship_first"],
                     replicates=3)
    got = f(**{"environment.turnover": 0.01})
    ds = _cli(orgsim_binary, tmp_path, "run", DEFAULT, "--replicates", "3", "--set",
              "environment.turnover=0.01")
    runs = load.runs_table(ds)
    rf = runs[runs["arm"] == "relationship_first"].sort_values("replicate")
    bm = runs[runs["arm"] == "big_messaging"].sort_values("replicate")
    diff = rf["win_weeks"].to_numpy() - bm["win_weeks"].to_numpy()
    assert got["win_weeks:relationship_first-big_messaging"] == pytest.approx(diff.mean())
    assert got["wins:big_messaging"] == pytest.approx(bm["wins"].mean())
    assert got["organized_base_end:relationship_first"] == pytest.approx(
        rf["organized_base_end"].mean())
    # a parameter changes the answer; the same parameters give the same answer
    assert f(**{"environment.turnover": 0.01}) == got
    with pytest.raises(ValueError, match="not a per-run output"):
        orgsim.model(DEFAULT, ["nosuch:big_messaging"])
    with pytest.raises(ValueError, match="2 arms"):
        orgsim.model(DEFAULT, ["wins"])
    with pytest.raises(ValueError, match="neither an arm"):
        orgsim.model(DEFAULT, ["wins:a-b"])


def test_the_documented_model_example_gives_what_the_doc_prints(monkeypatch):
    """docs/PYTHON.md's "A scenario as a function" example, run as written: the values its
    comment shows are the ones it gives (to the digits shown). A model change that moves them
    fails here, so the doc is updated with it."""
    import ast
    import re
    doc = (REPO / "docs/PYTHON.md").read_text()
    block = doc.split("## A scenario as a function", 1)[1].split("```python", 1)[1]
    block = block.split("```", 1)[0]
    code = "\n".join(line for line in block.splitlines() if not line.startswith("#"))
    shown = re.search(r"^# (\{.*\})$", block, re.M).group(1).replace(", ...}", "}")
    expected = ast.literal_eval(shown)
    monkeypatch.chdir(REPO)
    namespace = {"orgsim": orgsim}
    *setup, call = [line for line in code.strip().split("\n\n")[0].splitlines()]
    exec("\n".join(setup), namespace)
    got = eval(call, namespace)
    assert expected, "the comment shows some values"
    for key, value in expected.items():
        digits = len(repr(value).split(".")[1]) if "." in repr(value) else 0
        assert round(got[key], digits) == value, (key, got[key])


def _small_sweep():
    spec = json.loads((REPO / "scenarios/sweeps/hours_vs_turnover.json").read_text())
    spec["replicates"] = 1
    spec["scenario"] = str(REPO / "scenarios/default.json")
    spec["design"]["parameters"]["campaign.hours_per_step"]["num"] = 2
    spec["design"]["parameters"]["environment.turnover"] = [0.0, 0.02]
    return spec


def test_sweep_equals_the_cli_file(orgsim_binary, tmp_path):
    spec = _small_sweep()
    path = tmp_path / "s.json"
    path.write_text(json.dumps(spec))
    cli = _cli(orgsim_binary, tmp_path, "sweep", str(path))
    _same(orgsim.sweep(str(path), threads=2), cli)
    _same(orgsim.sweep(spec), cli)
    out = tmp_path / "streamed.h5"
    _same(orgsim.sweep(str(path), out=out), cli)
    assert out.is_file() and not (tmp_path / "streamed.h5.parts").exists()
    assert load.design(cli).equals(load.design(out))


@pytest.mark.parametrize("name", ["default", "sweep_grid", "centola"])
def test_fast_reader_equals_the_h5netcdf_reader(orgsim_files, name):
    """open_results assembles the Dataset from h5py reads; xarray's own h5netcdf reader (the
    lazy path) must give the same variables, order, dims, values and attrs."""
    import xarray as xr
    path = orgsim_files(name)
    fast = load.open_results(path)
    slow = load._open_with_xarray(xr, path, lazy=False)
    _same(fast, slow)
    assert list(fast.variables) == list(slow.variables)
    assert list(fast.coords) == list(slow.coords)
    assert list(load.runs_table(fast).columns) == list(load.runs_table(slow).columns)


def test_keeping_freed_memory_changes_no_result():
    # A fresh interpreter, so the allocator setting cannot leak into the other tests: runs before
    # and after keep_freed_memory() give the same values.
    code = (
        "import json, numpy as np, orgsim\n"
        "kw = dict(replicates=3, steps=12, set={'population.size': 300})\n"
        "def values():\n"
        "    r = orgsim._api.run_outcomes('scenarios/default.json', **kw)\n"
        "    return {k: np.asarray(v).tolist() for k, v in r.items()}\n"
        "a = values()\n"
        "orgsim.keep_freed_memory()\n"
        "print(json.dumps(a))\n"
        "print(json.dumps(values()))\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env,
                         capture_output=True, text=True, check=True).stdout
    a, b = out.splitlines()
    assert len(json.loads(a)["replicate"]) >= 3  # 3 replicates of every arm
    assert a == b  # as text, so NaN values compare too


def _streamed_sweep_started(tmp_path, script):
    """A sweep file of 8,000 short runs (20 points x 2 arms x 200 replicates, a part every 1,024)
    and a Python process running `script` (formatted with `path` and `out`) on it, returned once
    its first part is written: (spec, path, out, parts, proc)."""
    spec = json.loads((REPO / "scenarios/sweeps/hours_vs_turnover.json").read_text())
    spec["scenario"] = {"extends": str(REPO / "scenarios/default.json"), "steps": 20}
    spec["replicates"] = 200
    path = tmp_path / "s.json"
    path.write_text(json.dumps(spec))
    out = tmp_path / "s.h5"
    parts = tmp_path / "s.h5.parts"
    proc = subprocess.Popen(["/usr/bin/python3", "-c", script.format(path=str(path), out=str(out))],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(BUILD_PY)})
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if list(parts.glob("part-*.h5")):
            break
        time.sleep(0.01)
    return spec, path, out, parts, proc


def test_an_interrupted_streamed_sweep_resumes_with_the_keyword(tmp_path):
    """A sweep into `out` killed with parts written (one every 1,024 runs) is continued by
    orgsim.sweep(..., resume=True), to the values an uninterrupted sweep gives; without it the
    parts in the way are an InputError naming the keyword, not a bare ValueError pointing at a
    command-line option."""
    import signal
    spec, path, out, parts, proc = _streamed_sweep_started(
        tmp_path, "import orgsim; orgsim.sweep({path!r}, out={out!r}, threads=2)")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the sweep ended before it could be killed"
    assert not out.exists() and list(parts.glob("part-*.h5"))
    with pytest.raises(orgsim.InputError) as err:
        orgsim.sweep(str(path), out=out, threads=2)
    e = err.value
    assert (e.file, e.path, e.found) == ("keyword argument", "resume", "False")
    assert "resume=True" in str(e) and str(parts) in str(e)
    resumed = orgsim.sweep(str(path), out=out, threads=2, resume=True)
    whole = orgsim.sweep(spec, threads=2)
    assert resumed.sizes["run"] == whole.sizes["run"] == 8000
    for name in ("win_weeks", "wins", "organized_base_end"):
        assert np.array_equal(resumed[name].values, whole[name].values, equal_nan=True), name
    assert not parts.exists()
    with pytest.raises(orgsim.InputError) as err:
        orgsim.sweep(spec, resume=True)  # in memory: nothing to resume
    assert err.value.path == "resume" and "out=" in str(err.value)


def test_parts_of_another_build_name_the_keyword_and_the_error_kinds_are_their_own(tmp_path):
    """Parts written by a build of another git commit are refused in Python's words
    (allow_commit_change=True, not --allow-commit-change), from the engine's own error kind
    (_orgsim.CommitChangeError, a ValueError); with the keyword the sweep finishes with a
    warning. The engine's refusals are typed, so the wrapper reads no message text."""
    import signal
    import warnings
    import h5py
    assert issubclass(orgsim._orgsim.PartsExistError, ValueError)
    assert issubclass(orgsim._orgsim.CommitChangeError, ValueError)
    spec, path, out, parts, proc = _streamed_sweep_started(
        tmp_path, "import orgsim; orgsim.sweep({path!r}, out={out!r}, threads=2)")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the sweep ended before it could be killed"
    first = sorted(parts.glob("part-*.h5"))[0]
    with h5py.File(first, "r+") as f:
        f.attrs["git_commit"] = "0123456789ab"
    with pytest.raises(ValueError) as err:
        orgsim.sweep(str(path), out=out, threads=2, resume=True)
    assert "allow_commit_change=True" in str(err.value)
    assert "--allow-commit-change" not in str(err.value)
    assert not out.exists()
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        done = orgsim.sweep(str(path), out=out, threads=2, resume=True, allow_commit_change=True)
    assert done.sizes["run"] == 8000


def test_errors_in_keyword_arguments_name_the_keyword():
    with pytest.raises(orgsim.InputError) as err:
        orgsim.run(DEFAULT, replicates=-1)
    e = err.value
    assert (e.file, e.path, e.found) == ("keyword argument", "replicates", "-1")
    assert str(e).startswith("keyword argument: replicates: expected an integer")
    with pytest.raises(orgsim.InputError) as err:
        orgsim.run(DEFAULT, steps=0)
    assert (err.value.file, err.value.path) == ("keyword argument", "steps")
    with pytest.raises(orgsim.InputError) as err:
        orgsim.model(DEFAULT, ["wins:big_messaging"], replicates=0)
    assert (err.value.file, err.value.path) == ("keyword argument", "replicates")
    with pytest.raises(orgsim.InputError) as err:
        orgsim.run(DEFAULT, set={"population.size": -5})
    assert (err.value.file, err.value.path) == ("keyword argument set", "population.size")


def _python_block(doc, heading):
    rest = doc.split(heading, 1)[1]
    return re.search(r"```python\n(.*?)```", rest, re.S).group(1)


def test_the_documented_running_block_works_as_a_script_outside_the_tree(tmp_path):
    """docs/PYTHON.md's "Running" block, saved as a script in another folder and run with
    Debian's python3 and PYTHONPATH=build/python only (no repository root on sys.path): `from
    analysis import load` and every line runs (the dict line with `...` and the big.json lines
    are placeholders and left out)."""
    doc = (REPO / "docs/PYTHON.md").read_text()
    block = _python_block(doc, "## Running")
    lines = [line for line in block.splitlines()
             if "..." not in line and "big.json" not in line]
    code = "\n".join(lines).replace("replicates=50", "replicates=4")
    assert "from analysis import load" in code and "groupby" in code
    script = tmp_path / "py1.py"
    script.write_text(code + "\nprint('ok')\n")
    env = {**os.environ, "PYTHONPATH": str(BUILD_PY)}
    for cwd in (REPO, tmp_path):  # the scenario paths are the repository's, so from its root,
        if cwd == tmp_path:       # and from elsewhere with the paths made absolute
            script.write_text(code.replace('"scenarios/', f'"{REPO}/scenarios/') + "\nprint('ok')\n")
        done = subprocess.run(["/usr/bin/python3", str(script)], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip().endswith("ok")


def test_the_documented_salib_block_imports_what_it_uses():
    """The SALib example (not runnable here: SALib is not a Debian package) uses no name it
    neither imports nor defines, but `f` (made by the model example above it)."""
    import ast
    doc = (REPO / "docs/PYTHON.md").read_text()
    block = _python_block(doc, "With SALib")
    tree = ast.parse(block)
    bound = {"f"} | {a.asname or a.name.split(".")[0] for n in ast.walk(tree)
                     if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
    names = [n for n in ast.walk(tree) if isinstance(n, ast.Name)]
    bound |= {n.id for n in names if isinstance(n.ctx, ast.Store)}  # assignments, loop names
    used = {n.id for n in names if isinstance(n.ctx, ast.Load)}
    import builtins
    assert used - bound - set(dir(builtins)) == set()


def test_a_file_of_the_other_kind_is_named_as_such():
    """orgsim.sweep given a scenario file, and orgsim.run given a sweep file, say which command
    takes the file, as the CLI does (the hint is the engine's, not the CLI's)."""
    with pytest.raises(orgsim.InputError) as err:
        orgsim.sweep(DEFAULT)
    assert "looks like a scenario file" in err.value.hint and "orgsim.run" in err.value.hint
    sweep_file = str(REPO / "scenarios" / "sweeps" / "hours_vs_turnover.json")
    with pytest.raises(orgsim.InputError) as err:
        orgsim.run(sweep_file)
    assert "looks like a sweep file" in err.value.hint and "orgsim.sweep" in err.value.hint


def test_a_key_given_both_in_set_and_as_a_keyword_is_refused_in_python_words():
    with pytest.raises(orgsim.InputError) as err:
        orgsim.run(DEFAULT, set={"replicates": 5}, replicates=3)
    assert err.value.file == "keyword argument set" and err.value.path == "replicates"
    assert "--replicates" not in err.value.hint and "replicates=..." in err.value.hint


def test_ctrl_c_stops_a_streamed_sweep_keeping_its_parts_for_resume(tmp_path):
    """Ctrl-C during orgsim.sweep(..., out=...) raises KeyboardInterrupt between runs (before, the
    engine ran on to the end, deaf to it), keeps the finished parts, removes the final file's
    .partial and says how to continue; resume=True then finishes the sweep."""
    import signal
    _, path, out, parts, proc = _streamed_sweep_started(
        tmp_path, "import sys, orgsim\n"
                  "try:\n"
                  "    orgsim.sweep({path!r}, out={out!r}, threads=2)\n"
                  "except KeyboardInterrupt:\n"
                  "    print('KeyboardInterrupt'); sys.exit(7)\n")
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 7 and "KeyboardInterrupt" in stdout, (proc.returncode, stderr)
    assert "resume=True" in stderr and "runs kept in" in stderr, stderr
    assert not out.exists() and not (tmp_path / "s.h5.partial").exists()
    assert list(parts.glob("part-*.h5"))
    resumed = orgsim.sweep(str(path), out=out, threads=2, resume=True)
    assert resumed.sizes["run"] == 8000 and not parts.exists()
