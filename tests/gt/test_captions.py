"""Exact captions: deterministic, only what is visible, and a parser that reads them back exactly."""

from __future__ import annotations

import json

import numpy as np
import pytest
from caption_runs import SCENE, fake_run, semantic
from typer.testing import CliRunner

from wildsynth.core.labels import LABELS, label_id
from wildsynth.core.seeds import SeedTree
from wildsynth.eval.captions import caption_grounding
from wildsynth.gt.captions import (
    AMOUNT_WORDS,
    GROUNDS,
    NOT_LISTED,
    SCENES,
    SEASONS,
    SKIES,
    SUNS,
    TIMES,
    WEATHER,
    caption_set,
    class_fractions,
    parse_caption,
    render_caption,
)


def test_captions_are_deterministic_per_seed_and_differ_between_seeds():
    sem = semantic({"grass": 0.4, "tree": 0.1, "terrain": 0.1, "rock": 0.02})
    a, b = caption_set(SCENE, sem, k=6), caption_set(SCENE, sem, k=6)
    assert a.to_json() == b.to_json()
    c = caption_set({**SCENE, "seed": 8}, sem, k=6)
    assert c.canonical.text == a.canonical.text  # the canonical caption depends on the frame only
    assert [p.text for p in c.paraphrases] != [p.text for p in a.paraphrases]
    assert len({p.text for p in a.paraphrases}) > 1


def test_canonical_caption_states_the_frame():
    sem = semantic({"grass": 0.55, "tree": 0.1, "terrain": 0.06, "rock": 0.02})
    cs = caption_set(SCENE, sem)
    assert cs.canonical.text == ("A view of grassland plains in autumn in the evening, under a clear sky, with a low "
                                 "sun, in fog. It shows mostly grass, some trees, some grassy ground and a few rocks.")
    assert cs.canonical.attributes["classes"] == {"grass": "most", "tree": "some", "terrain": "some", "rock": "few"}


def test_only_classes_above_the_threshold_are_mentioned():
    sem = semantic({"grass": 0.3, "flower": 0.004, "bush": 0.006, "water": 0.02})
    cs = caption_set(SCENE, sem, k=8, threshold=0.005)
    assert set(cs.canonical.attributes["classes"]) == {"grass", "bush", "water"}
    for c in [cs.canonical, *cs.paraphrases]:
        assert "flower" not in c.text and set(c.attributes["classes"]) <= {"grass", "bush", "water"}
    assert "flower" in caption_set(SCENE, sem, threshold=0.001).canonical.attributes["classes"]


def test_no_sky_no_time_and_no_plants_no_season():
    sem = np.full((40, 40), label_id("cave_wall"), np.uint8)
    sem[30:] = label_id("rock")
    attrs = caption_set({**SCENE, "scene": "cave"}, sem).canonical.attributes
    assert attrs["sky"] is attrs["time_of_day"] is attrs["sun"] is attrs["season"] is None
    assert attrs["ground"] is None  # the ground itself is not in view
    assert attrs["classes"] == {"cave_wall": "most", "rock": "many"}


def test_weather_particles_are_stated_only_when_seen():
    rainy = {**SCENE, "params": {**SCENE["params"], "weather": {**SCENE["params"]["weather"], "rain": 0.8}}}
    dry = semantic({"grass": 0.5})
    wet = dry.copy()
    wet[0, :3] = label_id("weather_particle")  # 3 px: below the threshold, yet rain is seen
    assert caption_set(rainy, dry).canonical.attributes["weather"] == ["fog"]
    assert caption_set(rainy, wet).canonical.attributes["weather"] == ["fog", "rain"]


def random_attributes(rng: np.random.Generator) -> dict:
    scenes = list(SCENES) + ["coral_reef", "tundra"]
    names = [lab.name for lab in LABELS if lab.name not in NOT_LISTED]
    classes = {n: str(rng.choice(list(AMOUNT_WORDS))) for n in rng.choice(names, int(rng.integers(0, 9)), False)}

    def maybe(options):
        return None if rng.random() < 0.3 else str(rng.choice(list(options)))

    return {"scene": str(rng.choice(scenes)), "season": maybe(SEASONS), "time_of_day": maybe(TIMES),
            "sky": maybe(SKIES), "sun": maybe(SUNS),
            "weather": sorted(str(w) for w in WEATHER if rng.random() < 0.25),
            "ground": maybe(GROUNDS) if "terrain" in classes else None, "classes": classes}


def test_parser_recovers_every_attribute_set_exactly():
    for i in range(400):
        rng = SeedTree(i).child("captions-test").rng()
        attrs = random_attributes(rng)
        for text in (render_caption(attrs), render_caption(attrs, rng), render_caption(attrs, rng)):
            assert parse_caption(text) == attrs, (text, attrs)


