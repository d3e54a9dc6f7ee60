"""The staff queues: tabs and counts, filters and search, deadline order, countdown colours,
masking, paging, the htmx refresh, and constant queries per page."""

import re
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fivestar.customers.models import Customer
from fivestar.sla.models import ClockState, SlaClock
from fivestar.tickets.models import Priority, Status, Ticket
from tests.conftest import make_user
from tests.factories import CustomerFactory, OutletFactory, TicketFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _clock(ticket, *, due_in: timedelta, warn_in: timedelta | None = None,
           state: str = ClockState.RUNNING, name: str = "resolve") -> SlaClock:
    """An open clock on ``ticket`` due ``due_in`` from now, warning ``warn_in`` from now."""
    now = NOW()
    due = now + due_in
    warn = now + (warn_in if warn_in is not None else due_in - timedelta(minutes=30))
    clock = SlaClock.objects.create(
        ticket=ticket, name=name, allowed=timedelta(hours=4), started_at=now - timedelta(hours=1),
        due_at=due, original_due_at=due, warn_at=warn, state=state,
        paused_at=now if state == ClockState.PAUSED else None,
    )
    if state != ClockState.PAUSED:
        Ticket.objects.filter(pk=ticket.pk).update(next_due_at=due)
    return clock


def _row(html: str, number: str) -> str:
    """The <tr> of ticket ``number``."""
    match = re.search(r"<tr class=\"queue-row\">(?:(?!</tr>).)*?" + re.escape(number)
                      + r".*?</tr>", html, re.S)
    assert match, f"{number} not in the queue"
    return match.group(0)


def _numbers(html: str) -> list[str]:
    return re.findall(r'class="mono" href="[^"]*">(SR-[\d-]+)</a>', html)


def _counts(response) -> dict[str, int]:
    return {tab["key"]: tab["count"] for tab in response.context["tabs"]}


@pytest.fixture
def board(agent, technician, senior_technician):
    """One ticket per situation an agent meets."""
    return {
        "mine": TicketFactory(number="SR-20261124-000001", status=Status.ASSIGNED, assignee=agent,
                              title="我的工单"),
        "new": TicketFactory(number="SR-20261124-000002", status=Status.NEW, title="新来的"),
        "approval": TicketFactory(number="SR-20261124-000003", status=Status.AWAITING_APPROVAL,
                                  priority=Priority.P1, pending_assignee=senior_technician,
                                  title="等审批"),
        "waiting": TicketFactory(number="SR-20261124-000004", status=Status.WAITING_CUSTOMER,
                                 assignee=technician, title="等客户"),
        "closed": TicketFactory(number="SR-20261124-000005", status=Status.CLOSED,
                                assignee=technician, title="已关闭"),
    }


# --- tabs --------------------------------------------------------------------------------------


def test_tabs_hold_the_right_tickets_with_their_counts(agent, board):
    client = _client(agent)
    response = client.get("/workspace/")
    assert response.status_code == 200
    assert _counts(response) == {"mine": 1, "unassigned": 1, "approval": 1, "due": 0,
                                 "waiting": 1, "all": 5}
    assert _numbers(response.content.decode()) == ["SR-20261124-000001"]

    expected = {
        "unassigned": ["SR-20261124-000002"], "approval": ["SR-20261124-000003"],
        "waiting": ["SR-20261124-000004"],
    }
    for tab, numbers in expected.items():
        assert _numbers(client.get(f"/workspace/?tab={tab}").content.decode()) == numbers
    assert len(_numbers(client.get("/workspace/?tab=all").content.decode())) == 5


def test_due_tab_holds_breached_warned_and_soon_due_tickets(agent):
    late = TicketFactory(status=Status.IN_PROGRESS, assignee=agent)
    warned = TicketFactory(status=Status.IN_PROGRESS, assignee=agent)
    soon = TicketFactory(status=Status.ACCEPTED)
    calm = TicketFactory(status=Status.ACCEPTED)
    _clock(late, due_in=timedelta(minutes=-5))
    _clock(warned, due_in=timedelta(hours=10), warn_in=timedelta(minutes=-1))
    _clock(soon, due_in=timedelta(minutes=90))
    _clock(calm, due_in=timedelta(hours=10))

    response = _client(agent).get("/workspace/?tab=due")
    assert _counts(response)["due"] == 3
    assert _numbers(response.content.decode()) == [late.number, soon.number, warned.number]


def test_each_tab_has_its_own_empty_state(agent):
    client = _client(agent)
    assert "没有需要您处理的工单" in client.get("/workspace/").content.decode()
    assert "没有等待审批的一级工单" in client.get("/workspace/?tab=approval").content.decode()
    html = client.get("/workspace/?tab=all&priority=P1").content.decode()
    assert "没有符合筛选条件的工单" in html and "清除筛选" in html


