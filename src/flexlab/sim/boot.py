"""What a node boots from, given its topology entry: the kind's bootstrap, the startup
config, the image profile and the node's role.

Bootstrap (what the node driver writes before or instead of the startup config):

* cisco_iol, cisco_vios: the bootstrap with a ``.partial`` startup config appended before
  ``end``; a full startup config replaces it (no bootstrap user then: the config must
  define its own login, as on the real kinds).
* cisco_csr1000v, cisco_c8000v: the bootstrap, then the startup config, full or partial.

Modelled bootstrap lines: hostname (the node name), the login user (privilege 15),
``ip domain name``, ``no ip domain lookup`` and ``line vty 0 4`` with ``login local``.
Not modelled (a named simplification): the management interface, its VRF and default
route, the RSA key and NETCONF/RESTCONF lines -- the embedded lab serves each node's SSH
on 127.0.0.1 instead of a management network.
"""

from __future__ import annotations

from flexlab.errors import FlexlabError
from flexlab.iosconfig import ConfigTree
from flexlab.kinds import KINDS, ROLE_LABEL, SIM_IMAGE_REPOSITORY
from flexlab.sim.engine.images import IMAGES, ImageProfile
from flexlab.sim.topology import Topology, TopoNode

#: The images the kinds default to, and the profile that plays each (matched on the part
#: after the last "/", so a registry prefix does not matter).
PROFILE_OF_IMAGE = {
    KINDS["cisco_iol"].default_image: "iol-17.12",
    KINDS["cisco_vios"].default_image: "iosv-15.9",
    KINDS["cisco_csr1000v"].default_image: "csr-17.3",
}


class BootError(FlexlabError):
    """The topology cannot boot on the embedded lab (image, kinds)."""


def _image_key(reference: str) -> str:
    return reference.rsplit("/", 1)[-1]


def image_profile(topology: Topology) -> ImageProfile:
    """The one image profile the lab plays, from the nodes' images."""
    known = {_image_key(image): profile for image, profile in PROFILE_OF_IMAGE.items()}
    chosen: dict[str, str] = {}
    for node in topology.nodes.values():
        repository, _, tag = node.image.rpartition(":")
        if repository == SIM_IMAGE_REPOSITORY:
            if tag not in IMAGES:
                raise BootError(f"{topology.source}: topology.nodes.{node.name}.image: unknown image profile {tag!r}; "
                                f"available: {', '.join(IMAGES)}")
            chosen[node.name] = tag
        elif _image_key(node.image) in known:
            chosen[node.name] = known[_image_key(node.image)]
        else:
            raise BootError(
                f"{topology.source}: topology.nodes.{node.name}.image: {node.image!r} has no image profile in the "
                f"embedded lab; use one of {', '.join(PROFILE_OF_IMAGE)} or {SIM_IMAGE_REPOSITORY}:<profile> "
                f"({', '.join(IMAGES)})")
    profiles = set(chosen.values())
    if len(profiles) > 1:
        raise BootError(f"{topology.source}: image: the embedded lab plays one image per lab, these nodes ask for "
                        + ", ".join(f"{node}={profile}" for node, profile in chosen.items()))
    return IMAGES[profiles.pop()]


def lab_kind(topology: Topology) -> str:
    """The one kind of every node (the lab's interface names and platform)."""
    kinds = topology.kind_names()
    if len(kinds) > 1:
        raise BootError(
            f"{topology.source}: kind: the embedded lab runs one kind per lab, found {', '.join(sorted(kinds))}"
        )
    return kinds.pop()


def bootstrap(node: TopoNode, username: str, password: str) -> str:
    """The kind's bootstrap config (the modelled lines), without ``end``."""
    secret = "secret" if node.kind.name == "cisco_iol" else "password"
    return "\n".join([
        f"hostname {node.name}", "!", "ip domain name lab", "no ip domain lookup", "!",
        f"username {username} privilege 15 {secret} {password}", "!",
        "line vty 0 4", " login local", "!",
    ]) + "\n"


def boot_text(node: TopoNode, startup: str | None, credentials: tuple[str, str]) -> str:
    """What the node reads at boot from its bootstrap and startup config (see module doc)."""
    base = bootstrap(node, *credentials)
    if node.kind.partial_startup_config:
        if startup is not None and not node.partial:
            return startup
        return base + (startup or "").rstrip("\n") + "\nend\n"
    return base + (startup if startup is not None else "end\n")


def role(node: TopoNode, config_text: str) -> str:
    """hub, spoke or router: the ``flexlab-role`` label, else the config's FlexVPN part.

    spoke: a ``crypto ikev2 client flexvpn`` block; hub: a BGP listen range or an IKEv2
    authorization policy handing out a pool; router: neither."""
    if node.labels.get(ROLE_LABEL):
        return node.labels[ROLE_LABEL]
    tree = ConfigTree.from_text(config_text)
    if tree.find("crypto", "ikev2", "client", "flexvpn"):
        return "spoke"
    if any(bgp.has("bgp", "listen", "range") for bgp in tree.find("router", "bgp")) or any(
            policy.has("pool") for policy in tree.find("crypto", "ikev2", "authorization", "policy")):
        return "hub"
    return "router"
