"""The staff inbox: notify_staff, read marks, the event handler, the bell and the page."""

import pytest
from django.db import transaction
from django.test import Client

from fivestar.accounts.models import Department
from fivestar.customers.services import CustomerDetails
from fivestar.notifications.inbox import (
    StaffNotification,
    StaffNotificationKind,
    mark_all_read,
    mark_read,
    notifications_for,
    notify_staff,
    unread_count,
)
from fivestar.notifications.models import OutboxMessage
from fivestar.tickets.services import (
    Actor,
    TicketRequest,
    accept_ticket,
    approve_ticket,
    assign_ticket,
    create_ticket,
)
from tests.conftest import make_user
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def _ticket(agent, *, priority="P3", title="冰箱噪音大"):
    return create_ticket(
        request=TicketRequest(
            channel="phone", type="repair", priority=priority, title=title,
            customer=CustomerDetails(name="张三", phone="13812345678"),
            description="冰箱运行时噪音比较大",
        ),
        actor=agent,
    ).ticket


def _notify(person, key="k1", about=None, **extra):
    return notify_staff(person=person, kind=StaffNotificationKind.SLA_WARNING, about=about,
                        title="工单即将超时", body="开始处理 截止 10:00", dedupe_key=key, **extra)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- notify_staff ------------------------------------------------------------------------


def test_notify_staff_writes_one_row_per_person_and_key(technician, agent):
    first = _notify(technician)
    again = _notify(technician)
    other = _notify(agent)

    assert first is not None and again.pk == first.pk
    assert other.pk != first.pk
    assert StaffNotification.objects.filter(recipient=technician).count() == 1
    assert unread_count(user=technician) == 1


def test_notify_staff_queues_the_email_once_when_given_a_template(seeded_templates):
    person = make_user("sup-mail", "supervisor", email="sup@example.com")
    ticket = TicketFactory()
    context = {"number": ticket.number, "title": ticket.title, "priority": "P3",
               "target": "resolve", "target_label": "解决", "due_at": ticket.received_at,
               "recipient_name": "主管", "level": 2, "assignee_name": ""}

    for _ in range(2):
        notify_staff(person=person, kind=StaffNotificationKind.SLA_BREACHED, about=ticket,
                     title="已超时", dedupe_key="sla:1:breach:2",
                     email_template_code="sla_breached", email_context=context,
                     email_dedupe_key="sla:1:breach:2")

    mails = OutboxMessage.objects.filter(template_code="sla_breached")
    assert [(m.recipient, m.dedupe_key) for m in mails] == [("sup@example.com", "sla:1:breach:2")]
    assert StaffNotification.objects.filter(recipient=person).count() == 1


def test_without_a_template_no_email_is_queued(technician):
    technician.email = "t@example.com"
    technician.save()
    _notify(technician)
    assert not OutboxMessage.objects.exists()


def test_inactive_people_get_nothing(technician):
    technician.is_active = False
    technician.save()
    assert _notify(technician) is None
    assert not StaffNotification.objects.exists()


def test_a_rolled_back_change_notifies_nobody(technician):
    with pytest.raises(RuntimeError), transaction.atomic():
        _notify(technician)
        raise RuntimeError("the ticket change failed")
    assert not StaffNotification.objects.exists()


# --- read marks -------------------------------------------------------------------------------


def test_mark_read_only_touches_the_readers_own_rows_and_keeps_the_first_time(technician, agent):
    mine = _notify(technician)
    theirs = _notify(agent)

    assert mark_read(user=technician, notification_id=theirs.pk) is None
    first = mark_read(user=technician, notification_id=mine.pk).read_at
    second = mark_read(user=technician, notification_id=mine.pk).read_at

    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert first is not None and second == first
    assert unread_count(user=technician) == 0


def test_mark_all_read_counts_what_it_changed(technician, agent):
    for key in ("a", "b", "c"):
        _notify(technician, key=key)
    _notify(agent)
    assert mark_all_read(user=technician) == 3
    assert mark_all_read(user=technician) == 0
    assert unread_count(user=agent) == 1