# --- order and countdowns ------------------------------------------------------------


def test_nearest_deadline_first_without_deadline_last_and_newest_on_request(agent):
    old_no_due = TicketFactory(status=Status.ACCEPTED, received_at=NOW() - timedelta(days=3))
    far = TicketFactory(status=Status.ACCEPTED, received_at=NOW() - timedelta(days=2))
    near = TicketFactory(status=Status.ACCEPTED, received_at=NOW() - timedelta(days=1))
    newest = TicketFactory(status=Status.ACCEPTED, received_at=NOW() - timedelta(minutes=1))
    _clock(far, due_in=timedelta(hours=20))
    _clock(near, due_in=timedelta(hours=1))
    _clock(newest, due_in=timedelta(hours=30))

    client = _client(agent)
    by_due = _numbers(client.get("/workspace/?tab=all").content.decode())
    by_new = _numbers(client.get("/workspace/?tab=all&sort=newest").content.decode())

    assert by_due == [near.number, far.number, newest.number, old_no_due.number]
    assert by_new == [newest.number, near.number, far.number, old_no_due.number]


def test_countdown_colour_follows_the_clocks(agent):
    running = TicketFactory(status=Status.IN_PROGRESS, assignee=agent)
    warning = TicketFactory(status=Status.IN_PROGRESS, assignee=agent)
    breached = TicketFactory(status=Status.IN_PROGRESS, assignee=agent)
    paused = TicketFactory(status=Status.WAITING_CUSTOMER, assignee=agent)
    _clock(running, due_in=timedelta(hours=3), warn_in=timedelta(hours=2))
    _clock(warning, due_in=timedelta(hours=1), warn_in=timedelta(minutes=-10))
    _clock(breached, due_in=timedelta(minutes=-20), state=ClockState.BREACHED)
    _clock(paused, due_in=timedelta(hours=5), state=ClockState.PAUSED)
    _clock(running, due_in=timedelta(minutes=-1), state=ClockState.MET, name="respond")

    html = _client(agent).get("/workspace/").content.decode()

    assert 'class="countdown state-running"' in _row(html, running.number)
    assert 'class="countdown state-warning"' in _row(html, warning.number)
    row = _row(html, breached.number)
    assert 'class="countdown state-breached"' in row and "−0:2" in row and "已超时" in row
    assert 'class="countdown state-paused"' in _row(html, paused.number)
    assert "data-due=" in _row(html, running.number)
    assert "data-due=" not in _row(html, paused.number)


# --- filters and search ----------------------------------------------------------------------


@pytest.fixture
def customers(db):
    return {
        "wang": CustomerFactory(name="王晓明", phone="+8613812345678"),
        "li": CustomerFactory(name="李丽娟", phone="+8613900005678"),
        "zhao": CustomerFactory(name="赵海燕", phone="+8613700001111"),
    }


def test_phone_search_is_normalised_and_exact(agent, customers):
    mine = TicketFactory(customer=customers["wang"], status=Status.ACCEPTED)
    TicketFactory(customer=customers["li"], status=Status.ACCEPTED)
    client = _client(agent)
    for typed in ("138 1234 5678", "+86 138-1234-5678", "13812345678"):
        html = client.get("/workspace/", {"tab": "all", "q": typed}).content.decode()
        assert _numbers(html) == [mine.number], typed


def test_last_four_digits_find_every_customer_ending_so(agent, customers):
    wang = TicketFactory(customer=customers["wang"], status=Status.ACCEPTED)
    li = TicketFactory(customer=customers["li"], status=Status.ACCEPTED)
    TicketFactory(customer=customers["zhao"], status=Status.ACCEPTED)
    html = _client(agent).get("/workspace/", {"tab": "all", "q": "5678"}).content.decode()
    assert sorted(_numbers(html)) == sorted([wang.number, li.number])


def test_search_by_name_number_and_title(agent, customers):
    wang = TicketFactory(customer=customers["wang"], status=Status.ACCEPTED, title="洗衣机漏水")
    li = TicketFactory(customer=customers["li"], status=Status.ACCEPTED, title="电视黑屏")
    client = _client(agent)

    def found(q):
        return _numbers(client.get("/workspace/", {"tab": "all", "q": q}).content.decode())

    assert found("王晓明") == [wang.number]
    assert found("黑屏") == [li.number]
    assert found(li.number) == [li.number]


@pytest.mark.parametrize("q", ["138 1234 5678", "5678", "12345", "3812", "漏水", "晓明",
                               "SR-2026"])
