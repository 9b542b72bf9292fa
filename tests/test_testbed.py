"""pyATS testbed generation from containerlab inspect output (both JSON layouts)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pyats.topology import loader

from flexlab.cli import main
from flexlab.labs.clab import ClabError
from flexlab.labs.clab_testbed import SSH_OPTIONS, TestbedError, from_inspect, write_testbed
from flexlab.render import KINDS

FIXTURES = Path(__file__).parent / "fixtures"
FAKE_BIN = FIXTURES / "bin"
INSPECT_NEW = FIXTURES / "inspect-0.68-flexvpn-iol.json"
INSPECT_OLD = FIXTURES / "inspect-pre0.68-flexvpn-csr1000v.json"
CREDENTIALS = {"FLEXLAB_USERNAME": "admin", "FLEXLAB_PASSWORD": "lab-pass", "FLEXLAB_ENABLE": "lab-enable"}
EXPECTED_OS = {
    "cisco_iol": ("ios", "iol"),
    "cisco_vios": ("ios", "iosv"),
    "cisco_csr1000v": ("iosxe", "csr1000v"),
    "cisco_c8000v": ("iosxe", "c8000v"),
}


def entry(lab: str, node: str, kind: str, ip: str = "172.20.30.7/24") -> dict[str, str]:
    return {"lab_name": lab, "name": f"clab-{lab}-{node}", "kind": kind, "state": "running", "ipv4_address": ip}


@pytest.fixture
def credentials(monkeypatch) -> None:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)


def test_new_format_gives_one_device_per_node() -> None:
    testbed = from_inspect(INSPECT_NEW.read_text())
    devices = testbed["devices"]
    # containerlab sorts inspect rows by container name; the address is the topology's mgmt-ipv4
    assert list(devices) == ["hub1", "hub2", "isp", "spoke1", "spoke2"]
    assert devices["hub1"]["connections"]["cli"] == {
        "protocol": "ssh", "ip": "172.20.30.12", "port": 22, "ssh_options": SSH_OPTIONS}
    assert (devices["hub1"]["os"], devices["hub1"]["platform"]) == ("ios", "iol")
    assert testbed["testbed"]["custom"] == {"flexlab": {
        "lab": "containerlab", "name": "flexvpn-iol", "kind": "cisco_iol", "image": "vrnetlab/cisco_iol:17.12.01",
        "topology": "/home/lab/flexlab/topologies/flexvpn-cisco_iol.clab.yml"}}  # absLabPath
    # The failover job finds the hubs through device.custom.role.
    assert {name: d["custom"]["role"] for name, d in devices.items()} == {
        "isp": "isp", "hub1": "hub", "hub2": "hub", "spoke1": "spoke", "spoke2": "spoke"}
    assert testbed["testbed"]["credentials"] == {
        "default": {"username": "%ENV{FLEXLAB_USERNAME}", "password": "%ENV{FLEXLAB_PASSWORD}"},
        "enable": {"password": "%ENV{FLEXLAB_ENABLE}"},
    }


def test_pre_068_format_gives_the_same_shape() -> None:
    testbed = from_inspect(INSPECT_OLD.read_text())
    assert list(testbed["devices"]) == ["hub1", "hub2", "isp", "spoke1", "spoke2"]
    spoke2 = testbed["devices"]["spoke2"]
    assert (spoke2["os"], spoke2["platform"], spoke2["connections"]["cli"]["ip"]) == (
        "iosxe",
        "csr1000v",
        "172.20.30.16",
    )
    assert testbed["testbed"]["custom"]["flexlab"]["name"] == "flexvpn-csr1000v"


@pytest.mark.parametrize("kind", list(KINDS))
def test_os_and_platform_follow_the_kind(kind: str) -> None:
    text = json.dumps({"lab": [entry("lab", "hub1", kind)]})
    device = from_inspect(text)["devices"]["hub1"]
    assert (device["os"], device["platform"]) == EXPECTED_OS[kind]


def test_unknown_kind_names_node_and_kind() -> None:
    text = json.dumps({"lab": [entry("lab", "hub1", "cisco_iol"), entry("lab", "client", "linux")]})
    with pytest.raises(TestbedError, match=r"node 'client' .* has kind 'linux'"):
        from_inspect(text)


def test_node_without_address_is_reported() -> None:
    text = json.dumps({"lab": [entry("lab", "hub1", "cisco_iol", ip="N/A")]})
    with pytest.raises(TestbedError, match=r"node 'hub1' .* has no management IPv4 address"):
        from_inspect(text)


@pytest.mark.parametrize(
    ("text", "message"), [("not json at all", "not JSON"), ('{"containers": []}', "lists no nodes")]
)
def test_malformed_inspect_output(text: str, message: str) -> None:
    with pytest.raises(ClabError, match=message):
        from_inspect(text)


@pytest.mark.parametrize("sample", [INSPECT_NEW, INSPECT_OLD])
def test_written_testbed_loads_with_pyats(sample: Path, tmp_path: Path, credentials) -> None:
    path = write_testbed(from_inspect(sample.read_text()), tmp_path / "testbed.yaml")
    testbed = loader.load(str(path))
    assert sorted(testbed.devices) == ["hub1", "hub2", "isp", "spoke1", "spoke2"]
    hub1 = testbed.devices["hub1"]
    assert hub1.connections.cli.protocol == "ssh" and hub1.connections.cli.port == 22
    assert hub1.credentials.default.username == "admin"
    assert hub1.credentials.default.password.plaintext == "lab-pass"
    assert hub1.credentials.enable.password.plaintext == "lab-enable"
    assert testbed.custom["flexlab"]["lab"] == "containerlab" and hub1.custom["role"] == "hub"


@pytest.mark.parametrize("sample", [INSPECT_NEW, INSPECT_OLD])
def test_written_testbed_passes_pyats_validate(sample: Path, tmp_path: Path) -> None:
    path = write_testbed(from_inspect(sample.read_text()), tmp_path / "testbed.yaml")
    pyats = Path(sys.executable).with_name("pyats")
    result = subprocess.run(
        [str(pyats), "validate", "testbed", str(path)],
        capture_output=True, text=True, timeout=120, env={**os.environ, **CREDENTIALS},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Errors" not in output and "Testbed Devices" in output, output
    assert all(f"-- {name} [" in output for name in ("isp", "hub1", "hub2", "spoke1", "spoke2")), output


def test_cli_from_inspect_file(tmp_path: Path, capsys) -> None:
    out = tmp_path / "tb" / "flexvpn-iol.yaml"
    assert main(["testbed", "--from-inspect", str(INSPECT_NEW), "-o", str(out)]) == 0
    assert yaml.safe_load(out.read_text())["devices"]["spoke1"]["connections"]["cli"]["ip"] == "172.20.30.14"


def test_cli_from_inspect_errors_are_one_line(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "inspect.json"
    bad.write_text(json.dumps({"lab": [entry("lab", "pc", "linux")]}))
    assert main(["testbed", "--from-inspect", str(bad), "-o", str(tmp_path / "tb.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("flexlab: error: ") and "'linux'" in err and err.count("\n") == 1
    assert not (tmp_path / "tb.yaml").exists()


def test_cli_lab_runs_containerlab_inspect(tmp_path: Path, monkeypatch) -> None:
    argv_file = tmp_path / "argv"
    monkeypatch.setenv("PATH", f"{FAKE_BIN}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_CLAB_ARGV_FILE", str(argv_file))
    monkeypatch.setenv("FAKE_CLAB_STDOUT", str(INSPECT_OLD))
    monkeypatch.delenv("FLEXLAB_CONTAINERLAB", raising=False)
    topology = tmp_path / "flexvpn-cisco_csr1000v.clab.yml"
    topology.write_text("name: flexvpn-csr1000v\n")
    out = tmp_path / "testbed.yaml"
    assert main(["testbed", "--lab", str(topology), "-o", str(out)]) == 0
    assert argv_file.read_text().splitlines() == ["\t".join(["inspect", "-t", str(topology), "--format", "json"])]
    testbed = yaml.safe_load(out.read_text())
    assert testbed["testbed"]["custom"]["flexlab"]["topology"] == str(topology)
    assert testbed["devices"]["hub2"]["platform"] == "csr1000v"


def test_cli_lab_needs_an_existing_topology(tmp_path: Path, capsys) -> None:
    assert main(["testbed", "--lab", str(tmp_path / "absent.clab.yml"), "-o", str(tmp_path / "tb.yaml")]) == 2
    assert "does not exist" in capsys.readouterr().err
