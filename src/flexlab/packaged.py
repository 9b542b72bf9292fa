"""The files flexlab ships inside the package (importlib.resources), each named once.

Inputs only: the Jinja2 templates, the default design, the certification matrices, the
embedded lab's testbed, the example topologies and the aetest job. What flexlab writes
(rendered configs, lab configs, topologies, reports) goes under the user's project
directory (the working directory) or the state directory, never into the package.

pip installs a package as plain files, so every resource is a real path, which ``pyats run
job`` and Jinja2's loader need (the job also needs its testscript beside it, which
``importlib.resources.as_file`` cannot give for a directory before Python 3.12). A zipped
install is not supported: importing this module raises PackageDataError.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from flexlab.errors import FlexlabError


class PackageDataError(FlexlabError):
    """A shipped file is not on disk (flexlab imported from a zip)."""


def on_disk(resource: Traversable) -> Path:
    """``resource`` as a file-system path; PackageDataError when it is inside a zip."""
    if isinstance(resource, Path):
        return resource
    raise PackageDataError(f"{resource} is not a file on disk: install flexlab with pip (not as a zip)")


PACKAGE = files("flexlab")

TEMPLATE_DIR = on_disk(PACKAGE / "templates")
DEFAULT_DESIGN = on_disk(PACKAGE / "data" / "design.yaml")
MATRIX_DIR = on_disk(PACKAGE / "data" / "matrices")
#: The embedded lab's matrix (CI runs it) and the containerlab one (real images).
EMBEDDED_MATRIX = MATRIX_DIR / "embedded.yaml"
CONTAINERLAB_MATRIX = MATRIX_DIR / "matrix.yaml"
#: The testbed of the default embedded lab (fixed ports, documented logins): `flexlab demo`.
EMBEDDED_TESTBED = on_disk(PACKAGE / "data" / "testbeds" / "embedded.yaml")
EXAMPLE_TOPOLOGY_DIR = on_disk(PACKAGE / "topologies" / "examples")
JOB_DIR = on_disk(files("flexlab.job"))
JOB_FILE = JOB_DIR / "flexvpn_failover_job.py"
TESTSCRIPT = JOB_DIR / "flexvpn_failover.py"
