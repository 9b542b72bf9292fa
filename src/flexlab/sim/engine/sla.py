"""IP SLA icmp-echo operations and track objects.

Each scheduled operation sends a real ICMP echo every ``frequency`` s from its source
(`source-interface` / `source-ip`, else the egress interface) towards the target through
the node's routing table — over Tunnel1 when routed there, which is the steady traffic
on-demand DPD reacts to. A reply within ``timeout`` ms counts as success with its RTT.
Tracks: `track N ip sla M [reachability]` (up while the latest probe succeeded) and
`track N interface X line-protocol`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flexlab.sim.engine.scheduler import Timer
from flexlab.sim.engine.underlay import Packet
from flexlab.sim.engine.views import SlaView, TrackView

if TYPE_CHECKING:
    from flexlab.sim.engine.node import Node


class SlaOperation:
    def __init__(self, view: SlaView) -> None:
        self.view = view
        self.started: float | None = None
        self.latest_start: float | None = None
        self.latest_rtt_ms: int | None = None
        self.latest_ok: bool | None = None
        self.successes = 0
        self.failures = 0
        self.seq = 0
        self.timer: Timer | None = None
        self.outstanding: dict[int, tuple[float, Timer]] = {}

    def stop(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        for _, timeout in self.outstanding.values():
            timeout.cancel()
        self.outstanding.clear()


class SlaManager:
    def __init__(self, node: Node) -> None:
        self.node = node
        self.ops: dict[int, SlaOperation] = {}
        self.tracks: dict[int, TrackView] = {}
        self.track_state: dict[int, bool] = {}

    def apply(self, slas: dict[int, SlaView], tracks: dict[int, TrackView]) -> None:
        for number in list(self.ops):
            if number not in slas:
                self.ops.pop(number).stop()
        for number, view in slas.items():
            op = self.ops.get(number)
            if op is not None and op.view == view:
                continue
            if op is not None:
                op.stop()
            self.ops[number] = op = SlaOperation(view)
            if view.scheduled and view.start_now and view.target is not None:
                op.started = self.node.now()
                op.timer = self.node.after(self.node.phase(float(view.frequency)), self._probe, op)
        self.tracks = tracks
        self.evaluate_tracks()

    def _probe(self, op: SlaOperation) -> None:
        if self.ops.get(op.view.operation) is not op:
            return
        view = op.view
        node = self.node
        now = node.now()
        op.seq += 1
        assert view.target is not None
        source = view.source_ip or node.interfaces.ip_of(view.source_interface)
        if source is None:
            found = node.source_for(view.target)
            source = found[0] if found else None
        timeout = node.after(view.timeout_ms / 1000.0, self._timeout, op, op.seq)
        op.outstanding[op.seq] = (now, timeout)
        if source is not None:
            node.send(Packet(source, view.target, "icmp", ("echo", view.operation, op.seq), 100))
        op.timer = node.after(float(view.frequency), self._probe, op)

    def on_reply(self, packet: Packet) -> None:
        _, number, seq = packet.payload
        op = self.ops.get(number)
        if op is None or seq not in op.outstanding:
            return
        sent, timeout = op.outstanding.pop(seq)
        timeout.cancel()
        if seq != op.seq:
            return  # a late reply to an older probe: IOS counts only the current one
        op.latest_start = sent   # the latest *completed* operation: start time, RTT and code together
        op.latest_rtt_ms = max(1, round((self.node.now() - sent) * 1000))
        op.latest_ok = True
        op.successes += 1
        self.evaluate_tracks()

    def _timeout(self, op: SlaOperation, seq: int) -> None:
        outstanding = op.outstanding.pop(seq, None)
        if outstanding is None:
            return
        op.latest_start = outstanding[0]
        op.latest_ok = False
        op.latest_rtt_ms = None
        op.failures += 1
        self.evaluate_tracks()

    # -- tracks ------------------------------------------------------------------------------
    def track_up(self, number: int) -> bool:
        return self.track_state.get(number, False)

    def _track_value(self, view: TrackView) -> bool:
        if view.kind == "ip-sla":
            op = self.ops.get(int(view.target)) if view.target.isdigit() else None
            return bool(op is not None and op.latest_ok)
        iface = self.node.interfaces.get(view.target)
        return iface is not None and iface.line_up

    def evaluate_tracks(self) -> None:
        if not self.tracks and not self.track_state:
            return
        new = {n: self._track_value(v) for n, v in self.tracks.items()}
        if new != self.track_state:
            self.track_state = new
            self.node.flex.track_changed()

    def interfaces_changed(self) -> None:
        self.evaluate_tracks()
