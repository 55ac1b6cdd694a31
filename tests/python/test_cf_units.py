"""Results files as CF and xarray tooling read them (docs/HDF5_LAYOUT.md, "Units and CF").

- Every `units` attribute anywhere in a run's and a sweep's file (root, event tables,
  /durability, /design, /sensitivity, a swept number and a swept choice) is a string the UDUNITS-2
  library parses: `udunits2` (Debian's udunits-bin, installed by tools/install_deps.sh) is asked
  about each. Without udunits2 the test is skipped, except in CI (CI=true), where it fails.
- A count says what it counts (`unit_words`), in every group (the root's outputs and /durability's
  counts); every swept parameter, every event-table column and every /durability dataset has a
  short long_name (an axis label) and a description; xarray shows the units on an axis.
- No `Conventions` attribute: the file is not CF-1.8 throughout (the docs say where), and a
  `Conventions = "CF-1.8"` would promise it is.

Run: ORGSIM_BINARY=$PWD/build/orgsim /usr/bin/python3 -m pytest -q tests/python/test_cf_units.py
"""

import json
import os
import shutil
import subprocess

import pytest

h5py = pytest.importorskip("h5py")

from conftest import REPO, _run_engine  # noqa: E402

LABEL_MAX = 40  # kLabelMaxChars (sim/io/outputs.hpp)


def _text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _units_of(path):
    """{object path: units} for every dataset and group of the file that has a units attribute."""
    found = {}

    def visit(name, obj):
        if "units" in obj.attrs:
            found[name] = _text(obj.attrs["units"])

    with h5py.File(path, "r") as f:
        f.visititems(visit)
    return found


def _datasets(f):
    """{path: dataset} for every dataset of the open file, in every group."""
    found = {}

    def visit(name, obj):  # returns None: visititems stops at the first other value
        if isinstance(obj, h5py.Dataset):
            found[name] = obj

    f.visititems(visit)
    return found


def _udunits2():
    exe = shutil.which("udunits2")
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("udunits2 is missing (Debian package udunits-bin; tools/install_deps.sh "
                        "installs it)")
        pytest.skip("udunits2 (Debian package udunits-bin) is not installed")
    return exe


def _parses(exe, unit):
    """Whether UDUNITS-2 parses `unit`: udunits2 converts it to its own unit ("" asks for
    that) and says "Don't recognize" otherwise."""
    done = subprocess.run([exe, "-H", unit, "-W", ""], capture_output=True, text=True,
                          timeout=30, stdin=subprocess.DEVNULL)
    said = done.stdout + done.stderr
    return done.returncode == 0 and "recognize" not in said, said.strip()


@pytest.fixture(scope="module")
def choice_sweep(orgsim_binary, tmp_path_factory):
    """A small grid over a choice (actions.policy) and a rate (environment.turnover)."""
    out = tmp_path_factory.mktemp("cf_units")
    small = {"extends": str(REPO / "scenarios" / "default.json"), "population": {"size": 80},
             "network": {"departments": 4}, "steps": 30}
    spec = out / "choice.json"
    spec.write_text(json.dumps({
        "name": "cf-choice", "description": "A swept choice and a swept rate.",
        "scenario": small, "replicates": 2, "seed": 3,
        "design": {"type": "grid", "parameters": {
            "actions.policy": ["schedule", "never"],
            "environment.turnover": [0.0, 0.01]}}}), encoding="utf-8")
    return _run_engine(orgsim_binary, "sweep", spec, out / "choice.h5")


@pytest.fixture(scope="module")
def files(orgsim_files, choice_sweep):
    """A run (wins, actions, /durability), a Sobol sweep (/design, /sensitivity) and the grid
    over a choice."""
    return {"run": orgsim_files("default"), "sobol": orgsim_files("sweep_sobol"),
            "choice": choice_sweep}


def test_every_units_attribute_parses_with_udunits(files):
    exe = _udunits2()
    seen = {}
    for which, path in files.items():
        for name, unit in _units_of(path).items():
            seen.setdefault(unit, []).append(f"{which}:/{name}")
    # The units the files hold: the rule's strings (docs/HDF5_LAYOUT.md), and no old word.
    assert {"1", "count", "week", "week-1", "h", "s"} <= set(seen), sorted(seen)
    for old in ("agents", "win-steps", "rounds", "step", "steps", "wins", "1 per step"):
        assert old not in seen, (old, seen.get(old, [])[:5])
    # /durability is walked too: its durations, its curve and its counts.
    run_units = _units_of(files["run"])
    assert run_units["durability/median"] == "week"
    assert run_units["durability/survival"] == "1"
    assert run_units["durability/wins"] == "count"
    assert run_units["durability/at_risk"] == "count"
    bad = {}
    for unit, where in seen.items():
        ok, said = _parses(exe, unit)
        if not ok:
            bad[unit] = (said, where[:3])
    assert not bad, f"units UDUNITS-2 does not parse: {bad}"
    # udunits2 does refuse what it does not know (the check above can fail).
    assert not _parses(exe, "agents")[0]
    assert not _parses(exe, "win-steps")[0]


