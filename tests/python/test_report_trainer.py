"""The report for a trainer (analysis.report, analysis.figures): the panels docs/SCENARIOS.md asks
the trainer to show (backfires, cohesion, power against the employer's resistance, fear), the
sentences that say each scenario's own point from its arms' results, the points to discuss, the
one-page printed handout, and the mends of the trainer's review (no `nan` cells, no `..`, "no
wins" instead of a -0.04..0.04 axis, no interval claims with one replicate).

Run: ORGSIM_BINARY=$PWD/build/orgsim /usr/bin/python3 -m pytest -q tests/python/test_report_trainer.py
"""

import html
import json
import re
import shutil
import subprocess
import tempfile

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("h5py")
pytest.importorskip("matplotlib")

from conftest import REPO, text_of  # noqa: E402
from analysis import figures, load, report  # noqa: E402


@pytest.fixture(scope="module")
def year1(orgsim_run):
    """Year one: issue-first acts and backfires, relationship-first and nobody never act, no
    arm wins."""
    return orgsim_run("year1_isolated", "--replicates", "4")


@pytest.fixture(scope="module")
def year1_page(year1):
    return report.render(str(year1))


def _axis(fig, title):
    return next(ax for ax in fig.axes if ax.get_title(loc="left") == title)


# ---- mends -----------------------------------------------------------------------------------

def test_no_nan_cells_when_an_arm_never_acted(year1, year1_page):
    runs = load.runs_table(year1)
    acted = runs.groupby("arm", observed=True)["actions"].sum()
    assert acted["issue_first"] > 0 and acted["relationship_first"] == 0  # the case in question
    table = re.search(r"<table>.*</table>", year1_page, re.S).group(0)
    assert not re.search(r"\bnan\b", table, re.I)
    turnout_row = re.search(r"<tr><td>Turnout at the last action.*?</tr>", table).group(0)
    assert turnout_row.count("not comparable") == 2  # both differences with issue-first


def test_arm_descriptions_end_with_one_full_stop(year1_page):
    arms = re.search(r"<ul class='arms'>.*?</ul>", year1_page, re.S).group(0)
    items = re.findall(r"<li>(.*?)</li>", arms)
    assert len(items) == 3
    for item in items:
        assert text_of(item).rstrip().endswith(".") and ".." not in text_of(item)
    assert report._sentence_end("It waits.") == "It waits."
    assert report._sentence_end("It waits") == "It waits."
    assert report._sentence_end("Does it wait?") == "Does it wait?"


def test_no_wins_is_said_in_words_not_drawn_on_a_tiny_axis(year1):
    fig = figures.plot_run(year1)
    ax = _axis(fig, "Standing wins")
    assert ax.get_gid() == "empty"
    assert [t.get_text() for t in ax.texts] == ["no wins in any run"]
    assert ax.get_ylim() == (0.0, 1.0) and len(ax.get_yticks()) == 0
    assert not ax.lines and not ax.collections
    # the forest plot leaves out outcomes that are zero in every run of every arm, and says so
    fig = figures.plot_paired_differences(year1)
    labels = [ax.get_ylabel() for ax in fig.axes]
    assert not any(lbl.startswith("Wins") for lbl in labels)
    notes = " ".join(t.get_text() for t in fig.texts)
    assert "Not shown" in notes and "Wins" in notes


def test_standing_wins_axis_kept_when_there_are_wins(orgsim_run):
    path = orgsim_run("default", "--replicates", "3")
    runs = load.runs_table(path)
    assert runs["wins"].sum() > 0
    ax = _axis(figures.plot_run(path), "Standing wins")
    assert ax.get_gid() != "empty" and ax.lines
    assert ax.get_ylim()[1] >= 1


def test_one_replicate_makes_no_interval_claims(orgsim_run):
    path = orgsim_run("default", "--replicates", "1")
    text = text_of(report.render(str(path)))
    assert "95% CI" not in text
    assert "confidence interval of" not in text and "was ahead in" not in text
    assert "one simulated workplace per arm" in text
    assert "so there are no confidence intervals" in text
    # differences are still said, with the warning that one run cannot tell them from chance
    assert "a single run cannot tell an effect from chance" in text
    fig = figures.plot_paired_differences(path)
    assert "no interval" in fig.axes[-1].get_xlabel()


# ---- the trainer's panels ------------------------------------------------------------------

