"""Intake (SPEC §2, §3): every request becomes exactly one numbered ticket."""

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fivestar.core.errors import Conflict, ValidationFailed
from fivestar.customers.models import Customer
from fivestar.customers.services import CustomerDetails
from fivestar.products.models import Unit
from fivestar.tickets.models import (
    IdempotencyKey,
    Priority,
    PriorityRule,
    Status,
    Ticket,
    TicketEvent,
)
from fivestar.tickets.numbering import allocate_ticket_number
from fivestar.tickets.services import TicketRequest, create_ticket
from tests.factories import ProductModelFactory

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"^SR-(\d{8})-(\d{6})$")


def request(**overrides) -> TicketRequest:
    values = {
        "channel": "phone",
        "type": "repair",
        "customer": CustomerDetails(name="张三", phone="13812345678"),
        "description": "空调开机后吹自然风。",
    }
    return TicketRequest(**{**values, **overrides})


def intake(agent, **overrides) -> Ticket:
    return create_ticket(request=request(**overrides), actor=agent).ticket


class TestNumbering:
    def test_number_is_sr_date_sequence(self, agent):
        ticket = intake(agent)

        match = NUMBER.match(ticket.number)
        assert match, ticket.number
        assert match.group(1) == f"{timezone.localdate():%Y%m%d}"

    def test_numbers_increase_by_one(self, agent):
        numbers = [intake(agent).number for _ in range(3)]

        sequence = [int(NUMBER.match(number).group(2)) for number in numbers]
        assert sequence == [sequence[0], sequence[0] + 1, sequence[0] + 2]

    def test_a_refused_request_uses_no_number(self, agent):
        first = intake(agent)
        with pytest.raises(ValidationFailed):
            intake(agent, description="")
        second = intake(agent)

        assert int(second.number[-6:]) == int(first.number[-6:]) + 1


    def test_numbers_follow_the_local_day_and_restart_each_day(self, db, monkeypatch):
        # 17:00 UTC on 1 January is 01:00 on 2 January in Asia/Shanghai.
        monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 1, 1, 17, 0, tzinfo=UTC))
        assert allocate_ticket_number() == "SR-20260102-000001"
        assert allocate_ticket_number() == "SR-20260102-000002"

        monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 1, 2, 17, 0, tzinfo=UTC))
        assert allocate_ticket_number() == "SR-20260103-000001"


class TestValidation:
    def test_every_missing_required_field_is_named_at_once(self, agent):
        with pytest.raises(ValidationFailed) as caught:
            intake(agent, channel="", type="", description="  ",
                   customer=CustomerDetails(name="张三"))

        assert {"channel", "type", "description", "customer.phone"} <= set(caught.value.fields)
        assert not Ticket.objects.exists()
        assert not Customer.objects.exists()

    def test_a_malformed_phone_is_named_with_the_other_errors(self, agent):
        with pytest.raises(ValidationFailed) as caught:
            intake(agent, description="",
                   customer=CustomerDetails(name="张三", phone="12345", email="bad@"))

        assert {"description", "customer.phone", "customer.email"} <= set(caught.value.fields)

    def test_email_alone_identifies_the_customer(self, agent):
        ticket = intake(agent, customer=CustomerDetails(name="张三", email="Zhang@Example.com"))

        assert ticket.customer.email == "zhang@example.com"

    @pytest.mark.parametrize(
        ("field", "value"),
        [("channel", "fax"), ("type", "praise"), ("priority", "P0"), ("priority", "p1")],
    )
    def test_unknown_choices_are_refused(self, agent, field, value):
        with pytest.raises(ValidationFailed) as caught:
            intake(agent, **{field: value})

        assert field in caught.value.fields
        assert not Ticket.objects.exists()

    def test_unknown_product_model_is_refused(self, agent):
        ProductModelFactory(code="KFR-35GW")

        with pytest.raises(ValidationFailed) as caught:
            intake(agent, product_model="KFR-99XX")

        assert "product_model" in caught.value.fields
        assert not Ticket.objects.exists()

    def test_received_at_in_the_future_is_refused(self, agent):
        with pytest.raises(ValidationFailed) as caught:
            intake(agent, received_at=timezone.now() + timedelta(hours=1))

        assert "received_at" in caught.value.fields

    def test_naive_received_at_is_refused(self, agent):
        with pytest.raises(ValidationFailed) as caught:
            intake(agent, received_at=datetime(2026, 1, 5, 9, 30))

        assert "received_at" in caught.value.fields

    def test_a_call_logged_late_keeps_its_received_at(self, agent):
        earlier = timezone.now() - timedelta(hours=3)

        ticket = intake(agent, received_at=earlier)

        ticket.refresh_from_db()
        assert ticket.received_at == earlier

    def test_received_at_defaults_to_now(self, agent):
        before = timezone.now()
        ticket = intake(agent)

        assert before <= ticket.received_at <= timezone.now()

    def test_purchase_date_in_the_future_is_refused(self, agent):
        with pytest.raises(ValidationFailed) as caught:
            intake(agent, purchase_date=timezone.localdate() + timedelta(days=1))

        assert "purchase_date" in caught.value.fields

    def test_serial_number_without_product_model_is_refused(self, agent):
        with pytest.raises(ValidationFailed) as caught:
            intake(agent, serial_number="SN-1")

        assert "product_model" in caught.value.fields


