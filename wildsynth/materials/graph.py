"""A small vocabulary for shader graphs, free of any renderer.

A recipe builds a ``Graph`` of nodes named by their Cycles node type; inputs
are constants or the outputs of other nodes. ``render/`` compiles the graph to
Blender nodes one-to-one, so a recipe reads like the shader it builds::

    g = Graph("rock")
    n = g.noise(scale=4.0, detail=8.0)
    col = g.ramp(n["Fac"], [(0.3, (0.2, 0.2, 0.2)), (0.8, (0.5, 0.48, 0.45))])
    g.surface(g.principled(base_color=col, roughness=0.8))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union


@dataclass(frozen=True)
class Out:
    """An output socket of a node, by name (or index where names repeat)."""

    node: "Node"
    socket: Union[str, int]


@dataclass(eq=False)
class Node:
    type: str  # Cycles/Blender node type, e.g. "ShaderNodeTexNoise"
    props: dict[str, Any] = field(default_factory=dict)  # node settings (enums, ramps)
    inputs: dict[Union[str, int], Any] = field(default_factory=dict)  # constants or Out

    def __getitem__(self, socket: Union[str, int]) -> Out:
        return Out(self, socket)

    @property
    def out(self) -> Out:
        """The node's first output."""
        return Out(self, 0)


Value = Union[float, tuple, Out, Node]


def _snake_to_socket(name: str) -> str:
    """``base_color`` -> ``Base Color`` (Blender's socket names)."""
    return " ".join(w.upper() if w in ("ior",) else w.capitalize() for w in name.split("_"))


@dataclass
class Graph:
    name: str
    nodes: list[Node] = field(default_factory=list)
    outputs: dict[str, Out] = field(default_factory=dict)  # "Surface", "Volume"

    def node(self, type: str, inputs: dict | None = None, **props) -> Node:
        n = Node(type, props, {k: (v.out if isinstance(v, Node) else v) for k, v in (inputs or {}).items()})
        self.nodes.append(n)
        return n

    def surface(self, shader: Value) -> None:
        self.outputs["Surface"] = shader.out if isinstance(shader, Node) else shader

    def volume(self, shader: Value) -> None:
        self.outputs["Volume"] = shader.out if isinstance(shader, Node) else shader

    # -- the vocabulary: thin, named wrappers over common nodes -----------------
    def _node_kw(self, type: str, props: dict, kw: dict) -> Node:
        return self.node(type, {_snake_to_socket(k): v for k, v in kw.items()}, **props)

    def principled(self, **kw) -> Node:
        return self._node_kw("ShaderNodeBsdfPrincipled", {}, kw)

    def noise(self, vector: Value | None = None, dimensions: str = "3D", **kw) -> Node:
        if vector is not None:
            kw["vector"] = vector
        return self._node_kw("ShaderNodeTexNoise", {"noise_dimensions": dimensions}, kw)

    def voronoi(self, vector: Value | None = None, feature: str = "F1", **kw) -> Node:
        if vector is not None:
            kw["vector"] = vector
        return self._node_kw("ShaderNodeTexVoronoi", {"feature": feature}, kw)

    def ramp(self, fac: Value, stops: list[tuple[float, tuple]], interpolation: str = "LINEAR") -> Out:
        """Colour ramp; ``stops`` are (position, RGB or RGBA). Returns the Color output."""
        stops = [(float(p), tuple(c) + (1.0,) * (4 - len(c))) for p, c in stops]
        return self.node("ShaderNodeValToRGB", {"Fac": fac}, ramp=stops, ramp_interpolation=interpolation)["Color"]

    def mix(self, fac: Value, a: Value, b: Value, blend: str = "MIX") -> Out:
        """Mix two colours (``a`` at fac 0, ``b`` at fac 1)."""
        return self.node("ShaderNodeMix", {"Factor": fac, "A": a, "B": b},
                         data_type="RGBA", blend_type=blend)["Result"]

    def math(self, op: str, a: Value, b: Value = 0.0, clamp: bool = False) -> Out:
        return self.node("ShaderNodeMath", {0: a, 1: b}, operation=op, use_clamp=clamp)["Value"]

    def map_range(self, value: Value, from_min: float, from_max: float, to_min: float = 0.0,
                  to_max: float = 1.0) -> Out:
        return self.node("ShaderNodeMapRange", {"Value": value, "From Min": from_min, "From Max": from_max,
                                                "To Min": to_min, "To Max": to_max})["Result"]

    def attribute(self, name: str, kind: str = "GEOMETRY") -> Node:
        """A named attribute: per-vertex mask (GEOMETRY) or per-object/instance value."""
        return self.node("ShaderNodeAttribute", attribute_name=name, attribute_type=kind)

    def bump(self, height: Value, strength: float = 0.5, distance: float = 0.1) -> Out:
        return self.node("ShaderNodeBump", {"Height": height, "Strength": strength,
                                            "Distance": distance})["Normal"]

    def coords(self, kind: str = "Object") -> Out:
        """Texture coordinates: "Object" (local, metres), "Generated", "UV"..."""
        return self.node("ShaderNodeTexCoord")[kind]

    def object_random(self) -> Out:
        """A random value per object and per instance (varies copies of one mesh)."""
        return self.node("ShaderNodeObjectInfo")["Random"]
