"""The report of a scenario whose actions are union elections (actions.kind = election) tells
them as elections: the share of the workplaces where the vote was won, first contracts and
decertifications; no power against the employer's line (a vote is won by a majority); and no
claim about a share of wins from a handful of them."""
import html
import re
import subprocess

import pytest

from analysis import report
from conftest import REPO


def _texts(page, cls, tag):
    block = re.search(rf"<{tag} class='{cls}'>(.*?)</{tag}>", page, re.S).group(1)
    return [html.unescape(t) for t in re.findall(r"<li>(.*?)</li>", block)]


@pytest.fixture(scope="module")
def election_page(orgsim_binary, tmp_path_factory):
    out = tmp_path_factory.mktemp("election") / "election.h5"
    scenario = REPO / "scenarios/empirical/union_election.json"
    done = subprocess.run([orgsim_binary, "run", str(scenario), "--replicates", "12",
                           "-o", str(out), "-q"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return report.render(str(out))


def test_elections_are_told_as_elections(election_page):
    story = " ".join(_texts(election_page, "story", "ul"))
    assert re.search(r"Relationship-first won the union's election in \d+(\.\d)?% of the "
                     r"workplaces \([\d.]+ elections? held per run on average\), a first "
                     r"contract followed in", story), story
    assert "actions per run" not in story and "How strong the actions were" not in story


def test_no_share_of_won_elections_is_claimed_from_fewer_than_five():
    """Three won elections over four runs, two decertified (67%): too few to say "most"; six,
    four decertified: said, in the words of elections."""
    base = {"n": 4, "election": True, "organized_base_end": 0.5, "peak_turnout": 0.6,
            "actions": 1.0, "backfires_total": 0.0, "fear_end": 0.3}
    few = {"a": {**base, "wins": 0.75, "reversals": 0.5}}
    many = {"a": {**base, "wins": 1.5, "reversals": 1.0}}
    assert not any("decertified" in q for q in report.discussion_points(few))
    assert any(q.startswith("Most of a's won elections were decertified before a first contract")
               for q in report.discussion_points(many))
    assert not any("wins were taken back" in q for q in report.discussion_points(many))


def test_the_discussion_rule_needs_five_wins():
    base = {"n": 4, "election": False, "organized_base_end": 0.1, "peak_turnout": 0.5,
            "actions": 3.0, "backfires_total": 0.0, "fear_end": 0.3}
    few = {"a": {**base, "wins": 1.0, "reversals": 1.0}}  # 4 wins over 4 runs, all reversed
    many = {"a": {**base, "wins": 1.25, "reversals": 1.0}}  # 5 wins, 80% reversed
    assert not any("taken back" in q for q in report.discussion_points(few))
    assert any(q.startswith("Most of a's wins were taken back") for q in
               report.discussion_points(many))


def test_whose_wins_lasted_needs_five_wins_in_each_arm():
    base = {"n": 4, "election": False, "organized_base_end": 0.1, "peak_turnout": 0.5,
            "actions": 3.0, "backfires_total": 0.0, "fear_end": 0.3, "power": 0.3,
            "cohesion": 0.3, "cleared": 0.5, "resistance": 0.25}
    lasted = {**base, "wins": 2.0, "reversals": 0.0}  # 8 wins, none reversed
    few = {**base, "wins": 0.75, "reversals": 0.5}  # 3 wins, 2 reversed
    many = {**base, "wins": 1.5, "reversals": 1.0}  # 6 wins, 4 reversed
    told = " ".join(report.story_sentences({"a": lasted, "b": many}))
    assert "A's wins lasted; most of b's were taken back (4 of 6)." in told
    untold = " ".join(report.story_sentences({"a": lasted, "b": few}))
    assert "lasted" not in untold and "were taken back (" not in untold


def test_whose_wins_lasted_needs_a_difference_beyond_chance():
    """Six wins with three taken back against five with none: 50% against 0% looks like a
    contrast, but Fisher's exact test gives p = 0.18, so the story gives the counts and says
    they are too few; and half is "half", not "most"."""
    base = {"n": 5, "election": False, "organized_base_end": 0.1, "peak_turnout": 0.5,
            "actions": 3.0, "backfires_total": 0.0, "fear_end": 0.3, "power": 0.3,
            "cohesion": 0.3, "cleared": 0.5, "resistance": 0.25}
    facts = {"rf": {**base, "wins": 1.0, "reversals": 0.0},   # 5 wins, none reversed
             "bm": {**base, "wins": 1.2, "reversals": 0.6}}   # 6 wins, 3 reversed
    told = " ".join(report.story_sentences(facts))
    assert "Bm had 3 of its 6 wins taken back and rf 0 of 5: too few wins to tell" in told
    assert "lasted;" not in told and "mostly" not in told and "lasted longer" not in told
    points = report.discussion_points(facts)
    assert any(q.startswith("Half of bm's wins were taken back") for q in points)
    assert not any(q.startswith("Most of") for q in points)
