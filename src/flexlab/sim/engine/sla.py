"""IP SLA icmp-echo operations and track objects.

Each scheduled operation sends a real ICMP echo (echo.py) every ``frequency`` s from its
source (`source-interface` / `source-ip`, else the egress interface) towards the target
through the node's routing table — over Tunnel1 when routed there, which is the steady traffic
on-demand DPD reacts to. A reply within ``timeout`` ms counts as success with its RTT.
Tracks: `track N ip sla M [reachability]` (up while the latest probe succeeded) and
`track N interface X line-protocol`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flexlab.sim.engine.echo import EchoResult
from flexlab.sim.engine.scheduler import Timer
from flexlab.sim.engine.views import SlaView, TrackView

if TYPE_CHECKING:
    from flexlab.sim.engine.node import Node


class SlaOperation:
    """One `ip sla N` icmp-echo operation: its view, counters and latest result (`show ip sla statistics`)."""
    def __init__(self, view: SlaView, ident: int) -> None:
        self.view = view
        self.ident = ident          # ICMP identifier of this operation's echoes
        self.started: float | None = None
        self.latest_start: float | None = None
        self.latest_rtt_ms: int | None = None
        self.latest_ok: bool | None = None
        self.successes = 0
        self.failures = 0
        self.seq = 0
        self.timer: Timer | None = None


class SlaManager:
    """The node's IP SLA operations and track objects, and each track's current state."""
    def __init__(self, node: Node) -> None:
        self.node = node
        self.ops: dict[int, SlaOperation] = {}
        self.tracks: dict[int, TrackView] = {}
        self.track_state: dict[int, bool] = {}

    def apply(self, slas: dict[int, SlaView], tracks: dict[int, TrackView]) -> None:
        """Follow the config: restart changed operations (first probe at a seeded phase), re-evaluate tracks."""
        for number in list(self.ops):
            if number not in slas:
                self._stop(self.ops.pop(number))
        for number, view in slas.items():
            op = self.ops.get(number)
            if op is not None and op.view == view:
                continue
            if op is not None:
                self._stop(op)
            self.ops[number] = op = SlaOperation(view, self.node.echo.new_ident())
            if view.scheduled and view.start_now and view.target is not None:
                op.started = self.node.now()
                op.timer = self.node.after(self.node.phase(float(view.frequency)), self._probe, op)
        self.tracks = tracks
        self.evaluate_tracks()

    def _stop(self, op: SlaOperation) -> None:
        if op.timer is not None:
            op.timer.cancel()
        self.node.echo.cancel(op.ident)

    def _probe(self, op: SlaOperation) -> None:
        if self.ops.get(op.view.operation) is not op:
            return
        view = op.view
        node = self.node
        op.seq += 1
        started = node.now()
        assert view.target is not None
        source = view.source_ip or node.interfaces.ip_of(view.source_interface)
        if source is None:
            found = node.source_for(view.target)
            source = found[0] if found else None
        seq = op.seq
        if source is not None:
            node.echo.send(source, view.target, ident=op.ident, seq=seq, size=100, timeout_s=view.timeout_ms / 1000.0,
                           done=lambda result: self._result(op, seq, started, result))
        else:   # nothing to send from: the probe fails at its timeout
            node.after(view.timeout_ms / 1000.0, self._result, op, seq, started, EchoResult("timeout"))
        op.timer = node.after(float(view.frequency), self._probe, op)

    def _result(self, op: SlaOperation, seq: int, started: float, result: EchoResult) -> None:
        if self.ops.get(op.view.operation) is not op or (result.ok and seq != op.seq):
            return  # a stopped operation, or a late reply to an older probe: IOS counts only the current one
        op.latest_start = started   # the latest *completed* operation: start time, RTT and code together
        op.latest_ok = result.ok
        op.latest_rtt_ms = result.rtt_ms if result.ok else None
        if result.ok:
            op.successes += 1
        else:
            op.failures += 1
        self.evaluate_tracks()

    # -- tracks ------------------------------------------------------------------------------
    def track_up(self, number: int) -> bool:
        """Whether track ``number`` is Up (an unknown track is Down)."""
        return self.track_state.get(number, False)

    def _track_value(self, view: TrackView) -> bool:
        if view.kind == "ip-sla":
            op = self.ops.get(int(view.target)) if view.target.isdigit() else None
            return bool(op is not None and op.latest_ok)
        iface = self.node.interfaces.get(view.target)
        return iface is not None and iface.line_up

    def evaluate_tracks(self) -> None:
        """Recompute every track; on any change tell FlexVPN (peers with `track` depend on it)."""
        if not self.tracks and not self.track_state:
            return
        new = {n: self._track_value(v) for n, v in self.tracks.items()}
        if new != self.track_state:
            self.track_state = new
            self.node.flex.track_changed()

    def interfaces_changed(self) -> None:
        """Interfaces changed: re-evaluate tracks (`track N interface X line-protocol`)."""
        self.evaluate_tracks()
