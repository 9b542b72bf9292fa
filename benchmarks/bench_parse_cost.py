"""Cost of each read the job makes: connect, `device.execute` and `device.parse` per command.

    .venv/bin/python -m benchmarks.run parse-cost [--spokes 200] [--samples 10]

Measured in this process with pyATS/unicon against a spoke and a hub of an embedded lab
(with many spokes the hub's BGP and routing outputs are long). Each command is timed as
the job runs it (``device.parse``: CLI round trip plus Genie parsing), as a plain
``device.execute``, and as parsing alone (``device.parse(cmd, output=...)``). Everything
is measured twice: with unicon's default connection settings and with the settings
flexlab gives embedded-lab connections (``flexlab.labs.session``).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from benchmarks.common import BenchLab
from flexlab.harness.session_errors import READ_ERRORS

NAME = "parse_cost"

#: (command as the job sends it, how the job asks Genie for it: template and arguments)
PARSED_COMMANDS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("show crypto ikev2 client flexvpn", "show crypto ikev2 client flexvpn", {}),
    ("show crypto ikev2 sa", "show crypto ikev2 sa", {}),
    ("show ip bgp summary", "show ip bgp summary", {}),
    ("show ip route bgp", "show ip route {protocol}", {"protocol": "bgp"}),
    ("show ip interface brief", "show ip interface brief", {}),
    ("show logging", "show logging", {}),
    ("show version", "show version", {}),
)
EXECUTED_COMMANDS = ("show clock", "show running-config")


#: A fresh process looks a parser up from ``threads`` threads at once, as the job's
#: parallel connects did before flexlab loaded the index first (``reads.load_parser_index``).
_INDEX_RACE = """
import sys, time
from concurrent.futures import ThreadPoolExecutor
from pyats.topology import loader
from genie.libs.parser.utils.common import get_parser
device = next(iter(loader.load(sys.argv[1]).devices.values()))
threads = int(sys.argv[2])
start = time.perf_counter()
with ThreadPoolExecutor(threads) as pool:
    list(pool.map(lambda _: get_parser("show version", device), range(threads)))
print(time.perf_counter() - start)
"""


def parser_index_load_s(testbed: str, threads: int) -> float:
    """Wall seconds until ``threads`` concurrent first parser lookups are done, in a fresh process."""
    result = subprocess.run([sys.executable, "-c", _INDEX_RACE, testbed, str(threads)], capture_output=True,
                            text=True, timeout=300, check=True)
    return round(float(result.stdout.strip().splitlines()[-1]), 3)


def _median_ms(action: Callable[[], Any], samples: int) -> float:
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 2)


def _job_settings() -> dict[str, Any]:
    try:
        from flexlab.labs.session import EMBEDDED_CLI_SETTINGS
    except ImportError:  # before the tuned settings existed
        return {}
    return dict(EMBEDDED_CLI_SETTINGS)


def _load_testbed(lab: BenchLab, settings: dict[str, Any]) -> Any:
    from pyats.topology import loader

    testbed = loader.load(str(lab.testbed))
    for device in testbed.devices.values():
        cli = device.connections["cli"]
        cli["settings"] = {**dict(cli.get("settings") or {}), **settings}
    return testbed


def _measure_device(device: Any, samples: int) -> dict[str, Any]:
    start = time.perf_counter()
    device.connect(log_stdout=False, learn_hostname=False, connection_timeout=60)
    connect_ms = round((time.perf_counter() - start) * 1000, 1)
    commands: dict[str, Any] = {}
    try:
        for command, template, arguments in PARSED_COMMANDS:
            output = device.execute(command)
            try:
                device.parse(template, **arguments)  # first call: parser lookup and import
            except READ_ERRORS as exc:  # e.g. no FlexVPN client on a hub: Genie refuses empty output
                commands[command] = {"output_bytes": len(output), "not_parsed": type(exc).__name__}
                continue
            cost = {
                "output_bytes": len(output),
                "parse_ms": _median_ms(partial(device.parse, template, **arguments), samples),
                "execute_ms": _median_ms(partial(device.execute, command), samples),
                "parse_only_ms": _median_ms(partial(device.parse, template, output=output, **arguments), samples),
            }
            if template != command:  # what Genie's fuzzy search for the plain command costs
                cost["parse_plain_command_ms"] = _median_ms(partial(device.parse, command), samples)
            commands[command] = cost
        for command in EXECUTED_COMMANDS:
            output = device.execute(command)
            commands[command] = {"output_bytes": len(output),
                                 "execute_ms": _median_ms(partial(device.execute, command), samples)}
    finally:
        device.disconnect()
    return {"connect_ms": connect_ms, "commands": commands}


def run(spokes: int = 200, samples: int = 10, time_scale: float = 50.0) -> dict[str, Any]:
    figures: dict[str, Any] = {"spokes": spokes, "samples": samples, "devices": {}}
    with BenchLab("parsecost", spokes=spokes, time_scale=time_scale) as lab:
        figures["parser_index_first_lookup_s"] = {
            f"{threads}_threads": parser_index_load_s(str(lab.testbed), threads) for threads in (1, 16)}
        print(f"Genie parser index, first lookup in a process: {figures['parser_index_first_lookup_s']}")
        for label, settings in (("unicon_defaults", {}), ("flexlab_embedded_settings", _job_settings())):
            if label != "unicon_defaults" and not settings:
                continue
            testbed = _load_testbed(lab, settings)
            figures["devices"][label] = {"settings": settings}
            for name in ("spoke1", "hub1"):
                result = _measure_device(testbed.devices[name], samples)
                figures["devices"][label][name] = result
                print(f"[{label}] {name}: connect {result['connect_ms']:.0f} ms")
                for command, cost in result["commands"].items():
                    if "not_parsed" in cost:
                        print(f"    {command:<34} not parsed: {cost['not_parsed']}")
                        continue
                    parse = f"parse {cost['parse_ms']:7.1f} ms (parsing alone {cost['parse_only_ms']:6.1f})" \
                        if "parse_ms" in cost else " " * 38
                    plain = f"  (asked as `{command}`: {cost['parse_plain_command_ms']:.1f} ms)" \
                        if "parse_plain_command_ms" in cost else ""
                    print(f"    {command:<34} {parse}  execute {cost['execute_ms']:7.1f} ms  "
                          f"{cost['output_bytes']:>7} bytes{plain}")
    return figures
