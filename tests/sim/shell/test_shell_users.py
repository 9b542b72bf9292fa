"""`show users` from the vty lines the SSH server attaches sessions to."""

from __future__ import annotations

from ntc_templates.parse import parse_output

from flexlab.sim.shell import CliSession, vty_lines


def test_show_users_lists_the_open_vtys_and_marks_the_own(make_fake_device) -> None:
    device = make_fake_device("r1")
    own, other = CliSession(device, username="admin"), CliSession(device, username="ops")
    own.vty_entry = vty_lines.attach(device, "admin", "127.0.0.1")
    other.vty_entry = vty_lines.attach(device, "ops", "192.0.2.9")
    text = own.execute("show users").output
    rows = {
        row["line"].lstrip("* "): row for row in parse_output(platform="cisco_ios", command="show users", data=text)
    }
    assert rows["2 vty 0"]["user"] == "admin" and rows["2 vty 0"]["location"] == "127.0.0.1"
    assert rows["3 vty 1"]["user"] == "ops" and rows["3 vty 1"]["location"] == "192.0.2.9"
    assert [line for line in text.splitlines() if line.startswith("*")] == [
        line for line in text.splitlines() if "admin" in line
    ]


def test_a_freed_vty_is_reused_lowest_first(make_fake_device) -> None:
    device = make_fake_device("r2")
    first = vty_lines.attach(device, "a", "")
    second = vty_lines.attach(device, "b", "")
    vty_lines.detach(device, first)
    third = vty_lines.attach(device, "c", "")
    assert (second.vty, third.vty) == (1, 0)
    assert [e.username for e in vty_lines.in_use(device)] == ["c", "b"]
    vty_lines.detach(device, second)
    vty_lines.detach(device, third)
    assert vty_lines.in_use(device) == []


def test_other_devices_do_not_share_lines(make_fake_device) -> None:
    one, two = make_fake_device("r3"), make_fake_device("r4")
    entry = vty_lines.attach(one, "a", "")
    assert vty_lines.in_use(two) == []
    vty_lines.detach(two, entry)              # not this device's: nothing happens
    assert vty_lines.in_use(one) == [entry]
    vty_lines.detach(one, entry)
