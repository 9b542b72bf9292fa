"""Image behaviour profiles: what `show version` says and how fast the protocols run.

`--image NAME` picks one profile for the whole embedded lab. The version texts follow the
real `show version` layouts (see ``genie-golden/ios/ShowVersion`` and
``iosxe/ShowVersion``); build dates and memory sizes are illustrative. The hardware line
is rendered as ``<chassis> (<processor>) processor <memory_line>`` when ``memory_line``
starts with "with", else ``<chassis> <memory_line>``.

Timing values are parameters, not measurements: IKE set-up and retransmission, the DPD
schedule (retransmit count, fixed or exponential spacing, periodic reading: facts.md §1
leaves all three open, so ``--image-param`` can override them, see image_params.py), BGP
connect retry and keepalive jitter, NTP synchronisation delay, per-hop latency and the
spread of the nodes' boot instants.
One profile is deliberately defective (``iol-17.12-dpd-bug``): its IKEv2 liveness checks
never declare a peer dead, so a FlexVPN client never leaves a dead hub.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from flexlab.dpd_model import DEFAULT_RETRANSMITS
from flexlab.errors import FlexlabError
from flexlab.sim.state import VersionInfo


class ImageError(FlexlabError):
    """Unknown image profile name."""


@dataclass(frozen=True)
class Timing:
    """Protocol timing of one image (lab seconds)."""

    hop_latency_s: float = 0.001          # one-way latency per forwarding hop
    ike_setup_s: float = 0.1              # responder DH/processing before IKE_SA_INIT reply
    ike_retransmit_base_s: float = 2.0    # first IKE request retransmission after this
    ike_retransmits: int = 3              # then doubled each time; give up after the last wait
    dpd_retransmits: int = DEFAULT_RETRANSMITS  # R-U-THERE retransmissions before "dead" [facts §1]
    dpd_backoff: str = "fixed"            # "fixed": every retry s; "exponential": retry * factor**k
    dpd_backoff_factor: float = 2.0       # exponential back-off growth per retransmission
    dpd_backoff_cap_s: float | None = None  # exponential back-off: no wait longer than this
    dpd_periodic: str = "idle"            # periodic DPD: "idle" = only after interval s without
                                          # receiving; "always" = every interval s whatever arrives
    dpd_declares_dead: bool = True        # False: defective image, liveness failure ignored
    bgp_connect_retry_s: float = 5.0      # BGP connect attempt period while Idle/Active
    bgp_update_delay_s: float = 0.05      # update batching (iBGP MRAI 0)
    bgp_scan_delay_s: float = 1.0         # next-hop / network re-evaluation after a RIB change
    ntp_sync_delay_s: float = 16.0        # time to synchronise with a reachable NTP server
    ntp_poll_s: float = 64.0              # NTP retry period while unsynchronised
    flex_next_peer_delay_s: float = 1.0   # FlexVPN client pause before trying the next peer
    flex_reactivate_probe_s: float = 10.0  # `peer reactivate` probe period of better peers
    ipsec_rekey_fraction: float = 0.9     # child SA rekey at this fraction of its lifetime
    tcp_rto_s: float = 1.0                # first TCP retransmission timeout (doubles, max 32 s)
    clock_offset_max_s: float = 3.0       # unsynchronised clocks differ by up to +/- this
    boot_spread_s: float = 5.0            # each node boots at a seeded offset in [0, this) s
    reload_s: float = 60.0                # `reload`: down this long, then booted (an assumption, not measured)
    bgp_keepalive_jitter: float = 0.25    # keepalive interval x uniform(1 - this, 1) [RFC 4271 §10]

    @property
    def ike_timeout_s(self) -> float:
        """Total time before an unanswered IKE request is abandoned."""
        base, n = self.ike_retransmit_base_s, self.ike_retransmits
        return base * (2 ** (n + 1) - 1)

    def dpd_retry_waits(self, retry: float) -> list[float]:
        """Waits after the first R-U-THERE and each retransmission; the last one ends in "dead"."""
        if self.dpd_backoff == "fixed":
            return [retry] * (self.dpd_retransmits + 1)
        cap = self.dpd_backoff_cap_s if self.dpd_backoff_cap_s is not None else float("inf")
        return [min(retry * self.dpd_backoff_factor**k, cap) for k in range(self.dpd_retransmits + 1)]

    def dpd_model(self) -> dict[str, object]:
        """The DPD behaviour of this image as `lab status` and the state file report it."""
        return {
            "retransmits": self.dpd_retransmits, "backoff": self.dpd_backoff,
            "backoff_factor": self.dpd_backoff_factor, "backoff_cap_s": self.dpd_backoff_cap_s,
            "periodic": self.dpd_periodic, "declares_dead": self.dpd_declares_dead,
        }

    def ike_retransmit_waits(self) -> list[float]:
        """Waits after the first send and each retransmission (the last one ends the exchange)."""
        return [self.ike_retransmit_base_s * 2**k for k in range(self.ike_retransmits + 1)]


@dataclass(frozen=True)
class ImageProfile:
    """One IOS image as the lab models it: `show version` facts, protocol timing, a known defect if any."""
    name: str
    description: str
    version: VersionInfo
    timing: Timing = field(default_factory=Timing)
    defect: str | None = None

    def version_for(self, serial: str) -> VersionInfo:
        """The image's `show version` facts with this router's serial number."""
        return replace(self.version, serial=serial)


_IOL_17_12 = VersionInfo(
    image="iol-17.12",
    os_family="ios",
    version="17.12.1",
    platform_line=("Cisco IOS Software [Dublin], Linux Software (X86_64BI_LINUX-ADVENTERPRISEK9-M), "
                   "Version 17.12.1, RELEASE SOFTWARE (fc5)"),
    image_file="unix:/iol/iol.bin",
    chassis="Linux Unix",
    processor="Intel-x86",
    memory_line="with 1104412K/29696K bytes of memory.",
    serial="131184641",
    config_register="0x0",
    rom="Bootstrap program is Linux",
    compiled="Compiled Thu 27-Jul-23 22:33 by mcpre",
)

_IOSV_15_9 = VersionInfo(
    image="iosv-15.9",
    os_family="ios",
    version="15.9(3)M10",
    platform_line=("Cisco IOS Software, IOSv Software (VIOS-ADVENTERPRISEK9-M), Version 15.9(3)M10, "
                   "RELEASE SOFTWARE (fc1)"),
    image_file="flash0:/vios-adventerprisek9-m",
    chassis="Cisco IOSv",
    processor="",
    memory_line="(revision 1.0) with  with 460137K/62464K bytes of memory.",
    serial="9K66Z7TOKAACDEQA24N7S",
    config_register="0x0",
    rom="Bootstrap program is IOSv",
    compiled="Compiled Thu 19-Oct-23 13:21 by prod_rel_team",
)

_CSR_17_3 = VersionInfo(
    image="csr-17.3",
    os_family="iosxe",
    version="17.03.08",
    platform_line=("Cisco IOS Software [Amsterdam], Virtual XE Software (X86_64_LINUX_IOSD-UNIVERSALK9-M), "
                   "Version 17.3.8, RELEASE SOFTWARE (fc3)"),
    image_file="bootflash:packages.conf",
    chassis="cisco CSR1000V",
    processor="VXE",
    memory_line="(VXE) processor (revision VXE) with 2071829K/3075K bytes of memory.",
    serial="9MVU3KG6WGO",
    config_register="0x2102",
    rom="IOS-XE ROMMON",
    compiled="Compiled Sat 29-Jul-23 02:06 by mcpre",
)

_IOS_15_2M = VersionInfo(
    image="ios-15.2m",
    os_family="ios",
    version="15.2(4)M6",
    platform_line="Cisco IOS Software, C2900 Software (C2900-UNIVERSALK9-M), Version 15.2(4)M6, RELEASE SOFTWARE (fc2)",
    image_file="flash0:c2900-universalk9-mz.SPA.152-4.M6.bin",
    chassis="Cisco CISCO2911/K9",
    processor="",
    memory_line="(revision 1.0) with 487424K/36864K bytes of memory.",
    serial="FTX1628838P",
    config_register="0x2102",
    rom="System Bootstrap, Version 15.0(1r)M15, RELEASE SOFTWARE (fc1)",
    compiled="Compiled Tue 04-Feb-14 01:31 by prod_rel_team",
)

IMAGES: dict[str, ImageProfile] = {
    p.name: p
    for p in (
        ImageProfile(
            "iol-17.12", "IOS XE 17.12.1 on IOL (containerlab cisco_iol, default)", _IOL_17_12,
            Timing(hop_latency_s=0.001, ike_setup_s=0.08, ntp_sync_delay_s=16.0, reload_s=45.0),
        ),
        ImageProfile(
            "iosv-15.9", "IOS 15.9(3)M10 as in IOSv (containerlab cisco_vios)", _IOSV_15_9,
            Timing(hop_latency_s=0.002, ike_setup_s=0.25, bgp_connect_retry_s=6.0, ntp_sync_delay_s=32.0,
                   flex_next_peer_delay_s=2.0, reload_s=120.0),
        ),
        ImageProfile(
            "csr-17.3", "IOS XE 17.3.8 on CSR1000V (containerlab cisco_csr1000v)", _CSR_17_3,
            Timing(hop_latency_s=0.003, ike_setup_s=0.15, ntp_sync_delay_s=20.0, flex_next_peer_delay_s=1.5,
                   reload_s=300.0),
        ),
        ImageProfile(
            "ios-15.2m", "IOS 15.2(4)M6 on an ISR G2, as in the seed document", _IOS_15_2M,
            Timing(hop_latency_s=0.002, ike_setup_s=0.4, bgp_connect_retry_s=8.0, ntp_sync_delay_s=32.0,
                   flex_next_peer_delay_s=2.0, reload_s=180.0),
        ),
        ImageProfile(
            "iol-17.12-dpd-bug",
            "DEFECTIVE: IOL 17.12.1 whose IKEv2 DPD (and rekey timeout) never declares the peer dead",
            replace(_IOL_17_12, image="iol-17.12-dpd-bug"),
            Timing(hop_latency_s=0.001, ike_setup_s=0.08, ntp_sync_delay_s=16.0, dpd_declares_dead=False,
                   reload_s=45.0),
            defect="dpd-never-dead",
        ),
    )
}



def get_image(name: str) -> ImageProfile:
    """The image profile by name; an unknown name is an ImageError listing the known ones."""
    try:
        return IMAGES[name]
    except KeyError:
        raise ImageError(f"unknown image profile {name!r}; available: {', '.join(IMAGES)}") from None
