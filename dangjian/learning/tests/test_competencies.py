"""The competency framework: the county edits it, the organizations below read the list they inherit."""

import pytest
from django.urls import reverse

from dangjian.core.history import ActionError, EditConflict, InvalidInput
from dangjian.learning import assessment_actions as actions
from dangjian.learning.models import Competency

pytestmark = pytest.mark.django_db


def test_the_county_starts_from_the_standard_six_and_renames_one(county, client):
    client.force_login(county.county_admin)
    response = client.post(reverse("console:competency_standard", args=[county.county.pk]))
    assert response.status_code == 302
    names = list(Competency.objects.filter(organization=county.county).values_list("name", flat=True))
    assert len(names) == 6 and names[0] == "写作编辑"
    first = Competency.objects.filter(organization=county.county).first()
    response = client.post(
        reverse("console:competency_edit", args=[county.county.pk, first.pk]),
        {"name": "新闻写作", "description": "消息、通讯", "seen_version": first.version},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.name == "新闻写作"
    page = client.get(reverse("console:competency_edit", args=[county.county.pk, first.pk]))
    assert "写作编辑" in page.content.decode()  # the history shows the old name


def test_a_stale_edit_of_a_competency_is_refused(county):
    actions.use_standard(county.county_admin, county.county.pk)
    first = Competency.objects.filter(organization=county.county).first()
    actions.save_competency(
        county.county_admin, county.county.pk, actions.CompetencyInput("甲"), competency_id=first.pk
    )
    with pytest.raises(EditConflict):
        actions.save_competency(
            county.county_admin,
            county.county.pk,
            actions.CompetencyInput("乙"),
            competency_id=first.pk,
            expected_version=first.version,
        )


def test_reorder_archive_and_a_duplicate_name(county):
    made = actions.use_standard(county.county_admin, county.county.pk)
    actions.move_competency(county.county_admin, county.county.pk, made[1].pk, -1)
    order = list(Competency.objects.filter(organization=county.county).values_list("pk", flat=True))
    assert order[:2] == [made[1].pk, made[0].pk]
    actions.archive_competency(county.county_admin, county.county.pk, made[5].pk)
    assert made[5].pk not in [c.pk for c in actions.competencies.framework_for(county.village_a1)]
    with pytest.raises(InvalidInput):
        actions.save_competency(county.county_admin, county.county.pk, actions.CompetencyInput(made[0].name))


def test_a_township_reads_the_county_framework_and_cannot_edit_it(county, client):
    actions.use_standard(county.county_admin, county.county.pk)
    client.force_login(county.town_a_admin)
    page = client.get(reverse("console:competencies"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "中共测试县委员会" in text and "只读" in text
    assert client.get(reverse("console:competency_new", args=[county.town_a.pk])).status_code == 404
    with pytest.raises(ActionError):
        actions.save_competency(county.town_a_admin, county.town_a.pk, actions.CompetencyInput("自拟"))
    assert not Competency.objects.filter(organization=county.town_a).exists()


def test_an_officer_has_no_framework_page(county, client):
    client.force_login(county.town_a_media)
    assert client.get(reverse("console:competencies")).status_code == 403
