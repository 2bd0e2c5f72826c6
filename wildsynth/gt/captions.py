"""Exact captions: what a frame shows, in words, from its ground truth (numpy only).

A frame's caption is built from ``scene.json`` (scene type, season, the drawn sky:
cloud cover, sun elevation, hour; weather), the terrain's kind (from its material in
``objects.json``; ``run/captions.py`` reads it) and the pixel fraction of every semantic class in its ``semantic.png``. Nothing that
is not visible is stated:

- a class is listed only when its pixel fraction is at least ``threshold``; its amount
  word comes from the fraction (``AMOUNTS``);
- sky, time of day and sun are stated only when the sky itself is visible;
- the season only when plants (trees, bushes, grass, flowers, ferns) are visible;
- rain, snow, dust and falling leaves only when the weather parameter is on and its
  particles are in view (or are not part of the ground truth); fog when it is on;
- the ground's kind (grassy, sandy, bare) only with the ground itself.

``caption_set`` returns the canonical caption (every attribute), ``k`` seeded
paraphrases (other wording, order and a random subset of the attributes) and, for each
caption, the attributes it states. ``parse_caption`` recovers exactly those attributes
from any caption made here; the phrase tables below are the one grammar both use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..core.labels import LABELS
from ..core.seeds import SeedTree

THRESHOLD = 0.005  # default visibility threshold: share of the image's pixels

# amount levels by pixel fraction: [lower bound, level]; below the first bound nothing is said
AMOUNTS = ((0.5, "most"), (0.2, "many"), (0.05, "some"), (0.0, "few"))
AMOUNT_WORDS = {  # level -> (words for countable things, words for mass nouns); the first is canonical
    "few": (("a few", "a couple of"), ("a little", "a bit of")),
    "some": (("some", "several"), ("some", "a patch of")),
    "many": (("many", "lots of"), ("a lot of", "plenty of")),
    "most": (("mostly", "mainly"), ("mostly", "mainly")),
}

# class name -> (noun, mass noun?) ; classes not listed read their name, pluralised when a thing
NOUNS = {
    "terrain": ("ground", True), "rock": ("rocks", False), "sand": ("sand", True), "snow": ("snow", True),
    "ice": ("ice", True), "water": ("water", True), "cave_wall": ("cave walls", False),
    "tree": ("trees", False), "bush": ("bushes", False), "grass": ("grass", True), "flower": ("flowers", False),
    "fern": ("ferns", False), "mushroom": ("mushrooms", False), "cactus": ("cacti", False),
    "log": ("logs", False), "litter": ("leaf litter", True), "moss": ("moss", True),
    "mover": ("flying objects", False), "coral": ("corals", False), "sponge": ("sponges", False),
    "anemone": ("anemones", False), "urchin": ("sea urchins", False), "starfish": ("starfish", False),
    "shell": ("shells", False), "kelp": ("kelp", True), "seagrass": ("seagrass", True),
    "seaweed": ("seaweed", True), "water_surface": ("water surface", True), "herbivore": ("grazing animals", False),
    "carnivore": ("predators", False), "bird": ("birds", False), "fish": ("fish", False),
    "snake": ("snakes", False), "insect": ("insects", False), "jellyfish": ("jellyfish", False),
    "crab": ("crabs", False),
}
NOT_LISTED = ("sky", "weather_particle")  # said as the sky and the weather instead
PLANTS = ("tree", "bush", "grass", "flower", "fern")

SCENES = {  # scene type -> phrases (first canonical); other scenes read "a <name> landscape"
    "plains": ("grassland plains", "open plains"), "meadow": ("a mountain meadow", "an alpine meadow"),
    "forest": ("a forest", "a woodland"), "desert": ("a sand desert", "a sea of dunes"),
    "canyon": ("a red-rock canyon", "a deep canyon"), "cliff": ("a tall cliff", "a stratified rock wall"),
    "river": ("a river valley", "a valley with a river"), "coast": ("a sea coast", "a beach by the ocean"),
    "arctic": ("an arctic landscape", "a frozen arctic land"), "lake": ("a mountain lake", "a lake among peaks"),
    "mountain": ("a mountain range", "high mountains"), "cave": ("a cave", "an underground cavern"),
    "snowy_mountain": ("snowy mountains", "a snow-covered mountain range"),
    "kelp_forest": ("a kelp forest", "an undersea kelp forest"), "under_water": ("open water", "the open sea, under water"),
}
SEASONS = {"summer": ("in summer", "in summertime"), "autumn": ("in autumn", "in the fall"),
           "winter": ("in winter", "in wintertime"), "spring": ("in spring", "in springtime")}
TIMES = {"dawn": ("at dawn", "at sunrise"), "morning": ("in the morning", "in the morning light"),
         "midday": ("at midday", "at noon"), "afternoon": ("in the afternoon", "in the afternoon light"),
         "evening": ("in the evening", "in the evening light"), "dusk": ("at dusk", "at sunset"),
         "night": ("at night", "in the night")}
SKIES = {"clear": ("under a clear sky", "beneath a cloudless sky"),
         "partly cloudy": ("under a partly cloudy sky", "beneath scattered clouds"),
         "cloudy": ("under a cloudy sky", "beneath a sky full of clouds"),
         "overcast": ("under an overcast sky", "beneath a grey, closed cloud cover")}
SUNS = {"low": ("with a low sun", "with the sun low over the horizon"),
        "high": ("with a high sun", "with the sun high overhead")}
WEATHER = {"rain": ("in the rain", "in falling rain"), "snow": ("in falling snow", "during a snowfall"),
           "dust": ("in blowing dust", "in a haze of dust"), "leaves": ("with falling leaves", "with leaves in the wind"),
           "fog": ("in fog", "in a misty haze")}
WEATHER_PARTICLES = ("rain", "snow", "dust", "leaves")
GROUNDS = ("grassy", "sandy", "bare")  # the ground's kind, an adjective of "ground"

OPENINGS = ("A view of {s}", "{S}", "A picture of {s}", "Looking out over {s}")
ITEM_MARKERS = ("It shows", "In view:", "The view holds", "Visible are", "One can see")


@dataclass
class Caption:
    text: str
    attributes: dict


@dataclass
class CaptionSet:
    canonical: Caption
    paraphrases: list[Caption] = field(default_factory=list)
    fractions: dict = field(default_factory=dict)
    threshold: float = THRESHOLD

    def to_json(self) -> dict:
        return {"canonical": self.canonical.text, "attributes": self.canonical.attributes,
                "paraphrases": [{"text": c.text, "attributes": c.attributes} for c in self.paraphrases],
                "pixel_fractions": self.fractions, "threshold": self.threshold}


# ---------------------------------------------------------------- attributes from ground truth


def class_fractions(semantic: np.ndarray) -> dict[str, float]:
    """Share of the image's pixels per semantic class name (classes present only)."""
    ids = np.asarray(semantic).astype(np.int64).ravel()
    counts = np.bincount(ids)
    names = {lab.id: lab.name for lab in LABELS}
    return {names.get(i, f"class_{i}"): round(float(c) / ids.size, 6) for i, c in enumerate(counts) if c > 0}


