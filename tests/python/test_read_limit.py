"""The read time limit of analysis.load (the Python side of the engine's h5::ReadDeadline): a
read of strings or attributes from a results file still running after ORGSIM_READ_TIMEOUT
seconds (default 30) ends the process with exit 1 and a message naming the file and what was
being read, since HDF5 1.10 loops for ever on some corrupt files. The watchdog ends the process,
so everything that may trigger it runs in a subprocess.

Run: /usr/bin/python3 -m pytest -q tests/python
"""

import gzip
import os
import subprocess
import sys
import time

import pytest

pytest.importorskip("h5py")

from conftest import REPO  # noqa: E402
from analysis import load  # noqa: E402

HANG = REPO / "fuzz" / "regressions" / "results" / "hdf5_vlen_string_dataset_hang.h5.gz"


def run_python(args, timeout_s, limit="2"):
    env = dict(os.environ, ORGSIM_READ_TIMEOUT=limit, PYTHONPATH=str(REPO))
    start = time.monotonic()
    done = subprocess.run([sys.executable] + [str(a) for a in args], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout_s, env=env)
    return done, time.monotonic() - start


@pytest.fixture(scope="module")
def hang_file(tmp_path_factory):
    """The fuzzer's reproducer: a provenance string whose global-heap reference sends HDF5 1.10
    into a loop of more than 100 s."""
    path = tmp_path_factory.mktemp("hang") / "hang.h5"
    path.write_bytes(gzip.decompress(HANG.read_bytes()))
    return path


@pytest.mark.parametrize("module, extra", [("analysis.report", ["-o", "out.html"]),
                                           ("analysis.discover", ["--where", "wins > 0"])])
def test_a_read_hdf5_loops_on_ends_after_the_limit(hang_file, module, extra):
    out = [str(hang_file.parent / e) if e == "out.html" else e for e in extra]
    done, took = run_python(["-m", module, hang_file] + out, timeout_s=60)
    assert done.returncode == 1, done.stderr
    assert str(hang_file) in done.stderr
    assert "reading /provenance/parameter_table_json took more than 2 s" in done.stderr
    assert "the file is damaged" in done.stderr
    assert "Traceback" not in done.stderr
    assert took < 30


def test_a_healthy_file_is_not_stopped(orgsim_files, tmp_path):
    # Every reader of analysis.load on a sweep file with a limit of 2 s, then a pause past the
    # limit: the watchdog must have let go of every read.
    code = ("import time, sys\n"
            "from analysis import load\n"
            "p = sys.argv[1]\n"
            "load.open_results(p); load.provenance(p); load.runs_table(p)\n"
            "load.win_events(p); load.action_events(p); load.durability(p)\n"
            "load.design(p); load.sensitivity(p)\n"
            "time.sleep(3)\n"
            "print('alive')\n")
    done, _ = run_python(["-c", code, orgsim_files("sweep_sobol")], timeout_s=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "alive"
    out = tmp_path / "report.html"
    done, _ = run_python(["-m", "analysis.report", orgsim_files("single"), "-o", out],
                         timeout_s=300)
    assert done.returncode == 0, done.stderr
    assert out.is_file()


def test_the_watchdog_names_what_outlived_the_limit():
    # Without a damaged file: a "read" that sleeps past a limit of half a second.
    code = ("import time\n"
            "from analysis import load\n"
            "with load._read_limit('the attributes of /arm', 'some.h5'):\n"
            "    time.sleep(20)\n"
            "print('not stopped')\n")
    done, took = run_python(["-c", code], timeout_s=60, limit="0.5")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == ("orgsim: failed: results file 'some.h5': reading the attributes of "
                           "/arm took more than 0.5 s: the file is damaged (HDF5 loops on some "
                           "corrupt files; write it again or restore a copy)\n")
    assert took < 15


@pytest.mark.parametrize("value, limit", [(None, 30.0), ("", 30.0), ("2", 2.0), ("0.25", 0.25),
                                          ("0", 30.0), ("-1", 30.0), ("nan", 30.0),
                                          ("inf", 30.0), ("1e6", 30.0), ("two", 30.0)])
def test_read_timeout_seconds(monkeypatch, value, limit):
    if value is None:
        monkeypatch.delenv("ORGSIM_READ_TIMEOUT", raising=False)
    else:
        monkeypatch.setenv("ORGSIM_READ_TIMEOUT", value)
    assert load.read_timeout_seconds() == limit
