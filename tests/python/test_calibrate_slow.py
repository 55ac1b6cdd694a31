"""Known-truth coverage of `orgsim calibrate` on a cheap orgsim model (slow: several minutes).

Runs only with ORGSIM_SLOW=1; CTest runs it under the label "slow" (tests/CMakeLists.txt), as
tests/run_all.sh does, so the quick loop (ctest -LE slow, pytest tests/python) stays quick.

The model: SIR as bond percolation (scenarios/validation/sir_percolation.json, 300 agents, mean
degree 4), the transmissibility T = participation.contagion.probability unknown. For 20 truths
spread over [0.35, 0.65] the observed statistic is the mean final size of 50 runs at the truth
(seeds the calibration never uses); each calibration (prior T ~ U(0.2, 0.8), 40 particles, 4
generations, 50 replicates per particle) must give a 90% credible interval. If the intervals
were calibrated, the number covering the truth would be Binomial(20, 0.9); the test accepts 15
or more (P(X <= 14) = 0.011 at 0.9) and checks that the intervals are informative (median width
below a third of the prior's).
"""
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from analysis import calibrate, load

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(os.environ.get("ORGSIM_SLOW") != "1",
                                reason="slow (minutes): set ORGSIM_SLOW=1, or ctest -L slow")


def test_90_percent_intervals_cover_known_truths_on_the_sir_model(tmp_path, orgsim_binary):
    scenario = REPO / "scenarios" / "validation" / "sir_percolation.json"
    truths = np.linspace(0.35, 0.65, 20)
    covered, widths, lines = 0, [], []
    for k, truth in enumerate(truths):
        obs_file = tmp_path / f"obs{k}.h5"
        subprocess.run([str(orgsim_binary), "run", str(scenario), "-o", str(obs_file), "--set",
                        f"participation.contagion.probability={truth}", "--set",
                        "population.size=300", "--replicates", "50", "--seed", str(1000 + k),
                        "--threads", "2"], check=True, capture_output=True)
        observed = float(load.runs_table(obs_file)["final_turnout"].mean())
        cal = tmp_path / f"cal{k}.json"
        cal.write_text(json.dumps({
            "name": f"sir-{k}", "scenario": str(scenario), "set": {"population.size": 300},
            "priors": {"participation.contagion.probability": {"min": 0.2, "max": 0.8}},
            "targets": [{"output": "final_turnout", "statistic": "mean",
                         "observed": observed}],
            "particles": 40, "generations": 4, "replicates": 50, "seed": k + 1,
            "threads": 2, "posterior_predictive": 2}))
        out = tmp_path / f"cal{k}.h5"
        calibrate.calibrate(calibrate.parse_spec(cal), out, binary=str(orgsim_binary),
                            log=lambda line: None)
        lo, hi = load.calibration(out).quantiles("participation.contagion.probability",
                                                 (0.05, 0.95))
        covered += lo <= truth <= hi
        widths.append(hi - lo)
        lines.append(f"T={truth:.3f} observed {observed:.3f}: [{lo:.3f}, {hi:.3f}]")
    print("\n".join(lines))
    print(f"covered {covered}/20, median width {np.median(widths):.3f}")
    assert covered >= 15, "\n".join(lines)
    assert np.median(widths) < 0.2
