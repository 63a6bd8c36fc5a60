"""The message area's pages: pictures and files only for the people who may read the room while the message is
shown; the composer's reply, emoji and mention helpers; recall within two minutes, refused after; forged ids."""

import datetime
import uuid

import pytest
import time_machine
from django.urls import reverse

from dangjian.accounts.models import Role
from dangjian.exchange import actions
from dangjian.exchange.models import Membership, Message, Room
from dangjian.tests_support import factories as f

from .message_support import jpeg_with_exif, pdf


@pytest.fixture
def rooms(county):
    alice = f.UserFactory(username="alice")
    bob = f.UserFactory(username="bob")
    carol = f.UserFactory(username="carol")
    village = f.room(county.village_a1, "王庄村民群", people=[alice, bob], audience=Room.Audience.RESIDENTS)
    other = f.room(county.village_a2, "李湾村民群", people=[carol])
    return village, other, alice, bob, carol


def image_url(message):
    return reverse("exchange:message_image", args=[message.pk])


def file_url(message):
    return reverse("exchange:message_file", args=[message.pk])


def test_pictures_and_files_are_served_to_the_rooms_readers_with_safe_headers(rooms, client):
    village, _other, alice, bob, _carol = rooms
    picture = actions.post_message(alice, village.pk, actions.MessageInput(image=jpeg_with_exif()))
    document = actions.post_message(alice, village.pk, actions.MessageInput(file=pdf('秋收"安排".pdf')))
    client.force_login(bob)
    full = client.get(image_url(picture))
    assert full.status_code == 200 and full["Content-Type"] == "image/jpeg"
    assert full["X-Content-Type-Options"] == "nosniff" and "private" in full["Cache-Control"]
    thumb = client.get(image_url(picture) + "?thumb=1")
    assert thumb.status_code == 200 and len(b"".join(thumb.streaming_content)) < len(b"".join(full.streaming_content))
    download = client.get(file_url(document))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "%E7%A7%8B%E6%94%B6" in download["Content-Disposition"]  # 秋收, encoded (RFC 5987), quotes dropped
    assert download["X-Content-Type-Options"] == "nosniff"
    # The room page shows the thumbnail linked to the picture, and the file with its name and size.
    page = client.get(reverse("exchange:room", args=[village.pk])).content.decode()
    assert f'href="{image_url(picture)}"' in page and f'src="{image_url(picture)}?thumb=1"' in page
    assert "秋收安排.pdf" in page and f'href="{file_url(document)}"' in page


def test_strangers_other_rooms_and_gone_messages_get_404(rooms, client, county):
    village, _other, alice, bob, carol = rooms
    picture = actions.post_message(alice, village.pk, actions.MessageInput(image=jpeg_with_exif()))
    document = actions.post_message(alice, village.pk, actions.MessageInput(file=pdf()))
    text = actions.post_message(alice, village.pk, actions.MessageInput(body="只有文字"))
    for who in (carol, county.town_b_discipline, f.staff("b_admin", Role.ORG_ADMIN, county.village_b1)):
        client.force_login(who)
        assert client.get(image_url(picture)).status_code == 404
        assert client.get(file_url(document)).status_code == 404
    client.logout()
    assert client.get(image_url(picture)).status_code == 302  # to the sign-in page
    client.force_login(bob)
    assert client.get(image_url(text)).status_code == 404 and client.get(file_url(picture)).status_code == 404
    assert client.get("/rooms/messages/999999/image/").status_code == 404
    # Someone who left the room no longer gets them.
    Membership.objects.filter(user=bob).update(left_at=picture.created_at)
    assert client.get(image_url(picture)).status_code == 404
    # Recalled: gone for everyone, the author included.
    actions.recall_message(alice, picture.pk)
    client.force_login(alice)
    assert client.get(image_url(picture)).status_code == 404


def test_a_held_picture_is_served_to_its_author_and_moderators_only(rooms, client, county):
    village, _other, alice, bob, _carol = rooms
    Room.objects.filter(pk=village.pk).update(review_before_publish=True)
    held = actions.post_message(alice, village.pk, actions.MessageInput(image=jpeg_with_exif()))
    assert held.state == Message.State.HELD
    moderator = f.staff("town_mod", Role.ORG_ADMIN, county.town_a)
    for who, status in ((alice, 200), (bob, 404), (moderator, 200)):
        client.force_login(who)
        assert client.get(image_url(held)).status_code == status, who


