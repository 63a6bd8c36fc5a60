"""Stored files: nothing is served by path, uploaded images are bounded and rebuilt from pixels."""

import http.client
import io
import urllib.parse

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image
from pytest_django.live_server_helper import LiveServer

from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(transactional_db, settings):
    """A live server that runs the site as production does.

    pytest-django's `live_server` wraps the site in Django's test handler, which serves all of
    MEDIA_ROOT by itself; gunicorn does not, so this server runs the bare WSGI application.
    """
    server = LiveServer("localhost", start=False)
    server.thread.static_handler = lambda media_handler: media_handler.application
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    server.start()
    yield server
    server.stop()


def _raw_get(live_server, path: str) -> tuple[int, bytes]:
    """GET with a client that sends the path exactly as given (no `..` normalisation)."""
    url = urllib.parse.urlsplit(live_server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _jpeg_bytes(size=(40, 50)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def leader(county):
    term = f.TermFactory(organization=county.town_a)
    return f.LeaderFactory(term=term, photo=ContentFile(_jpeg_bytes(), name="leader.jpg"))


SECRETS = {
    "policies/2026/11/draft-attachment.pdf": b"%PDF-1.4 UNPUBLISHED-POLICY-ATTACHMENT",
    "feedback/2026/11/private-case-photo.jpg": b"PRIVATE-CASE-PHOTO",
    "supervision/evidence-blob.bin": b"SUPERVISION-EVIDENCE-BLOB",
}


@pytest.mark.parametrize(
    "template",
    [
        "/media/leaders/../{path}",
        "/media/leaders/%2e%2e/{path}",
        "/media/leaders/%2E%2E/{path}",
        "/media/leaders/..%2f{path}",
        "/media/leaders/%2e%2e%2f{path}",
        "/media/leaders/..%5c{path}",
        "/media/leaders/2026/../../{path}",
        "/media/{path}",
    ],
)
def test_9_1_no_stored_file_is_served_by_a_path(site, leader, template):
    for name, content in SECRETS.items():
        default_storage.save(name, ContentFile(content))
    for name, content in SECRETS.items():
        status, body = _raw_get(site, template.format(path=name))
        assert status == 404, (template, name, status)
        assert content not in body


def test_9_1_leader_photo_path_is_not_served_either(site, leader):
    status, body = _raw_get(site, "/media/" + leader.photo.name)
    assert status == 404 and _jpeg_bytes()[:200] not in body


def test_9_1_leader_photo_is_served_by_its_record(site, leader):
    status, body = _raw_get(site, f"/o/{leader.organization_id}/leaders/{leader.pk}/")
    assert status == 200
    page = body.decode()
    start = page.index('class="leader-photo" src="') + len('class="leader-photo" src="')
    src = page[start : page.index('"', start)].replace("&amp;", "&")
    assert not src.startswith("/media/")
    status, photo = _raw_get(site, src)
    assert status == 200 and photo == leader.photo.open("rb").read()


def test_9_1_a_leader_photo_url_of_another_organization_is_not_found(site, leader, county):
    status, _body = _raw_get(site, f"/o/{county.town_b.pk}/leaders/{leader.pk}/photo/")
    assert status == 404
