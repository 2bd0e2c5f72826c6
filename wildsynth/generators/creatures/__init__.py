"""The creature registry: every kind of animal, one file each, registered on import.

A kind (``CreatureKind``) has typed parameters (a pydantic model with natural defaults) that
``sample(rng)`` randomises from the seed, and ``make(params, rng, place) -> CreatureRig``: the
body plan in its bind pose (parts swept along a skeleton, smooth skinning weights,
``body.py``) and its animation (gait, flapping, undulation, pulsing: ``rig.py``) placed at
``place`` (a start point, heading and the ground or water it moves over). Adding a kind is one
new module in this package that calls ``register``; placement (``placement.py``) iterates the
registry and never names kinds outside its biome table.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Any, Callable, Literal

import numpy as np

Habitat = Literal["ground", "air", "water", "seabed"]


@dataclass
class Place:
    """Where a creature starts: ``xy`` (2,), ``heading`` (rad), the ``ground(x, y)`` height function
    and, for air and water kinds, the height ``z`` of its path (m, world)."""

    xy: np.ndarray
    heading: float
    ground: Callable
    z: float | None = None
    t0: float = 0.0  # the time at which it is at ``xy`` (its animation is shifted by t0)
    path: Callable | None = None  # a group member's own path: scene time -> body frame (4, 4) (flock.py)
    track: Any = None  # a herd member's ground path (rig.TrackPath, scene time; herd.py)


@dataclass(frozen=True)
class CreatureKind:
    name: str
    semantic: str  # class in core/labels.py
    habitat: Habitat
    params: type  # pydantic model
    sample: Callable[[np.random.Generator], Any]  # rng -> params drawn within natural ranges
    make: Callable[[Any, np.random.Generator, Place], Any]  # -> rig.CreatureRig
    material: str  # skin recipe (materials/creature_skin.py)
    size: Callable[[Any], float]  # bounding radius of a body of these params, m
    palette: str = ""  # the skin material's palette (default: the kind's name)
    view: tuple[float, float] | None = None  # distance from the camera mid-shot, m (None: the placement's own)
    altitude: tuple[float, float] | None = None  # air kinds: height above the ground, m (None: anywhere in view)

    def __post_init__(self) -> None:
        if not self.palette:
            object.__setattr__(self, "palette", self.name)


CREATURES: dict[str, CreatureKind] = {}


def register(kind: CreatureKind) -> CreatureKind:
    if kind.name in CREATURES:
        raise ValueError(f"creature {kind.name!r} registered twice")
    from ...core.labels import label

    label(kind.semantic)
    CREATURES[kind.name] = kind
    return kind


def get(name: str) -> CreatureKind:
    if name not in CREATURES:
        raise KeyError(f"unknown creature {name!r}; known: {', '.join(sorted(CREATURES))}")
    return CREATURES[name]


_SKIP = {"body", "rig", "placement", "quadruped"}
for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _info.name not in _SKIP:
        importlib.import_module(f"{__name__}.{_info.name}")

__all__ = ["CREATURES", "CreatureKind", "Place", "get", "register"]
