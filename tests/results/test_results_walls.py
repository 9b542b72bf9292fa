"""flexlab.results is neutral ground: importing it loads neither the harness, certify nor the simulator."""

from __future__ import annotations

import subprocess
import sys

PROBE = ("import sys, flexlab.results.schema, flexlab.results.versioning; "
         "print(sorted(m for m in sys.modules if m.startswith(('flexlab.harness', 'flexlab.certify', 'flexlab.sim'))))")


def test_results_import_neither_harness_certify_nor_sim() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
