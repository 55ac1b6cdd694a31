"""The trainer's page in a real browser (docs/WEB.md "Tests"), run by tests/run_all.sh's stage
"trainer's page" after tools/build_web.sh:

- tests/web/page_test.js drives build-web/orgsim.html in headless Chromium (file://, network
  refused): panels drawn, the turnover slider, the print view, window.orgsim;
- same engine, same answers: the page's per-step series for the default scenario and two trainer
  scenarios (replicate 0, every arm) equal the native `orgsim run` HDF5 series at float32;
- invalid scenarios reject with the line `orgsim run` prints on stderr;
- the arms' colours on the page (by strategy, or a spare colour for a second arm of one strategy) are the
  report's figures' (analysis.figures.arm_colors on the `orgsim run` file of the same scenario),
  for every shipped scenario and the made-up ones of COLOURS.

Missing pieces (the page, chromium, node, web/node_modules, the orgsim binary) skip the tests
with the reason, except in CI (CI=true), where they fail.
"""

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # analysis/, for the report's arm colours
HTML = Path(os.environ.get("ORGSIM_WEB_HTML", REPO / "build-web" / "orgsim.html"))
SCENARIOS = ["default", "year3_base_clicks", "big_messaging_no_base"]
BAD = {
    "bad_key.json": '{"name": "bad_key", "trust": {"vioce": 0.3}}',
    "bad_range.json": '{"name": "bad_range", "environment": {"turnover": 1.5}}',
    "bad_syntax.json": '{"name": "bad_syntax", "steps": 10,, }',
    "bad_arm.json": '{"name": "bad_arm", "arms": [{"name": "a", "set": {"campaign.strategy": "shout"}}]}',
    "bad_notes.json": '{"name": "bad_notes", "discussion": ["fine", ""]}',
}

# Made-up scenarios for the arms' colours, shown on the page and run natively: arms that share a
# strategy (a spare colour for the second, five arms: more than the page's old four colours), a strategy set by the
# scenario alone, and every strategy at once in an order no shipped scenario has.
COLOURS = {
    "colours_twins": {"name": "colours_twins", "steps": 30, "replicates": 2, "arms": [
        {"name": "rf", "set": {"campaign.strategy": "relationship_first"}},
        {"name": "rf_more_hours", "set": {"campaign.strategy": "relationship_first",
                                          "campaign.hours_per_step": 25}},
        {"name": "big", "set": {"campaign.strategy": "big_messaging"}},
        {"name": "mixed", "set": {"campaign.strategy": "hybrid"}},
        {"name": "issues", "set": {"campaign.strategy": "issue_first"}}]},
    "colours_loud": {"name": "colours_loud", "steps": 30, "replicates": 2,
                     "campaign": {"strategy": "big_messaging"}},
    "colours_every_strategy": {"name": "colours_every_strategy", "steps": 30, "replicates": 2,
                               "arms": [{"name": s, "set": {"campaign.strategy": s}} for s in (
                                   "hybrid", "none", "organizing_only", "big_messaging",
                                   "issue_first", "relationship_first")]},
}


def _missing(what):
    if os.environ.get("CI") == "true" or os.environ.get("ORGSIM_REQUIRE_WEB") == "1":
        pytest.fail(what + " (required in CI)")
    pytest.skip(what)


def _binary():
    b = Path(os.environ.get("ORGSIM_BINARY", REPO / "build" / "orgsim"))
    return b if b.is_file() else None


@pytest.fixture(scope="module")
def page_run(tmp_path_factory):
    if not HTML.is_file():
        _missing(f"{HTML} not built (bash tools/build_web.sh)")
    if not shutil.which("node"):
        _missing("node not found")
    if not (REPO / "web" / "node_modules" / "playwright-core").is_dir():
        _missing("playwright-core not installed (cd web && npm ci)")
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).is_file():
        _missing("chromium not installed (apt-get install chromium)")
    out = tmp_path_factory.mktemp("web")
    bad_dir = out / "bad"
    bad_dir.mkdir()
    cmd = ["node", str(REPO / "tests" / "web" / "page_test.js"), "--html", str(HTML), "--out", str(out)]
    for s in SCENARIOS:
        cmd += ["--scenario", s]
    for name, text in BAD.items():
        (bad_dir / name).write_text(text)
        cmd += ["--bad", str(bad_dir / name)]
    for name, doc in COLOURS.items():
        (out / f"{name}.json").write_text(json.dumps(doc))
        cmd += ["--colours", str(out / f"{name}.json")]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    return {"proc": proc, "out": out, "bad_dir": bad_dir}


