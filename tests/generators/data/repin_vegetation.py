"""Re-pin the object rows of vegetation_seed0.json with the current code (same inputs).

Run when the plants change on purpose (meshes, materials), never to make a failing
placement test pass unexamined: check first that only the rows you meant to change differ::

    python tests/generators/data/repin_vegetation.py tests/generators/data/vegetation_seed0.json
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from test_ecology import FIXTURE, replay, rows  # noqa: E402


def main(path: str) -> None:
    data = json.loads(Path(path).read_text())
    for name, e in data["scenes"].items():
        new = rows(replay(e))
        changed = [a["name"] for a, b in zip(new, e["objects"]) if a != b]
        print(f"{name}: {len(changed)} of {len(new)} rows changed: {', '.join(changed)}")
        e["objects"] = new
    assert data["seed"] == FIXTURE["seed"]
    if "repinned by" not in data["source"]:
        data["source"] += "; object rows repinned by tests/generators/data/repin_vegetation.py"
    Path(path).write_text(json.dumps(data, separators=(",", ":")))


if __name__ == "__main__":
    main(sys.argv[1])
