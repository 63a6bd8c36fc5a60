"""Policy library: inheritance, filters, expiry marking, detail page, console editing, attachments."""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.core.models import ChangeRecord
from dangjian.policies.models import Policy, PolicyAttachment, PolicyInterpretation
from dangjian.tests_support.factories import PASSWORD, PolicyFactory, category

pytestmark = pytest.mark.django_db


def listed(client, org, **params):
    response = client.get(reverse("policies:list", args=[org.pk]), params)
    assert response.status_code == 200
    return [item["policy"].title for item in response.context["results"]]


def test_village_library_inherits_township_and_county_policies(client, county):
    PolicyFactory(issuer=county.county, title="县")
    PolicyFactory(issuer=county.town_a, title="镇")
    PolicyFactory(issuer=county.village_a1, title="本村")
    PolicyFactory(issuer=county.village_a2, title="邻村")
    PolicyFactory(issuer=county.town_b, title="他乡")
    assert sorted(listed(client, county.village_a1)) == sorted(["县", "镇", "本村"])


def test_county_library_does_not_show_village_policies(client, county):
    PolicyFactory(issuer=county.county, title="县")
    PolicyFactory(issuer=county.village_a1, title="本村")
    assert listed(client, county.county) == ["县"]


def test_drafts_are_not_public(client, county):
    PolicyFactory(issuer=county.county, title="草稿", is_published=False)
    assert listed(client, county.county) == []


def test_filter_by_issuing_level(client, county):
    PolicyFactory(issuer=county.county, title="县")
    PolicyFactory(issuer=county.town_a, title="镇")
    assert listed(client, county.village_a1, level="1") == ["镇"]


def test_filter_by_category(client, county):
    PolicyFactory(issuer=county.county, title="教育政策", category=category("education"))
    PolicyFactory(issuer=county.county, title="住房政策", category=category("housing"))
    assert listed(client, county.village_a1, category="education") == ["教育政策"]


def test_expired_policies_are_marked_not_hidden(client, county, today):
    PolicyFactory(
        issuer=county.county,
        title="过期政策",
        issued_on=today - datetime.timedelta(days=800),
        effective_on=today - datetime.timedelta(days=800),
        expires_on=today - datetime.timedelta(days=1),
    )
    PolicyFactory(issuer=county.county, title="有效政策")
    response = client.get(reverse("policies:list", args=[county.village_a1.pk]))
    html = response.content.decode()
    assert "过期政策" in html and "已失效" in html
    assert listed(client, county.village_a1, status="expired") == ["过期政策"]
    assert listed(client, county.village_a1, status="in_force") == ["有效政策"]


def test_forged_filter_values_are_ignored(client, county):
    PolicyFactory(issuer=county.county, title="县")
    assert listed(client, county.village_a1, category="<script>", level="99", status="x", page="abc") == ["县"]


def test_detail_shows_document_number_issuer_dates_and_interpretation(client, county):
    policy = PolicyFactory(
        issuer=county.county,
        title="关于调整低保标准的通知",
        doc_number="测民发〔2025〕3号",
        issued_on=datetime.date(2025, 6, 20),
        effective_on=datetime.date(2025, 7, 1),
        expires_on=datetime.date(2030, 6, 30),
        body="第一段。\n\n第二段。",
    )
    PolicyInterpretation.objects.create(
        policy=policy, title="《关于调整低保标准的通知》政策解读", source="县民政局", body="一、出台背景。"
    )
    html = client.get(reverse("policies:detail", args=[county.village_a1.pk, policy.pk])).content.decode()
    for text in [
        "测民发〔2025〕3号",
        "中共测试县委员会",
        "2025-06-20",
        "2025-07-01",
        "2030-06-30",
        "第二段。",
        "政策解读",
        "县民政局",
        "一、出台背景。",
    ]:
        assert text in html


def test_detail_of_a_policy_not_applying_here_is_not_found(client, county):
    policy = PolicyFactory(issuer=county.town_b)
    assert client.get(reverse("policies:detail", args=[county.village_a1.pk, policy.pk])).status_code == 404


