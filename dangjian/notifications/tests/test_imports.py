"""The notifications app is below the domain apps: it imports none of them (they import it)."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent
ALLOWED = ("dangjian.notifications", "dangjian.core", "dangjian.console.shell", "dangjian.accounts.permissions")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return {name for name in names if name.startswith("dangjian")}


def test_the_notifications_app_imports_no_domain_app():
    files = [p for p in APP.rglob("*.py") if "tests" not in p.parts]
    assert len(files) > 5
    outside = {
        f"{path.relative_to(APP)}: {name}" for path in files for name in _imports(path) if not name.startswith(ALLOWED)
    }
    assert outside == set()
