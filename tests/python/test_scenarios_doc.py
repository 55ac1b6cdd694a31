"""analysis/scenarios_doc.py: the generated blocks of docs/SCENARIOS.md are replaced in place,
the hand-written rest of the page is left byte for byte, and a page without a scenario's
markers is refused with a message naming the scenario, before anything runs."""

import shutil

import pytest

from conftest import REPO
from analysis import scenarios_doc

SCENARIO = "year1_isolated"


def _outside(text, name):
    """The page with NAME's block (between its markers) cut out."""
    begin, end = scenarios_doc.markers(name)
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return head + tail


def test_one_block_is_replaced_and_the_rest_untouched(orgsim_binary, tmp_path):
    page = tmp_path / "SCENARIOS.md"
    shutil.copyfile(REPO / "docs" / "SCENARIOS.md", page)
    begin, end = scenarios_doc.markers(SCENARIO)
    # A stale block: what the generator must replace.
    original = page.read_text(encoding="utf-8")
    head, rest = original.split(begin, 1)
    _, tail = rest.split(end, 1)
    page.write_text(f"{head}{begin}\nSTALE NUMBERS\n{end}{tail}", encoding="utf-8")
    before = page.read_text(encoding="utf-8")

    code = scenarios_doc.main([SCENARIO, "--replicates", "4", "--orgsim", str(orgsim_binary),
                               "--results", str(tmp_path / "results"), "--markdown", str(page)])
    assert code == 0
    after = page.read_text(encoding="utf-8")
    assert "STALE NUMBERS" not in after
    block = after.split(begin, 1)[1].split(end, 1)[0]
    assert "--replicates 4" in block
    assert "| outcome | issue_first | relationship_first | nobody_organizes |" in block
    assert "relationship_first − issue_first: organized base at the end (%)" in block
    assert "orgsim " in block  # the version stamp
    assert _outside(after, SCENARIO) == _outside(before, SCENARIO)
    # The other scenarios' blocks were not run, so they are as they were.
    other = "high_turnover"
    assert after.split(scenarios_doc.markers(other)[0], 1)[1] == \
        before.split(scenarios_doc.markers(other)[0], 1)[1]


def test_a_missing_marker_is_a_clear_error(orgsim_binary, tmp_path, capsys):
    page = tmp_path / "SCENARIOS.md"
    text = (REPO / "docs" / "SCENARIOS.md").read_text(encoding="utf-8")
    _, end = scenarios_doc.markers(SCENARIO)
    page.write_text(text.replace(end + "\n", ""), encoding="utf-8")
    before = page.read_text(encoding="utf-8")
    results = tmp_path / "results"

    code = scenarios_doc.main([SCENARIO, "--replicates", "4", "--orgsim", str(orgsim_binary),
                               "--results", str(results), "--markdown", str(page)])
    assert code == 2
    err = capsys.readouterr().err
    assert SCENARIO in err and end in err
    assert page.read_text(encoding="utf-8") == before
    assert not results.exists()  # refused before running anything


def test_replace_block_refuses_repeated_markers():
    begin, end = scenarios_doc.markers(SCENARIO)
    text = f"a\n{begin}\nx\n{end}\nb\n{begin}\ny\n{end}\n"
    with pytest.raises(scenarios_doc.MarkerError, match=SCENARIO):
        scenarios_doc.replace_block(text, SCENARIO, "new")
    once = f"a\n{begin}\nx\n{end}\nb\n"
    assert scenarios_doc.replace_block(once, SCENARIO, "new") == f"a\n{begin}\nnew\n{end}\nb\n"
