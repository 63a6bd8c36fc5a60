"""The notifications the exchange sends (registered from ExchangeConfig.ready()). Each area registers its kinds in
its own function below; a notice says what happened and links to the page, never a resident's identity."""

from __future__ import annotations

from dangjian.notifications.kinds import CONSOLE, MAIL  # noqa: F401

BOTH = (CONSOLE, MAIL)
WEBSOCKET = "websocket"  # live.WEBSOCKET: notify()'s channel to the person's open sockets


# --- Messages: mentions and the e-mail digest (message area) ------------------------------------------------


MENTION = "exchange.mention"
MENTION_DIGEST = "exchange.mention_digest"
# The live area's WebSocket channel of notify() ("websocket") tells the person at once on /ws/me/.
MENTION_CHANNELS: tuple[str, ...] = (CONSOLE, "websocket")


def _message_link(row) -> str | None:
    from django.urls import reverse

    room_id = (row.params or {}).get("room_id")
    if not room_id:
        return None
    return reverse("exchange:room", args=[room_id]) + (f"#m{row.target_id}" if row.target_id else "")


def _rooms_link(row) -> str:
    return "/rooms/"


def _rooms_address():
    """The rooms page's full address (SITE_URL read when the mail is written), for the digest's last line."""
    from django.conf import settings
    from django.utils.functional import lazy

    return lazy(lambda: f"{settings.SITE_URL}/rooms/", str)()


def register_message_kinds() -> None:
    from django.utils.text import format_lazy
    from django.utils.translation import gettext_lazy as _

    from dangjian.notifications.kinds import Kind, register

    register(
        Kind(
            MENTION,
            _("%(nickname)s mentioned you in %(room)s: %(excerpt)s"),
            link=_message_link,
            channels=MENTION_CHANNELS,
        )
    )
    register(
        Kind(
            MENTION_DIGEST,
            _("You have %(count)s unread messages mentioning you: %(rooms)s"),
            link=_rooms_link,
            channels=(MAIL,),
            mail_hint=format_lazy(_("Read them in your rooms: {url}"), url=_rooms_address()),
        )
    )


# --- Real time: the WebSocket channel of notify() (live area) ------------------------------------------------


def register_live_kinds() -> None:
    """The "websocket" channel of notify() (live.WEBSOCKET): a kind listing it reaches the person's open /ws/me/
    sockets at once, e.g. channels=(CONSOLE, MAIL, live.WEBSOCKET)."""
    from dangjian.notifications import channels

    from .live import WebSocketChannel

    if channels.get(WEBSOCKET) is None:
        channels.register(WebSocketChannel())  # type: ignore[arg-type]


# --- Residents (resident area) --------------------------------------------------------------------------------


def register_resident_kinds() -> None:
    pass


# --- Questions: answered, turned into a case (question area) -------------------------------------------------


QUESTION_ANSWERED = "exchange.question_answered"  # to the asker
QUESTION_CASE = "exchange.question_case"  # to the asker: it became a feedback case
QUESTION_REMOVED = "exchange.question_removed"  # to the asker, with the reason


def _question_link(row) -> str | None:
    """The question's public page (the asker may be a resident without a console)."""
    from django.urls import reverse

    from .models import PublicQuestion

    found = PublicQuestion.objects.filter(pk=row.target_id).values_list("organization_id", "state").first()
    if found is None or found[1] not in (
        PublicQuestion.State.OPEN,
        PublicQuestion.State.ANSWERED,
        PublicQuestion.State.CASE,
    ):
        return None
    return reverse("exchange:question", args=[found[0], row.target_id])


def register_question_kinds() -> None:
    from django.utils.translation import gettext_lazy as _

    from dangjian.notifications.kinds import Kind, register

    hint = _("Sign in to see the question and its answer.")
    register(
        Kind(
            QUESTION_ANSWERED,
            _("%(org)s answered your question “%(title)s”."),
            link=_question_link,
            channels=BOTH,
            mail_hint=hint,
        )
    )
    register(
        Kind(
            QUESTION_CASE,
            _("Your question “%(title)s” became feedback case %(number)s; its progress shows on the question's page."),
            link=_question_link,
            channels=BOTH,
            mail_hint=hint,
        )
    )
    register(
        Kind(
            QUESTION_REMOVED,
            _("Your question “%(title)s” is not shown publicly: %(reason)s"),
            link=_question_link,
            channels=BOTH,
            mail_hint=hint,
        )
    )


# --- Moderation: held messages, reports, warnings and mutes (moderation area) -------------------------------


MESSAGE_HELD = "exchange.message_held"  # to the room's moderators: messages wait for review (one per few minutes)
MESSAGE_REPORTED = "exchange.message_reported"  # to the room's moderators: a message was reported (its first report)
MEMBER_WARNED = "exchange.member_warned"  # to the member, with the reason
MEMBER_MUTED = "exchange.member_muted"  # to the member, with the time and the reason
MEMBER_EXPELLED = "exchange.member_expelled"  # to the member, with the reason


def register_moderation_kinds() -> None:
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from dangjian.notifications.kinds import Kind, register

    def queue(_row) -> str:
        return reverse("console:moderation")

    def room(row) -> str | None:
        params = row.params if isinstance(row.params, dict) else {}
        try:
            return reverse("exchange:room", args=[int(params.get("room_id", 0))])
        except (TypeError, ValueError):
            return None

    hint = _("Sign in to the console to open the moderation queue.")
    register(
        Kind(
            MESSAGE_HELD,
            _("Messages in the room “%(room)s” wait for your review."),
            link=queue,
            channels=BOTH,
            mail_hint=hint,
        )
    )
    register(
        Kind(
            MESSAGE_REPORTED,
            _("A message in the room “%(room)s” was reported: %(reason)s."),
            link=queue,
            channels=BOTH,
            mail_hint=hint,
        )
    )
    register(Kind(MEMBER_WARNED, _("A moderator of the room “%(room)s” warned you: %(reason)s"), link=room))
    register(
        Kind(
            MEMBER_MUTED,
            _("A moderator muted you in the room “%(room)s” until %(until)s: %(reason)s"),
            link=room,
        )
    )
    register(
        Kind(MEMBER_EXPELLED, _("A moderator removed you from the room “%(room)s”: %(reason)s"), link=lambda _row: None)
    )


def register_kinds() -> None:
    register_live_kinds()
    register_message_kinds()
    register_resident_kinds()
    register_question_kinds()
    register_moderation_kinds()
