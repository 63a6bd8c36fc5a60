"""How the demo app finds and calls each app's demo.py (the protocol in dangjian/demo/__init__.py)."""

import ast
import io
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.demo.modules import demo_modules

PACKAGE = Path(__file__).resolve().parents[2]  # dangjian/


def _imports(path: Path, skip_type_checking: bool = False) -> list[str]:
    """Absolute module names a file imports (relative imports stay inside their own app)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    skipped: set[int] = set()
    if skip_type_checking:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
                skipped |= {id(child) for child in ast.walk(node)}
    names = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_the_demo_app_imports_no_app_by_name():
    sources = [p for p in (PACKAGE / "demo").rglob("*.py") if "tests" not in p.relative_to(PACKAGE / "demo").parts]
    assert len(sources) >= 4  # __init__, apps, context, modules, the command
    imported = {name for path in sources for name in _imports(path)}
    assert "django.apps" in imported  # the parse sees the imports
    assert [name for name in imported if name.startswith("dangjian.") and not name.startswith("dangjian.demo")] == []


def test_no_app_demo_module_imports_the_demo_app_except_for_type_hints():
    demos = sorted(PACKAGE.glob("*/demo.py"))
    assert {p.parent.name for p in demos} >= {"organizations", "accounts", "policies", "feedback", "supervision"}
    for path in demos:
        at_run_time = _imports(path, skip_type_checking=True)
        assert not [n for n in at_run_time if n.startswith("dangjian.demo")], path
        assert "dangjian.demo.context" in _imports(path), path  # its hints name the context it is given


def test_apps_are_asked_in_installed_apps_order_and_an_app_without_demo_py_is_skipped():
    names = [module.__name__ for module in demo_modules()]
    assert names == [
        "dangjian.organizations.demo",
        "dangjian.accounts.demo",
        "dangjian.policies.demo",
        "dangjian.feedback.demo",
        "dangjian.supervision.demo",
        "dangjian.members.demo",
        "dangjian.meetings.demo",
        "dangjian.publishing.demo",
        "dangjian.learning.demo",
        "dangjian.exchange.demo",
        "dangjian.analytics.demo",
    ]
    core, policies = apps.get_app_config("core"), apps.get_app_config("policies")
    assert not (Path(core.path) / "demo.py").exists()
    assert [module.__name__ for module in demo_modules([core, policies])] == ["dangjian.policies.demo"]


def _command(*args, **options) -> str:
    from dangjian.conftest import ensure_reference_data

    ensure_reference_data()
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_a_database_with_organizations_is_left_alone(county):
    assert _command("--if-empty") == "The database already holds organizations; demo data not loaded.\n"
    with pytest.raises(CommandError, match="already holds organizations"):
        _command()


@pytest.mark.django_db
def test_the_add_modes_need_a_county_and_then_add_to_it():
    from dangjian.feedback.models import Case
    from dangjian.policies.models import Policy

    with pytest.raises(CommandError, match="Load the demo county first"):
        _command("--add-policies", "3")
    _command("--townships", "1", "--policies", "5", "--cases", "4")
    output = _command("--add-policies", "3", "--add-cases", "2")
    assert "Added 3 policies" in output and "(8 in all)" in output
    # 4 + 2, and the case a question to the demo village became (exchange, 问政).
    assert "Added 2 feedback cases" in output and "(7 in all)" in output
    assert Policy.objects.count() == 8 and Case.objects.count() == 7
