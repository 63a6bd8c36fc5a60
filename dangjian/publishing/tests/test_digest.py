"""E-mail digests: double opt-in, unsubscribe, throttle, forgetting unconfirmed addresses, the daily sending."""

import datetime
import re
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse

from dangjian.core.fieldcrypt import lookup_hash
from dangjian.publishing import digest
from dangjian.publishing.models import Article, DigestSubscription, Submission
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def subscribe(client, django_capture_on_commit_callbacks):
    def run(org, email="reader@example.com", **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("publishing:digest_subscribe", args=[org.pk]), {"email": email}, **extra)

    return run


def link_in(message, name: str) -> str:
    match = re.search(rf"https://dj\.example\.gov\.cn(/o/\d+/news/{name}/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_double_opt_in_then_unsubscribe_deletes_the_address(client, county, subscribe):
    response = subscribe(county.village_a1)
    assert response.status_code == 200 and "确认邮件已发送" in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reader@example.com"]
    assert "请确认订阅" in message.subject and "王庄村" in message.subject
    confirm = link_in(message, "subscribe")
    token = confirm.rstrip("/").rsplit("/", 1)[1]
    assert link_in(message, "unsubscribe").endswith(f"/{token}/")  # every mail can delete the address
    row = DigestSubscription.objects.get()
    assert row.confirmed_at is None
    assert row.token_hash == lookup_hash(f"digest:{token}") and token not in row.token_hash  # only the keyed hash
    # Opening the link shows a button (mail scanners that follow links confirm nothing); the button confirms.
    assert "确认订阅" in client.get(confirm).content.decode()
    assert DigestSubscription.objects.get().confirmed_at is None
    assert "已确认" in client.post(confirm).content.decode()
    assert DigestSubscription.objects.get().confirmed_at is not None
    DigestSubscription.objects.update(confirmed_at=at(29, 12), last_sent_at=at(29, 12))  # confirmed yesterday

    f.article(county.town_a, "镇里的新闻", show_below=True, published_at=at(30, 6))
    sent = digest.send_digests(now=at(30, 8))
    assert sent["sent"] == 1
    digest_mail = mail.outbox[-1]
    assert "镇里的新闻" in digest_mail.body and "来源：中共测试县东城镇委员会" in digest_mail.body
    unsubscribe = link_in(digest_mail, "unsubscribe")
    assert digest_mail.extra_headers["List-Unsubscribe"] == f"<https://dj.example.gov.cn{unsubscribe}>"
    assert "退订" in client.get(unsubscribe).content.decode()
    assert DigestSubscription.objects.exists()
    assert "已退订" in client.post(unsubscribe).content.decode()
    assert not DigestSubscription.objects.exists()
    assert client.post(unsubscribe).status_code == 404


def test_forged_or_other_portals_tokens_do_nothing(client, county, subscribe):
    subscribe(county.village_a1)
    confirm = link_in(mail.outbox[0], "subscribe")
    token = confirm.rstrip("/").rsplit("/", 1)[1]
    other = reverse("publishing:digest_confirm", args=[county.village_a2.pk, token])
    assert client.post(other).status_code == 404
    assert (
        client.post(reverse("publishing:digest_confirm", args=[county.village_a1.pk, "x" + token])).status_code == 404
    )
    row = DigestSubscription.objects.get()
    forged = reverse("publishing:digest_unsubscribe", args=[county.village_a1.pk, f"{row.pk}-{'0' * 32}"])
    assert client.post(forged).status_code == 404
    assert DigestSubscription.objects.get().confirmed_at is None


def test_subscribing_again_answers_the_same_and_sends_no_digest_before_confirmation(client, county, subscribe):
    first = subscribe(county.village_a1, "Reader@Example.com")
    second = subscribe(county.village_a1, "reader@example.com")
    assert first.content.decode().count("确认邮件已发送") == second.content.decode().count("确认邮件已发送") == 1
    assert DigestSubscription.objects.count() == 1
    f.article(county.village_a1, "村里的新闻", published_at=at(30, 6))
    assert digest.send_digests(now=at(30, 9))["sent"] == 0
    assert len(mail.outbox) == 2  # the two confirmation mails only


def test_bad_address_and_throttle(client, county, subscribe):
    response = subscribe(county.village_a1, "不是邮箱")
    assert response.status_code == 400 and "请填写正确的电子邮箱" in response.content.decode()
    for _index in range(digest.per_address.limit):
        assert subscribe(county.village_a1, "many@example.com").status_code == 200
    response = subscribe(county.village_a2, "many@example.com")
    assert response.status_code == 429 and "过于频繁" in response.content.decode()
    # One client trying many addresses is stopped too.
    for index in range(digest.per_client.limit - digest.per_address.limit):
        subscribe(county.village_a1, f"other{index}@example.com")
    assert subscribe(county.village_a1, "last@example.com").status_code == 429
    assert not DigestSubscription.objects.filter(email="last@example.com").exists()


def confirmed(org, email="reader@example.com", when=None):
    return DigestSubscription.objects.create(
        organization=org,
        email=email,
        token_hash=lookup_hash(f"digest:{email}{org.pk}"),
        confirmed_at=when or at(29, 12),
        last_sent_at=when or at(29, 12),
    )


def test_digest_once_a_day_after_seven_with_what_is_new(county):
    row = confirmed(county.village_a1)
    f.article(county.village_a1, "昨天的旧闻", published_at=at(29, 10))
    county_item = f.article(county.county, "县里推送", show_below=True, published_at=at(29, 20))
    adopted = f.article(county.village_a2, "邻村的", published_at=at(29, 21))
    f.article(county.town_b, "西山乡的", show_below=True, published_at=at(29, 21))
    f.article(county.village_a1, "草稿", state=Article.State.DRAFT)
    assert digest.send_digests(now=at(30, 6, 59))["sent"] == 0  # not before 07:00 Shanghai
    assert digest.send_digests(now=at(30, 7, 5))["sent"] == 1
    body = mail.outbox[-1].body
    assert "县里推送" in body and "昨天的旧闻" not in body and "邻村的" not in body and "西山乡的" not in body
    assert "1篇新文章" in mail.outbox[-1].subject
    assert f"/o/{county.village_a1.pk}/articles/{county_item.pk}/" in body
    assert "退订" in body
    # The same day again: nothing more, even with news.
    f.article(county.village_a1, "上午的新闻", published_at=at(30, 9))
    assert digest.send_digests(now=at(30, 10))["sent"] == 0
    # The next morning: what came since, an adopted item with it.
    Submission.objects.create(
        article=adopted, to_organization=county.village_a1, state=Submission.State.ADOPTED
    )  # (a village adopting is unusual; the query does not care who adopts)
    assert digest.send_digests(now=at(31 - 1, 23))["sent"] == 0
    result = digest.send_digests(now=datetime.datetime(2026, 12, 1, 7, 30, tzinfo=SHANGHAI))
    assert result["sent"] == 1
    body = mail.outbox[-1].body
    assert "上午的新闻" in body and "县里推送" not in body
    row.refresh_from_db()
    assert row.last_sent_at == datetime.datetime(2026, 12, 1, 7, 30, tzinfo=SHANGHAI)


def test_nothing_new_sends_nothing(county):
    confirmed(county.village_b1)
    f.article(county.village_a1, "别村的新闻", published_at=at(30, 6))
    result = digest.send_digests(now=at(30, 8))
    assert result["sent"] == 0 and result["nothing_new"] == 1 and not mail.outbox


def test_unconfirmed_addresses_are_forgotten_after_three_days(county):
    old = DigestSubscription.objects.create(
        organization=county.village_a1, email="old@example.com", token_hash="a" * 64, created_at=at(26, 8)
    )
    recent = DigestSubscription.objects.create(
        organization=county.village_a1, email="new@example.com", token_hash="b" * 64, created_at=at(28, 8)
    )
    kept = confirmed(county.village_a1, "kept@example.com", when=at(1, 8))
    digest.send_digests(now=at(30, 6))
    assert set(DigestSubscription.objects.values_list("pk", flat=True)) == {recent.pk, kept.pk}
    assert not DigestSubscription.objects.filter(pk=old.pk).exists()


def test_subscribe_page_is_reachable_from_the_news_page(client, county):
    html = client.get(reverse("publishing:news", args=[county.village_a1.pk])).content.decode()
    assert reverse("publishing:digest_subscribe", args=[county.village_a1.pk]) in html
    page = client.get(reverse("publishing:digest_subscribe", args=[county.village_a1.pk]))
    assert page.status_code == 200 and "您的电子邮箱" in page.content.decode()
