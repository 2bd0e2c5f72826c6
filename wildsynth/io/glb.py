"""glTF 2.0 binary (.glb) containers: the JSON document and the binary chunk.

Reading and writing the container only (12-byte header, a JSON chunk padded
with spaces, an optional BIN chunk padded with zeros, all little-endian, each
chunk 4-byte aligned); what the JSON means is up to the caller.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path


def read_glb(path: Path | str) -> tuple[dict, bytes]:
    """The JSON and binary chunks of a .glb file."""
    data = Path(path).read_bytes()
    magic, version, length = struct.unpack_from("<4sII", data, 0)
    if magic != b"glTF" or version != 2:
        raise ValueError(f"{path}: not a glTF 2.0 binary")
    json_len, json_type = struct.unpack_from("<I4s", data, 12)
    doc = json.loads(data[20:20 + json_len])
    off = 20 + json_len
    binary = b""
    if off < length:
        bin_len, _ = struct.unpack_from("<I4s", data, off)
        binary = data[off + 8:off + 8 + bin_len]
    return doc, binary


def write_glb(path: Path | str, doc: dict, binary: bytes) -> None:
    js = json.dumps(doc, separators=(",", ":")).encode()
    js += b" " * (-len(js) % 4)
    binary += b"\0" * (-len(binary) % 4)
    total = 12 + 8 + len(js) + (8 + len(binary) if binary else 0)
    with open(path, "wb") as f:
        f.write(struct.pack("<4sII", b"glTF", 2, total))
        f.write(struct.pack("<I4s", len(js), b"JSON") + js)
        if binary:
            f.write(struct.pack("<I4s", len(binary), b"BIN\0") + binary)
