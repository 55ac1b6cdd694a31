"""orgsim from Python: run scenarios and sweeps in memory, the parameter table, and models as
plain functions for sampling, scenario discovery and calibration tools. See docs/PYTHON.md."""
from ._api import InputError, keep_freed_memory, model, outputs, params, run, sweep, version

__all__ = [
    "InputError", "run", "sweep", "params", "outputs", "model", "version", "keep_freed_memory",
]
