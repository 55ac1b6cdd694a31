"""analysis.report: `python -m analysis.report FILE [-o OUT]` writes a self-contained one-page HTML
report (no external assets; figures embedded) with the scenario description, the arms, the
summary and generated sentences; rendered in headless Chromium when it is installed.

Run: /usr/bin/python3 -m pytest -q tests/python
"""

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import pytest

pytest.importorskip("h5py")
pytest.importorskip("matplotlib")

from conftest import REPO, text_of  # noqa: E402
from analysis import _interpreter, figures, load, report  # noqa: E402


def run_report(args, env=None, python=None):
    cmd = [python or sys.executable, "-m", "analysis.report"] + [str(a) for a in args]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600,
                          env=env)


def assert_self_contained(page):
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "<script" not in page.lower()
    assert "<link" not in page.lower()
    assert "@import" not in page and "url(" not in page
    images = re.findall(r"""<img[^>]*\ssrc="([^"]+)\"""", page)
    assert images, "figures are embedded"
    for src in images:
        assert src.startswith("data:image/png;base64,")
        png = base64.b64decode(src.split(",", 1)[1])
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    return images


@pytest.fixture(scope="module")
def default_report(orgsim_files, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "default report.html"
    done = run_report([orgsim_files("default"), "-o", out])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)  # prints the output path, nothing else
    return out, out.read_text(encoding="utf-8")


def test_report_is_self_contained_with_five_figures(default_report):
    _, page = default_report
    assert page.startswith("<!DOCTYPE html>")
    assert "<meta charset='utf-8'>" in page
    images = assert_self_contained(page)
    # the handout's key panels, run comparison, the trainer's panels (backfires, cohesion,
    # power against the employer's line, fear), durability, differences between the arms
    assert len(images) == 5
    for key in ["fig-handout", "fig-run", "fig-trainer", "fig-durability", "fig-differences"]:
        assert f"id='{key}'" in page


def test_report_has_description_arms_table_and_sentences(default_report):
    _, page = default_report
    text = text_of(page)
    scenario = json.loads((REPO / "scenarios" / "default.json").read_text(encoding="utf-8"))
    assert scenario["description"] in text
    for label in ["relationship-first", "big messaging"]:
        assert label in text
    assert "relationship_first" in text and "big_messaging" in text  # the names as in the file
    assert "broadcasting to everyone" in text  # the strategy, in words
    # the summary table: outcomes x arms, with intervals and the paired difference
    assert "<table>" in page
    assert "Organized base at the end" in text
    assert "big messaging − relationship-first" in text
    # the generated sentences: what differed, by how much, and how sure we are, in words a
    # trainer uses ("the same 20 workplaces under each arm", not "paired over 20 replicates")
    assert re.search(r"Relationship-first ended with an organized base of \d+% "
                     r"\(95% CI \d+–\d+%\), \d+ points more than big messaging", text)
    assert "compared on the same 20 workplaces under each arm" in text
    assert "paired over" not in text
    assert re.search(r"relationship-first had the bigger organized base in \d+ of the 20 "
                     r"workplaces", text)
    assert "Each arm was run 20 times" in text
    # durability, from the Kaplan-Meier estimate, said as "half of its wins were gone within"
    assert re.search(r"Big messaging won \d+ actions across its runs and \d+ of them were "
                     r"reversed", text)
    # relationship-first's defended wins still carry the background hazard (docs/MODEL.md 7.4)
    assert re.search(r"(none was|\d+ of them (was|were)) reversed", text)
    assert re.search(r"half of its wins were gone within \d+ weeks of being won", text)
    # jargon only with its plain explanation next to it
    for jargon, plain in [("Kaplan–Meier", "count for as long as they were seen"),
                          ("forest plot", None), ("paired difference", None)]:
        for m in re.finditer(re.escape(jargon), text, re.I):
            assert plain and plain in text[max(0, m.start() - 200):m.end() + 50], jargon
    assert "not forecasts" in text


def test_report_numbers_match_the_runs(orgsim_files, default_report):
    _, page = default_report
    runs = load.runs_table(orgsim_files("default"))
    base = runs.groupby("arm", observed=True)["organized_base_end"].mean() * 100
    text = text_of(page)
    m = re.search(r"Relationship-first ended with an organized base of (\d+)%", text)
    assert int(m.group(1)) == round(base["relationship_first"])
    dur = load.durability(orgsim_files("default"))
    wins = int(dur.arms.loc["big_messaging", "wins"])
    assert f"Big messaging won {wins} actions" in text


