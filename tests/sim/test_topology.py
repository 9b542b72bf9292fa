"""Reading a topology file as containerlab does: inheritance, env substitution, startup-config
paths, interface aliases per kind (mappings hand-derived from containerlab's node drivers),
image profiles and roles."""

from __future__ import annotations

from pathlib import Path

import pytest

from flexlab.sim.boot import BootError, image_profile, lab_kind, role
from flexlab.sim.topology import TopologyError, load_topology

HUB_CONFIG = "router bgp 65001\n bgp listen range 172.16.0.0/16 peer-group Spokes\n!\nend\n"
SPOKE_CONFIG = "crypto ikev2 client flexvpn Flex_Client\n peer 1 100.64.0.2\n!\nend\n"


def _write(tmp_path: Path, text: str, name: str = "lab.clab.yml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _two_nodes(kind: str, image: str, a_if: str, b_if: str) -> str:
    return (f"name: t\ntopology:\n  defaults: {{kind: {kind}, image: '{image}'}}\n  nodes:\n    a: {{}}\n    b: {{}}\n"
            f"  links:\n  - endpoints: ['a:{a_if}', 'b:{b_if}']\n")


@pytest.mark.parametrize(("kind", "image", "a_if", "b_if", "expected"), [
    # IOL: eth index = slot*4 + port; eth4 is the first port of slot 1
    ("cisco_iol", "vrnetlab/cisco_iol:17.12.01", "eth4", "Ethernet1/2",
     [("a", 4, "Ethernet1/0"), ("b", 6, "Ethernet1/2")]),
    ("cisco_iol", "vrnetlab/cisco_iol:17.12.01", "e0/3", "eth1", [("a", 3, "Ethernet0/3"), ("b", 1, "Ethernet0/1")]),
    # vIOS: GiX -> eth(X+1) (containerlab's offset 0), ethN -> GigabitEthernet0/N
    ("cisco_vios", "vrnetlab/cisco_vios:159-3.M10", "Gi0", "GigabitEthernet 2",
     [("a", 1, "GigabitEthernet0/1"), ("b", 3, "GigabitEthernet0/3")]),
    # CSR: GiX -> eth(X-1), ethN -> GigabitEthernet(N+1)
    ("cisco_csr1000v", "vrnetlab/cisco_csr1000v:17.03.08", "Gi2", "eth3",
     [("a", 1, "GigabitEthernet2"), ("b", 3, "GigabitEthernet4")]),
])
def test_link_endpoints_map_to_the_kinds_interface_names(tmp_path, kind, image, a_if, b_if, expected):
    topology = load_topology(_write(tmp_path, _two_nodes(kind, image, a_if, b_if)))
    [(a, b)] = topology.links
    assert [(p.node, p.index, p.ifname) for p in (a, b)] == expected


@pytest.mark.parametrize(("kind", "interface", "cause"), [
    ("cisco_iol", "Ethernet0/0", "not a cisco_iol data interface"),     # the management port
    ("cisco_iol", "eth0", "not a cisco_iol data interface"),
    ("cisco_vios", "GigabitEthernet0/1", "not a cisco_vios data interface"),   # containerlab refuses it too
    ("cisco_csr1000v", "Gi1", "not a cisco_csr1000v data interface"),  # GigabitEthernet1 is management
    ("cisco_c8000v", "eth10", "beyond the 9 data ports"),
])
def test_interfaces_a_kind_does_not_offer_are_refused(tmp_path, kind, interface, cause):
    path = _write(tmp_path, _two_nodes(kind, "x/y:1", interface, "eth1"))
    with pytest.raises(TopologyError, match=cause) as error:
        load_topology(path)
    assert str(error.value).startswith(f"{path}: topology.links[0].endpoints[0]: a: ")


def test_fields_inherit_node_group_kind_defaults_and_env_defaults_apply(tmp_path, monkeypatch):
    monkeypatch.delenv("T_IMAGE", raising=False)
    monkeypatch.setenv("T_SET", "flexlab/sim:csr-17.3")
    (tmp_path / "cfg").mkdir()
    for name in ("a", "b", "c"):
        (tmp_path / "cfg" / f"{name}.partial.cfg").write_text("hostname x\n")
    path = _write(tmp_path, """name: t
topology:
  defaults: {kind: cisco_csr1000v, image: '${T_IMAGE:=flexlab/sim:iol-17.12}', labels: {site: lab, tier: d}}
  kinds:
    cisco_csr1000v: {image: '${T_SET:=nope}', startup-config: cfg/__clabNodeName__.partial.cfg}
  groups:
    edge: {image: 'flexlab/sim:ios-15.2m', labels: {tier: edge}}
  nodes:
    a: {}
    b: {group: edge}
    c: {image: 'vrnetlab/cisco_csr1000v:17.03.08', labels: {flexlab-role: hub}}
""")
    nodes = load_topology(path).nodes
    assert [nodes[n].image for n in "abc"] == ["flexlab/sim:csr-17.3", "flexlab/sim:ios-15.2m",
                                               "vrnetlab/cisco_csr1000v:17.03.08"]
    assert nodes["a"].startup_config == tmp_path / "cfg" / "a.partial.cfg" and nodes["a"].partial
    assert nodes["b"].labels == {"site": "lab", "tier": "edge"}
    assert nodes["c"].labels == {"site": "lab", "tier": "d", "flexlab-role": "hub"}


def test_committed_topology_with_an_image_from_the_environment(tmp_path, monkeypatch):
    """topologies/flexvpn-cisco_iol.clab.yml: ${FLEXLAB_IOL_IMAGE:=...} picks the profile."""
    root = Path(__file__).resolve().parents[2]
    text = (root / "topologies" / "flexvpn-cisco_iol.clab.yml").read_text()
    config_dir = tmp_path / "configs" / "lab" / "cisco_iol"
    config_dir.mkdir(parents=True)
    for name in ("isp", "hub1", "hub2", "spoke1", "spoke2"):
        (config_dir / f"{name}.partial.cfg").write_text("end\n")
    (tmp_path / "topologies").mkdir()
    path = _write(tmp_path / "topologies", text)   # startup-configs: ../configs/lab/cisco_iol/<node>.partial.cfg
    monkeypatch.delenv("FLEXLAB_IOL_IMAGE", raising=False)
    topology = load_topology(path)
    assert (topology.name, lab_kind(topology), image_profile(topology).name) == (
        "flexvpn-iol",
        "cisco_iol",
        "iol-17.12",
    )
    assert [(p.node, p.ifname) for p in topology.ports("isp")] == [
        ("isp", "Ethernet0/1"), ("isp", "Ethernet0/2"), ("isp", "Ethernet0/3"), ("isp", "Ethernet1/0")]
    monkeypatch.setenv("FLEXLAB_IOL_IMAGE", "flexlab/sim:iol-17.12-dpd-bug")
    assert image_profile(load_topology(path)).name == "iol-17.12-dpd-bug"


def test_one_image_and_one_kind_per_lab(tmp_path):
    mixed_images = _write(tmp_path, "name: t\ntopology:\n  nodes:\n"
                          "    a: {kind: cisco_iol, image: 'flexlab/sim:iol-17.12'}\n"
                          "    b: {kind: cisco_iol, image: 'flexlab/sim:csr-17.3'}\n", "i.clab.yml")
    with pytest.raises(BootError, match="one image per lab"):
        image_profile(load_topology(mixed_images))
    mixed_kinds = _write(tmp_path, "name: t\ntopology:\n  defaults: {image: 'flexlab/sim:iol-17.12'}\n  nodes:\n"
                         "    a: {kind: cisco_iol}\n    b: {kind: cisco_vios}\n", "k.clab.yml")
    with pytest.raises(BootError, match="one kind per lab"):
        lab_kind(load_topology(mixed_kinds))


def test_inline_config_is_partial_and_links_to_the_host_are_left_out(tmp_path):
    path = _write(tmp_path, """name: t
topology:
  nodes:
    a:
      kind: cisco_iol
      image: flexlab/sim:iol-17.12
      startup-config: |
        interface Ethernet0/1
         no shutdown
  links:
  - type: veth
    endpoints: [{node: a, interface: eth1}, {node: host, interface: veth-a}]
""")
    topology = load_topology(path)
    assert topology.nodes["a"].partial
    assert topology.nodes["a"].startup_text(topology.source).startswith("interface Ethernet0/1")
    assert topology.links == ()


@pytest.mark.parametrize(("config", "labels", "expected"), [
    (HUB_CONFIG, {}, "hub"),
    ("crypto ikev2 authorization policy default\n pool FlexSpokes\n!\nend\n", {}, "hub"),
    (SPOKE_CONFIG, {}, "spoke"),
    ("hostname isp\nend\n", {}, "router"),
    ("hostname isp\nend\n", {"flexlab-role": "isp"}, "isp"),
])
def test_role_comes_from_the_label_else_the_flexvpn_config(tmp_path, config, labels, expected):
    label_text = f", labels: {labels}" if labels else ""
    path = _write(tmp_path, f"name: t\ntopology:\n  nodes:\n    r: {{kind: cisco_iol, image: x{label_text}}}\n")
    assert role(load_topology(path).nodes["r"], config) == expected
