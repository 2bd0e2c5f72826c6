"""Round trips and byte-level layout of PFM and KITTI PNG files."""

import struct

import numpy as np
import pytest

from wildsynth.io.kitti import (
    encode_flow_kitti,
    read_disparity_kitti,
    read_flow_kitti,
    read_png16,
    write_disparity_kitti,
    write_flow_kitti,
    write_png16,
)
from wildsynth.io.pfm import read_pfm, read_pfm_with_scale, write_pfm
from wildsynth.io.png import read_png


@pytest.mark.parametrize("shape", [(5, 7), (4, 6, 3)])
def test_pfm_round_trip(tmp_path, shape):
    a = np.random.default_rng(1).normal(size=shape).astype(np.float32)
    a.flat[0] = np.inf
    p = tmp_path / "x.pfm"
    write_pfm(p, a)
    b = read_pfm(p)
    assert b.dtype == np.float32 and b.shape == a.shape
    np.testing.assert_array_equal(a, b)


def test_pfm_layout_bottom_row_first_little_endian(tmp_path):
    a = np.array([[1, 2, 3], [4, 5, 6]], np.float32)  # top row 1 2 3
    p = tmp_path / "x.pfm"
    write_pfm(p, a)
    raw = p.read_bytes()
    assert raw.startswith(b"Pf\n3 2\n-1.0\n")
    body = raw[len(b"Pf\n3 2\n-1.0\n"):]
    assert struct.unpack("<6f", body) == (4, 5, 6, 1, 2, 3)


def test_pfm_reads_big_endian_and_scale(tmp_path):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    p = tmp_path / "be.pfm"
    p.write_bytes(b"Pf\n3 2\n2.5\n" + a[::-1].astype(">f4").tobytes())
    b, scale = read_pfm_with_scale(p)
    np.testing.assert_array_equal(a, b)
    assert scale == 2.5


def test_pfm_rejects_garbage(tmp_path):
    p = tmp_path / "bad.pfm"
    p.write_bytes(b"P6\n3 2\n255\n")
    with pytest.raises(ValueError, match="not a PFM"):
        read_pfm(p)
    p.write_bytes(b"Pf\n3 2\n-1.0\n" + b"\0" * 8)
    with pytest.raises(ValueError, match="truncated"):
        read_pfm(p)


def test_kitti_disparity_round_trip(tmp_path):
    rng = np.random.default_rng(2)
    d = (rng.random((6, 9)) * 250).astype(np.float32)
    d[0, 0] = 0.0  # cannot be stored as valid
    d[1, 1] = np.nan
    valid = np.ones(d.shape, bool)
    valid[2, 2] = False
    p = tmp_path / "d.png"
    write_disparity_kitti(p, d, valid)
    raw = read_png(p)
    assert raw.dtype == np.uint16 and raw.ndim == 2
    back, ok = read_disparity_kitti(p)
    expect_ok = valid & np.isfinite(d) & (d > 0)
    np.testing.assert_array_equal(ok, expect_ok)
    assert np.abs(back[ok] - d[ok]).max() <= 0.5 / 256 + 1e-6
    assert (back[~ok] == 0).all()


def test_kitti_flow_round_trip_and_channel_order(tmp_path):
    rng = np.random.default_rng(3)
    flow = rng.uniform(-100, 100, size=(5, 8, 2)).astype(np.float32)
    valid = rng.random((5, 8)) > 0.3
    p = tmp_path / "f.png"
    write_flow_kitti(p, flow, valid)
    raw = read_png16(p)  # file order R, G, B
    assert raw.dtype == np.uint16 and raw.shape == (5, 8, 3)
    np.testing.assert_array_equal(raw[..., 2] > 0, valid)  # B = valid, so OpenCV's BGR puts it first
    np.testing.assert_array_equal(raw[valid][:, 0], np.rint(flow[valid][:, 0] * 64 + 32768))  # R = u
    back, ok = read_flow_kitti(p)
    np.testing.assert_array_equal(ok, valid)
    assert np.abs(back[valid] - flow[valid]).max() <= 0.5 / 64 + 1e-6


def test_kitti_flow_encoding_values():
    enc = encode_flow_kitti(np.array([[[1.5, -2.0]]], np.float32))
    assert enc.tolist() == [[[32768 + 96, 32768 - 128, 1]]]


def test_png16_writer_matches_independent_decoder(tmp_path):
    a = np.random.default_rng(4).integers(0, 65536, size=(7, 5), dtype=np.uint16)
    p = tmp_path / "g.png"
    write_png16(p, a)
    np.testing.assert_array_equal(read_png(p), a)  # Pillow decodes our 16-bit grey file
    np.testing.assert_array_equal(read_png16(p), a)


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def test_png16_reader_undoes_every_row_filter(tmp_path):
    """Encode rows with filters 0-4 (as libpng does) in plain Python and decode them."""
    import struct
    import zlib

    img = np.random.default_rng(5).integers(0, 65536, size=(5, 4, 3), dtype=np.uint16)
    rows = np.ascontiguousarray(img, ">u2").view(np.uint8).reshape(5, -1).astype(int)
    bpp, out = 6, b""
    for y in range(5):
        ft = y % 5
        prior = rows[y - 1] if y else np.zeros_like(rows[0])
        line = []
        for i, x in enumerate(rows[y]):
            a = rows[y][i - bpp] if i >= bpp else 0
            b = prior[i]
            c = prior[i - bpp] if i >= bpp else 0
            pred = [0, a, b, (a + b) // 2, _paeth(a, b, c)][ft]
            line.append((x - pred) % 256)
        out += bytes([ft] + line)

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    blob = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 5, 16, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(out)) + chunk(b"IEND", b""))
    p = tmp_path / "filtered.png"
    p.write_bytes(blob)
    np.testing.assert_array_equal(read_png16(p), img)
