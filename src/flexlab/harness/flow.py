"""The failover job's steps, kept out of the aetest script so they can be read and tested.

Each public function is one step of ``src/flexlab/job/flexvpn_failover.py``. State shared
between steps lives in :class:`Context`. Devices are pyATS devices; the lab is reached
only through :class:`flexlab.labs.interface.Lab` and the routers' CLI.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from flexlab.clock import ClockOffset
from flexlab.design import Design, load_design
from flexlab.dpd_model import DpdModel, parse_model
from flexlab.failover_timing import FailureInstant
from flexlab.failure import FailureMode
from flexlab.harness import checks, expectations, reads
from flexlab.harness.config_replace import removal_commands, unapplied_lines
from flexlab.harness.ledger import FailureLedger
from flexlab.harness.peers import first_alive
from flexlab.harness.report import HubRun, SpokeFailover
from flexlab.harness.session_errors import SESSION_ERRORS
from flexlab.labs.interface import Lab
from flexlab.labs.session import lab_settings
from flexlab.privatefs import private_dir, write_private
from flexlab.render import SecretMode, render_node
from flexlab.syslog_events import LogEvent, parse_log

log = logging.getLogger(__name__)
T = TypeVar("T")
IPv4Address = ipaddress.IPv4Address

#: Device seconds allowed for the lab to converge before the baseline is judged.
BASELINE_ALLOWANCE_S = 240.0
#: Wall seconds between two polls of the devices.
POLL_INTERVAL_S = 0.1
#: How each case's failover was timed (the report states it per case).
CLOCK_NTP = "NTP-synchronised device clocks: failover = spoke log time - hub log time"
CLOCK_OFFSET_LOG = ("offset-corrected: the {hub} log time carried to each spoke's clock through offsets "
                    "measured with `show clock`")
CLOCK_OFFSET_HARNESS = ("offset-corrected: the harness clock at the lab's failure call, carried to each "
                        "spoke's clock through offsets measured with `show clock`")


@dataclass
class Context:
    """What the job learns and carries from step to step: testbed, lab, design, devices and readings."""
    testbed: Any
    lab: Lab
    design: Design
    failure_mode: str
    hub: str
    iteration: int
    kind: str
    devices: dict[str, Any] = field(default_factory=dict)
    hubs: list[str] = field(default_factory=list)
    spokes: list[str] = field(default_factory=list)
    hub_wan: dict[str, IPv4Address] = field(default_factory=dict)
    hub_wan_if: dict[str, str] = field(default_factory=dict)
    spoke_configs: dict[str, str] = field(default_factory=dict)
    offsets: dict[str, ClockOffset] = field(default_factory=dict)
    clock_method: str = ""
    images: dict[str, str] = field(default_factory=dict)
    baseline_peer: dict[str, IPv4Address] = field(default_factory=dict)
    baseline_ok: bool = False
    hub_failed: bool = False
    failure_event: LogEvent | None = None       # the failed hub's own log line
    failure_harness: dt.datetime | None = None         # harness instant of a lab-made failure
    moved: dict[str, SpokeFailover] = field(default_factory=dict)
    run: HubRun | None = None
    ledger: FailureLedger | None = None
    dpd_model: DpdModel = field(default_factory=lambda: parse_model(None))   # declared (--dpd-model)
    capture_dir: Path = Path(".")
    run_tag: str = "run"
    captures: dict[str, Any] = field(default_factory=dict)          # spoke -> dpd_capture.SpokeCapture
    capture_problems: dict[str, str] = field(default_factory=dict)  # spoke -> why it has no capture
    capture_enabled: bool = True                                     # False: --no-capture
    dead_hubs: list[str] = field(default_factory=list)   # --cumulative: failed by earlier runs, still failed
    keep_failed: bool = False                            # --cumulative: leave this run's hub failed
    expect_from: str = "design"                          # --expect-from: design | configs
    known_hub_wan: dict[str, str] = field(default_factory=dict)   # learnt by earlier runs (hubs now down)
    expect: expectations.Expectations | None = None

    @classmethod
    def create(cls, testbed: Any, lab: Lab, params: Any) -> Context:
        """The context of a job from its testbed, lab and aetest parameters."""
        # the lab may run more spokes than the design file lists (`flexlab lab up --spokes N`)
        spokes = lab_settings(testbed).get("spokes")
        design = load_design(params.get("design"), spokes=int(spokes) if spokes else None)
        ctx = cls(
            testbed=testbed, lab=lab, design=design, failure_mode=params["failure_mode"], hub=params["hub"],
            iteration=int(params.get("iteration", 1)), kind=str(params.get("kind") or "cisco_iol"),
            dpd_model=parse_model(params.get("dpd_model")), capture_dir=Path(params.get("report_dir") or "."),
            run_tag=str(params.get("run_tag") or "run"), capture_enabled=bool(params.get("capture", True)),
            dead_hubs=list(params.get("dead_hubs") or []), keep_failed=bool(params.get("keep_failed")),
            expect_from=str(params.get("expect_from") or "design"),
            known_hub_wan=dict(params.get("known_hub_wan") or {}),
        )
        ctx.devices = dict(testbed.devices)
        for name, device in ctx.devices.items():
            role = (getattr(device, "custom", None) or {}).get("role") or name.rstrip("0123456789")
            if role == "hub":
                ctx.hubs.append(name)
            elif role == "spoke":
                ctx.spokes.append(name)
        ctx.run = HubRun(hub=ctx.hub, failure_mode=ctx.failure_mode, iteration=ctx.iteration,
                         dead_hubs=list(ctx.dead_hubs), kept_failed=ctx.keep_failed)
        ctx.ledger = FailureLedger.for_lab(lab.instance or f"{lab.kind}-{lab.name}", lab.pid)
        return ctx

    @property
    def time_scale(self) -> float:
        """Device seconds per wall second of the lab."""
        return self.lab.time_scale

    def wall(self, device_seconds: float) -> float:
        """Wall seconds that ``device_seconds`` of router time take in this lab."""
        return device_seconds / self.time_scale

    def record_testcase(self, name: str, result: Any, problems: list[str] | None = None,
                        checks: list[str] | None = None) -> None:
        """Record a testcase's result, and its problems and checks, in the run's report."""
        assert self.run is not None
        self.run.testcases[name] = str(result)
        if checks:
            self.run.checks[name] = list(checks)
        if problems:
            self.run.problems[name] = list(problems)

    def expected(self) -> expectations.Expectations:
        """The routing the checks expect (the design's unless learnt from the configs at setup)."""
        if self.expect is None:
            self.expect = expectations.from_design(self.design, self.hubs, self.spokes)
        return self.expect

    def dead_addresses(self, *, with_failed_hub: bool) -> set[IPv4Address]:
        """WAN addresses of the hubs that are down: earlier runs' (--cumulative), and this
        run's hub once it is failed."""
        hubs = self.dead_hubs + ([self.hub] if with_failed_hub else [])
        return {self.hub_wan[h] for h in hubs if h in self.hub_wan}

    def reachable(self) -> list[str]:
        """The devices this run can talk to: hubs kept down by a lab-made failure (stopped,
        frozen, isolated by an earlier run of --cumulative) are left alone until restored."""
        away = set(self.dead_hubs) if self.failure_mode != FailureMode.INTERFACE_SHUTDOWN else set()
        return [name for name in self.devices if name not in away]

    def alive_hubs(self) -> list[str]:
        """The hubs neither failed by this run nor left failed by an earlier one."""
        down = set(self.dead_hubs) | ({self.hub} if self.hub_failed else set())
        return [h for h in self.hubs if h not in down]

    def live_peer(self, spoke: str) -> IPv4Address | None:
        """The peer the spoke must be on now: its first configured peer that is not down."""
        peers = reads.configured_peers(self.spoke_configs[spoke])
        return first_alive(peers, self.dead_addresses(with_failed_hub=self.hub_failed))

    def hub_by_address(self, address: IPv4Address | None) -> str | None:
        """The hub whose WAN address is ``address``, if any."""
        return next((h for h, a in self.hub_wan.items() if a == address), None)

    def failure_for(self, spoke: str) -> FailureInstant:
        """The failure instant on ``spoke``'s clock (exact with NTP, else offset-corrected)."""
        clock = self.offsets[spoke]
        if self.failure_event is not None:
            if self.failure_event.synced and clock.device_synced:
                return FailureInstant.from_synced_log(self.failure_event, f"{self.hub} log")
            return FailureInstant.from_device_log(
                self.failure_event, self.offsets[self.hub], clock, f"{self.hub} log"
            )
        assert self.failure_harness is not None
        return FailureInstant.from_harness(
            self.failure_harness, clock, "harness clock at the lab's failure call"
        )

    def device_events(self, name: str) -> list[LogEvent]:
        """The device's logging buffer as parsed log events."""
        lines = reads.logging_lines(self.devices[name])
        return parse_log("\n".join(lines), reference=self.offsets[name].to_device(now_utc()))


def now_utc() -> dt.datetime:
    """The harness clock now, in UTC."""
    return dt.datetime.now(dt.UTC)


def measure_clock(device: Any, time_scale: float) -> ClockOffset:
    """Anchor a device clock to the harness clock with one `show clock`."""
    sent = now_utc()
    output = device.execute("show clock")
    return ClockOffset.from_show_clock(output, sent, now_utc(), rate=time_scale)


def parallel(function: Callable[[str], T], names: list[str]) -> dict[str, T]:
    """Run ``function`` for every device name on threads (one CLI session each)."""
    if not names:
        return {}
    with ThreadPoolExecutor(max_workers=min(16, len(names))) as pool:
        return dict(zip(names, pool.map(function, names), strict=True))


# -- setup -------------------------------------------------------------------------------
def connect_all(ctx: Context) -> list[str]:
    """Connect to every device in parallel; problems name the device and the cause."""
    def connect(name: str) -> str | None:
        device = ctx.devices[name]
        try:
            if not device.is_connected():
                device.connect(log_stdout=False, learn_hostname=False, connection_timeout=60)
        except SESSION_ERRORS as exc:  # the message is what matters
            return f"{name}: cannot connect: {type(exc).__name__}: {exc}"
        return None
    if why := ctx.lab.gone():
        return [why]
    if ctx.devices:
        reads.load_parser_index(next(iter(ctx.devices.values())))
    problems = [problem for problem in parallel(connect, ctx.reachable()).values() if problem]
    return [why] if problems and (why := ctx.lab.gone()) else problems


def _config_lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if line.strip() and line.strip() not in ("!", "end")]


