"""show version / clock / ip interface brief / interfaces / logging / ntp, parsed by the
stock Genie parsers: values equal the snapshot's, schema keys equal a real sample's."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from genie.libs.parser.ios.show_interface import ShowInterfaces, ShowIpInterfaceBrief
from genie.libs.parser.ios.show_logging import ShowLogging
from genie.libs.parser.ios.show_ntp import ShowNtpAssociations, ShowNtpStatus
from genie.libs.parser.ios.show_platform import ShowVersion
from genie.libs.parser.ios.show_system import ShowClock
from genie.libs.parser.iosxe.show_interface import ShowIpInterfaceBrief as XeShowIpInterfaceBrief
from genie.libs.parser.iosxe.show_platform import ShowVersion as XeShowVersion
from show_genie import genie_expected, parse, parse_golden
from show_snapshots import CSR_17_3, IOL_17_12, IOSV_15_9, NOW, hub1, spoke1_failover, spoke1_up

from flexlab.sim.show import render
from flexlab.sim.state import NodeSnapshot

LOG_LINE = re.compile(r"^\*?[A-Z][a-z]{2} +\d+ \d\d:\d\d:\d\d\.\d{3}: %[A-Z0-9_]+-\d-[A-Z0-9_]+: ")


def _gigabit(snap: NodeSnapshot) -> NodeSnapshot:
    """The same node with IOSv/CSR interface names."""
    def gig(name: str | None) -> str | None:
        return name.replace("Ethernet", "GigabitEthernet") if name else name

    renamed = tuple(replace(i, name=gig(i.name), tunnel_source=gig(i.tunnel_source)) for i in snap.interfaces)
    return replace(snap, interfaces=renamed)


# ---------------------------------------------------------------- show version


def test_show_version_iosv_has_the_real_iosv_schema() -> None:
    snap = _gigabit(hub1(IOSV_15_9))
    parsed = parse(ShowVersion, render(snap, ["show", "version"]))
    golden = parse_golden(ShowVersion, "ios", "ShowVersion", "golden_output_iosv_output.txt")
    assert set(parsed) == set(golden) == {"version"}
    assert set(parsed["version"]) == set(golden["version"])
    version = parsed["version"]
    assert version["version"] == "15.9(3)M10"
    assert version["hostname"] == "hub1"
    assert version["uptime"] == "25 minutes"
    assert version["system_image"] == "flash0:/vios-adventerprisek9-m"
    assert version["chassis_sn"] == "9K66Z7TOKAACDEQA24N7S"
    assert version["number_of_intfs"] == {"Gigabit Ethernet": str(sum(i.kind == "ethernet" for i in snap.interfaces))}


@pytest.mark.parametrize(("info", "parser", "os_name", "golden", "expected"), [
    # expected: hand-written from the image's real `show version` ("..., Version 17.12.1, RELEASE
    # SOFTWARE (fc5)" / IOS XE's IOS line "..., Version 17.3.8, RELEASE SOFTWARE (fc3)", which
    # Genie reads rather than the padded "Cisco IOS XE Software, Version 17.03.08")
    (IOL_17_12, ShowVersion, "ios", "golden_output_iosv_output.txt",
     {"version": "17.12.1", "system_image": "unix:/iol/iol.bin", "os": "IOS"}),
    (CSR_17_3, XeShowVersion, "iosxe", "golden_output_isr4k_output.txt",
     {"version": "17.3.8", "system_image": "bootflash:packages.conf", "os": "IOS-XE"}),
])
def test_show_version_other_images_parse_with_core_fields(info, parser, os_name, golden, expected) -> None:
    parsed = parse(parser, render(spoke1_up(info), ["show", "version"]), os_name)
    reference = parse_golden(parser, os_name, "ShowVersion", golden)
    assert set(parsed) == set(reference) == {"version"}
    core = {"version", "hostname", "uptime", "system_image", "chassis_sn", "rom", "os", "image_id",
            "curr_config_register", "last_reload_reason", "compiled_by", "number_of_intfs"}
    assert core <= set(parsed["version"]) and core <= set(reference["version"])
    assert {key: parsed["version"][key] for key in expected} == expected
    assert parsed["version"]["hostname"] == "spoke1"


# ---------------------------------------------------------------- show clock


@pytest.mark.parametrize(("factory", "prefix"), [(hub1, ""), (spoke1_failover, "*")])
def test_show_clock_parses_and_marks_unsynchronised_clock(factory, prefix: str) -> None:
    snap = factory()
    text = render(snap, ["show", "clock"])
    device_now = snap.device_time(NOW)
    assert text == f"{prefix}{device_now:%H:%M:%S}.{device_now.microsecond // 1000:03d} UTC Fri Nov 27 2026\n"
    parsed = parse(ShowClock, text)
    assert set(parsed) == set(parse_golden(ShowClock, "ios", "ShowClock", "golden_output_output.txt"))
    assert parsed == {
        "time": f"{device_now:%H:%M:%S}.{device_now.microsecond // 1000:03d}",
        "timezone": "UTC", "day_of_week": "Fri", "month": "Nov", "day": "27", "year": "2026",
    }


def test_show_clock_after_ntp_loss_matches_the_real_dot_sample() -> None:
    snap = replace(spoke1_failover(), clock_authoritative=True)
    text = render(snap, ["show", "clock"])
    assert text.startswith(".10:15:53.937 UTC")
    parsed = parse(ShowClock, text)
    assert set(parsed) == set(parse_golden(ShowClock, "iosxe", "ShowClock", "golden_output2_output.txt"))
    assert parsed["time"] == "10:15:53.937"


# ---------------------------------------------------------------- show ip interface brief


@pytest.mark.parametrize("factory", [hub1, spoke1_up, spoke1_failover])
def test_show_ip_interface_brief_values(factory) -> None:
    snap = factory()
    parsed = parse(ShowIpInterfaceBrief, render(snap, ["show", "ip", "interface", "brief"]))
    golden = parse_golden(XeShowIpInterfaceBrief, "iosxe", "ShowIpInterfaceBrief", "golden_output.txt")
    assert set(parsed) == set(golden) == {"interface"}
    golden_entry_keys = {frozenset(entry) for entry in golden["interface"].values()}
    assert {frozenset(entry) for entry in parsed["interface"].values()} == golden_entry_keys
    assert list(parsed["interface"]) == [i.name for i in snap.interfaces]
    for intf in snap.interfaces:
        row = parsed["interface"][intf.name]
        expected_up = intf.admin_up and intf.line_up
        assert row["protocol"] == ("up" if expected_up else "down")
        assert row["method"] == intf.method
        if not intf.admin_up:
            assert row["status"] == "administratively down"
        if intf.address is not None:
            assert row["ip_address"] == str(intf.address)


def test_brief_shows_borrowed_address_of_unnumbered_virtual_access() -> None:
    parsed = parse(ShowIpInterfaceBrief, render(hub1(), ["show", "ip", "interface", "brief"]))["interface"]
    assert parsed["Virtual-Access1"]["ip_address"] == parsed["Loopback1"]["ip_address"] == "172.16.0.1"
    assert parsed["Virtual-Template1"]["status"] == "up"
    assert parsed["Virtual-Template1"]["protocol"] == "down"


def test_brief_uses_iosxe_column_width_on_iosxe() -> None:
    text = render(spoke1_up(CSR_17_3), ["show", "ip", "interface", "brief"])
    assert text.splitlines()[0] == "Interface              IP-Address      OK? Method Status                Protocol"
    parsed = parse(XeShowIpInterfaceBrief, text, "iosxe")
    assert parsed["interface"]["Tunnel1"]["ip_address"] == "172.16.1.1"


# ---------------------------------------------------------------- show interfaces

_CONTENT_DEPENDENT = {"description", "ipv4", "tunnel_protection", "tunnel_profile"}


def test_show_interfaces_schema_per_interface_kind_matches_real_sample() -> None:
    sample = genie_expected("ios", "ShowInterfaces", "golden_output")
    parsed = parse(ShowInterfaces, render(_gigabit(spoke1_up(IOSV_15_9)), ["show", "interfaces"]))
    same_role = [("Tunnel1", "Tunnel0"), ("Loopback1", "Loopback1"), ("GigabitEthernet0/1", "GigabitEthernet0/2")]
    for mine, theirs in same_role:
        assert set(parsed[mine]) - _CONTENT_DEPENDENT == set(sample[theirs]) - _CONTENT_DEPENDENT, mine
        assert set(parsed[mine]["counters"]) == set(sample[theirs]["counters"]), mine
        assert set(parsed[mine]["queues"]) == set(sample[theirs]["queues"]), mine


def test_show_interfaces_tunnel_values() -> None:
    snap = spoke1_up()
    parsed = parse(ShowInterfaces, render(snap, ["show", "interfaces", "Tunnel1"]), interface="Tunnel1")
    tunnel = parsed["Tunnel1"]
    assert tunnel["enabled"] is True and tunnel["line_protocol"] == "up"
    assert tunnel["ipv4"] == {"172.16.1.1/32": {"ip": "172.16.1.1", "prefix_length": "32"}}
    assert tunnel["tunnel_source_ip"] == "100.64.0.10"
    assert tunnel["tunnel_source_interface"] == "Ethernet0/1"
    assert tunnel["tunnel_destination_ip"] == "100.64.0.2"
    assert tunnel["tunnel_protection"] == "IPSec" and tunnel["tunnel_profile"] == "default"
    assert tunnel["delay"] == 20000 and tunnel["bandwidth"] == 100 and tunnel["mtu"] == 17862
    assert tunnel["counters"]["in_pkts"] == 1893 and tunnel["counters"]["out_octets"] == 170640
    assert tunnel["last_input"] == "00:00:02"


def test_show_interfaces_down_tunnel_and_virtual_access() -> None:
    down = parse(ShowInterfaces, render(spoke1_failover(), ["show", "interfaces", "Tunnel1"]))["Tunnel1"]
    assert down["enabled"] is True and down["line_protocol"] == "down"
    assert render(spoke1_failover(), ["show", "interfaces", "Tunnel1"]).startswith(
        "Tunnel1 is up, line protocol is down \n  Hardware is Tunnel\n")
    assert "ipv4" not in down
    hub = parse(ShowInterfaces, render(hub1(), ["show", "interfaces"]))
    for name, peer in [("Virtual-Access1", "100.64.0.10"), ("Virtual-Access2", "100.64.0.14")]:
        assert hub[name]["type"] == "Virtual Access interface"
        assert hub[name]["ipv4"]["unnumbered"] == {"interface_ref": "Loopback1"}
        assert hub[name]["tunnel_destination_ip"] == peer
    assert hub["Ethernet0/0"]["enabled"] is False and hub["Ethernet0/0"]["oper_status"] == "down"
    assert hub["Ethernet0/1"]["mac_address"] == "aabb.cc00.0110"


# ---------------------------------------------------------------- show logging


@pytest.mark.parametrize("factory", [hub1, spoke1_up, spoke1_failover])
def test_show_logging_values_and_schema(factory) -> None:
    snap = factory()
    text = render(snap, ["show", "logging"])
    parsed = parse(ShowLogging, text)
    golden = parse_golden(ShowLogging, "ios", "ShowLogging", "golden_output_6_output.txt")
    assert set(parsed) == set(golden)
    assert set(parsed["logging"]) == set(golden["logging"])
    assert parsed["log_buffer_bytes"] == 64000
    assert parsed["logging"]["buffer"]["messages_logged"] == len(snap.log)
    assert parsed["logging"]["console"] == {"status": "disabled"}
    assert len(parsed["logs"]) == len(snap.log)
    for entry, line in zip(sorted(snap.log, key=lambda e: e.time), parsed["logs"], strict=True):
        assert LOG_LINE.match(line), line
        assert f"%{entry.facility}-{entry.severity}-{entry.mnemonic}: {entry.text.rstrip()}" in line
        synced = entry.synced if entry.synced is not None else snap.clock_synced
        assert line.startswith("*") != synced


def test_failover_log_carries_the_seed_messages_with_unsynced_stamps() -> None:
    lines = render(spoke1_failover(), ["show", "logging"]).splitlines()
    down = [line for line in lines if "FLEXVPN_CONNECTION_DOWN" in line]
    assert down == ["*Nov 27 10:15:13.939: %FLEXVPN-6-FLEXVPN_CONNECTION_DOWN: FlexVPN(Flex_Client) "
                    "Client_public_addr = 100.64.0.10 Server_public_addr = 100.64.0.2"]


def test_log_buffer_keeps_only_the_newest_messages_that_fit() -> None:
    snap = spoke1_failover()
    small = replace(snap, logging=replace(snap.logging, buffered_size=400))
    parsed = parse(ShowLogging, render(small, ["show", "logging"]))
    assert parsed["log_buffer_bytes"] == 400
    assert parsed["logging"]["buffer"]["messages_logged"] == len(snap.log)
    assert 0 < len(parsed["logs"]) < len(snap.log)
    assert sum(len(line) + 1 for line in parsed["logs"]) <= 400
    assert "Interface flap" in parsed["logs"][-1]


# ---------------------------------------------------------------- show ntp


def test_show_ntp_associations_on_client_and_master() -> None:
    sample = genie_expected("ios", "ShowNtpAssociations", "golden_output_1")
    client = parse(ShowNtpAssociations, render(spoke1_up(), ["show", "ntp", "associations"]))
    assert set(client) == set(sample)
    peer = client["peer"]["100.64.0.2"]["local_mode"]["client"]
    assert peer["mode"] == "synchronized" and peer["configured"] is True
    assert (peer["stratum"], peer["receive_time"], peer["poll"], peer["reach"]) == (3, 25, 64, 377)
    assert (peer["delay"], peer["offset"], peer["jitter"]) == (1.0, 0.5, 1.938)
    assert client["clock_state"]["system_status"]["clock_state"] == "synchronized"
    master = parse(ShowNtpAssociations, render(hub1(), ["show", "ntp", "associations"]))
    assert master["peer"]["127.127.1.1"]["local_mode"]["client"]["refid"] == ".LOCL."
    lost = parse(ShowNtpAssociations, render(spoke1_failover(), ["show", "ntp", "associations"]))
    assert lost["clock_state"]["system_status"]["clock_state"] == "unsynchronized"
    assert lost["peer"]["100.64.0.2"]["local_mode"]["client"]["jitter"] == 15937.0


def test_show_ntp_status_values() -> None:
    # The ios samples predate NTPv4's loopfilter line; the iosxe one (same NTPv4 code) has it.
    sample = genie_expected("iosxe", "ShowNtpStatus", "golden_output_1")
    synced = parse(ShowNtpStatus, render(spoke1_up(), ["show", "ntp", "status"]))
    assert set(synced) == set(sample)
    status = synced["clock_state"]["system_status"]
    assert set(status) == set(sample["clock_state"]["system_status"])
    assert (status["status"], status["stratum"], status["refid"]) == ("synchronized", 4, "100.64.0.2")
    assert status["last_update"] == "25 sec ago"
    lost = parse(ShowNtpStatus, render(spoke1_failover(), ["show", "ntp", "status"]))["clock_state"]["system_status"]
    assert (lost["status"], lost["stratum"]) == ("unsynchronized", 16)


def test_ntp_not_configured() -> None:
    snap = replace(spoke1_up(), ntp=None)
    assert render(snap, ["show", "ntp", "associations"]) == "%NTP is not enabled.\n"
