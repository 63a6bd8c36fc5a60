"""The columns console: rules, review steps, freshness ("已超期 N 天"), add, edit, archive; who may."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.core.history import ActionError
from dangjian.core.models import ChangeRecord
from dangjian.publishing import columns
from dangjian.publishing.models import Column, Submission
from dangjian.tests_support import factories as f

pytestmark = pytest.mark.django_db


def days_ago(n: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=n)


def test_freshness_against_the_rules_in_one_query(county):
    org = county.town_a
    Column.objects.filter(organization=org).update(created_at=days_ago(400))
    f.article(org, "二十天前", key="news", published_at=days_ago(20))
    f.article(org, "五天前的党务", key="party", published_at=days_ago(5))
    f.article(org, "更早的", key="news", published_at=days_ago(40))
    adopted = f.article(county.village_a1, "采用的", published_at=days_ago(30))
    Submission.objects.create(
        article=adopted,
        to_organization=org,
        column=f.column(org, "notices"),
        state=Submission.State.ADOPTED,
        decided_at=days_ago(3),
    )
    with CaptureQueriesContext(connection) as queries:
        rows = {row.column.key: row for row in columns.freshness(org)}
    assert len(queries) == 1
    assert rows["news"].days_since == 20 and rows["news"].overdue_days == 20 - 14 and rows["news"].overdue
    assert rows["party"].days_since == 5 and not rows["party"].overdue
    assert rows["notices"].days_since == 3 and not rows["notices"].overdue
    assert "village" not in rows  # a township has no 村务公开


def test_a_column_with_nothing_counts_from_its_creation(county):
    column = f.column(county.village_a1, "news")
    Column.objects.filter(pk=column.pk).update(created_at=days_ago(30))
    row = next(r for r in columns.freshness(county.village_a1) if r.column.pk == column.pk)
    assert row.last_published is None and row.days_since is None and row.overdue_days == 30 - 14


def test_console_list_shows_rules_and_overdue(client, county):
    org = county.town_a
    Column.objects.filter(organization=org).update(created_at=days_ago(400))
    f.article(org, "旧闻", key="news", published_at=days_ago(21))
    client.force_login(county.town_a_admin)
    response = client.get(reverse("console:column_list", args=[org.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "已超期 7 天" in html and "工作动态" in html and "每 14 天" in html
    # The organization's console page links here.
    page = client.get(reverse("console:organization", args=[org.pk]))
    assert reverse("console:column_list", args=[org.pk]) in page.content.decode()


def test_add_edit_and_archive_a_column_of_its_own(client, county):
    org = county.town_a
    client.force_login(county.town_a_admin)
    response = client.post(
        reverse("console:column_new", args=[org.pk]),
        {
            "name": " 乡村  振兴 ",
            "description": "乡村振兴工作",
            "update_days": "30",
            "review_steps": "1",
            "order": "50",
        },
    )
    assert response.status_code == 302
    column = Column.objects.get(organization=org, name="乡村 振兴")
    assert (column.update_days, column.review_steps, column.order) == (30, 1, 50)
    assert ChangeRecord.objects.filter(object_id=str(column.pk)).count() == 1
    response = client.post(
        reverse("console:column_edit", args=[org.pk, column.pk]),
        {
            "name": "乡村振兴",
            "description": "",
            "update_days": "",
            "review_steps": "3",
            "order": "5",
            "seen_version": "1",
        },
    )
    assert response.status_code == 302
    column.refresh_from_db()
    assert (column.name, column.update_days, column.review_steps, column.version) == ("乡村振兴", None, 3, 2)
    # Shown on the portal's news page, in its order.
    news = client.get(reverse("publishing:news", args=[org.pk]))
    assert "乡村振兴" in news.content.decode()
    # Archived (it has an article): off the portal, the article keeps its address.
    article = f.article(org, "振兴第一期", column=column)
    client.post(reverse("console:column_archive", args=[org.pk, column.pk]))
    column.refresh_from_db()
    assert column.archived_at is not None
    client.logout()
    assert client.get(reverse("publishing:article", args=[org.pk, article.pk])).status_code == 200
    assert client.get(reverse("publishing:column", args=[org.pk, column.pk])).status_code == 404
    # Restored.
    client.force_login(county.town_a_admin)
    client.post(reverse("console:column_archive", args=[org.pk, column.pk]), {"restore": "1"})
    column.refresh_from_db()
    assert column.archived_at is None


def test_an_empty_column_is_deleted_and_a_standard_one_stays(county):
    org = county.town_a
    empty = columns.save_column(county.town_a_admin, org.pk, columns.ColumnInput(name="临时", review_steps=0))
    assert columns.archive_column(county.town_a_admin, org.pk, empty.pk) is None
    assert not Column.objects.filter(pk=empty.pk).exists()
    standard = f.column(org, "news")
    with pytest.raises(ActionError, match="标准栏目不能归档"):
        columns.archive_column(county.town_a_admin, org.pk, standard.pk)


def test_standard_column_keeps_its_name_but_takes_rules(client, county):
    org = county.town_a
    standard = f.column(org, "news")
    client.force_login(county.town_a_admin)
    response = client.get(reverse("console:column_edit", args=[org.pk, standard.pk]))
    assert 'name="name"' not in response.content.decode()
    columns.save_column(
        county.town_a_admin,
        org.pk,
        columns.ColumnInput(name="改个名字", update_days=7, review_steps=3),
        column_id=standard.pk,
    )
    standard.refresh_from_db()
    assert (standard.name, str(standard.title), standard.update_days, standard.review_steps) == ("", "工作动态", 7, 3)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "", "update_days": "30", "review_steps": "1", "order": "1"}, "请填写栏目名称"),
        ({"name": "工作动态", "update_days": "30", "review_steps": "1", "order": "1"}, "本组织已有同名栏目"),
        ({"name": "新栏目", "update_days": "0", "review_steps": "1", "order": "1"}, ""),
        ({"name": "新栏目", "update_days": "30", "review_steps": "4", "order": "1"}, ""),
    ],
)
def test_bad_input_is_refused_with_nothing_saved(client, county, data, message):
    client.force_login(county.town_a_admin)
    before = Column.objects.count()
    response = client.post(reverse("console:column_new", args=[county.town_a.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'class="errorlist' in response.content.decode()
    assert Column.objects.count() == before


def test_who_may_not_manage_columns(client, county):
    org = county.town_a
    own = columns.save_column(county.town_a_admin, org.pk, columns.ColumnInput(name="专栏", review_steps=1))
    other = columns.save_column(county.county_admin, county.town_b.pk, columns.ColumnInput(name="西山专栏"))
    # A media officer writes articles but does not hold MANAGE_COLUMNS.
    client.force_login(county.town_a_media)
    assert client.get(reverse("console:column_list", args=[org.pk])).status_code == 403
    assert client.post(reverse("console:column_new", args=[org.pk]), {"name": "x"}).status_code == 403
    assert client.post(reverse("console:column_archive", args=[org.pk, own.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        columns.save_column(county.town_a_media, org.pk, columns.ColumnInput(name="偷偷加的"))
    # Staff of another organization; a forged id from another organization under one's own.
    client.force_login(county.village_a1_secretary)
    assert client.get(reverse("console:column_list", args=[org.pk])).status_code == 403
    client.force_login(county.town_a_admin)
    assert client.get(reverse("console:column_edit", args=[org.pk, other.pk])).status_code == 404
    assert client.post(reverse("console:column_archive", args=[org.pk, other.pk])).status_code == 404
    with pytest.raises(ActionError):
        columns.save_column(county.town_a_admin, org.pk, columns.ColumnInput(name="改"), column_id=other.pk)
    assert Column.objects.get(pk=other.pk).name == "西山专栏"
    # A revoked secretary.
    secretary = f.staff("town_a_secretary", Role.SECRETARY, org)
    client.force_login(secretary)
    assert client.get(reverse("console:column_list", args=[org.pk])).status_code == 200
    secretary.role_grants.all().delete()
    assert client.get(reverse("console:column_list", args=[org.pk])).status_code == 403
