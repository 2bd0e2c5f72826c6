"""Vegetation for any terrain: plan the large plants, then dress the ground around a camera.

Scenes call it in two steps, so the camera can avoid trunks and boulders::

    veg = Vegetation(biome_params("forest_conifer"), field.height, field.normal, seeds.child("veg"))
    obstacles = veg.plan()                       # trees, bushes, cacti, logs, boulders: Poisson-disk, no overlaps
    cam, _ = place_camera(..., obstacles, ...)
    report = veg.build(scene, cam)               # prototypes, LOD, instances, ids

or in one call: ``add_vegetation(scene, "desert", field, seeds, cam)`` (a field with
``height``/``normal`` and optionally ``masks``/``water_level``, like ``TerrainField``).

Ids: every tree, bush, cactus, log, rock, fern, flower, mushroom is its own
instance id with its semantic class; the leaves (leaf clusters, needle
sprays, fronds) of a tree carry that tree's id (``id_groups="given"``).
Grass is the exception: tufts share one id per 4 m ground cell ("grass
patch"), so a million blades make a few hundred rows in ``objects.json``.
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np
from scipy.spatial import cKDTree
from pydantic import BaseModel, ConfigDict, Field

from ..camera import Obstacles, place_camera
from ..core.camera import Camera, CameraRig
from ..generators.terrain import Heightfield
from ..generators.weather import add_weather
from ..core.mesh import Instances, Mesh
from ..core.scene import MaterialRef, Object, Scene
from ..core.seeds import SeedTree
from ..generators.plants.cacti import CactusParams, cactus
from ..generators.plants.deadwood import LogParams, log, pine_cone, twig
from ..generators.plants.ferns import FernParams, fern
from ..generators.plants.flowers import FlowerParams, flower
from ..generators.plants.grass import GrassParams, tuft
from ..generators.plants.mushrooms import MushroomParams, mushroom
from ..generators.plants.trees import TreeModel, TreeParams, foliage_mesh, grow_tree_lods
from ..generators.rocks import RockParams, rock_mesh
from ..generators.scatter import Ecology, GridField, Niche, ground_transforms, lod_thin, poisson_thin, sample_density, view_sector

GRASS_CELL = 4.0  # metres: grass tufts share one id per cell


class TreeLayer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    species: dict[str, float] = Field(default_factory=lambda: {"broadleaf": 1.0},
                                      description="species and their relative weights")
    tree: TreeParams = Field(default_factory=TreeParams, description="shared tree parameters (species is overridden)")
    niche: Niche = Field(default_factory=lambda: Niche(density=0.02, slope_max=0.4, patchiness=0.4))
    count: int = Field(0, ge=0, le=100000, description="exact number of trees wanted (0 = follow the density)")
    prototypes: int = Field(3, ge=1, le=32, description="distinct grown trees per species")
    spacing: float = Field(0.45, ge=0.05, le=2.0, description="min distance between trees, x sum of crown radii")
    lod_distances: tuple[float, float] = Field((15.0, 45.0), description="distances where LOD 1 (half the leaf clusters, each 1.4x larger) and LOD 2 (a fifth, 2.2x) start, m")


class SmallLayer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    niche: Niche = Field(default_factory=Niche)
    scale: float = Field(1.0, gt=0.0, le=100.0, description="median placement scale")
    scale_spread: float = Field(0.2, ge=0.0, le=1.0, description="log-normal spread of scales")
    prototypes: int = Field(4, ge=1, le=32, description="distinct meshes")
    max_distance: float = Field(60.0, gt=0.0, le=5000.0, description="placed only this close to the camera, m (in view)")
    lod_near: float = Field(15.0, gt=0.0, le=5000.0, description="full density within this distance, thinner beyond, m")
    align: float = Field(0.8, ge=0.0, le=1.0, description="0 grows straight up, 1 follows the ground normal")
    spaced: bool = Field(False, description="Poisson-disk spacing against each other and the large objects")
    footprint: float = Field(0.3, ge=0.0, le=50.0, description="radius used for spacing, m at scale 1")


class VegetationParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    area_radius: float = Field(90.0, gt=5.0, le=2000.0, description="large objects are planned in this radius around the origin, m")
    season: str = Field("summer", pattern="^(summer|autumn|winter)$", description="leaf state")
    trees: TreeLayer | None = Field(default_factory=TreeLayer)
    bushes: TreeLayer | None = None
    cacti: SmallLayer | None = None
    cactus_kinds: dict[str, float] = Field(default_factory=lambda: {"saguaro": 1.0, "barrel": 1.0, "prickly_pear": 1.0})
    logs: SmallLayer | None = None
    boulders: SmallLayer | None = None
    grass: SmallLayer | None = None
    grass_tuft: GrassParams = Field(default_factory=GrassParams)
    flowers: SmallLayer | None = None
    ferns: SmallLayer | None = None
    mushrooms: SmallLayer | None = None
    twigs: SmallLayer | None = None
    cones: SmallLayer | None = None
    pebbles: SmallLayer | None = None
    water_level: float | None = Field(None, description="water surface altitude (for moisture and no plants under water), m")


def _layer(density, **kw) -> SmallLayer:
    niche_kw = {k: kw.pop(k) for k in list(kw) if k in Niche.model_fields}
    return SmallLayer(niche=Niche(density=density, **niche_kw), **kw)


def biome_params(biome: str) -> VegetationParams:
    """Preset vegetation for a biome: forest_conifer, forest_broadleaf, forest_mixed,
    plains, desert, mountain, river, arctic."""
    grass = dict(scale=1.0, prototypes=6, max_distance=45.0, lod_near=8.0, align=0.9)
    if biome.startswith("forest"):
        kind = biome.split("_", 1)[1] if "_" in biome else "mixed"
        species = {"conifer": {"conifer": 1.0, "dead": 0.05},
                   "broadleaf": {"broadleaf": 0.4, "oak": 0.3, "maple": 0.3, "birch": 0.2, "dead": 0.05},
                   "mixed": {"conifer": 0.5, "broadleaf": 0.3, "birch": 0.25, "dead": 0.05}}[kind]
        return VegetationParams(
            trees=TreeLayer(species=species, niche=Niche(density=0.03, slope_max=0.5, patchiness=0.3)),
            bushes=TreeLayer(species={"bush": 1.0, "sapling": 0.6}, tree=TreeParams(height=1.6),
                             niche=Niche(density=0.02, slope_max=0.5, shade=-0.3), spacing=0.6, prototypes=3),
            logs=_layer(0.004, slope_max=0.3, footprint=2.0, spaced=True, prototypes=3, max_distance=200, lod_near=200),
            boulders=_layer(0.003, footprint=0.8, spaced=True, max_distance=200, lod_near=200, align=0.6),
            grass=_layer(6.0, patchiness=0.8, shade=-0.6, **grass),
            grass_tuft=GrassParams(spread=0.05),
            ferns=_layer(0.25, shade=0.6, moisture=0.3, patchiness=0.7, max_distance=50.0, lod_near=15.0),
            mushrooms=_layer(0.08, shade=0.8, moisture=0.5, patchiness=0.9, max_distance=25.0, lod_near=10.0),
            twigs=_layer(0.3, shade=0.5, max_distance=25.0, lod_near=8.0, align=1.0),
            cones=_layer(0.2 if kind != "broadleaf" else 0.0, shade=0.8, max_distance=15.0, lod_near=6.0, align=1.0),
            flowers=_layer(0.1, shade=-0.8, patchiness=0.9, max_distance=40.0, lod_near=10.0),
        )
    if biome == "plains":
        return VegetationParams(
            trees=TreeLayer(species={"broadleaf": 1.0, "oak": 1.0}, niche=Niche(density=0.0015, patchiness=0.8)),
            bushes=TreeLayer(species={"bush": 1.0}, tree=TreeParams(height=1.8), niche=Niche(density=0.004)),
            boulders=_layer(0.002, footprint=0.8, spaced=True, max_distance=200, lod_near=200, align=0.6),
            grass=_layer(25.0, patchiness=0.4, **grass),
            flowers=_layer(1.5, patchiness=0.9, max_distance=40.0, lod_near=10.0),
        )
    if biome == "desert":
        return VegetationParams(
            trees=None,
            bushes=TreeLayer(species={"dead": 1.0, "bush": 0.5}, tree=TreeParams(height=1.2, leaf_density=0.4),
                             niche=Niche(density=0.006, moisture=-0.3)),
            cacti=_layer(0.01, footprint=0.8, spaced=True, max_distance=300, lod_near=300, align=0.0, prototypes=6),
            boulders=_layer(0.003, footprint=0.8, spaced=True, max_distance=200, lod_near=200, align=0.6),
            pebbles=_layer(2.0, scale=0.04, max_distance=20.0, lod_near=6.0, align=1.0),
            grass=_layer(0.5, patchiness=1.0, scale=0.6, prototypes=3, max_distance=40.0, lod_near=8.0),
            grass_tuft=GrassParams(dry=0.9, height=0.25),
        )
    if biome == "mountain":
        return VegetationParams(
            trees=TreeLayer(species={"conifer": 1.0, "dead": 0.1}, niche=Niche(density=0.01, slope_max=0.45, patchiness=0.8)),
            bushes=TreeLayer(species={"bush": 1.0}, tree=TreeParams(height=1.0), niche=Niche(density=0.004, slope_max=0.5)),
            boulders=_layer(0.01, footprint=1.0, spaced=True, max_distance=200, lod_near=200, align=0.7, slope_max=0.9),
            grass=_layer(8.0, patchiness=0.8, slope_max=0.45, **grass),
            flowers=_layer(0.3, patchiness=0.9, max_distance=30.0, lod_near=10.0),
            pebbles=_layer(1.0, scale=0.05, slope_max=0.8, max_distance=20.0, lod_near=6.0, align=1.0),
        )
    if biome == "river":
        return VegetationParams(
            trees=TreeLayer(species={"broadleaf": 0.6, "birch": 0.6, "maple": 0.3},
                            niche=Niche(density=0.012, moisture=0.4, water_min=0.5)),
            bushes=TreeLayer(species={"bush": 1.0}, niche=Niche(density=0.01, moisture=0.6, water_min=0.2)),
            grass=_layer(20.0, moisture=0.3, water_min=0.05, **grass),
            flowers=_layer(0.4, patchiness=0.9, water_min=0.2, max_distance=40.0, lod_near=10.0),
            ferns=_layer(0.1, moisture=0.8, water_min=0.1, max_distance=40.0, lod_near=12.0),
            pebbles=_layer(3.0, scale=0.05, moisture=1.0, max_distance=20.0, lod_near=6.0, align=1.0),
            logs=_layer(0.002, footprint=2.0, spaced=True, max_distance=200, lod_near=200),
        )
    if biome == "arctic":
        return VegetationParams(
            season="winter",
            # taiga: trees and boulders stand in the snow (with the default snow_max they
            # fit only a thin snow-free band along the shore and stood in a line)
            trees=TreeLayer(species={"conifer": 1.0, "dead": 0.3}, tree=TreeParams(height=7.0),
                            niche=Niche(density=0.002, patchiness=0.9, snow_max=1.0)),
            boulders=_layer(0.004, footprint=1.0, spaced=True, max_distance=200, lod_near=200, align=0.7,
                            snow_max=1.0),
            grass=_layer(1.0, patchiness=1.0, scale=0.5, prototypes=3, max_distance=30.0, lod_near=6.0),
            grass_tuft=GrassParams(dry=1.0, height=0.2),
        )
    raise ValueError(f"biome {biome!r} unknown; choose forest_conifer, forest_broadleaf, forest_mixed, "
                     "plains, desert, mountain, river or arctic")


def _weights(d: dict[str, float]) -> tuple[list[str], np.ndarray]:
    names = sorted(k for k, v in d.items() if v > 0)
    w = np.array([d[k] for k in names], dtype=np.float64)
    return names, w / w.sum()


class Vegetation:
    """Plans large plants (before the camera) and builds everything (after it)."""

    def __init__(self, params: VegetationParams, height: Callable, normal: Callable, seeds: SeedTree,
                 centre=(0.0, 0.0), masks: Callable | None = None, water_level: Callable | None = None):
        """``masks(x, y, z, normals) -> dict`` (the terrain's own: moisture, water_dist, snow) and
        ``water_level(x, y)`` are optional; without them moisture comes from noise and the
        constant ``params.water_level``."""
        self.p = params
        self.height, self.normal = height, normal
        self._masks_fn = masks
        self.seeds = seeds
        self.centre = np.asarray(centre, dtype=np.float64)
        # masks and alignment read a cached grid of the terrain (exact heights for placements)
        t0 = time.perf_counter()
        self.grid = GridField(height, normal, self.centre, params.area_radius + 5.0, step=1.0, masks=masks)
        self.eco = Ecology(self.grid.height, self.grid.normal, seeds.child("ecology").rng(),
                           water_level=water_level if water_level is not None else params.water_level,
                           masks=self.grid.mask if masks is not None else None)
        self.timings: dict[str, float] = {"terrain_grid": time.perf_counter() - t0}
        self._large: list[dict] = []  # planned groups: kind, xy, radius, proto index, scale, ...
        self._foliage: dict = {}  # (kind, species, prototype, lod) -> foliage mesh
        self._planned = False

    # -- planning: large objects, Poisson-disk, mutually non-overlapping ------------
    def _tree_protos(self, layer: TreeLayer, name: str) -> dict:
        t0 = time.perf_counter()
        names, _ = _weights(layer.species)
        protos = {}
        for sp in names:
            tp = layer.tree.model_copy(update={"species": sp, "season": self.p.season})
            if sp == "sapling":
                tp = tp.model_copy(update={"height": min(tp.height, 3.0)})
            for k in range(layer.prototypes):
                rng_seed = self.seeds.child(f"{name}/{sp}/{k}").int(2**62)
                protos[(sp, k)] = grow_tree_lods(tp, np.random.default_rng(rng_seed))
        self.timings[f"{name}_grow"] = time.perf_counter() - t0
        return protos

    def plan(self) -> Obstacles:
        """Place trees, bushes, cacti, logs and boulders; returns camera obstacles."""
        t0 = time.perf_counter()
        fixed_xy, fixed_r = np.zeros((0, 2)), np.zeros(0)
        R = self.p.area_radius
        for name in ("trees", "bushes"):
            layer: TreeLayer | None = getattr(self.p, name)
            if layer is None or (layer.niche.density <= 0 and layer.count == 0):
                continue
            protos = self._tree_protos(layer, name)
            rng = self.seeds.child(f"{name}/place").rng()

            names, w = _weights(layer.species)
            dens = self.eco.density(layer.niche)
            if layer.count:
                cand = rng.uniform(-R, R, (layer.count * 12, 2))
                cand = cand[np.hypot(*cand.T) < R] + self.centre
                d = dens(cand[:, 0], cand[:, 1])
                cand = cand[rng.uniform(0, 1, len(cand)) * max(d.max(), 1e-12) < d]
            else:
                cand = sample_density(rng, dens, self.eco.max_density(layer.niche), self.centre, R)
            sp_idx = rng.choice(len(names), size=len(cand), p=w)
            pk = rng.integers(0, layer.prototypes, len(cand))
            scale = rng.uniform(0.85, 1.15, len(cand))
            crown = np.array([protos[(names[s], k)][0].crown_radius for s, k in zip(sp_idx, pk)]) * scale
            keep = poisson_thin(cand, crown * layer.spacing, limit=layer.count or None,
                                fixed_xy=fixed_xy, fixed_radius=fixed_r)
            g = dict(kind=name, layer=layer, protos=protos, xy=cand[keep], species=[names[s] for s in sp_idx[keep]],
                     proto=pk[keep], scale=scale[keep], radius=crown[keep] * layer.spacing)
            self._large.append(g)
            fixed_xy = np.concatenate([fixed_xy, g["xy"]])
            fixed_r = np.concatenate([fixed_r, g["radius"]])
            if name == "trees":
                self.eco.set_trees(g["xy"], crown[keep])
        for name in ("cacti", "logs", "boulders"):
            layer = getattr(self.p, name)
            if layer is None or layer.niche.density <= 0:
                continue
            rng = self.seeds.child(f"{name}/place").rng()
            cand = sample_density(rng, self.eco.density(layer.niche), self.eco.max_density(layer.niche), self.centre, R)
            scale = layer.scale * np.exp(layer.scale_spread * rng.standard_normal(len(cand)))
            keep = poisson_thin(cand, layer.footprint * scale, fixed_xy=fixed_xy, fixed_radius=fixed_r)
            g = dict(kind=name, layer=layer, xy=cand[keep], scale=scale[keep], radius=layer.footprint * scale[keep],
                     proto=rng.integers(0, layer.prototypes, len(keep)))
            self._large.append(g)
            fixed_xy = np.concatenate([fixed_xy, g["xy"]])
            fixed_r = np.concatenate([fixed_r, g["radius"]])
        self._planned = True
        self.timings["plan"] = time.perf_counter() - t0 - sum(v for k, v in self.timings.items() if k.endswith("_grow"))
        # camera obstacles: trunks (and whole bushes / cacti / boulders)
        centres, radii = [], []
        for g in self._large:
            if not len(g["xy"]):
                continue
            z = self.height(g["xy"][:, 0], g["xy"][:, 1])
            lift = 1.0 if g["kind"] == "trees" else 0.5
            centres.append(np.stack([g["xy"][:, 0], g["xy"][:, 1], z + lift], -1))
            if g["kind"] == "trees":  # trunk plus the lower crown
                crown = g["radius"] / max(g["layer"].spacing, 1e-3)
                # a conifer's lowest whorls reach almost the full crown radius at eye height
                reach = np.where(np.asarray(g["species"]) == "conifer", 0.9, 0.4)
                r = np.maximum(0.6, reach * crown)
            else:
                r = g["radius"] * 1.2
            radii.append(r)
        return Obstacles(np.concatenate(centres) if centres else np.zeros((0, 3)),
                         np.concatenate(radii) if radii else np.zeros(0))

    # -- building ---------------------------------------------------------------
    def build(self, scene: Scene, camera: Camera | None = None) -> dict:
        """Add every planned and small object to ``scene``; returns counts and timings."""
        if not self._planned:
            self.plan()
        eye = camera.position if camera is not None else np.array([*self.centre, self.height(*self.centre[:, None])[0]])
        if camera is not None:
            sector = view_sector(eye, camera.cam_to_world[:3, 2], camera.hfov)
        else:
            sector = None
        mats = self.seeds.child("materials")
        report: dict = {"counts": {}, "timings": self.timings}
        reach = max([getattr(self.p, n).max_distance for n in ("grass", "flowers", "ferns", "mushrooms", "twigs",
                                                                 "cones", "pebbles") if getattr(self.p, n) is not None]
                    + [1.0])
        t0 = time.perf_counter()
        near = GridField(self.height, self.normal, eye[:2], min(reach, 400.0) + 2.0, step=0.5,
                         masks=self._masks_fn)
        self.eco.height, self.eco.normal = near.height, near.normal  # small things live near the eye
        if self._masks_fn is not None:
            self.eco.masks = near.mask
        self.timings["terrain_grid"] = time.perf_counter() - t0 + self.timings.get("terrain_grid", 0.0)
        for g in self._large:
            t0 = time.perf_counter()
            if g["kind"] in ("trees", "bushes"):
                self._add_trees(scene, g, eye, sector, mats, report)
            else:
                self._add_large(scene, g, mats, report)
            self.timings[f"{g['kind']}_build"] = self.timings.get(f"{g['kind']}_build", 0.0) + time.perf_counter() - t0
        for name in ("grass", "flowers", "ferns", "mushrooms", "twigs", "cones", "pebbles"):
            layer = getattr(self.p, name)
            if layer is None or layer.niche.density <= 0:
                continue
            t0 = time.perf_counter()
            self._add_small(scene, name, layer, eye, sector, mats, report)
            self.timings[name] = time.perf_counter() - t0
        return report

    def _add_trees(self, scene, g, eye, sector, mats, report):
        layer: TreeLayer = g["layer"]
        xy = g["xy"]
        if not len(xy):
            return
        rng = self.seeds.child(f"{g['kind']}/jitter").rng()
        mats_world = ground_transforms(xy, rng, self.height, self.grid.normal, scale=g["scale"], align=0.0, tilt=0.02,
                                       sink=0.15)
        d = np.hypot(xy[:, 0] - eye[0], xy[:, 1] - eye[1])
        lod = np.where(d < layer.lod_distances[0], 0, np.where(d < layer.lod_distances[1], 1, 2))
        if sector is not None:  # behind the camera: coarsest (shadows only)
            ang = np.abs((np.arctan2(xy[:, 1] - eye[1], xy[:, 0] - eye[0]) - sector[0] + np.pi) % (2 * np.pi) - np.pi)
            lod = np.where((ang > sector[1]) & (d > 10.0), 2, lod)
        semantic = "tree" if g["kind"] == "trees" else "bush"
        n_leaves = 0
        species = np.array(g["species"])
        for (sp, k), models in sorted(g["protos"].items()):
            for lv in range(3):
                sel = np.flatnonzero((species == sp) & (g["proto"] == k) & (lod == lv))
                if not len(sel):
                    continue
                m: TreeModel = models[lv]
                bark_kind = {"birch": "birch", "conifer": "conifer", "palm": "palm", "dead": "dead"}.get(sp, "broadleaf")
                name = f"{g['kind']}.{sp}{k}.lod{lv}"
                wood = scene.add(Object(name, Instances(m.wood, mats_world[sel]),
                                        MaterialRef("bark", mats.child(f"bark/{bark_kind}").int(), (("kind", bark_kind),)),
                                        semantic=semantic, generator=f"plants.trees.{sp}",
                                        params={"species": sp, "prototype": k, "lod": lv, "height": m.height}))
                foliage = self._foliage.get((g["kind"], sp, k, lv))
                if foliage is None and m.leaf_mesh is not None and len(m.leaves):
                    foliage = self._foliage[(g["kind"], sp, k, lv)] = foliage_mesh(
                        m, self.seeds.child(f"{g['kind']}/{sp}/{k}/foliage").rng())
                if foliage is not None:
                    # one foliage instance per tree, carrying the tree's id
                    scene.add(Object(name + ".leaves", Instances(foliage, mats_world[sel], wood.geometry.ids.copy()),
                                     MaterialRef("leaf", mats.child(f"leaf/{m.leaf_kind}").int(),
                                                 (("kind", m.leaf_kind), ("season", self.p.season))),
                                     semantic=semantic, generator=f"plants.leaves.{m.leaf_kind}", id_groups="given",
                                     params={"leaves_per_tree": len(m.leaves)}))
                    n_leaves += len(m.leaves) * len(sel)
        report["counts"][g["kind"]] = int(len(xy))
        report["counts"][f"{g['kind']}_leaf_clusters"] = n_leaves

    def _protos(self, name: str, n: int) -> list[tuple[Mesh, str]]:
        """Prototype meshes for a family: (mesh, semantic class)."""
        t0 = time.perf_counter()
        out = []
        for k in range(n):
            rng = self.seeds.child(f"{name}/proto{k}").rng()
            if name == "grass":
                out.append((tuft(self.p.grass_tuft, rng), "grass"))
            elif name == "flowers":
                out.append((flower(FlowerParams(color=k % 7 if n >= 3 else -1), rng), "flower"))
            elif name == "ferns":
                out.append((fern(FernParams(), rng), "fern"))
            elif name == "mushrooms":
                out.append((mushroom(MushroomParams(cluster=int(rng.integers(1, 5))), rng), "mushroom"))
            elif name == "twigs":
                out.append((twig(rng.uniform(0.2, 0.6), rng), "log"))
            elif name == "cones":
                out.append((pine_cone(rng), "log"))
            elif name in ("pebbles", "boulders"):
                kind = "pebble" if name == "pebbles" else "boulder"
                out.append((rock_mesh(RockParams(kind=kind, subdivisions=2 if name == "pebbles" else 3), rng), "rock"))
            elif name == "logs":
                out.append((log(LogParams(), rng), "log"))
            elif name == "cacti":
                names, w = _weights(self.p.cactus_kinds)
                kind = names[k % len(names)]
                out.append((cactus(CactusParams(kind=kind, height=rng.uniform(1.5, 5.0)), rng), "cactus"))
        self.timings[f"{name}_protos"] = time.perf_counter() - t0
        return out

    def _material(self, name: str, mats: SeedTree) -> MaterialRef:
        if name == "grass":
            return MaterialRef("grass", mats.child("grass").int(), (("dry", self.p.grass_tuft.dry),))
        if name in ("pebbles", "boulders"):
            return MaterialRef("rock", mats.child("rock").int())
        if name in ("logs", "twigs"):
            return MaterialRef("bark", mats.child("bark/dead").int(), (("kind", "dead"),))
        trans = {"flowers": 0.3, "ferns": 0.3}.get(name, 0.0)
        rough = {"cacti": 0.45, "mushrooms": 0.5}.get(name, 0.6)
        return MaterialRef("plant_vcol", mats.child(name).int(), (("translucency", trans), ("roughness", rough)))

    def _add_large(self, scene, g, mats, report):
        name, layer = g["kind"], g["layer"]
        xy = g["xy"]
        report["counts"][name] = int(len(xy))
        if not len(xy):
            return
        protos = self._protos(name, layer.prototypes)
        rng = self.seeds.child(f"{name}/jitter").rng()
        sink = 0.25 * g["scale"] if name == "boulders" else 0.02
        size = g["scale"] * (layer.footprint if name == "boulders" else 1.0)
        T = ground_transforms(xy, rng, self.height, self.grid.normal, scale=size, align=layer.align, tilt=0.05, sink=sink)
        mat = self._material(name, mats)
        for k, (mesh, sem) in enumerate(protos):
            sel = g["proto"] == k
            if sel.any():
                scene.add(Object(f"{name}{k}", Instances(mesh, T[sel]), mat, semantic=sem, generator=f"plants.{name}"))

    def _add_small(self, scene, name, layer: SmallLayer, eye, sector, mats, report):
        rng = self.seeds.child(f"{name}/place").rng()
        dens = self.eco.density(layer.niche)
        xy = sample_density(rng, dens, self.eco.max_density(layer.niche), eye[:2], layer.max_distance,
                            sector=sector)
        keep, grow = lod_thin(xy, eye, layer.lod_near, rng, power=1.5 if name == "grass" else 2.0)
        xy = xy[keep]
        scale = layer.scale * np.exp(layer.scale_spread * rng.standard_normal(len(xy))) * grow
        # nothing small inside trunks, boulders or cacti
        for g in self._large:
            if len(g["xy"]) and len(xy):
                d, i = cKDTree(g["xy"]).query(xy)
                core = g["radius"][i] * (0.15 if g["kind"] == "trees" else 0.6)
                ok = d > core
                xy, scale = xy[ok], scale[ok]
        if layer.spaced:
            keep = poisson_thin(xy, layer.footprint * scale)
            xy, scale = xy[keep], scale[keep]
        report["counts"][name] = int(len(xy))
        if not len(xy):
            return
        protos = self._protos(name, layer.prototypes)
        yaw = None
        if name == "grass":  # wind from +X of the prototypes: keep all tufts leaning one way
            wind = self.seeds.child("wind").rng().uniform(0, 2 * np.pi)
            yaw = wind + rng.normal(0, 0.35, len(xy))
        T = ground_transforms(xy, rng, self.height, self.eco.normal, scale=scale, align=layer.align, tilt=0.08,
                              sink=0.01 * scale, yaw=yaw)
        which = rng.integers(0, len(protos), len(xy))
        mat = self._material(name, mats)
        blades = 0
        for k, (mesh, sem) in enumerate(protos):
            sel = which == k
            if not sel.any():
                continue
            groups = None
            if name == "grass":  # one id per ground cell, shared by all tuft prototypes
                cell = np.floor(xy[sel] / GRASS_CELL).astype(np.int64) + 500_000
                groups = cell[:, 0] * 1_000_003 + cell[:, 1]
                blades += int(sel.sum()) * self.p.grass_tuft.blades
            scene.add(Object(f"{name}{k}", Instances(mesh, T[sel]), mat, semantic=sem, generator=f"plants.{name}",
                             id_groups=groups, id_namespace="grass_patch" if groups is not None else None))
        if name == "grass":
            report["counts"]["grass_blades"] = blades


def scale_grass(v: VegetationParams, factor: float, max_tuft_growth: float = 4.0) -> None:
    """Multiply the grass blades per m^2 of ``v`` by ``factor``. Above 1 the tufts first grow
    (up to ``max_tuft_growth`` times the blades) and only then become more numerous: the same
    blades per m^2 in fewer instances path trace several times faster, since a ray inside dense
    grass crosses far fewer overlapping tuft boxes (docs/plants.md)."""
    if v.grass is None:
        return
    bigger = min(max(factor, 1.0), max_tuft_growth)
    v.grass_tuft = v.grass_tuft.model_copy(update={"blades": int(round(v.grass_tuft.blades * bigger))})
    v.grass.niche.density *= factor / bigger


def add_vegetation(scene: Scene, biome: str | VegetationParams, field, seeds: SeedTree,
                   camera: Camera | None = None, centre=(0.0, 0.0), clear_ahead: float = 0.0) -> dict:
    """One call for scenes that placed their camera already: plan + build.

    ``field`` has ``height(x, y)`` and ``normal(x, y)``; if it also has
    ``masks(x, y, z, normals)`` (moisture, water_dist, snow) and
    ``water_level(x, y)`` (a terrain ``TerrainField`` does), plants follow them.
    Large objects too close to the camera (within 1 m of the eye's ground
    point) are dropped, as they were not known when the camera was placed;
    with ``clear_ahead`` > 0 so are those in the camera's view cone nearer
    than that many metres (a scene whose point is what lies beyond, like a lake).
    """
    params = biome_params(biome) if isinstance(biome, str) else biome
    veg = Vegetation(params, field.height, field.normal, seeds, centre=centre,
                     masks=getattr(field, "masks", None), water_level=getattr(field, "water_level", None))
    veg.plan()
    if camera is not None:
        eye = camera.position
        for g in veg._large:
            if len(g["xy"]):
                d = np.hypot(g["xy"][:, 0] - eye[0], g["xy"][:, 1] - eye[1])
                ok = d > g["radius"] * 0.5 + 1.0
                if clear_ahead > 0:
                    yaw, half = view_sector(eye, camera.cam_to_world[:3, 2], camera.hfov, margin=0.1)
                    ang = np.arctan2(g["xy"][:, 1] - eye[1], g["xy"][:, 0] - eye[0]) - yaw
                    # the object's own radius widens the cone it may block
                    half_g = half + np.arctan2(g["radius"], np.maximum(d, 1e-6))
                    ahead = np.abs((ang + np.pi) % (2 * np.pi) - np.pi) < half_g
                    ok &= ~(ahead & (d < clear_ahead))
                for key in ("xy", "scale", "radius", "proto"):
                    g[key] = g[key][ok]
                if "species" in g:
                    g["species"] = [s for s, o in zip(g["species"], ok) if o]
    return veg.build(scene, camera)


def vegetated_heightfield_scene(params, vegetation: VegetationParams, seeds: SeedTree, width: int,
                                height: int) -> tuple[Scene, CameraRig, dict]:
    """A grassy heightfield with ``vegetation`` on it: plan the large plants, place the
    camera among them, mesh the ground around it, then add the plants. ``params``
    needs ``terrain``, ``camera`` and ``sky`` fields (forest and plains)."""
    field = Heightfield(params.terrain, seeds.child("terrain"))
    veg = Vegetation(vegetation, field.height, field.normal, seeds.child("vegetation"))
    obstacles = veg.plan()
    cam, cam_report = place_camera(params.camera, width, height, field.height, obstacles, seeds.child("camera").rng())
    fwd = cam.cam_to_world[:3, 2]
    terrain_mesh = field.mesh_around(cam.position, float(np.arctan2(fwd[1], fwd[0])), cam.hfov, width)
    scene = Scene()
    scene.sun, scene.sky = params.sky.make(seeds.child("sky").rng())
    scene.add(Object("terrain", terrain_mesh,
                     MaterialRef("meadow_ground", seeds.child("materials/ground").int(), (("snowline", 5000.0),)),
                     semantic="terrain", generator="terrain.heightfield", params=params.terrain.model_dump()))
    report = veg.build(scene, cam)
    if hasattr(params, "weather"):
        add_weather(scene, params.weather, cam, field.height, seeds.child("weather"))
    return scene, CameraRig.mono(cam), {"camera_placement": cam_report, "vegetation": report}