def test_reply_link_prefills_the_composer_and_a_reply_across_rooms_is_refused(rooms, client):
    village, other, alice, bob, carol = rooms
    question = actions.post_message(alice, village.pk, actions.MessageInput(body="明天几点收玉米？"))
    elsewhere = actions.post_message(carol, other.pk, actions.MessageInput(body="李湾的消息"))
    client.force_login(bob)
    room_url = reverse("exchange:room", args=[village.pk])
    page = client.get(room_url).content.decode()
    assert f'href="?reply={question.pk}#composer"' in page
    page = client.get(f"{room_url}?reply={question.pk}").content.decode()
    assert f'name="reply_to" value="{question.pk}"' in page and "明天几点收玉米？" in page and "取消回复" in page
    # A message of another room is not offered as a reply target, and posting one is refused.
    page = client.get(f"{room_url}?reply={elsewhere.pk}").content.decode()
    assert 'name="reply_to" value=""' in page and "李湾的消息" not in page
    answer = client.post(
        reverse("exchange:room_post", args=[village.pk]),
        {"body": "偷看", "reply_to": elsewhere.pk, "client_token": str(uuid.uuid4())},
        follow=True,
    )
    assert "您要回复的消息不在本群中" in answer.content.decode()
    assert not Message.objects.filter(body="偷看").exists()
    client.post(
        reverse("exchange:room_post", args=[village.pk]),
        {"body": "早上七点", "reply_to": question.pk, "client_token": str(uuid.uuid4())},
    )
    reply = Message.objects.get(body="早上七点")
    assert reply.reply_to == question
    page = client.get(room_url).content.decode()
    assert f'<blockquote class="message-reply"><a href="#m{question.pk}">alice</a>' in page


def test_the_composer_offers_emoji_and_recent_nicknames_and_marks_mentions(rooms, client):
    village, _other, alice, bob, _carol = rooms
    actions.post_message(alice, village.pk, actions.MessageInput(body="@bob 明天来开会 <b>"))
    client.force_login(bob)
    page = client.get(reverse("exchange:room", args=[village.pk])).content.decode()
    assert 'data-insert="👍"' in page and 'data-insert="@alice "' in page and 'data-insert="@bob "' not in page
    assert '<span class="mention mention-me">@bob</span> 明天来开会 &lt;b&gt;' in page
    assert "message-mentions-me" in page
    client.force_login(alice)
    page = client.get(reverse("exchange:room", args=[village.pk])).content.decode()
    assert '<span class="mention">@bob</span>' in page and "message-mentions-me" not in page


def test_recall_button_within_two_minutes_and_a_late_raw_post_is_refused(rooms, client):
    village, _other, alice, bob, _carol = rooms
    message = actions.post_message(alice, village.pk, actions.MessageInput(body="发错群了"))
    recall_url = reverse("exchange:message_recall", args=[message.pk])
    room_url = reverse("exchange:room", args=[village.pk])
    client.force_login(bob)
    assert recall_url not in client.get(room_url).content.decode()
    assert client.post(recall_url).status_code == 404  # not bob's message
    client.force_login(alice)
    assert recall_url in client.get(room_url).content.decode()
    with time_machine.travel(message.created_at + datetime.timedelta(seconds=121)):
        assert recall_url not in client.get(room_url).content.decode()
        answer = client.post(recall_url, follow=True)
        assert "消息发出 2 分钟内才可以撤回" in answer.content.decode()
    message.refresh_from_db()
    assert message.state == Message.State.PUBLISHED
    with time_machine.travel(message.created_at + datetime.timedelta(seconds=100)):
        answer = client.post(recall_url, follow=True)
    assert "消息已撤回" in answer.content.decode() and "alice撤回了一条消息" in answer.content.decode()
    message.refresh_from_db()
    assert message.state == Message.State.RECALLED
    assert "发错群了" not in client.get(room_url).content.decode()
    assert "已无法撤回" in client.post(recall_url, follow=True).content.decode()
    assert client.get(recall_url).status_code == 405
    assert client.post("/rooms/messages/999999/recall/").status_code == 404


def test_the_room_page_with_every_kind_of_message_is_valid_html(rooms, client, tmp_path):
    from dangjian.core.tests import test_pages as crawl  # its Nu HTML Checker run (the module, not its test)

    village, _other, alice, bob, _carol = rooms
    question = actions.post_message(alice, village.pk, actions.MessageInput(body="@bob 通知看了吗？\n第二行"))
    actions.post_message(bob, village.pk, actions.MessageInput(body="看了", reply_to_id=question.pk))
    actions.post_message(bob, village.pk, actions.MessageInput(image=jpeg_with_exif()))
    actions.post_message(bob, village.pk, actions.MessageInput(body="材料", file=pdf()))
    gone = actions.post_message(bob, village.pk, actions.MessageInput(body="发错了"))
    actions.recall_message(bob, gone.pk)
    client.force_login(bob)
    url = reverse("exchange:room", args=[village.pk]) + f"?reply={question.pk}"
    html = client.get(url).content.decode()
    assert "message-recall" in html and "composer-reply" in html
    assert crawl.nu_errors([("bob", url, html)], tmp_path) == []
