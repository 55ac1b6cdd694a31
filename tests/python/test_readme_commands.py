"""Every `orgsim run` and `orgsim sweep` command the README shows is accepted as written: each is
checked with `orgsim check` and the same arguments (the scenario or sweep, --set, --replicates,
-o, --threads), which validates everything a run would without running it. A README example
that a parameter change breaks fails here (it once set `population.threshold.value` on the
default scenario, whose threshold is a normal distribution: exit 2)."""
import re
import shlex
import subprocess

from conftest import REPO


def _readme_commands(verbs=("run", "sweep")):
    text = (REPO / "README.md").read_text()
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("#", 1)[0].strip()
            words = shlex.split(line) if line else []
            if len(words) >= 3 and words[0].endswith("orgsim") and words[1] in verbs:
                commands.append(words)
    return commands


def test_the_readme_shows_run_and_sweep_commands():
    verbs = {words[1] for words in _readme_commands()}
    assert verbs == {"run", "sweep"}


def test_every_readme_run_and_sweep_command_passes_check(orgsim_binary, tmp_path):
    for words in _readme_commands():
        args = words[2:]
        if "-o" in args:  # where the results would go: its folder must exist, so a scratch one
            i = args.index("-o")
            args[i + 1] = str(tmp_path / args[i + 1])
        done = subprocess.run([orgsim_binary, "check", *args], cwd=REPO, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, (" ".join(words), done.stderr)
