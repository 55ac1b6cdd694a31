"""orgsim analysis: load results files, draw figures, write the trainer's report.

Modules (run with Debian's /usr/bin/python3; see analysis/_interpreter.py):
  analysis.load     the only code that knows the HDF5 layout (docs/HDF5_LAYOUT.md)
  analysis.stats    confidence intervals, paired differences, Kaplan-Meier
  analysis.figures  publication and projector figures (PNG and SVG)
  analysis.report   `python -m analysis.report results/default.h5 [-o report.html]`
  analysis.prim     PRIM (Friedman & Fisher 1999): boxes where a condition holds
  analysis.discover `orgsim discover SWEEP.h5 --where "..."` (scenario discovery on a sweep)
"""

from . import _interpreter

_interpreter.ensure()