def test_default_output_is_next_to_the_input(orgsim_files, orgsim_copy):
    path = orgsim_copy(orgsim_files("default"), "study.h5")
    done = run_report([path])
    assert done.returncode == 0, done.stderr
    out = path.with_suffix(".html")
    assert done.stdout.strip() == str(out)
    assert out.is_file()
    assert not out.with_name("study.html.partial").exists()


def test_report_three_arms_and_one_arm(orgsim_files, tmp_path):
    out = report.write_report(orgsim_files("centola"), tmp_path / "centola.html")
    page = open(out, encoding="utf-8").read()
    assert_self_contained(page)
    text = text_of(page)
    for name in ["lattice", "rewired 10%", "random"]:
        assert name in text
    assert "network.rewire = 0.1" in text  # an arm without a description: its overrides
    assert "Random won no action in any run." in text
    # rewiring 10% of ties speeds the cascade: wins stand longer than on the lattice
    assert re.search(r"Rewired 10% held wins for [\d.]+ \(95% CI [\d.]+–[\d.]+\) win-weeks "
                     r"per run, [\d.]+ win-weeks more than lattice", text)
    # the classic base (scenarios/validation/*.json) moves nobody up the ladder: every arm ends
    # with no organized base, so the report has no difference of organized bases to state
    assert "ended with an organized base" not in text

    out = report.write_report(orgsim_files("single"), tmp_path / "single.html")
    page = open(out, encoding="utf-8").read()
    images = assert_self_contained(page)
    assert len(images) == 4  # handout, run, trainer panels, durability: no differences with one arm
    assert "fig-differences" not in page
    text = text_of(page)
    assert "The arm" in text and "baseline" in text
    assert "The scenario was run once (one replicate)." in text
    assert re.search(r"Baseline ended with an organized base of \d+%.* \(one run\)\.", text)
    assert "1 actions" not in text and "won 1 action" in text


def test_report_without_xarray_says_the_same(orgsim_files, default_report, tmp_path):
    out = tmp_path / "fallback.html"
    code = ("import sys; sys.modules['xarray'] = None; sys.modules['h5netcdf'] = None\n"
            "from analysis import report, load\n"
            "assert not load.has_xarray()\n"
            f"sys.exit(report.main([{str(orgsim_files('default'))!r}, '-o', {str(out)!r}]))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr

    def findings(page):
        return re.findall(r"<li>(.*?)</li>", page.split("What happened", 1)[1])

    _, page = default_report
    fb = out.read_text(encoding="utf-8")
    assert findings(fb) == findings(page)
    table = lambda p: re.search(r"<table>.*</table>", p, re.S).group(0)  # noqa: E731
    assert table(fb) == table(page)


def test_report_errors(tmp_path):
    done = run_report([tmp_path / "missing.h5"])
    assert done.returncode == 2
    assert "does not exist" in done.stderr
    bad = tmp_path / "bad.h5"
    bad.write_text("not hdf5")
    done = run_report([bad])
    assert done.returncode == 2 and "not an HDF5 file" in done.stderr


def test_report_never_destroys_its_input_or_a_foreign_file(orgsim_files, tmp_path):
    """-o is refused, exit 2 and nothing written, when it names the results file itself (by
    another path too), a folder, or a file that is not an earlier report (unless --force); an
    earlier report is replaced."""
    results = tmp_path / "d.h5"
    shutil.copyfile(orgsim_files("single"), results)
    before = results.read_bytes()
    for out in (results, tmp_path / "." / "d.h5"):
        done = run_report([results, "-o", out])
        assert done.returncode == 2, done.stderr
        assert "is the results file the report is about" in done.stderr
        assert results.read_bytes() == before
    done = run_report([results, "-o", results, "--force"])  # not even with --force
    assert done.returncode == 2 and results.read_bytes() == before
    folder = tmp_path / "adir"
    folder.mkdir()
    done = run_report([results, "-o", folder])
    assert done.returncode == 2 and "is a folder" in done.stderr and "Traceback" not in done.stderr
    assert list(folder.iterdir()) == [] and not (tmp_path / "adir.partial").exists()
    notes = tmp_path / "notes.html"
    notes.write_text("my notes")
    done = run_report([results, "-o", notes])
    assert done.returncode == 2 and "not an orgsim report" in done.stderr and "--force" in done.stderr
    assert notes.read_text() == "my notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir", "d.h5", "notes.html"]
    done = run_report([results, "-o", notes, "--force"])
    assert done.returncode == 0, done.stderr
    assert "orgsim report</title>" in notes.read_text()
    done = run_report([results, "-o", notes])  # an earlier report: replaced without --force
    assert done.returncode == 0, done.stderr


