"""Parameter overrides (``--set a.b=value``) and listings for pydantic models.

Every setting has a dotted name, nested models included, and so are optional
nested models (``Model | None``): ``vegetation.trees.niche.density``. Setting a
leaf below an optional model that is unset (None) first creates that model from
its own defaults (``VegetationParams()``); ``--set vegetation=null`` unsets it.

Values are read by the type of the field: numbers and JSON as JSON, bools as
true/false/1/0/yes/no (any case), Literal choices and text as the bare word,
dicts as a JSON object, tuples and lists as a JSON list (or ``a,b``); the Python
form that ``describe`` shows (``{'a': 1.0}``, ``(15.0, 45.0)``, ``True``, ``None``)
is read back too. A model may also be given whole as a JSON object, merged onto
its current values.
"""

from __future__ import annotations

import ast
import difflib
import enum
import functools
import json
import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo


class UserError(ValueError):
    """Bad input from the user: the message is one line naming field, value and what is allowed."""


_NONE = type(None)
_MISSING = object()
_TRUE = {"true", "1", "yes", "y", "on"}
_FALSE = {"false", "0", "no", "n", "off"}


class _Shown(str):
    """A listing default that is a note rather than a value: its repr has no quotes."""

    def __repr__(self) -> str:
        return str(self)


# -- annotations ---------------------------------------------------------------------

def _unwrap(ann: Any) -> tuple[Any, list]:
    """Strip ``Annotated``: the bare annotation and the metadata found in it."""
    meta: list = []
    while get_origin(ann) is typing.Annotated:
        ann, *extra = get_args(ann)
        for m in extra:  # Field(ge=...) inside Annotated keeps its constraints in .metadata
            meta.extend(m.metadata if isinstance(m, FieldInfo) else [m])
    return ann, meta


def _is_union(ann: Any) -> bool:
    return get_origin(ann) in (Union, types.UnionType)


def _is_model(ann: Any) -> bool:
    return isinstance(ann, type) and issubclass(ann, BaseModel)


def _split_optional(ann: Any) -> tuple[Any, bool, list]:
    """(annotation without None, whether None is allowed, metadata found inside Annotated)."""
    ann, meta = _unwrap(ann)
    if not _is_union(ann):
        return ann, False, meta
    args = [_unwrap(a) for a in get_args(ann)]
    nullable = any(a is _NONE for a, _ in args)
    rest = [(a, m) for a, m in args if a is not _NONE]
    if len(rest) == 1:
        return rest[0][0], nullable, meta + rest[0][1]
    return Union[tuple(a for a, _ in rest)], nullable, meta  # noqa: UP007  (built at run time)


def _group_model(base: Any) -> type[BaseModel] | None:
    """The nested model of a field: the model itself, or the only model in a union."""
    if _is_model(base):
        return base
    if _is_union(base):
        models = [a for a in (_unwrap(x)[0] for x in get_args(base)) if _is_model(a)]
        if len(models) == 1:
            return models[0]
    return None


@dataclass(frozen=True)
class _Node:
    """One setting: a leaf value, or a nested model (a group with settings below it)."""

    name: str  # dotted
    field: FieldInfo
    base: Any  # annotation without None
    nullable: bool
    meta: tuple  # constraints: the field's and those inside Annotated
    model: type[BaseModel] | None  # set for groups

    @property
    def optional(self) -> bool:
        """A group that may be None (or another type): listed itself, and may be reset."""
        return self.model is not None and (self.nullable or self.base is not self.model)


def _fields(model: type[BaseModel], prefix: str = "", chain: tuple = ()) -> Iterator[_Node]:
    """Every setting of ``model`` depth-first, a group before its settings; walks into
    nested models, ``Optional[Model]``, ``Model | None`` and unions with one model."""
    for name, f in model.model_fields.items():
        base, nullable, meta = _split_optional(f.annotation)
        sub = _group_model(base)
        if sub is not None and (sub in chain or sub is model):
            sub = None  # a recursive model: this field is set as a whole, as JSON
        node = _Node(prefix + name, f, base, nullable, tuple(f.metadata) + tuple(meta), sub)
        yield node
        if sub is not None:
            yield from _fields(sub, node.name + ".", chain + (model,))


@functools.lru_cache(maxsize=256)
def _index(model: type[BaseModel]) -> dict[str, _Node]:
    return {n.name: n for n in _fields(model)}


def _listed(index: dict[str, _Node]) -> list[_Node]:
    """The settings a listing shows: leaves and optional groups (plain groups only nest)."""
    return [n for n in index.values() if n.model is None or n.optional]


