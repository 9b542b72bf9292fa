"""The design model: derived plan, pool separation, and clear errors for bad design files."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from flexlab.cli import main
from flexlab.design import DEFAULT_DESIGN, DesignError, load_design


def default_data() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_DESIGN.read_text())


@pytest.fixture
def write_design(tmp_path: Path) -> Callable[[object], Path]:
    def write(data: object) -> Path:
        path = tmp_path / "design.yaml"
        path.write_text(data if isinstance(data, str) else yaml.safe_dump(data))
        return path

    return write


def test_default_plan_has_the_lab_nodes_and_spoke_preferences() -> None:
    plan = load_design().plan()
    assert [n.name for n in plan.nodes] == ["isp", "hub1", "hub2", "spoke1", "spoke2"]
    hub1, hub2 = plan.hubs
    spoke1, spoke2 = plan.spokes
    assert (spoke1.preferred_hub, spoke2.preferred_hub) == ("hub1", "hub2")
    assert spoke1.peers == (hub1.wan.address, hub2.wan.address)
    assert spoke2.peers == (hub2.wan.address, hub1.wan.address)


def test_spoke_count_is_a_parameter() -> None:
    plan = load_design(spokes=5).plan()
    assert [n.name for n in plan.spokes] == [f"spoke{i}" for i in range(1, 6)]
    wan_nets = [n.wan.network for n in plan.nodes if n.role != "isp"]
    assert len(set(wan_nets)) == len(wan_nets)  # every hub and spoke has its own /30


def test_hub_pools_do_not_overlap_and_sit_in_the_listen_range() -> None:
    design = load_design()
    hubs = design.plan().hubs
    for i, a in enumerate(hubs):
        assert a.pool is not None and a.pool.subnet_of(design.model.overlay.listen_range)
        for b in hubs[i + 1:]:
            assert b.pool is not None and not a.pool.overlaps(b.pool), (a.name, b.name)


def _with(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = default_data()
    change(data)
    return data


BAD_DESIGNS: dict[str, tuple[object, str]] = {
    "not YAML": ("name: [flexvpn\nbgp_as: 1\n", "not valid YAML at line"),
    "not a mapping": ("- just\n- a list\n", "must be a YAML mapping"),
    "wrong type": (_with(lambda d: d.update(bgp_as="sixty-five")), "field 'bgp_as'"),
    "nested wrong type": (_with(lambda d: d["dpd"].update(interval="often")), "field 'dpd.interval'"),
    "unknown key": (_with(lambda d: d["hubs"][0].update(colour="blue")), "field 'hubs.0.colour'"),
    "missing field": (_with(lambda d: d.pop("overlay")), "field 'overlay'"),
    "overlapping pools": (_with(lambda d: d["hubs"][1].update(pool="172.16.1.128/25")), "hubs.pool"),
    "too many spokes for the pool": (_with(lambda d: d["spokes"].update(count=255)), "hubs.pool"),
    "dpd out of range": (_with(lambda d: d["dpd"].update(retry=1)), "field 'dpd.retry'"),
}


@pytest.mark.parametrize("case", BAD_DESIGNS, ids=list(BAD_DESIGNS))
def test_malformed_design_raises_design_error_naming_the_field(case: str, write_design) -> None:
    data, expected = BAD_DESIGNS[case]
    with pytest.raises(DesignError) as info:
        load_design(write_design(data))
    assert expected in str(info.value)


def test_overlapping_pools_message_names_both_pools(write_design) -> None:
    path = write_design(_with(lambda d: d["hubs"][1].update(pool="172.16.1.128/25")))
    with pytest.raises(DesignError, match=r"hubs\.pool: pools 172\.16\.1\.0/24 and 172\.16\.1\.128/25 overlap"):
        load_design(path)


def test_spoke_override_beyond_the_pool_is_refused() -> None:
    with pytest.raises(DesignError, match=r"hubs\.pool: .* cannot address 255 spokes"):
        load_design(spokes=255)


def test_missing_design_file_is_a_design_error(tmp_path: Path) -> None:
    with pytest.raises(DesignError, match="cannot read design file"):
        load_design(tmp_path / "absent.yaml")


@pytest.mark.parametrize("case", BAD_DESIGNS, ids=list(BAD_DESIGNS))
def test_cli_prints_one_error_line_and_exits_2(case: str, write_design, tmp_path: Path, capsys) -> None:
    data, expected = BAD_DESIGNS[case]
    code = main(["render", "--design", str(write_design(data)), "--kind", "cisco_iol",
                 "--out", str(tmp_path / "out"), "--secrets", "redacted"])
    captured = capsys.readouterr()
    assert code == 2
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("flexlab: error: ") and expected in lines[0], captured.err
    assert not (tmp_path / "out").exists()


def test_console_script_shows_no_traceback(write_design, tmp_path: Path) -> None:
    """End to end through the installed entry point: stderr is the one message line."""
    path = write_design(_with(lambda d: d["hubs"][1].update(pool="172.16.1.0/24")))
    flexlab = Path(sys.executable).with_name("flexlab")
    result = subprocess.run(
        [str(flexlab), "render", "--design", str(path), "--kind", "cisco_iol", "--out", str(tmp_path / "o")],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("flexlab: error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
