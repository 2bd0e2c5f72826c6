"""Trees (``plants/trees.py``): species mixes grown at three levels of detail; they cast the
shade the undergrowth's niches read. Also the prototype and material factories of every
tree-kind family (bushes use them too)."""

from __future__ import annotations

from ....core.scene import MaterialRef
from ...plants.trees import bark_kind, grow_tree_lods
from ..families import Family, register


def grow(vegetation, layer, species: str, rng):
    """The LOD models (0, 1, 2) of one prototype of ``species`` with the layer's tree parameters."""
    tp = layer.tree.model_copy(update={"species": species, "season": vegetation.season})
    if species == "sapling":
        tp = tp.model_copy(update={"height": min(tp.height, 3.0)})
    return grow_tree_lods(tp, rng)


def materials(vegetation, mats, species: str, model) -> tuple[MaterialRef, MaterialRef]:
    """Bark and leaf materials of a grown model."""
    bark = bark_kind(species)
    return (MaterialRef("bark", mats.child(f"bark/{bark}").int(), (("kind", bark),)),
            MaterialRef("leaf", mats.child(f"leaf/{model.leaf_kind}").int(),
                        (("kind", model.leaf_kind), ("season", vegetation.season))))


register(Family("trees", "tree", 10, grow, materials, semantic="tree", tilt=0.02, sink=0.15, core=0.15, shade=True,
                lift=1.0, trunk_obstacle=True))