def amount_level(fraction: float) -> str:
    return next(level for bound, level in AMOUNTS if fraction >= bound)


def time_of_day(hour: float, elevation: float) -> str:
    if elevation < -6:
        return "night"
    if elevation < 6:
        return "dawn" if hour < 12 else "dusk"
    if hour < 11:
        return "morning"
    if hour < 14:
        return "midday"
    return "afternoon" if elevation >= 20 else "evening"


def sky_cover(clouds: float, overcast: float) -> str:
    if overcast >= 0.5 or clouds >= 0.75:
        return "overcast"
    if clouds >= 0.4:
        return "cloudy"
    return "partly cloudy" if clouds >= 0.1 else "clear"


def frame_attributes(scene: dict, fractions: dict[str, float], threshold: float = THRESHOLD) -> dict:
    """Every attribute a frame's caption may state (the canonical caption states all). ``scene``
    holds ``scene.json``'s ``scene``, ``params`` and ``sky``, and ``ground``: the terrain's kind
    (``run.captions.caption_context`` makes it)."""
    visible = {n: f for n, f in fractions.items() if f >= threshold}
    known = {lab.name for lab in LABELS}
    classes = {n: amount_level(f) for n, f in sorted(visible.items(), key=lambda t: (-t[1], t[0]))
               if n not in NOT_LISTED and n in known}  # ids outside the label registry are not named
    params = scene.get("params") or {}
    sky = scene.get("sky") or {}
    weather_p = params.get("weather") or {}
    sky_visible = "sky" in visible
    attrs: dict = {"scene": scene.get("scene"), "season": None, "time_of_day": None, "sky": None, "sun": None,
                   "weather": [], "ground": None, "classes": classes}
    if params.get("season") and any(p in classes for p in PLANTS):
        attrs["season"] = params["season"]
    if sky_visible and "sun_elevation_deg" in sky:
        elev = float(sky["sun_elevation_deg"])
        attrs["time_of_day"] = time_of_day(float(sky.get("hour", 12.0)), elev)
        overcast = float((params.get("sky") or {}).get("overcast", 0.0))
        attrs["sky"] = sky_cover(float(sky.get("clouds", 0.0)), overcast)
        if attrs["sky"] != "overcast" and elev >= 6:
            attrs["sun"] = "low" if elev < 25 else "high"
    particles_seen = fractions.get("weather_particle", 0.0) > 0 or not weather_p.get("in_ground_truth", True)
    for w in WEATHER_PARTICLES:
        if float(weather_p.get(w, 0.0) or 0.0) > 0.05 and particles_seen:
            attrs["weather"].append(w)
    if float(weather_p.get("fog", 0.0) or 0.0) > 0.05:
        attrs["weather"].append("fog")
    attrs["weather"].sort()
    if "terrain" in classes:
        attrs["ground"] = scene.get("ground")
    return attrs


