"""Connections to the embedded lab get unicon settings for a router that answers in ~1 ms."""

from __future__ import annotations

import pytest
from pyats.topology import loader

from flexlab.labs.base import LabError
from flexlab.labs.session import EMBEDDED_CLI_SETTINGS, _point_testbed_at

TESTBED = """
devices:
  spoke1:
    os: ios
    type: router
    connections:
      cli: {protocol: ssh, ip: 192.0.2.1, port: 22, settings: {EXECUTE_MATCHED_RETRIES: 2}}
  hub1:
    os: ios
    type: router
    connections:
      cli: {protocol: ssh, ip: 192.0.2.2, port: 22}
"""


def test_embedded_lab_connections_get_the_fast_settings_and_explicit_ones_win():
    testbed = loader.load(TESTBED)
    _point_testbed_at(testbed, {"spoke1": 40001, "hub1": 40002}, "127.0.0.1")
    hub = testbed.devices["hub1"].connections["cli"]
    assert (hub["ip"], hub["port"]) == ("127.0.0.1", 40002)
    assert dict(hub["settings"]) == EMBEDDED_CLI_SETTINGS
    spoke = dict(testbed.devices["spoke1"].connections["cli"]["settings"])
    assert spoke["EXECUTE_MATCHED_RETRIES"] == 2
    assert spoke["CONNECTED_CHECK_COUNT"] == EMBEDDED_CLI_SETTINGS["CONNECTED_CHECK_COUNT"]


def test_devices_the_lab_does_not_run_are_refused():
    testbed = loader.load(TESTBED)
    with pytest.raises(LabError, match="spoke1"):
        _point_testbed_at(testbed, {"hub1": 40002}, "127.0.0.1")


def test_testbed_image_params_accept_a_mapping_or_key_value_texts():
    from flexlab.labs.embedded import image_params_from

    source = "testbed.custom.flexlab.image_params"
    assert image_params_from({"dpd_retransmits": 3}, source) == {"dpd_retransmits": "3"}
    assert image_params_from(["dpd_backoff=exponential", "dpd_periodic = always"], source) == {
        "dpd_backoff": "exponential", "dpd_periodic": "always"}
    assert image_params_from(None, source) == {}
    with pytest.raises(LabError, match=r"testbed.custom.flexlab.image_params: image parameter 'dpd' is not KEY=VALUE"):
        image_params_from(["dpd"], source)
