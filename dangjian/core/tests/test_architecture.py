"""The module map holds (docs/architecture.md): checked on the source, so a change that breaks it fails here.

- `core` is the ground floor: it imports no app.
- No import cycle between files (counting imports inside functions too).
- A domain module reaches a sibling domain module only through its public `models`, `actions` and `queries`.
- The shared page frames name no module; they draw the menus from the registry.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]  # .../dangjian
ROOT = PACKAGE.parent
# The platform every module builds on; everything else under dangjian/ is a domain module.
PLATFORM = {"core", "console", "accounts", "organizations", "notifications", "members", "demo"}
PUBLIC = {"models", "actions", "queries"}


def _source_files():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "tests" in parts or "migrations" in parts or parts[0] in {"tests_support", "conftest.py"}:
            continue
        yield path


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_module(name: str) -> bool:
    base = ROOT / name.replace(".", "/")
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def _imports(path: Path) -> set[str]:
    """Every dangjian module the file imports, at module level or inside a function."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("dangjian"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if not target.startswith("dangjian"):
                continue
            for alias in node.names:
                found.add(f"{target}.{alias.name}" if _is_module(f"{target}.{alias.name}") else target)
    found.discard(module)
    return found


GRAPH = {_module_name(path): _imports(path) for path in _source_files()}


def _app(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 else ""


def test_core_imports_no_app():
    wrong = sorted(
        f"{m} -> {t}" for m, targets in GRAPH.items() if _app(m) == "core" for t in targets if _app(t) != "core"
    )
    assert wrong == []


def test_no_import_cycle_between_files():
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for target in sorted(GRAPH.get(module, ())):
            if target not in GRAPH:
                continue
            if state.get(target) == 1:
                cycles.append([*trail[trail.index(target) :], target] if target in trail else [module, target])
            elif target not in state:
                visit(target, [*trail, target])
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_domain_modules_reach_siblings_only_through_their_public_modules():
    wrong = []
    for module, targets in GRAPH.items():
        app = _app(module)
        if not app or app in PLATFORM:
            continue
        for target in targets:
            other = _app(target)
            if other and other != app and other not in PLATFORM and target.split(".")[2] not in PUBLIC:
                wrong.append(f"{module} -> {target}")
    assert sorted(wrong) == []


URL_TAG = re.compile(r"""\{%\s*url\s+['"]([\w:]+)['"]""")


@pytest.mark.parametrize(
    ("template", "allowed"),
    [
        # The console frame: its own home, the organization being worked on (the tree), the account menu.
        (
            "console/templates/console_base.html",
            {"console:dashboard", "console:organization", "orgs:portal", "accounts:password_change", "accounts:logout"},
        ),
        # The portal frame: the organization's portals up the tree; its sections come from the registry.
        ("organizations/templates/organizations/portal_base.html", {"orgs:portal"}),
        ("organizations/templates/organizations/portal.html", set()),
        ("console/templates/console/dashboard.html", set()),
    ],
)
def test_shared_frames_name_no_module(template, allowed):
    names = set(URL_TAG.findall((PACKAGE / template).read_text(encoding="utf-8")))
    assert names <= allowed, names - allowed
