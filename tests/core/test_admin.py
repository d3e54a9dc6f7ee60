"""The back office: every page opens, lists stay cheap, a ticket's state is not edited here."""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from fivestar.accounts.models import ApiToken, User
from fivestar.accounts.selectors import user_for_token
from fivestar.accounts.services import create_api_token
from fivestar.demo.seed import seed_demo
from fivestar.tickets.models import Status, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_data():
    seed_demo(tickets=30)


@pytest.fixture
def admin_client_(demo_data) -> Client:
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    return client


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_registered_model_lists_opens_and_adds(admin_client_):
    create_api_token(user=User.objects.get(username="wangfang"))
    for model, model_admin in admin.site._registry.items():
        response = admin_client_.get(_url(model, "changelist"))
        assert response.status_code == 200, model
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            response = admin_client_.get(_url(model, "change", obj.pk))
            assert response.status_code == 200, model
        request = response.wsgi_request
        if model_admin.has_add_permission(request):
            response = admin_client_.get(_url(model, "add"))
            assert response.status_code == 200, model


def test_changelists_search_and_filter(admin_client_):
    ticket = Ticket.objects.select_related("customer").first()
    phone_tail = ticket.customer.phone[-8:]
    for model_url, params in [
        (_url(Ticket, "changelist"), {"q": ticket.number}),
        (_url(Ticket, "changelist"), {"q": phone_tail}),
        (_url(Ticket, "changelist"), {"status__exact": "closed", "priority__exact": "P2"}),
        (reverse("admin:customers_customer_changelist"), {"q": phone_tail}),
        (reverse("admin:customers_customer_changelist"), {"tier__exact": "vip"}),
        (reverse("admin:accounts_user_changelist"), {"roles__code__exact": "technician"}),
    ]:
        response = admin_client_.get(model_url, params)
        assert response.status_code == 200, (model_url, params)
    response = admin_client_.get(_url(Ticket, "changelist"), {"q": ticket.number})
    assert ticket.number in response.content.decode()


def test_customer_list_masks_phone_and_email(admin_client_):
    from fivestar.customers.models import Customer

    customer = Customer.objects.exclude(email=None).first()
    html = admin_client_.get(reverse("admin:customers_customer_changelist"),
                             {"q": customer.name}).content.decode()
    national = customer.phone.removeprefix("+86")
    assert f"{national[:3]}****{national[-4:]}" in html
    assert national not in html
    assert customer.email not in html


def test_ticket_changelist_query_count_is_bounded(admin_client_, django_assert_max_num_queries):
    assert Ticket.objects.count() == 30
    with django_assert_max_num_queries(16):
        response = admin_client_.get(_url(Ticket, "changelist"))
    assert response.status_code == 200
    with django_assert_max_num_queries(16):
        admin_client_.get(reverse("admin:customers_customer_changelist"))
    with django_assert_max_num_queries(16):
        admin_client_.get(reverse("admin:accounts_user_changelist"))


def test_ticket_status_is_read_only_and_edits_are_events(admin_client_):
    ticket = Ticket.objects.filter(status=Status.IN_PROGRESS).first()
    url = _url(Ticket, "change", ticket.pk)
    html = admin_client_.get(url).content.decode()
    for field in ("status", "priority", "assignee", "resolution", "closed_at"):
        assert not re.search(rf'name="{field}"', html), field
    assert 'name="title"' in html
    events_before = ticket.events.count()

    response = admin_client_.post(url, {
        "title": "改过的标题",
        "description": ticket.description,
        "demand": ticket.demand,
        "department": ticket.department_id or "",
        "outlet": ticket.outlet_id or "",
        "status": Status.CLOSED,
        "priority": "P1",
        # The inlines are read-only: their management forms say "nothing here".
        **{f"{prefix}-{key}": value
           for prefix in ("events", "replies", "attachments")
           for key, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))},
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket.refresh_from_db()
    assert ticket.title == "改过的标题"
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.priority != "P1" or ticket.events.filter(action="set_priority").exists()
    edited = ticket.events.order_by("-id").first()
    assert ticket.events.count() == events_before + 1
    assert edited.action == "edited" and edited.after == {"title": "改过的标题"}


