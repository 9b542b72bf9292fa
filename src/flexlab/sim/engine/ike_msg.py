"""One IKEv2 message as the embedded lab puts it on the wire (header fields of RFC 7296 §3.1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ZERO_SPI = "0" * 16


@dataclass(frozen=True)
class IkeMsg:
    """One IKEv2 message; the header fields are those RFC 7296 §3.1 puts on the wire."""

    kind: str                  # init-req/resp, auth-req/resp, info-req/resp, rekey-req/resp
    spi: str                   # initiator SPI of the IKE SA
    data: dict[str, Any] = field(default_factory=dict)
    msg_id: int = 0            # a retransmission repeats it; a response echoes the request's
    from_initiator: bool = True  # I flag: sent by the IKE SA's original initiator
    spi_r: str = ZERO_SPI      # responder SPI (zero in the first IKE_SA_INIT)

    def reply(self, kind: str, data: dict[str, Any] | None = None, spi_r: str | None = None) -> IkeMsg:
        """The response to this request: same SPIs and message ID, I flag of the answering side."""
        return IkeMsg(kind, self.spi, data or {}, self.msg_id, not self.from_initiator,
                      self.spi_r if spi_r is None else spi_r)