def _class_defaults(model: type[BaseModel] | None) -> dict:
    """A model's own defaults as plain data ({} when it has required fields)."""
    try:
        return model().model_dump() if model is not None else {}
    except ValidationError:
        return {}


# -- allowed text ----------------------------------------------------------------------

def _num(x: Any) -> str:
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    return str(x)


def _choices(values) -> str:
    words = [v if isinstance(v, str) else json.dumps(v) for v in values]
    return f"one of: {', '.join(words)}" if len(words) > 1 else f"only {words[0]}"


def _kind(ann: Any, plural: bool = False) -> str:
    """Readable name of a type: integer, number, true/false, text, one of: ..., JSON ..."""
    ann, _ = _unwrap(ann)
    origin, args = get_origin(ann), get_args(ann)
    simple = {int: ("integer", "integers"), float: ("number", "numbers"), bool: ("true/false", "true/false values"),
              str: ("text", "texts")}
    if ann in simple:
        return simple[ann][plural]
    if ann is Any:
        return "any JSON value"
    if origin is Literal:
        text = _choices(args)
        return f"({text})" if plural else text
    if isinstance(ann, type) and issubclass(ann, enum.Enum):
        text = _choices([m.value for m in ann])
        return f"({text})" if plural else text
    if _is_model(ann):
        return "settings groups" if plural else "settings group"
    if _is_union(ann):
        parts = [_kind(a, plural) for a in args if a is not _NONE]
        return " or ".join(parts) + (" or null" if _NONE in args else "")
    if origin is dict or ann is dict:
        return "JSON object" + (f" ({_kind(args[0])}: {_kind(args[1])})" if len(args) == 2 else "")
    if origin in (tuple, list, set, frozenset) or ann in (tuple, list, set, frozenset):
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return f"JSON list of {_kind(args[0], True)}"
        if origin is tuple and args:
            kinds = [_kind(a) for a in args]
            if len(set(kinds)) == 1:
                return f"JSON list of {len(args)} {_kind(args[0], len(args) > 1)}"
            return f"JSON list [{', '.join(kinds)}]"
        return f"JSON list of {_kind(args[0], True)}" if args else "JSON list"
    return getattr(ann, "__name__", str(ann))


def _pattern_choices(pattern: str) -> list[str] | None:
    """``^(a|b|c)$`` -> [a, b, c]; None for any other pattern."""
    m = re.fullmatch(r"\^?\(?((?:[\w-]+\|)*[\w-]+)\)?\$?", pattern)
    return m.group(1).split("|") if m else None


def _allowed(node: _Node) -> str:
    """What a setting accepts, e.g. ``number >= 0 and <= 24, or null``, ``one of: a, b``."""
    if node.model is not None:
        return "JSON object, or null" if node.nullable else "JSON object"
    kind = _kind(node.base)
    limits = []
    for m in node.meta:
        for attr, op in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<"), ("multiple_of", "a multiple of")):
            if getattr(m, attr, None) is not None:
                limits.append(f"{op} {_num(getattr(m, attr))}")
        for attr, op in (("min_length", ">="), ("max_length", "<=")):
            if getattr(m, attr, None) is not None:
                limits.append(f"length {op} {getattr(m, attr)}")
        pattern = getattr(m, "pattern", None)
        if pattern is not None:
            words = _pattern_choices(str(pattern))
            if words and node.base is str:
                kind = _choices(words)
            else:
                limits.append(f"matching {pattern}")
    text = f"{kind} {' and '.join(limits)}" if limits else kind
    return f"{text}, or null" if node.nullable else text


# -- listing ---------------------------------------------------------------------------

def _with_defaults(defaults: dict, name: str, index: dict[str, _Node]) -> tuple[Any, list[str]]:
    """The default of ``name``; optional groups on the way that are unset are replaced by
    their model's own defaults, and named in the returned list."""
    parts = name.split(".")
    value: Any = defaults
    unset: list[str] = []
    for i, part in enumerate(parts):
        if i and not isinstance(value, dict):
            parent = ".".join(parts[:i])
            unset.append(parent)
            value = _class_defaults(index[parent].model)
        value = value.get(part, _MISSING)
    return value, unset


