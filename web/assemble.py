#!/usr/bin/env python3
"""Assembles build-web/orgsim.html: the page template with its style, script, the Web Worker
(the emscripten engine + web/worker.js), every shipped trainer scenario (with the CSV files
the roster example reads) and the arms' colours (analysis/arm_colors.json, which the report's
figures read too) inlined, so the page
is one self-contained file (no network, opens from file://). Called by tools/build_web.sh."""
import argparse
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
# The arms' colours by strategy and by position: one file for the page and the report.
ARM_COLORS = HERE.parent / "analysis" / "arm_colors.json"
# The scenario picker's order: the default, the three years of one campaign, then the stories.
TEACHING_ORDER = ("default", "year1_isolated", "year2_hot_no_relationships", "year3_base_clicks",
                  "staffer_pushed_ava", "big_messaging_no_base", "mobilizing_back_to_organizing",
                  "organizing_never_mobilizes", "high_turnover")


def inline_safe(text: str, what: str) -> str:
    # Inside a <script> element the only sequence that ends it early is "</script".
    if "</script" in text.lower():
        sys.exit(f"assemble.py: {what} contains '</script' and cannot be inlined")
    return text


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", required=True)
    ap.add_argument("--scenarios", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    scen_dir = pathlib.Path(a.scenarios)
    scenarios = {}
    # The trainer scenarios are the JSON files directly in scenarios/ (validation cases and
    # sweeps live in sub-folders), in the order a session tells them (TEACHING_ORDER: the
    # default, the three years, then the other stories); any other file after them, by name.
    # The roster example (scenarios/roster/) ships too, with the CSV files it names: the page
    # keeps them in its own file folder, where the engine finds them by name.
    files = {}
    order = {name: k for k, name in enumerate(TEACHING_ORDER)}
    paths = sorted(scen_dir.glob("*.json"), key=lambda p: (order.get(p.stem, len(order)), p.stem))
    paths += sorted((scen_dir / "roster").glob("*.json"))
    for p in paths:
        text = p.read_text()
        doc = json.loads(text)  # a broken file fails the build, not the page
        if p.stem in scenarios:
            sys.exit(f"assemble.py: two shipped scenarios are named {p.stem}")
        scenarios[p.stem] = text
        for key in ("path", "roster", "friendships"):
            ref = doc.get("network", {}).get(key)
            if not isinstance(ref, str) or not ref:
                continue
            src = (p.parent / ref).resolve()
            name = pathlib.PurePath(ref).name
            if name in files and files[name][0] != src:
                sys.exit(f"assemble.py: two shipped files are named {name}")
            files[name] = (src, src.read_text())
    page = (HERE / "page.html").read_text()
    worker = pathlib.Path(a.engine).read_text() + "\n" + (HERE / "worker.js").read_text()
    parts = {
        "/*@STYLE@*/": (HERE / "style.css").read_text(),
        "/*@WORKER@*/": inline_safe(worker, "the worker"),
        "/*@SCENARIOS@*/": inline_safe(json.dumps(scenarios), "a scenario"),
        "/*@FILES@*/": inline_safe(json.dumps({k: v[1] for k, v in files.items()}), "a file"),
        "/*@ARM_COLORS@*/": inline_safe(json.dumps(json.loads(ARM_COLORS.read_text())),
                                        "arm_colors.json"),
        "/*@APP@*/": inline_safe((HERE / "app.js").read_text(), "app.js"),
    }
    for k, v in parts.items():
        if page.count(k) != 1:
            sys.exit(f"assemble.py: page.html must hold {k} once")
        page = page.replace(k, v)
    pathlib.Path(a.out).write_text(page)


if __name__ == "__main__":
    main()
