"""The declared DPD model: how an image retransmits an unanswered R-U-THERE.

IOS configures only the interval I, the retry interval R and the mode (``crypto ikev2 dpd
I R {on-demand|periodic}``). How many times an unanswered R-U-THERE is retransmitted, how
the waits grow and what "periodic" means are properties of the image with no primary
source for IOS IKEv2 (facts.md section 1). They are declared here, per image, and the job
checks the declaration against the schedule it captures on the wire. docs/timing.md.

A model is given as a name (``ios-fixed-5``), a key=value list
(``retransmits=3,backoff=exponential,factor=2``), a YAML model file written by
``flexlab calibrate`` (a path ending in .yaml/.yml) or, in a matrix, a mapping of keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from flexlab.errors import FlexlabError
from flexlab.results.records import DpdModelRecord

#: What IOS accepts in ``crypto ikev2 dpd INTERVAL RETRY`` (seconds, both ends included);
#: the design's validation and the embedded lab's CLI grammar both read these.
DPD_INTERVAL_RANGE_S = (10, 3600)
DPD_RETRY_RANGE_S = (2, 60)
#: N, the R-U-THERE retransmissions before the peer is dead, when nothing else is declared
#: (facts.md section 1: assumed); the default model and the embedded lab's images use it.
DEFAULT_RETRANSMITS = 5
BACKOFFS = ("fixed", "exponential")
#: facts.md section 1: "always" = an R-U-THERE every interval whatever the peer sends;
#: "idle" = only after `interval` s without anything received from the peer.
PERIODIC_READINGS = ("always", "idle")
ASSUMED = "assumed, not measured on this image"
DEFAULT_MODEL_NAME = "ios-fixed-5"
MODEL_FILE_KEY = "dpd_model"
_KEYS = ("name", "retransmits", "backoff", "factor", "cap", "periodic", "measured", "source")


class DpdModelError(FlexlabError):
    """A DPD model that cannot be read (the message names the field and the cause)."""


@dataclass(frozen=True)
class DpdModel:
    """Retransmission count N, spacing rule and periodic reading of one image."""

    name: str = DEFAULT_MODEL_NAME
    retransmits: int = DEFAULT_RETRANSMITS  # N: R-U-THERE retransmissions before the peer is dead
    backoff: str = "fixed"               # "fixed": every wait R; "exponential": R * factor**k
    factor: float = 1.0                  # exponential growth per wait
    cap_s: float | None = None           # exponential: no wait longer than this
    periodic: str = "idle"               # see PERIODIC_READINGS
    measured: bool = False               # True when the entry came from a capture (calibrate)
    source: str = ASSUMED

    def waits_s(self, retry_s: float) -> list[float]:
        """The N+1 waits: probe -> 1st retransmission, ..., Nth retransmission -> dead."""
        if self.backoff == "fixed":
            return [float(retry_s)] * (self.retransmits + 1)
        waits = [float(retry_s) * self.factor ** k for k in range(self.retransmits + 1)]
        return [min(w, self.cap_s) for w in waits] if self.cap_s is not None else waits

    def spacing_formula(self) -> str:
        """Symbolic sum of the waits, e.g. ``(N+1)*R`` or ``sum(R*2^k, k=0..N)``."""
        if self.backoff == "fixed":
            return "(N+1)*R"
        cap = f" capped at {self.cap_s:g}" if self.cap_s is not None else ""
        return f"sum(R*{self.factor:g}^k, k=0..N){cap}"

    def describe(self) -> str:
        """One line for reports: the model's N, spacing, periodic reading and where it comes from."""
        spacing = "fixed at R" if self.backoff == "fixed" else (
            f"exponential from R, factor {self.factor:g}" + (f", cap {self.cap_s:g} s" if self.cap_s else ""))
        return (f"{self.name}: {self.retransmits} retransmissions, {spacing}, periodic={self.periodic} "
                f"({self.source})")

    def spec(self) -> str:
        """The key=value list that parses back to this model."""
        parts = [f"name={self.name}", f"retransmits={self.retransmits}", f"backoff={self.backoff}",
                 f"factor={self.factor:g}", f"periodic={self.periodic}", f"measured={str(self.measured).lower()}"]
        if self.cap_s is not None:
            parts.append(f"cap={self.cap_s:g}")
        return ",".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """The model's fields, as a model file's ``dpd_model:`` entry holds them."""
        return asdict(self)

    def to_record(self) -> DpdModelRecord:
        """The model as the result documents hold it (flexlab.results.records)."""
        return DpdModelRecord(**asdict(self))


DEFAULT_MODEL = DpdModel()

#: Named models a matrix row or `--dpd-model` can declare.
NAMED_MODELS: dict[str, DpdModel] = {
    DEFAULT_MODEL_NAME: DEFAULT_MODEL,
    "ios-fixed-3": DpdModel(name="ios-fixed-3", retransmits=3),
    "ios-exponential-5": DpdModel(name="ios-exponential-5", backoff="exponential", factor=2.0),
}


def _number(key: str, text: object, where: str) -> float:
    try:
        return float(str(text))
    except ValueError:
        raise DpdModelError(f"{where}: {key}={text!r} is not a number") from None