def test_the_queue_and_the_api_search_alike(agent, api_as, customers, q):
    """One search rule (``tickets.selectors.search_condition``) behind both lists: a phone
    whole or by its last four digits, never by digits inside it; text in the number, the
    title, the description or the name."""
    TicketFactory(customer=customers["wang"], status=Status.ACCEPTED, title="洗衣机故障",
                  description="洗衣时底部漏水。", number="SR-20260301-000001")
    TicketFactory(customer=customers["li"], status=Status.ACCEPTED, title="电视黑屏",
                  number="SR-20260301-000002")
    TicketFactory(customer=customers["zhao"], status=Status.ACCEPTED, title="冰箱漏水",
                  number="SR-20250302-000003")
    in_queue = _numbers(_client(agent).get("/workspace/", {"tab": "all", "q": q}).content.decode())
    listed = api_as(agent).get("/api/v1/tickets", q=q).json()["items"]

    assert sorted(in_queue) == sorted(item["number"] for item in listed)


def test_the_all_tab_counts_up_to_a_limit(agent, monkeypatch):
    """"All" is most of a mature system: it is counted up to a limit and shown as "N+"."""
    from fivestar.tickets import selectors

    monkeypatch.setattr(selectors, "COUNT_LIMIT", 2)
    monkeypatch.setattr("fivestar.workspace.selectors.queues.COUNT_LIMIT", 2)
    for _ in range(3):
        TicketFactory(status=Status.CLOSED)
    response = _client(agent).get("/workspace/", {"tab": "all", "sort": "newest"})
    html = response.content.decode()

    assert _counts(response)["all"] == 2
    assert '<span class="queue-count">2+</span>' in html
    assert len(_numbers(html)) == 3


def test_filters_combine_and_counts_follow_them(agent, technician):
    outlet = OutletFactory()
    p1 = TicketFactory(status=Status.ACCEPTED, priority=Priority.P1, channel="web",
                       outlet=outlet)
    TicketFactory(status=Status.ACCEPTED, priority=Priority.P1, channel="phone")
    TicketFactory(status=Status.ACCEPTED, priority=Priority.P3, channel="web")
    mine = TicketFactory(status=Status.ASSIGNED, priority=Priority.P1, assignee=technician,
                         channel="web")
    client = _client(agent)

    response = client.get("/workspace/", {"tab": "all", "priority": "P1", "channel": "web"})
    assert sorted(_numbers(response.content.decode())) == sorted([p1.number, mine.number])
    assert _counts(response)["unassigned"] == 1

    html = client.get("/workspace/", {"tab": "all", "outlet": outlet.pk}).content.decode()
    assert _numbers(html) == [p1.number]
    html = client.get("/workspace/", {"tab": "all", "assignee": technician.pk}).content.decode()
    assert _numbers(html) == [mine.number]
    html = client.get("/workspace/", {"tab": "all", "assignee": "none", "priority": "P3"})
    assert len(_numbers(html.content.decode())) == 1


def test_an_unknown_filter_value_is_reported_beside_its_field_and_the_rest_apply(agent):
    TicketFactory(status=Status.ACCEPTED, priority=Priority.P1)
    TicketFactory(status=Status.ACCEPTED, priority=Priority.P3, channel="web")
    html = _client(agent).get(
        "/workspace/", {"tab": "all", "priority": "P9", "channel": "web"}
    ).content.decode()
    assert 'aria-invalid="true"' in html and 'id="id_priority_error"' in html
    assert len(_numbers(html)) == 1


# --- visibility and privacy ----------------------------------------------------------------


def test_a_technician_sees_only_their_own_work_and_counts(technician, agent):
    TicketFactory(status=Status.ACCEPTED)
    own = TicketFactory(status=Status.IN_PROGRESS, assignee=technician)
    TicketFactory(status=Status.IN_PROGRESS, assignee=agent)
    response = _client(technician).get("/workspace/?tab=all")
    assert _numbers(response.content.decode()) == [own.number]
    assert _counts(response)["all"] == 1


def test_customers_are_masked_on_the_page(agent, customers):
    TicketFactory(customer=customers["wang"], status=Status.ACCEPTED)
    html = _client(agent).get("/workspace/?tab=all").content.decode()
    assert "138****5678" in html and "王**" in html
    assert "13812345678" not in html and "王晓明" not in html


def test_visitors_sign_in_first_and_customers_are_refused(db):
    assert Client().get("/workspace/").status_code == 302
    customer = make_user("cust-q", "customer")
    assert _client(customer).get("/workspace/").status_code == 403


# --- htmx ---------------------------------------------------------------------------------


