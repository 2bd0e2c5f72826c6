"""Every picture the README and docs show is made by a script in the repository.

A picture counts as produced when its file name appears in a script under
docs/ or benchmarks/, or a script in its own folder builds it from an
f-string of quoted names, so a hand-pasted picture fails here.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+\.(?:png|jpg|jpeg|gif|svg))\)")


def _shown() -> list[tuple[Path, Path]]:
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return [(md, (md.parent / m).resolve()) for md in docs for m in IMAGE.findall(md.read_text())]


def _scripts() -> str:
    files = [*(ROOT / "docs").rglob("*.py"), *(ROOT / "benchmarks").glob("*.py")]
    return "\n".join(f.read_text() for f in files)


def _produced(p: Path, scripts: str) -> bool:
    """Named in a script, or built by a script in the picture's own folder from an f-string
    (``f"{name}.png"``, ``f"{out}/plants_{n}.png"``) whose fields are quoted words of that script."""
    if p.name in scripts:
        return True
    local = "\n".join(f.read_text() for f in p.parent.glob("*.py"))
    words = set(re.findall(r"[\"']([a-z0-9_]+)[\"']", local))
    for template in re.findall(r"f[\"']([^\"']*\.(?:png|jpg))[\"']", local):
        name = template.rsplit("/", 1)[-1]
        pattern = re.sub(r"\\\{[^}]*\\\}", "([a-z0-9_]+)", re.escape(name))
        m = re.fullmatch(pattern, p.name)
        if m and m.groups() and all(g in words for g in m.groups()):
            return True
    return False


def test_pictures_exist_and_have_a_producer():
    shown = _shown()
    assert shown, "the README shows pictures; none found"
    scripts = _scripts()
    missing = [f"{md.name}: {p.relative_to(ROOT)}" for md, p in shown if not p.exists()]
    assert not missing, f"pictures shown but missing: {missing}"
    orphans = [f"{md.name}: {p.relative_to(ROOT)}" for md, p in shown if not _produced(p, scripts)]
    assert not orphans, f"pictures with no script in docs/ or benchmarks/ that names them: {orphans}"