def test_counts_say_what_they_count(files):
    with h5py.File(files["run"], "r") as f:
        assert _text(f["rung_member"].attrs["units"]) == "count"
        assert _text(f["rung_member"].attrs["unit_words"]) == "agents"
        assert _text(f["win_weeks"].attrs["units"]) == "week"
        assert _text(f["win_weeks"].attrs["unit_words"]) == "win-weeks"
        assert "unit_words" not in f["turnout"].attrs  # a share: units "1" says it
        counts = 0
        for name, ds in _datasets(f).items():  # every group: the root, /durability, ...
            if _text(ds.attrs.get("units", "")) == "count":
                assert _text(ds.attrs.get("unit_words", "")), name
                counts += 1
            else:
                assert "unit_words" not in ds.attrs or _text(ds.attrs["units"]) == "week", name
        assert counts > 4
        assert _text(f["durability/time"].attrs["units"]) == "week"
        assert _text(f["durability/median"].attrs["units"]) == "week"
        for name, words in (("wins", "wins"), ("reversals", "reversals"), ("at_risk", "wins"),
                            ("events", "reversals")):
            ds = f[f"durability/{name}"]
            assert _text(ds.attrs["units"]) == "count", name
            assert _text(ds.attrs["unit_words"]) == words, name
            assert len(ds) > 0, name  # the run has wins and reversals: the check sees values


def test_swept_parameters_have_short_labels_descriptions_and_units(files):
    table = None
    with h5py.File(files["choice"], "r") as f:
        table = {row["key"]: row
                 for row in json.loads(f["provenance/parameter_table_json"].asstr()[()])}
        rate, choice = f["environment.turnover"], f["actions.policy"]
        assert _text(rate.attrs["long_name"]) == "Environment turnover"
        assert _text(rate.attrs["description"]) == table["environment.turnover"]["meaning"]
        assert _text(rate.attrs["units"]) == "week-1"
        assert table["environment.turnover"]["unit"] == "1 per step"  # the words stay in the table
        assert table["environment.turnover"]["udunits"] == "week-1"
        assert _text(choice.attrs["long_name"]) == "Actions policy"
        assert "units" not in choice.attrs  # an index into the levels has no units
        assert _text(choice.attrs["description"]).startswith(table["actions.policy"]["meaning"])
        assert "the index into the levels attribute" in _text(choice.attrs["description"])
        # /design's columns say the same as the root's.
        for key in ("environment.turnover", "actions.policy"):
            for attr in ("long_name", "description", "units"):
                assert (_text(f[f"design/{key}"].attrs.get(attr, ""))
                        == _text(f[key].attrs.get(attr, ""))), (key, attr)
    with h5py.File(files["sobol"], "r") as f:
        for key in ("campaign.hours_per_step", "environment.turnover", "employer.resistance"):
            label = _text(f[key].attrs["long_name"])
            assert 0 < len(label) <= LABEL_MAX and "." not in label, (key, label)
            assert _text(f[key].attrs["description"]) == table[key]["meaning"]
        assert _text(f["campaign.hours_per_step"].attrs["units"]) == "h week-1"


def test_event_table_and_durability_columns_have_short_labels_and_descriptions(files):
    with h5py.File(files["run"], "r") as f:
        for group in ("win_events", "action_events", "failures", "durability"):
            for name, ds in f[group].items():
                label = _text(ds.attrs.get("long_name", ""))
                assert 0 < len(label) <= LABEL_MAX, (group, name, label)
                assert len(_text(ds.attrs.get("description", ""))) > len(label), (group, name)
        assert _text(f["win_events/duration"].attrs["units"]) == "week"
        assert _text(f["action_events/notice_weeks"].attrs["units"]) == "week"
        assert _text(f["action_events/support"].attrs["units"]) == "1"
        assert "units" not in f["win_events/censored"].attrs  # a flag
        assert "units" not in f["durability/km_arm"].attrs  # a code
        assert _text(f["durability/survival"].attrs["units"]) == "1"


def test_xarray_labels_axes_with_the_units(files):
    xr = pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    with xr.open_dataset(files["run"], engine="h5netcdf") as ds:
        assert ds.rung_member.attrs["units"] == "count"
        assert ds.step.attrs["units"] == "week"
        # xarray's own axis label: long_name [units]
        from xarray.plot.utils import label_from_attrs
        assert " ".join(label_from_attrs(ds.rung_member).split()) == \
            "People at the member rung [count]"
        assert label_from_attrs(ds.turnout).endswith("[1]")
    with xr.open_dataset(files["run"], engine="h5netcdf", group="win_events") as wins:
        assert wins.duration.attrs["long_name"] == "Weeks the win stood"
        assert wins.duration.attrs["units"] == "week"


def test_no_conventions_attribute_while_the_file_is_not_cf_throughout(files):
    # docs/HDF5_LAYOUT.md, "Conventions": dotted variable names, string-valued dimension scales
    # and groups without dimension scales are not CF-1.8; the file says which format it follows
    # in `schema` / `schema_version` instead. Claiming CF here needs those fixed first.
    for path in files.values():
        with h5py.File(path, "r") as f:
            assert "Conventions" not in f.attrs
            assert _text(f.attrs["schema"]) == "orgsim.results"


def test_provenance_gives_both_the_tables_words_and_the_udunits_string(files):
    """analysis.load's arm coordinates take their units from the parameter table: the UDUNITS
    string, as the file's own columns have it (the trainer's words stay in `unit`)."""
    from analysis import load
    prov = load.provenance(files["run"])
    assert prov.unit("environment.turnover") == "1 per step"
    assert prov.udunits("environment.turnover") == "week-1"
    assert prov.udunits("campaign.staff_organizers") == "count"
    assert prov.udunits("campaign.strategy") == ""
    assert prov.udunits("no.such.key") == ""