def caption_seeds(seed: int, camera: str, frame: int) -> SeedTree:
    """The seed node of one view's paraphrases."""
    return SeedTree(int(seed)).child("captions").child(camera).child(str(int(frame)))


# ---------------------------------------------------------------- words


def _noun(name: str) -> tuple[str, bool]:
    if name in NOUNS:
        return NOUNS[name]
    lab = next((lab for lab in LABELS if lab.name == name), None)
    word = name.replace("_", " ")
    return (word + "s", False) if lab is not None and lab.isthing else (word, True)


def _scene_phrases(scene: str) -> tuple[str, ...]:
    if scene in SCENES:
        return SCENES[scene]
    word = scene.replace("_", "-").lower()
    return (f"{'an' if word[:1] in 'aeiou' else 'a'} {word} landscape",)


def _item(name: str, level: str, ground: str | None, choice: int) -> str:
    noun, mass = _noun(name)
    words = AMOUNT_WORDS[level][1 if mass else 0]
    adj = f"{ground} " if name == "terrain" and ground else ""
    return f"{words[choice % len(words)]} {adj}{noun}"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def render_caption(attrs: dict, rng: np.random.Generator | None = None) -> str:
    """The text stating exactly ``attrs`` (canonical wording and order without ``rng``)."""
    def pick(options):
        return options[0] if rng is None else options[int(rng.integers(len(options)))]

    scene = pick(_scene_phrases(attrs["scene"]))
    opening = pick(OPENINGS)
    head = opening.format(s=scene, S=scene[:1].upper() + scene[1:])
    when = []
    if attrs.get("season"):
        when.append(pick(SEASONS[attrs["season"]]))
    if attrs.get("time_of_day"):
        when.append(pick(TIMES[attrs["time_of_day"]]))
    if rng is not None and len(when) == 2 and rng.random() < 0.5:
        when.reverse()
    clauses = [pick(SKIES[attrs["sky"]])] if attrs.get("sky") else []
    if attrs.get("sun"):
        clauses.append(pick(SUNS[attrs["sun"]]))
    weather = [pick(WEATHER[w]) for w in attrs.get("weather", [])]
    if weather:
        clauses.append(_join(weather))
    first = " ".join([head] + when) + "".join(", " + c for c in clauses) + "."
    items = list(attrs.get("classes", {}).items())
    if rng is not None:
        items = [items[i] for i in rng.permutation(len(items))]
    if not items:
        return first
    phrases = [_item(n, lvl, attrs.get("ground"), 0 if rng is None else int(rng.integers(2))) for n, lvl in items]
    return f"{first} {pick(ITEM_MARKERS)} {_join(phrases)}."