def test_tickets_and_events_cannot_be_added_or_deleted(admin_client_):
    ticket = Ticket.objects.first()
    assert admin_client_.get(_url(Ticket, "add")).status_code == 403
    assert admin_client_.get(_url(Ticket, "delete", ticket.pk)).status_code == 403
    assert TicketEvent not in admin.site._registry
    model_admin = admin.site._registry[Ticket]
    request = admin_client_.get(_url(Ticket, "changelist")).wsgi_request
    for inline in model_admin.get_inline_instances(request, ticket):
        assert not inline.has_add_permission(request, ticket)
        assert not inline.has_change_permission(request, ticket)
        assert not inline.has_delete_permission(request, ticket)


def test_api_token_created_in_admin_is_shown_once_and_revocable(admin_client_):
    user = User.objects.get(username="lina")
    response = admin_client_.post(_url(ApiToken, "add"), {"user": user.pk, "name": "集成"},
                                  follow=True)
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    raw = re.search(r"(fs_[A-Za-z0-9_\-]+)", " ".join(shown)).group(1)
    assert user_for_token(raw=raw) == user
    token = ApiToken.objects.get(user=user, name="集成")
    assert token.prefix == raw[:10]

    response = admin_client_.post(_url(ApiToken, "changelist"), {
        "action": "revoke", "_selected_action": [token.pk],
    })
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert user_for_token(raw=raw) is None


def test_the_demo_gives_the_back_office_to_administrators_only(demo_data):
    ticket = Ticket.objects.first()
    assert set(User.objects.filter(is_staff=True).values_list("username", flat=True)) == {
        "admin", "liangjie"}
    assert not Group.objects.exists()
    assert not Permission.objects.filter(user__isnull=False).exists()
    for username in ("wangfang", "chenjing", "songliang", "machao"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for url in (reverse("admin:index"), _url(Ticket, "changelist"),
                    _url(Ticket, "change", ticket.pk)):
            response = client.get(url)
            assert response.status_code == 302, (username, url)
            assert response["Location"].startswith(reverse("admin:login"))
    # The quality auditor comes in to read the personal-data access log, and sees nothing else.
    auditor = Client()
    auditor.force_login(User.objects.get(username="liangjie"))
    assert auditor.get(reverse("admin:customers_personaldataaccess_changelist")
                       ).status_code == 200
    for model in (Ticket, User):
        assert auditor.get(_url(model, "changelist")).status_code == 403
    assert auditor.get(reverse("admin:customers_customer_changelist")).status_code == 403


def test_a_demo_database_from_before_loses_the_read_only_group(demo_data):
    # Earlier demos put every member of staff in a group with view rights on customers and
    # tickets: the next run takes it away.
    group = Group.objects.create(name="演示：后台只读")
    group.permissions.set(Permission.objects.filter(codename__startswith="view_"))
    old_staff = User.objects.exclude(username__in=["admin", "liangjie", "customer"])
    old_staff.update(is_staff=True)
    group.user_set.set(old_staff)

    seed_demo(tickets=30)

    assert not Group.objects.exists()
    assert set(User.objects.filter(is_staff=True).values_list("username", flat=True)) == {
        "admin", "liangjie"}


def test_user_created_in_admin_gets_roles_department_and_outlet(admin_client_):
    from fivestar.accounts.models import Department, Outlet, Role, Skill

    department = Department.objects.get(code="repair")
    outlet = Outlet.objects.get(code="hz-xihu")
    response = admin_client_.post(reverse("admin:accounts_user_add"), {
        "username": "newtech", "usable_password": "true",
        "password1": "a-Long-pass-2026", "password2": "a-Long-pass-2026",
        "display_name": "新师傅", "phone": "", "email": "",
        "roles": [Role.objects.get(code="technician").pk],
        "department": department.pk, "outlet": outlet.pk,
        "skills": [Skill.objects.get(code="ac").pk],
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="newtech")
    assert user.role_codes() == {"technician"}
    assert (user.department, user.outlet) == (department, outlet)
    assert user.check_password("a-Long-pass-2026")
