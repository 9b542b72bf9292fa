"""containerlab topologies (schema, content) and the wrappers around the executable,
exercised against a stand-in `containerlab` script (tests/fixtures/bin/containerlab)."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import regex
import yaml

from flexlab.cli import main
from flexlab.design import LabPlan, load_design
from flexlab.labs import clab
from flexlab.packaged import EXAMPLE_TOPOLOGY_DIR
from flexlab.render import KINDS, LAB_CONFIG_DIR, RENDERED_DIR, RenderError, get_kind

ROOT = Path(__file__).resolve().parents[1]
#: The committed reference topologies (outputs of `flexlab render --all-kinds`, in the checkout).
COMMITTED_TOPOLOGIES = ROOT / clab.TOPOLOGY_DIR
FIXTURES = Path(__file__).parent / "fixtures"
FAKE_BIN = FIXTURES / "bin"
INSPECT_NEW = FIXTURES / "inspect-0.68-flexvpn-iol.json"
INSPECT_OLD = FIXTURES / "inspect-pre0.68-flexvpn-csr1000v.json"
# containerlab's own schema (v0.79), vendored unmodified: see fixtures/containerlab/SOURCE.txt.
SCHEMA_PATH = FIXTURES / "containerlab" / "clab.schema.json"


def _pattern(validator: Any, pattern: str, instance: Any, schema: dict[str, Any]) -> Any:
    """JSON Schema ``pattern`` with the ``regex`` module: the schema's address patterns use
    ``\\p{N}\\p{L}`` (Go's RE2 and ECMA-262 accept them; Python's ``re`` does not)."""
    if validator.is_type(instance, "string") and not regex.search(pattern, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


#: Draft 7 as containerlab's schema declares it, with Unicode property escapes in patterns.
ClabValidator = jsonschema.validators.extend(jsonschema.Draft7Validator, {"pattern": _pattern})


@pytest.fixture(scope="module")
def validator() -> Any:
    # iter_errors, not jsonschema.validate(): check_schema compiles the patterns with Python's re
    # (facts.md section 6).
    return ClabValidator(json.loads(SCHEMA_PATH.read_text()))


def schema_errors(validator: Any, doc: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


@pytest.fixture
def plan() -> LabPlan:
    return load_design().plan()


@pytest.fixture
def fake_clab(tmp_path: Path, monkeypatch) -> Path:
    """Put the stand-in containerlab first on PATH; returns the file its calls are logged to."""
    argv_file = tmp_path / "containerlab.argv"
    monkeypatch.setenv("PATH", f"{FAKE_BIN}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_CLAB_ARGV_FILE", str(argv_file))
    monkeypatch.delenv(clab.CONTAINERLAB_ENV, raising=False)
    for name in ("FAKE_CLAB_STDOUT", "FAKE_CLAB_STDERR", "FAKE_CLAB_EXIT", "FAKE_CLAB_SLEEP"):
        monkeypatch.delenv(name, raising=False)
    return argv_file


def calls(argv_file: Path) -> list[list[str]]:
    return [line.split("\t") for line in argv_file.read_text().splitlines()]


# --- topologies -------------------------------------------------------------------------

@pytest.mark.parametrize("kind", clab.TOPOLOGY_KINDS)
def test_committed_topology_validates_against_the_schema(kind: str, validator) -> None:
    doc = yaml.safe_load(clab.topology_path(kind, COMMITTED_TOPOLOGIES).read_text())
    assert schema_errors(validator, doc) == []


@pytest.mark.parametrize("path", sorted(EXAMPLE_TOPOLOGY_DIR.glob("*.clab.yml")),
                         ids=lambda p: p.name)
def test_example_topologies_validate_against_the_schema(path: Path, validator) -> None:
    assert schema_errors(validator, yaml.safe_load(path.read_text())) == []


def test_c8000v_topology_validates_too(plan: LabPlan, validator) -> None:
    assert schema_errors(validator, clab.build_topology(plan, "cisco_c8000v", "../configs/lab/cisco_c8000v")) == []


@pytest.mark.parametrize(
    "breakage",
    ["unknown kind", "unknown top-level key", "unknown node key", "bad node name", "links not a list",
     "bad management address"],
)
def test_broken_topology_is_caught_by_the_schema(breakage: str, plan: LabPlan, validator) -> None:
    doc = copy.deepcopy(clab.build_topology(plan, "cisco_iol", "../configs/lab/cisco_iol"))
    if breakage == "unknown kind":
        doc["topology"]["nodes"]["hub1"]["kind"] = "cisco_ios_classic"
    elif breakage == "unknown top-level key":
        doc["topologgy"] = {}
    elif breakage == "unknown node key":
        doc["topology"]["nodes"]["hub1"]["startup-cfg"] = "x.cfg"
    elif breakage == "bad node name":
        doc["topology"]["nodes"]["hub 1"] = doc["topology"]["nodes"].pop("hub1")
    elif breakage == "bad management address":
        doc["topology"]["nodes"]["hub1"]["mgmt-ipv4"] = "172.20.30.256"
    else:
        doc["topology"]["links"] = {"isp": "hub1"}
    assert schema_errors(validator, doc), f"{breakage} was not reported"


@pytest.mark.parametrize("kind", clab.TOPOLOGY_KINDS)
def test_topology_holds_the_design_nodes_and_links(kind: str, plan: LabPlan) -> None:
    doc = yaml.safe_load(clab.topology_path(kind, COMMITTED_TOPOLOGIES).read_text())
    assert doc["name"] == clab.lab_name(plan, kind)
    assert doc["mgmt"] == {"network": clab.MGMT_NETWORK, "ipv4-subnet": clab.MGMT_IPV4_SUBNET}
    nodes = doc["topology"]["nodes"]
    assert list(nodes) == [n.name for n in plan.nodes]
    assert {n["kind"] for n in nodes.values()} == {kind}
    expected_links = [[f"{link.a}:eth{link.a_port}", f"{link.b}:eth{link.b_port}"] for link in plan.links]
    assert [link["endpoints"] for link in doc["topology"]["links"]] == expected_links
    k = get_kind(kind)
    assert doc["topology"]["defaults"]["image"] == f"${{{k.image_env}:={k.default_image}}}"


@pytest.mark.parametrize("kind", clab.TOPOLOGY_KINDS)
def test_startup_configs_point_at_the_lab_configs_not_the_redacted_copies(kind: str) -> None:
    path = clab.topology_path(kind, COMMITTED_TOPOLOGIES)
    doc = yaml.safe_load(path.read_text())
    for name, node in doc["topology"]["nodes"].items():
        target = (path.parent / node["startup-config"]).resolve()
        assert target.parent == (ROOT / LAB_CONFIG_DIR / kind).resolve(), node["startup-config"]
        assert (ROOT / RENDERED_DIR).resolve() not in target.parents
        # IOL and vIOS (containerlab >= 0.72): containerlab only appends its mgmt/SSH
        # bootstrap when the name has ".partial" (nodes/iol/iol.go, nodes/cisco_vios/cisco-vios.go).
        suffix = ".partial.cfg" if kind in ("cisco_iol", "cisco_vios") else ".cfg"
        assert target.name == f"{name}{suffix}"


@pytest.mark.parametrize("kind", clab.TOPOLOGY_KINDS)
def test_every_node_has_a_fixed_management_address_in_the_lab_subnet(kind: str) -> None:
    # Docker would otherwise pick the address; `containerlab stop/start` could then change it.
    nodes = yaml.safe_load(clab.topology_path(kind, COMMITTED_TOPOLOGIES).read_text())["topology"]["nodes"]
    addresses = [node["mgmt-ipv4"] for node in nodes.values()]
    assert addresses == ["172.20.30.11", "172.20.30.12", "172.20.30.13", "172.20.30.14", "172.20.30.15"]


def test_more_nodes_than_management_addresses_is_a_clear_error() -> None:
    with pytest.raises(clab.ClabError, match="245 nodes do not fit the management subnet 172.20.30.0/24"):
        clab.mgmt_addresses([f"n{i}" for i in range(245)])


def test_c8000v_refuses_more_spokes_than_its_nine_data_nics(tmp_path: Path) -> None:
    # vrnetlab c8000v: GigabitEthernet1 is management, at most 9 data NICs; the ISP router
    # needs one per hub and spoke, so 7 spokes fit and the 8th does not.
    assert main(["topology", "--kind", "cisco_c8000v", "-o", str(tmp_path / "c8k.clab.yml"), "--spokes", "7"]) == 0
    with pytest.raises(RenderError, match="isp"):
        clab.build_topology(load_design(spokes=8).plan(), "cisco_c8000v", "x")


def test_topology_command_writes_paths_relative_to_the_output(tmp_path: Path, plan: LabPlan) -> None:
    out = tmp_path / "labs" / "my.clab.yml"
    configs = tmp_path / "secret-configs"
    assert main(["topology", "--kind", "cisco_vios", "-o", str(out), "--lab-config-dir", str(configs),
                 "--spokes", "3"]) == 0
    doc = yaml.safe_load(out.read_text())
    assert "spoke3" in doc["topology"]["nodes"]
    assert (out.parent / doc["topology"]["nodes"]["hub1"]["startup-config"]).resolve() == \
        (configs / "cisco_vios" / "hub1.partial.cfg").resolve()


def test_unknown_kind_is_a_clear_error(plan: LabPlan) -> None:
    with pytest.raises(RenderError, match="unknown containerlab kind 'cisco_nxos'"):
        clab.build_topology(plan, "cisco_nxos", "x")


# --- inspect parsing --------------------------------------------------------------------

def test_parse_inspect_new_format() -> None:
    nodes = clab.parse_inspect(INSPECT_NEW.read_text())
    assert [n.name for n in nodes] == ["hub1", "hub2", "isp", "spoke1", "spoke2"]  # sorted by container
    hub1 = nodes[0]
    assert (hub1.container, hub1.lab, hub1.kind, hub1.mgmt_ipv4) == (
        "clab-flexvpn-iol-hub1", "flexvpn-iol", "cisco_iol", "172.20.30.12")
    # absLabPath, not labPath (relative to where inspect ran): fail/restore work from any directory
    assert hub1.lab_path == "/home/lab/flexlab/topologies/flexvpn-cisco_iol.clab.yml"


def test_parse_inspect_pre_068_format() -> None:
    nodes = clab.parse_inspect(INSPECT_OLD.read_text())
    assert [n.name for n in nodes] == ["hub1", "hub2", "isp", "spoke1", "spoke2"]
    assert {n.kind for n in nodes} == {"cisco_csr1000v"}
    assert nodes[2].mgmt_ipv4 == "172.20.30.12" and nodes[2].lab == "flexvpn-csr1000v"


def test_parse_inspect_takes_the_lab_from_the_key_when_entries_lack_it() -> None:
    data = {"mylab": [{"name": "clab-mylab-hub1", "kind": "cisco_iol", "ipv4_address": "172.20.30.9/24"}]}
    (node,) = clab.parse_inspect(json.dumps(data))
    assert (node.name, node.lab, node.mgmt_ipv4) == ("hub1", "mylab", "172.20.30.9")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("containerlab: command output\n", "not JSON"),
        ("{}", "lists no nodes"),
        ('{"containers": []}', "lists no nodes"),
        ('{"flexvpn-iol": []}', "lists no nodes"),
        ('"text"', "must be a JSON object or list"),
        ('{"lab": {"name": "x"}}', "should hold a list"),
        ('{"containers": [{"kind": "cisco_iol"}]}', "has no 'name'"),
    ],
)
def test_parse_inspect_errors(text: str, message: str) -> None:
    with pytest.raises(clab.ClabError, match=message):
        clab.parse_inspect(text)


# --- running containerlab ---------------------------------------------------------------

def test_wrappers_pass_the_right_arguments(fake_clab: Path) -> None:
    topo = Path("topologies/flexvpn-cisco_iol.clab.yml")
    clab.deploy(topo)
    clab.deploy(topo, reconfigure=True)
    clab.stop_node(topo, "hub1")
    clab.start_node(topo, "hub1")
    clab.destroy(topo)
    assert calls(fake_clab) == [
        ["deploy", "-t", str(topo)],
        ["deploy", "-t", str(topo), "--reconfigure"],
        ["stop", "-t", str(topo), "--node", "hub1"],
        ["start", "-t", str(topo), "--node", "hub1"],
        ["destroy", "-t", str(topo), "--cleanup"],
    ]


@pytest.mark.parametrize("sample", [INSPECT_NEW, INSPECT_OLD])
def test_inspect_runs_containerlab_and_parses_its_json(sample: Path, fake_clab: Path, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_CLAB_STDOUT", str(sample))
    nodes = clab.inspect(Path("lab.clab.yml"))
    assert calls(fake_clab) == [["inspect", "-t", "lab.clab.yml", "--format", "json"]]
    assert len(nodes) == 5 and all(n.mgmt_ipv4 for n in nodes)


def test_missing_executable_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no containerlab anywhere
    monkeypatch.delenv(clab.CONTAINERLAB_ENV, raising=False)
    with pytest.raises(clab.ClabError, match="'containerlab' executable not found on PATH"):
        clab.deploy(Path("x.clab.yml"))


def test_command_override_from_the_environment(fake_clab: Path, monkeypatch) -> None:
    monkeypatch.setenv(clab.CONTAINERLAB_ENV, "containerlab --log-level debug")
    clab.destroy(Path("x.clab.yml"), cleanup=False)
    assert calls(fake_clab) == [["--log-level", "debug", "destroy", "-t", "x.clab.yml"]]


def test_nonzero_exit_reports_stderr(fake_clab: Path, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_CLAB_EXIT", "1")
    monkeypatch.setenv("FAKE_CLAB_STDERR", "Error: no containers found for lab flexvpn-iol")
    with pytest.raises(clab.ClabError, match=r"failed with exit code 1: Error: no containers found for lab"):
        clab.inspect(Path("topologies/flexvpn-cisco_iol.clab.yml"))


def test_timeout_is_reported(fake_clab: Path, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_CLAB_SLEEP", "30")
    with pytest.raises(clab.ClabError, match=r"'containerlab stop -t x.clab.yml --node hub2' timed out after 0.5 s"):
        clab.stop_node(Path("x.clab.yml"), "hub2", timeout=0.5)


def test_every_kind_has_a_lab_name(plan: LabPlan) -> None:
    assert {clab.lab_name(plan, k) for k in KINDS} == {
        "flexvpn-iol",
        "flexvpn-vios",
        "flexvpn-csr1000v",
        "flexvpn-c8000v",
    }


def test_topology_beyond_the_kind_ports_is_refused(capsys, tmp_path: Path) -> None:
    assert main(["topology", "--kind", "cisco_vios", "--spokes", "14", "-o", str(tmp_path / "t.clab.yml")]) == 2
    assert "cisco_vios offers 15" in capsys.readouterr().err and not (tmp_path / "t.clab.yml").exists()


# --- the installed containerlab: version and permissions ----------------------------------

@pytest.mark.parametrize(
    ("version", "kinds", "modes", "expected"),
    [
        ((0, 79, 0), {"cisco_vios", "cisco_iol"}, {"node-stop"}, []),
        ((0, 72, 0), {"cisco_vios"}, {"interface-shutdown"}, []),
        ((0, 71, 3), {"cisco_iol"}, {"freeze"}, []),
        ((0, 71, 3), {"cisco_vios"}, {"freeze"}, ["containerlab 0.71.3 is too old for cisco_vios: it needs >= 0.72"]),
        ((0, 74, 1), {"cisco_iol"}, {"node-stop"}, ["containerlab 0.74.1 has no `stop/start --node`"]),
    ],
)
def test_version_problems(version, kinds, modes, expected: list[str]) -> None:
    problems = clab.version_problems(version, kinds, modes)
    assert len(problems) == len(expected)
    assert all(problem.startswith(prefix) for problem, prefix in zip(problems, expected, strict=True))


def test_check_version_reads_containerlab_version_json(fake_clab: Path, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_CLAB_VERSION", "0.71.0")
    assert clab.check_version({"cisco_iol"}, {"interface-shutdown"}) == (0, 71, 0)
    with pytest.raises(clab.ClabError, match=r"containerlab 0\.71\.0 is too old for cisco_vios"):
        clab.check_version({"cisco_vios"}, {"interface-shutdown"})
    assert calls(fake_clab) == [["version", "--json"]] * 2


@pytest.mark.parametrize("text", ["not json", '{"commit": "x"}', '{"version": "latest"}'])
def test_unreadable_version_output_is_a_clear_error(text: str) -> None:
    with pytest.raises(clab.ClabError, match="cannot read the version"):
        clab.parse_version(text)


def test_deploy_without_root_fails_with_containerlab_s_own_message(fake_clab: Path, monkeypatch) -> None:
    # deploy/destroy/stop/start/netem need root or the SUID binary (utils/sudo.go); inspect does not
    monkeypatch.setenv("FAKE_CLAB_EUID", "1000")
    with pytest.raises(clab.ClabError, match="requires root privileges or root via SUID"):
        clab.deploy(Path("x.clab.yml"))
    assert clab.inspect_json(Path("x.clab.yml")).strip() == "{}"


def test_inspect_of_a_lab_that_is_not_deployed(fake_clab: Path) -> None:
    # containerlab 0.68+ prints {} and exits 0 when no container matches
    with pytest.raises(clab.ClabError, match="lists no nodes: is the lab deployed"):
        clab.inspect(Path("topologies/flexvpn-cisco_iol.clab.yml"))


def test_stand_in_refuses_unknown_flags_like_containerlab(fake_clab: Path) -> None:
    with pytest.raises(clab.ClabError, match="exit code 1: Error: unrecognized arguments: --cleanupp"):
        clab.run_containerlab(["destroy", "-t", "x.clab.yml", "--cleanupp"])
