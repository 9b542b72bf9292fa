"""`reload`: the router goes down for its image's boot time, then boots from its startup config.

The sessions drop at once (the SSH server registered a listener on the node); while the
node is down it forwards nothing and answers no login. The boot timer belongs to the lab,
not the node (a node's own timers die with it), and is ignored when the node was started
otherwise meanwhile (a `restore`) or failed on purpose.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flexlab.sim.engine.node import Node


def reload_node(node: Node) -> None:
    """`reload`: tell listeners (VTY sessions), stop the node, and boot it again after the image's reload time."""
    for listener in list(node.reload_listeners):
        listener()
    node.truth("node-reload", boot_s=node.timing.reload_s)
    node.stop()
    node.lab.scheduler.after(node.timing.reload_s, _boot_after_reload, node, node.generation)


def _boot_after_reload(node: Node, generation: int) -> None:
    if node.running or node.generation != generation or node.name in node.lab.failures:
        return
    errors = node.boot()
    if errors:
        node.lab.boot_errors[node.name] = errors
