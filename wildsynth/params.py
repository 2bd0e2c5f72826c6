"""Parameter overrides (``--set a.b=value``) and listings for pydantic models."""

from __future__ import annotations

import json
from typing import Any, Iterator

from pydantic import BaseModel, ValidationError


class UserError(ValueError):
    """Bad input from the user: the message is one line naming field, value and what is allowed."""


def _fields(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for name, f in model.model_fields.items():
        ann = f.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            yield from _fields(ann, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", f


def _allowed(f) -> str:
    bounds = {}
    for m in f.metadata:
        for key in ("ge", "gt", "le", "lt"):
            if getattr(m, key, None) is not None:
                bounds[key] = getattr(m, key)
    lo = f"{'>=' if 'ge' in bounds else '>'} {bounds.get('ge', bounds.get('gt'))}" if ("ge" in bounds or "gt" in bounds) else ""
    hi = f"{'<=' if 'le' in bounds else '<'} {bounds.get('le', bounds.get('lt'))}" if ("le" in bounds or "lt" in bounds) else ""
    kind = getattr(f.annotation, "__name__", str(f.annotation))
    return " and ".join(x for x in (lo, hi) if x) and f"{kind} {' and '.join(x for x in (lo, hi) if x)}" or kind


def _value_at(values: dict, dotted: str) -> Any:
    for part in dotted.split("."):
        values = values[part]
    return values


def describe(model: type[BaseModel]) -> list[dict]:
    """Every leaf parameter: dotted name, default (as the scene sets it, nested
    defaults included), allowed range, description."""
    defaults = model().model_dump()
    return [{"name": name, "default": _value_at(defaults, name), "allowed": _allowed(f),
             "description": f.description or ""} for name, f in _fields(model)]


def _parse_value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def apply_overrides(model: type[BaseModel], overrides: list[str], what: str = "scene") -> BaseModel:
    """Validate ``key=value`` overrides against ``model`` and return the full parameters."""
    known = {name: f for name, f in _fields(model)}
    # start from the scene's own defaults, so overriding one nested field keeps the
    # scene-specific values of its siblings
    data: dict = model().model_dump()
    for item in overrides:
        if "=" not in item:
            raise UserError(f"--set {item!r}: expected key=value, e.g. rocks.count=50")
        key, value = (s.strip() for s in item.split("=", 1))
        if key not in known:
            close = [k for k in known if k.split(".")[-1] == key.split(".")[-1]] or sorted(known)[:8]
            raise UserError(f"--set {key}: unknown parameter for {what}; did you mean one of: {', '.join(close)}? "
                            f"(see `wildsynth params {what}`)")
        node = data
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = _parse_value(value)
    try:
        return model.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        key = ".".join(str(x) for x in err["loc"])
        f = known.get(key)
        allowed = f" (allowed: {_allowed(f)})" if f is not None else ""
        raise UserError(f"--set {key}={err.get('input')!r}: {err['msg']}{allowed}") from None
