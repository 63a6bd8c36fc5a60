"""Issue 9, item 8: the system administrator cannot read an officer's TOTP secret in Django admin."""

import base64

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, county):
    admin = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


@pytest.fixture
def device(county):
    return TOTPDevice.objects.create(user=county.town_b_discipline, name="phone", confirmed=True)


def assert_no_secret(response, device):
    body = response.content.decode()
    assert device.key not in body.lower()
    secret = base64.b32encode(device.bin_key).decode()
    assert secret not in body and secret.lower() not in body.lower().replace("%3d", "=")
    assert "otpauth" not in body


def test_9_8_the_admin_device_list_shows_no_secret(superuser_client, device):
    response = superuser_client.get("/admin/otp_totp/totpdevice/")
    assert response.status_code == 200
    assert f"/admin/otp_totp/totpdevice/{device.pk}/change/" in response.content.decode()
    assert_no_secret(response, device)


def test_9_8_the_admin_change_form_shows_no_secret(superuser_client, device):
    response = superuser_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert response.status_code == 200
    assert_no_secret(response, device)


@pytest.mark.parametrize("view", ["config", "qrcode"])
def test_9_8_the_admin_qr_code_pages_are_gone(superuser_client, device, view):
    response = superuser_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/{view}/")
    assert response.status_code in (302, 404)
    assert_no_secret(response, device)
    if response.status_code == 302:
        assert_no_secret(superuser_client.get(response["Location"]), device)


def test_9_8_the_admin_cannot_set_a_known_secret(superuser_client, device):
    known = "3132333435363738393031323334353637383930"
    superuser_client.post(
        f"/admin/otp_totp/totpdevice/{device.pk}/change/",
        {
            "user": device.user_id,
            "name": "phone",
            "confirmed": "on",
            "key": known,
            "step": 30,
            "t0": 0,
            "digits": 6,
            "tolerance": 1,
            "drift": 0,
            "throttling_failure_count": 0,
        },
    )
    device.refresh_from_db()
    assert device.key != known
    add = superuser_client.get("/admin/otp_totp/totpdevice/add/")
    assert add.status_code == 403


def test_9_8_the_admin_can_remove_a_lost_device(superuser_client, device):
    response = superuser_client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