def describe(model: type[BaseModel]) -> list[dict]:
    """Every setting of ``model``, nested and optional ones included, as rows:

    name (dotted), default (as the scene sets it; below an unset optional group, that
    group's own defaults), allowed (readable, e.g. ``number >= 0 and <= 24, or null``,
    ending in ``sets vegetation (optional)`` below an unset optional group),
    description, kind (``value`` or ``group``: an optional nested model, listed before
    its settings) and note (the ``sets ...`` part alone)."""
    index = _index(model)
    defaults = model().model_dump()
    rows = []
    for node in _listed(index):
        default, unset = _with_defaults(defaults, node.name, index)
        note = f"sets {', '.join(unset)} (optional)" if unset else ""
        if node.model is not None:
            if default is None:
                allowed = f"null (unset), or set {node.name}.* to create it from its defaults"
            else:
                allowed = f"its {node.name}.* settings, or null to unset it"
                default = _Shown("(set)") if isinstance(default, dict) else default
        else:
            allowed = _allowed(node)
            if default is _MISSING:
                default, allowed = None, f"{allowed} (required)"
        rows.append({"name": node.name, "default": default, "allowed": f"{allowed}; {note}" if note else allowed,
                     "description": node.field.description or "", "kind": "group" if node.model else "value",
                     "note": note})
    return rows


# -- reading values --------------------------------------------------------------------

