"""A deadline computed over a period without confirmed holiday data says so (SPEC §3: a year
without official data is flagged, never silently treated as all-working): in the ticket's
``deadlines``, in the preview, and beside the deadline on the staff ticket page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fivestar.sla.models import CalendarYear, SlaClock
from fivestar.sla.services import confirm_year
from fivestar.sla.simulation import preview_deadlines
from fivestar.tickets.selectors import ticket_deadlines
from tests.sla.calendars import cn
from tests.sla.flow import receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_2027(synced_2026):
    """2026 synced, 2027 without data: the package this project ships knows no 2027."""
    CalendarYear.objects.filter(calendar=synced_2026, year=2027).delete()
    return synced_2026


def flags(deadlines: dict) -> dict[str, bool]:
    return {name: value["calendar_unconfirmed"] for name, value in deadlines.items()}


def test_the_preview_flags_new_years_day_2027_counted_as_working(api_as, agent, no_2027):
    response = api_as(agent).get("/api/v1/sla/preview", priority="P3", type="repair",
                                 channel="phone", received_at="2026-12-31T16:00:00+08:00")
    assert response.status_code == 200, response.content
    deadlines = response.json()["deadlines"]
    # 2 h on 12-31, then 6 h on New Year's Day taken as an ordinary Friday: unconfirmed.
    assert deadlines["respond"]["due_at"] == "2027-01-01T15:00:00+08:00"
    # Acceptance counts wall-clock hours (24 h): no holidays, nothing to confirm.
    assert flags(deadlines) == {"first_response": False, "acceptance": False, "respond": True,
                                "resolve": True}


def test_a_period_inside_a_known_year_is_confirmed(no_2027):
    preview = preview_deadlines(priority="P3", ticket_type="repair", channel="phone",
                                received_at=cn(2026, 9, 30, 16, 0))
    assert preview.deadlines["resolve"]["due_at"] == cn(2026, 10, 10, 16, 0)
    assert not any(d["calendar_unconfirmed"] for d in preview.deadlines.values())
    # 24×7 targets use no holidays: never unconfirmed, whatever the year.
    p2 = preview_deadlines(priority="P2", ticket_type="repair", channel="phone",
                           received_at=cn(2026, 12, 31, 16, 0))
    assert not any(d["calendar_unconfirmed"] for d in p2.deadlines.values())


def test_working_hours_judged_on_an_unknown_day_are_unconfirmed(no_2027):
    # Received on 2027-01-01 at 10:00: "in working hours" (10 min) only because the day is
    # taken as an ordinary Friday.
    preview = preview_deadlines(priority="P3", ticket_type="repair", channel="phone",
                                received_at=cn(2027, 1, 1, 10, 0))
    assert preview.deadlines["first_response"]["calendar_unconfirmed"] is True


def test_confirming_the_year_clears_the_flag_of_new_deadlines(no_2027):
    confirm_year(calendar=no_2027, year=2027)
    preview = preview_deadlines(priority="P3", ticket_type="repair", channel="phone",
                                received_at=cn(2026, 12, 31, 16, 0))
    assert not any(d["calendar_unconfirmed"] for d in preview.deadlines.values())


def test_the_ticket_api_carries_the_flag(api_as, agent, no_2027, now):
    now.set(cn(2026, 12, 31, 16, 0))
    ticket = receive(agent, received_at=cn(2026, 12, 31, 16, 0))
    body = api_as(agent).get(f"/api/v1/tickets/{ticket.number}").json()
    assert body["deadlines"]["respond"]["calendar_unconfirmed"] is True
    assert body["deadlines"]["first_response"]["calendar_unconfirmed"] is False
    assert SlaClock.objects.get(ticket=ticket, name="respond").calendar_unconfirmed


def test_the_flag_costs_the_ticket_list_no_query(api_as, agent, no_2027, now):
    api = api_as(agent)
    now.set(cn(2026, 12, 31, 16, 0))
    for index in range(6):
        receive(agent, received_at=cn(2026, 12, 31, 16, 0) - timedelta(days=index * 40),
                phone=f"1391234{index:04d}")
    api.get("/api/v1/tickets")  # the token's first use of the minute writes its last use

    def queries_for(page_size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            items = api.get("/api/v1/tickets", page_size=page_size).json()["items"]
        assert len(items) == page_size
        assert all("calendar_unconfirmed" in d for item in items
                   for d in item["deadlines"].values())
        return len(captured.captured_queries)

    assert queries_for(1) == queries_for(6)


def test_the_ticket_page_says_so_beside_the_deadline(agent, no_2027, now):
    now.set(cn(2026, 12, 31, 16, 0))
    ticket = receive(agent, received_at=cn(2026, 12, 31, 16, 0))
    client = Client()
    client.force_login(agent)
    page = client.get(f"/workspace/tickets/{ticket.number}/").content.decode()
    assert page.count('calendar-unconfirmed"') == sum(
        flags(ticket_deadlines(ticket=ticket)).values()) == 2
    assert "节假日未确认" in page

    now.set(timezone.now())
    confirm_year(calendar=no_2027, year=2027)
    other = receive(agent, received_at=cn(2026, 12, 31, 16, 0), phone="13900001111")
    assert 'calendar-unconfirmed"' not in client.get(
        f"/workspace/tickets/{other.number}/").content.decode()
