"""Ctrl-C and SIGTERM on the command line (sim/main.cpp, `interrupt`): a sweep stopped by a signal
keeps its finished parts, leaves no OUT.h5.partial, says how many runs it kept and the command
that continues it, and exits 128 + signal; a run stopped by one writes nothing and says so.
Before, a signal killed the process at once: no message, a stray OUT.h5.partial, exit by signal.

Run: ORGSIM_BINARY=$PWD/build/orgsim /usr/bin/python3 -m pytest -q tests/python/test_cli_signals.py
"""

import json
import os
import re
import signal
import subprocess
import time

import pytest

from conftest import REPO


def _sweep_file(tmp_path, runs_per_point=1):
    """A sweep of many short runs, long enough (tens of seconds) to be interrupted mid-way."""
    doc = {
        "name": "signals",
        "scenario": {"steps": 60, "population": {"size": 400},
                     "network": {"type": "erdos_renyi", "mean_degree": 6}},
        "design": {"type": "grid",
                   "parameters": {"environment.turnover": {"min": 0.0, "max": 0.02, "num": 400}}},
        "replicates": runs_per_point, "seed": 5,
    }
    path = tmp_path / "signals.json"
    path.write_text(json.dumps(doc))
    return path


def _wait_for_part(parts, proc, timeout=120):
    """Waits until a finished part is in `parts` (the sweep still running)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the sweep ended before it could be interrupted"
        if parts.is_dir() and any(p.name.endswith(".h5") for p in parts.iterdir()):
            return
        time.sleep(0.05)
    pytest.fail("no part was written in time")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_sweep_keeps_its_parts_and_says_how_to_continue(orgsim_binary, tmp_path, sig):
    sweep = _sweep_file(tmp_path)
    out = tmp_path / "int.h5"
    args = ["sweep", str(sweep), "-o", str(out), "--part-runs", "8", "--threads", "2", "--quiet"]
    proc = subprocess.Popen([str(orgsim_binary), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    _wait_for_part(out.with_name("int.h5.parts"), proc)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=120)
    name = "SIGINT" if sig == signal.SIGINT else "SIGTERM"
    assert proc.returncode == 128 + sig, stderr
    assert f"orgsim sweep: interrupted ({name}): " in stderr
    m = re.search(r"(\d+) of 400 runs kept in (\S+) \(runs finished since the last part run "
                  r"again\); continue with: (.*)$", stderr, re.M)
    assert m, stderr
    assert int(m.group(1)) >= 8 and m.group(2) == f"{out}.parts"
    assert m.group(3) == "orgsim " + " ".join(args) + " --resume"
    # Nothing under the final name, no stray partial; the finished parts are there.
    assert not out.exists()
    assert not out.with_name("int.h5.partial").exists()
    parts = [p for p in out.with_name("int.h5.parts").iterdir() if p.name.endswith(".h5")]
    assert parts
    # The command it gives continues the sweep to the complete file.
    again = [str(orgsim_binary), *m.group(3).split()[1:]]
    done = subprocess.run(again, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert out.exists() and not out.with_name("int.h5.parts").exists()


def test_a_second_interrupt_stops_at_once_and_leaves_no_partial(orgsim_binary, tmp_path):
    sweep = _sweep_file(tmp_path)
    out = tmp_path / "twice.h5"
    proc = subprocess.Popen([str(orgsim_binary), "sweep", str(sweep), "-o", str(out),
                             "--part-runs", "8", "--threads", "2", "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for_part(out.with_name("twice.h5.parts"), proc)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.01)
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "--resume" in stderr
    assert not out.exists()
    assert not out.with_name("twice.h5.partial").exists()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_run_writes_nothing_and_says_so(orgsim_binary, tmp_path, sig):
    out = tmp_path / "run.h5"
    proc = subprocess.Popen([str(orgsim_binary), "run", str(REPO / "scenarios/default.json"),
                             "-o", str(out), "--replicates", "400", "--threads", "2", "--quiet",
                             # 3,000 people: runs of ~25 ms, ~10 s in all, so that a fast
                             # machine is still running at the signal (300 ended in 1.5 s on CI)
                             "--set", "population.size=3000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 128 + sig, stderr
    assert f"orgsim run: interrupted: nothing written ({out} is written when every run has " \
           "finished); run it again with: orgsim run " in stderr
    assert not out.exists()
    assert not out.with_name("run.h5.partial").exists()