def _subset(attrs: dict, rng: np.random.Generator, drop: float) -> dict:
    """A random subset of ``attrs``: each optional attribute kept with probability 1 - drop;
    the scene and the largest class always kept."""
    out = dict(attrs)
    for key in ("season", "time_of_day", "sky", "sun", "ground"):
        if out.get(key) is not None and rng.random() < drop:
            out[key] = None
    out["weather"] = [w for w in attrs.get("weather", []) if rng.random() >= drop]
    out["classes"] = {n: lvl for k, (n, lvl) in enumerate(attrs.get("classes", {}).items())
                      if k == 0 or rng.random() >= drop}
    if "terrain" not in out["classes"]:
        out["ground"] = None
    return out


def caption_set(scene: dict, semantic: np.ndarray, k: int = 4,
                threshold: float = THRESHOLD, seeds: SeedTree | None = None, drop: float = 0.3) -> CaptionSet:
    """Canonical caption and ``k`` paraphrases of one frame (seeded by ``seeds``; default: the
    scene's seed, ``child("captions")``)."""
    fractions = class_fractions(semantic)
    attrs = frame_attributes(scene, fractions, threshold)
    seeds = seeds or SeedTree(int(scene.get("seed", 0))).child("captions")
    canonical = Caption(render_caption(attrs), attrs)
    paras = []
    for i in range(k):
        rng = seeds.child(f"paraphrase{i}").rng()
        sub = _subset(attrs, rng, drop)
        paras.append(Caption(render_caption(sub, rng), sub))
    return CaptionSet(canonical, paras, fractions, threshold)


# ---------------------------------------------------------------- parser


def _alternation(phrases) -> str:
    return "|".join(re.escape(p) for p in sorted(set(phrases), key=len, reverse=True))


def _lookup(table: dict) -> dict[str, str]:
    return {p.lower(): key for key, phrases in table.items() for p in phrases}


_AMOUNT_OF = {w: level for level, (things, mass) in AMOUNT_WORDS.items() for w in things + mass}
_CLASS_OF = {_noun(lab.name)[0]: lab.name for lab in LABELS if lab.name not in NOT_LISTED}
_ITEM_RE = re.compile(rf"(?<![\w-])({_alternation(_AMOUNT_OF)}) (?:({'|'.join(GROUNDS)}) )?"
                      rf"({_alternation(_CLASS_OF)})(?![\w-])")
_MARKER_RE = re.compile(rf"(?:^|\. )({_alternation(ITEM_MARKERS)}) ")


def _find(table: dict, text: str) -> list[str]:
    lookup = _lookup(table)
    found = re.findall(rf"(?<![\w-])({_alternation(lookup)})(?![\w-])", text)
    return [lookup[f] for f in found]


def parse_caption(text: str) -> dict:
    """The attributes a caption made by ``render_caption`` states (``frame_attributes``' form)."""
    m = _MARKER_RE.search(text)
    head, items = (text[:m.start()], text[m.end():]) if m else (text, "")
    head = head.lower()
    scene_lookup = {p.lower(): key for key, phrases in SCENES.items() for p in phrases}
    sm = re.search(rf"(?<![\w-])({_alternation(scene_lookup)})(?![\w-])", head)
    if sm:
        scene = scene_lookup[sm.group(1)]
    else:  # a scene without phrases of its own: "a <name> landscape"
        fm = re.search(r"\ban? ([a-z0-9-]+) landscape\b", head)
        scene = fm.group(1).replace("-", "_") if fm else None

    def one(table):
        found = _find(table, head)
        return found[0] if found else None

    classes, ground = {}, None
    for amount, adj, noun in _ITEM_RE.findall(items):
        name = _CLASS_OF[noun]
        classes[name] = _AMOUNT_OF[amount]
        if name == "terrain" and adj:
            ground = adj
    return {"scene": scene, "season": one(SEASONS), "time_of_day": one(TIMES), "sky": one(SKIES),
            "sun": one(SUNS), "weather": sorted(set(_find(WEATHER, head))), "ground": ground, "classes": classes}


def attribute_facts(attrs: dict) -> set[tuple]:
    """An attribute dict as a set of facts: (key, value) and, per class, ("class", name) and
    ("amount", name, level) — what caption grounding counts."""
    facts: set[tuple] = set()
    for key in ("scene", "season", "time_of_day", "sky", "sun", "ground"):
        if attrs.get(key) is not None:
            facts.add((key, attrs[key]))
    for w in attrs.get("weather", []):
        facts.add(("weather", w))
    for name, level in attrs.get("classes", {}).items():
        facts.add(("class", name))
        facts.add(("amount", name, level))
    return facts
