"""The asset registry: one single procedural object from a seed, by name.

An asset is what ``wildsynth objects`` renders and samples: one rock, one tree, one
cactus..., built by the same generators the scenes use, in metres, Z up, standing
on (or centred near) the origin. It is a list of parts, each a mesh (or instances),
a material and a semantic class (a tree is wood + leaves).

Registering a kind is one call, in the module that knows how to build it::

    from wildsynth.generators.assets import AssetKind, register_asset
    register_asset(AssetKind("coral_branching", "coral", build_fn, "a branching coral", group="sea"))

where ``build_fn(seeds: SeedTree) -> list[AssetPart]``. Besides the kinds below, every
``wildsynth/generators/<package>/assets.py`` (e.g. ``underwater/assets.py``,
``creatures/assets.py``) is imported on first use, so a family of generators adds its
assets by adding that one file; nothing here names it.

Determinism: an asset depends only on its seed (``SeedTree(seed)``: geometry draws
from ``child("geometry")``, materials from ``child("materials")``).
"""

from __future__ import annotations

import importlib
import pkgutil
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.labels import label
from ..core.mesh import Instances, Mesh
from ..core.scene import MaterialRef, Object, Scene
from ..core.seeds import SeedTree


@dataclass
class AssetPart:
    """One part of an asset: geometry (metres), its material and semantic class."""

    name: str
    geometry: Mesh | Instances
    material: MaterialRef
    semantic: str

    def __post_init__(self) -> None:
        label(self.semantic)  # fail early on an unknown class

    def mesh(self) -> Mesh:
        """The part as one mesh: instances realised (every placement expanded), attributes kept."""
        g = self.geometry
        if isinstance(g, Mesh):
            return g
        parts = [g.mesh.transformed(t) for t in g.transforms]
        if not parts:
            return Mesh(np.zeros((0, 3)), np.zeros((0, 3)), smooth=g.mesh.smooth)
        offs = np.cumsum([0] + [len(p.vertices) for p in parts[:-1]])
        attrs = {k: np.concatenate([p.attributes[k] for p in parts]) for k in g.mesh.attributes}
        return Mesh(np.concatenate([p.vertices for p in parts]),
                    np.concatenate([p.faces + o for p, o in zip(parts, offs)]), attrs, g.mesh.smooth)


@dataclass
class Asset:
    """A built asset: its kind, seed and parts."""

    kind: str
    seed: int
    parts: list[AssetPart]
    params: dict[str, Any] = field(default_factory=dict)

    def realised(self) -> list[AssetPart]:
        """The parts with every ``Instances`` expanded into one mesh (for sampling and object renders)."""
        return [AssetPart(p.name, p.mesh(), p.material, p.semantic) for p in self.parts]

    def mesh(self) -> tuple[Mesh, np.ndarray]:
        """All parts as one mesh and the part index of each face."""
        meshes = [p.mesh() for p in self.parts]
        offs = np.cumsum([0] + [len(m.vertices) for m in meshes[:-1]])
        v = np.concatenate([m.vertices for m in meshes])
        f = np.concatenate([m.faces + o for m, o in zip(meshes, offs)])
        part = np.concatenate([np.full(m.n_triangles, k, dtype=np.int32) for k, m in enumerate(meshes)])
        return Mesh(v, f, smooth=False), part

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        m, _ = self.mesh()
        return m.vertices.min(axis=0).astype(np.float64), m.vertices.max(axis=0).astype(np.float64)

    def scene(self, transform: np.ndarray | None = None) -> Scene:
        """A ``core.Scene`` holding the realised parts (optionally mapped by a 4x4 ``transform``),
        one object per part, ids 1.. in part order."""
        scene = Scene()
        for p in self.realised():
            g = p.geometry if transform is None else p.geometry.transformed(transform)
            scene.add(Object(f"{self.kind}.{p.name}", g, p.material, p.semantic, generator=f"assets.{self.kind}",
                             params={"seed": self.seed}))
        return scene


@dataclass(frozen=True)
class AssetKind:
    """A registered kind: ``build(seeds) -> list[AssetPart]``."""

    name: str
    semantic: str  # the class of its main part
    build: Callable[[SeedTree], list[AssetPart]]
    description: str
    group: str = "misc"  # rocks, trees, plants, sea, creatures, ...: ``--kind GROUP`` picks them all


ASSETS: dict[str, AssetKind] = {}
_loaded = False


def register_asset(kind: AssetKind) -> AssetKind:
    if kind.name in ASSETS:
        raise ValueError(f"asset kind {kind.name!r} registered twice")
    label(kind.semantic)
    ASSETS[kind.name] = kind
    return kind