def test_trainer_panels_show_backfires_cohesion_power_fear(year1):
    fig = figures.plot_trainer_panels(year1)
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_visible()]
    assert titles == ["Backfired issue pushes (running total)", "Cohesion at actions",
                      "Power against the employer's line", "Fear"]
    ds = load.open_results(year1)
    codes = load.arm_codes(ds)
    back = np.asarray(ds["backfires"].values, float)
    # the backfire panel's issue-first line ends at the mean running total of its runs
    ax = _axis(fig, "Backfired issue pushes (running total)")
    line = next(ln for ln in ax.lines if ln.get_label() == "issue-first")
    expected = back[codes == 0].sum(axis=1).mean()
    assert line.get_ydata()[-1] == pytest.approx(expected)
    assert expected > 100


@pytest.mark.parametrize("size", [(5.6, 2.6), (6.6, 3.9)])  # the handout's, the report's
def test_trainer_panels_legend_and_note_stay_clear_of_the_panels(year1, size):
    # The legend sits above every panel's title and the note below every axis, in the picture
    # as saved (the layout's rect once took a height for a top edge and put the titles under
    # the legend); a long note is wrapped to the figure's width.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    with figures.rc_context(figures.STYLE):
        fig = figures.plot_trainer_panels(year1, panels=list(figures.HANDOUT_PANELS), size=size)
        FigureCanvasAgg(fig)
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        legend = fig.legends[0].get_window_extent(renderer)
        note = next(t for t in fig.texts if t.get_text().startswith("Lines:"))
        note_box = note.get_window_extent(renderer)
        for ax in (a for a in fig.axes if a.get_visible()):
            title = ax.title if ax.get_title() else ax._left_title
            assert title.get_window_extent(renderer).y1 <= legend.y0, ax.get_title(loc="left")
            assert ax.get_tightbbox(renderer).y0 >= note_box.y1 - 1, ax.get_title(loc="left")
        assert note_box.x1 <= fig.bbox.x1
        assert "\n" in note.get_text() or note_box.width < fig.bbox.width


def test_resistance_line_comes_from_the_arms_parameters(orgsim_run):
    for resistance in (0.25, 0.1):
        path = orgsim_run("year2_hot_no_relationships", "--replicates", "3", "--set",
                          f"employer.resistance={resistance}")
        prov = load.provenance(path)
        names = load.arm_names(load.open_results(path))
        assert figures.resistance_by_arm(prov, names) == [resistance] * len(names)
        ax = _axis(figures.plot_trainer_panels(path), "Power against the employer's line")
        lines = [ln for ln in ax.lines if ln.get_gid() == "resistance"]
        assert len(lines) == 1
        assert lines[0].get_ydata()[0] == pytest.approx(resistance)
        # every power marker is a real action's power
        ds = load.open_results(path)
        power = np.asarray(ds["power"].values, float)
        drawn = np.concatenate([c.get_offsets()[:, 1] for c in ax.collections
                                if len(c.get_offsets())])
        assert len(drawn) == np.isfinite(power).sum()


def test_trainer_panels_say_no_backfires_and_no_actions(orgsim_run):
    path = orgsim_run("organizing_never_mobilizes", "--replicates", "2", "--set",
                      "steps=20")
    ds = load.open_results(path)
    fig = figures.plot_trainer_panels(path)
    if np.nansum(np.asarray(ds["backfires"].values, float)) == 0:
        assert _axis(fig, "Backfired issue pushes (running total)").get_gid() == "empty"
    if not np.isfinite(np.asarray(ds["power"].values, float)).any():
        ax = _axis(fig, "Power against the employer's line")
        assert [t.get_text() for t in ax.texts] == ["no actions in any run"]


# ---- the scenario's own point --------------------------------------------------------------

def test_story_follows_the_results_not_the_file(orgsim_run):
    hard = orgsim_run("year2_hot_no_relationships", "--replicates", "4")
    easy = orgsim_run("year2_hot_no_relationships", "--replicates", "4", "--set",
                      "employer.resistance=0.05")
    facts_hard = report.arm_facts(load.open_results(hard), load.runs_table(hard),
                                  load.provenance(hard))
    facts_easy = report.arm_facts(load.open_results(easy), load.runs_table(easy),
                                  load.provenance(easy))
    hard_story = " ".join(report.story_sentences(facts_hard))
    easy_story = " ".join(report.story_sentences(facts_easy))
    assert facts_hard["act_on_the_anger"]["wins"] == 0
    assert "No arm won anything" in hard_story
    assert "none reached the line" in hard_story
    assert facts_easy["act_on_the_anger"]["wins"] > 0
    assert "No arm won anything" not in easy_story
    assert re.search(r"Act on the anger won [\d.]+ actions per run on average", easy_story)
    assert "Keep building won nothing" in easy_story
    # the share of actions that reached the line is the share of power values >= resistance
    ds = load.open_results(easy)
    power = np.asarray(ds["power"].values, float)[load.arm_codes(ds) == 0]
    power = power[np.isfinite(power)]
    assert facts_easy["act_on_the_anger"]["cleared"] == pytest.approx((power >= 0.05).mean())
    # acting brings retaliation: the acting arm ends more afraid, and the story says so
    assert facts_hard["act_on_the_anger"]["fear_end"] > facts_hard["keep_building"]["fear_end"]
    assert "Act on the anger left the workplace more afraid" in hard_story


