"""The command-line parser of the Python commands `orgsim` runs (report, discover, calibrate).

Their messages start as the engine's do (docs/RELIABILITY.md): `orgsim: error:` for bad input
or usage (exit 2), `orgsim: failed:` for a failure while running (exit 1).
"""

import argparse
import sys


class Parser(argparse.ArgumentParser):
    """argparse with the engine's error line: "orgsim: error: MESSAGE (see PROG --help)"."""

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(2, f"orgsim: error: {message} (see {self.prog} --help)\n")
