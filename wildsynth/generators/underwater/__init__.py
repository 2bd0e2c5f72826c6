"""Sea-life generators: corals, sponges, shells, sea life that does not swim, plants of the sea.

Every kind is registered once, by the module of its family (one file per family in this
package; each calls ``register`` on import, and this package imports them all):

    from wildsynth.core.seeds import SeedTree
    from wildsynth.generators.underwater import build, kinds
    mesh, semantic = build("brain_coral", SeedTree(0).child("reef/coral/3"), size=0.4)

A kind has a typed pydantic parameter model. Fields marked with a natural range
(``Field(..., json_schema_extra={"rand": (lo, hi)})``) are drawn from the seed when the
caller leaves them out; the caller's values are validated by the model (one-line errors).
The parameter draws come from ``seeds.child("params")`` and the shape's own draws from
``seeds.child("shape")``, so fixing a parameter does not change the shape's randomness.

Meshes are in metres, Z up, the base at z = 0 near the origin; per-vertex attributes
the ``sea.py`` materials read: ``pattern`` (in [0, 1]: reaction-diffusion value,
ornament or banding), ``tint`` (RGB) where a kind paints itself.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel

from ...core.labels import label_id
from ...core.mesh import Mesh
from ...core.seeds import SeedTree


@dataclass(frozen=True)
class SeaKind:
    name: str
    params: type[BaseModel]
    build: Callable[[BaseModel, np.random.Generator], Mesh]
    semantic: str  # a class of core/labels.py
    family: str  # the module that registered it
    process: str  # one line: how the shape is made
    material: str  # the sea.py recipe that paints it
    tiny: dict  # parameter overrides for a tiny, fast build (tests, previews)


KINDS: dict[str, SeaKind] = {}
_loaded = False


def register(name: str, params: type[BaseModel], semantic: str, process: str, material: str,
             tiny: dict | None = None):
    """Decorator: register ``fn(params, rng) -> Mesh`` as sea-life kind ``name``."""
    label_id(semantic)  # fails loudly on an unknown class
    params.model_validate(tiny or {})

    def deco(fn: Callable[[BaseModel, np.random.Generator], Mesh]):
        if name in KINDS:
            raise ValueError(f"sea-life kind {name!r} registered twice")
        KINDS[name] = SeaKind(name, params, fn, semantic, fn.__module__.rsplit(".", 1)[-1], process, material,
                              dict(tiny or {}))
        return fn

    return deco


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for m in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        if not m.startswith("_"):
            importlib.import_module(f"{__name__}.{m}")


def kinds() -> list[SeaKind]:
    """Every registered kind, sorted by family then name."""
    _load()
    return sorted(KINDS.values(), key=lambda k: (k.family, k.name))


def get_kind(name: str) -> SeaKind:
    _load()
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"sea-life kind {name!r} unknown; choose one of {', '.join(sorted(KINDS))}") from None


def randomise(model: type[BaseModel], rng: np.random.Generator, given: dict | None = None) -> BaseModel:
    """The model with every field that has a natural range drawn from ``rng`` unless ``given``.

    Every ranged field takes one draw in field order whether given or not, so giving one
    field leaves the draws of the others unchanged."""
    given = dict(given or {})
    unknown = sorted(set(given) - set(model.model_fields))
    if unknown:
        raise ValueError(f"{model.__name__}: unknown field {unknown[0]!r}; fields: {', '.join(model.model_fields)}")
    data = {}
    for fname, f in model.model_fields.items():
        extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
        if "rand" in extra:
            lo, hi = extra["rand"]
            u = float(rng.random())
            if f.annotation is int:
                val = int(lo + int(np.floor(u * (hi - lo + 1 - 1e-9))))
            else:
                val = float(lo + u * (hi - lo))
            data[fname] = val
        if fname in given:
            data[fname] = given[fname]
    return model.model_validate(data)


def sample_params(name: str, seeds: SeedTree, **given) -> BaseModel:
    return randomise(get_kind(name).params, seeds.child("params").rng(), given)


def build(name: str, seeds: SeedTree, **given) -> tuple[Mesh, str]:
    """Build kind ``name`` from the seed node ``seeds``: (mesh, semantic class name)."""
    kind = get_kind(name)
    params = sample_params(name, seeds, **given)
    return kind.build(params, seeds.child("shape").rng()), kind.semantic


__all__ = ["KINDS", "SeaKind", "build", "get_kind", "kinds", "randomise", "register", "sample_params"]
