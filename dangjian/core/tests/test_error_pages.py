"""Issue 11, item 3: the error pages are Chinese pages in the site's frame, with a way back.

pytest-django runs with DEBUG = False, so the handlers of dangjian/urls.py (and CSRF_FAILURE_VIEW)
answer as in production.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.staticfiles import finders
from django.db import OperationalError
from django.test import Client, RequestFactory
from django.urls import get_resolver, reverse

from dangjian.tests_support.factories import PASSWORD, PolicyFactory

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_DJANGO = ("Not Found", "Forbidden", "Bad Request", "Server Error", "CSRF verification failed")


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def links(response) -> dict[str, str]:
    """The links of the page's main part: text → href."""
    main = response.content.decode().split('<main id="main"', 1)[1].split("</main>", 1)[0]
    found = re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', main, re.S)
    return {re.sub(r"<[^>]+>|\s+", "", text): href.replace("&amp;", "&") for href, text in found}


def assert_site_page(response, status: int, title: str) -> str:
    assert response.status_code == status
    html = response.content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<header class="site-header">' in html  # the site's frame
    assert f"<h1>{title}</h1>" in html
    assert '<html lang="zh-hans"' in html
    for english in ENGLISH_DJANGO:
        assert english not in html
    assert links(response)["网站首页"] == reverse("orgs:home")
    return html


def test_unknown_address_is_a_chinese_404_with_the_way_home(client):
    html = assert_site_page(client.get("/no-such-page/"), 404, "页面不存在")
    assert "您要找的页面不存在或已不再公开" in html


def test_removed_policy_leads_to_its_organizations_policy_list(client, county):
    policy = PolicyFactory(issuer=county.county)
    url = reverse("policies:detail", args=[county.village_a1.pk, policy.pk])
    policy.delete()  # an old WeChat link to a withdrawn policy
    response = client.get(url)
    assert_site_page(response, 404, "页面不存在")
    ways = links(response)
    assert ways["东城镇王庄村党支部委员会·政策服务"] == reverse("policies:list", args=[county.village_a1.pk])
    assert ways["东城镇王庄村党支部委员会"] == reverse("orgs:portal", args=[county.village_a1.pk])


def test_unknown_page_of_an_organization_leads_to_its_portal(client, county):
    response = client.get(f"/o/{county.town_b.pk}/no-such-section/")
    assert_site_page(response, 404, "页面不存在")
    assert links(response)["中共测试县西山乡委员会"] == reverse("orgs:portal", args=[county.town_b.pk])


def test_organization_that_does_not_exist_leads_home_only(client, county):
    response = client.get("/o/999999/policies/1/")
    assert_site_page(response, 404, "页面不存在")
    assert list(links(response).values()) == [reverse("orgs:home")]


def test_403_says_who_may_see_the_page_and_leads_to_the_console(client, county):
    login(client, county.village_a1_secretary)
    response = client.get(reverse("console:profile_edit", args=[county.town_a.pk]))
    html = assert_site_page(response, 403, "无权查看此页面")
    assert "此页面仅限有相应权限的工作人员查看" in html
    assert links(response)["返回管理后台"] == reverse("console:dashboard")


def test_403_offers_sign_in_when_signed_out(county):
    request = RequestFactory().get(f"/o/{county.town_a.pk}/secret/")
    request.user = AnonymousUser()
    request.session = SessionStore()
    response = get_resolver().resolve_error_handler(403)(request, exception=None)
    html = assert_site_page(response, 403, "无权查看此页面")
    assert "此页面仅限有相应权限的工作人员查看" in html
    ways = links(response)
    assert ways["工作人员登录"] == f"{reverse('accounts:login')}?next=%2Fo%2F{county.town_a.pk}%2Fsecret%2F"
    assert ways["中共测试县东城镇委员会"] == reverse("orgs:portal", args=[county.town_a.pk])


def test_form_sent_without_a_valid_token_is_a_chinese_expired_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("accounts:login"), {"username": "x", "password": "y"}, HTTP_REFERER="http://testserver/accounts/login/"
    )
    html = assert_site_page(response, 403, "页面已过期")
    assert "页面已过期，请返回重新提交" in html
    assert links(response)["重新打开表单"] == "http://testserver/accounts/login/"


def test_400_is_a_chinese_page(client):
    response = client.get("/", HTTP_HOST="not-ours.example")  # DisallowedHost: SuspiciousOperation
    html = assert_site_page(response, 400, "无法处理此请求")
    assert "请返回后重试" in html


def test_500_is_a_chinese_page_rendered_without_the_database(county, django_assert_num_queries):
    request = RequestFactory().get(f"/o/{county.town_a.pk}/", HTTP_COOKIE="dj_large_text=1")
    with django_assert_num_queries(0):
        response = get_resolver().resolve_error_handler(500)(request)
    html = assert_site_page(response, 500, "页面出错了")
    assert '<html lang="zh-hans" class="large-text">' in html  # the visitor's text size is kept


def test_server_error_during_a_database_outage_is_still_the_503_page():
    request = RequestFactory().get("/")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = get_resolver().resolve_error_handler(500)(request)
    assert response.status_code == 503
    assert "暂时无法访问" in response.content.decode() or "稍后再试" in response.content.decode()


def test_favicon_is_answered_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/core/favicon.ico"  # served by WhiteNoise from our static files
    icon = finders.find("core/favicon.ico")
    assert icon and Path(icon).read_bytes()[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_every_page_links_the_icon(client):
    html = client.get("/no-such-page/").content.decode()
    assert re.search(r'<link rel="icon" href="/static/core/favicon\.svg" type="image/svg\+xml">', html)


def test_error_pages_are_valid_html(client, county, tmp_path):
    from .test_pages import nu_errors

    policy = PolicyFactory(issuer=county.county)
    policy_url = reverse("policies:detail", args=[county.village_a1.pk, policy.pk])
    policy.delete()
    pages = [("visitor", policy_url, client.get(policy_url).content.decode())]
    pages.append(("visitor", "400", client.get("/", HTTP_HOST="not-ours.example").content.decode()))
    request = RequestFactory().get("/")
    pages.append(("visitor", "500", get_resolver().resolve_error_handler(500)(request).content.decode()))
    csrf = Client(enforce_csrf_checks=True).post(reverse("accounts:login"), {"username": "x"})
    pages.append(("visitor", "csrf", csrf.content.decode()))
    login(client, county.village_a1_secretary)
    forbidden = client.get(reverse("console:profile_edit", args=[county.town_a.pk]))
    pages.append(("secretary", "403", forbidden.content.decode()))
    assert (forbidden.status_code, csrf.status_code) == (403, 403)
    assert nu_errors(pages, tmp_path) == []
