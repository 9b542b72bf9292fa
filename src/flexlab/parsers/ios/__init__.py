"""Parsers for ``os: ios`` (classic IOS, IOL, IOSv)."""

from genie import abstract

abstract.declare_token(os="ios")
