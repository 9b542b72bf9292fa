"""Rendering: the seed's reference lines in every kind's configs, interface names per
kind, secrets handling, the CLI, and drift of the committed reference copies."""

from __future__ import annotations

import filecmp
import re
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest

from flexlab.cli import main, render_cmd
from flexlab.design import EMBEDDED_LAB_SECRETS, DesignError, LabPlan, NodePlan, load_design
from flexlab.labs import clab
from flexlab.render import (
    KINDS,
    REDACTED_PSK,
    RENDERED_DIR,
    RenderError,
    get_kind,
    render_node,
    write_reference_configs,
)

ROOT = Path(__file__).resolve().parents[1]
#: The committed reference copies (outputs of `flexlab render --all-kinds`, in the checkout).
COMMITTED_RENDERED = ROOT / RENDERED_DIR
FIXTURES = Path(__file__).parent / "fixtures"
SEED_EXCERPT = FIXTURES / "seed_116413_excerpt.txt"
SEED_PSK = "cisco"  # the seed's example key; fed through FLEXLAB_PSK like a real one

# The seed's spoke uses Ethernet0/0 as its WAN (tunnel source). Under containerlab the first
# port of every kind is the management port (IOL Ethernet0/0, IOSv Gi0/0, CSR/c8000v Gi1),
# so the design puts the WAN on eth1, which each kind names differently:
SEED_WAN_INTERFACE = "Ethernet0/0"
WAN_INTERFACE = {
    "cisco_iol": "Ethernet0/1",
    "cisco_vios": "GigabitEthernet0/1",
    "cisco_csr1000v": "GigabitEthernet2",
    "cisco_c8000v": "GigabitEthernet2",
}
IPV4 = r"\d{1,3}(?:\.\d{1,3}){3}"

# Seed lines whose address the document blanks out -> the filled line (a regex), from the plan.
SPOKE_BLANKS: dict[str, Callable[[NodePlan, LabPlan], str]] = {
    "peer 1": lambda spoke, plan: rf"peer 1 {re.escape(str(spoke.peers[0]))}",
    "peer 2": lambda spoke, plan: rf"peer 2 {re.escape(str(spoke.peers[1]))}",
    "match identity remote address": lambda spoke, plan: rf"match identity remote address {IPV4}(?: {IPV4})?",
}


def _neighbor_other_hub(rest: str) -> Callable[[NodePlan, LabPlan], str]:
    """The seed's `neighbor <blank> ...` lines name the other hub (the inter-hub iBGP peer)."""
    return lambda hub, plan: rf"neighbor {re.escape(str(hub.other_hub_address))} {re.escape(rest)}"


HUB_BLANKS: dict[str, Callable[[NodePlan, LabPlan], str]] = {
    "bgp listen range peer-group Spokes":
        lambda hub, plan: (
            rf"bgp listen range {re.escape(str(plan.design.model.overlay.listen_range))} peer-group Spokes"
        ),
    **{
        f"neighbor {rest}": _neighbor_other_hub(rest)
        for rest in ("remote-as 65001", "route-reflector-client", "next-hop-self all", "unsuppress-map ALL")
    },
}


def seed_sections() -> dict[str, list[tuple[str, bool]]]:
    """{section: [(stripped line, indented?)]} from the excerpt (indentation is U+00A0)."""
    sections: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    current = ""
    for raw in SEED_EXCERPT.read_text(encoding="utf-8").splitlines():
        if raw.startswith("#") or not raw.strip():
            continue
        if raw.startswith("[") and raw.endswith("]"):
            current = raw[1:-1]
            continue
        sections[current].append((raw.strip(), raw[0].isspace()))
    return sections


def config_blocks(config: str) -> dict[str, list[str]]:
    """{top-level line: [stripped lines indented under it]}; '' holds nothing (top level)."""
    blocks: dict[str, list[str]] = {}
    parent = ""
    for line in config.splitlines():
        if line.strip() in ("", "!"):
            continue
        if line[0].isspace():
            blocks[parent].append(line.strip())
        else:
            parent = line
            blocks.setdefault(line, [])
    return blocks