def _boolean(text: object, where: str) -> bool:
    value = str(text).strip().lower()
    if value in ("true", "yes", "1"):
        return True
    if value in ("false", "no", "0"):
        return False
    raise DpdModelError(f"{where}: measured={text!r} must be true or false")


def model_from_mapping(fields: Mapping[str, Any], where: str = "DPD model") -> DpdModel:
    """A model from keys (missing keys keep the default model's values)."""
    unknown = sorted(set(fields) - set(_KEYS) - {"cap_s"})
    if unknown:
        raise DpdModelError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(_KEYS)}")
    model = DEFAULT_MODEL if "name" in fields else replace(DEFAULT_MODEL, name="declared")
    changes: dict[str, Any] = {}
    if "name" in fields:
        changes["name"] = str(fields["name"])
    if "retransmits" in fields:
        count = _number("retransmits", fields["retransmits"], where)
        if count != int(count) or not 0 <= count <= 20:
            raise DpdModelError(f"{where}: retransmits={fields['retransmits']!r} must be a whole number 0-20")
        changes["retransmits"] = int(count)
    if "backoff" in fields:
        if str(fields["backoff"]) not in BACKOFFS:
            raise DpdModelError(f"{where}: backoff={fields['backoff']!r} must be one of {', '.join(BACKOFFS)}")
        changes["backoff"] = str(fields["backoff"])
    if "periodic" in fields:
        if str(fields["periodic"]) not in PERIODIC_READINGS:
            raise DpdModelError(
                f"{where}: periodic={fields['periodic']!r} must be one of {', '.join(PERIODIC_READINGS)}"
            )
        changes["periodic"] = str(fields["periodic"])
    cap = fields.get("cap", fields.get("cap_s"))
    if cap is not None:
        changes["cap_s"] = _number("cap", cap, where)
    if "factor" in fields:
        changes["factor"] = _number("factor", fields["factor"], where)
    if "measured" in fields:
        changes["measured"] = _boolean(fields["measured"], where)
    if "source" in fields:
        changes["source"] = str(fields["source"])
    model = replace(model, **changes)
    return _validated(model, where, explicit_factor="factor" in fields)


def _validated(model: DpdModel, where: str, explicit_factor: bool) -> DpdModel:
    if model.backoff == "exponential":
        if not explicit_factor and model.factor == 1.0:
            model = replace(model, factor=2.0)      # RFC 7296's examples double the wait
        if model.factor <= 1.0:
            raise DpdModelError(f"{where}: factor={model.factor:g} must be > 1 for exponential backoff")
    elif model.factor != 1.0 and explicit_factor:
        raise DpdModelError(f"{where}: factor applies to backoff=exponential only")
    if model.cap_s is not None and model.cap_s <= 0:
        raise DpdModelError(f"{where}: cap={model.cap_s:g} must be > 0")
    if model.measured and model.source == ASSUMED:
        model = replace(model, source="measured (declared without a source)")
    return model


def _parse_key_values(spec: str, where: str = "--dpd-model") -> dict[str, str]:
    fields: dict[str, str] = {}
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise DpdModelError(f"{where}: {part!r} is not key=value (e.g. retransmits=3,backoff=exponential)")
        fields[key.strip()] = value.strip()
    return fields


def load_model_file(path: Path) -> DpdModel:
    """A model entry as `flexlab calibrate` writes it (``dpd_model: {...}``)."""
    from flexlab.yamlio import read_yaml

    data = read_yaml(path, "DPD model", DpdModelError)
    entry = data.get(MODEL_FILE_KEY) if isinstance(data, dict) else None
    if not isinstance(entry, dict):
        raise DpdModelError(f"{path}: needs a mapping under '{MODEL_FILE_KEY}:'")
    return model_from_mapping(entry, str(path))


def parse_model(spec: str | Mapping[str, Any] | None, base_dir: Path | None = None,
                where: str = "--dpd-model") -> DpdModel:
    """A name, key=value list, model file path or mapping; None or "" is the default model."""
    if spec is None or (isinstance(spec, str) and not spec.strip()):
        return DEFAULT_MODEL
    if isinstance(spec, Mapping):
        return model_from_mapping(spec, where)
    text = spec.strip()
    if text in NAMED_MODELS:
        return NAMED_MODELS[text]
    if text.endswith((".yaml", ".yml")):
        path = Path(text) if base_dir is None or Path(text).is_absolute() else base_dir / text
        if not path.is_file():
            raise DpdModelError(f"{where}: model file {path} not found")
        return load_model_file(path)
    if "=" not in text:
        raise DpdModelError(f"{where}: unknown DPD model {text!r}; named models: {', '.join(NAMED_MODELS)}"
                            " (or key=value list, or a .yaml model file)")
    return model_from_mapping(_parse_key_values(text, where), where)


def model_file_text(model: DpdModel, comment: str = "") -> str:
    """YAML for a model entry that :func:`load_model_file` (and a matrix row) reads back."""
    import yaml

    head = "".join(f"# {line}\n" for line in comment.splitlines())
    return head + yaml.safe_dump({MODEL_FILE_KEY: model.to_dict()}, sort_keys=False)
