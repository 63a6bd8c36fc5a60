"""Changes made in Django's admin leave the same history as the console's actions."""

import pytest
from django.contrib.contenttypes.models import ContentType

from dangjian.accounts.models import Role, RoleGrant
from dangjian.core.models import ChangeRecord
from dangjian.organizations.models import Organization, Term
from dangjian.tests_support.factories import UserFactory

pytestmark = pytest.mark.django_db


def records_of(model):
    return list(ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(model)).order_by("id"))


def test_an_organization_changed_in_the_admin_has_it_in_its_history(admin_client, admin_user, county):
    org = county.village_a1
    data = {
        "name": "王庄村党总支",
        "short_name": org.short_name,
        "kind": org.kind,
        "intro": "",
        "address": "",
        "phone": "",
        "sort_order": 3,
    }
    response = admin_client.post(f"/admin/organizations/organization/{org.pk}/change/", data)
    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.name, org.sort_order, org.version) == ("王庄村党总支", 3, 2)
    (entry,) = records_of(Organization)
    assert (entry.actor, entry.organization, entry.changes) == (
        admin_user,
        org,
        {"name": ["东城镇王庄村党支部委员会", "王庄村党总支"]},
    )


def test_an_untracked_field_changed_in_the_admin_is_still_saved(admin_client, county):
    org = county.village_a1
    data = {"name": org.name, "short_name": org.short_name, "kind": org.kind, "sort_order": 7}
    assert admin_client.post(f"/admin/organizations/organization/{org.pk}/change/", data).status_code == 302
    org.refresh_from_db()
    assert org.sort_order == 7 and not records_of(Organization)


def test_a_term_added_and_a_grant_removed_in_the_admin_are_recorded(admin_client, admin_user, county):
    data = {"organization": county.village_a1.pk, "name": "第十届", "elected_on": "2026-05-01", "ends_on": "2031-05-01"}
    assert admin_client.post("/admin/organizations/term/add/", data).status_code == 302
    (created,) = records_of(Term)
    assert (created.action, created.actor, created.organization) == ("create", admin_user, county.village_a1)
    grant = RoleGrant.objects.create(user=UserFactory(), organization=county.village_a2, role=Role.SECRETARY)
    response = admin_client.post(
        "/admin/accounts/rolegrant/",
        {"action": "delete_selected", "_selected_action": [grant.pk], "post": "yes"},
    )
    assert response.status_code == 302 and not RoleGrant.objects.filter(pk=grant.pk).exists()
    (deleted,) = records_of(RoleGrant)
    assert (deleted.action, deleted.actor, deleted.organization) == ("delete", admin_user, county.village_a2)
