"""The command-line examples of the docs print what the docs show: each is run as written and its
output compared with the doc's, so a model change that moves them fails here and the doc is
updated with it (docs/PYTHON.md's `orgsim.model` example: test_orgsim_module.py)."""
import re
import subprocess

from conftest import REPO


def _block_after(doc, heading, fence="```"):
    """The fenced blocks (their text) of `doc` after `heading`, in order."""
    rest = doc.split(heading, 1)[1]
    return re.findall(fence + r"[a-z]*\n(.*?)" + fence, rest, re.S)


def test_python_md_discover_example_prints_what_the_doc_shows(orgsim_binary, tmp_path):
    doc = (REPO / "docs/PYTHON.md").read_text()
    commands, shown = _block_after(doc, "## Scenario discovery: where does a condition hold?")[:2]
    sweep_line, discover = commands.split("\n", 1)
    sweep_file = sweep_line.split()[2]
    out = tmp_path / "hours-vs-turnover.h5"
    done = subprocess.run([orgsim_binary, "sweep", str(REPO / sweep_file), "-o", str(out), "-q"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    where = re.search(r'--where "([^"]+)"', discover).group(1)
    done = subprocess.run([orgsim_binary, "discover", str(out), "--no-write", "--where", where],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    expected = [line for line in shown.strip().splitlines() if not line.endswith("...")]
    got = done.stdout.strip().splitlines()
    assert got[:len(expected)] == expected