def apply_configs(ctx: Context, config_dir: Path | None) -> list[str]:
    """Apply each device's config over the CLI; every refused line is reported.

    With ``config_dir`` the device must end up running exactly that file: managed lines it
    runs that the file lacks are negated first (:mod:`flexlab.harness.config_replace`).
    A device that already runs every line (and nothing to negate) is left alone: applying
    the lines again would change nothing, and costs minutes at 200 spokes.
    """
    plan = ctx.design.plan()
    secrets: SecretMode = "embedded" if ctx.lab.kind == "embedded" else "env"
    boot_errors = ctx.lab.boot_errors()

    def apply(name: str) -> list[str]:
        problems = [f"{name}: refused at boot: {error}" for error in boot_errors.get(name, [])]
        running = reads.running_config(ctx.devices[name])
        if config_dir is not None:
            text = (Path(config_dir) / f"{name}.cfg").read_text()
            removals = removal_commands(running, text)
        else:
            text, removals = render_node(plan, plan.node(name), ctx.kind, secrets), []
        if not removals and not unapplied_lines(running, text):
            log.info("%s already runs every line of its config: not applied again", name)
            return problems
        try:
            commands = removals + _config_lines(text)
            ctx.devices[name].configure(commands)
        except SESSION_ERRORS as exc:  # SubCommandFailure carries the refused line and the error
            problems.append(f"{name}: {exc}")
        return problems
    return [p for problems in parallel(apply, list(ctx.devices)).values() for p in problems]


