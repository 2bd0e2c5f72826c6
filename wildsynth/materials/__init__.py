"""Material recipes as renderer-free shader graphs."""

from .graph import Graph, Node, Out
from .library import RECIPES, build

__all__ = ["Graph", "Node", "Out", "RECIPES", "build"]