def test_htmx_gets_only_the_results_and_a_clean_address(agent, board):
    response = _client(agent).get(
        "/workspace/", {"tab": "unassigned", "q": "", "priority": "", "sort": "due"},
        headers={"HX-Request": "true", "HX-Trigger": "queue-filters"},
    )
    html = response.content.decode()
    assert "<html" not in html and 'id="queue-results"' in html
    assert 'id="id_tab" hx-swap-oob="true"' in html and 'value="unassigned"' in html
    assert response["HX-Push-Url"] == "/workspace/?tab=unassigned&sort=due"
    assert 'hx-get="/workspace/?tab=unassigned&amp;sort=due"' in html  # the poll keeps filters
    assert 'hx-trigger="every 30s"' in html


def test_the_30s_refresh_pushes_no_history(agent, board):
    response = _client(agent).get(
        "/workspace/?tab=all", headers={"HX-Request": "true", "HX-Trigger": "queue-poll"}
    )
    assert "HX-Push-Url" not in response
    assert len(_numbers(response.content.decode())) == 5


def test_a_poll_after_the_session_expired_sends_the_browser_to_sign_in(db):
    response = Client().get(
        "/workspace/?tab=all",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/workspace/?tab=all"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/workspace/login/?next=")


# --- pages and queries --------------------------------------------------------------------


def test_fifty_per_page_then_the_rest(agent):
    TicketFactory.create_batch(60, status=Status.ACCEPTED)
    client = _client(agent)
    first = client.get("/workspace/?tab=all").content.decode()
    second = client.get("/workspace/?tab=all&page=2").content.decode()
    beyond = client.get("/workspace/?tab=all&page=9").content.decode()
    assert len(_numbers(first)) == 50 and "第 1–50 条，共 60 条" in first
    assert len(_numbers(second)) == 10 and "第 51–60 条，共 60 条" in second
    assert set(_numbers(first)).isdisjoint(_numbers(second))
    assert _numbers(beyond) == _numbers(second)


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/workspace/?tab=all")
    assert response.status_code == 200
    return len(queries)


def _tickets_with_clocks(count, **fields):
    tickets = TicketFactory.create_batch(count, **fields)
    for ticket in tickets:
        _clock(ticket, due_in=timedelta(hours=2))
        _clock(ticket, due_in=timedelta(hours=9), name="respond")
    return tickets


def test_queries_do_not_grow_with_the_rows(agent, technician):
    _tickets_with_clocks(10, status=Status.IN_PROGRESS, assignee=technician)
    client = _client(agent)
    client.get("/workspace/")  # session and caches warmed
    ten = _page_queries(client)
    _tickets_with_clocks(40, status=Status.IN_PROGRESS, assignee=technician)
    fifty = _page_queries(client)
    assert ten == fifty
    assert fifty <= 12


def test_ten_thousand_tickets_page_in_constant_queries(agent, technician):
    """Measures (printed, not asserted) how long a page takes with 10,000 tickets."""
    now = NOW()
    customers = Customer.objects.bulk_create(
        [Customer(name=f"客户{i}", phone=f"+86135{i:08d}") for i in range(200)]
    )
    statuses = [Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING_CUSTOMER,
                Status.CLOSED]
    tickets = Ticket.objects.bulk_create([
        Ticket(
            number=f"SR-20260101-{i:06d}", type="repair", channel="phone",
            priority=("P1", "P2", "P3")[i % 3], status=statuses[i % 5],
            customer=customers[i % 200], title=f"工单 {i}",
            received_at=now - timedelta(minutes=i),
            assignee=technician if i % 2 else None,
            next_due_at=None if i % 5 == 4 else now + timedelta(minutes=(i % 700) - 100),
        )
        for i in range(10_000)
    ], batch_size=1000)
    SlaClock.objects.bulk_create([
        SlaClock(ticket=t, name="resolve", allowed=timedelta(hours=24), started_at=now,
                 due_at=t.next_due_at, original_due_at=t.next_due_at,
                 warn_at=t.next_due_at - timedelta(hours=1), state=ClockState.RUNNING)
        for t in tickets if t.next_due_at is not None
    ], batch_size=1000)
    client = _client(agent)
    client.get("/workspace/")
    timings = {}
    for query in ("tab=all", "tab=due", "tab=all&sort=newest", "tab=all&q=5678",
                  "tab=all&q=13500000042", "tab=unassigned&priority=P1"):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(f"/workspace/?{query}")
            timings[query] = (time.perf_counter() - started) * 1000
        assert response.status_code == 200
        assert len(queries) <= 12
    print("\n10k tickets, ms per page: " + ", ".join(f"{q}: {ms:.0f}" for q, ms in timings.items()))
