"""The package's folders are the pipeline's stages; imports only go down the pipeline:
web -> mapview -> analysis -> projects -> places -> reference (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "webmap"
STAGES = ["reference", "places", "projects", "analysis", "mapview", "web"]


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("webmap"):
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.startswith("webmap"))
    return names


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else None


def modules() -> dict[str, Path]:
    return {".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts): p for p in PACKAGE.rglob("*.py")}


def test_every_module_but_the_entry_points_belongs_to_a_stage():
    loose = sorted(name for name in modules() if stage_of(name) is None)
    assert loose == ["webmap.__init__", "webmap.__main__", "webmap.cli"]


def test_imports_only_go_down_the_pipeline():
    upward = []
    for name, path in modules().items():
        stage = stage_of(name)
        if stage is None:
            continue
        for imported in imports_of(path):
            target = stage_of(imported)
            if target is not None and STAGES.index(target) > STAGES.index(stage):
                upward.append(f"{name} imports {imported}")
    assert upward == []


def test_blueprints_do_not_import_each_other():
    blueprints = {name for name, path in modules().items()
                  if name.startswith("webmap.web.") and "Blueprint(" in path.read_text(encoding="utf-8")}
    assert {"webmap.web.pages", "webmap.web.embed", "webmap.web.downloads"} <= blueprints
    crossing = [f"{name} imports {imported}" for name in blueprints
                for imported in imports_of(modules()[name]) if imported in blueprints - {name}]
    assert crossing == []


def test_no_module_level_cache_of_rendered_pages():
    """Render caches live in the app (app.extensions), so two apps never share pages."""
    for name, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                value = node.value
                assert not (isinstance(value, ast.Call) and getattr(value.func, "id", "") in
                            ("OrderedDict", "dict") and "CACHE" in ast.unparse(node).upper()), name