class TestProposedPriority:
    @pytest.mark.parametrize(
        ("description", "proposed"),
        [
            ("电脑无法开机，屏幕全黑", Priority.P1),
            ("The server is down since 9am", Priority.P1),
            ("洗衣机底部漏水", Priority.P2),
            ("Water is leaking from the unit", Priority.P2),
            ("想咨询一下滤网多久清洗一次", Priority.P3),
            # English keywords are whole words: "down" is not in "download", "fire" is not in
            # "firmware".
            ("How do I download the firmware update?", Priority.P3),
        ],
    )
    def test_proposed_from_keywords_and_left_unconfirmed(self, agent, description, proposed):
        ticket = intake(agent, description=description)

        assert ticket.proposed_priority == proposed
        assert ticket.priority == proposed
        assert ticket.priority_confirmed is False

    def test_the_most_urgent_keyword_wins(self, agent):
        ticket = intake(agent, description="漏水后无法开机")

        assert ticket.priority == Priority.P1

    def test_keywords_in_the_demand_count(self, agent):
        ticket = intake(agent, description="空调有问题", demand="漏水严重，请尽快上门")

        assert ticket.proposed_priority == Priority.P2

    def test_rules_are_data(self, agent):
        PriorityRule.objects.filter(keyword="漏水").update(priority=Priority.P1)
        PriorityRule.objects.filter(keyword="无法开机").update(is_active=False)
        PriorityRule.objects.create(keyword="异味", priority=Priority.P2)

        assert intake(agent, description="洗衣机漏水").proposed_priority == Priority.P1
        assert intake(agent, description="电视无法开机").proposed_priority == Priority.P3
        assert intake(agent, description="冰箱有异味").proposed_priority == Priority.P2

    def test_explicit_priority_wins_and_is_confirmed(self, agent):
        ticket = intake(agent, description="电脑无法开机", priority="P3")

        assert ticket.priority == Priority.P3
        assert ticket.proposed_priority == Priority.P1
        assert ticket.priority_confirmed is True

    def test_a_priority_stated_by_the_customer_still_waits_for_an_agent(self, db):
        ticket = create_ticket(request=request(priority="P1"), actor=None,
                               actor_kind="customer").ticket

        assert ticket.priority == Priority.P1
        assert ticket.priority_confirmed is False


class TestIdempotency:
    def test_same_key_returns_the_same_ticket_and_creates_nothing(self, agent):
        first = create_ticket(request=request(), actor=agent, idempotency_key="k-1")
        counts = (Ticket.objects.count(), TicketEvent.objects.count(), Customer.objects.count())

        again = create_ticket(request=request(), actor=agent, idempotency_key="k-1")

        assert first.created and not again.created
        assert again.ticket.pk == first.ticket.pk
        assert again.ticket.number == first.ticket.number
        assert (Ticket.objects.count(), TicketEvent.objects.count(),
                Customer.objects.count()) == counts

    def test_same_key_with_a_different_body_is_a_conflict(self, agent):
        create_ticket(request=request(), actor=agent, idempotency_key="k-1")

        with pytest.raises(Conflict) as caught:
            create_ticket(request=request(description="另一个问题"), actor=agent,
                          idempotency_key="k-1")

        assert caught.value.code == "idempotency_key_reused"
        assert Ticket.objects.count() == 1

    def test_keys_belong_to_one_user(self, agent, supervisor):
        mine = create_ticket(request=request(), actor=agent, idempotency_key="k-1")
        theirs = create_ticket(request=request(), actor=supervisor, idempotency_key="k-1")

        assert theirs.created
        assert theirs.ticket.pk != mine.ticket.pk
        assert IdempotencyKey.objects.count() == 2

    def test_a_refused_request_does_not_use_up_the_key(self, agent):
        with pytest.raises(ValidationFailed):
            create_ticket(request=request(description=""), actor=agent, idempotency_key="k-1")

        fixed = create_ticket(request=request(), actor=agent, idempotency_key="k-1")

        assert fixed.created

    def test_without_a_key_each_call_is_a_new_ticket(self, agent):
        first = create_ticket(request=request(), actor=agent)
        second = create_ticket(request=request(), actor=agent)

        assert first.ticket.pk != second.ticket.pk


