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
    register_target_link("publishing.article", lambda pk: reverse("console:article", args=[pk]))


# --- 信息报送: submitted, adopted, returned (submissions area) ----------------------------------------------


def register_submission_kinds() -> None:
    pass


# --- Notices: received, reminded, replies (notices area) ---------------------------------------------------


def register_notice_kinds() -> None:
    pass


# --- Robots and digests (push area) -----------------------------------------------------------------------


def register_push_kinds() -> None:
    pass


def register_kinds() -> None:
    register_article_kinds()
    register_submission_kinds()
    register_notice_kinds()
    register_push_kinds()
