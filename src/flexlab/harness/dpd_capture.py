"""The job's DPD schedule check: capture each spoke's WAN link around the failure, read the
schedule it sent (flexlab.harness.schedule) and compare it with the declared model.

The lab is reached only through Lab.start_capture (flexlab.labs.interface); a lab that
cannot capture raises CaptureUnavailable (a LabError) and the check is reported as not
run, never as passed.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from flexlab.bound import parse_dpd_config
from flexlab.harness.failover_measure import dpd_inputs
from flexlab.harness.flow import Context, now_utc, parallel
from flexlab.harness.schedule import Axis, analyse_pcap, device_axis, host_axis, preload
from flexlab.harness.schedule_check import declared_schedule, schedule_problems, tolerance_s
from flexlab.iosconfig import ConfigTree
from flexlab.labs.base import LabError

log = logging.getLogger(__name__)
NOT_RUN = "not run"
T = TypeVar("T")


@dataclass
class SpokeCapture:
    """One running (then stopped) capture of a spoke's WAN link."""

    spoke: str
    interface: str
    handle: Any                      # the lab's Capture (stop() -> Path, time_base)
    started: datetime                # harness instants
    stopped: datetime | None = None
    path: Path | None = None


def spoke_wan_interface(running_config: str) -> str | None:
    """`tunnel source` of the tunnel the FlexVPN client connects (`client connect TunnelN`)."""
    tree = ConfigTree.from_text(running_config)
    client = next(iter(tree.find("crypto", "ikev2", "client", "flexvpn")), None)
    connect = client.child("client", "connect") if client is not None else None
    tunnel = connect.words[2] if connect is not None and len(connect.words) > 2 else "Tunnel1"
    interface = tree.first("interface", tunnel)
    source = interface.child("tunnel", "source") if interface is not None else None
    return source.words[2] if source is not None and len(source.words) > 2 else None


def capture_lead_s(ctx: Context, spokes: list[str]) -> float:
    """Device seconds to capture before the failure: one DPD interval (plus tolerance) when
    DPD is periodic, so the capture can show which periodic reading the image follows."""
    leads = [0.0]
    for spoke in spokes:
        dpd = parse_dpd_config(ctx.spoke_configs[spoke])
        if dpd is not None and dpd.mode == "periodic":
            leads.append(dpd.interval_s + 2 * tolerance_s(dpd.interval_s))
    return max(leads)


def _timed(function: Callable[..., T]) -> Callable[..., T]:
    """Records the wall time of a capture step in the run's ``capture_wall_s`` (benchmarks)."""
    @functools.wraps(function)
    def wrapper(ctx: Context, *args: Any) -> T:
        started = time.monotonic()
        try:
            return function(ctx, *args)
        finally:
            if ctx.run is not None:
                ctx.run.capture_wall_s[function.__name__.strip("_")] = round(time.monotonic() - started, 6)
    return wrapper


def start_captures(ctx: Context, hub: str) -> list[str]:
    """Start a capture on the WAN link of every spoke on ``hub``; returns what could not start.
    With periodic DPD, wait until the capture covers one DPD interval (not counted as capture cost)."""
    problems = _start(ctx, hub)
    if ctx.captures:
        threading.Thread(target=preload, name="scapy-preload", daemon=True).start()
    lead = capture_lead_s(ctx, list(ctx.captures))
    if lead:
        time.sleep(ctx.wall(lead))          # named, reported: the capture must cover one interval
        log.info("captured %.0f device s before failing %s (periodic DPD reading)", lead, hub)
    return problems


@_timed
def _start(ctx: Context, hub: str) -> list[str]:
    failed_peer = ctx.hub_wan[hub]
    spokes = sorted(s for s, peer in ctx.baseline_peer.items() if peer == failed_peer)
    if not ctx.capture_enabled:
        ctx.capture_problems.update(dict.fromkeys(spokes, "capture disabled (--no-capture)"))
        return []
    directory = ctx.capture_dir / "captures" / ctx.run_tag
    directory.mkdir(parents=True, exist_ok=True)

    def begin(spoke: str) -> str | None:
        interface = spoke_wan_interface(ctx.spoke_configs[spoke])
        if interface is None:
            ctx.capture_problems[spoke] = f"{spoke}: no `tunnel source` on the FlexVPN client's tunnel"
            return ctx.capture_problems[spoke]
        try:
            handle = ctx.lab.start_capture(spoke, interface, directory / f"{spoke}.pcap")
        except LabError as exc:             # CaptureUnavailable, or a capture that failed to start
            ctx.capture_problems[spoke] = f"{spoke}: {exc}"
            return ctx.capture_problems[spoke]
        # surely capturing from here on (a later start only shortens the window the checks rely on)
        ctx.captures[spoke] = SpokeCapture(spoke, interface, handle, now_utc())
        return None
    return [p for p in parallel(begin, spokes).values() if p]


@_timed
def stop_captures(ctx: Context) -> list[str]:
    """Stop every spoke's capture; problems name the spokes whose capture could not be stopped."""
    def end(spoke: str) -> str | None:
        capture = ctx.captures[spoke]
        try:
            capture.path = Path(capture.handle.stop())
        except LabError as exc:
            ctx.capture_problems[spoke] = f"{spoke}: capture could not be stopped: {exc}"
            return ctx.capture_problems[spoke]
        finally:
            capture.stopped = now_utc()
        return None
    pending = [s for s, c in ctx.captures.items() if c.path is None and s not in ctx.capture_problems]
    return [p for p in parallel(end, pending).values() if p]


def _axis(ctx: Context, capture: SpokeCapture) -> Axis:
    if getattr(capture.handle, "time_base", "device") == "host":
        return host_axis(ctx.offsets[capture.spoke].to_device)
    return device_axis


@_timed
def check_schedules(ctx: Context, hub: str) -> dict[str, list[str]]:
    """One check per moved spoke with a capture: "observed DPD schedule matches the declared model"."""
    assert ctx.run is not None
    failed_peer = ctx.hub_wan[hub]
    results: dict[str, list[str]] = {}
    for record in ctx.run.spokes:
        spoke = record.spoke
        capture = ctx.captures.get(spoke)
        if capture is None or capture.path is None:
            record.schedule_result = NOT_RUN
            record.schedule_note = f"no capture: {ctx.capture_problems.get(spoke, 'not started')}"
            continue
        clock = ctx.offsets[spoke]
        failure = ctx.failure_for(spoke)
        window = (clock.to_device(capture.started), clock.to_device(capture.stopped or now_utc()))
        observed = analyse_pcap(spoke, capture.path, _axis(ctx, capture), failed_peer, failure.spoke_time,
                                window=window)
        dpd, period = dpd_inputs(ctx, spoke)
        record.schedule = observed.to_dict()
        record.capture = str(capture.path)
        if dpd is None:
            record.schedule_result = NOT_RUN
            record.schedule_note = "DPD is off in the running configuration: no schedule to compare"
            continue
        declared = declared_schedule(ctx.dpd_model, dpd, period)
        record.declared_schedule = declared.to_dict()
        problems = schedule_problems(observed, declared)
        record.schedule_result = "failed" if problems else "passed"
        record.schedule_note = problems[0] if problems else observed.describe()
        results[f"{spoke}: observed DPD schedule matches the declared model"] = problems
    return results

