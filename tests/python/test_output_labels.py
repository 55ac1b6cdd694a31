"""The output dictionary's two texts in a results file: `long_name`, a short label that xarray puts
on an axis and the trainer's page offers in its picker, and `description`, the explanation (the
analyst's and trainer's review: paragraphs and formulas as long_name spilled off figures). Both
come from the one dictionary (sim/io/outputs.cpp), as `orgsim outputs --markdown` prints it; and
`arm`, once analysis.load has decoded its codes to names, no longer says it is a code.

Run: ORGSIM_BINARY=$PWD/build/orgsim /usr/bin/python3 -m pytest -q tests/python/test_output_labels.py
"""
import subprocess

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")

from analysis import figures, load  # noqa: E402

LABEL_MAX = 40  # kLabelMaxChars in sim/io/outputs.hpp


def _dictionary(binary):
    """{name: {"units", "long_name", "description"} and "unit_words" where a count has one}
    from `orgsim outputs --markdown` (its units column: "count (agents)")."""
    done = subprocess.run([str(binary), "outputs", "--markdown"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    out = {}
    for line in done.stdout.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) == 4:  # an event table's column: name, units, label, description
            continue
        assert len(cells) == 6, line  # name, kind, units, label, description, when undefined
        units, _, words = cells[2].partition(" (")
        out[cells[0].strip("`")] = {"units": units, "long_name": cells[3],
                                    "description": cells[4]}
        if words:
            out[cells[0].strip("`")]["unit_words"] = words.rstrip(")")
    assert len(out) > 50
    return out


def _text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def test_every_output_has_a_short_label_and_its_description_from_the_dictionary(
        orgsim_binary, orgsim_files):
    dictionary = _dictionary(orgsim_binary)
    with h5py.File(orgsim_files("default"), "r") as f:
        for name, entry in dictionary.items():
            attrs = {k: _text(v) for k, v in f[name].attrs.items()
                     if k in ("units", "unit_words", "long_name", "description")}
            assert attrs == entry, name
            assert 8 < len(attrs["long_name"]) <= LABEL_MAX, (name, attrs["long_name"])
            assert not any(c in attrs["long_name"] for c in "=<>_;"), name
            assert len(attrs["description"]) > 0, name
        # the coordinates xarray labels axes with are short too
        for name in ("step", "arm", "replicate", "point", "seed", "status", "wall_seconds"):
            assert len(_text(f[name].attrs["long_name"])) <= LABEL_MAX, name


def test_xarrays_automatic_axis_labels_fit_a_figure(orgsim_files):
    xr = pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    from xarray.plot.utils import label_from_attrs
    with xr.open_dataset(orgsim_files("default"), engine="h5netcdf") as ds:
        for name in ("turnout", "power", "organized_base", "wins", "organized_base_end"):
            label = label_from_attrs(ds[name])  # xarray wraps it at 30 characters
            assert label.count("\n") <= 1, label  # a paragraph would take five lines or more
        assert label_from_attrs(ds["turnout"]).replace("\n", " ") == \
            "Turnout of the week's action [1]"


def test_shares_are_still_told_apart_from_other_levels(orgsim_binary):
    """figures.is_share (percent on the axes and in the report) reads the label and the
    description: the shares are the same outputs as when the label held the explanation."""
    shares = {n for n, e in _dictionary(orgsim_binary).items() if figures.is_share(n, e)}
    assert shares == {"turnout", "new_participants", "strong_tie_share", "strong_component",
                      "organized_base", "turnover_share", "assessed_support", "final_turnout",
                      "peak_turnout", "organized_base_end", "first_election_won",
                      "latent_support"}


def test_the_wins_description_says_a_win_is_drawn_near_the_line(orgsim_binary):
    wins = _dictionary(orgsim_binary)["wins"]
    assert "power >= employer.resistance)" not in wins["long_name"] + wins["description"]
    assert "actions.win_width" in wins["description"] and "luck" in wins["description"]


@pytest.mark.parametrize("force_h5py", [False, True])
def test_decoded_arm_names_do_not_carry_the_codes_attributes(orgsim_files, monkeypatch,
                                                             force_h5py):
    if not force_h5py and not load.has_xarray():
        pytest.skip("xarray or h5netcdf missing")
    monkeypatch.setattr(load, "FORCE_H5PY", force_h5py)
    path = orgsim_files("default")
    ds = load.open_results(path)
    arm = dict(ds["arm"].attrs)
    assert "flag_values" not in arm and "flag_meanings" not in arm
    assert "code" not in arm.get("long_name", "") and "flag_meanings" not in arm.get(
        "description", "")
    assert arm["categories"] == ["relationship_first", "big_messaging"]
    assert set(np.asarray(ds["arm"].values)) == {"relationship_first", "big_messaging"}
    # the code keeps what decodes it
    code = dict(ds["arm_code"].attrs)
    assert _text(code["flag_meanings"]).split() == arm["categories"]
    assert list(np.asarray(code["flag_values"]).ravel()) == [0, 1]
