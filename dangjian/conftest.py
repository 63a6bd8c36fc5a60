"""Shared fixtures: test settings and the personas of a small county.

county ─┬─ town_a ─┬─ village_a1
        │          └─ village_a2
        └─ town_b ─── village_b1
"""

import datetime

import pytest
from django.core.cache import cache

from dangjian.accounts.models import Role
from dangjian.core.cache import shared_cache
from dangjian.core.throttle import limits_cache
from dangjian.tests_support import factories as f


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path, tmp_path_factory):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SUPERVISION_ARGON2 = (1, 8192)  # the smallest libsodium allows: tests check logic, not cost
    settings.MEDIA_ROOT = tmp_path / "media"
    # Short messages as files of this test's own (the default backend), never under var/.
    settings.SMS_BACKEND = "dangjian.notifications.sms.FileBackend"
    settings.SMS_OPTIONS = {"directory": str(tmp_path / "sms")}
    settings.SITE_URL = "https://dj.example.gov.cn"
    settings.ROBOT_ALLOW_LOOPBACK = True  # group robots may post to the local recorder (tests_support/robotserver.py)
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # The shared counters (sign-in limits, guessing) in a folder of this test process's own (parallel test
    # processes would count each other's failures), emptied before and after each test.
    settings.CACHES = {
        **settings.CACHES,
        settings.LIMITS_CACHE: {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path_factory.getbasetemp() / "limits"),
        },
        settings.SHARED_CACHE: {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path_factory.getbasetemp() / "shared"),
        },
    }
    cache.clear()
    limits_cache().clear()
    shared_cache().clear()
    yield
    cache.clear()
    limits_cache().clear()
    shared_cache().clear()


class County:
    """The organizations and people of the test county."""

    def __init__(self):
        self.county = f.OrganizationFactory(name="中共测试县委员会", short_name="测试县", kind="county")
        self.town_a = f.OrganizationFactory(
            name="中共测试县东城镇委员会", short_name="东城镇", kind="township", parent=self.county
        )
        self.town_b = f.OrganizationFactory(
            name="中共测试县西山乡委员会", short_name="西山乡", kind="township", parent=self.county
        )
        self.village_a1 = f.OrganizationFactory(
            name="东城镇王庄村党支部委员会", short_name="王庄村", kind="village", parent=self.town_a
        )
        self.village_a2 = f.OrganizationFactory(
            name="东城镇李湾村党支部委员会", short_name="李湾村", kind="village", parent=self.town_a
        )
        self.village_b1 = f.OrganizationFactory(
            name="西山乡石桥村党支部委员会", short_name="石桥村", kind="village", parent=self.town_b
        )
        self.county_admin = f.staff("county_admin", Role.ORG_ADMIN, self.county, mobile="13900000001")
        self.town_a_admin = f.staff("town_a_admin", Role.ORG_ADMIN, self.town_a)
        self.town_a_media = f.staff("town_a_media", Role.MEDIA_OFFICER, self.town_a, mobile="13900000002")
        self.village_a1_secretary = f.staff("a1_secretary", Role.SECRETARY, self.village_a1)
        self.town_b_discipline = f.staff("b_discipline", Role.DISCIPLINE, self.town_b)
        self.nobody = f.UserFactory(username="nobody")


def ensure_reference_data() -> None:
    """Rows that data migrations create; transactional (browser) tests flush them away."""
    import importlib

    from django.apps import apps

    from dangjian.core.models import ContentGeneration
    from dangjian.policies.models import PolicyCategory

    if not PolicyCategory.objects.exists():
        importlib.import_module("dangjian.policies.migrations.0002_seed_categories").seed(apps, None)
    ContentGeneration.objects.get_or_create(pk=1)
    importlib.import_module("dangjian.feedback.migrations.0002_default_time_limits").create_limits(apps, None)


@pytest.fixture
def county(db) -> County:
    ensure_reference_data()
    return County()


@pytest.fixture
def today() -> datetime.date:
    from django.utils import timezone

    return timezone.localdate()


# --- Browser tests: Playwright driving Debian's Chromium --------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    import os

    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls made by the test
    # itself between browser steps are synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized page (390x844) on the live server."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def assert_accessible(page) -> None:
    """axe-core finds no serious or critical violation on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not bad, "\n".join(f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']]}" for v in bad)