def restore_pending(ctx: Context, *, by_cli: bool) -> list[str]:
    """Undo the failures a killed earlier run left behind (the failure ledger).

    Lab-made failures (node-stop, freeze, blackhole) are undone before connecting; a CLI
    shutdown needs the connection. Spokes the earlier run left on a backup hub are sent
    back to their peer 1, as the Recovery testcase would have done.
    """
    assert ctx.ledger is not None
    restored = []
    for hub, mode in ctx.ledger.pending(known=ctx.hubs).items():
        if (mode == FailureMode.INTERFACE_SHUTDOWN) != by_cli or hub in ctx.dead_hubs:
            continue   # the other kind, or failed on purpose by an earlier run (--cumulative)
        if mode != FailureMode.INTERFACE_SHUTDOWN and ctx.lab.is_failed(hub) is False:
            log.warning("failure ledger: %s (%s) is not failed in the lab any more: entry cleared", hub, mode)
            ctx.ledger.remove(hub)
            continue
        restore_hub(ctx, hub, mode)
        restored.append(f"{hub} ({mode})")
    if restored and by_cli:
        send_spokes_home(ctx)
    return restored


def send_spokes_home(ctx: Context) -> list[str]:
    """`clear crypto ikev2 sa` on spokes not on their first live peer (peer 1 unless hubs are
    kept failed): they reconnect from peer 1 and stop at the first that answers."""
    cleared = []
    for spoke, clients in parallel(lambda s: reads.flex_clients(ctx.devices[s]), ctx.spokes).items():
        home = ctx.live_peer(spoke)
        if home is not None and (not clients or clients[0].peer != home):
            cleared.append(spoke)
    parallel(lambda s: ctx.devices[s].execute("clear crypto ikev2 sa"), cleared)
    return cleared


