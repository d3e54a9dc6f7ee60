"""The staff pages (SPEC §6): the analysis with its charts, the improvement list, the monthly
review; not fit under 80% valid; for supervisors and the like only."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from fivestar.accounts.models import Department
from fivestar.surveys.analysis import parse_period
from fivestar.surveys.improvements import open_items
from fivestar.surveys.models import ImprovementItem
from tests.surveys.conftest import cn
from tests.surveys.test_analysis import answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(supervisor) -> Client:
    client = Client()
    client.force_login(supervisor)
    return client


def no_inline_code(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html


def test_the_analysis_page_shows_figures_and_svg_charts(boss):
    team = Department.objects.create(code="east", name="华东服务组")
    answer(cn(2026, 11, 3, 10), (6, 9, 9, 8, 8), department=team)
    answer(cn(2026, 11, 4, 10), (8, 9, 9, 8, 8))
    html = boss.get(reverse("workspace:survey_analysis"),
                    {"period": "2026-11", "by": "team"}).content.decode()
    assert "<svg" in html and "各维度平均分" in html and "响应及时性" in html
    assert "华东服务组" in html and "7.00" in html
    no_inline_code(html)


def test_under_80_percent_valid_the_page_says_not_fit_and_shows_no_means(boss):
    answer(cn(2026, 11, 3, 10))
    answer(cn(2026, 11, 3, 10), (9, 9, 9, 9, 9), valid=False)
    html = boss.get(reverse("workspace:survey_analysis"), {"period": "2026-11"}).content.decode()
    assert "data-not-fit" in html and "样本不适合分析" in html
    assert "<svg" not in html and "各维度平均分" not in html


def test_a_bad_period_is_explained(boss):
    html = boss.get(reverse("workspace:survey_analysis"), {"period": "2026-13"}).content.decode()
    assert "期间格式应为" in html


def test_the_improvement_list_moves_an_item(boss):
    answer(cn(2026, 11, 3, 10), (5, 9, 9, 8, 8))
    [item] = open_items(period=parse_period("2026-11"))
    html = boss.get(reverse("workspace:survey_improvements")).content.decode()
    assert "响应及时性" in html and "开始整改" in html
    boss.post(reverse("workspace:survey_improvement_change", args=[item.pk]),
              {"status": "in_progress"})
    assert ImprovementItem.objects.get().status == "in_progress"


def test_the_monthly_review_is_one_printable_page(boss):
    answer(cn(2026, 11, 3, 10), (5, 6, 9, 8, 8)).__class__.objects.update(comment="上门太慢了")
    open_items(period=parse_period("2026-11"))
    html = boss.get(reverse("workspace:survey_review", args=["2026-11"])).content.decode()
    for text in ("服务质量复盘 · 2026-11", "得分最低的工单", "上门太慢了", "改进清单状态",
                 "surveys-print.css"):
        assert text in html
    no_inline_code(html)


def test_agents_may_not_see_the_analysis(agent):
    client = Client()
    client.force_login(agent)
    assert client.get(reverse("workspace:survey_analysis")).status_code == 403


def test_the_review_downloads_as_a_workbook_with_native_charts(boss):
    from io import BytesIO

    from openpyxl import load_workbook

    for _ in range(3):
        answer(cn(2026, 11, 3, 10), (5, 6, 9, 8, 8))
    open_items(period=parse_period("2026-11"))
    download = boss.get(reverse("workspace:survey_review_workbook", args=["2026-11"]))
    assert download.status_code == 200
    assert download["Content-Disposition"].endswith('survey-review-2026-11.xlsx"')
    book = load_workbook(BytesIO(download.content))
    assert book.sheetnames == ["概况", "趋势", "最低分工单", "改进清单"]
    summary = book["概况"]
    assert summary["A1"].value == "服务质量复盘" and summary["B1"].value == "2026-11"
    assert any(row[0] == "响应及时性" and row[1] == 5 for row in summary.values)
    assert len(book["改进清单"]["A"]) == 3  # header and two items
    # The charts are native spreadsheet charts (in the file's drawing parts).
    import zipfile

    names = zipfile.ZipFile(BytesIO(download.content)).namelist()
    assert sum(name.startswith("xl/charts/chart") for name in names) == 2
