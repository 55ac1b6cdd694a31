"""Find an interpreter that has the analysis packages (Debian's /usr/bin/python3).

The analysis package runs on Debian's Python packages only (python3-h5py, -numpy, -pandas,
-matplotlib; optionally -xarray, -h5netcdf, -scipy). A `python3` earlier on PATH (pyenv, a venv)
usually lacks them. When `python -m analysis.<module>` is started under such an interpreter, the
package re-executes the same command under /usr/bin/python3 instead of failing with an
ImportError. When the package is merely imported (from a notebook, a test), it raises an
ImportError that says which interpreter to use.

Environment:
  ORGSIM_PYTHON             the interpreter to re-execute under (default /usr/bin/python3)
  ORGSIM_ANALYSIS_NO_REEXEC set to 1 to never re-execute (set internally to prevent loops)
"""

import os
import sys

REQUIRED = ("numpy", "h5py", "pandas", "matplotlib")
DEFAULT_PYTHON = "/usr/bin/python3"


def missing_packages():
    """Names of the required packages this interpreter cannot import."""
    missing = []
    for name in REQUIRED:
        try:
            __import__(name)
        except ImportError:
            missing.append(name)
    return missing


def _started_as_script():
    """True when this process runs one of our modules as a program: `python -m analysis.x`
    or `python analysis/x.py` (not when the package is imported by other code)."""
    if _started_with_dash_m():
        return True
    here = os.path.dirname(os.path.abspath(__file__))
    script = sys.argv[0] if sys.argv else ""
    return bool(script) and os.path.isfile(script) and \
        os.path.dirname(os.path.abspath(script)) == here


def _started_with_dash_m():
    """True when this process is `python -m analysis...`."""
    orig = getattr(sys, "orig_argv", None)  # Python >= 3.10
    if orig:
        for i, arg in enumerate(orig[1:], start=1):
            if arg == "-m":
                return i + 1 < len(orig) and orig[i + 1].split(".")[0] == "analysis"
            if arg.startswith("-m") and len(arg) > 2:
                return arg[2:].split(".")[0] == "analysis"
        return False
    return bool(sys.argv) and sys.argv[0] == "-m"


def ensure():
    """Return normally if the packages are importable; else re-exec or raise ImportError."""
    missing = missing_packages()
    if not missing:
        return
    target = os.environ.get("ORGSIM_PYTHON", DEFAULT_PYTHON)
    same = os.path.realpath(sys.executable or "") == os.path.realpath(target)
    if (not same and os.environ.get("ORGSIM_ANALYSIS_NO_REEXEC") != "1"
            and os.access(target, os.X_OK) and _started_as_script()):
        env = dict(os.environ, ORGSIM_ANALYSIS_NO_REEXEC="1")
        # Keep the repository root importable for the new interpreter (`-m` searches the cwd,
        # which is unchanged, but PYTHONPATH may have been what found the package).
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env["PYTHONPATH"] = os.pathsep.join(p for p in [root, env.get("PYTHONPATH", "")] if p)
        sys.stderr.flush()
        os.execve(target, [target] + list(sys.orig_argv[1:]), env)
    raise ImportError(
        f"orgsim analysis needs the Python packages {', '.join(missing)}, which "
        f"{sys.executable or 'this interpreter'} cannot import. Run it with Debian's "
        f"interpreter, which has them (apt-get install python3-h5py python3-pandas "
        f"python3-matplotlib python3-xarray python3-h5netcdf python3-scipy): "
        f"{DEFAULT_PYTHON} -m analysis.report results/default.h5")
