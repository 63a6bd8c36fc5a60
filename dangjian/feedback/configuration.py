"""Writes to the feedback module's settings: reply templates, the dispatch catalogue, the approval switch,
time limits and the working-day calendar.

Each action takes the acting user, ids and plain typed input; it checks the user's capability itself,
loads the row scoped to the organization, validates through the model, writes inside one transaction
together with its `ChangeRecord` (core.history) and schedules cache invalidation on commit. The console
pages call these; so will the API.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from dangjian.accounts.permissions import HANDLE_FEEDBACK, MANAGE_SETTINGS, has_capability, require
from dangjian.core.history import ActionError, NotFound, delete_tracked, save_tracked, validate
from dangjian.core.models import CalendarOverride, ChangeRecord
from dangjian.core.workdays import forget_overrides
from dangjian.organizations.models import Organization

from .models import Category, DispatchRule, FeedbackSettings, ReplyTemplate, TimeLimit

HISTORY_SHOWN = 50


def _organization(organization_id: int) -> Organization:
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        raise NotFound
    return organization


# --- Who may change the county-wide settings (time limits, calendar) ----------------------------


def root_organization() -> Organization | None:
    return Organization.objects.filter(parent__isnull=True).order_by("pk").first()


def can_manage_county_settings(user) -> bool:
    root = root_organization()
    return root is not None and has_capability(user, MANAGE_SETTINGS, root)


def require_county_settings(user) -> Organization:
    """The root organization, when the user manages settings there (time limits and the calendar hold
    for the whole platform); otherwise PermissionDenied."""
    root = root_organization()
    if root is None or not has_capability(user, MANAGE_SETTINGS, root):
        raise PermissionDenied
    return root


# --- Reply templates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyTemplateInput:
    title: str
    text: str


def add_reply_template(user, organization_id: int, data: ReplyTemplateInput) -> ReplyTemplate:
    """A reply template of the organization (offered to it and every organization below)."""
    organization = _organization(organization_id)
    require(user, HANDLE_FEEDBACK, organization)
    template = ReplyTemplate(organization=organization, title=data.title.strip(), text=data.text.strip())
    validate(template)
    with transaction.atomic():
        save_tracked(user, template, organization)
    return template


def remove_reply_template(user, organization_id: int, template_id: int) -> None:
    organization = _organization(organization_id)
    require(user, HANDLE_FEEDBACK, organization)
    with transaction.atomic():
        template = ReplyTemplate.objects.select_for_update().filter(pk=template_id, organization=organization).first()
        if template is None:
            raise NotFound
        delete_tracked(user, template, organization)


# --- Dispatch catalogue and the approval switch ---------------------------------------------------


@dataclass(frozen=True)
class DispatchRuleInput:
    place_id: int
    lead_id: int
    category: str = ""  # "" is every category
    note: str = ""


def add_dispatch_rule(user, organization_id: int, data: DispatchRuleInput) -> DispatchRule:
    """A rule of the catalogue of `organization_id`: place and lead must both lie within its subtree."""
    organization = _organization(organization_id)
    require(user, MANAGE_SETTINGS, organization)
    within = Organization.objects.filter(path__startswith=organization.path)
    place = within.filter(pk=data.place_id).first()
    lead = within.filter(pk=data.lead_id).first()
    if place is None or lead is None:
        raise ActionError(_("Both organizations must be within your area."))
    if data.category and data.category not in Category.values:
        raise ActionError(_("Choose a type from the list."))
    rule = DispatchRule(place=place, lead=lead, category=data.category, note=data.note.strip())
    with transaction.atomic():
        if DispatchRule.objects.filter(place=place, category=data.category).exists():
            raise ActionError(_("A rule for this place and type exists already; remove it first."))
        validate(rule)
        save_tracked(user, rule, place)
    return rule


def remove_dispatch_rule(user, organization_id: int, rule_id: int) -> None:
    organization = _organization(organization_id)
    require(user, MANAGE_SETTINGS, organization)
    with transaction.atomic():
        rule = (
            DispatchRule.objects.select_for_update()
            .select_related("place", "lead")
            .filter(pk=rule_id, place__path__startswith=organization.path)
            .first()
        )
        if rule is None:
            raise NotFound
        delete_tracked(user, rule, rule.place)


def set_answers_need_approval(user, organization_id: int, value: bool) -> FeedbackSettings:
    """Whether this organization's answers need the secretary's approval before publication."""
    organization = _organization(organization_id)
    require(user, MANAGE_SETTINGS, organization)
    with transaction.atomic():
        row = FeedbackSettings.objects.select_for_update().filter(organization=organization).first()
        if row is None:
            row = FeedbackSettings(organization=organization)
        row.answers_need_approval = bool(value)
        save_tracked(user, row, organization)
    return row


# --- Time limits (county-wide) ---------------------------------------------------------------------


@dataclass(frozen=True)
class TimeLimitInput:
    category: str
    accept_days: int
    answer_days: int
    urgent_answer_days: int
    rating_days: int


def save_time_limits(user, limits: list[TimeLimitInput]) -> list[TimeLimit]:
    """Change the working days allowed per category; all or none are saved. They apply to cases received
    from now on."""
    root = require_county_settings(user)
    saved = []
    with transaction.atomic():
        rows = {row.category: row for row in TimeLimit.objects.select_for_update()}
        for data in limits:
            row = rows.get(data.category)
            if row is None:
                raise NotFound(_("There is no time limit for this type."))
            row.accept_days = data.accept_days
            row.answer_days = data.answer_days
            row.urgent_answer_days = data.urgent_answer_days
            row.rating_days = data.rating_days
            validate(row)
            save_tracked(user, row, root)
            saved.append(row)
    return saved


# --- The working-day calendar (county-wide; CalendarOverride lives in core) -------------------------


@dataclass(frozen=True)
class CalendarDayInput:
    date: datetime.date
    is_workday: bool
    note: str = ""


def save_calendar_day(user, data: CalendarDayInput) -> CalendarOverride:
    """Enter (or correct) one day of the calendar; deadlines computed from now on use it."""
    root = require_county_settings(user)
    with transaction.atomic():
        day = CalendarOverride.objects.select_for_update().filter(date=data.date).first() or CalendarOverride(
            date=data.date
        )
        day.is_workday = bool(data.is_workday)
        day.note = data.note.strip()
        validate(day, exclude=["updated_at"])
        save_tracked(user, day, root)
        transaction.on_commit(forget_overrides)
    return day


def remove_calendar_day(user, day_id: int) -> None:
    root = require_county_settings(user)
    with transaction.atomic():
        day = CalendarOverride.objects.select_for_update().filter(pk=day_id).first()
        if day is None:
            raise NotFound
        delete_tracked(user, day, root)
        transaction.on_commit(forget_overrides)


# --- History of the settings pages ---------------------------------------------------------------


def settings_history(models: list[type[Model]], organization: Organization | None = None, *, exact: bool = False):
    """Change records of these settings, newest first: of the organization (`exact`) or its subtree, or all."""
    records = ChangeRecord.objects.filter(content_type__in=ContentType.objects.get_for_models(*models).values())
    if organization is not None:
        records = (
            records.filter(organization=organization)
            if exact
            else records.filter(organization__path__startswith=organization.path)
        )
    return records.select_related("actor")[:HISTORY_SHOWN]