def assert_in_block(blocks: dict[str, list[str]], parent: str | None, pattern: str, where: str) -> None:
    if parent is None:
        candidates = list(blocks)
    else:
        assert parent in blocks, f"{where}: no '{parent}' section"
        candidates = blocks[parent]
    assert any(re.fullmatch(pattern, line) for line in candidates), (
        f"{where}: no line matching {pattern!r} under {parent!r}"
    )


@pytest.fixture
def plan() -> LabPlan:
    return load_design().plan()


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_seed_spoke_line_is_in_every_rendered_spoke(kind: str, plan: LabPlan, monkeypatch) -> None:
    monkeypatch.setenv("FLEXLAB_PSK", SEED_PSK)
    seed = seed_sections()["spoke"]
    assert len(seed) == 34  # the whole reference block, not a truncated read
    for spoke in plan.spokes:
        blocks = config_blocks(render_node(plan, spoke, kind, "env"))
        parent: str | None = None
        for line, indented in seed:
            if line == f"tunnel source {SEED_WAN_INTERFACE}":
                pattern = re.escape(f"tunnel source {WAN_INTERFACE[kind]}")
            elif line in SPOKE_BLANKS:
                pattern = SPOKE_BLANKS[line](spoke, plan)
            else:
                pattern = re.escape(line)
            assert_in_block(blocks, parent if indented else None, pattern, f"{kind} {spoke.name}")
            if not indented:
                parent = line


@pytest.mark.parametrize("kind", list(KINDS))
def test_seed_hub_bgp_lines_are_in_every_rendered_hub(kind: str, plan: LabPlan) -> None:
    seed = seed_sections()["hub-bgp"]
    assert len(seed) == 11
    router_bgp = f"router bgp {plan.design.model.bgp_as}"
    for hub in plan.hubs:
        blocks = config_blocks(render_node(plan, hub, kind, "redacted"))
        for line, _ in seed:
            # The seed prints the BGP lines and the route-map body without indentation.
            if line.startswith(("bgp ", "neighbor ")):
                parent: str | None = router_bgp
            elif line == "match ip address 1":
                parent = "route-map ALL permit 10"
            else:
                parent = None
            pattern = HUB_BLANKS[line](hub, plan) if line in HUB_BLANKS else re.escape(line)
            assert_in_block(blocks, parent, pattern, f"{kind} {hub.name}")


def test_listen_range_follows_the_peer_group_definition(plan: LabPlan) -> None:
    lines = config_blocks(render_node(plan, plan.hubs[0], "cisco_iol", "redacted"))["router bgp 65001"]
    define = lines.index("neighbor Spokes peer-group")
    listen = next(i for i, line in enumerate(lines) if line.startswith("bgp listen range"))
    assert define < listen


INTERFACE_NAMES = {
    "cisco_iol": [(1, "Ethernet0/1"), (2, "Ethernet0/2"), (3, "Ethernet0/3"), (4, "Ethernet1/0"),
                  (5, "Ethernet1/1"), (8, "Ethernet2/0")],
    "cisco_vios": [(1, "GigabitEthernet0/1"), (2, "GigabitEthernet0/2"), (5, "GigabitEthernet0/5")],
    "cisco_csr1000v": [(1, "GigabitEthernet2"), (2, "GigabitEthernet3"), (5, "GigabitEthernet6")],
    "cisco_c8000v": [(1, "GigabitEthernet2"), (2, "GigabitEthernet3"), (5, "GigabitEthernet6")],
}
MGMT_INTERFACE = {"cisco_iol": "Ethernet0/0", "cisco_vios": "GigabitEthernet0/0",
                  "cisco_csr1000v": "GigabitEthernet1", "cisco_c8000v": "GigabitEthernet1"}


@pytest.mark.parametrize("kind", list(KINDS))
def test_interface_names_follow_the_kind(kind: str) -> None:
    assert [(port, get_kind(kind).ifname(port)) for port, _ in INTERFACE_NAMES[kind]] == INTERFACE_NAMES[kind]


