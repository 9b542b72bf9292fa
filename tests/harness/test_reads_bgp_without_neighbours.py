"""`show ip bgp summary` on a router with no BGP neighbour at all (found by a job test:
a hub rebooted without its inter-hub neighbour made Recovery ERROR instead of FAIL)."""

from __future__ import annotations

from typing import Any

import pytest
from genie.conf.base import Device
from genie.metaparser.util.exceptions import SchemaMissingKeyError

import flexlab.parsers  # noqa: F401  (registers the ios entries for the iosxe parsers)
from flexlab.harness import reads

#: What IOS prints with `router bgp` configured and no neighbour: the header alone.
HEADER_ONLY = (
    "BGP router identifier 10.0.1.1, local AS number 65001\n"
    "BGP table version is 1, main routing table version 1\n"
)


class OutputDevice:
    """A Genie device whose `parse` reads a given output instead of a session."""

    def __init__(self, output: str) -> None:
        self.device = Device("hub1", os="ios")
        self.output = output

    def parse(self, command: str) -> Any:
        return self.device.parse(command, output=self.output)


@pytest.mark.parametrize("output", [HEADER_ONLY, ""], ids=["bgp-without-neighbours", "bgp-not-configured"])
def test_no_neighbour_is_an_empty_table_not_an_error(output: str) -> None:
    assert reads.bgp_neighbors(OutputDevice(output)) == {}


def test_other_schema_failures_still_raise() -> None:
    class Broken:
        def parse(self, command: str) -> Any:
            error = SchemaMissingKeyError.__new__(SchemaMissingKeyError)  # its __init__ formats a schema path
            error.missing_list = [["bgp_id"]]
            raise error

    with pytest.raises(SchemaMissingKeyError):
        reads.bgp_neighbors(Broken())
