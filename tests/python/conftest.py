"""Shared fixtures for the analysis tests (tests/python/test_analysis*.py).

Results files are written by the engine in the test session: ORGSIM_BINARY, or
<repo>/build/orgsim. Without a binary the tests that need one are skipped with the reason.
Fixture names start with `orgsim_` so they cannot shadow a test module's own fixtures.
"""

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def _binary():
    given = os.environ.get("ORGSIM_BINARY")
    if given:
        return Path(given) if Path(given).is_file() else None
    path = REPO / "build" / "orgsim"
    return path if path.is_file() else None


@pytest.fixture(scope="session")
def orgsim_binary():
    binary = _binary()
    if binary is None:
        pytest.skip("no orgsim binary: build it (cmake --build build --target orgsim) or set "
                    "ORGSIM_BINARY to its path")
    return binary


@pytest.fixture(scope="session")
def orgsim_files(orgsim_binary, tmp_path_factory):
    """Run the engine once per session; returns a function name -> path of the written file.

    default       scenarios/default.json: 2 arms x 20 replicates, 156 weeks, wins and reversals
    centola       scenarios/validation/centola_macy.json, 3 replicates: 3 arms, one without wins
    single        scenarios/validation/granovetter.json: one arm, one run, one step
    sweep_grid    scenarios/sweeps/hours_vs_turnover.json: 4 x 5 grid, 2 arms x 10 replicates
    sweep_sobol   a small Sobol sweep (3 parameters, 8 samples, 2 replicates) of the default
    sweep_morris  a small Morris sweep (2 parameters, 4 trajectories, 2 replicates)
    """
    out = tmp_path_factory.mktemp("engine")
    specs = {
        "default": ["run", "scenarios/default.json"],
        "centola": ["run", "scenarios/validation/centola_macy.json", "--replicates", "3"],
        "single": ["run", "scenarios/validation/granovetter.json"],
        "sweep_grid": ["sweep", "scenarios/sweeps/hours_vs_turnover.json", "--threads", "2"],
        "sweep_sobol": ["sweep", _write_sweep(out, "sobol"), "--threads", "2"],
        "sweep_morris": ["sweep", _write_sweep(out, "morris"), "--threads", "2"],
    }
    cache = {}

    def get(name):
        if name not in cache:
            path = out / f"{name}.h5"
            args = specs[name]
            if args[0] == "sweep":
                probe = subprocess.run([str(orgsim_binary), "sweep", "--help"],
                                       capture_output=True, text=True, timeout=60)
                if probe.returncode != 0:
                    pytest.skip(f"{orgsim_binary} has no `sweep` command")
                if not (REPO / args[1]).is_file():
                    pytest.skip(f"no sweep file {args[1]}")
            cache[name] = _run_engine(orgsim_binary, args[0], args[1], path, args[2:])
        return cache[name]

    return get


def _run_engine(binary, command, source, path, extra=()):
    """`orgsim COMMAND SOURCE -o PATH --quiet EXTRA...` in the repository; asserts it succeeded
    and wrote PATH, which it returns."""
    cmd = [str(binary), command, str(source), "-o", str(path), "--quiet"] + [str(a) for a in extra]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(cmd)} failed:\n{done.stderr}"
    assert Path(path).is_file()
    return Path(path)


@pytest.fixture(scope="session")
def orgsim_run(orgsim_binary, tmp_path_factory):
    """`orgsim_run("year1_isolated", "--replicates", "4")` runs scenarios/<name>.json with the
    extra arguments once per session and returns the written file's path."""
    out = tmp_path_factory.mktemp("runs")
    cache = {}

    def get(scenario, *extra):
        key = (scenario,) + extra
        if key not in cache:
            path = out / f"{scenario.replace('/', '_')}_{len(cache)}.h5"
            cache[key] = _run_engine(orgsim_binary, "run", f"scenarios/{scenario}.json", path,
                                     extra)
        return cache[key]

    return get


def _write_sweep(directory, method):
    """A small sobol or morris sweep of the default scenario, for the tests."""
    params = {"campaign.hours_per_step": {"min": 5, "max": 30},
              "environment.turnover": {"min": 0.0, "max": 0.02}}
    if method == "sobol":
        params["employer.resistance"] = {"min": 0.15, "max": 0.4}
        design = {"type": "sobol", "samples": 8, "parameters": params}
    else:
        design = {"type": "morris", "trajectories": 4, "parameters": params}
    sweep = {"name": f"small-{method}", "description": f"A small {method} study for the tests.",
             "scenario": str(REPO / "scenarios" / "default.json"), "design": design,
             "replicates": 2, "seed": 1, "outputs": ["win_weeks", "organized_base_end"]}
    path = Path(directory) / f"small_{method}.json"
    path.write_text(json.dumps(sweep, indent=1), encoding="utf-8")
    return path


@pytest.fixture()
def orgsim_copy(tmp_path):
    """Copy a results file into the test's tmp dir (to modify it)."""
    def copy(path, name=None):
        target = tmp_path / (name or Path(path).name)
        shutil.copyfile(path, target)
        return target
    return copy


def text_of(page):
    """The visible text of an HTML page (style, tags dropped, entities decoded, white space
    collapsed): what a reader sees, for the report tests."""
    body = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body))


@pytest.fixture(scope="session")
def orgsim_chromium():
    """The path of a headless-capable Chromium, or the test is skipped with the reason."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("chromium is not installed (apt-get install chromium)")