def test_list_query_count_is_bounded(client, county, django_assert_max_num_queries):
    policies = [PolicyFactory(issuer=county.county) for _ in range(25)]
    with django_assert_max_num_queries(7):
        response = client.get(reverse("policies:list", args=[county.village_a1.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and "共 25 条政策，现行有效的在前，按发布日期从新到旧排列。" in html
    # The first page: the 20 newest (same issue date, so the last created first), and not the others.
    newest = sorted(policies, key=lambda p: p.pk, reverse=True)
    assert all(p.title in html for p in newest[:20]) and not any(p.title in html for p in newest[20:])


# --- console ------------------------------------------------------------------------------


@pytest.fixture
def media_client(client, county):
    assert client.login(username="town_a_media", password=PASSWORD)
    return client


def policy_data(**overrides):
    data = {
        "title": "关于做好农村危房改造工作的通知",
        "doc_number": "东政发〔2026〕1号",
        "category": category("housing").pk,
        "issued_on": "2026-01-05",
        "effective_on": "2026-01-05",
        "expires_on": "",
        "body": "正文。",
        "is_published": "on",
    }
    data.update(overrides)
    return data


def test_media_officer_publishes_a_policy_that_villages_inherit(media_client, client, county):
    response = media_client.post(reverse("console:policy_new", args=[county.town_a.pk]), policy_data())
    assert response.status_code == 302
    policy = Policy.objects.get()
    assert policy.issuer == county.town_a
    media_client.logout()
    assert listed(client, county.village_a2) == ["关于做好农村危房改造工作的通知"]
    assert listed(client, county.village_a2, q="危房改造") == ["关于做好农村危房改造工作的通知"]


def test_policy_change_is_in_history_and_search_follows(media_client, client, county):
    policy = PolicyFactory(issuer=county.town_a, title="旧标题", body="正文")
    url = reverse("console:policy_edit", args=[county.town_a.pk, policy.pk])
    media_client.post(url, policy_data(title="关于宅基地审批的通知", seen_version=policy.version))
    record = ChangeRecord.objects.get(object_id=policy.pk, action="update")
    assert record.changes["title"] == ["旧标题", "关于宅基地审批的通知"]
    assert record.actor == county.town_a_media
    assert listed(client, county.town_a, q="宅基地") == ["关于宅基地审批的通知"]
    assert listed(client, county.town_a, q="旧标题") == []


def test_expiry_before_effective_date_is_refused(media_client, county):
    response = media_client.post(
        reverse("console:policy_new", args=[county.town_a.pk]), policy_data(expires_on="2025-01-01")
    )
    assert response.status_code == 200
    assert "失效日期不能早于施行日期" in response.content.decode()
    assert not Policy.objects.exists()


def test_double_submission_of_an_edit_does_not_conflict_with_itself(media_client, county):
    policy = PolicyFactory(issuer=county.town_a)
    url = reverse("console:policy_edit", args=[county.town_a.pk, policy.pk])
    data = policy_data(title="同一次提交", seen_version=policy.version)
    media_client.post(url, data)
    response = media_client.post(url, data)  # same data again: nothing changed, nothing refused
    assert response.status_code == 302
    assert ChangeRecord.objects.filter(object_id=policy.pk, action="update").count() == 1


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def test_pdf_attachment_is_accepted_and_downloadable_under_its_name(media_client, client, county):
    policy = PolicyFactory(issuer=county.town_a)
    upload = SimpleUploadedFile("申请表.pdf", pdf_bytes(), content_type="application/pdf")
    response = media_client.post(
        reverse("console:attachment_add", args=[county.town_a.pk, policy.pk]), {"file": upload}
    )
    assert response.status_code == 302
    attachment = PolicyAttachment.objects.get()
    download = client.get(reverse("policies:attachment", args=[county.village_a1.pk, policy.pk, attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf_bytes()
    assert "申请表.pdf" in download["Content-Disposition"] or "%E7%94%B3" in download["Content-Disposition"]


def test_docx_attachment_is_accepted(media_client, county):
    policy = PolicyFactory(issuer=county.town_a)
    upload = SimpleUploadedFile("说明.docx", docx_bytes())
    media_client.post(reverse("console:attachment_add", args=[county.town_a.pk, policy.pk]), {"file": upload})
    assert PolicyAttachment.objects.get().name == "说明.docx"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 4000, "文件内容与其名称"),
        ("tool.exe", b"MZ\x90\x00" + b"\x00" * 4000, "不接受 .exe 类型的文件"),
        ("huge.pdf", b"%PDF-1.4\n" + b"0" * (30 * 1024 * 1024), "最大允许"),
        ("empty.pdf", b"", "所提交的是空文件"),
    ],
    ids=["exe-renamed-pdf", "exe", "30-MB", "empty"],
)
def test_bad_attachment_is_refused_and_nothing_saved(media_client, county, settings, name, content, message):
    policy = PolicyFactory(issuer=county.town_a)
    upload = SimpleUploadedFile(name, content)
    response = media_client.post(
        reverse("console:attachment_add", args=[county.town_a.pk, policy.pk]), {"file": upload}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PolicyAttachment.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_attachment_of_a_draft_cannot_be_downloaded(media_client, client, county):
    policy = PolicyFactory(issuer=county.town_a, is_published=False)
    media_client.post(
        reverse("console:attachment_add", args=[county.town_a.pk, policy.pk]),
        {"file": SimpleUploadedFile("a.pdf", pdf_bytes())},
    )
    attachment = PolicyAttachment.objects.get()
    media_client.logout()
    url = reverse("policies:attachment", args=[county.town_a.pk, policy.pk, attachment.pk])
    assert client.get(url).status_code == 404


def test_an_empty_search_says_so_once_and_offers_to_ask_with_the_words_carried_over(client, county):
    """Issue 11 items 11 and 14: no "找到 0 条" above "未找到"; "没找到？我要咨询" opens the form with the words."""
    page = client.get(f"/o/{county.village_a1.pk}/policies/", {"q": "拖拉机补贴"}).content.decode()
    assert "找到 0 条" not in page and page.count("未找到相关政策") == 1
    link = f"/o/{county.village_a1.pk}/feedback/new/?category=consult&amp;title=%E6%8B%96%E6%8B%89%E6%9C%BA%E8%A1%A5%E8%B4%B4"
    assert f'href="{link}">没找到？我要咨询</a>' in page
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert 'name="title" value="拖拉机补贴"' in form
    consult = form[form.index('value="consult"') : form.index('value="consult"') + 80]
    assert "checked" in consult