class TestRecorded:
    def test_created_event_names_the_actor(self, agent):
        ticket = intake(agent)

        event = TicketEvent.objects.get(ticket=ticket)
        assert event.action == "created"
        assert event.actor == agent
        assert event.actor_kind == "staff"
        assert event.to_status == Status.NEW
        assert event.after["number"] == ticket.number
        assert ticket.created_by == agent

    def test_the_customer_is_matched_not_duplicated(self, agent):
        first = intake(agent, customer=CustomerDetails(name="张三", phone="13812345678"))
        second = intake(agent, customer=CustomerDetails(name="张三", phone="+86 138-1234-5678"))

        assert first.customer_id == second.customer_id
        assert Customer.objects.count() == 1

    def test_intake_records_the_request(self, agent):
        model = ProductModelFactory(code="KFR-35GW")

        ticket = intake(
            agent, title="客厅空调", description="不制冷", demand="周末上门",
            product_model="KFR-35GW", serial_number=" SN-1 ",
            purchase_date=date(2025, 6, 1), channel="walk_in", type="maintenance",
        )

        ticket.refresh_from_db()
        assert ticket.status == Status.NEW
        assert (ticket.channel, ticket.type) == ("walk_in", "maintenance")
        assert ticket.title == "客厅空调"
        assert ticket.demand == "周末上门"
        assert ticket.product_model == model
        assert ticket.department.code == "customer-service"
        assert ticket.unit.serial_number == "SN-1"
        assert ticket.unit.customer == ticket.customer
        assert ticket.purchase_date == date(2025, 6, 1)

    def test_title_defaults_to_the_first_line_of_the_description(self, agent):
        ticket = intake(agent, description="冰箱不制冷\n已经两天了")

        assert ticket.title == "冰箱不制冷"

    def test_a_known_unit_is_reused_with_its_purchase_date(self, agent):
        ProductModelFactory(code="KFR-35GW")
        first = intake(agent, product_model="KFR-35GW", serial_number="SN-1",
                       purchase_date=date(2025, 6, 1))

        second = intake(agent, product_model="KFR-35GW", serial_number="SN-1")

        assert second.unit_id == first.unit_id
        assert second.purchase_date == date(2025, 6, 1)
        assert Unit.objects.count() == 1


def test_request_digest_ignores_nothing_that_matters():
    base = request()

    assert base.digest() == request().digest()
    assert base.digest() != replace(base, description="另一个问题").digest()
    assert base.digest() != replace(base, customer=CustomerDetails(name="张三",
                                                                   phone="13912345678")).digest()


# Tables intake reads configuration from: each is read from a cache once warm (the SLA policies
# and calendars, product models, the intake department, priority rules, message templates).
CONFIGURATION_TABLES = (
    "sla_slapolicy", "sla_slatarget", "sla_workinginterval", "sla_calendaroverride",
    "sla_calendaryear", "products_productmodel", "accounts_department", "tickets_priorityrule",
    "notifications_messagetemplate",
)


