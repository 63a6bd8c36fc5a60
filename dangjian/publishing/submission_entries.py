"""What the submissions area adds to the shared pages (menu, to-do lines, panels, portal sections and blocks,
usage metrics, tracked models): called from registrations.register_entries()."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dangjian.accounts.permissions import ADOPT_SUBMISSIONS, WRITE_ARTICLES, has_capability, scope_paths
from dangjian.core.registry import Counted, MenuItem, OrganizationLink, ToDo, UsageMetric, period_bounds

from .models import Submission


def _works_with_submissions(request) -> bool:
    user = request.user
    return bool(user.is_superuser and user.is_active) or bool(
        scope_paths(user, ADOPT_SUBMISSIONS) or scope_paths(user, WRITE_ARTICLES)
    )


def _waiting_count(request) -> int | None:
    from .submission_views import waiting_for

    if not scope_paths(request.user, ADOPT_SUBMISSIONS):
        return None
    return waiting_for(request.user).count()


def _may_receive(user, organization) -> bool:
    """Adopters of an organization with organizations below it (items come only from below)."""
    return (
        not organization.is_closed
        and has_capability(user, ADOPT_SUBMISSIONS, organization)
        and organization.children.exists()
    )


def _may_send(user, organization) -> bool:
    return (
        organization.parent_id is not None
        and not organization.is_closed
        and has_capability(user, WRITE_ARTICLES, organization)
    )


def _subtree(organization, field: str) -> dict:
    bounds = organization.subtree_range()
    return {f"{field}__path__gte": bounds["gte"], f"{field}__path__lt": bounds["lt"]}


def submissions_adopted(organization, start, end) -> int:
    """Items of the subtree's organizations adopted above them in the period."""
    since, until = period_bounds(start, end)
    return Submission.objects.filter(
        state=Submission.State.ADOPTED,
        decided_at__gte=since,
        decided_at__lt=until,
        **_subtree(organization, "article__organization"),
    ).count()


def submissions_received(organization, start, end) -> int:
    """Items sent up to the subtree's organizations in the period."""
    since, until = period_bounds(start, end)
    return Submission.objects.filter(
        submitted_at__gte=since, submitted_at__lt=until, **_subtree(organization, "to_organization")
    ).count()


def _label(submission: Submission) -> str:
    return submission.article.title


def _sent_link(submission: Submission) -> str:
    return reverse("console:submissions_sent", args=[submission.article.organization_id])


def _inbox_link(submission: Submission) -> str:
    return reverse("console:submissions", args=[submission.to_organization_id])


SUBMISSIONS_ADOPTED = Counted(
    rows=lambda: Submission.objects.filter(state=Submission.State.ADOPTED).select_related("article"),
    organization="article__organization",
    date="decided_at",
    capability=WRITE_ARTICLES,
    label=_label,
    link=_sent_link,
)
SUBMISSIONS_RECEIVED = Counted(
    rows=lambda: Submission.objects.select_related("article"),
    organization="to_organization",
    date="submitted_at",
    capability=ADOPT_SUBMISSIONS,
    label=_label,
    link=_inbox_link,
)


def register() -> None:
    from dangjian.core.registry import register as add

    add(
        MenuItem(
            "submissions",
            _("Information submissions"),
            "console:submissions_home",
            order=52,
            visible=_works_with_submissions,
        ),
        ToDo(
            "publishing.submissions_waiting",
            lambda n: (
                ngettext("%(n)s submitted item waits for adoption", "%(n)s submitted items wait for adoption", n)
                % {"n": n}
            ),
            _waiting_count,
            "console:submissions_home",
            "todo=waiting",
            order=52,
        ),
        OrganizationLink(
            "submissions_inbox", _("Items sent up to us"), "console:submissions", _may_receive, 62, secondary=True
        ),
        OrganizationLink(
            "submissions_sent", _("Send items up"), "console:submissions_sent", _may_send, 63, secondary=True
        ),
        UsageMetric(
            "publishing.submissions_adopted",
            _("Items adopted by the organizations above"),
            submissions_adopted,
            order=62,
            counted=SUBMISSIONS_ADOPTED,
            group="publishing",
            definition=_(
                "Items that the subtree's organizations sent up and that an organization above adopted during the "
                "period, counted where the item came from."
            ),
        ),
        UsageMetric(
            "publishing.submissions_received",
            _("Items received from the organizations below"),
            submissions_received,
            order=63,
            counted=SUBMISSIONS_RECEIVED,
            group="publishing",
            definition=_(
                "Items sent up during the period to the subtree's organizations by the organizations below them, "
                "whatever was decided."
            ),
        ),
    )
