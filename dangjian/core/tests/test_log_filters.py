"""What the platform's own logs keep about a refused request: one line, no traceback."""

import logging

import pytest

pytestmark = pytest.mark.django_db


def test_a_refused_page_is_logged_as_one_line_without_a_traceback(client, county, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")
    client.force_login(county.village_a1_secretary)
    assert client.get(f"/console/o/{county.town_b.pk}/profile/").status_code == 403
    refusals = [r for r in caplog.records if r.name == "django.request"]
    assert refusals and all(r.exc_info is None for r in refusals)
    assert "Traceback" not in caplog.text
