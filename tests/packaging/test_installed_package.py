"""flexlab installed from its wheel into a fresh venv, used from outside the checkout:
`flexlab demo` passes from an empty directory and `flexlab init proj` writes a starter project
that renders, with the job, templates, design and testbed the wheel installed (not the checkout's).

The fresh venv reaches the shared dependencies (pyATS, Genie, ...) through a .pth file that
lists this venv's site-packages: plain path lines in a .pth go on sys.path, but .pth files
inside that directory are not processed, so this venv's editable hook to a checkout stays off.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHECKOUT = Path(__file__).resolve().parents[2]
#: What the wheel must carry besides the modules (the package's inputs), by hand.
SHIPPED = [
    "flexlab/templates/hub.j2", "flexlab/templates/spoke.j2", "flexlab/templates/isp.j2",
    "flexlab/templates/_common.j2", "flexlab/data/design.yaml", "flexlab/data/matrices/embedded.yaml",
    "flexlab/data/matrices/matrix.yaml", "flexlab/data/testbeds/embedded.yaml",
    "flexlab/topologies/examples/flexvpn-3hubs.clab.yml", "flexlab/topologies/examples/flexvpn-3hubs/hub1.partial.cfg",
    "flexlab/job/flexvpn_failover_job.py", "flexlab/job/flexvpn_failover.py",
]


def _build_wheel(tmp: Path) -> Path:
    """The wheel of a copy of the checkout's package sources (the build leaves nothing in the checkout)."""
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(CHECKOUT / name, source / name)
    shutil.copytree(CHECKOUT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", str(source),
                    "-w", str(tmp / "dist")], check=True, capture_output=True, timeout=120)
    (wheel,) = (tmp / "dist").glob("flexlab-*.whl")
    return wheel


def _fresh_venv(tmp: Path, wheel: Path) -> Path:
    """A venv with only the wheel installed; the shared dependencies on sys.path, pyats launched by its Python."""
    root = tmp / "venv"
    venv.create(root, with_pip=False)
    python = root / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    (Path(purelib) / "shared-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)],
                   check=True, capture_output=True, timeout=120)
    # what `pip install` of pyATS would put into the venv: its launcher, run by the venv's Python
    launcher = root / "bin" / "pyats"
    launcher.write_text(f"#!{python}\nimport sys\nfrom pyats.cli.__main__ import main\nsys.exit(main())\n")
    launcher.chmod(0o755)
    return root


def _environment(venv_root: Path, state: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "VIRTUAL_ENV") and not key.startswith("FLEXLAB_")}
    outer_bin = str(Path(sys.executable).parent)
    path = [entry for entry in env.get("PATH", "").split(os.pathsep) if entry and entry != outer_bin]
    env["PATH"] = os.pathsep.join([str(venv_root / "bin"), *path])
    env["FLEXLAB_STATE_DIR"] = str(state)
    return env


def test_the_installed_package_inits_a_project_and_passes_the_demo(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    assert not set(SHIPPED) - set(zipfile.ZipFile(wheel).namelist())
    root = _fresh_venv(tmp_path, wheel)
    work = tmp_path / "work"
    work.mkdir()
    env = _environment(root, tmp_path / "state")

    imported = subprocess.run([str(root / "bin" / "python"), "-c", "import flexlab; print(flexlab.__file__)"],
                              cwd=work, env=env, check=True, capture_output=True, text=True).stdout.strip()
    assert Path(imported).is_relative_to(root), imported

    flexlab = str(root / "bin" / "flexlab")
    assert not any(work.iterdir())   # the demo starts from an empty directory
    demo = subprocess.run([flexlab, "demo"], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    (command,) = [line for line in demo.stdout.splitlines() if line.startswith("running: ")]
    job_file = Path(command.split()[4])
    assert job_file.name == "flexvpn_failover_job.py"
    assert job_file.is_relative_to(root) and not job_file.is_relative_to(CHECKOUT), job_file
    report = json.loads((work / "reports" / "demo" / "failover_report.json").read_text())
    assert report["passed"] is True
    assert "verdict: PASS" in demo.stdout

    init = subprocess.run([flexlab, "init", "proj"], cwd=work, env=env, capture_output=True, text=True, timeout=60)
    assert init.returncode == 0, init.stderr
    project = work / "proj"
    assert {p.name for p in project.iterdir()} == {"design.yaml", "matrix.yaml", "testbed.yaml", "README.md"}
    assert "bgp_as: 65001" in (project / "design.yaml").read_text()   # the reference design (seed: AS 65001)
    # the starter design renders with the templates the wheel installed
    render = subprocess.run([flexlab, "render", "--design", "design.yaml", "--kind", "cisco_iol", "--out",
                             "configs/cisco_iol", "--secrets", "redacted"], cwd=project, env=env,
                            capture_output=True, text=True, timeout=60)
    assert render.returncode == 0, render.stderr
    spoke1 = (project / "configs" / "cisco_iol" / "spoke1.cfg").read_text()
    assert "crypto ikev2 dpd 30 5 on-demand" in spoke1   # the seed's DPD line
