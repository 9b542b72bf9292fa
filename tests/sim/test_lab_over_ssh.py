"""The embedded lab driven only as a user drives it: `flexlab lab` commands and SSH (unicon).

One lab for the module (time scale 50). Each test leaves the lab as it found it: every
hub up, every spoke on its peer 1.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import asyncssh
import pytest
from sshlabkit import embedded_testbed, flexlab, wait_lab

from flexlab.bound import dpd_bound, dpd_trigger_traffic, parse_dpd_config, traffic_period_s
from flexlab.harness import reads
from flexlab.syslog_events import parse_log, recognise

pytestmark = pytest.mark.slow  # starts the embedded lab and talks to it over SSH (docs/mutation.md)

SCALE = 50.0
HUB1_WAN, HUB2_WAN = "100.64.0.2", "100.64.0.6"


_flexlab = flexlab


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with embedded_testbed(tmp_path_factory.mktemp("lab"), "ssh", SCALE, ("hub1", "hub2", "spoke1", "spoke2")) as lab:
        yield lab


def _wait(check, device_seconds: float, what: str):
    """Poll ``check`` (returns a truthy value when done) for device_seconds of lab time."""
    return wait_lab(check, device_seconds, SCALE, what)


def _client(device) -> dict:
    return next(iter(device.parse("show crypto ikev2 client flexvpn").values()))


def _on_peer(device, peer: str):
    client = _client(device)
    return client["current_state"] == "ACTIVE" and client.get("peer") == peer


def _bgp_prefixes(device) -> set[str]:
    """BGP routes in the routing table (`show ip route bgp`): what the router learned."""
    return {str(prefix) for prefix in reads.bgp_routes(device)}


def _sla_successes(device) -> int:
    """Probes of the spoke's IP SLA operations answered so far (`show ip sla statistics`)."""
    return sum(int(probe["no_of_success"]) for probe in device.parse("show ip sla statistics")["ids"].values())


def _send_home(spoke) -> None:
    spoke.execute("clear crypto ikev2 sa")


def test_baseline_through_genie(lab):
    testbed, _ = lab
    spoke1, spoke2, hub1 = (testbed.devices[n] for n in ("spoke1", "spoke2", "hub1"))
    _wait(lambda: _on_peer(spoke1, HUB1_WAN) and _on_peer(spoke2, HUB2_WAN), 120, "spokes on peer 1")
    summary = spoke1.parse("show ip bgp summary")["vrf"]["default"]["neighbor"]["172.16.0.1"]
    assert next(iter(summary["address_family"].values()))["state_pfxrcd"] == "1"
    assert _bgp_prefixes(spoke1) == {"10.0.0.0/8"}
    assert {"10.1.1.0/24", "10.1.2.0/24"} <= _bgp_prefixes(hub1)


@pytest.mark.parametrize("dpd", ["10 2 periodic", "10 2 on-demand", "30 5 periodic"])
def test_failover_time_follows_the_configured_dpd(lab, dpd):
    testbed, env = lab
    spoke1, hub1 = testbed.devices["spoke1"], testbed.devices["hub1"]
    spoke1.configure([f"crypto ikev2 dpd {dpd}"])
    _send_home(spoke1)
    _wait(lambda: _on_peer(spoke1, HUB1_WAN), 120, "spoke1 back on hub1")
    # steady operation before the failure: a probe answered by hub1 through the new SA
    answered = _sla_successes(spoke1)
    _wait(lambda: _sla_successes(spoke1) > answered, 30, "an IP SLA probe answered through the new SA")
    hub1.configure(["interface Ethernet0/1", "shutdown"])
    try:
        _wait(lambda: _on_peer(spoke1, HUB2_WAN), 300, f"spoke1 on hub2 with dpd {dpd}")
    finally:
        hub1.configure(["interface Ethernet0/1", "no shutdown"])
    config = spoke1.execute("show running-config").replace("\r", "")
    bound = dpd_bound(parse_dpd_config(config),
                      traffic_period_s(dpd_trigger_traffic(config, "172.16.0.1")))
    truth = json.loads(_flexlab(env, "lab", "truth", "--name", "ssh", "--json"))
    down = [e for e in truth if e["node"] == "hub1" and e["kind"] == "interface-admin-down"][-1]
    up = next(e for e in truth if e["node"] == "spoke1" and e["kind"] == "flexvpn-up"
              and e["time"] > down["time"] and e["peer_node"] == "hub2")
    dead = next(e for e in truth if e["node"] == "spoke1" and e["kind"] == "dpd-peer-dead" and e["time"] > down["time"])
    interval, retry, _mode = dpd.split()
    failover = up["time"] - down["time"]
    # declared dead (N+1)*R after the first unanswered R-U-THERE, which follows I s of silence;
    # the last answer came at most one SLA period (5 s) before the failure
    assert failover <= bound.total_s
    assert dead["time"] - down["time"] >= int(interval) + 6 * int(retry) - 5
    assert failover >= dead["time"] - down["time"]
    spoke1.configure(["crypto ikev2 dpd 30 5 on-demand"])
    _send_home(spoke1)
    _wait(lambda: _on_peer(spoke1, HUB1_WAN), 120, "spoke1 back on hub1")


