"""The usage reports' notification: a clock's report is ready (console and e-mail, the two files attached)."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.notifications.kinds import CONSOLE, MAIL, Kind, register, register_target_link

REPORT_READY = "analytics.report_ready"


def _display(params: Mapping[str, Any]) -> Mapping[str, Any]:
    from .periods import Period
    from .report_data import kind_label

    shown = dict(params)
    shown["report"] = kind_label(str(params.get("report_kind", "")))
    with contextlib.suppress(ValueError):
        shown["period"] = str(Period.parse(str(params.get("period", ""))))
    return shown


def register_kinds() -> None:
    register(
        Kind(
            REPORT_READY,
            _("The %(report)s of %(org)s for %(period)s is ready."),
            channels=(CONSOLE, MAIL),
            display=_display,
            mail_hint=_("The Excel workbook and the PDF are attached; sign in to the console to download them again."),
        )
    )
    register_target_link("analytics.summaryreport", lambda pk: reverse("console:summary_report", args=[pk]))