def test_story_says_who_built_the_base_and_where_backfires_happened(year1, year1_page):
    text = text_of(year1_page)
    runs = load.runs_table(year1)
    base = runs.groupby("arm", observed=True)["organized_base_end"].mean()
    assert base.idxmax() == "relationship_first"
    assert "Relationship-first built the biggest organized base" in text
    back = runs.groupby("arm", observed=True)["backfires_total"].mean()
    assert back["issue_first"] > 0 and back["relationship_first"] == 0
    assert f"Issue pushes backfired only under issue-first ({back['issue_first']:,.0f}" in text
    assert "Relationship-first and nobody organizes never called an action" in text
    # points to discuss, chosen from what happened
    discuss = re.search(r"<ol class='discuss'>(.*?)</ol>", year1_page, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", discuss)
    assert 2 <= len(items) <= 6
    assert any("backfire" in i for i in items)
    assert any("No action beat the employer" in i for i in items)
    # the summary table carries the backfire count
    assert "Backfired issue pushes" in text


# ---- the printed handout -------------------------------------------------------------------

def test_print_css_keeps_only_the_handout(year1_page):
    css = re.search(r"<style>(.*?)</style>", year1_page, re.S).group(1)
    printing = css[css.index("@media print"):]
    assert "body > *:not(.handout) { display: none !important; }" in printing
    handout = re.search(r"<section class='handout'>(.*?)</section>", year1_page, re.S).group(1)
    for part in ("What happened", "Points to discuss", "id='fig-handout'", "class='story'"):
        assert part in handout


@pytest.mark.parametrize("scenario", ["year1_isolated", "staffer_pushed_ava"])
def test_handout_prints_on_one_page(orgsim_run, tmp_path, scenario, orgsim_chromium):
    browser = orgsim_chromium
    page = tmp_path / f"{scenario}.html"
    report.write_report(orgsim_run(scenario, "--replicates", "3"), page)
    pdf = tmp_path / f"{scenario}.pdf"
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    try:
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", f"--user-data-dir={profile}",
                        "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()],
                       capture_output=True, text=True, timeout=180)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert pdf.is_file() and pdf.stat().st_size > 10_000
    pages = re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes())
    assert len(pages) == 1


# ---- your own workplace: names from the roster reach the results file and the report ---------

def test_roster_names_round_trip_to_the_report(orgsim_run):
    import csv
    path = orgsim_run("roster/warehouse", "--replicates", "2", "--set", "steps=30")
    people = load.roster(path)
    with open(REPO / "scenarios" / "roster" / "warehouse_roster.csv", encoding="utf-8") as f:
        rows = [r for r in csv.reader(line for line in f if not line.startswith("#"))]
    header, rows = rows[0], rows[1:]
    assert len(people) == len(rows) == 60
    for col in ("name", "department", "shift", "role"):
        assert list(people[col]) == [r[header.index(col)] for r in rows], col
    leaders = [r[header.index("name")] for r in rows if r[header.index("leader")] == "yes"]
    assert list(people.loc[people["leader"], "name"]) == leaders
    text = text_of(report.render(str(path)))
    assert "The workplace is the roster's 60 people in 4 departments" in text
    for name in leaders:
        assert name in text
    # a file without a roster has no /roster group
    assert load.roster(orgsim_run("year1_isolated", "--replicates", "1")) is None


def _facts(**arms):
    base = {"n": 20, "resistance": 0.25, "organized_base_end": 0.1, "peak_turnout": 0.3,
            "actions": 3.0, "wins": 0.0, "reversals": 0.0, "win_weeks": 0.0,
            "backfires_total": 0.0, "organizers_end": 1.0, "power": 0.2, "cohesion": 0.3,
            "cleared": 0.3, "fear_start": 0.3, "fear_end": 0.3}
    return {name: dict(base, **values) for name, values in arms.items()}