def test_removing_summary_only_leaks_specifics_and_restoring_withdraws_them(lab):
    testbed, _ = lab
    hubs = [testbed.devices["hub1"], testbed.devices["hub2"]]
    spoke1 = testbed.devices["spoke1"]
    for hub in hubs:
        hub.configure(["router bgp 65001", "no aggregate-address 10.0.0.0 255.0.0.0 summary-only",
                       "aggregate-address 10.0.0.0 255.0.0.0"])
    try:
        leaked = _wait(lambda: _bgp_prefixes(spoke1) - {"10.0.0.0/8"}, 60, "specifics on spoke1")
        assert "10.1.2.0/24" in leaked
    finally:
        for hub in hubs:
            hub.configure(["router bgp 65001", "aggregate-address 10.0.0.0 255.0.0.0 summary-only"])
    _wait(lambda: _bgp_prefixes(spoke1) == {"10.0.0.0/8"}, 60, "only the summary again")


def test_wrong_psk_on_hub_makes_the_client_skip_it(lab):
    testbed, _ = lab
    hub1, spoke1 = testbed.devices["hub1"], testbed.devices["spoke1"]
    hub1.configure(["crypto ikev2 keyring Flex_key", "peer Spokes", "pre-shared-key local wrong-key",
                    "pre-shared-key remote wrong-key"])
    try:
        _send_home(spoke1)
        _wait(lambda: _on_peer(spoke1, HUB2_WAN), 120, "spoke1 skips hub1 and lands on hub2")
        log = spoke1.execute("show logging")
        reference = dt.datetime.now()
        events = [recognise(e) for e in parse_log(log, reference)]
        assert any(getattr(e, "server_public_addr", None) == HUB2_WAN and e.state == "UP" for e in events if e)
    finally:
        hub1.configure(["crypto ikev2 keyring Flex_key", "peer Spokes", "pre-shared-key local flexlab-lab-psk",
                        "pre-shared-key remote flexlab-lab-psk"])
    _send_home(spoke1)
    _wait(lambda: _on_peer(spoke1, HUB1_WAN), 120, "spoke1 back on hub1")


def test_bad_input_gets_ios_errors_and_the_lab_keeps_running(lab):
    testbed, env = lab
    spoke2 = testbed.devices["spoke2"]
    garbage = spoke2.execute("show crypto ikev3 sa", error_pattern=[])
    assert "% Invalid input detected at '^' marker." in garbage
    assert "% Incomplete command." in spoke2.execute("show ip", error_pattern=[])
    port = testbed.devices["spoke2"].connections["cli"]["port"]

    async def wrong_password_then_abrupt_disconnect() -> None:
        with pytest.raises(asyncssh.PermissionDenied):
            await asyncssh.connect("127.0.0.1", port, username="admin", password="nope", known_hosts=None)
        conn = await asyncssh.connect("127.0.0.1", port, username="admin", password="admin", known_hosts=None)
        process = await conn.create_process(term_type="vt100")
        process.stdin.write("show ip bg")  # half a command, then the connection drops
        conn.abort()

    asyncio.run(wrong_password_then_abrupt_disconnect())
    assert _on_peer(spoke2, HUB2_WAN)
    assert "spoke2" in _flexlab(env, "lab", "status", "--name", "ssh")
