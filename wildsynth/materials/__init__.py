"""Material recipes as renderer-free shader graphs."""

from .graph import Graph, Node, Out
from .library import DISPLACEMENTS, RECIPES, build
from . import plants  # noqa: F401,E402  (registers plant recipes)
from . import stone  # noqa: F401,E402  (registers stone and soil recipes)
from . import weather  # noqa: F401,E402  (registers weather particle recipes)
from . import surfaces  # noqa: F401,E402  (sand, snow, water, bark species, cactus, mushroom, petal)
from . import terrain  # noqa: F401,E402  (registers terrain, water and ice recipes)

__all__ = ["DISPLACEMENTS", "Graph", "Node", "Out", "RECIPES", "build"]