def test_notifications_for_lists_newest_first_and_filters_unread(technician):
    old = _notify(technician, key="old")
    new = _notify(technician, key="new")
    mark_read(user=technician, notification_id=old.pk)
    assert list(notifications_for(user=technician)) == [new, old]
    assert list(notifications_for(user=technician, unread_only=True)) == [new]


# --- ticket events -----------------------------------------------------------------------


def test_assignment_tells_the_assignee_not_the_one_who_assigned(agent, technician):
    ticket = _ticket(agent)
    accept_ticket(ticket=ticket, actor=Actor(user=agent))
    assign_ticket(ticket=ticket, assignee=technician, actor=Actor(user=agent))

    rows = list(StaffNotification.objects.all())
    assert [(r.recipient, r.kind, r.about_id) for r in rows] == [
        (technician, StaffNotificationKind.ASSIGNED, ticket.pk)
    ]
    assert ticket.number in rows[0].title


def test_an_assignment_tells_the_assignee_once_in_the_bell_and_by_email(agent,
                                                                         seeded_templates):
    """The ticket's notices (``tickets.notices``): one in-app row and one e-mail per event,
    however often the handlers see it."""
    from fivestar.tickets import hooks
    from fivestar.tickets.models import TicketEvent

    person = make_user("tech-mail", "technician", email="tech@example.com")
    ticket = _ticket(agent)
    accept_ticket(ticket=ticket, actor=Actor(user=agent))
    assign_ticket(ticket=ticket, assignee=person, actor=Actor(user=agent))
    event = TicketEvent.objects.get(ticket=ticket, action="assign")

    hooks.dispatch(event)

    assert StaffNotification.objects.filter(recipient=person).count() == 1
    assert list(OutboxMessage.objects.filter(template_code="ticket_assigned")
                .values_list("recipient", "dedupe_key")) == [
        ("tech@example.com", f"{event.pk}:ticket_assigned:email")]


def test_taking_a_ticket_yourself_tells_nobody(agent):
    ticket = _ticket(agent)
    accept_ticket(ticket=ticket, actor=Actor(user=agent))
    assign_ticket(ticket=ticket, assignee=agent, actor=Actor(user=agent))
    assert not StaffNotification.objects.exists()


def test_p1_waiting_for_approval_tells_the_departments_heads_then_settles(agent,
                                                                          senior_technician):
    supervisor = make_user("cs-sup", "supervisor")
    manager = make_user("cs-mgr", "manager")
    make_user("other-sup", "supervisor")  # heads another department: not told
    Department.objects.filter(code="customer-service").update(supervisor=supervisor,
                                                              manager=manager)
    ticket = _ticket(agent, priority="P1", title="服务器宕机")
    accept_ticket(ticket=ticket, actor=Actor(user=agent))
    assign_ticket(ticket=ticket, assignee=senior_technician, actor=Actor(user=agent))

    approvals = StaffNotification.objects.filter(kind=StaffNotificationKind.APPROVAL)
    assert sorted(n.recipient.username for n in approvals) == ["cs-mgr", "cs-sup"]
    assert all(n.read_at is None for n in approvals)
    assert not StaffNotification.objects.filter(recipient=senior_technician).exists()

    approve_ticket(ticket=ticket, actor=Actor(user=supervisor))

    assert all(n.read_at is not None for n in approvals.all())
    assigned = StaffNotification.objects.get(recipient=senior_technician)
    assert assigned.kind == StaffNotificationKind.ASSIGNED


def test_without_department_heads_every_supervisor_and_manager_is_told(agent, senior_technician):
    make_user("sup-a", "supervisor")
    make_user("mgr-b", "manager")
    Department.objects.update(supervisor=None, manager=None)
    ticket = _ticket(agent, priority="P1", title="数据丢失")
    accept_ticket(ticket=ticket, actor=Actor(user=agent))
    assign_ticket(ticket=ticket, assignee=senior_technician, actor=Actor(user=agent))
    told = StaffNotification.objects.filter(kind=StaffNotificationKind.APPROVAL)
    assert sorted(n.recipient.username for n in told) == ["mgr-b", "sup-a"]


