"""The back office applies the same privacy as the workspace (SPEC §9, issue 18 items 8–9).

The staff here were let into the back office with view rights on every model, as the demo's old
read-only group did and as an operator may still do: the admin itself must hold each of them to
the rows their role may see, mask what their role may not reveal, and log every unmasked view.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from fivestar.customers.models import Contact, PersonalDataAccess
from fivestar.dispatch.models import Quote
from fivestar.notifications.models import About, OutboxMessage
from fivestar.tickets.models import Reply
from tests.conftest import make_user
from tests.factories import CustomerFactory, OutletFactory, TicketFactory, UnitFactory

pytestmark = pytest.mark.django_db

PHONE_A, PHONE_B, PHONE_CONTACT = "+8613811110001", "+8613822220002", "+8613833330003"
EMAIL_A, EMAIL_B, EMAIL_CONTACT = "a.zhang@example.com", "b.li@example.com", "c.son@example.com"
STREET_A, STREET_B = "张杨路 100 号 3 栋 501", "文三路 8 号 2 栋 1101"
INTERNAL_NOTE_B = "内部备注：客户家门禁密码 4321"


@pytest.fixture
def world(db):
    outlet_a, outlet_b = OutletFactory(), OutletFactory()
    customer_a = CustomerFactory(phone=PHONE_A, email=EMAIL_A,
                                 address=f"上海市浦东新区{STREET_A}")
    customer_b = CustomerFactory(phone=PHONE_B, email=EMAIL_B,
                                 address=f"浙江省杭州市西湖区{STREET_B}")
    Contact.objects.create(customer=customer_a, name="张小明", relation="儿子",
                           phone=PHONE_CONTACT, email=EMAIL_CONTACT)
    ticket_a = TicketFactory(outlet=outlet_a, customer=customer_a)
    ticket_b = TicketFactory(outlet=outlet_b, customer=customer_b)
    Reply.objects.create(ticket=ticket_b, body=INTERNAL_NOTE_B, internal=True)
    Quote.objects.create(ticket=ticket_b, labour_fen=8000, total_fen=8000, note="更换压缩机")
    portal_user = make_user("portal-a", "customer", email=EMAIL_A, phone=PHONE_A,
                            display_name=customer_a.name)
    customer_a.user = portal_user
    customer_a.save(update_fields=["user"])
    return {
        "outlet_a": outlet_a, "outlet_b": outlet_b,
        "customer_a": customer_a, "customer_b": customer_b,
        "ticket_a": ticket_a, "ticket_b": ticket_b,
        "unit_a": UnitFactory(customer=customer_a), "unit_b": UnitFactory(customer=customer_b),
        "portal_user": portal_user,
        "sms_a": OutboxMessage.objects.create(channel="sms", recipient=PHONE_A, body="工单已受理",
                                              **About.reference(ticket_a)),
        "mail_b": OutboxMessage.objects.create(channel="email", recipient=EMAIL_B,
                                               subject="工单已受理", body="您好",
                                               **About.reference(ticket_b)),
    }


def back_office_user(username: str, *roles: str, **fields):
    user = make_user(username, *roles, is_staff=True, **fields)
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    return user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(obj_or_model, view: str = "change") -> str:
    meta = obj_or_model._meta
    args = [obj_or_model.pk] if view in ("change", "history", "delete") else []
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


SECRETS = [
    PHONE_A, PHONE_B, PHONE_CONTACT,
    *(phone.removeprefix("+86") for phone in (PHONE_A, PHONE_B, PHONE_CONTACT)),
    EMAIL_A, EMAIL_B, EMAIL_CONTACT, STREET_A, STREET_B,
]


def _every_admin_page(client: Client) -> dict[str, str]:
    """Every list and every change page of every registered model, as this user sees them."""
    pages = {}
    for model in admin.site._registry:
        url = _url(model, "changelist")
        response = client.get(url)
        pages[url] = response.content.decode()
        for obj in model._default_manager.all()[:50]:
            url = _url(obj)
            pages[url] = client.get(url).content.decode()
    return pages


# --- item 8: row-level visibility -------------------------------------------------------------


def test_a_technician_cannot_open_another_outlets_ticket_or_customer(world):
    technician = back_office_user("tech-a", "technician", outlet=world["outlet_a"])
    client = client_for(technician)
    ticket_a, ticket_b = world["ticket_a"], world["ticket_b"]

    assert client.get(_url(ticket_a)).status_code == 200
    for url in (_url(ticket_b), _url(ticket_b, "history"), _url(world["customer_b"]),
                _url(world["unit_b"]), _url(Quote.objects.get(ticket=ticket_b))):
        assert client.get(url).status_code in (403, 404), url
    tickets = client.get(_url(type(ticket_a), "changelist")).content.decode()
    assert ticket_a.number in tickets
    assert ticket_b.number not in tickets
    customers = client.get(_url(type(world["customer_a"]), "changelist")).content.decode()
    assert world["customer_a"].name in customers
    assert world["customer_b"].name not in customers
    for html in _every_admin_page(client).values():
        assert INTERNAL_NOTE_B not in html
        assert ticket_b.number not in html


def test_the_outbox_and_the_bell_are_for_administrators(world):
    agent = back_office_user("agent-x", "agent")
    client = client_for(agent)

    assert client.get(_url(OutboxMessage, "changelist")).status_code == 403
    assert client.get(_url(world["sms_a"])).status_code == 403
    assert client.get(reverse("admin:notifications_staffnotification_changelist")
                      ).status_code == 403


# --- item 8: masking --------------------------------------------------------------------------


def test_a_warehouse_keeper_sees_no_full_contact_detail_anywhere(world):
    keeper = back_office_user("store-a", "warehouse_keeper", outlet=world["outlet_a"])
    client = client_for(keeper)

    pages = _every_admin_page(client)
    # The pages that hold customer A's details open for the keeper of A's outlet, masked.
    for obj in ("customer_a", "ticket_a", "unit_a", "portal_user"):
        assert client.get(_url(world[obj])).status_code == 200, obj
    for url, html in pages.items():
        for secret in SECRETS:
            assert secret not in html, (url, secret)
    # The masked values are there for them to work with.
    assert "138****0001" in pages[_url(world["customer_a"])]
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize("term", [PHONE_A, PHONE_A.removeprefix("+86"), "11110001", EMAIL_A])
def test_searching_by_contact_details_confirms_nothing_without_reveal_rights(world, term):
    keeper = back_office_user("store-a", "warehouse_keeper", outlet=world["outlet_a"])
    client = client_for(keeper)
    customer = world["customer_a"]  # a customer the keeper may see, masked

    for model in (type(customer), type(world["ticket_a"]), type(keeper)):
        response = client.get(_url(model, "changelist"), {"q": term})
        assert response.status_code == 200
        assert response.context["cl"].result_count == 0, model
    found = client.get(reverse("admin:autocomplete"), {
        "app_label": "products", "model_name": "unit", "field_name": "customer", "term": term,
    })
    assert found.status_code == 200
    assert found.json()["results"] == []


@pytest.mark.parametrize("lookup", ["phone", "phone__startswith", "email__iexact",
                                    "address__contains"])
def test_filtering_by_contact_details_in_the_address_bar_is_refused(world, lookup):
    keeper = back_office_user("store-a", "warehouse_keeper", outlet=world["outlet_a"])
    value = {"phone": PHONE_A, "phone__startswith": PHONE_A[:9], "email__iexact": EMAIL_A,
             "address__contains": STREET_A[:3]}[lookup]

    response = client_for(keeper).get(_url(type(world["customer_a"]), "changelist"),
                                      {lookup: value})

    assert response.status_code == 400


def test_an_agent_who_may_reveal_searches_by_phone(world):
    agent = back_office_user("agent-x", "agent")

    response = client_for(agent).get(_url(type(world["customer_a"]), "changelist"),
                                     {"q": PHONE_A.removeprefix("+86")})

    assert response.context["cl"].result_count == 1
    assert "138****0001" in response.content.decode()


# --- item 9: every unmasked view is one row in the access log ---------------------------------


@pytest.fixture
def administrator(world):
    return make_user("boss", "administrator", is_staff=True, is_superuser=True)


def test_an_administrator_sees_contact_details_and_each_view_is_logged(world, administrator):
    client = client_for(administrator)
    customer = world["customer_a"]

    html = client.get(_url(customer)).content.decode()
    for value in (PHONE_A, EMAIL_A, STREET_A, PHONE_CONTACT, EMAIL_CONTACT):
        assert value in html
    client.get(_url(customer))

    rows = list(PersonalDataAccess.objects.order_by("id"))
    assert len(rows) == 2
    row = rows[0]
    assert (row.user, row.customer, row.source) == (administrator, customer, "admin")
    assert set(row.fields) == {"phone", "email", "address", "contacts.phone", "contacts.email"}
    assert row.client_address == "127.0.0.1"
    assert row.at is not None


def test_lists_stay_masked_and_log_nothing(world, administrator):
    client = client_for(administrator)

    customers = client.get(_url(type(world["customer_a"]), "changelist")).content.decode()
    outbox = client.get(_url(OutboxMessage, "changelist")).content.decode()

    for secret in SECRETS:
        assert secret not in customers
        assert secret not in outbox
    assert "138****0001" in outbox
    assert not PersonalDataAccess.objects.exists()


def test_an_outbox_recipient_and_a_portal_account_shown_whole_are_logged(world, administrator):
    client = client_for(administrator)

    assert PHONE_A in client.get(_url(world["sms_a"])).content.decode()
    assert EMAIL_A in client.get(_url(world["portal_user"])).content.decode()

    rows = list(PersonalDataAccess.objects.order_by("id"))
    assert [(row.customer, row.fields) for row in rows] == [
        (world["customer_a"], ["recipient"]), (world["customer_a"], ["phone", "email"]),
    ]


def test_the_access_log_is_read_only_and_only_for_administrators_and_auditors(
        world, administrator):
    client_for(administrator).get(_url(world["customer_a"]))
    row = PersonalDataAccess.objects.get()
    auditor = make_user("qa-1", "quality_auditor", is_staff=True)
    changelist = _url(PersonalDataAccess, "changelist")

    for reader in (administrator, auditor):
        client = client_for(reader)
        listed = client.get(changelist)
        assert listed.status_code == 200
        assert world["customer_a"].name in listed.content.decode()
        assert client.get(_url(row)).status_code == 200
        assert client.get(_url(PersonalDataAccess, "add")).status_code == 403
        assert client.get(_url(row, "delete")).status_code == 403
        assert client.post(_url(row), {"fields": "[]"}).status_code == 403
        client.post(changelist, {"action": "delete_selected", "_selected_action": [row.pk],
                                 "post": "yes"})
    assert PersonalDataAccess.objects.filter(pk=row.pk, fields=row.fields).exists()

    for outsider in (back_office_user("agent-x", "agent"),
                     back_office_user("store-a", "warehouse_keeper")):
        assert client_for(outsider).get(changelist).status_code == 403
