"""Random flags and values for every sub-command: exit code 0 or 2 (1 only for a batch with
failures: stereo-from-mono), at most 3 lines on stderr for exit code 2, never a traceback.

Nothing renders: every ``generate`` gets an output path that is refused (below a file, empty,
too long), ``materials`` never a valid ``--bake`` or a .png ``--gallery``, ``export`` never a
writable output file; and the pipeline is replaced by one that fails the test if reached.
"""

from __future__ import annotations

import string
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import wildsynth.run
from wildsynth.cli import app

runner = CliRunner()
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

ints = st.one_of(st.integers(-3, 70), st.integers(-(2**70), 2**70), st.sampled_from([0, 1, 2**63 - 1, 2**63, 2**64]))
floats = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, -0.0, 1e-300, 1e300]))
words = st.text(alphabet=string.ascii_letters + string.digits + "._-=,:[]{}'\" /\\\n\t\x00é", max_size=24)
numbers_as_text = st.one_of(ints.map(str), floats.map(str), words)
junk = st.one_of(numbers_as_text, st.sampled_from(["", " ", "true", "null", "--", "-1", "8x8", "0x0", "1e9x1"]))


def _flag(name: str, values) -> st.SearchStrategy[list[str]]:
    return values.map(lambda v: [name, str(v)])


def _command(head: list[str], options: list[st.SearchStrategy[list[str]]], tail: st.SearchStrategy = st.just([])):
    """``head`` + a random subset of ``options`` in random order + ``tail``."""
    picks = st.lists(st.sampled_from(range(len(options))), max_size=6, unique=True)
    return st.tuples(picks, tail).flatmap(lambda t: st.tuples(*[options[i] for i in t[0]]).map(
        lambda parts: head + [a for part in parts for a in part] + list(t[1])))


