"""What every page of a portal shows around its content (organizations/portal_base.html).

Modules that add pages to a portal call `portal_context(organization, section)` with the key of the
`PortalSection` they registered, so their page marks its own entry of the section menu as current.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from dangjian.core.registry import PortalBlock, PortalSection, entries

from .models import Organization


class OrganizationClosed(Exception):  # noqa: N818 - a signal to organizations.middleware, not an error
    """A portal page of a closed organization: organizations.middleware redirects to where its pages now are."""

    def __init__(self, organization: Organization):
        super().__init__(organization.pk)
        self.organization = organization


@dataclass(frozen=True)
class ShownSection:
    key: str
    label: str
    url: str


def sections_for(organization: Organization) -> list[ShownSection]:
    return [
        ShownSection(section.key, str(section.label), reverse(section.url_name, args=[organization.pk]))
        for section in entries(PortalSection)
    ]


def portal_context(organization: Organization, section: str) -> dict:
    """`section` (a registered PortalSection key: "home", "leaders", "policies", ...) marks the current item.
    A closed organization has no portal: its pages redirect (OrganizationClosed)."""
    if organization.closed_at is not None:
        raise OrganizationClosed(organization)
    return {
        "org": organization,
        "breadcrumbs": organization.ancestors(),
        "section": section,
        "sections": sections_for(organization),
    }


def portal_blocks(request, organization: Organization) -> list[SafeString]:
    """The portal home's blocks, each rendered with its own template (None from a block's context hides it)."""
    shown = []
    for block in entries(PortalBlock):
        context = block.context(organization)
        if context is not None:
            html = render_to_string(block.template, {"org": organization, **context}, request)
            shown.append(mark_safe(html))  # noqa: S308 - rendered from our own templates
    return shown
