"""Running-config reads used by the job."""

from ipaddress import IPv4Address as A

from flexlab.design import load_design
from flexlab.harness import reads
from flexlab.render import render_node


def _config(node: str, kind: str = "cisco_iol") -> str:
    plan = load_design().plan()
    return render_node(plan, plan.node(node), kind, "redacted")


def test_configured_peers_in_preference_order():
    assert reads.configured_peers(_config("spoke1")) == [A("100.64.0.2"), A("100.64.0.6")]
    assert reads.configured_peers(_config("spoke2")) == [A("100.64.0.6"), A("100.64.0.2")]
    shuffled = "crypto ikev2 client flexvpn X\n peer 2 1.1.1.2\n peer 1 1.1.1.1\n client connect Tunnel1\n"
    assert reads.configured_peers(shuffled) == [A("1.1.1.1"), A("1.1.1.2")]
    assert reads.configured_peers(_config("hub1")) == []


def test_peer_reactivate_detected_only_inside_client_block():
    assert not reads.has_peer_reactivate(_config("spoke1"))
    text = _config("spoke1").replace(" client connect Tunnel1", " peer reactivate\n client connect Tunnel1")
    assert reads.has_peer_reactivate(text)


def test_tunnel_source_interface_per_kind():
    assert reads.tunnel_source_interface(_config("hub1")) == "Ethernet0/1"
    assert reads.tunnel_source_interface(_config("hub1", "cisco_csr1000v")) == "GigabitEthernet2"
    assert reads.tunnel_source_interface(_config("isp")) is None