def test_page_in_headless_chromium(page_run):
    proc = page_run["proc"]
    print(proc.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_page_series_equal_native_run(page_run, scenario, tmp_path):
    binary = _binary()
    if binary is None:
        _missing("no orgsim binary (build/orgsim or ORGSIM_BINARY)")
    dump = page_run["out"] / f"series_{scenario}.json"
    assert dump.is_file(), page_run["proc"].stdout + page_run["proc"].stderr
    page = json.loads(dump.read_text())
    h5 = tmp_path / f"{scenario}.h5"
    subprocess.run([str(binary), "run", str(REPO / "scenarios" / f"{scenario}.json"), "--replicates", "1",
                    "-o", str(h5), "--threads", "1"], check=True, capture_output=True)
    with h5py.File(h5, "r") as f:
        arms = [a.decode() if isinstance(a, bytes) else a for a in f["arm"].attrs["flag_meanings"].split()] \
            if isinstance(f["arm"].attrs.get("flag_meanings"), (str, bytes)) else None
        assert len(page["arms"]) == f["arm"].shape[0]
        compared = 0
        for a, arm in enumerate(page["arms"]):
            rep = arm["replicates"][0]
            run = a  # run = arm * replicates + replicate, one replicate
            assert int(f["arm"][run]) == a and int(f["replicate"][run]) == 0
            assert str(int(f["seed"][run])) == rep["seed"], "the page used another seed"
            if arms is not None:
                assert arms[a] == arm["name"]
            for name, values in rep["series"].items():
                native = f[name][run, :]
                mine = np.array([np.nan if v == "NaN" else v for v in values], dtype=np.float32)
                assert mine.shape == native.shape, name
                same = (mine == native) | (np.isnan(mine) & np.isnan(native))
                assert same.all(), f"{scenario} arm {arm['name']} {name}: first difference at step " \
                                   f"{int(np.argmin(same))}: page {mine[~same][0]} vs native {native[~same][0]}"
                compared += 1
        assert compared >= 2 * 25


@pytest.mark.parametrize("name", sorted(BAD))
def test_page_rejects_like_the_command_line(page_run, name):
    binary = _binary()
    if binary is None:
        _missing("no orgsim binary (build/orgsim or ORGSIM_BINARY)")
    errors_file = page_run["out"] / "errors.json"
    assert errors_file.is_file(), page_run["proc"].stdout + page_run["proc"].stderr
    page_error = json.loads(errors_file.read_text())[name]
    proc = subprocess.run([str(binary), "run", name, "-o", "x.h5"], cwd=page_run["bad_dir"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    cli_error = proc.stderr.strip().splitlines()[0] if "\n" not in page_error else proc.stderr.strip()
    assert page_error == cli_error


def _colour_scenarios():
    shipped = sorted(p.stem for p in (REPO / "scenarios").glob("*.json"))
    shipped += sorted(p.stem for p in (REPO / "scenarios" / "roster").glob("*.json"))
    return shipped + sorted(COLOURS)


@pytest.mark.parametrize("scenario", _colour_scenarios())
def test_page_arm_colours_are_the_reports(page_run, scenario, tmp_path):
    """The page colours each arm as the report's figures do: by strategy, the same in every
    scenario, or a spare colour for a second arm of one strategy (one palette,
    analysis/arm_colors.json, one rule)."""
    binary = _binary()
    if binary is None:
        _missing("no orgsim binary (build/orgsim or ORGSIM_BINARY)")
    figures = pytest.importorskip("analysis.figures")
    load = pytest.importorskip("analysis.load")
    dump = page_run["out"] / "colours.json"
    assert dump.is_file(), page_run["proc"].stdout + page_run["proc"].stderr
    page = json.loads(dump.read_text())[scenario]
    if scenario in COLOURS:
        source = page_run["out"] / f"{scenario}.json"
    else:
        source = next(p for p in (REPO / "scenarios" / f"{scenario}.json",
                                  REPO / "scenarios" / "roster" / f"{scenario}.json") if p.is_file())
    h5 = tmp_path / f"{scenario}.h5"
    subprocess.run([str(binary), "run", str(source), "--replicates", "1", "--steps", "5",
                    "-o", str(h5), "--threads", "1"], check=True, capture_output=True)
    report = [c.lower() for c in figures.arm_colors(h5)]
    assert [a["heading"] for a in page] == report, f"{scenario}: page {page}, report {report}"
    # the strategies the two read are the same too
    names = load.arm_names(load.open_results(h5))
    assert [a["name"] for a in page] == names
    assert [a["strategy"] for a in page] == figures.arm_strategies(load.provenance(h5), names)
