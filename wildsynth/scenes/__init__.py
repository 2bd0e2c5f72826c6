"""Scene recipes and their registry."""

from . import meadow  # noqa: F401  (registers itself)
from . import cave, landscapes  # noqa: F401,E402  (cave; mountain, desert, canyon, cliff, river, coast, arctic)
from . import forest, plains  # noqa: F401,E402  (vegetation scenes register themselves)
from .base import SCENES, SceneRecipe, SkyParams, get, register

DEFAULT_SCENE = "meadow"

__all__ = ["DEFAULT_SCENE", "SCENES", "SceneRecipe", "SkyParams", "get", "register"]
