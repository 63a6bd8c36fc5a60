"""What happens to the feedback module's records when an organization is merged into another (撤并村), called by
organizations.tree through the registry (`OrganizationData`, see registrations.py).

Cases placed in, led or dispatched by the merged organization follow to the surviving one (their paths too), so
the survivor's staff handle them and its portal lists them; the case events keep the organization that acted at
the time (history). The figures move with the cases; dispatch rules and reply templates follow.
"""

from __future__ import annotations

from django.db.models import F, Q

from .models import Case, CaseStat, DispatchRule, ReplyTemplate


def count(organization) -> int:
    """Cases placed in or led by the organization."""
    return Case.objects.filter(Q(place=organization) | Q(lead_org=organization)).count()


def merge(source, target) -> None:
    Case.objects.filter(place=source).update(place=target, place_path=target.path)
    Case.objects.filter(lead_org=source).update(lead_org=target, lead_path=target.path)
    Case.objects.filter(handling_org=source).update(handling_org=target)
    Case.objects.filter(supervising_org=source).update(supervising_org=target)
    through = Case.assisting_orgs.through
    already = through.objects.filter(organization=target).values("case_id")
    through.objects.filter(organization=source, case_id__in=already).delete()
    through.objects.filter(organization=source).update(organization=target)
    _merge_stats(source, target)
    # A rule for the merged place no longer applies to anything; a rule leading to it now leads to the survivor.
    DispatchRule.objects.filter(place=source).delete()
    DispatchRule.objects.filter(lead=source).update(lead=target)
    ReplyTemplate.objects.filter(organization=source).update(organization=target)


def _merge_stats(source, target) -> None:
    """Add the merged organization's counters to the survivor's rows (same month and category), or move the row."""
    theirs = {(s.month, s.category): s for s in CaseStat.objects.filter(organization=target)}
    for stat in CaseStat.objects.filter(organization=source):
        kept = theirs.get((stat.month, stat.category))
        if kept is None:
            CaseStat.objects.filter(pk=stat.pk).update(organization=target, org_path=target.path)
            continue
        CaseStat.objects.filter(pk=kept.pk).update(
            **{name: F(name) + getattr(stat, name) for name in CaseStat.COUNTERS}
        )
        stat.delete()
