"""A link pasted into a WeChat group shows a title, a summary and an image (issue 11 item 15)."""

import re

import pytest
from django.urls import reverse

from dangjian.feedback import actions
from dangjian.feedback.tests.conftest import new_case
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db


def _meta(page: str) -> dict[str, str]:
    return dict(re.findall(r'<meta property="og:(\w+)" content="([^"]*)">', page))


def test_a_portal_shares_its_name_intro_and_our_image(client, county):
    county.village_a1.intro = "王庄村位于东城镇北部，共有村民三百余户。"
    county.village_a1.save()
    meta = _meta(client.get(f"/o/{county.village_a1.pk}/").content.decode())
    assert meta["title"] == "东城镇王庄村党支部委员会"
    assert meta["description"] == "王庄村位于东城镇北部，共有村民三百余户。"
    assert meta["image"] == "http://testserver/static/core/share.png"
    assert meta["url"] == f"http://testserver/o/{county.village_a1.pk}/"
    from django.contrib.staticfiles import finders
    from PIL import Image

    with Image.open(finders.find("core/share.png")) as image:  # our own picture, big enough for a share card
        assert image.format == "PNG" and min(image.size) >= 300


def test_a_policy_shares_its_title_and_the_start_of_its_text(client, county):
    policy = f.PolicyFactory(issuer=county.town_a, title="东城镇农村宅基地审批管理办法", body="为规范宅基地审批。" * 30)
    meta = _meta(client.get(policy.get_absolute_url()).content.decode())
    assert meta["title"] == "东城镇农村宅基地审批管理办法"
    assert meta["description"].startswith("为规范宅基地审批。") and len(meta["description"]) <= 90


def test_a_public_case_shares_only_its_masked_text(client, county):
    case = new_case(county.village_a1, description="路灯坏了，我叫张三丰，电话13812345678。", is_public=True)
    actions.accept_case(county.village_a1_secretary, case.pk)
    actions.dispatch_case(county.village_a1_secretary, case.pk, county.village_a1.pk)
    actions.answer_case(county.village_a1_secretary, case.pk, "已修好。")
    page = client.get(reverse("feedback:detail", args=[county.village_a1.pk, case.pk])).content.decode()
    meta = _meta(page)
    assert meta["title"] == case.title_public
    assert "13812345678" not in meta["description"] and "张三丰" not in meta["description"]
    assert "路灯坏了" in meta["description"]
