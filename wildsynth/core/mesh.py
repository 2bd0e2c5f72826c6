"""Triangle meshes and instance sets: plain numpy, no renderer."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .geometry import face_normals, vertex_normals


@dataclass
class Mesh:
    """A triangle mesh in metres.

    vertices: (V, 3) float32; faces: (F, 3) int32 (counter-clockwise seen from
    outside, so normals point out). ``attributes`` holds optional per-vertex
    float32 arrays (V,) or (V, k) that materials may read by name (masks such
    as slope or altitude). ``smooth`` selects interpolated vertex normals.
    """

    vertices: np.ndarray
    faces: np.ndarray
    attributes: dict[str, np.ndarray] = field(default_factory=dict)
    smooth: bool = True

    def __post_init__(self) -> None:
        self.vertices = np.ascontiguousarray(self.vertices, dtype=np.float32)
        self.faces = np.ascontiguousarray(self.faces, dtype=np.int32)
        if self.vertices.ndim != 2 or self.vertices.shape[1] != 3:
            raise ValueError(f"vertices must be (V, 3), got {self.vertices.shape}")
        if self.faces.ndim != 2 or self.faces.shape[1] != 3:
            raise ValueError(f"faces must be (F, 3), got {self.faces.shape}")
        if len(self.faces) and (self.faces.min() < 0 or self.faces.max() >= len(self.vertices)):
            raise ValueError("faces index vertices out of range")
        for name, a in self.attributes.items():
            a = np.ascontiguousarray(a, dtype=np.float32)
            if a.shape[0] != len(self.vertices):
                raise ValueError(f"attribute {name!r} has {a.shape[0]} rows for {len(self.vertices)} vertices")
            self.attributes[name] = a

    @property
    def n_triangles(self) -> int:
        return int(len(self.faces))

    def face_normals(self) -> np.ndarray:
        """Unit geometric normals per face, (F, 3) float64."""
        return face_normals(self.vertices, self.faces)

    def vertex_normals(self) -> np.ndarray:
        """Area-weighted unit vertex normals, (V, 3) float32 (``core.geometry.vertex_normals``)."""
        return vertex_normals(self.vertices, self.faces).astype(np.float32)

    def transformed(self, matrix: np.ndarray) -> "Mesh":
        """A copy with vertices mapped by a 4x4 affine matrix."""
        m = np.asarray(matrix, dtype=np.float64)
        v = self.vertices.astype(np.float64) @ m[:3, :3].T + m[:3, 3]
        return Mesh(v, self.faces.copy(), {k: a.copy() for k, a in self.attributes.items()}, self.smooth)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return self.vertices.min(axis=0), self.vertices.max(axis=0)


@dataclass
class Instances:
    """One mesh, many placements. Never realised into one big mesh for rendering.

    transforms: (N, 4, 4) float32 object-to-world matrices.
    ids: (N,) uint32 instance ids, one per placement (0 is reserved for sky).
    """

    mesh: Mesh
    transforms: np.ndarray
    ids: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.transforms = np.ascontiguousarray(self.transforms, dtype=np.float32)
        if self.transforms.ndim != 3 or self.transforms.shape[1:] != (4, 4):
            raise ValueError(f"transforms must be (N, 4, 4), got {self.transforms.shape}")
        if self.ids is not None:
            self.ids = np.ascontiguousarray(self.ids, dtype=np.uint32)
            if self.ids.shape != (len(self.transforms),):
                raise ValueError("ids must have one entry per transform")

    def __len__(self) -> int:
        return int(len(self.transforms))

    def realise(self) -> Mesh:
        """All placements as one mesh (for tests and export, not for rendering)."""
        parts = [self.mesh.transformed(t) for t in self.transforms]
        offs = np.cumsum([0] + [len(p.vertices) for p in parts[:-1]])
        v = np.concatenate([p.vertices for p in parts]) if parts else np.zeros((0, 3))
        f = np.concatenate([p.faces + o for p, o in zip(parts, offs)]) if parts else np.zeros((0, 3))
        return Mesh(v, f, smooth=self.mesh.smooth)


def compose_trs(translation: np.ndarray, rotation: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """(N, 4, 4) matrices from translations (N, 3), rotations (N, 3, 3), scales (N, 3) or (N,)."""
    t = np.asarray(translation, dtype=np.float64)
    r = np.asarray(rotation, dtype=np.float64)
    s = np.asarray(scale, dtype=np.float64)
    if s.ndim == 1:
        s = np.repeat(s[:, None], 3, axis=1)
    m = np.zeros((len(t), 4, 4))
    m[:, :3, :3] = r * s[:, None, :]
    m[:, :3, 3] = t
    m[:, 3, 3] = 1.0
    return m


def rotation_z(angles: np.ndarray) -> np.ndarray:
    """(N, 3, 3) rotations about +Z by ``angles`` radians."""
    c, s = np.cos(angles), np.sin(angles)
    r = np.zeros((len(angles), 3, 3))
    r[:, 0, 0], r[:, 0, 1], r[:, 1, 0], r[:, 1, 1], r[:, 2, 2] = c, -s, s, c, 1.0
    return r


def rotation_align_z(normals: np.ndarray) -> np.ndarray:
    """(N, 3, 3) rotations taking +Z onto each unit normal (shortest arc)."""
    n = np.asarray(normals, dtype=np.float64)
    n = n / np.linalg.norm(n, axis=1, keepdims=True)
    z = np.array([0.0, 0.0, 1.0])
    v = np.cross(z, n)
    c = n @ z
    k = np.zeros((len(n), 3, 3))
    k[:, 0, 1], k[:, 0, 2] = -v[:, 2], v[:, 1]
    k[:, 1, 0], k[:, 1, 2] = v[:, 2], -v[:, 0]
    k[:, 2, 0], k[:, 2, 1] = -v[:, 1], v[:, 0]
    f = 1.0 / np.maximum(1.0 + c, 1e-9)
    return np.eye(3)[None] + k + (k @ k) * f[:, None, None]
