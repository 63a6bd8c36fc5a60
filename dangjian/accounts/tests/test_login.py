import pytest
from django.urls import reverse

from dangjian.tests_support.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_staff_signs_in_with_username(client, county):
    response = client.post(reverse("accounts:login"), {"username": "town_a_media", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("console:dashboard")


def test_staff_signs_in_with_mobile_number(client, county):
    response = client.post(reverse("accounts:login"), {"username": "13900000002", "password": PASSWORD}, follow=True)
    assert response.context["user"] == county.town_a_media


def test_wrong_password_shows_chinese_message(client, county):
    response = client.post(reverse("accounts:login"), {"username": "town_a_media", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名/手机号或密码错误" in response.content.decode()


def test_repeated_wrong_passwords_pause_the_account(client, county, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("accounts:login"), {"username": "town_a_media", "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": "town_a_media", "password": PASSWORD})
    assert response.status_code == 200
    assert "该账号密码错误次数过多，请15分钟后再试。" in response.content.decode()
    assert "_auth_user_id" not in client.session
