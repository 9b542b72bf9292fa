"""Section-wise replace: lines the router runs but the file lacks are negated."""

from flexlab.design import load_design
from flexlab.harness.config_replace import removal_commands
from flexlab.render import render_node


def _hub1() -> str:
    plan = load_design().plan()
    return render_node(plan, plan.node("hub1"), "cisco_iol", "redacted")


def test_identical_config_needs_nothing():
    assert removal_commands(_hub1(), _hub1()) == []


def test_line_missing_from_the_file_is_negated_inside_its_block():
    running = _hub1()
    target = running.replace(
        " aggregate-address 10.0.0.0 255.0.0.0 summary-only\n", " aggregate-address 10.0.0.0 255.0.0.0\n"
    )
    assert removal_commands(running, target) == [
        "router bgp 65001", "no aggregate-address 10.0.0.0 255.0.0.0 summary-only", "exit",
    ]


def test_top_level_lines_and_blocks_missing_from_the_file_are_removed():
    running = _hub1() + "ip sla 99\n icmp-echo 1.1.1.1\nip route 10.9.9.0 255.255.255.0 100.64.0.1\n"
    assert removal_commands(running, _hub1()) == ["no ip sla 99", "no ip route 10.9.9.0 255.255.255.0 100.64.0.1"]


def test_physical_interfaces_are_emptied_not_removed_and_unmanaged_lines_kept():
    running = _hub1() + "username admin privilege 15 secret admin\n"
    target = _hub1().replace("interface Ethernet0/2\n description DC link to hub2\n", "interface Ethernet0/2\n")
    commands = removal_commands(running, target)
    assert commands == ["interface Ethernet0/2", "no description DC link to hub2", "exit"]
    gone = _hub1().replace("interface Ethernet0/2\n", "interface Ethernet0/9\n")
    assert "no interface Ethernet0/2" not in removal_commands(_hub1(), gone)