@pytest.fixture(scope="module")
def places(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    (root / "afile").write_text("x")
    img, dep = root / "img", root / "dep"
    img.mkdir()
    dep.mkdir()
    from wildsynth.io.pfm import write_pfm
    from wildsynth.io.png import write_png

    rng = np.random.default_rng(0)
    for k in range(2):
        write_png(img / f"p{k}.png", (rng.random((8, 12, 3)) * 255).astype(np.uint8))
        write_pfm(dep / f"p{k}.pfm", np.full((8, 12), 3.0 + k, np.float32))
    np.save(dep / "bad.npy", np.ones((8, 12, 3), np.float32))
    write_png(img / "bad.png", np.zeros((8, 12, 3), np.uint8))
    return root


def refused_out(root: Path):
    """Output paths refused late (after every other flag was checked) mostly, early sometimes."""
    late = [str(root / "afile" / "run"), str(root / ("y" * 300)), str(root / "afile")]
    return st.sampled_from(late * 3 + ["", "  "])


def check(args: list[str], codes=(0, 2)) -> None:
    with mock.patch.object(wildsynth.run, "run", side_effect=AssertionError("the pipeline ran")):
        r = runner.invoke(app, args)
    assert r.exception is None or isinstance(r.exception, SystemExit), (args, repr(r.exception))
    assert r.exit_code in codes, (args, r.output)
    assert "Traceback" not in r.output, (args, r.output)
    if r.exit_code == 2:
        lines = r.stderr.strip().splitlines()
        assert 1 <= len(lines) <= 3 and lines[0].startswith("error: "), (args, r.stderr)


def generate_args(root: Path):
    opts = [
        _flag("--seed", ints), _flag("--scene", st.one_of(st.sampled_from(["meadow", "forest", "volcano"]), words)),
        _flag("--resolution", st.one_of(st.sampled_from(["8x8", "16384x16384", "16384x8", "7x7", "x"]), junk)),
        _flag("--samples", ints), _flag("--device", st.one_of(st.sampled_from(["cpu", "auto", "tpu"]), words)),
        _flag("--set", st.one_of(st.sampled_from(["rocks.count=3", "camera.hfov=1e9", "sky.hour=abc", "nope=1",
                                                   "rocks.kind=bogus", "vegetation=null", "a"]), words)),
        _flag("--frames", ints), _flag("--fps", floats), _flag("--speed", floats), _flag("--baseline", floats),
        _flag("--trajectory", st.one_of(st.sampled_from(["walk", "orbit", "spiral"]), words)),
        _flag("--rig", st.one_of(st.sampled_from(["mono", "stereo", "multiview", "quad"]), words)),
        _flag("--views", ints), _flag("--formats", st.one_of(st.sampled_from(["", "png", "exr,pfm", "jpg"]), words)),
        _flag("--motion", st.one_of(st.sampled_from(["particles=3", "bogus=1", "particles=-1", "x"]), words)),
        st.sampled_from([["--denoise"], ["--no-denoise"], ["--overwrite"], ["--no-overwrite"], ["--bogus"],
                         ["--denoise", "true"]]),
    ]
    return _command(["generate"], opts, refused_out(root).map(lambda o: ["--out", o]))


@FUZZ
@given(data=st.data())
def test_fuzz_generate(places, data):
    check(data.draw(generate_args(places)))


@FUZZ
@given(data=st.data())
def test_fuzz_params_scenes_materials(places, data):
    which = data.draw(st.sampled_from(["params", "scenes", "materials"]))
    if which == "params":
        args = ["params", *data.draw(st.lists(st.one_of(st.sampled_from(["meadow", "forest", "volcano"]), words),
                                              max_size=2))]
    elif which == "scenes":
        args = ["scenes", *data.draw(st.lists(junk, max_size=2))]
    else:
        opts = [_flag("--size", ints), _flag("--samples", ints),
                _flag("--only", st.one_of(st.sampled_from(["granite", "nosuch"]), words)),
                _flag("--bake", words.filter(lambda w: w not in _recipes())),
                _flag("--gallery", words.filter(lambda w: not w.lower().endswith(".png"))),
                _flag("--out", st.one_of(refused_out(places), words))]
        args = data.draw(_command(["materials"], opts))
    check(args)


def _recipes():
    from wildsynth.materials import RECIPES

    return RECIPES


@FUZZ
@given(data=st.data())
def test_fuzz_stereo_from_mono(places, tmp_path_factory, data):
    folder = st.sampled_from([str(places / "img"), str(places / "dep"), str(places / "nope"), str(places / "afile"), ""])
    opts = [_flag("--workers", st.one_of(st.integers(-1, 3), ints)), _flag("--fill", st.sampled_from(["inpaint", "x"])),
            _flag("--seed", ints), _flag("--max-disp-min", floats), _flag("--max-disp-max", floats),
            _flag("--focal", floats), _flag("--baseline", floats),
            _flag("--formats", st.one_of(st.sampled_from(["pfm", "npy,png", "", "jpg"]), words)),
            _flag("--depth-png-scale", floats), _flag("--backgrounds", folder),
            st.sampled_from([["--inverse"], ["--no-inverse"], ["--augment"], ["--no-sharpen"], ["--overwrite"],
                             ["--inverse", "true"]])]
    out = str(tmp_path_factory.mktemp("so"))
    head = ["stereo-from-mono", "--images", data.draw(folder), "--depth", data.draw(folder),
            "--out", data.draw(st.sampled_from([out + "/o", "", str(places / "afile" / "o"), out + "/" + "z" * 300]))]
    check(data.draw(_command(head, opts)), codes=(0, 1, 2))


@FUZZ
@given(data=st.data())
def test_fuzz_dataset_status_and_shard(places, data):
    bogus = st.one_of(st.sampled_from([str(places / "afile"), str(places / "nope"), str(places / "img"), "", "."]),
                      words.filter(lambda w: "\x00" not in w))  # (NUL in a path: the dataset code's to check)
    which = data.draw(st.sampled_from(["status", "shard"]))
    if which == "status":
        opts = [_flag("--errors", ints)]
    else:
        opts = [_flag("--maxcount", ints), _flag("--out", bogus), st.sampled_from([["--previews"], ["--no-previews"]])]
    args = data.draw(_command(["dataset", which], opts, bogus.map(lambda p: [p])))
    check(args)


@pytest.mark.blender  # export loads bpy (its exporter) before checking --out; nothing is built
@FUZZ
@given(data=st.data())
def test_fuzz_export(places, data):
    opts = [_flag("--scene", st.one_of(st.sampled_from(["meadow", "volcano"]), words)), _flag("--seed", ints),
            _flag("--set", st.sampled_from(["rocks.count=3", "nope=1", "x"])),
            _flag("--resolution", st.one_of(st.sampled_from(["8x8", "0x0"]), junk)),
            _flag("--exclude", st.one_of(st.sampled_from(["grass", "nothing"]), words))]
    out = st.sampled_from([str(places / "afile" / "x.glb"), "", str(places / "x.txt"), str(places / "img"),
                           str(places / ("e" * 300 + ".glb")), str(places / "x")])
    check(data.draw(_command(["export"], opts, out.map(lambda o: ["--out", o]))))
