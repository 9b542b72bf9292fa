"""Defaults shared by the CLI, the labs, the testbeds and the simulator, each defined once.

A neutral module: it imports nothing of flexlab, so the simulator may use it too.
"""

from __future__ import annotations

#: The embedded lab's image profile when neither a topology nor an option names one.
DEFAULT_IMAGE = "iol-17.12"
#: Simulated seconds per wall second of the embedded lab when nothing else is asked for.
DEFAULT_TIME_SCALE = 10.0