def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _structured(text: str) -> Any:
    """JSON, else a Python literal (the repr a listing shows); ValueError if neither."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise ValueError(text) from None


def _read(ann: Any, text: str) -> Any:
    """``text`` as a value for the annotation ``ann`` (None removed); pydantic checks it after."""
    ann, _ = _unwrap(ann)
    origin, args = get_origin(ann), get_args(ann)
    if ann is bool:
        low = text.lower()
        return True if low in _TRUE else False if low in _FALSE else text
    if origin is Literal or (isinstance(ann, type) and issubclass(ann, enum.Enum)):
        values = args if origin is Literal else [m.value for m in ann]
        word = _unquote(text)
        same = [v for v in values if str(v) == word] or [v for v in values if str(v).lower() == word.lower()]
        if len(same) == 1:
            return same[0]
        try:
            return json.loads(text)
        except ValueError:
            return word
    if ann is str:
        return _unquote(text)
    if ann in (int, float):
        try:
            value = json.loads(text)
        except ValueError:
            return text
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else text
    try:
        return _structured(text)
    except ValueError:
        pass
    if origin in (tuple, list, set, frozenset):  # a,b,c
        items = [s.strip() for s in text.strip("[]()").split(",")]
        if origin is tuple and args and args[-1] is not Ellipsis and len(args) == len(items):
            return [_read(a, s) for a, s in zip(args, items)]
        return [_read(args[0], s) if args else s for s in items]
    if origin is dict or _is_model(ann):
        raise ValueError(text)
    return text


def _parse(node: _Node, text: str) -> Any:
    if node.nullable and text.lower() in ("null", "none"):
        return None
    if node.model is not None:
        try:
            value = _structured(text)
        except ValueError:
            value = text
        if isinstance(value, dict) or (value is None and node.nullable):
            return value
        if node.base is node.model:
            raise ValueError(text)
    return _read(node.base, text)


def _merge(index: dict[str, _Node], path: str, current: dict, given: dict) -> dict:
    """``given`` onto ``current`` (a group's data): nested groups merge, values replace."""
    for key, value in given.items():
        node = index.get(f"{path}.{key}")
        if node is not None and node.model is not None and isinstance(value, dict):
            old = current.get(key)
            value = _merge(index, node.name, old if isinstance(old, dict) else _class_defaults(node.model), value)
        current[key] = value
    return current


def _put(data: dict, index: dict[str, _Node], node: _Node, value: Any) -> None:
    """Set ``node`` in ``data``, creating unset groups on the way from their own defaults."""
    parts = node.name.split(".")
    holder = data
    for i, part in enumerate(parts[:-1]):
        child = holder.get(part)
        if not isinstance(child, dict):
            child = holder[part] = _class_defaults(index[".".join(parts[: i + 1])].model)
        holder = child
    if node.model is not None and isinstance(value, dict):
        old = holder.get(parts[-1])
        value = _merge(index, node.name, old if isinstance(old, dict) else _class_defaults(node.model), value)
    holder[parts[-1]] = value


# -- messages --------------------------------------------------------------------------

def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def suggest(key: str, names: list[str], n: int = 5, cutoff: float = 0.6) -> list[str]:
    """The ``n`` names closest to ``key``, best first, by edit similarity over the whole
    dotted name, over as many trailing words (split at ``.`` and ``_``) as ``key`` has,
    and over the last dotted component."""
    key = key.lower()
    words = len(re.split(r"[._]", key))
    last = key.rsplit(".", 1)[-1]
    scored = []
    for name in names:
        low = name.lower()
        tail = "".join(re.split(r"(?<=[._])", low)[-words:])
        score = max(_similar(key, low), 0.95 * _similar(key, tail), 0.85 * _similar(last, low.rsplit(".", 1)[-1]))
        scored.append((-score, len(name), name))
    scored.sort()
    return [name for s, _, name in scored[:n] if -s >= cutoff]


def _hint(what: str, listing: str | None) -> str:
    if listing is None:
        return ""
    return f" (see `{listing or f'wildsynth params {what}'}`)"


def _unknown(key: str, index: dict[str, _Node], flag: str, what: str, listing: str | None) -> str:
    close = suggest(key, [n.name for n in _listed(index)])
    if not close:
        return f"{flag} {key}: unknown parameter for {what}{_hint(what, listing)}"
    names = close[0] if len(close) == 1 else f"{', '.join(close[:-1])} or {close[-1]}"
    return f"{flag} {key}: unknown parameter for {what}; did you mean {names}?{_hint(what, listing)}"


def _reason(msg: str) -> str:
    msg = " ".join(str(msg).split())
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    return msg[:1].lower() + msg[1:]


def _explain(e: ValidationError, index: dict[str, _Node], given: dict[str, str], flag: str, what: str,
             listing: str | None) -> str:
    """The first validation error as one line naming the dotted setting, value and what is allowed."""
    err = e.errors(include_url=False)[0]
    path, items = "", []
    for part in err["loc"]:
        candidate = f"{path}.{part}" if path else str(part)
        if not items and candidate in index:
            path = candidate
        elif path and index[path].model is None:
            if isinstance(part, int) or get_origin(_unwrap(index[path].base)[0]) is dict:
                items.append(part)  # a dict key or list position inside the value
        elif err["type"] == "extra_forbidden" and part == err["loc"][-1]:
            return _unknown(candidate, index, flag, what, listing)
        # anything else is a union member's tag: skipped
    reason = _reason(err["msg"])
    if not path:
        return f"{flag}: {what} parameters: {reason}"
    node = index[path]
    value = given.get(path)
    if value is None and node.model is None and not items:
        value = _show(err.get("input"))
    head = f"{flag} {path}={value}" if value is not None else f"{flag} {path}"
    if err["type"] in ("literal_error", "enum", "string_pattern_mismatch"):
        reason = "not one of the choices"  # the allowed text lists them
    where = ""
    if items and err["type"] == "missing":
        reason = f"item {json.dumps(items[-1])} is missing"
    elif items:
        where = f"item {', '.join(json.dumps(i) for i in items)} = {_show(err.get('input'))}: "
    return f"{head}: {where}{reason} (allowed: {_allowed(node)})"


def apply_overrides(model: type[BaseModel], overrides: list[str], what: str = "scene", *,
                    flag: str = "--set", listing: str | None = "") -> BaseModel:
    """Validate ``key=value`` overrides against ``model`` and return the full parameters.

    Starts from the model's own defaults (so one nested setting keeps the scene-specific
    values of its siblings); a setting below an unset optional group creates that group
    from its defaults; ``group=null`` unsets an optional group. Raises ``UserError``
    with one line: ``flag`` starts it, ``listing`` is the command named for the list of
    settings ("" = ``wildsynth params {what}``, None = none)."""
    index = _index(model)
    data: dict = model().model_dump()
    given: dict[str, str] = {}
    for item in overrides:
        if "=" not in item:
            first = next((n for n in _listed(index) if n.model is None), None)
            example = f", e.g. {first.name}={_show(_with_defaults(data, first.name, index)[0])}" if first else ""
            raise UserError(f"{flag} {item!r}: expected key=value{example}")
        key, text = (s.strip() for s in item.split("=", 1))
        node = index.get(key)
        if node is None:
            raise UserError(_unknown(key, index, flag, what, listing))
        try:
            value = _parse(node, text)
        except ValueError:
            if node.model is not None:
                raise UserError(f"{flag} {key}={text}: a group of settings: set {key}.<name>=value, "
                                f"or give a JSON object{' or null' if node.nullable else ''}") from None
            raise UserError(f"{flag} {key}={text}: not valid JSON (allowed: {_allowed(node)})") from None
        _put(data, index, node, value)
        given[key] = text
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise UserError(_explain(e, index, given, flag, what, listing)) from None
