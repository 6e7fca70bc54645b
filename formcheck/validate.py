"""Checking documents that come from outside (plans, tracks, summaries) against their JSON Schemas.

The schemas are the published ones in ``formcheck/schemas``. An invalid
document gives one short line naming the field (``items[0].reps``) and what
is wrong with it; long values are cut, so an error line stays one line.
"""

from __future__ import annotations

import json
import math
from functools import cache
from importlib import resources

import jsonschema

from formcheck.outpaths import short


@cache
def schema(name: str) -> dict:
    """A published schema by file name (``plan``, ``pose_track``, ``session_summary``)."""
    return json.loads(resources.files("formcheck").joinpath(f"schemas/{name}.schema.json").read_text("utf-8"))


def field_path(path) -> str:
    """``items[0].reps`` for a jsonschema error path."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the document"


def problem(instance, schema_doc: dict) -> str | None:
    """The first thing wrong with ``instance`` in one short phrase, or None when it is valid."""
    validator = jsonschema.Draft202012Validator(schema_doc)
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is None:
        return None
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return f"{field_path(error.absolute_path)}: unknown field {short(extra[0] if extra else '?', 40)!r}"
    return f"{field_path(error.absolute_path)}: {short(_message(error), 100)}"


def _message(error) -> str:
    value = short(
        json.dumps(error.instance, default=str) if not isinstance(error.instance, str) else repr(error.instance), 40
    )
    kind = error.validator
    if kind == "type":
        wanted = error.validator_value
        names = " or ".join(wanted) if isinstance(wanted, list) else wanted
        return f"{value} is not {'an' if names[0] in 'aeiou' else 'a'} {names}"
    if kind in ("const", "enum"):
        return f"{value} is not allowed"
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "above", "exclusiveMaximum": "below"}
        return f"{value} must be {words[kind]} {error.validator_value}"
    return short(error.message, 80)


def loads(text: str):
    """Parse JSON, refusing NaN and Infinity (not JSON) and documents nested too deeply to read."""

    def no_constant(name):
        raise ValueError(f"{name} is not a number JSON allows")

    try:
        return json.loads(text, parse_constant=no_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def finite(value: float, what: str) -> float:
    """``value`` when it is a finite number, else ValueError naming ``what``."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {short(repr(value), 30)}")
    return value