def learn_topology(ctx: Context) -> list[str]:
    """Read what the job needs from the devices: WAN addresses, peers, clocks, versions."""
    problems: list[str] = []
    configs = parallel(lambda n: reads.running_config(ctx.devices[n]), ctx.reachable())
    for hub in ctx.hubs:
        if hub not in configs:
            problems += _known_wan(ctx, hub)
            continue
        wan_if = reads.tunnel_source_interface(configs[hub])
        addresses = reads.interface_addresses(ctx.devices[hub])
        if wan_if is None or wan_if not in addresses:
            problems.append(f"{hub}: cannot find its WAN interface (tunnel source of the Virtual-Template)")
            continue
        ctx.hub_wan_if[hub], ctx.hub_wan[hub] = wan_if, addresses[wan_if]
    for spoke in ctx.spokes:
        ctx.spoke_configs[spoke] = configs[spoke]
        if not reads.configured_peers(configs[spoke]):
            problems.append(f"{spoke}: no `peer N <address>` in its FlexVPN client block")
    problems += _learn_expectations(ctx, configs)
    ctx.offsets = parallel(lambda n: measure_clock(ctx.devices[n], ctx.time_scale), ctx.reachable())
    synced = all(offset.device_synced for offset in ctx.offsets.values())
    ctx.clock_method = (CLOCK_NTP if synced
                        else "unsynchronised clocks: times corrected by offsets measured with `show clock`")
    ctx.images = parallel(lambda n: _version(ctx.devices[n]), ctx.reachable())
    return problems


def _known_wan(ctx: Context, hub: str) -> list[str]:
    """A hub an earlier run left down: its WAN address as that run read it."""
    if hub not in ctx.known_hub_wan:
        return [f"{hub}: kept failed by an earlier run that did not record its WAN address"]
    ctx.hub_wan[hub] = IPv4Address(ctx.known_hub_wan[hub])
    return []