def _load() -> None:
    """Import every ``generators/<package>/assets.py`` once (each registers its kinds)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    from .. import generators as pkg

    for m in sorted(m.name for m in pkgutil.iter_modules(pkg.__path__) if m.ispkg):
        spec = importlib.util.find_spec(f"{pkg.__name__}.{m}.assets")
        if spec is not None:
            importlib.import_module(f"{pkg.__name__}.{m}.assets")
    for bridge in (_register_sea_life, _register_creatures):
        try:
            bridge()
        except Exception as e:  # another package's registry failing to load must not take every kind down
            warnings.warn(f"asset kinds of {bridge.__name__.removeprefix('_register_')} left out: "
                          f"{type(e).__name__}: {e}", RuntimeWarning, stacklevel=2)


def asset_kinds(group: str | None = None) -> list[AssetKind]:
    _load()
    return [ASSETS[k] for k in sorted(ASSETS) if group is None or ASSETS[k].group == group]


def groups() -> list[str]:
    return sorted({k.group for k in asset_kinds()})


def get_asset_kind(name: str) -> AssetKind:
    _load()
    try:
        return ASSETS[name]
    except KeyError:
        raise ValueError(f"asset kind {name!r} unknown; choose one of {', '.join(sorted(ASSETS))} "
                         f"or a group: {', '.join(groups())}") from None


def resolve_kinds(text: str) -> list[str]:
    """Kind names from a comma list of kinds and groups (``all`` = every kind), in the order given."""
    _load()
    out: list[str] = []
    for word in (w.strip() for w in text.split(",")):
        if word == "all":
            names = sorted(ASSETS)
        elif word in groups():
            names = [k.name for k in asset_kinds(word)]
        else:
            names = [get_asset_kind(word).name]
        out += [n for n in names if n not in out]
    if not out:
        raise ValueError(f"no asset kind in {text!r}")
    return out


def build_asset(name: str, seed: int) -> Asset:
    """Build one asset of kind ``name`` from ``seed`` (deterministic)."""
    kind = get_asset_kind(name)
    parts = kind.build(SeedTree(int(seed)))
    if not parts or not any(p.mesh().n_triangles for p in parts):
        raise RuntimeError(f"asset kind {name!r} built no geometry for seed {seed}")
    return Asset(name, int(seed), parts, {"seed": int(seed)})


# ---------------------------------------------------------------- the kinds of this package's generators

def _rock(kind: str) -> Callable[[SeedTree], list[AssetPart]]:
    def build(seeds: SeedTree) -> list[AssetPart]:
        from .ecology.families import rock_material
        from .rocks import RockShape, make_rock

        mesh = make_rock(RockShape(kind=kind, detail=4), seeds.child("geometry").rng())
        return [AssetPart("rock", mesh, rock_material(None, seeds.child("materials")), "rock")]

    return build


def _tree(species: str) -> Callable[[SeedTree], list[AssetPart]]:
    def build(seeds: SeedTree) -> list[AssetPart]:
        from .ecology.family.trees import materials
        from .plants.trees import TreeParams, foliage_mesh, grow_tree

        rng = seeds.child("geometry").rng()
        params = TreeParams(species=species, height=3.0 if species in ("bush", "sapling") else 8.0)
        model = grow_tree(params, rng, lod=0)
        bark, leaf = materials(_Summer, seeds.child("materials"), species, model)
        parts = [AssetPart("wood", model.wood, bark, "bush" if species == "bush" else "tree")]
        leaves = foliage_mesh(model, seeds.child("leaves").rng())
        if leaves is not None:
            parts.append(AssetPart("leaves", leaves, leaf, parts[0].semantic))
        return parts

    return build


class _Summer:
    """What the tree family's material factory reads of a vegetation layer: its season."""

    season = "summer"


def _plant(family: str, semantic: str, make: Callable[[np.random.Generator], Mesh]):
    def build(seeds: SeedTree) -> list[AssetPart]:
        from .ecology.families import get_family

        mesh = make(seeds.child("geometry").rng())
        return [AssetPart(family, mesh, get_family(family).material(None, seeds.child("materials")), semantic)]

    return build


def _cactus(kind: str):
    def make(rng):
        from .plants.cacti import CactusParams, cactus

        return cactus(CactusParams(kind=kind, height=float(rng.uniform(1.5, 5.0))), rng)

    return make


def _fern(rng):
    from .plants.ferns import FernParams, fern

    return fern(FernParams(), rng)


