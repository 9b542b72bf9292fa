"""`--image-param KEY=VALUE`: override an image profile's DPD behaviour without a new profile.

Each key names one :class:`~flexlab.sim.engine.images.Timing` field; its parser turns the
text into the field's value or raises :class:`ImageError` naming key, value and cause.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from flexlab.sim.engine.images import ImageError, Timing


def _count(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 20:
        raise ValueError("must be 0..20")
    return value


def _factor(text: str) -> float:
    value = float(text)
    if not 1.0 <= value <= 10.0:
        raise ValueError("must be 1..10")
    return value


def _cap(text: str) -> float | None:
    if text.lower() in ("none", "off", ""):
        return None
    value = float(text)
    if not 0 < value <= 3600:
        raise ValueError("must be > 0 and <= 3600 s, or none")
    return value


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return text

    return parse


#: key -> (Timing field, parser). Keys are what users type; each names one Timing field.
IMAGE_PARAMS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "dpd_retransmits": ("dpd_retransmits", _count),
    "dpd_backoff": ("dpd_backoff", _choice("fixed", "exponential")),
    "dpd_backoff_factor": ("dpd_backoff_factor", _factor),
    "dpd_backoff_cap_s": ("dpd_backoff_cap_s", _cap),
    "dpd_periodic": ("dpd_periodic", _choice("idle", "always")),
}


def split_param(text: str) -> tuple[str, str]:
    """``"KEY=VALUE"`` -> (key, value); raises ImageError on another shape."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ImageError(f"--image-param {text!r}: expected KEY=VALUE")
    return key.strip(), value.strip()


def parse_image_params(params: Mapping[str, str] | Iterable[str]) -> dict[str, Any]:
    """Validate overrides (a mapping or ``KEY=VALUE`` texts) into Timing field values."""
    pairs = params.items() if isinstance(params, Mapping) else (split_param(p) for p in params)
    parsed: dict[str, Any] = {}
    for key, text in pairs:
        if key not in IMAGE_PARAMS:
            raise ImageError(f"--image-param {key}: unknown key; known: {', '.join(IMAGE_PARAMS)}")
        field_name, parse = IMAGE_PARAMS[key]
        try:
            parsed[field_name] = parse(str(text))
        except ValueError as exc:
            cause = str(exc) if "must" in str(exc) else "not a number"
            raise ImageError(f"--image-param {key}={text}: {cause}") from None
    return parsed


def apply_image_params(timing: Timing, params: Mapping[str, str] | Iterable[str] | None) -> Timing:
    """The image's timing with the overrides applied (validated first)."""
    return replace(timing, **parse_image_params(params)) if params else timing
