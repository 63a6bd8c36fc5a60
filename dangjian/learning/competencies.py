"""The competency framework for new-media officers: a county keeps its own list (editable), and an organization
below uses the nearest list above it. The standard six are what a county starts from."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dangjian.organizations.models import Organization

from .models import Competency

STANDARD = [
    (_("Writing and editing"), _("News items, notices and explainers that are accurate, clear and on time.")),
    (_("Photography and video"), _("Pictures and short videos of the organization's work, fit to publish.")),
    (_("Platform operation"), _("Running the portal, columns, reviews, robots and notices on the platform.")),
    (_("Policy knowledge"), _("Knowing the policies the organization publishes and explains.")),
    (_("Public-opinion response"), _("Answering people's questions and complaints in time and in measure.")),
    (
        _("Security and confidentiality"),
        _("Keeping secrets and personal information safe; what must not be published."),
    ),
]


def framework_owner(organization):
    """The organization whose list applies: the nearest one at or above `organization` that has competencies."""
    ids = organization.ancestor_ids
    owners = set(
        Competency.objects.filter(organization_id__in=ids, archived_at=None).values_list("organization_id", flat=True)
    )
    for pk in reversed(ids):
        if pk in owners:
            return Organization.objects.get(pk=pk)
    return None


def framework_for(organization) -> list[Competency]:
    owner = framework_owner(organization)
    if owner is None:
        return []
    return list(Competency.objects.filter(organization=owner, archived_at=None))


def create_standard(organization) -> list[Competency]:
    """The standard six for `organization` (a county starting its framework); existing names are kept."""
    made = []
    for order, (name, description) in enumerate(STANDARD, start=1):
        competency, _created = Competency.objects.get_or_create(
            organization=organization, name=str(name), defaults={"description": str(description), "order": order}
        )
        made.append(competency)
    return made