def _learn_expectations(ctx: Context, configs: dict[str, str]) -> list[str]:
    """The routing the checks expect: from the design, or (--expect-from configs) the configs."""
    if ctx.expect_from == "configs":
        ctx.expect, problems = expectations.from_configs(configs, [h for h in ctx.hubs if h in configs], ctx.spokes)
        return problems
    missing = expectations.undescribed_nodes(ctx.design, ctx.hubs + ctx.spokes)
    if missing:
        return [f"the design {ctx.design.source} has no node {', '.join(missing)}: give the design of this lab "
                "(--design) or take the expectations from the running configs (--expect-from configs)"]
    ctx.expect = expectations.from_design(ctx.design, ctx.hubs, ctx.spokes)
    return []


def _version(device: Any) -> str:
    parsed = device.parse("show version").get("version", {})
    return str(parsed.get("version", "unknown"))


# -- baseline ---------------------------------------------------------------------------------
#: Baseline check names: peer 1, or with hubs kept failed (--cumulative) the first live peer.
PEER_CHECKS = {False: ("spokes ACTIVE on their designed peer 1", "IKEv2 SA READY to peer 1"),
               True: ("spokes ACTIVE on their first live peer", "IKEv2 SA READY to that peer")}


def baseline_problems(ctx: Context) -> dict[str, list[str]]:
    """Baseline check -> problems, read from every device now."""
    expect = ctx.expected()
    overlay, summary = expect.overlay_hub_address, expect.summary
    on_peer, sa_up = PEER_CHECKS[bool(ctx.dead_hubs)]
    spoke_reads = parallel(lambda s: (
        reads.flex_clients(ctx.devices[s]), reads.ike_sas(ctx.devices[s]),
        reads.bgp_neighbors(ctx.devices[s]), reads.bgp_routes(ctx.devices[s]),
    ), ctx.spokes)
    hub_routes = parallel(lambda h: reads.bgp_routes(ctx.devices[h]), ctx.alive_hubs())
    result: dict[str, list[str]] = {k: [] for k in (
        on_peer, sa_up, "BGP to the hub overlay Established",
        "spokes hold only the summary", "hubs hold every spoke LAN", "assigned overlay addresses are unique")}
    assigned: dict[str, IPv4Address | None] = {}
    for spoke, (clients, sas, neighbors, routes) in spoke_reads.items():
        home = ctx.live_peer(spoke)
        if home is None:
            result[on_peer].append(f"{spoke}: every peer of its client block is on a failed hub")
        else:
            result[on_peer] += checks.client_on_peer(spoke, clients, home)
            result[sa_up] += checks.sa_ready(spoke, sas, home)
        result["BGP to the hub overlay Established"] += checks.bgp_established(spoke, neighbors, overlay)
        result["spokes hold only the summary"] += checks.only_summary(spoke, routes, summary)
        assigned[spoke] = clients[0].assigned if clients else None
        if clients and clients[0].peer is not None:
            ctx.baseline_peer[spoke] = clients[0].peer
    lans = {lan: None for lan in expect.spoke_lans.values()}
    for hub, routes in hub_routes.items():
        result["hubs hold every spoke LAN"] += checks.holds_prefixes(hub, routes, lans)
    result["assigned overlay addresses are unique"] += checks.unique_addresses(assigned)
    return result


def wait_baseline(ctx: Context) -> dict[str, list[str]]:
    """Poll the baseline checks until they all hold or the time runs out; the last problems found."""
    latest: dict[str, list[str]] = {}

    def check() -> list[str]:
        latest.clear()
        latest.update(baseline_problems(ctx))
        return [p for problems in latest.values() for p in problems]
    outcome = checks.poll(check, ctx.wall(BASELINE_ALLOWANCE_S), POLL_INTERVAL_S)
    ctx.baseline_ok = outcome.ok
    return latest


