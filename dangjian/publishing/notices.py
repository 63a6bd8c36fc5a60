"""The notifications publishing sends (registered from PublishingConfig.ready()). Each area registers its kinds
in its own function below; a notice says what happened and links to the page, never personal data."""

from __future__ import annotations

from dangjian.notifications.kinds import CONSOLE, MAIL  # noqa: F401

BOTH = (CONSOLE, MAIL)


# --- Articles: review steps, returns, publication (articles area) ------------------------------------------


ARTICLE_WAITING = "publishing.article_waiting"  # to those who may take the next review step
ARTICLE_RETURNED = "publishing.article_returned"  # to the author
ARTICLE_PUBLISHED = "publishing.article_published"  # to the author (published now)
ARTICLE_SCHEDULED = "publishing.article_scheduled"  # to the author (passed review, published at a set time)
ARTICLE_WITHDRAWN = "publishing.article_withdrawn"  # to the author (taken off the portals, with the reason)


def _article_step(values):
    """The stored step number and round size shown as 初审 / 复审 / 终审 in the reader's language."""
    from .workflow import step_name

    try:
        return {**values, "step": step_name(int(values.get("step", 0)), int(values.get("of", 0)))}
    except (TypeError, ValueError):
        return values


def register_article_kinds() -> None:
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from dangjian.notifications.kinds import Kind, register, register_target_link

    hint = _("Sign in to the console to open the article.")
    register(
        Kind(
            ARTICLE_WAITING,
            _("The article “%(title)s” (%(org)s) waits for your %(step)s."),
            channels=BOTH,
            display=_article_step,
            mail_hint=hint,
        )
    )
    register(
        Kind(
            ARTICLE_RETURNED,
            _("Your article “%(title)s” was returned at the %(step)s: %(reason)s"),
            channels=BOTH,
            display=_article_step,
            mail_hint=hint,
        )
    )
    register(Kind(ARTICLE_PUBLISHED, _("Your article “%(title)s” was published."), channels=BOTH, mail_hint=hint))
    register(
        Kind(
            ARTICLE_SCHEDULED,
            _("Your article “%(title)s” passed review and will be published at %(time)s."),
            channels=BOTH,
            mail_hint=hint,
        )
    )
    register(
        Kind(
            ARTICLE_WITHDRAWN,
            _("Your article “%(title)s” was withdrawn: %(reason)s"),
            channels=BOTH,
            mail_hint=hint,
        )
    )
    register_target_link("publishing.article", lambda pk: reverse("console:article", args=[pk]))


# --- 信息报送: submitted, adopted, returned (submissions area) ----------------------------------------------


SUBMISSION_RECEIVED = "publishing.submission_received"
SUBMISSION_ADOPTED = "publishing.submission_adopted"
SUBMISSION_RETURNED = "publishing.submission_returned"


def _submission_inbox_link(row) -> str | None:
    from django.urls import reverse

    org = row.params.get("to_org_id") if isinstance(row.params, dict) else None
    return reverse("console:submissions", args=[org]) if org else None


def _submission_sent_link(row) -> str | None:
    from django.urls import reverse

    org = row.params.get("from_org_id") if isinstance(row.params, dict) else None
    return reverse("console:submissions_sent", args=[org]) if org else None


def register_submission_kinds() -> None:
    from django.utils.translation import gettext_lazy as _

    from dangjian.notifications.kinds import Kind, register

    register(
        Kind(
            SUBMISSION_RECEIVED,
            _("%(from_org)s sent up an item for adoption: %(title)s"),
            link=_submission_inbox_link,
            channels=BOTH,
        )
    )
    register(
        Kind(
            SUBMISSION_ADOPTED,
            _("%(to_org)s adopted your item %(title)s into its column %(column)s"),
            link=_submission_sent_link,
            channels=BOTH,
        )
    )
    register(
        Kind(
            SUBMISSION_RETURNED,
            _("%(to_org)s returned your item %(title)s: %(reason)s"),
            link=_submission_sent_link,
            channels=BOTH,
        )
    )


# --- Notices: received, reminded, replies (notices area) ---------------------------------------------------


NOTICE_RECEIVED = "publishing.notice_received"
NOTICE_REMINDER = "publishing.notice_reminder"
NOTICE_DUE_SOON = "publishing.notice_due_soon"
NOTICE_OVERDUE = "publishing.notice_overdue"
NOTICE_OVERDUE_SUMMARY = "publishing.notice_overdue_summary"
NOTICE_WITHDRAWN = "publishing.notice_withdrawn"
NOTICE_REPLIED = "publishing.notice_replied"


def register_notice_kinds() -> None:
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from dangjian.notifications.kinds import Kind, register, register_target_link

    register_target_link("publishing.notice", lambda pk: reverse("console:notice", args=[pk]))
    register(Kind(NOTICE_RECEIVED, _("New notice from %(org)s to sign off: %(title)s"), channels=BOTH))
    register(Kind(NOTICE_REMINDER, _("Reminder from %(org)s: please sign off the notice %(title)s"), channels=BOTH))
    register(
        Kind(
            NOTICE_DUE_SOON,
            _("The notice %(title)s from %(org)s is due on %(date)s; please sign it off"),
            channels=BOTH,
        )
    )
    register(
        Kind(
            NOTICE_OVERDUE,
            _("The notice %(title)s from %(org)s was due on %(date)s and is not signed off yet"),
            channels=BOTH,
        )
    )
    register(
        Kind(
            NOTICE_OVERDUE_SUMMARY,
            _("%(n)s receiving organizations have not signed off the notice %(title)s, due on %(date)s"),
            channels=BOTH,
        )
    )
    register(Kind(NOTICE_WITHDRAWN, _("%(org)s withdrew the notice %(title)s: %(reason)s"), channels=BOTH))
    register(Kind(NOTICE_REPLIED, _("%(org)s replied to the notice %(title)s")))


# --- Robots and digests (push area) -----------------------------------------------------------------------


def register_push_kinds() -> None:
    pass


def register_kinds() -> None:
    register_article_kinds()
    register_submission_kinds()
    register_notice_kinds()
    register_push_kinds()
