"""The plant-family registry: every kind of thing vegetation places, registered once.

A family is one file in ``ecology/family/`` that calls ``register(Family(...))``
and one field of that name in ``VegetationParams`` (its layer, or None for
absent). ``Vegetation`` iterates the registry; nothing else names the families.

Kinds:

- ``"tree"``: trees and bushes (``TreeLayer``): species mixes grown with levels
  of detail, planned with Poisson-disk spacing before the camera exists;
  ``prototype(vegetation, layer, species, rng) -> [TreeModel per LOD]`` and
  ``material(vegetation, mats, species, model) -> (bark, leaf)``.
- ``"large"``: large spaced objects (``SmallLayer`` with ``spaced``): cacti,
  logs, boulders, planned with the trees (they are camera obstacles too).
- ``"small"``: ground cover (``SmallLayer``): grass, flowers, ferns, ...,
  sampled near the cameras only, thinned with distance.

For large and small: ``prototype(vegetation, k, n, rng) -> (Mesh, semantic class)``
builds prototype ``k`` of ``n`` and ``material(vegetation, mats) -> MaterialRef``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ...core.scene import MaterialRef
from ...core.seeds import SeedTree

Kind = Literal["tree", "large", "small"]
KINDS: tuple[Kind, ...] = ("tree", "large", "small")


@dataclass(frozen=True)
class Family:
    name: str  # its layer's field in VegetationParams; object names start with it
    kind: Kind
    order: int  # plan and build order within the vegetation (object order and ids follow it)
    prototype: Callable[..., Any]
    material: Callable[..., Any]
    semantic: str = ""  # tree kind: the class of wood and leaves ("tree", "bush")
    id_cell: float | None = None  # one id per ground cell of this size (m), shared by all prototypes
    id_namespace: str | None = None  # what those shared ids are called in objects.json
    tilt: float = 0.05  # jitter of the up axis (normal deviation)
    sink: float = 0.0  # lowered into the ground by sink + sink_scale * placement scale, m
    sink_scale: float = 0.0
    size_by_footprint: bool = False  # large kind: the mesh scale is scale x footprint (unit prototypes)
    lod_power: float = 2.0  # small kind: survival (near / d)^power beyond lod_near
    wind_yaw: bool = False  # small kind: all lean one way (a wind heading per scene) instead of random yaw
    clump_protos: float = 0.0  # small kind, clustered niche: share of a clump's points that take its own prototype
    core: float = 0.6  # small plants keep out of this fraction of a planned object's radius
    shade: bool = False  # tree kind: casts the shade that small plants' niches read
    lift: float = 0.5  # camera obstacle: sphere centre above the ground, m
    trunk_obstacle: bool = False  # camera obstacle: trunk and lower crown instead of the whole radius
    counts: Callable[[Any, int], dict[str, int]] | None = None  # extra report counts from (vegetation, n placed)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"family {self.name!r}: kind {self.kind!r} is not one of {', '.join(KINDS)}")


FAMILIES: dict[str, Family] = {}
_loaded = False


def register(family: Family) -> Family:
    if family.name in FAMILIES:
        raise ValueError(f"plant family {family.name!r} registered twice")
    FAMILIES[family.name] = family
    return family


def _load() -> None:
    """Import every module of ``ecology/family`` once (each registers its families)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    from . import family as pkg

    for m in sorted(m.name for m in pkgutil.iter_modules(pkg.__path__)):
        importlib.import_module(f"{pkg.__name__}.{m}")


def families(kind: Kind | None = None) -> list[Family]:
    """The registered families (of one kind), in plan/build order."""
    _load()
    return sorted((f for f in FAMILIES.values() if kind is None or f.kind == kind), key=lambda f: (f.order, f.name))


def get_family(name: str) -> Family:
    _load()
    try:
        return FAMILIES[name]
    except KeyError:
        raise ValueError(f"plant family {name!r} unknown; choose one of {', '.join(sorted(FAMILIES))}") from None


def plant_material(name: str, translucency: float = 0.0, roughness: float = 0.6):
    """The vertex-coloured plant material a family's prototypes paint themselves with."""

    def material(vegetation, mats: SeedTree) -> MaterialRef:
        return MaterialRef("plant_vcol", mats.child(name).int(), (("translucency", translucency),
                                                                  ("roughness", roughness)))

    return material


def rock_material(vegetation, mats: SeedTree) -> MaterialRef:
    return MaterialRef("rock", mats.child("rock").int())


def dead_bark_material(vegetation, mats: SeedTree) -> MaterialRef:
    return MaterialRef("bark", mats.child("bark/dead").int(), (("kind", "dead"),))
