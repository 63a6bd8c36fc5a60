"""The policies actions called directly, as the API will: ids and typed input, the same checks as the
console, and nothing saved when they refuse."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.core.history import EditConflict, InvalidInput, NotFound
from dangjian.core.models import ChangeRecord
from dangjian.policies import actions
from dangjian.policies.models import Policy, PolicyAttachment, PolicyInterpretation
from dangjian.tests_support.factories import PolicyFactory, category

pytestmark = pytest.mark.django_db

D = datetime.date


def policy_input(**changes) -> actions.PolicyInput:
    values = {
        "title": "关于城乡居民医疗保险的通知",
        "category_id": category().pk,
        "issued_on": D(2026, 3, 1),
        "effective_on": D(2026, 3, 1),
        "body": "现将有关事项通知如下。",
    }
    values.update(changes)
    return actions.PolicyInput(**values)


def test_policy_created_and_changed_with_history(county):
    policy = actions.save_policy(county.county_admin, county.county.pk, policy_input())
    actions.save_policy(
        county.county_admin, county.county.pk, policy_input(title="新标题"), policy_id=policy.pk, expected_version=1
    )
    stored = Policy.objects.get()
    assert (stored.issuer, stored.title, stored.version) == (county.county, "新标题", 2)
    assert [r.action for r in ChangeRecord.objects.order_by("id")] == ["create", "update"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "题" * 201}, "title"),
        ({"body": ""}, "body"),
        ({"body": "字" * 100_001}, "body"),
        ({"category_id": 999_999}, "category"),
        ({"expires_on": D(2026, 2, 1)}, "expires_on"),
    ],
)
def test_bad_policy_is_refused_and_nothing_saved(county, changes, field):
    with pytest.raises(InvalidInput) as refused:
        actions.save_policy(county.county_admin, county.county.pk, policy_input(**changes))
    assert list(refused.value.errors) == [field]
    assert not Policy.objects.exists() and not ChangeRecord.objects.exists()


def test_expiry_before_effect_says_so_in_chinese(county):
    with pytest.raises(InvalidInput, match="^失效日期不能早于施行日期。$"):
        actions.save_policy(county.county_admin, county.county.pk, policy_input(expires_on=D(2026, 2, 1)))


def test_another_organizations_policy_is_not_reached(county):
    policy = PolicyFactory(issuer=county.town_b, title="西山乡的政策")
    with pytest.raises(NotFound):
        actions.save_policy(county.town_a_admin, county.town_a.pk, policy_input(), policy_id=policy.pk)
    with pytest.raises(PermissionDenied):
        actions.save_policy(county.town_a_admin, county.town_b.pk, policy_input(), policy_id=policy.pk)
    with pytest.raises(NotFound):
        actions.delete_policy(county.town_a_admin, county.town_a.pk, policy.pk)
    with pytest.raises(NotFound):
        actions.save_interpretation(
            county.town_a_admin,
            county.town_a.pk,
            policy.pk,
            actions.InterpretationInput(title="解读", published_on=D(2026, 3, 2), body="正文"),
        )
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n", content_type="application/pdf")
    with pytest.raises(NotFound):
        actions.add_attachment(county.town_a_admin, county.town_a.pk, policy.pk, upload)
    assert Policy.objects.get().title == "西山乡的政策"
    assert not PolicyInterpretation.objects.exists() and not PolicyAttachment.objects.exists()
    assert not ChangeRecord.objects.exists()


def test_stale_policy_edit_is_refused(county):
    policy = actions.save_policy(county.county_admin, county.county.pk, policy_input())
    actions.save_policy(county.county_admin, county.county.pk, policy_input(title="甲"), policy_id=policy.pk)
    with pytest.raises(EditConflict):
        actions.save_policy(
            county.county_admin, county.county.pk, policy_input(title="乙"), policy_id=policy.pk, expected_version=1
        )
    assert Policy.objects.get().title == "甲"


def test_bad_interpretation_is_refused(county):
    policy = PolicyFactory(issuer=county.county)
    for bad in [
        actions.InterpretationInput(title="", published_on=D(2026, 3, 2), body="正文"),
        actions.InterpretationInput(title="解读", published_on=D(2026, 3, 2), body="字" * 50_001),
        actions.InterpretationInput(title="解读", published_on=D(2026, 3, 2), body="正文", source="源" * 101),
    ]:
        with pytest.raises(InvalidInput):
            actions.save_interpretation(county.county_admin, county.county.pk, policy.pk, bad)
    assert not PolicyInterpretation.objects.exists() and not ChangeRecord.objects.exists()


def test_attachment_of_another_organization_is_not_removed(county):
    policy = PolicyFactory(issuer=county.town_b)
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n", content_type="application/pdf")
    attachment = actions.add_attachment(county.county_admin, county.town_b.pk, policy.pk, upload)
    with pytest.raises(NotFound):
        actions.remove_attachment(county.town_a_admin, county.town_a.pk, attachment.pk)
    assert PolicyAttachment.objects.filter(pk=attachment.pk).exists()
    assert actions.remove_attachment(county.county_admin, county.town_b.pk, attachment.pk) == policy.pk
    assert not PolicyAttachment.objects.exists()
