"""`show running-config` / `show startup-config` text from a ConfigTree, framed as IOS does."""

from __future__ import annotations

from flexlab.iosconfig import ConfigTree
from flexlab.sim.device_api import SimDevice

NVRAM_SIZE = 262144


def config_body(tree: ConfigTree) -> str:
    """The configuration lines, ``!``-separated, ending with ``end``."""
    body = tree.render()
    if not body.rstrip("\n").endswith("!"):
        body += "!\n"
    return body + "end\n"


def running_config_text(tree: ConfigTree) -> str:
    """`show running-config`: the config with the `Building configuration...` header and its byte count."""
    body = config_body(tree)
    return f"Building configuration...\n\nCurrent configuration : {len(body)} bytes\n!\n{body}"


def interface_config_text(tree: ConfigTree, name: str) -> str | None:
    """`show running-config interface IF`: the interface's block; None when the running
    config has no such interface."""
    block = next((line for line in tree.find("interface", name)), None)
    if block is None:
        return None
    body = "\n".join(block.render()) + "\nend\n"
    return f"Building configuration...\n\nCurrent configuration : {len(body) - 4} bytes\n!\n{body}\n"


def startup_config_text(device: SimDevice) -> str:
    """Uses the device's optional ``startup_config`` (a ConfigTree, or a method returning one)."""
    startup = getattr(device, "startup_config", None)
    if callable(startup):
        startup = startup()
    if startup is None:
        return "startup-config is not present\n"
    body = config_body(startup)
    return f"Using {len(body)} out of {NVRAM_SIZE} bytes\n!\n{body}"
