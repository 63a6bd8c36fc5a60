"""The status of the subtree on the summary page and in the reports: a village that has published nothing shows as
形同摆设 with its reason in words, a fresh one does not, the tree links down to each organization's summary, and the
what-to-do lists show what the viewer may act on; the Excel and PDF reports list the same statuses."""

import io
import subprocess
import tempfile
from pathlib import Path

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from dangjian.analytics import report_data, report_excel, report_pdf, rollups
from dangjian.analytics.periods import Period
from dangjian.publishing import articles
from dangjian.publishing.models import Column
from dangjian.publishing.tests.articles_support import article_input

from .kept import at

pytestmark = pytest.mark.django_db
NOW = at(2026, 3, 20)


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def _publish(user, organization):
    Column.objects.filter(organization=organization).update(review_steps=0)
    article = articles.save_article(user, organization.pk, article_input(organization, title="王庄村开展志愿服务"))
    articles.submit_for_review(user, article.pk)


def _section(html: str) -> str:
    start = html.index('aria-labelledby="summary-status"')
    return html[start : html.index("</section>", start)]


def test_the_summary_page_shows_the_idle_village_and_why_and_links_down(client, county):
    with time_machine.travel(NOW, tick=False):
        _publish(county.village_a1_secretary, county.village_a1)
        rollups.refresh_pending()
        client.force_login(county.town_a_admin)
        html = client.get(reverse("console:summary", args=[county.town_a.pk]) + "?period=2026-03").content.decode()
    section = _section(html)
    assert "今日状态" in section
    a2 = section[section.index(county.village_a2.short_name) :]
    a2 = a2[: a2.index("</div>")]
    assert "形同摆设" in a2 and "门户首页从未更新" in a2
    a1 = section[section.index(county.village_a1.short_name) :]
    a1 = a1[: a1.index("</div>")]
    assert "正常" in a1 and "形同摆设" not in a1
    assert reverse("console:summary", args=[county.village_a2.pk]) + "?period=2026-03" in section
    assert "现在要做的事" in html
    # Another township's villages are not in the town's tree.
    assert county.village_b1.short_name not in section


def test_the_county_page_names_its_flagged_villages_and_counts_the_others(client, county):
    """Two levels down (the county's villages) only what is idle or needs attention is listed: a county's page
    names the villages to act on, not its thousand; the township's line counts the rest."""
    with time_machine.travel(NOW, tick=False):
        _publish(county.village_a1_secretary, county.village_a1)
        rollups.refresh_pending()
        client.force_login(county.county_admin)
        html = client.get(reverse("console:summary", args=[county.county.pk]) + "?period=2026-03").content.decode()
    section = _section(html)
    assert county.town_a.short_name in section and county.town_b.short_name in section
    a2 = section[section.index(county.village_a2.short_name) :]
    assert "形同摆设" in a2[: a2.index("</div>")] and "门户首页从未更新" in a2[: a2.index("</div>")]
    assert county.village_a1.short_name not in section  # in order: counted, not listed
    town_a = section[section.index(county.town_a.short_name) :]
    town_a = town_a[: town_a.index("</div>")]
    assert "下级 2 个组织：形同摆设 1 个，需关注 0 个。" in town_a, town_a
    assert "第二级只列出形同摆设和需关注的组织" in section


def test_the_reports_list_the_flagged_organizations_with_their_reasons(county):
    with time_machine.travel(NOW, tick=False):
        _publish(county.village_a1_secretary, county.village_a1)
        rollups.refresh_pending()
        data = report_data.report_data(county.town_a, Period.parse("2026-03"))
        workbook_bytes = report_excel.workbook_bytes(data)
        pdf_bytes = report_pdf.pdf_bytes(data)
    lines = {line.organization: line for line in data.statuses}
    assert lines[county.village_a2.short_name].status == "形同摆设"
    assert "门户首页从未更新" in lines[county.village_a2.short_name].reason
    assert county.village_a1.short_name not in lines  # in order: not listed
    cells = [
        str(cell.value)
        for sheet in openpyxl.load_workbook(io.BytesIO(workbook_bytes)).worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]
    assert "形同摆设" in cells and any("门户首页从未更新" in cell for cell in cells)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.pdf"
        path.write_bytes(pdf_bytes)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "形同摆设" in text and "门户首页从未更新" in text.replace(" ", "")
