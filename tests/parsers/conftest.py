"""Fixtures for the flexlab.parsers tests."""

from __future__ import annotations

from typing import Any

import pytest
from parser_testkit import make_device


@pytest.fixture
def ios_device() -> Any:
    return make_device("ios", "iol")


@pytest.fixture
def iosxe_device() -> Any:
    return make_device("iosxe", "c8000v")