def _flower(rng):
    from .plants.flowers import FlowerParams, flower

    return flower(FlowerParams(), rng)


def _mushroom(rng):
    from .plants.mushrooms import MushroomParams, mushroom

    return mushroom(MushroomParams(cluster=int(rng.integers(1, 5))), rng)


def _log(seeds: SeedTree) -> list[AssetPart]:
    from .ecology.families import dead_bark_material
    from .plants.deadwood import LogParams, log

    return [AssetPart("log", log(LogParams(), seeds.child("geometry").rng()),
                      dead_bark_material(None, seeds.child("materials")), "log")]


def _register_builtin() -> None:
    from typing import get_args

    from .plants.cacti import CactusParams
    from .plants.trees import SPECIES

    rock_words = {"boulder": "a boulder: hull, extrusions, fractures, noise", "chunk": "an angular talus chunk",
                  "block": "a jointed block with chipped edges", "slab": "a flat bedded slab",
                  "river": "a river stone worn round", "pebble": "a worn pebble"}
    for kind, words in rock_words.items():
        register_asset(AssetKind(f"rock_{kind}", "rock", _rock(kind), words, group="rocks"))
    for sp in SPECIES:
        name = sp if sp in ("bush", "sapling") else f"tree_{sp}"
        register_asset(AssetKind(name, "bush" if sp == "bush" else "tree", _tree(sp),
                                 f"a {sp} (wood and realised leaves)", group="trees"))
    for kind in get_args(CactusParams.model_fields["kind"].annotation):
        register_asset(AssetKind(f"cactus_{kind}", "cactus", _plant("cacti", "cactus", _cactus(kind)),
                                 f"a {kind} cactus, 1.5-5 m", group="plants"))
    register_asset(AssetKind("fern", "fern", _plant("ferns", "fern", _fern), "a fern", group="plants"))
    register_asset(AssetKind("flower", "flower", _plant("flowers", "flower", _flower), "a wildflower", group="plants"))
    register_asset(AssetKind("mushroom", "mushroom", _plant("mushrooms", "mushroom", _mushroom),
                             "a cluster of one to four mushrooms", group="plants"))
    register_asset(AssetKind("log", "log", _log, "a fallen log with stubs", group="plants"))


def _material_builds(ref: MaterialRef) -> bool:
    """Whether the material graph of ``ref`` builds (a bridged kind whose material does not is left out)."""
    from ..materials import build

    try:
        build(ref)
    except (KeyError, ValueError):
        return False
    return True


def _register_sea_life() -> None:
    """Every kind of the sea-life registry (``generators/underwater``) whose material recipe exists and
    builds (a kind whose recipe is not registered yet could not be rendered, so it waits)."""
    from ..materials import RECIPES
    from . import underwater

    def make(name: str):
        def build(seeds: SeedTree) -> list[AssetPart]:
            mesh, semantic = underwater.build(name, seeds.child("geometry"))
            ref = MaterialRef(underwater.get_kind(name).material, seeds.child("materials").int())
            return [AssetPart(name, mesh, ref, semantic)]

        return build

    for k in underwater.kinds():
        if k.material in RECIPES and k.name not in ASSETS and _material_builds(MaterialRef(k.material)):
            register_asset(AssetKind(k.name, k.semantic, make(k.name), k.process, group="sea"))


def _register_creatures() -> None:
    """Every creature of ``generators/creatures`` whose skin recipe exists and builds with its palette,
    in its bind pose."""
    from ..materials import RECIPES
    from . import creatures

    def make(kind):
        def build(seeds: SeedTree) -> list[AssetPart]:
            params = kind.sample(seeds.child("params").rng())
            place = creatures.Place(np.zeros(2), 0.0, lambda x, y: np.zeros_like(np.asarray(x, dtype=float)),
                                    z=None if kind.habitat == "ground" else 2.0 * float(kind.size(params)))
            rig = kind.make(params, seeds.child("geometry").rng(), place)
            ref = MaterialRef(kind.material, seeds.child("materials").int(), (("palette", kind.palette),))
            return [AssetPart(kind.name, rig.body.mesh, ref, kind.semantic)]

        return build

    for k in creatures.CREATURES.values():
        ref = MaterialRef(k.material, 0, (("palette", k.palette),))
        if k.material in RECIPES and k.name not in ASSETS and _material_builds(ref):
            register_asset(AssetKind(k.name, k.semantic, make(k), f"a {k.name} in its bind pose", group="creatures"))


_register_builtin()