class TestStatements:
    """What one intake costs the database once the process is warm (bench/intake.py)."""

    @staticmethod
    def post(api, serial: str):
        return api.post("/api/v1/tickets", {
            "channel": "phone", "type": "repair", "product_model": "KFR-35GW",
            "serial_number": serial, "customer": {"name": "张三", "phone": "13812345678"},
            "description": "空调开机后吹自然风。",
        })

    def test_a_warm_intake_reads_no_configuration(self, api_as, agent):
        ProductModelFactory(code="KFR-35GW")
        api = api_as(agent)
        assert self.post(api, "SN-1").status_code == 201

        with CaptureQueriesContext(connection) as captured:
            response = self.post(api, "SN-2")

        assert response.status_code == 201
        assert response.json()["deadlines"]  # the clocks were still started
        read = [q["sql"] for q in captured.captured_queries
                if any(f'"{table}"' in q["sql"] for table in CONFIGURATION_TABLES)]
        assert read == []

    def test_the_number_costs_one_statement_and_a_known_token_none(self, api_as, agent):
        ProductModelFactory(code="KFR-35GW")
        api = api_as(agent)
        assert self.post(api, "SN-1").status_code == 201

        with CaptureQueriesContext(connection) as captured:
            assert self.post(api, "SN-2").status_code == 201

        statements = [q["sql"] for q in captured.captured_queries]
        assert len([sql for sql in statements if "ticketdaysequence" in sql]) == 1
        # The token, its user and the roles were read by the first request and kept.
        assert not [sql for sql in statements
                    if "accounts_user_roles" in sql or "accounts_apitoken" in sql]
        assert not [sql for sql in statements if '"notifications_outboxmessage"."id"' in sql
                    and sql.startswith("SELECT")]


    def test_the_new_tickets_clocks_are_written_not_looked_for_first(self, api_as, agent):
        ProductModelFactory(code="KFR-35GW")
        api = api_as(agent)
        assert self.post(api, "SN-1").status_code == 201

        with CaptureQueriesContext(connection) as captured:
            response = self.post(api, "SN-2")

        clock_reads = [q["sql"] for q in captured.captured_queries
                       if q["sql"].startswith("SELECT") and 'FROM "sla_slaclock"' in q["sql"]]
        # None: the answer's deadlines are the clocks just inserted.
        assert clock_reads == []
        assert set(response.json()["deadlines"]) >= {"first_response", "respond", "resolve"}


class TestCachedCatalogue:
    def test_a_new_product_model_is_found_at_once(self, agent):
        with pytest.raises(ValidationFailed):
            intake(agent, product_model="KFR-NEW")
        ProductModelFactory(code="KFR-NEW")

        assert intake(agent, product_model="KFR-NEW").product_model.code == "KFR-NEW"

    def test_a_deactivated_model_is_refused_once_the_cached_copy_expires(
        self, agent, monkeypatch
    ):
        from django.core.cache.backends import locmem

        from fivestar.products.models import ProductModel
        from fivestar.products.selectors import MODEL_CACHE_TTL

        ProductModelFactory(code="KFR-OLD")
        intake(agent, product_model="KFR-OLD")
        ProductModel.objects.filter(code="KFR-OLD").update(is_active=False)
        now = locmem.time.time()
        monkeypatch.setattr(locmem.time, "time", lambda: now + MODEL_CACHE_TTL + 1)

        with pytest.raises(ValidationFailed) as caught:
            intake(agent, product_model="KFR-OLD")
        assert "product_model" in caught.value.fields

    def test_each_intake_gets_its_own_model_object(self, agent):
        ProductModelFactory(code="KFR-35GW")

        first = intake(agent, product_model="KFR-35GW")
        second = intake(agent, product_model="KFR-35GW")

        assert first.product_model == second.product_model
        assert first.product_model is not second.product_model


def test_a_superuser_token_carries_the_administrator_role(db):
    from fivestar.accounts.models import RoleCode, User
    from fivestar.accounts.selectors import user_for_token
    from fivestar.accounts.services import create_api_token, grant_roles

    root = User.objects.create_superuser(username="root", password="pw-root")
    agent = User.objects.create_user(username="agent9", password="pw-agent9")
    grant_roles(user=agent, roles=["agent", "technician"])
    nobody = User.objects.create_user(username="nobody", password="pw-nobody")

    assert user_for_token(raw=create_api_token(user=root)[1]).role_codes() == {
        RoleCode.ADMINISTRATOR}
    assert user_for_token(raw=create_api_token(user=agent)[1]).role_codes() == {
        RoleCode.AGENT, RoleCode.TECHNICIAN}
    assert user_for_token(raw=create_api_token(user=nobody)[1]).role_codes() == frozenset()

