"""Boot-time config loading: bootstrap user, default loader, the CLI's interpreter."""

from __future__ import annotations

from flexlab.design import LabPlan
from flexlab.sim.cli import apply_config_text
from flexlab.sim.engine.lab import Lab
from flexlab.sim.engine.loader import lines_after_end, with_bootstrap_user


def test_bootstrap_user_is_added_once_before_end() -> None:
    text = "hostname r1\n!\nend\n"
    added = with_bootstrap_user(text, "admin", "pw")
    assert added.splitlines()[-2:] == ["username admin privilege 15 secret pw", "end"]
    assert with_bootstrap_user(added, "admin", "other") == added


def test_lab_boots_through_the_cli_interpreter(plan: LabPlan) -> None:
    lab = Lab(plan, config_loader=apply_config_text)
    lab.boot()
    assert lab.boot_errors == {}
    lab.run_for(30)
    snap = lab.nodes["spoke1"].snapshot()
    assert snap.flex_clients[0].state == "ACTIVE"
    assert [str(r.prefix) for r in snap.routes if r.code == "B"] == ["10.0.0.0/8"]
    assert lab.nodes["hub1"].check_login("admin", "admin")


def test_bootstrap_user_goes_before_the_first_end_so_text_after_it_cannot_lock_the_login_out() -> None:
    text = "hostname r1\nend\nusername evil privilege 15 secret 0 evil\n"
    added = with_bootstrap_user(text, "admin", "pw")
    assert added.splitlines() == ["hostname r1", "username admin privilege 15 secret pw", "end",
                                  "username evil privilege 15 secret 0 evil"]
    assert lines_after_end(added) == 1 and lines_after_end("hostname r1\nend\n!\n\n") == 0