def test_reexecs_under_debian_python_from_another_interpreter(orgsim_files, tmp_path):
    """`python3 -m analysis.report` from an interpreter without the packages (pyenv, venv)
    re-executes itself under /usr/bin/python3."""
    others = []
    for name in ("python3", "python"):
        found = shutil.which(name)
        if found and os.path.realpath(found) != os.path.realpath(sys.executable):
            others.append(found)
    lacking = None
    for python in others:
        probe = subprocess.run([python, "-c", "import h5py, numpy, pandas, matplotlib"],
                               capture_output=True, timeout=60)
        if probe.returncode != 0:
            lacking = python
            break
    target = os.environ.get("ORGSIM_PYTHON", _interpreter.DEFAULT_PYTHON)
    if lacking is None or not os.access(target, os.X_OK):
        pytest.skip("no interpreter without the analysis packages on PATH")
    out = tmp_path / "reexec.html"
    done = run_report([orgsim_files("single"), "-o", out], python=lacking)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out) and out.is_file()


# ---- headless Chromium ----------------------------------------------------------------------------

def test_report_renders_in_headless_chromium(default_report, tmp_path, orgsim_chromium):
    browser = orgsim_chromium
    plt_image = pytest.importorskip("matplotlib.image")
    path, _ = default_report
    shot = tmp_path / "report.png"
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    try:
        done = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", f"--screenshot={shot}",
             "--window-size=1200,6000", "--hide-scrollbars", path.resolve().as_uri()],
            capture_output=True, text=True, timeout=180)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert shot.is_file() and shot.stat().st_size > 0, done.stderr
    img = plt_image.imread(str(shot))[..., :3]  # floats 0..1
    assert img.shape[0] == 6000 and img.shape[1] == 1200
    # not blank: much of the page is not white, and it has a range of values
    not_white = (img < 0.95).any(axis=2)
    assert not_white.mean() > 0.05, "the screenshot is (almost) blank"
    assert img.std() > 0.1
    # the figures are there: the arms' Okabe-Ito colours cover many pixels
    for hex_colour in figures.ARM_COLORS[:2]:
        rgb = np.array([int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
        close = (np.abs(img - rgb) < 0.06).all(axis=2)
        assert close.sum() > 2000, f"few {hex_colour} pixels: figures not shown?"
    # and the figures sit below the text: the lower half has coloured pixels too
    lower = img[3000:]
    assert (np.abs(lower - np.array([0, 0x72, 0xB2]) / 255) < 0.06).all(axis=2).sum() > 500


def test_report_title_is_the_scenarios_title_else_its_name_in_words(orgsim_files, default_report,
                                                                   tmp_path):
    # default.json has a title in words; centola_macy.json has none, so its name is shown with
    # spaces, its first letter capital ("Centola-macy").
    title = json.loads((REPO / "scenarios" / "default.json").read_text())["title"]
    _, page = default_report
    assert f"<h1>{title}</h1>" in page and f"<title>{title} " in page
    assert load.provenance(orgsim_files("default")).title == title
    out = report.write_report(orgsim_files("centola"), tmp_path / "centola.html")
    page = open(out, encoding="utf-8").read()
    assert "<h1>Centola-macy</h1>" in page


def test_an_arm_named_in_the_plural_owns_with_an_apostrophe():
    # "staff back the coworkers's" was printed for staffer_pushed_ava's third arm
    assert report._poss("staff back the coworkers") == "staff back the coworkers'"
    assert report._poss("big messaging") == "big messaging's"
    assert not re.search(r"s's\b", re.sub(r"\{[^}]*\}", "", open(report.__file__).read()))


def test_a_progress_line_on_a_terminal_only(orgsim_files, tmp_path, monkeypatch, capsys):
    """A report takes seconds: on a terminal stderr says what it is doing and when it is done;
    not with --quiet, and not when stderr is a file or a pipe (scripts, the tests)."""
    import io

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    path = orgsim_files("single")
    term = Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    assert report.main([str(path), "-o", str(tmp_path / "a.html")]) == 0
    text = term.getvalue()
    assert text.startswith(f"orgsim report: reading {path} and drawing its figures ...")
    assert text.rstrip().endswith(" s)") and " done (" in text
    term = Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    assert report.main([str(path), "-o", str(tmp_path / "b.html"), "--quiet"]) == 0
    assert term.getvalue() == ""
    monkeypatch.undo()
    assert report.main([str(path), "-o", str(tmp_path / "c.html")]) == 0
    assert capsys.readouterr().err == ""
