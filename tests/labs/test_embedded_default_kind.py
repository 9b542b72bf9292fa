"""The default embedded lab takes the kind it is asked for: the design rendered with that
kind's interface names, startup-config file names and node kind, as containerlab would get it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from flexlab.labs.base import LabError
from flexlab.labs.embedded import UpOptions, check_up_options
from flexlab.labs.embedded_default import write_default_topology

#: hub1's WAN port per kind, from containerlab's interface mapping (eth1 is the first data port):
#: IOL eth1 = Ethernet0/1, vIOS eth1 = GigabitEthernet0/1, CSR1000v eth1 = GigabitEthernet2.
WAN_PORT = {"cisco_iol": "Ethernet0/1", "cisco_vios": "GigabitEthernet0/1", "cisco_csr1000v": "GigabitEthernet2"}
#: Which kinds containerlab feeds a partial startup config (`<node>.partial.cfg`).
PARTIAL = {"cisco_iol": True, "cisco_vios": True, "cisco_csr1000v": False}


@pytest.mark.parametrize("kind", sorted(WAN_PORT))
def test_the_design_is_written_for_the_kind_asked(tmp_path: Path, kind: str) -> None:
    path = write_default_topology(tmp_path, profile="csr-17.3", design=None, spokes=None, config_dir=None,
                                  name="k", kind=kind)
    topology = yaml.safe_load(path.read_text())
    nodes = topology["topology"]["nodes"]
    assert {node["kind"] for node in nodes.values()} == {kind}
    config_name = "hub1.partial.cfg" if PARTIAL[kind] else "hub1.cfg"
    assert nodes["hub1"]["startup-config"] == f"configs/{kind}/{config_name}"
    hub1 = (tmp_path / "configs" / kind / config_name).read_text()
    assert f"interface {WAN_PORT[kind]}\n description WAN to isp" in hub1


def test_an_unknown_kind_is_refused_before_anything_starts() -> None:
    with pytest.raises(LabError, match="--kind 'cisco_nxos': unknown kind"):
        check_up_options(UpOptions(kind="cisco_nxos"))
    with pytest.raises(LabError, match="--kind cannot go with a topology file"):
        check_up_options(UpOptions(kind="cisco_iol", topology=Path("x.clab.yml")))