@pytest.mark.parametrize("kind", list(KINDS))
def test_isp_ports_are_configured_and_management_is_left_alone(kind: str) -> None:
    plan = load_design(spokes=4).plan()  # the ISP then has 6 ports: IOL needs slot 1
    for node in plan.nodes:
        blocks = config_blocks(render_node(plan, node, kind, "redacted"))
        assert f"interface {MGMT_INTERFACE[kind]}" not in blocks, f"{node.name} touches the management port"
    isp_blocks = config_blocks(render_node(plan, plan.isp, kind, "redacted"))
    for port in plan.isp.ports:
        body = isp_blocks[f"interface {get_kind(kind).ifname(port.number)}"]
        assert f"ip address {port.address} {port.netmask}" in body


def test_env_secrets_need_the_psk_variable(plan: LabPlan, monkeypatch) -> None:
    monkeypatch.delenv("FLEXLAB_PSK", raising=False)
    with pytest.raises(DesignError, match="FLEXLAB_PSK"):
        render_node(plan, plan.spokes[0], "cisco_iol", "env")


def test_psk_comes_from_the_environment_and_redacted_hides_it(plan: LabPlan, monkeypatch) -> None:
    monkeypatch.setenv("FLEXLAB_PSK", "s3cret-from-env")
    with_env = render_node(plan, plan.hubs[0], "cisco_iol", "env")
    redacted = render_node(plan, plan.hubs[0], "cisco_iol", "redacted")
    assert "pre-shared-key local s3cret-from-env" in with_env
    assert "s3cret-from-env" not in redacted and f"pre-shared-key remote {REDACTED_PSK}" in redacted


def test_embedded_mode_falls_back_to_the_lab_default(plan: LabPlan, monkeypatch) -> None:
    monkeypatch.delenv("FLEXLAB_PSK", raising=False)
    text = render_node(plan, plan.spokes[0], "cisco_iol", "embedded")
    assert f"pre-shared-key local {EMBEDDED_LAB_SECRETS['psk']}" in text


def test_committed_copies_hold_no_secret() -> None:
    files = sorted(COMMITTED_RENDERED.glob("*/*.cfg"))
    assert len(files) == len(KINDS) * 5
    for path in files:
        text = path.read_text()
        assert EMBEDDED_LAB_SECRETS["psk"] not in text, path
        for line in text.splitlines():
            if "pre-shared-key" in line:
                assert line.endswith(f" {REDACTED_PSK}"), f"{path}: {line}"


def test_cli_render_writes_every_node(tmp_path: Path) -> None:
    code = main(["render", "--kind", "cisco_vios", "--out", str(tmp_path), "--secrets", "redacted", "--spokes", "3"])
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{n}.cfg" for n in ("isp", "hub1", "hub2", "spoke1", "spoke2", "spoke3"))
    assert "interface GigabitEthernet0/1" in (tmp_path / "spoke3.cfg").read_text()


