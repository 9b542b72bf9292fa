"""Startup config and `reload` on a router of the embedded lab, typed on its CLI (test mode)."""

from __future__ import annotations

import re
from collections.abc import Callable

from flexlab.sim.engine.images import get_image
from flexlab.sim.engine.lab import Lab
from flexlab.sim.shell import CliSession

IOL_RELOAD_S = get_image("iol-17.12").timing.reload_s
HUB1_WAN = "100.64.0.2"


def type_lines(session: CliSession, *lines: str) -> list[str]:
    return [session.prompt + line + "\n" + session.execute(line).output for line in lines]


def add_loopback(session: CliSession) -> None:
    type_lines(session, "configure terminal", "interface Loopback55", "ip address 10.55.0.1 255.255.255.255", "end")


def test_show_startup_config_is_what_was_saved(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab(settle=10.0)
    session = CliSession(lab.nodes["spoke1"], username="admin")
    add_loopback(session)
    assert "Loopback55" not in session.execute("show startup-config").output
    assert type_lines(session, "write memory")[0].endswith("Building configuration...\n[OK]\n")
    shown = session.execute("show startup-config").output
    header, _, body = shown.partition("\n")
    assert re.fullmatch(r"Using (\d+) out of 262144 bytes", header)
    assert int(header.split()[1]) == len(body.partition("!\n")[2])    # the bytes below the header's "!"
    assert " ip address 10.55.0.1 255.255.255.255\n" in body and body.endswith("end\n")


def test_reload_asks_to_save_then_boots_without_the_unsaved_change(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab(settle=100.0)
    node = lab.nodes["spoke1"]
    session = CliSession(node, username="admin")
    add_loopback(session)
    assert session.execute("reload").output == ""
    assert session.prompt == "System configuration has been modified. Save? [yes/no]: "
    assert session.execute("maybe").output == "% Please answer 'yes' or 'no'.\n"
    assert session.execute("no").output == ""
    assert session.prompt == "Proceed with reload? [confirm]"
    asked = lab.now()
    assert session.execute("").close
    assert not node.responsive
    lab.run_for(IOL_RELOAD_S - 0.5)
    assert not node.responsive                       # down for the image's boot time
    lab.run_for(1.0)
    assert node.responsive and node.booted == asked + IOL_RELOAD_S
    assert "Loopback55" not in CliSession(node, username="admin").execute("show running-config").output
    lab.run_for(120.0)                               # and it joins the overlay again
    assert any(e.kind == "flexvpn-up" and e.node == "spoke1" and e.time > node.booted for e in lab.truth())


def test_a_saved_change_survives_the_reload(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab(settle=10.0)
    node = lab.nodes["spoke1"]
    session = CliSession(node, username="admin")
    add_loopback(session)
    session.execute("reload")
    assert session.execute("yes").output == "Building configuration...\n[OK]\n"
    assert session.execute("y").close
    lab.run_for(IOL_RELOAD_S + 1.0)
    shown = CliSession(node, username="admin").execute("show running-config").output
    assert "interface Loopback55\n ip address 10.55.0.1 255.255.255.255\n" in shown


def test_reload_without_changes_only_confirms_and_n_cancels(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab(settle=10.0)
    node = lab.nodes["hub2"]
    session = CliSession(node, username="admin")
    session.execute("reload")
    assert session.prompt == "Proceed with reload? [confirm]"
    assert not session.execute("n").close
    assert session.prompt == "hub2#" and node.responsive


def test_reload_tells_the_listeners_before_the_node_goes_down(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab(settle=10.0)
    node = lab.nodes["hub2"]
    seen: list[bool] = []
    node.reload_listeners.append(lambda: seen.append(node.running))
    session = CliSession(node, username="admin")
    session.execute("reload")
    session.execute("")
    assert seen == [True] and not node.running
