"""Which unit receives a report, and which units can read it.

A report goes to the discipline inspection unit one level above the organization it is about, passing
over a unit one of whose officers is (or, in doubt, may be) the person reported, or that has no keys
yet. Its key is sealed to the receiving unit and to every unit above it that has keys.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from dangjian.accounts.models import NAME_SEPARATORS, personal_name_from
from dangjian.accounts.permissions import SUPERVISION_OFFICER, holders
from dangjian.core.history import ActionError
from dangjian.organizations.models import Organization

from . import crypto
from .models import Report, ReportKeyShare, UnitKey

# Titles and everyday forms of address around a name ("赵书记", "老赵", "赵某"); removing them leaves
# the name or the surname.
TITLES = (
    "副书记",
    "书记",
    "副主任",
    "主任",
    "副镇长",
    "镇长",
    "副乡长",
    "乡长",
    "村长",
    "部长",
    "委员",
    "主席",
    "会计",
    "组长",
    "队长",
    "局长",
    "科长",
    "站长",
    "所长",
    "干部",
    "同志",
    "纪委",
    "监委",
    "纪检",
)
_SEPARATORS = NAME_SEPARATORS


def _compact(text: str) -> str:
    return "".join(ch for ch in (text or "") if ch not in _SEPARATORS)


def personal_name(user) -> str:
    """The person's own name, apart from any title in the account: the account's personal name, or
    else the last part of the real name ("清河镇纪委 赵强" gives "赵强")."""
    return _compact(user.personal_name) or personal_name_from(user.full_name)


def name_match(reported: str, officer) -> str:
    """ "same" when the reported person is the officer by name, "maybe" when it could be (a surname with
    a title, a part of the account's name), "" otherwise."""
    named = _compact(reported)
    if not named:
        return ""
    own = personal_name(officer)
    if named in {own, _compact(officer.full_name), officer.username} or (len(own) >= 2 and own in named):
        return "same"
    if len(named) >= 2 and named in _compact(officer.full_name):
        return "maybe"
    bare = named
    for title in TITLES:
        bare = bare.replace(title, "")
    bare = bare.strip("老小某")
    if own and bare and bare == own[: len(bare)] and len(bare) < len(own):
        return "maybe"  # "赵书记", "老赵", "赵某": the officer's surname and a title
    return ""


def route_with_reasons(reported_org: Organization, reported_person: str) -> tuple[Organization, list[int], list[str]]:
    """The unit that receives a report: one level above the reported organization, skipping a unit
    one of whose officers is (or, in doubt, may be) the person reported, or that has no keys yet.
    Returns (unit, excluded officers, why units were skipped for a name)."""
    # Officers anywhere above the reported organization who are (or may be) the person reported never read it.
    excluded = [
        officer.pk
        for unit in reported_org.ancestors()
        for officer in holders(unit, SUPERVISION_OFFICER)
        if name_match(reported_person, officer)
    ]
    reasons: list[str] = []
    candidate: Organization | None = reported_org.parent or reported_org
    while candidate is not None:
        matches = [name_match(reported_person, o) for o in holders(candidate, SUPERVISION_OFFICER)]
        if any(matches):
            sure = "same" in matches
            reasons.append(
                (
                    _("The person reported has the name of a discipline officer of %(unit)s.")
                    if sure
                    else _("The person reported may be a discipline officer of %(unit)s (a similar name or title).")
                )
                % {"unit": candidate.name}
            )
            candidate = candidate.parent
            continue
        if not UnitKey.objects.filter(organization=candidate, retired_at__isnull=True).exists():
            candidate = candidate.parent
            continue
        return candidate, excluded, reasons
    raise ActionError(
        _(
            "No discipline inspection unit above this organization can receive reports online yet. "
            "Nothing was saved; please report in person or by post to the county discipline inspection commission."
        )
    )


def unit_title(unit: Organization) -> str:
    """How a reporter names a receiving unit: "清河镇纪委"."""
    return _("%(unit)s discipline inspection commission") % {"unit": unit.short_name or unit.name}


def expected_units(organizations) -> dict[int, Organization | None]:
    """For each organization (with its path), the unit a report about it goes to when the person reported
    is none of the officers: the same walk as `route_with_reasons` (one level above, passing over units
    with no keys yet), without a name. None where no unit above can receive reports online. Two queries
    for any number of organizations; the report form shows it before anything is sent, so nothing about
    the reporter is involved."""
    organizations = list(organizations)
    with_keys = set(
        UnitKey.objects.filter(retired_at__isnull=True).values_list("organization_id", flat=True).distinct()
    )
    wanted = {i for o in organizations for i in o.ancestor_ids if i in with_keys}
    units = {u.pk: u for u in Organization.objects.filter(pk__in=wanted)}
    result: dict[int, Organization | None] = {}
    for organization in organizations:
        chain = organization.ancestor_ids
        # One level above (the organization itself at the root), then every unit above that.
        candidates = chain[-2::-1] if len(chain) > 1 else chain
        result[organization.pk] = next((units[i] for i in candidates if i in units), None)
    return result


def route(reported_org: Organization, reported_person: str) -> tuple[Organization, list[int]]:
    unit, excluded, _reasons = route_with_reasons(reported_org, reported_person)
    return unit, excluded


def share_with(report: Report, report_key: bytes, unit: Organization) -> None:
    """Seal the report key to the current key of the unit and of every unit above it that has keys."""
    units = [unit, *unit.ancestors()]
    for unit_key in UnitKey.objects.filter(organization__in=units, retired_at__isnull=True):
        ReportKeyShare.objects.get_or_create(
            report=report,
            unit_key=unit_key,
            defaults={"sealed_key": crypto.seal(report_key, bytes(unit_key.public_key))},
        )
