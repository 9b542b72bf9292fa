"""Parsers for ``os: iosxe``."""

from genie import abstract

abstract.declare_token(os="iosxe")