# -- failure -----------------------------------------------------------------------------------
def fail_hub(ctx: Context, hub: str, mode: str) -> str:
    """Fail ``hub`` the way ``mode`` says (ledger entry first); says when and how the instant was taken."""
    assert ctx.ledger is not None and ctx.run is not None
    ctx.ledger.add(hub, mode)
    if mode == FailureMode.INTERFACE_SHUTDOWN:
        wan_if = ctx.hub_wan_if[hub]
        ctx.devices[hub].configure([f"interface {wan_if}", "shutdown"])
        shut = [e for e in ctx.device_events(hub)
                if e.mnemonic == "CHANGED" and wan_if in e.text and "administratively down" in e.text]
        if not shut:
            raise RuntimeError(f"{hub}: no %LINK-5-CHANGED log for {wan_if} after `shutdown`")
        ctx.failure_event = shut[-1]
        ctx.run.failed_at = shut[-1].device_time.isoformat()
        ctx.run.failure_source = f"{hub}'s own log: {shut[-1].raw.strip()}"
        synced = shut[-1].synced and all(o.device_synced for o in ctx.offsets.values())
        ctx.run.clock_method = (CLOCK_NTP if synced else CLOCK_OFFSET_LOG.format(hub=hub))
    else:
        sent = now_utc()
        ctx.lab.fail(hub, FailureMode(mode))
        answered = now_utc()
        ctx.failure_harness = sent + (answered - sent) / 2
        ctx.run.failed_at = ctx.failure_harness.isoformat()
        ctx.run.failure_source = (
            f"harness clock when the lab failed {hub} (round trip {(answered - sent).total_seconds():.3f} s)"
        )
        ctx.run.clock_method = CLOCK_OFFSET_HARNESS
    ctx.hub_failed = True
    return f"{hub} failed by {mode} at {ctx.run.failed_at} ({ctx.run.failure_source})"


def restore_hub(ctx: Context, hub: str, mode: str) -> None:
    """Undo the failure of ``hub`` and remove it from the ledger."""
    assert ctx.ledger is not None
    if mode == FailureMode.INTERFACE_SHUTDOWN:
        wan_if = ctx.hub_wan_if.get(hub) or reads.tunnel_source_interface(reads.running_config(ctx.devices[hub]))
        ctx.devices[hub].configure([f"interface {wan_if}", "no shutdown"])
    else:
        ctx.lab.restore(hub, FailureMode(mode))
        if mode == FailureMode.NODE_STOP:
            reconnect(ctx, hub)
    ctx.ledger.remove(hub)


def reconnect(ctx: Context, name: str) -> None:
    """Drop ``name``'s session and connect again, polling until it answers."""
    device = ctx.devices[name]
    try:
        device.disconnect()
    except SESSION_ERRORS:  # the old session died with the node
        pass
    outcome = checks.poll(lambda: connect_one(ctx, name), max_wall_s=60, interval_s=0.5)
    if not outcome.ok:
        raise RuntimeError("; ".join(outcome.problems))


def connect_one(ctx: Context, name: str) -> list[str]:
    """Connect to ``name`` once; a problem when it does not answer."""
    try:
        ctx.devices[name].connect(log_stdout=False, learn_hostname=False, connection_timeout=20)
        return []
    except SESSION_ERRORS as exc:
        return [f"{name}: cannot reconnect: {exc}"]


def write_run(ctx: Context | None, report_dir: Path, run_tag: str) -> Path | None:
    """Write the run's record (private file under ``report_dir``/runs); its path, or None without a run."""
    if ctx is None or ctx.run is None:
        return None
    runs = private_dir(Path(report_dir) / "runs")
    payload = {"run": asdict(ctx.run), "lab": ctx.lab.describe(), "images": ctx.images,
               "clock_method": ctx.clock_method,
               "dpd_model": ctx.dpd_model.to_dict(), "hub_wan": {h: str(a) for h, a in ctx.hub_wan.items()}}
    return write_private(runs / f"{run_tag}.json", json.dumps(payload, indent=2, default=str))
