"""The shipped study "when organizing wins" (scenarios/sweeps/when_organizing_wins.json,
analysis/study.py, docs/WHEN_ORGANIZING_WINS.md).

The sweep file is valid and varies what the study claims to vary; the horizon, read off the
per-step series, is what a shorter run gives (the claim the study rests on); the horizon column is
a Latin hypercube column; and the whole script runs end to end on a tiny version of the sweep,
rewriting only the generated section of a copy of the page and drawing its figures.

Run: ORGSIM_BINARY=$PWD/build/orgsim /usr/bin/python3 -m pytest -q tests/python/test_study.py
"""
import json
import re
import subprocess

import numpy as np

from analysis import load, study

REPO = study.ROOT
SWEEP = REPO / "scenarios" / "sweeps" / "when_organizing_wins.json"
# what issue 12 item 3 asks the study to vary (the horizon is the tenth input, see below)
REQUIRED = {"environment.turnover", "trust.voice", "trust.friendships", "employer.resistance",
            "employer.retaliation", "campaign.hours_per_step", "wins.hazard",
            "wins.background_hazard"}


def test_study_file_is_valid_and_varies_what_it_says(orgsim_binary):
    spec = json.loads(SWEEP.read_text())
    assert spec["design"]["type"] == "lhs"
    assert REQUIRED <= set(spec["design"]["parameters"])
    for key, rng in spec["design"]["parameters"].items():
        assert rng["min"] < rng["max"], key
    done = subprocess.run([str(orgsim_binary), "check", str(SWEEP)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    plan = re.search(r"(\d+) point\(s\) x (\d+) arm\(s\) x (\d+) replicate\(s\) = (\d+) runs of "
                     r"(\d+) steps", done.stdout)
    assert plan, done.stdout
    points, arms, reps, runs, steps = map(int, plan.groups())
    assert arms == 2 and points >= 1000 and reps >= 3 and steps == 260
    # the page documents every varied parameter and says how to regenerate it
    page = study.DOC.read_text()
    for key in spec["design"]["parameters"]:
        assert f"`{key}`" in page, key
    assert study.BEGIN in page and study.END in page
    assert "python3 -m analysis.study" in page


def test_lhs_column_has_one_value_per_stratum():
    n, lo, hi = 200, 52, 260
    u = study.lhs_unit(n, seed=5)
    assert sorted(np.floor(u * n).astype(int)) == list(range(n))
    h = study.lhs_column(n, lo, hi, seed=5)
    assert h.min() >= lo and h.max() <= hi and h.dtype.kind == "i"
    assert (h == np.floor(lo + u * (hi - lo + 1))).all()
    # whole weeks spread evenly: every tenth of the range holds a tenth of the points
    counts = np.histogram(h, bins=10, range=(lo, hi + 1))[0]
    assert counts.min() >= n // 10 - 2 and counts.max() <= n // 10 + 2
    assert (study.lhs_column(n, lo, hi, seed=5) == h).all()
    assert (study.lhs_column(n, lo, hi, seed=6) != h).any()


def test_a_shorter_run_is_the_longer_run_cut(orgsim_binary, tmp_path):
    # the horizon is read off the five-year runs: it is only right if a run of T weeks is the
    # first T weeks of a longer one (same seed), wins and reversals included
    out = {}
    for steps in (90, 200):
        path = tmp_path / f"r{steps}.h5"
        subprocess.run([str(orgsim_binary), "run", str(REPO / "scenarios" / "default.json"),
                        "-o", str(path), "--replicates", "4", "--set", f"steps={steps}",
                        "--set", "environment.turnover=0.01", "-q"], check=True,
                       capture_output=True, timeout=300)
        out[steps] = load.open_results(path)
    short, long = out[90], out[200]
    for name in ("standing_wins", "wins_new", "reversals_new", "organized_base", "turnout"):
        a = np.asarray(short[name].values)
        b = np.asarray(long[name].values)[:, :90]
        assert np.array_equal(a, b, equal_nan=True), name
    assert np.asarray(long["standing_wins"].values).sum() > 0  # there were wins to compare
    assert np.array_equal(np.asarray(short["win_weeks"].values),
                          np.asarray(long["standing_wins"].values)[:, :90].sum(axis=1))


def test_the_study_runs_end_to_end_on_a_tiny_sweep(orgsim_binary, tmp_path):
    doc = tmp_path / "WHEN.md"
    doc.write_text(f"# hand-written head\n\n{study.BEGIN}\nstale numbers\n{study.END}\n\n"
                   f"hand-written tail\n")
    images = tmp_path / "images"
    out = tmp_path / "tiny.h5"
    code = study.main(["--orgsim", str(orgsim_binary), "--out", str(out), "--samples", "24",
                       "--replicates", "2", "--threads", "2", "--markdown", str(doc),
                       "--images", str(images)])
    assert code == 0
    text = doc.read_text()
    assert text.startswith("# hand-written head") and text.endswith("hand-written tail\n")
    assert "stale numbers" not in text
    assert "24 design points × 2 arms × 2 replicates = 96 runs of 260 weeks" in text
    version = load.provenance(out).version["git_commit"]
    assert version in text
    for c in study.CONDITIONS:
        assert f"`{c['where']}`" in text
    pngs = sorted(p.name for p in images.glob("*.png"))
    assert pngs, "figures drawn"
    for name in pngs:
        assert f"(images/{name})" in text
        assert (images / name).stat().st_size > 1000
    # the tiny sweep's own file holds the CLI's discovery at the full horizon
    d = load.discovery(out)
    assert d is not None and d.where == study.FILE_CONDITION
    # the cut outcomes: horizons in range, the cut at the horizon never above the whole run
    runs, inputs, steps = study.horizon_table(out)
    full = load.runs_table(out)
    assert inputs[-1] == study.HORIZON and steps == 260
    assert runs[study.HORIZON].between(study.HORIZON_MIN, steps).all()
    assert (runs["win_weeks"] <= full["win_weeks"] + 1e-9).all()
    assert (runs["wins"] <= full["wins"] + 1e-9).all()
    at_end = runs[study.HORIZON] == steps
    assert np.allclose(runs.loc[at_end, "win_weeks"], full.loc[at_end, "win_weeks"])
    # replicates of one design point share its horizon
    assert (runs.groupby("point")[study.HORIZON].nunique() == 1).all()
    # every condition's split check applied its box to the other half
    res = study.study(out)
    hz = study.by_horizon(res)
    assert hz["workplaces"].sum() == len(runs) // 2
    assert (hz["rf_ahead"] + hz["bm_ahead"] <= 1 + 1e-12).all()
    assert "| horizon (weeks) |" in text
    for c in res["conditions"]:
        if c["k"] >= 4:
            assert set(c["split"]["direction"]) <= {"A -> B", "B -> A"}


def test_reuse_says_it_replaces_an_earlier_discovery(orgsim_binary, tmp_path, capsys):
    """`--reuse` on a file that `orgsim discover` wrote a /discovery into replaces it with the
    study's condition (the page quotes the file's discovery, so the two agree; docs/PYTHON.md)
    and says so, naming the earlier condition; `orgsim discover` says the same when it replaces
    the study's."""
    out = tmp_path / "tiny.h5"
    small = ["--orgsim", str(orgsim_binary), "--out", str(out), "--samples", "16",
             "--replicates", "2", "--threads", "2"]
    assert study.main(small) == 0
    first = capsys.readouterr().out
    assert f"written: {out} /discovery\n" in first  # a fresh file: nothing replaced
    mine = "wins[big_messaging] > 0"
    done = subprocess.run([str(orgsim_binary), "discover", str(out), "--where", mine],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (f"written: {out} /discovery (replacing the earlier one for {study.FILE_CONDITION}; "
            in done.stdout)
    assert load.discovery(out).where == mine
    assert study.main(small + ["--reuse"]) == 0
    again = capsys.readouterr().out
    assert (f"written: {out} /discovery (replacing the earlier one for {mine}; "
            f"`orgsim discover {out} --where \"{mine}\"` writes that one again)") in again
    assert load.discovery(out).where == study.FILE_CONDITION
    assert study.main(small + ["--reuse"]) == 0
    assert (f"written: {out} /discovery (replacing the earlier one, for the same condition)"
            in capsys.readouterr().out)


def _fake_orgsim(tmp_path, body):
    path = tmp_path / "fake-orgsim"
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


def test_the_sweep_says_what_it_is_doing_while_it_runs(tmp_path, capfd):
    """A study's sweep takes minutes: its own lines (what it runs, then `runs done/total`) come
    through as they are written, not swallowed until it ends (it ran with -q, captured)."""
    import time
    fake = _fake_orgsim(tmp_path, 'case "$*" in *" -q"*) exit 3;; esac\n'
                        'echo "orgsim sweep tiny: 2 point(s) x 2 arm(s)" >&2\n'
                        'sleep 1\necho "runs 4/4  1.0 runs/s" >&2\necho "results: x" \n')
    seen = []
    seconds = study.run_sweep(fake, tmp_path / "s.json", tmp_path / "out" / "s.h5",
                              log=lambda line: seen.append((time.monotonic(), line)))
    assert [line.split(":")[0].split(" ")[0] for _, line in seen] == ["orgsim", "runs"]
    assert seen[1][0] - seen[0][0] > 0.5  # the first line arrived while the sweep still ran
    assert seconds >= 1.0
    capfd.readouterr()
    study.run_sweep(fake, tmp_path / "s.json", tmp_path / "out" / "s.h5")  # default: stderr
    out = capfd.readouterr()
    assert "orgsim sweep tiny" in out.err and "runs 4/4" in out.err and "results" not in out.out
    broken = _fake_orgsim(tmp_path, 'echo "orgsim: error: bad sweep" >&2\nexit 2\n')
    try:
        study.run_sweep(broken, tmp_path / "s.json", tmp_path / "s.h5", log=lambda line: None)
    except RuntimeError as err:
        assert "bad sweep" in str(err)
    else:
        raise AssertionError("a failed sweep must raise")