def test_cli_render_for_containerlab_names_files_as_the_kind_needs(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FLEXLAB_PSK", "lab-psk")
    assert main(["render", "--kind", "cisco_iol", "--lab", "--out", str(tmp_path / "iol")]) == 0
    assert main(["render", "--kind", "cisco_csr1000v", "--lab", "--out", str(tmp_path / "csr")]) == 0
    assert main(["render", "--kind", "cisco_vios", "--lab", "--out", str(tmp_path / "vios")]) == 0
    # IOL and vIOS: containerlab appends a ".partial" config to its management bootstrap
    # (mgmt VRF, SSH); a full config would replace it and leave the router unreachable.
    assert (tmp_path / "iol" / "hub1.partial.cfg").is_file() and not (tmp_path / "iol" / "hub1.cfg").exists()
    assert (tmp_path / "vios" / "hub1.partial.cfg").is_file() and not (tmp_path / "vios" / "hub1.cfg").exists()
    assert (tmp_path / "csr" / "hub1.cfg").is_file()
    assert "pre-shared-key local lab-psk" in (tmp_path / "iol" / "hub1.partial.cfg").read_text()


def test_cli_render_without_psk_names_the_variable(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.delenv("FLEXLAB_PSK", raising=False)
    assert main(["render", "--kind", "cisco_iol", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("flexlab: error: ") and "FLEXLAB_PSK" in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("extra", [["--out", "x"], ["--spokes", "3"], ["--secrets", "env"], ["--lab"]])
def test_cli_all_kinds_refuses_options_that_would_change_the_copies(extra: list[str], capsys) -> None:
    assert main(["render", "--all-kinds", *extra]) == 2
    assert extra[0] in capsys.readouterr().err


def _assert_same_tree(generated: Path, committed: Path, what: str) -> None:
    fix = "run `flexlab render --all-kinds` (it rewrites configs/rendered/ and topologies/) and commit the result"
    names_generated = sorted(p.name for p in generated.iterdir())
    names_committed = sorted(p.name for p in committed.iterdir()) if committed.is_dir() else []
    assert names_generated == names_committed, f"{what}: files differ from the design; {fix}"
    for name in names_generated:
        assert filecmp.cmp(generated / name, committed / name, shallow=False), f"{what}/{name} drifted; {fix}"


def test_committed_configs_and_topologies_match_the_templates(plan: LabPlan, tmp_path: Path) -> None:
    """Drift check: regenerate everything into a copy of the repo layout and compare bytes."""
    rendered = tmp_path / "configs" / "rendered"
    write_reference_configs(plan, rendered)
    topologies = tmp_path / "topologies"
    clab.write_reference_topologies(plan, topologies, tmp_path / "configs" / "lab")
    for kind in KINDS:
        _assert_same_tree(rendered / kind, COMMITTED_RENDERED / kind, f"configs/rendered/{kind}")
    committed_topologies = sorted((ROOT / clab.TOPOLOGY_DIR).glob("*.clab.yml"))
    assert sorted(p.name for p in committed_topologies) == sorted(p.name for p in topologies.iterdir())
    for path in committed_topologies:
        assert filecmp.cmp(topologies / path.name, path, shallow=False), (
            f"topologies/{path.name} drifted; run `flexlab render --all-kinds` and commit the result")


def test_reference_refresh_removes_stale_configs(plan: LabPlan, tmp_path: Path) -> None:
    write_reference_configs(load_design(spokes=3).plan(), tmp_path)
    write_reference_configs(plan, tmp_path)
    assert not (tmp_path / "cisco_iol" / "spoke3.cfg").exists()
    assert (tmp_path / "cisco_iol" / "spoke2.cfg").is_file()


def test_more_ports_than_the_image_offers_is_refused(capsys, tmp_path: Path) -> None:
    # IOSv: Gi0/0 management + 15 data ports; 14 spokes + 2 hubs need 16 on the ISP router.
    plan = load_design(spokes=14).plan()
    with pytest.raises(RenderError, match="isp needs 16 data ports but cisco_vios offers 15"):
        render_node(plan, plan.isp, "cisco_vios", "redacted")
    assert main(["render", "--kind", "cisco_vios", "--spokes", "14", "--secrets", "redacted",
                 "--out", str(tmp_path / "o")]) == 2
    assert "cisco_vios offers 15" in capsys.readouterr().err
    fits = load_design(spokes=13).plan()  # 15 ports on the ISP router: the most IOSv offers
    assert "interface GigabitEthernet0/15" in render_node(fits, fits.isp, "cisco_vios", "redacted")


def test_cli_render_into_the_lab_directory_uses_containerlab_names(tmp_path: Path, monkeypatch) -> None:
    """`--out configs/lab/<kind>` (the directory the topology points at) implies --lab."""
    monkeypatch.setattr(render_cmd, "LAB_CONFIG_DIR", tmp_path / "configs" / "lab")
    monkeypatch.chdir(tmp_path)
    assert main(["render", "--kind", "cisco_iol", "--out", "configs/lab/cisco_iol", "--secrets", "redacted"]) == 0
    assert sorted(p.name for p in (tmp_path / "configs" / "lab" / "cisco_iol").iterdir())[0] == "hub1.partial.cfg"