def test_whose_wins_lasted_is_said_only_when_they_did():
    # wins mostly reversed in both arms: "lasted longer", never "lasted"
    story = " ".join(report.story_sentences(_facts(
        hybrid={"wins": 2.0, "reversals": 1.4}, big_messaging={"wins": 2.0, "reversals": 1.86},
        relationship_first={})))
    assert "Hybrid's wins lasted longer than big messaging's (70% against 93% taken back)" \
        in story
    assert "wins lasted;" not in story
    assert "Relationship-first won nothing." in story
    # none reversed against most reversed: "lasted" and "mostly taken back"
    story = " ".join(report.story_sentences(_facts(
        relationship_first={"wins": 3.0}, big_messaging={"wins": 3.0, "reversals": 2.5})))
    assert "Relationship-first's wins lasted; most of big messaging's were taken back (50 of " \
        "60)." in story
    # one replicate: "in its run", not "on average"
    story = " ".join(report.story_sentences(_facts(a={"wins": 1.0, "n": 1})))
    assert "won 1 actions in its run" in story or "won 1 action in its run" in story


def test_an_arm_that_never_reached_its_bar_did_not_leave_a_base_unused():
    """An arm that waits for 15% organized and ends at 6% never acted because it never got
    there; one that waits for no bar and never acted built a base it did not use."""
    points = report.discussion_points(_facts(
        waiting={"actions": 0.0, "organized_base_end": 0.058, "bar": 0.15},
        idle={"actions": 0.0, "organized_base_end": 0.2}))
    text = " ".join(points)
    assert "Waiting (5.8% organized at the end) never reached the 15% it waited for before " \
        "acting." in text
    assert "Idle built a base and never used it." in text
    assert "Waiting built a base" not in text


def test_how_long_wins_last_is_not_told_from_two_wins():
    """A year after a win, 100% of two wins still standing says nothing: the arm is named as
    too few to say, and the arm with forty wins is told."""
    arms = pd.DataFrame({"wins": [40, 2], "reversals": [10, 0], "median": [np.nan, np.nan],
                         "follow_up": [120, 120]}, index=["many", "few"])
    curves = pd.DataFrame({"arm": ["many", "many"], "time": [10, 60],
                           "survival": [0.9, 0.75], "lower": [0.8, 0.6], "upper": [0.95, 0.85],
                           "at_risk": [40, 30], "events": [4, 6]})
    dur = load.Durability(arms=arms, curves=curves, censored=pd.DataFrame(), source="file")
    text = " ".join(report.durability_sentences(dur))
    assert "A year after a win, 90% (95% confidence interval 80–95%) of many's wins still " \
        "stood (few's 2 wins are too few to say how long its wins last)." in text
    assert "100%" not in text


@pytest.mark.parametrize("width, luck", [("0.03", True), ("0", False)])
def test_the_power_caption_says_when_the_line_decides(orgsim_run, width, luck):
    """With actions.win_width > 0 (the default) an action's chance of winning rises smoothly
    around the employer's line: the figure's caption must not say that the line decides, and
    with 0 it does."""
    path = orgsim_run("default", "--replicates", "2", "--steps", "60", "--set",
                      f"actions.win_width={width}")
    page = report.render(str(path))
    assert ("dashed line: an action above it is won" in page) == (not luck)
    assert ("dashed line: the further above it, the likelier a win; near it, winning is "
            "partly luck" in page) == luck
    ax = _axis(figures.plot_trainer_panels(path), "Power against the employer's line")
    (label,) = [t.get_text() for t in ax.texts if t.get_gid() == "resistance-label"]
    assert label.startswith("dashed: the employer's line (0.25)")
    assert label.endswith("the further above it, the likelier a win" if luck
                          else "above it, an action wins")
    assert "resistance 0.25: above it an action wins" not in label


