"""Boot-time config loading: the kind's bootstrap, the default loader, the CLI's interpreter."""

from __future__ import annotations

from pathlib import Path

from flexlab.kinds import KINDS
from flexlab.sim.boot import boot_text
from flexlab.sim.engine.lab import Lab
from flexlab.sim.engine.loader import lines_after_end
from flexlab.sim.shell import apply_config_text
from flexlab.sim.topology import Topology, TopoNode

PARTIAL = TopoNode("r1", KINDS["cisco_iol"], "vrnetlab/cisco_iol:17.12.01", startup_config=Path("/c/r1.partial.cfg"))
FULL = TopoNode("r1", KINDS["cisco_iol"], "vrnetlab/cisco_iol:17.12.01", startup_config=Path("/c/r1.cfg"))
CSR_FULL = TopoNode("r1", KINDS["cisco_csr1000v"], "vrnetlab/cisco_csr1000v:17.03.08", startup_config=Path("/c/r1.cfg"))


def test_a_partial_config_follows_the_bootstrap_and_its_user() -> None:
    text = boot_text(PARTIAL, "interface Ethernet0/1\n no shutdown\nend\n", ("admin", "pw"))
    lines = text.splitlines()
    assert lines[0] == "hostname r1"
    assert lines.index("username admin privilege 15 secret pw") < lines.index("interface Ethernet0/1")


def test_a_full_config_replaces_the_iol_bootstrap_but_not_the_csr_one() -> None:
    config = "hostname core\nend\n"
    assert boot_text(FULL, config, ("admin", "pw")) == config          # no login: as on a real cisco_iol
    csr = boot_text(CSR_FULL, config, ("admin", "pw")).splitlines()     # vrnetlab: bootstrap + config
    assert "username admin privilege 15 password pw" in csr and csr[-2:] == ["hostname core", "end"]


def test_bootstrap_user_comes_before_the_partial_so_text_after_its_end_cannot_lock_the_login_out() -> None:
    text = boot_text(PARTIAL, "hostname r1\nend\nusername evil privilege 15 secret 0 evil\n", ("admin", "pw"))
    lines = text.splitlines()
    assert lines.index("username admin privilege 15 secret pw") < lines.index("end")
    assert lines_after_end(text) == 1   # the evil user (the bootstrap's closing `end` changes nothing)
    assert lines_after_end("hostname r1\nend\n!\n\n") == 0


def test_lab_boots_through_the_cli_interpreter(design_topology: Topology) -> None:
    lab = Lab(design_topology, config_loader=apply_config_text)
    lab.boot()
    assert lab.boot_errors == {}
    lab.run_for(30)
    snap = lab.nodes["spoke1"].snapshot()
    assert snap.flex_clients[0].state == "ACTIVE"
    assert [str(r.prefix) for r in snap.routes if r.code == "B"] == ["10.0.0.0/8"]
    assert lab.nodes["hub1"].check_login("admin", "admin")
