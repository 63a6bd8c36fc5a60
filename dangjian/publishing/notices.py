"""The notifications publishing sends (registered from PublishingConfig.ready()). Each area registers its kinds
in its own function below; a notice says what happened and links to the page, never personal data."""

from __future__ import annotations

from dangjian.notifications.kinds import CONSOLE, MAIL  # noqa: F401

BOTH = (CONSOLE, MAIL)


# --- Articles: review steps, returns, publication (articles area) ------------------------------------------


def register_article_kinds() -> None:
    pass


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
