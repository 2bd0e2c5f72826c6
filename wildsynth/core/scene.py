"""The renderer-independent scene: objects, materials by reference, sun and sky."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .labels import label
from .mesh import Instances, Mesh


@dataclass(frozen=True)
class MaterialRef:
    """A material by recipe name and seed; ``materials/`` turns it into a graph."""

    recipe: str
    seed: int = 0
    params: tuple[tuple[str, Any], ...] = ()

    def to_dict(self) -> dict:
        return {"recipe": self.recipe, "seed": self.seed, "params": dict(self.params)}


RAY_TYPES = frozenset({"shadow", "diffuse", "glossy", "transmission", "volume_scatter"})


@dataclass
class Object:
    """One scene object: a mesh, or one mesh placed many times (``Instances``).

    A mesh object carries one instance id; an ``Instances`` object carries one
    id per placement (``geometry.ids``), assigned by ``Scene.add``.

    ``id_groups`` (Instances only) changes how ids are assigned:

    - ``None`` (default): every placement gets its own new id.
    - an (N,) int array of group indices: one new id per distinct group, shared
      by its placements (grass: one id per patch of tufts, not per blade);
      ``objects.json`` gets one row per group. Objects with the same
      ``id_namespace`` share the ids of equal groups (grass tufts of several
      prototype meshes in one ground cell are one patch).
    - the string ``"given"``: ``geometry.ids`` are already set and name objects
      added before (leaves carry their tree's id); no new ids, no new rows.
    """

    name: str
    geometry: Mesh | Instances
    material: MaterialRef
    semantic: str
    generator: str
    params: dict[str, Any] = field(default_factory=dict)
    instance_id: int = 0
    id_groups: Any = None  # None | (N,) int array | "given"; see above
    in_ground_truth: bool = True  # False: visible in RGB only (weather the user wants out of depth/ids)
    id_namespace: str | None = None  # groups shared across objects (with array id_groups)
    # Ray types that pass by as if the object were not there (Cycles' ray visibility): for a surface whose
    # material lets that light through anyway, skipping it saves shading it (RGB only; GT sees it)
    unseen_by: tuple[str, ...] = ()
    # True (or, for a mesh, a (F,) bool array of faces): no point of it is ever farther from a camera
    # of the shot than the haze starts (``materials.sky.mark_haze_free``), so the renderer leaves the
    # aerial-perspective wrapper off there: it would add exactly nothing, and cost shading time
    haze_free: Any = False

    def __post_init__(self) -> None:
        label(self.semantic)  # fail early on an unknown class
        bad = set(self.unseen_by) - RAY_TYPES
        if bad:
            raise ValueError(f"object {self.name!r}: unseen_by {sorted(bad)}: ray types are {sorted(RAY_TYPES)}")
        if self.id_groups is None:
            return
        if not self.is_instanced:
            raise ValueError(f"object {self.name!r}: id_groups needs Instances geometry")
        if isinstance(self.id_groups, str):
            if self.id_groups != "given" or self.geometry.ids is None:
                raise ValueError(f"object {self.name!r}: id_groups={self.id_groups!r} needs 'given' with ids set")
        else:
            g = np.asarray(self.id_groups)
            if g.shape != (len(self.geometry),) or (len(g) and g.min() < 0):
                raise ValueError(f"object {self.name!r}: id_groups must be (N,) non-negative ints")
            self.id_groups = g.astype(np.int64)

    @property
    def is_instanced(self) -> bool:
        return isinstance(self.geometry, Instances)

    @property
    def ids(self) -> np.ndarray:
        if self.is_instanced:
            return self.geometry.ids
        return np.array([self.instance_id], dtype=np.uint32)

    @property
    def n_triangles(self) -> int:
        g = self.geometry
        return g.mesh.n_triangles * len(g) if isinstance(g, Instances) else g.n_triangles


@dataclass
class Sun:
    """A distant light. ``direction`` points from the scene towards the sun (unit, world)."""

    direction: np.ndarray
    strength: float = 4.0  # W/m^2 (Blender sun strength)
    angle_deg: float = 0.53  # angular diameter, soft shadows
    color: tuple = (1.0, 1.0, 1.0)  # linear RGB of the lamp (render/atmosphere.py: reddened by the air mass)

    @classmethod
    def from_angles(cls, elevation_deg: float, azimuth_deg: float, **kw) -> "Sun":
        e, a = np.radians(elevation_deg), np.radians(azimuth_deg)
        return cls(np.array([np.cos(e) * np.cos(a), np.cos(e) * np.sin(a), np.sin(e)]), **kw)

    @property
    def elevation(self) -> float:
        return float(np.arcsin(np.clip(self.direction[2], -1, 1)))

    @property
    def azimuth(self) -> float:
        return float(np.arctan2(self.direction[1], self.direction[0]))


@dataclass
class PointLight:
    """A small spherical light (lamp, torch): position in metres, power in watts."""

    position: np.ndarray
    power: float = 50.0
    color: tuple = (1.0, 0.85, 0.7)
    radius: float = 0.05


@dataclass
class Sky:
    """Physical (Nishita) sky with an optional cloud layer.

    Densities are multiples of the standard atmosphere. ``clouds`` is the
    fraction of the sky covered by a procedural cloud layer (0 clear, 1
    closed); ``cloud_seed`` picks its pattern.
    """

    air_density: float = 1.0
    dust_density: float = 1.0
    ozone_density: float = 1.0
    strength: float = 0.3
    clouds: float = 0.0
    cloud_seed: int = 0
    drawn: dict = field(default_factory=dict)  # values drawn from the seed (time of day...), for scene.json


@dataclass
class Scene:
    """Everything a renderer needs, as plain numpy. Ids are dense, 1-based, in add order."""

    objects: list[Object] = field(default_factory=list)
    sun: Sun = field(default_factory=lambda: Sun.from_angles(45.0, 30.0))
    sky: Sky = field(default_factory=Sky)
    _next_id: int = 1
    _groups: dict = field(default_factory=dict)  # id_namespace -> {group: id}
    motions: list = field(default_factory=list)  # core.motion.Motion tracks the scene itself brings (weather)
    lights: list = field(default_factory=list)  # PointLight: light beyond the sun and sky (caves, night)

    def reserve_ids(self, n: int) -> np.ndarray:
        """``n`` consecutive new ids, for placements added later in any grouping (``add(obj, ids=...)``):
        trees get their ids in planning order, whichever level-of-detail object holds them."""
        ids = np.arange(self._next_id, self._next_id + int(n), dtype=np.uint32)
        self._next_id += int(n)
        return ids

    def add(self, obj: Object, ids: np.ndarray | None = None) -> Object:
        """Add ``obj``, giving it new ids; ``ids`` (Instances only) are ids from ``reserve_ids``."""
        g = obj.geometry
        if ids is not None:
            ids = np.asarray(ids, dtype=np.uint32)
            if not isinstance(g, Instances) or obj.id_groups is not None or ids.shape != (len(g),):
                raise ValueError(f"object {obj.name!r}: ids= needs Instances without id_groups, one id each")
            if len(ids) and int(ids.max()) >= self._next_id:
                raise ValueError(f"object {obj.name!r}: ids= must come from reserve_ids")
            g.ids = ids
            self.objects.append(obj)
            return obj
        if isinstance(obj.id_groups, str):  # "given": ids of objects already in the scene
            if len(g) and int(g.ids.max()) >= self._next_id:
                raise ValueError(f"object {obj.name!r}: given ids must name objects already added")
        elif obj.id_groups is not None:
            uniq, inv = np.unique(obj.id_groups, return_inverse=True)
            table = self._groups.setdefault(obj.id_namespace, {}) if obj.id_namespace else {}
            ids = np.empty(len(uniq), dtype=np.uint32)
            for k, grp in enumerate(uniq.tolist()):
                if grp not in table:
                    table[grp] = self._next_id
                    self._next_id += 1
                ids[k] = table[grp]
            g.ids = ids[inv]
        elif isinstance(g, Instances):
            g.ids = np.arange(self._next_id, self._next_id + len(g), dtype=np.uint32)
            self._next_id += len(g)
        else:
            obj.instance_id = self._next_id
            self._next_id += 1
        self.objects.append(obj)
        return obj

    def release_meshes(self) -> None:
        """Drop every mesh's vertex, face and attribute arrays (transforms, ids and the object table
        stay): for a run whose renderer holds its own copy, so the geometry is not in memory twice."""
        empty = Mesh(np.zeros((0, 3), np.float32), np.zeros((0, 3), np.int32))
        for o in self.objects:
            if isinstance(o.geometry, Instances):
                o.geometry.mesh = empty
            else:
                o.geometry = empty

    def skip_id(self) -> None:
        """Leave an id unused: for an optional mesh that came out empty at this tessellation, so the
        ids of everything added after it stay the same at every output resolution."""
        self._next_id += 1

    @property
    def n_triangles(self) -> int:
        return sum(o.n_triangles for o in self.objects)

    @property
    def n_instances(self) -> int:
        return sum(len(o.geometry) for o in self.objects if o.is_instanced)

    @property
    def n_ids(self) -> int:
        """Instance ids handed out (rows of ``objects.json``)."""
        return self._next_id - 1

    def id_to_class(self) -> np.ndarray:
        """Lookup table: instance id -> semantic class id (index 0 = sky)."""
        lut = np.zeros(self._next_id, dtype=np.uint16)
        for o in self.objects:
            if not isinstance(o.id_groups, str):  # given ids keep their owner's class
                lut[o.ids] = label(o.semantic).id
        return lut

    def object_table(self) -> list[dict]:
        """One record per instance id (what ``objects.json`` holds)."""
        rows = []
        # grouped placements: count and centre per id over every object that shares it
        g_sum: dict[int, np.ndarray] = {}
        g_count: dict[int, int] = {}
        for o in self.objects:
            if o.id_groups is not None and not isinstance(o.id_groups, str):
                ids, inv, count = np.unique(o.geometry.ids, return_inverse=True, return_counts=True)
                sums = np.zeros((len(ids), 3))
                np.add.at(sums, inv, o.geometry.transforms[:, :3, 3])
                for i, c, sm in zip(ids.tolist(), count.tolist(), sums):
                    g_sum[i] = g_sum.get(i, 0.0) + sm
                    g_count[i] = g_count.get(i, 0) + c
        emitted: set[int] = set()
        for o in self.objects:
            lab = label(o.semantic)
            base = {"class": lab.name, "class_id": lab.id, "generator": o.generator,
                    "material": o.material.to_dict(), "params": o.params}
            if isinstance(o.id_groups, str):
                continue  # placements belong to objects listed already
            if o.id_groups is not None:
                for i in np.unique(o.geometry.ids).tolist():
                    if i in emitted:
                        continue
                    emitted.add(i)
                    centre = g_sum[i] / g_count[i]
                    rows.append({"id": int(i), "name": f"{o.id_namespace or o.name}.g{i}", "object": o.name,
                                 "placements": int(g_count[i]), "centre": [float(x) for x in centre], **base})
            elif o.is_instanced:
                for k, i in enumerate(o.geometry.ids):
                    rows.append({"id": int(i), "name": f"{o.name}.{k:05d}", "object": o.name,
                                 "transform": o.geometry.transforms[k].tolist(), **base})
            else:
                rows.append({"id": int(o.instance_id), "name": o.name, "object": o.name, **base})
        return rows

    def triangles(self) -> np.ndarray:
        """Every triangle in world space, (F, 3, 3) float64 (realises instances; for tests)."""
        parts = []
        for o in self.objects:
            m = o.geometry.realise() if o.is_instanced else o.geometry
            parts.append(m.vertices.astype(np.float64)[m.faces])
        return np.concatenate(parts) if parts else np.zeros((0, 3, 3))