def test_parser_recovers_the_attributes_of_generated_captions():
    rng = np.random.default_rng(0)
    names = [lab.name for lab in LABELS if lab.name != "weather_particle"]
    for seed in range(60):
        parts = {str(n): float(rng.uniform(0.0, 0.15)) for n in rng.choice(names, 6, False)}
        cs = caption_set({**SCENE, "seed": seed, "scene": str(rng.choice(list(SCENES)))}, semantic(parts), k=4)
        for c in [cs.canonical, *cs.paraphrases]:
            assert parse_caption(c.text) == c.attributes, c.text


def test_class_fractions_sum_to_one():
    f = class_fractions(semantic({"grass": 0.25, "rock": 0.5}))
    assert f == {"sky": 0.25, "grass": 0.25, "rock": 0.5}


def test_grounding_of_true_partial_and_wrong_captions():
    cs = caption_set(SCENE, semantic({"grass": 0.55, "tree": 0.1, "terrain": 0.06}), k=4)
    gt = cs.canonical.attributes
    full = caption_grounding(cs.canonical.text, gt)["all"]
    assert full["precision"] == 1.0 and full["recall"] == 1.0
    part = caption_grounding(cs.paraphrases[0].text, gt)["all"]
    assert part["precision"] == 1.0 and part["recall"] <= 1.0
    wrong = caption_grounding("A view of a sand desert at night. It shows many cacti and some grass.", gt)
    # facts stated: scene, time, cacti, their amount, grass, its amount ("some": wrong); only grass is true
    assert wrong["all"]["precision"] == pytest.approx(1 / 6)
    assert wrong["classes"]["precision"] == 0.5 and wrong["classes"]["recall"] == pytest.approx(1 / 3)
    nothing = caption_grounding("a photo", gt)["all"]
    assert nothing["precision"] is None and nothing["recall"] == 0.0


def test_captions_command_writes_captions_and_imagefolder_metadata(tmp_path, monkeypatch):
    from wildsynth.cli import app

    data = tmp_path / "data"
    fake_run(data / "run_a")
    fake_run(data / "run_b", {**SCENE, "seed": 9}, views=(("left", 0), ("left", 1)))
    r = CliRunner().invoke(app, ["captions", str(data), "--imagefolder", str(tmp_path / "hf")])
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in (data / "metadata.jsonl").read_text().splitlines()]
    assert [x["file_name"] for x in lines] == ["run_a/image.png", "run_b/left/000000/image.png",
                                               "run_b/left/000001/image.png"]
    for x in lines:
        view = (data / x["file_name"]).parent
        assert (view / "caption.txt").read_text() == x["text"] + "\n"
        cj = json.loads((view / "caption.json").read_text())
        assert cj["canonical"] == x["text"] and len(cj["paraphrases"]) == 4
        assert parse_caption(x["text"]) == cj["attributes"] and cj["attributes"]["ground"] == "grassy"
        files = json.loads((view / "frame.json").read_text())["files"]
        assert {"caption.txt", "caption.json"} <= set(files) and files[-1] == "frame.json"
    hf = tmp_path / "hf" / "train"
    meta = [json.loads(x) for x in (hf / "metadata.jsonl").read_text().splitlines()]
    assert sorted(p.name for p in hf.iterdir()) == ["0.png", "1.png", "2.png", "metadata.jsonl"]
    assert [m["text"] for m in meta] == [x["text"] for x in lines] and all((hf / m["file_name"]).is_file() for m in meta)
    import datasets  # the dev extra has it: Hugging Face's own imagefolder builder, offline, caching in tmp_path

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    ds = datasets.load_dataset("imagefolder", data_dir=str(tmp_path / "hf"), split="train",
                               cache_dir=str(tmp_path / "hf_cache"))
    assert ds.column_names == ["image", "text"] and len(ds) == 3


def test_captions_command_rewrites_the_same_bytes_and_refuses_bad_input(tmp_path):
    from wildsynth.cli import app

    run = fake_run(tmp_path / "run")
    runner = CliRunner()
    assert runner.invoke(app, ["captions", str(run)]).exit_code == 0
    first = (run / "caption.json").read_bytes()
    assert runner.invoke(app, ["captions", str(run)]).exit_code == 0
    assert (run / "caption.json").read_bytes() == first
    for args in (["captions", str(tmp_path / "nope")], ["captions", str(tmp_path)] + ["--threshold", "0"],
                 ["captions", str(run), "--paraphrases", "-1"]):
        r = runner.invoke(app, args)
        assert r.exit_code == 2 and r.stderr.startswith("error: ") and len(r.stderr.strip().splitlines()) == 1, args
    empty = tmp_path / "empty"
    empty.mkdir()
    r = runner.invoke(app, ["captions", str(empty)])
    assert r.exit_code == 2 and "no finished views" in r.stderr