# --- the bell and the page ------------------------------------------------------------


def test_the_bell_counts_unread_with_an_accessible_label(technician, django_assert_max_num_queries):
    for key in ("a", "b", "c"):
        _notify(technician, key=key)
    client = _client(technician)
    with django_assert_max_num_queries(4):
        html = client.get("/workspace/bell/", headers={"HX-Request": "true"}).content.decode()
    assert 'aria-label="通知（3 条未读）"' in html
    assert '<span class="bell-count" aria-hidden="true">3</span>' in html


def test_the_bell_without_unread_has_no_badge(technician):
    html = _client(technician).get("/workspace/bell/").content.decode()
    assert "bell-count" not in html
    assert "没有未读" in html


def test_a_signed_out_poll_stops_instead_of_swapping_the_login_page(db):
    response = Client().get("/workspace/bell/", headers={"HX-Request": "true"})
    assert response.status_code == 286
    assert response.content == b""


def test_the_page_lists_newest_first_and_opening_one_marks_it_read(technician, agent):
    ticket = TicketFactory()
    older = _notify(technician, key="1", about=ticket)
    newer = notify_staff(person=technician, kind=StaffNotificationKind.ASSIGNED, about=ticket,
                         title="工单已派给您", dedupe_key="2")
    client = _client(technician)

    html = client.get("/workspace/notifications/").content.decode()
    assert html.index("工单已派给您") < html.index("工单即将超时")
    assert "2 条未读" in html

    response = client.get(f"/workspace/notifications/{older.pk}/")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/workspace/tickets/{ticket.number}/")
    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.read_at is not None and newer.read_at is None


def test_another_persons_notification_is_not_found_and_stays_unread(technician, agent):
    theirs = _notify(agent)
    response = _client(technician).get(f"/workspace/notifications/{theirs.pk}/", follow=True)
    assert "没有找到这条通知" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_is_a_post_and_says_how_many(technician):
    for key in ("a", "b"):
        _notify(technician, key=key)
    client = _client(technician)
    assert client.get("/workspace/notifications/read-all/").status_code == 405
    response = client.post("/workspace/notifications/read-all/", follow=True)
    html = response.content.decode()
    assert "已将 2 条通知标记为已读" in html
    assert unread_count(user=technician) == 0
    assert "全部标为已读" not in html


def test_the_page_costs_the_same_queries_for_10_or_50_notifications(technician):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(technician)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/workspace/notifications/").status_code == 200
        return len(captured)

    for i in range(10):
        _notify(technician, key=f"a{i}", about=TicketFactory())
    ten = queries()
    for i in range(40):
        _notify(technician, key=f"b{i}", about=TicketFactory())
    assert queries() == ten


def test_the_empty_page_says_what_will_appear_here(technician):
    html = _client(technician).get("/workspace/notifications/").content.decode()
    assert "暂时没有通知" in html
    html = _client(technician).get("/workspace/notifications/?show=unread").content.decode()
    assert "没有未读通知" in html


def test_customers_cannot_open_the_notifications(db):
    customer = make_user("cust-x", "customer")
    assert _client(customer).get("/workspace/notifications/").status_code == 403


def test_a_batch_of_notices_writes_each_once_even_when_offered_again(db):
    from fivestar.notifications.inbox import StaffNotice, StaffNotification, notify_staff_many
    from fivestar.notifications.models import OutboxMessage
    from tests.conftest import make_user

    people = [make_user(f"tech{i}", "technician", email=f"t{i}@example.com") for i in range(3)]
    notices = [
        StaffNotice(person=person, kind="sla_breached", title="工单已超时",
                    dedupe_key=f"sla:test:{person.pk}", email_template_code="sla_breached",
                    email_context={"number": "SR-1", "title": "t", "target_label": "解决"})
        for person in people
    ]
    notify_staff_many(notices=notices)
    notify_staff_many(notices=notices)  # a second worker, or the next pass
    assert StaffNotification.objects.count() == 3
    assert OutboxMessage.objects.filter(template_code="sla_breached").count() == 3
