"""Phone intake (来电登记) as an agent uses it: find the caller, pick a unit, describe, submit."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fivestar.customers.models import Customer
from fivestar.products.models import Unit
from fivestar.products.selectors import add_months
from fivestar.tickets.models import Priority, Ticket
from tests.conftest import make_user
from tests.factories import TicketFactory
from tests.workspace.pages import field_error, html

pytestmark = pytest.mark.django_db

URL = "/workspace/intake/"


@pytest.fixture
def caller(fridge) -> Customer:
    customer = Customer.objects.create(name="周明辉", phone="+8618819134895",
                                       address="江苏省南京市秦淮区中华路 8 号")
    Unit.objects.create(product_model=fridge, serial_number="RF001", customer=customer,
                        purchase_date=timezone.localdate() - timedelta(days=100))
    return customer


def form(**overrides) -> dict:
    data = {
        "phone": "18819134895", "unit": "", "type": "repair", "channel": "phone",
        "description": "冰箱不制冷，冷藏室温度很高", "demand": "尽快上门",
        "idempotency_key": "k-" + "1" * 30,
    }
    data.update(overrides)
    return data




class TestPage:
    def test_the_page_opens_on_the_phone_field(self, desk):
        response = desk.get(URL)

        assert response.status_code == 200
        page = html(response)
        assert re.search(r'<input type="tel" name="phone" id="id_phone"[^>]*autofocus', page, re.S)
        assert 'name="idempotency_key"' in page
        assert '<option value="phone" selected>' in page  # channel defaults to phone

    def test_visitors_sign_in_first_and_customers_are_refused(self, client_for):
        assert Client().get(URL).status_code == 302
        customer = make_user("cust1", "customer")
        assert client_for(customer).get(URL).status_code == 403

    def test_every_form_carries_a_new_one_time_key(self, desk):
        keys = {re.search(r'name="idempotency_key" value="(\w+)"', html(desk.get(URL))).group(1)
                for _ in range(2)}
        assert len(keys) == 2


class TestCallerLookup:
    def test_a_known_number_shows_the_customer_units_with_warranty_and_recent_tickets(
        self, desk, caller, fridge
    ):
        TicketFactory(customer=caller, number="SR-20261101-000007", title="冰箱结霜")

        page = html(desk.get("/workspace/intake/caller/", {"phone": "188 1913 4895"}))

        assert "周明辉" in page
        assert "BCD-470" in page and "RF001" in page
        unit = caller.units.get()
        # Covered up to the day before the 36-month anniversary, and shown that way.
        last_day = add_months(unit.purchase_date, 36) - timedelta(days=1)
        assert f"在保，至 {last_day:%Y-%m-%d}" in page
        assert 'href="/workspace/tickets/SR-20261101-000007/"' in page
        assert "冰箱结霜" in page
        # The only unit is picked already, so the agent can go straight on.
        assert re.search(rf'value="{unit.pk}" checked', page)
        # The address is masked (SPEC §9).
        assert "中华路 8 号" not in page and "江苏省南京市秦淮区****" in page

    def test_an_expired_warranty_says_so_with_its_end_date(self, desk, caller, fridge):
        Unit.objects.create(product_model=fridge, serial_number="OLD1", customer=caller,
                            purchase_date=date(2019, 5, 1))

        page = html(desk.get("/workspace/intake/caller/", {"phone": "18819134895"}))

        # Three years from 2019-05-01: the last day covered was 2022-04-30.
        assert "已过保（2022-04-30 到期）" in page

    def test_a_new_number_asks_for_name_and_address(self, desk):
        page = html(desk.get("/workspace/intake/caller/", {"phone": "13900001111"}))

        assert "新客户" in page
        assert 'name="name"' in page and 'name="address"' in page

    def test_a_number_still_being_typed_finds_nobody_yet(self, desk, caller):
        page = html(desk.get("/workspace/intake/caller/", {"phone": "18819"}))

        assert "周明辉" not in page and "新客户" not in page

    def test_the_lookup_costs_the_same_queries_for_few_or_many_units_and_tickets(
        self, desk, caller, fridge
    ):
        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                desk.get("/workspace/intake/caller/", {"phone": "18819134895"})
            return len(captured)

        few = queries()
        for n in range(10):
            Unit.objects.create(product_model=fridge, serial_number=f"MANY{n}", customer=caller)
            TicketFactory(customer=caller)
        assert queries() == few


class TestPriorityHint:
    def test_the_proposed_priority_follows_the_text_with_the_keywords(self, desk):
        page = html(desk.post("/workspace/intake/priority/",
                              {"description": "服务器宕机，数据丢失", "priority": ""}))

        assert 'class="prio prio-P1"' in page
        assert "宕机" in page and "数据丢失" in page

    def test_the_agents_own_choice_stays_selected(self, desk):
        page = html(desk.post("/workspace/intake/priority/",
                              {"description": "咨询保养", "priority": "P2"}))

        assert '<option value="P2" selected>' in page


def test_the_model_typeahead_finds_models_by_code_or_name(desk, fridge):
    assert "BCD-470" in html(desk.get("/workspace/intake/models/", {"product_model": "bcd"}))
    assert "BCD-470" in html(desk.get("/workspace/intake/models/", {"product_model": "对开门"}))
    assert "BCD-470" not in html(desk.get("/workspace/intake/models/",
                                          {"product_model": "洗衣机"}))


class TestCreate:
    def test_a_returning_customers_repair_becomes_a_ticket_on_their_unit(self, desk, caller):
        unit = caller.units.get()

        response = desk.post(URL, form(unit=str(unit.pk)), follow=True)

        ticket = Ticket.objects.get()
        assert response.redirect_chain[-1][0] == f"/workspace/tickets/{ticket.number}/"
        assert f"已创建工单 {ticket.number}" in html(response)
        assert ticket.customer == caller and ticket.unit == unit
        assert ticket.product_model.code == "BCD-470" and ticket.serial_number == "RF001"
        assert ticket.channel == "phone" and ticket.created_by.username == "agent1"
        assert Customer.objects.count() == 1
        # Proposed from the text ("不制冷" is a P2 keyword) and waiting for an agent's word.
        assert ticket.priority == Priority.P2 and not ticket.priority_confirmed

    def test_the_agents_priority_is_taken_as_confirmed(self, desk, caller):
        desk.post(URL, form(priority="P1"))

        ticket = Ticket.objects.get()
        assert ticket.priority == Priority.P1 and ticket.priority_confirmed

    def test_a_new_customer_with_a_new_unit(self, desk, fridge):
        response = desk.post(URL, form(
            phone="13900001111", name="新客户甲", address="上海市浦东新区张杨路 1 号",
            unit="new", product_model="BCD-470", serial_number="NEW-1",
            purchase_date="2025-01-02",
        ))

        assert response.status_code == 302
        ticket = Ticket.objects.get()
        assert ticket.customer.name == "新客户甲" and ticket.customer.phone == "+8613900001111"
        assert ticket.unit.serial_number == "NEW-1"
        assert ticket.unit.purchase_date == date(2025, 1, 2)

    def test_a_double_submit_creates_one_ticket_and_lands_on_it(self, desk, caller):
        first = desk.post(URL, form())
        second = desk.post(URL, form())

        assert Ticket.objects.count() == 1
        assert first.url == second.url == f"/workspace/tickets/{Ticket.objects.get().number}/"

    def test_the_same_key_with_a_changed_form_is_refused_and_a_new_key_offered(
        self, desk, caller
    ):
        desk.post(URL, form())

        response = desk.post(URL, form(description="另一个问题：洗衣机漏水"))

        assert response.status_code == 409
        assert Ticket.objects.count() == 1
        assert "这张表单已经提交过" in html(response)
        assert "k-" + "1" * 30 not in html(response)
        # Sent again as it now stands, it is a new request.
        key = re.search(r'name="idempotency_key" value="(\w+)"', html(response)).group(1)
        desk.post(URL, form(description="另一个问题：洗衣机漏水", idempotency_key=key))
        assert Ticket.objects.count() == 2

    def test_missing_description_is_shown_beside_its_field(self, desk, caller):
        response = desk.post(URL, form(description=""))

        assert response.status_code == 422
        page = html(response)
        assert "请描述问题" in field_error(page, "description")
        assert re.search(r'id="id_description"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*'
                         r'id="id_description"', page)
        assert not Ticket.objects.exists()

    def test_a_new_customer_needs_a_name(self, desk):
        response = desk.post(URL, form(phone="13900002222"))

        assert response.status_code == 422
        assert "姓名" in field_error(html(response), "name")
        assert not Customer.objects.exists()

    def test_a_missing_name_is_reported_with_the_other_fields_at_once(self, desk):
        response = desk.post(URL, form(phone="13900002222", description=""))

        page = html(response)
        assert "姓名" in field_error(page, "name")
        assert "请描述问题" in field_error(page, "description")

    def test_a_bad_phone_number_is_shown_beside_the_phone(self, desk):
        response = desk.post(URL, form(phone="12345", name="某人"))

        assert response.status_code == 422
        assert "手机号码" in field_error(html(response), "phone")
        assert 'aria-describedby="id_phone_error"' in html(response)

    def test_an_unknown_model_is_shown_beside_the_model(self, desk, caller):
        response = desk.post(URL, form(unit="new", product_model="NOPE-1", serial_number="X"))

        assert response.status_code == 422
        assert "未知的产品型号" in field_error(html(response), "product_model")
        assert not Ticket.objects.exists()

    def test_a_received_time_in_the_future_is_refused(self, desk, caller):
        later = timezone.localtime() + timedelta(hours=3)

        response = desk.post(URL, form(received_at=later.strftime("%Y-%m-%dT%H:%M")))

        assert response.status_code == 422
        assert "不能晚于现在" in field_error(html(response), "received_at")

    def test_a_unit_of_another_customer_cannot_be_attached(self, desk, caller, fridge):
        stranger = Customer.objects.create(name="别人", phone="+8613700001111")
        theirs = Unit.objects.create(product_model=fridge, serial_number="THEIRS",
                                     customer=stranger)

        response = desk.post(URL, form(unit=str(theirs.pk)))

        assert response.status_code == 422
        assert "不属于" in field_error(html(response), "unit")
        assert not Ticket.objects.exists()

    def test_a_failed_submit_keeps_what_was_typed(self, desk, caller):
        unit = caller.units.get()

        page = html(desk.post(URL, form(unit=str(unit.pk), description="", demand="周末上门",
                                        title="冰箱")))

        assert 'value="周末上门"' in page and 'value="冰箱"' in page
        assert re.search(rf'value="{unit.pk}" checked', page)
