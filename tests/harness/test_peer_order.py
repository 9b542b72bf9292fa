"""N hubs without a lab: peer order, the dead-peer bound term, the run plan, the expectations."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network
from types import SimpleNamespace

import pytest
from livelabkit import THREE_HUBS, topology_configs

from flexlab.bound import DpdConfig, dpd_bound, with_dead_peers
from flexlab.design import load_design
from flexlab.harness import expectations
from flexlab.harness.peers import first_alive, next_alive
from flexlab.harness.sequence import RunSpec, expectation_problem, plan_runs, sequence_problem

A, B, C, D = (IPv4Address(f"100.64.0.{n}") for n in (2, 6, 10, 14))


@pytest.mark.parametrize(("peers", "left", "dead", "expected", "tried", "worst"), [
    ([A, B], A, set(), B, [], 0),                  # two hubs: peer 1 -> peer 2
    ([B, A], B, set(), A, [], 0),
    ([A, B, C], B, {A}, C, [], 1),                 # after peer 2 comes peer 3; from peer 1 on, A is tried first
    ([B, A, C], B, {A}, C, [A], 1),                # the next peer is dead: tried, then peer 3
    ([A, B, C], C, set(), A, [], 0),               # wraps round after the last peer
    ([A, B, C, D], C, {D, A}, B, [D, A], 2),       # wraps past two dead peers
    ([A, B], A, {B}, None, [B], 1),                # nowhere to go
])
def test_next_alive_follows_the_client_block_order(peers, left, dead, expected, tried, worst) -> None:
    found = next_alive(peers, left, dead)
    assert (found.peer, list(found.dead_tried), found.worst_dead_tried) == (expected, tried, worst)


def test_first_alive_skips_dead_peers() -> None:
    assert first_alive([A, B, C], set()) == A
    assert first_alive([A, B, C], {A, B}) == C
    assert first_alive([A, B], {A, B}) is None


def test_a_dead_peer_on_the_way_adds_k_plus_p_to_the_bound() -> None:
    base = dpd_bound(DpdConfig(30, 5, "on-demand"), 5.0)
    assert with_dead_peers(base, 0) is base
    one = with_dead_peers(base, 1)
    assert (one.total_s, one.detection_s) == (102.0, 97.0)      # 70 + (30 + 2), hand-derived
    assert one.formula == "T + I + (N+1)*R + d*(K+P) + S"
    assert one.expression == "5 + 30 + (5+1)*5 + 1*(30+2) + 5 = 102 s"
    assert {t.symbol: t.value_s for t in one.terms}.items() >= {"d": 1.0, "K": 30.0, "P": 2.0}.items()
    assert "assumed" in next(t.name for t in one.terms if t.symbol == "K")
    periodic = with_dead_peers(dpd_bound(DpdConfig(10, 2, "periodic"), None, 0), 2, 20, 1)
    assert periodic.total_s == 10 + 6 * 2 + 2 * 21
    assert with_dead_peers(dpd_bound(None, 5.0), 3).total_s is None
    with pytest.raises(ValueError):
        with_dead_peers(base, -1)


def test_cumulative_plan_keeps_every_hub_but_the_last_failed() -> None:
    assert plan_runs(["hub1", "hub2"], cumulative=False) == [RunSpec("hub1"), RunSpec("hub2")]
    assert plan_runs(["hub1", "hub2"], cumulative=True) == [
        RunSpec("hub1", [], True), RunSpec("hub2", ["hub1"], False)]


def _testbed(*hubs: str) -> SimpleNamespace:
    devices = {h: SimpleNamespace(custom={"role": "hub"}) for h in hubs}
    devices.update({"spoke1": SimpleNamespace(custom={"role": "spoke"})})
    return SimpleNamespace(devices=devices)


@pytest.mark.parametrize(("hubs", "cumulative", "problem"), [
    (["hub1", "hub2"], True, None),
    (["hub1", "hub4"], False, "--hubs names devices not in the testbed: hub4"),
    (["hub1"], True, "--cumulative needs at least two different hubs"),
    (["hub1", "hub1"], True, "--cumulative needs at least two different hubs"),
    (["hub1", "hub2", "hub3"], True, "--cumulative fails every hub"),
    (["hub1", "hub2", "hub3"], False, None),
])
def test_sequence_problems(hubs, cumulative, problem) -> None:
    found = sequence_problem(_testbed("hub1", "hub2", "hub3"), hubs, cumulative=cumulative)
    assert (found is None) if problem is None else found.startswith(problem)


def test_the_default_design_does_not_describe_a_third_hub() -> None:
    design = load_design()
    assert expectation_problem(design, _testbed("hub1", "hub2"), expect_from="design",
                               skip_config=False, config_dir=None) is None
    problem = expectation_problem(design, _testbed("hub1", "hub2", "hub3"), expect_from="design",
                                  skip_config=True, config_dir=None)
    assert problem is not None and "has no node hub3" in problem and "--expect-from configs" in problem
    assert expectation_problem(design, _testbed("hub1", "hub2", "hub3"), expect_from="configs",
                               skip_config=True, config_dir=None) is None
    assert "needs --skip-config or --config-dir" in expectation_problem(
        design, _testbed("hub1"), expect_from="configs", skip_config=False, config_dir=None)


def test_expectations_read_from_the_three_hub_configs() -> None:
    configs = topology_configs(THREE_HUBS)
    expect, problems = expectations.from_configs(configs, ["hub1", "hub2", "hub3"], ["spoke1", "spoke2"])
    assert problems == [] and expect is not None
    assert expect.overlay_hub_address == IPv4Address("172.16.0.1")
    assert expect.summary == IPv4Network("10.0.0.0/8")
    assert expect.spoke_lans == {"spoke1": IPv4Network("10.1.1.0/24"), "spoke2": IPv4Network("10.1.2.0/24")}
    assert expect.hub_peers == {"hub1": (IPv4Address("10.255.0.2"), IPv4Address("10.255.0.6")),
                                "hub2": (IPv4Address("10.255.0.1"), IPv4Address("10.255.0.10")),
                                "hub3": (IPv4Address("10.255.0.5"), IPv4Address("10.255.0.9"))}


@pytest.mark.parametrize(("node", "edit", "problem"), [
    ("hub3", lambda t: t.replace(" summary-only", ""), "hubs must each send one summary"),
    ("spoke2", lambda t: t.replace("neighbor 172.16.0.1 remote-as", "neighbor 172.16.0.2 remote-as"),
     "spokes peer with different hub overlay addresses"),
    ("spoke1", lambda t: t.replace(" network 10.1.1.0 mask 255.255.255.0\n", ""),
     "spoke1: expected one `network ... mask ...`"),
    ("spoke1", lambda t: t.replace(" neighbor 172.16.0.1 remote-as 65001\n", ""),
     "spoke1: expected one BGP neighbour"),
])
def test_expectations_the_configs_do_not_declare_are_named(node, edit, problem) -> None:
    configs = topology_configs(THREE_HUBS)
    edited = edit(configs[node])
    assert edited != configs[node]
    configs[node] = edited
    expect, problems = expectations.from_configs(configs, ["hub1", "hub2", "hub3"], ["spoke1", "spoke2"])
    assert expect is None and any(p.startswith(problem) for p in problems), problems