@pytest.mark.parametrize("size", [(5.6, 2.6), (6.6, 3.9)])  # the handout's, the report's
def test_the_lines_label_covers_no_action(orgsim_files, size):
    """The label of the employer's line sits in headroom above every power marker (it was
    drawn over them, at the line's height)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    with figures.rc_context(figures.STYLE):
        fig = figures.plot_trainer_panels(orgsim_files("default"),
                                          panels=list(figures.HANDOUT_PANELS), size=size)
        FigureCanvasAgg(fig)
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        ax = _axis(fig, "Power against the employer's line")
        (label,) = [t for t in ax.texts if t.get_gid() == "resistance-label"]
        box = label.get_window_extent(renderer).padded(2)
        points = np.concatenate([c.get_offsets() for c in ax.collections
                                 if len(c.get_offsets())])
        assert len(points) > 100
        shown = ax.transData.transform(points)
        inside = ((shown[:, 0] >= box.x0) & (shown[:, 0] <= box.x1)
                  & (shown[:, 1] >= box.y0) & (shown[:, 1] <= box.y1))
        assert not inside.any(), points[inside][:5]
        (line,) = [ln for ln in ax.lines if ln.get_gid() == "resistance"]
        assert ax.transData.transform((0, line.get_ydata()[0]))[1] < box.y0
        assert box.y1 <= ax.get_window_extent(renderer).y1 + 2  # inside the panel


def test_the_story_gives_the_win_rate_beside_reaching_the_line(orgsim_files):
    """In a default run some actions below the line win and some above it lose: the story gives
    both shares and says near the line it is partly luck (it said "18% of them reached the
    line" of an arm that won 34% of its actions)."""
    path = orgsim_files("default")
    facts = report.arm_facts(load.open_results(path), load.runs_table(path),
                             load.provenance(path))
    story = " ".join(report.story_sentences(facts))
    for arm, f in facts.items():
        assert f["won"] == pytest.approx(f["wins"] / f["actions"])
        assert f"{report._pct(f['cleared'])} reached the line and " \
            f"{report._pct(f['won'])} won" in story, arm
    assert facts["big_messaging"]["won"] > facts["big_messaging"]["cleared"]  # the case
    assert "Near the line, winning is partly luck" in story
    # with actions.win_width = 0 reaching the line is winning, and no luck is told
    decided = {a: dict(f, win_width=0.0, won=f["cleared"]) for a, f in facts.items()}
    story = " ".join(report.story_sentences(decided))
    assert "partly luck" not in story and "reached the line and won" in story


def test_pair_counts_are_said_in_words_that_fit_the_outcome(orgsim_files):
    """More reversed wins or more backfires is not being "ahead"."""
    text = text_of(report.render(str(orgsim_files("default"))))
    assert "was ahead in" not in text
    assert re.search(r"big messaging had more wins reversed in \d+ of the 20 workplaces", text)
    assert "big messaging had more issue pushes backfire in 20 of the 20 workplaces" in text
    assert re.search(r"relationship-first had the bigger organized base in \d+ of the 20 "
                     r"workplaces", text)


def test_half_of_the_wins_taken_back_is_said_as_half():
    facts = _facts(relationship_first={"wins": 3.0, "n": 2},
                   big_messaging={"wins": 223.0, "reversals": 112.5, "n": 2})
    story = " ".join(report.story_sentences(facts))
    assert "Relationship-first's wins lasted; half of big messaging's were taken back (225 of " \
        "446)." in story
    assert "mostly" not in story
    assert "Half of big messaging's wins were taken back" in \
        " ".join(report.discussion_points(facts))
    assert [report._how_many(s) for s in (0.3, 0.46, 0.504, 0.56)] == \
        ["Many", "About half", "Half", "Most"]


def test_the_summary_tables_share_differences_are_in_points(orgsim_files):
    page = report.render(str(orgsim_files("default")))
    row = re.search(r"<tr><td>Organized base at the end.*?</tr>", page).group(0)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert re.match(r"[−+][\d.]+ points<br>", cells[-1]), cells[-1]
    wins = re.search(r"<tr><td>Wins<.*?</tr>", page).group(0)
    assert "points" not in wins
    assert "in percentage points" in text_of(page)


def _texts(page, cls, tag):
    block = re.search(rf"<{tag} class='{cls}'>(.*?)</{tag}>", page, re.S).group(1)
    return [html.unescape(t) for t in re.findall(r"<li>(.*?)</li>", block)]


def test_the_scenarios_own_points_to_discuss_come_first_when_run_as_written(year1, orgsim_run):
    """A scenario's "discussion" list was written for the room from its seed story: the
    handout asks it first for a run of the scenario as written, and not after --set (the
    results may no longer show what it asks about)."""
    own = json.loads((REPO / "scenarios" / "year1_isolated.json").read_text())["discussion"]
    points = _texts(report.render(str(year1)), "discuss", "ol")
    assert points[:len(own)] == own and len(points) <= 6
    changed = orgsim_run("year1_isolated", "--replicates", "2", "--set", "trust.voice=0.05")
    points = _texts(report.render(str(changed)), "discuss", "ol")
    assert not any(q in points for q in own)
