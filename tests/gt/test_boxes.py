"""Oriented 3D boxes of things whose placements span several objects (no renderer)."""

import numpy as np

from wildsynth.core import Instances, MaterialRef, Mesh, Object, Scene
from wildsynth.core.mesh import compose_trs
from wildsynth.gt.boxes import Boxes3D

CUBE = Mesh(np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], float),
            np.array([[0, 1, 2], [1, 3, 2], [4, 6, 5], [5, 6, 7]]))


def inst(centres, scale=0.5):
    c = np.asarray(centres, float)
    return Instances(CUBE, compose_trs(c, np.repeat(np.eye(3)[None], len(c), 0), np.full(len(c), scale)))


def corners_of(g: Instances) -> np.ndarray:
    v = CUBE.vertices.astype(np.float64)
    t = g.transforms.astype(np.float64)
    return (np.einsum("nij,kj->nki", t[:, :3, :3], v) + t[:, None, :3, 3]).reshape(-1, 3)


def inside(rec, pts, tol=1e-6):
    local = (pts - rec["centre"]) @ np.array(rec["rotation"])
    return np.all(np.abs(local) <= np.array(rec["size"]) / 2 + tol)


def test_given_placements_widen_their_owners_box():
    scene = Scene()
    trunk = scene.add(Object("trunk", inst([[0, 0, 1]]), MaterialRef("bark"), "tree", "test"))
    leaves = inst([[2, 0, 3], [-1, 1, 4]], 0.3)
    leaves.ids = np.repeat(trunk.ids, 2)
    scene.add(Object("leaves", leaves, MaterialRef("leaf"), "tree", "test", id_groups="given"))
    rec = Boxes3D(scene).posed(trunk.ids)[0]
    assert inside(rec, corners_of(trunk.geometry)) and inside(rec, corners_of(leaves))
    assert rec["size"][2] > 3.0


def test_an_id_shared_by_several_objects_gets_one_box_around_all():
    scene = Scene()
    a = scene.add(Object("grass0", inst([[0, 0, 0], [1, 0, 0]]), MaterialRef("grass"), "grass", "test",
                         id_groups=np.array([0, 0]), id_namespace="patch"))
    b = scene.add(Object("grass1", inst([[4, 2, 0]]), MaterialRef("grass"), "grass", "test",
                         id_groups=np.array([0]), id_namespace="patch"))
    assert a.ids[0] == b.ids[0]
    boxes = Boxes3D(scene)
    assert boxes.ids == [int(a.ids[0])]
    rec = boxes.posed(a.ids[:1])[0]
    assert inside(rec, corners_of(a.geometry)) and inside(rec, corners_of(b.geometry))
    assert np.allclose(rec["size"], [5.0, 3.0, 1.0])
