"""io/png.py: round trips, files other libraries read identically, files from the old pypng writer, errors."""

import base64
import struct
import zlib

import imageio.v3 as iio
import numpy as np
import pytest
from PIL import Image

from wildsynth.io.coco import read_panoptic_png, write_panoptic_png
from wildsynth.io.ids import read_id_png, write_id_png
from wildsynth.io.kitti import (
    encode_flow_kitti,
    read_disparity_kitti,
    read_flow_kitti,
    write_disparity_kitti,
    write_flow_kitti,
)
from wildsynth.io.png import decode_png, encode_png, read_png, write_png

SHAPES = [(6, 9), (6, 9, 3), (6, 9, 4)]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _image(dtype, shape, seed=0):
    a = np.random.default_rng(seed).integers(0, np.iinfo(dtype).max, shape, dtype=dtype, endpoint=True)
    a.flat[0], a.flat[-1] = 0, np.iinfo(dtype).max
    return a


def _decode_by_hand(data: bytes) -> tuple[int, int, np.ndarray]:
    """(bit depth, colour type, samples (H, W, C)) of a non-interlaced PNG, with stdlib zlib only."""
    assert data[:8] == PNG_SIGNATURE
    pos, idat = 8, b""
    while True:
        n, tag = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        assert struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0] == zlib.crc32(tag + body), tag
        pos += 12 + n
        if tag == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert interlace == 0
        elif tag == b"IDAT":
            idat += body
        elif tag == b"IEND":
            break
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
    bpp = channels * depth // 8
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, 1 + w * bpp).astype(int)
    prior, out = [0] * (w * bpp), bytearray()
    for y in range(h):
        ft, cur = raw[y, 0], []
        for i, x in enumerate(raw[y, 1:]):
            a, b, c = (cur[i - bpp] if i >= bpp else 0), prior[i], (prior[i - bpp] if i >= bpp else 0)
            pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
            paeth = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            cur.append((x + [0, a, b, (a + b) // 2, paeth][ft]) % 256)
        out += bytes(cur)
        prior = cur
    samples = np.frombuffer(bytes(out), ">u2" if depth == 16 else np.uint8).reshape(h, w, channels)
    return depth, ctype, samples


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_round_trip_every_dtype_and_shape(tmp_path, dtype, shape):
    a = _image(dtype, shape)
    write_png(tmp_path / "a.png", a)
    assert (tmp_path / "a.png").read_bytes()[:8] == PNG_SIGNATURE
    b = read_png(tmp_path / "a.png")
    assert b.dtype == dtype and b.shape == a.shape
    np.testing.assert_array_equal(b, a)
    assert [p.name for p in tmp_path.iterdir()] == ["a.png"]  # no temporary left behind


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_file_is_standard_png_big_endian_in_channel_order(dtype, shape):
    a = _image(dtype, shape, seed=1)
    depth, ctype, samples = _decode_by_hand(encode_png(a))
    assert depth == 8 * a.itemsize and ctype == {2: 0, 3: 2, 4: 6}[a.ndim if a.ndim == 2 else a.shape[2]]
    np.testing.assert_array_equal(samples.reshape(a.shape), a)


@pytest.mark.parametrize("shape", SHAPES)
def test_pillow_and_imageio_read_the_same_values(tmp_path, shape):
    for dtype in (np.uint8, np.uint16):
        a = _image(dtype, shape, seed=2)
        p = tmp_path / f"{dtype.__name__}.png"
        write_png(p, a)
        pil = np.asarray(Image.open(p))
        if dtype == np.uint16 and a.ndim == 3:
            # Pillow has no 16-bit RGB(A) mode: it keeps each sample's high byte, which still pins order and endianness
            np.testing.assert_array_equal(pil, (a >> 8).astype(np.uint8))
            continue
        np.testing.assert_array_equal(pil, a)
        assert pil.dtype == a.dtype
        back = iio.imread(p, extension=".png")
        assert back.dtype == a.dtype
        np.testing.assert_array_equal(back, a)


def test_reads_files_written_by_pillow(tmp_path):
    a = _image(np.uint8, (5, 7, 3), seed=3)
    Image.fromarray(a).save(tmp_path / "rgb.png")
    Image.fromarray(a[..., 0]).save(tmp_path / "l.png")
    g16 = _image(np.uint16, (5, 7), seed=4)
    Image.fromarray(g16).save(tmp_path / "i16.png")
    np.testing.assert_array_equal(read_png(tmp_path / "rgb.png"), a)
    np.testing.assert_array_equal(read_png(tmp_path / "l.png"), a[..., 0])
    assert read_png(tmp_path / "i16.png").dtype == np.uint16
    np.testing.assert_array_equal(read_png(tmp_path / "i16.png"), g16)


def test_non_native_and_strided_input(tmp_path):
    a = _image(np.uint16, (6, 9, 3), seed=5)
    write_png(tmp_path / "be.png", a.astype(">u2"))
    np.testing.assert_array_equal(read_png(tmp_path / "be.png"), a)
    write_png(tmp_path / "view.png", a[::2, ::-1])
    np.testing.assert_array_equal(read_png(tmp_path / "view.png"), a[::2, ::-1])


def test_level_changes_size_not_values():
    a = np.tile(np.arange(64, dtype=np.uint16), (48, 1))
    stored, packed = encode_png(a, level=0), encode_png(a, level=9)
    assert len(stored) > 2 * len(packed)
    np.testing.assert_array_equal(decode_png(stored), decode_png(packed))
    with pytest.raises(ValueError, match="level"):
        encode_png(a, level=10)


@pytest.mark.parametrize("dtype", [np.float32, np.int16, np.int32, np.uint32, bool])
def test_bad_dtype_is_a_one_line_value_error(tmp_path, dtype):
    with pytest.raises(ValueError, match="uint8 or uint16") as e:
        write_png(tmp_path / "x.png", np.zeros((4, 5), dtype))
    assert "\n" not in str(e.value) and np.dtype(dtype).name in str(e.value)
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("shape", [(4,), (4, 5, 1), (4, 5, 2), (4, 5, 5), (2, 4, 5, 3), (0, 5), (4, 0, 3)])
def test_bad_shape_is_a_one_line_value_error(tmp_path, shape):
    with pytest.raises(ValueError, match=r"\(H, W\)") as e:
        write_png(tmp_path / "x.png", np.zeros(shape, np.uint8))
    assert "\n" not in str(e.value)
    assert not any(tmp_path.iterdir())


def test_failed_write_keeps_the_old_file(tmp_path):
    p = tmp_path / "a.png"
    a = _image(np.uint8, (4, 5))
    write_png(p, a)
    with pytest.raises(ValueError):
        write_png(p, a.astype(np.float32))
    np.testing.assert_array_equal(read_png(p), a)
    write_png(p, a[::-1])
    np.testing.assert_array_equal(read_png(p), a[::-1])


def test_reading_a_broken_file_is_a_one_line_value_error(tmp_path):
    (tmp_path / "junk.png").write_bytes(b"not a png at all")
    good = encode_png(_image(np.uint16, (6, 9, 3)))
    (tmp_path / "cut.png").write_bytes(good[: len(good) // 2])
    for name in ("junk.png", "cut.png"):
        with pytest.raises(ValueError, match=name) as e:
            read_png(tmp_path / name)
        assert "\n" not in str(e.value)


# Files written by the previous writers (pypng for 16-bit, Pillow via imageio for 8-bit), from the arrays in
# _old_arrays(): every reader must keep reading them.
OLD_FILES = {
    "ids16": "iVBORw0KGgoAAAANSUhEUgAAAAcAAAAFEAAAAAD8YXVHAAAAVklEQVR4nAFLALT/AAADIyxGVWl+jKev0NL5AATYKAFLKm5TkXy0pdf"
             "OAAmtLNZP/3MollG5etyjAA6CMatU1Hf9mya+T+F4ABNXNoBZqXzSn/vDJOZNrb4iJZ5Wp+MAAAAASUVORK5CYII=",
    "ids32": "iVBORw0KGgoAAAANSUhEUgAAAAcAAAAFEAIAAABWaL3MAAAA0klEQVR4nBXKK0wCQACA4R9hjMKrKIXiUZzVZIebgiQ2gtNggl3AWZw"
             "GBgXwMW8T0aJJsuE2O5sixcBrN2dzFKU4NwJNzy9/4MFJBcQTnIdlDYaLagNicR2E3YTpQ3vVNl2KHvzn/JF4hruKrMOkrjZh5UKHoNQyA3i8t"
             "VeuLk9YgMJUdOHhRzZgNldpWP/VYaj6zRB6QdtydS2HF463xQt09uQJ+ItqCzL7OgKXh2YEb2V77Wqyiw/OXkUPBiN5CkvvKgs7HzoK959mDF/"
             "f9gb+AHi1QEO4/SA8AAAAAElFTkSuQmCC",
    "flow": "iVBORw0KGgoAAAANSUhEUgAAAAcAAAAFEAIAAABWaL3MAAAAZElEQVR4nE2OUQ3AIAwFi5NJmIQ566uDWkAKDpDAnKyvGwM+msvLhZxIPnU"
            "UKTp43wUgo69F9NI7JOf9pJMMrMWO5FDbnHSQQ/0XdHKobf3tWhnAOwPIodY9wDLAtgDLANsCgh+RtC81hQLJRwAAAABJRU5ErkJggg==",
    "disp": "iVBORw0KGgoAAAANSUhEUgAAAAcAAAAFEAAAAAD8YXVHAAAAP0lEQVR4nA3KsRHAQAjEQDl9ijAxTp8YSrvSKM2E2hFwBK+CqwL6zOZE36"
            "kG2ZoTSmq/sTXvmOwaHmzN9ZFqfgl0DmtzpI2zAAAAAElFTkSuQmCC",
    "panoptic": "iVBORw0KGgoAAAANSUhEUgAAAAcAAAAFCAIAAAAG+GGPAAAAHUlEQVR4nGNkZGAoEGQsEGQsEEKQTMyMDJiIclEAQxADiY/gwqEAAAAAS"
                "UVORK5CYII=",
}


def _old_arrays():
    yy, xx = np.mgrid[0:5, 0:7]
    return {
        "ids16": (xx * 9001 + yy * 1237 + 3).astype(np.uint16),
        "ids32": ((xx * 600_000_007 + yy * 70_001 + 1) % 2**32).astype(np.uint32),
        "flow": (np.stack([xx * 1.25 - 3.0, yy * -0.5 + 0.015625], -1), (xx + yy) % 3 != 0),
        "disp": (xx * 10.5 + yy * 0.25, xx != 2),
        "panoptic": xx * 70_000 + yy * 259 + 1,
    }


def test_files_from_the_old_writers_read_back_unchanged(tmp_path):
    src = _old_arrays()
    for name, b64 in OLD_FILES.items():
        (tmp_path / f"{name}.png").write_bytes(base64.b64decode(b64))
    np.testing.assert_array_equal(read_id_png(tmp_path / "ids16.png"), src["ids16"])
    np.testing.assert_array_equal(read_id_png(tmp_path / "ids32.png"), src["ids32"])
    assert read_png(tmp_path / "ids32.png").shape == (5, 7, 3)  # the 16-bit RGB id encoding
    flow, fvalid = src["flow"]
    np.testing.assert_array_equal(read_png(tmp_path / "flow.png"), encode_flow_kitti(flow, fvalid))
    f, ok = read_flow_kitti(tmp_path / "flow.png")
    np.testing.assert_array_equal(ok, fvalid)
    np.testing.assert_array_equal(f[ok], flow[ok].astype(np.float32))  # multiples of 1/64 are exact
    disp, dvalid = src["disp"]
    d, ok = read_disparity_kitti(tmp_path / "disp.png")
    np.testing.assert_array_equal(ok, dvalid & (disp > 0))
    np.testing.assert_array_equal(d[ok], disp[ok].astype(np.float32))
    np.testing.assert_array_equal(read_panoptic_png(tmp_path / "panoptic.png"), src["panoptic"])


def test_new_writers_decode_to_the_old_files_arrays(tmp_path):
    """Each format written anew decodes to exactly the array its old file decodes to (channel order included)."""
    src = _old_arrays()
    write_id_png(tmp_path / "ids16.png", src["ids16"])
    write_id_png(tmp_path / "ids32.png", src["ids32"])
    write_flow_kitti(tmp_path / "flow.png", *src["flow"])
    write_disparity_kitti(tmp_path / "disp.png", *src["disp"])
    write_panoptic_png(tmp_path / "panoptic.png", src["panoptic"])
    for name, b64 in OLD_FILES.items():
        old = decode_png(base64.b64decode(b64))
        new = (tmp_path / f"{name}.png").read_bytes()
        np.testing.assert_array_equal(read_png(tmp_path / f"{name}.png"), old)
        _, _, by_hand = _decode_by_hand(new)
        np.testing.assert_array_equal(by_hand.reshape(old.shape), old)


def test_kitti_flow_file_channels_are_u_v_valid():
    raw = encode_flow_kitti(np.full((3, 4, 2), [1.0, -2.0]), np.eye(3, 4, dtype=bool))
    _, ctype, samples = _decode_by_hand(encode_png(raw))
    assert ctype == 2
    np.testing.assert_array_equal(samples[..., 0][np.eye(3, 4, dtype=bool)], 32768 + 64)  # R = u
    np.testing.assert_array_equal(samples[..., 1][np.eye(3, 4, dtype=bool)], 32768 - 128)  # G = v
    np.testing.assert_array_equal(samples[..., 2], np.eye(3, 4))  # B = valid
