"""The customer portal's pages, through the test client: what a customer sees and can do."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fivestar.customers.services import CustomerDetails
from fivestar.portal.models import CodePurpose
from fivestar.portal.services import send_follow_code
from fivestar.tickets.access import follow_token
from fivestar.tickets.models import Attachment, Reply, Status, Ticket, TicketEvent
from fivestar.tickets.services import (
    Actor,
    TicketRequest,
    Upload,
    add_attachments,
    add_reply,
    create_ticket,
)
from tests.conftest import make_user
from tests.factories import (
    CustomerFactory,
    PartWarrantyFactory,
    ProductModelFactory,
    TicketFactory,
    UnitFactory,
)
from tests.portal.conftest import EXE, PNG, code_messages, code_sent_to, photo

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="token" value="([^"]+)"')


def form_token(client: Client) -> str:
    response = client.get(reverse("portal:submit"))
    return TOKEN.search(response.content.decode()).group(1)


def submission(client: Client, **overrides) -> dict:
    data = {
        "token": form_token(client), "type": "repair",
        "description": "洗衣机脱水时噪音很大，像有东西在撞击。",
        "name": "赵女士", "phone": "139 0000 1234",
        "product_model": "", "serial_number": "", "purchase_date": "", "email": "",
        "address": "",
    }
    return {**data, **overrides}


def follow(client: Client, ticket: Ticket):
    return client.get(reverse("portal:follow", kwargs={"token": follow_token(ticket=ticket)}))


def page_of(client: Client, ticket: Ticket):
    return client.get(reverse("portal:ticket", kwargs={"number": ticket.number}))


def no_inline_code(html: str) -> None:
    """CSP (script-src/style-src 'self'): no inline script, no style attribute, no on* handler."""
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)


@pytest.fixture
def customer():
    return CustomerFactory(name="王先生", phone="+8613812345678")


@pytest.fixture
def ticket(customer):
    return TicketFactory(customer=customer, status=Status.IN_PROGRESS, title="空调不制冷")


class TestHome:
    def test_offers_the_three_ways_and_the_hotline(self, client, settings):
        settings.SERVICE_HOTLINE = "400-888-1234"
        html = client.get(reverse("portal:home")).content.decode()

        for name in ("portal:submit", "portal:track", "portal:account"):
            assert f'href="{reverse(name)}"' in html
        assert "400-888-1234" in html and 'href="tel:4008881234"' in html
        no_inline_code(html)


class TestSubmit:
    def test_a_request_becomes_a_ticket_and_the_confirmation_tells_what_happens_next(
        self, client
    ):
        response = client.post(reverse("portal:submit"), submission(client))

        ticket = Ticket.objects.get()
        assert response.status_code == 302
        assert response.url == reverse("portal:submitted", kwargs={"number": ticket.number})
        assert ticket.channel == "web" and ticket.type == "repair"
        assert ticket.customer.phone == "+8613900001234" and ticket.customer.name == "赵女士"
        html = client.get(response.url).content.decode()
        assert ticket.number in html
        assert "139****1234" in html and "13900001234" not in html
        assert "前联系您" in html  # the first-response promise, from the ticket's deadline
        assert reverse("portal:ticket", kwargs={"number": ticket.number}) in html

    def test_the_form_has_its_fields_and_a_grouped_model_list(self, client):
        model = ProductModelFactory(code="KFR-35", name="壁挂空调")
        html = client.get(reverse("portal:submit")).content.decode()

        assert '<optgroup label="空调">' in html
        assert f'value="{model.code}"' in html and "不确定" in html
        assert 'type="file"' in html and "multiple" in html
        assert 'enctype="multipart/form-data"' in html
        assert 'name="csrfmiddlewaretoken"' in html
        for name in ("type", "description", "photos", "serial_number", "purchase_date",
                     "name", "phone", "email", "address"):
            assert f'name="{name}"' in html
        no_inline_code(html)

    def test_a_bad_phone_is_told_beside_the_field_and_nothing_is_created(self, client):
        response = client.post(reverse("portal:submit"), submission(client, phone="12345"))

        html = response.content.decode()
        assert response.status_code == 200
        assert Ticket.objects.count() == 0
        assert re.search(r'<input[^>]*name="phone"[^>]*aria-invalid="true"', html)
        assert re.search(r'name="phone"[^>]*aria-describedby="[^"]*id_phone_error', html)
        assert 'id="id_phone_error"' in html and "请填写正确的手机号码" in html
        assert "洗衣机脱水时噪音很大" in html  # what the customer typed is kept

    def test_a_purchase_date_in_the_future_is_refused(self, client):
        response = client.post(reverse("portal:submit"),
                               submission(client, purchase_date="2999-01-01"))

        assert 'id="id_purchase_date_error"' in response.content.decode()
        assert Ticket.objects.count() == 0

    def test_a_model_and_a_serial_register_the_unit(self, client):
        ProductModelFactory(code="KFR-35", name="壁挂空调")
        client.post(reverse("portal:submit"), submission(
            client, product_model="KFR-35", serial_number="SN123", purchase_date="2025-05-01"))

        ticket = Ticket.objects.get()
        assert ticket.product_model.code == "KFR-35" and ticket.unit.serial_number == "SN123"

    def test_photos_are_attached(self, client):
        client.post(reverse("portal:submit"),
                    {**submission(client), "photos": [photo("a.png"), photo("b.png")]})

        assert Attachment.objects.filter(ticket=Ticket.objects.get()).count() == 2

    def test_a_file_that_is_not_a_photo_is_told_beside_the_field_and_nothing_is_created(
        self, client
    ):
        response = client.post(reverse("portal:submit"), {
            **submission(client), "photos": [photo("a.png"), photo("setup.exe", EXE)]})

        html = response.content.decode()
        assert Ticket.objects.count() == 0 and Attachment.objects.count() == 0
        assert 'id="id_photos_error"' in html and "setup.exe" in html
        assert "重新选择" in html  # the browser cannot keep the chosen files

    def test_a_photo_over_the_size_limit_is_refused(self, client, settings):
        settings.ATTACHMENT_MAX_BYTES = 10
        response = client.post(reverse("portal:submit"),
                               {**submission(client), "photos": [photo("big.png", PNG)]})

        assert "big.png" in response.content.decode() and Ticket.objects.count() == 0

    def test_a_double_submit_creates_one_ticket(self, client):
        data = submission(client)
        first = client.post(reverse("portal:submit"), data)
        second = client.post(reverse("portal:submit"), data)

        assert Ticket.objects.count() == 1
        assert first.url == second.url

    def test_a_forged_form_token_is_refused(self, client):
        response = client.post(reverse("portal:submit"), submission(client, token="forged"))

        assert Ticket.objects.count() == 0
        assert "页面已过期" in response.content.decode()
        new_token = TOKEN.search(response.content.decode()).group(1)
        assert new_token != "forged"
        client.post(reverse("portal:submit"), submission(client, token=new_token))
        assert Ticket.objects.count() == 1

    def test_too_many_requests_from_one_phone_are_refused(self, client, settings):
        settings.PORTAL_SUBMIT_LIMIT_PER_PHONE = 1
        client.post(reverse("portal:submit"), submission(client))
        response = client.post(reverse("portal:submit"), submission(client))

        assert Ticket.objects.count() == 1
        assert "操作太频繁" in response.content.decode()

    def test_the_confirmation_of_someone_elses_request_is_not_found(self, client):
        client.post(reverse("portal:submit"), submission(client))
        number = Ticket.objects.get().number

        response = Client().get(reverse("portal:submitted", kwargs={"number": number}))
        assert response.status_code == 404


class TestFollowLink:
    def test_the_link_opens_the_ticket_in_this_browser(self, client, ticket):
        response = follow(client, ticket)

        assert response.status_code == 302
        assert response.url == reverse("portal:ticket", kwargs={"number": ticket.number})
        page = client.get(response.url)
        assert page.status_code == 200 and "空调不制冷" in page.content.decode()

    def test_without_the_link_the_ticket_is_not_found(self, client, ticket):
        assert page_of(client, ticket).status_code == 404

    def test_a_link_for_one_ticket_does_not_open_another(self, client, ticket):
        other = TicketFactory(customer=CustomerFactory(), title="别人的工单")
        follow(client, ticket)

        response = page_of(client, other)
        assert response.status_code == 404
        assert "别人的工单" not in response.content.decode()

    def test_a_broken_link_is_not_found(self, client, ticket):
        token = follow_token(ticket=ticket)
        response = client.get(reverse("portal:follow", kwargs={"token": token[:-2] + "xx"}))

        assert response.status_code == 404
        assert reverse("portal:track") in response.content.decode()

    def test_an_expired_link_says_so_and_offers_the_code(self, client, ticket, settings):
        settings.PORTAL_LINK_MAX_AGE_DAYS = -1
        response = follow(client, ticket)

        assert response.status_code == 404
        assert "过期" in response.content.decode()
        assert page_of(client, ticket).status_code == 404


class TestTrackByCode:
    def test_number_phone_and_code_open_the_ticket(self, client, ticket):
        response = client.post(reverse("portal:track"),
                               {"number": ticket.number.lower(), "phone": "13812345678"})
        assert response.url == reverse("portal:track_verify")
        html = client.get(response.url).content.decode()
        assert "138****5678" in html and 'autocomplete="one-time-code"' in html

        code = code_sent_to("+8613812345678")
        response = client.post(reverse("portal:track_verify"), {"code": code})

        assert response.url == reverse("portal:ticket", kwargs={"number": ticket.number})
        assert client.get(response.url).status_code == 200

    def test_a_wrong_phone_looks_the_same_and_sends_nothing(self, client, ticket):
        right = Client().post(reverse("portal:track"),
                              {"number": ticket.number, "phone": "13812345678"})
        wrong = client.post(reverse("portal:track"),
                            {"number": ticket.number, "phone": "13912345678"})
        unknown = Client().post(reverse("portal:track"),
                                {"number": "SR-20000101-999999", "phone": "13912345678"})

        assert right.status_code == wrong.status_code == unknown.status_code == 302
        assert right.url == wrong.url == unknown.url
        assert code_messages() == 1
        verify = client.post(reverse("portal:track_verify"), {"code": "123456"})
        assert verify.status_code == 200 and 'id="id_code_error"' in verify.content.decode()
        assert page_of(client, ticket).status_code == 404

    def test_a_wrong_code_is_told_beside_the_field(self, client, ticket):
        client.post(reverse("portal:track"), {"number": ticket.number, "phone": "13812345678"})
        code = code_sent_to("+8613812345678")
        wrong = f"{(int(code) + 1) % 1000000:06d}"

        response = client.post(reverse("portal:track_verify"), {"code": wrong})

        html = response.content.decode()
        assert re.search(r'name="code"[^>]*aria-invalid="true"', html)
        assert "验证码不正确" in html
        assert page_of(client, ticket).status_code == 404

    def test_resend_sends_a_new_code(self, client, ticket):
        client.post(reverse("portal:track"), {"number": ticket.number, "phone": "13812345678"})
        client.post(reverse("portal:track_resend"))

        assert code_messages() == 2

    def test_the_code_page_without_a_request_goes_back_to_the_form(self, client):
        assert client.get(reverse("portal:track_verify")).url == reverse("portal:track")


class TestTicketPage:
    @pytest.fixture
    def conversation(self, ticket):
        agent = make_user("wangfang", "agent", display_name="王芳")
        add_reply(ticket=ticket, actor=Actor(user=agent), body="您好，已安排工程师。")
        add_reply(ticket=ticket, actor=Actor(user=agent), body="内部：备件缺货", internal=True)
        add_reply(ticket=ticket, actor=Actor(user=None, as_customer=True), body="好的，谢谢")
        nameless = make_user("tech-login-7", "technician")
        add_reply(ticket=ticket, actor=Actor(user=nameless), body="明天上午上门。")
        return ticket

    def test_shows_public_replies_with_display_names_only(self, client, conversation):
        follow(client, conversation)
        html = page_of(client, conversation).content.decode()

        assert "您好，已安排工程师。" in html and "好的，谢谢" in html
        assert "明天上午上门。" in html
        assert "内部：备件缺货" not in html
        assert "王芳" in html
        assert "wangfang" not in html and "tech-login-7" not in html
        no_inline_code(html)

    def test_shows_the_steps_and_the_customers_phone_masked(self, client, ticket):
        follow(client, ticket)
        html = page_of(client, ticket).content.decode()

        assert 'aria-current="step"' in html and "处理中" in html
        assert "138****5678" in html and "13812345678" not in html

    def test_waiting_for_the_customer_is_highlighted_with_the_reason(self, client, ticket):
        Ticket.objects.filter(pk=ticket.pk).update(status=Status.WAITING_CUSTOMER)
        TicketEvent.objects.create(ticket=ticket, action="wait_customer", note="请拍一张铭牌照片")
        follow(client, ticket)
        html = page_of(client, ticket).content.decode()

        assert "需要您的回复" in html and "请拍一张铭牌照片" in html
        assert "waiting-you" in html

    def test_the_customer_replies_and_the_reply_is_theirs(self, client, ticket):
        follow(client, ticket)
        response = client.post(reverse("portal:reply", kwargs={"number": ticket.number}),
                               {"body": "噪音还在", "photos": [photo()]})

        assert response.status_code == 302
        reply = Reply.objects.get(ticket=ticket)
        assert reply.from_customer and not reply.internal and reply.author is None
        assert reply.attachments.count() == 1
        assert "噪音还在" in client.get(response.url).content.decode()

    def test_an_htmx_reply_answers_with_the_conversation_only(self, client, ticket):
        follow(client, ticket)
        response = client.post(reverse("portal:reply", kwargs={"number": ticket.number}),
                               {"body": "补充：型号 KFR-35"}, headers={"HX-Request": "true"})

        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith('<section class="card" id="conversation"')
        assert "补充：型号 KFR-35" in html and "<html" not in html

    def test_an_empty_reply_is_told_beside_the_field(self, client, ticket):
        follow(client, ticket)
        response = client.post(reverse("portal:reply", kwargs={"number": ticket.number}),
                               {"body": " "}, headers={"HX-Request": "true"})

        assert 'id="id_body_error"' in response.content.decode()
        assert Reply.objects.count() == 0

    def test_replying_to_someone_elses_ticket_is_not_found(self, client, ticket):
        other = TicketFactory(customer=CustomerFactory())
        follow(client, ticket)

        response = client.post(reverse("portal:reply", kwargs={"number": other.number}),
                               {"body": "hi"})
        assert response.status_code == 404 and Reply.objects.count() == 0

    def test_more_photos(self, client, ticket):
        follow(client, ticket)
        html = page_of(client, ticket).content.decode()
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), "ids on the page must be unique"
        response = client.post(reverse("portal:photos", kwargs={"number": ticket.number}),
                               {"more-photos": [photo("1.png"), photo("2.png")]})

        assert response.status_code == 302
        assert Attachment.objects.filter(ticket=ticket, reply=None).count() == 2
        event = TicketEvent.objects.get(ticket=ticket, action="attachment")
        assert event.actor_kind == "customer"

    def test_solved_closes_the_ticket(self, client, ticket):
        Ticket.objects.filter(pk=ticket.pk).update(status=Status.RESOLVED, resolution="已更换电容")
        follow(client, ticket)
        html = page_of(client, ticket).content.decode()
        assert "问题解决了吗" in html and "已更换电容" in html and "data-confirm" in html

        client.post(reverse("portal:confirm", kwargs={"number": ticket.number}),
                    {"solved": "yes"})

        ticket.refresh_from_db()
        assert ticket.status == Status.CLOSED and ticket.customer_confirmed
        assert "工单已关闭" in page_of(client, ticket).content.decode()

    def test_not_solved_needs_a_reason_then_reopens_the_work(self, client, ticket):
        Ticket.objects.filter(pk=ticket.pk).update(status=Status.RESOLVED)
        follow(client, ticket)
        url = reverse("portal:confirm", kwargs={"number": ticket.number})

        response = client.post(url, {"solved": "no", "reason": ""})
        assert 'id="id_reason_error"' in response.content.decode()
        ticket.refresh_from_db()
        assert ticket.status == Status.RESOLVED

        client.post(url, {"solved": "no", "reason": "开机十分钟后又不制冷了"})
        ticket.refresh_from_db()
        assert ticket.status == Status.IN_PROGRESS
        assert TicketEvent.objects.get(ticket=ticket, action="confirm").note == (
            "开机十分钟后又不制冷了")

    def test_confirming_twice_says_the_ticket_moved_on(self, client, ticket):
        Ticket.objects.filter(pk=ticket.pk).update(status=Status.RESOLVED)
        follow(client, ticket)
        url = reverse("portal:confirm", kwargs={"number": ticket.number})
        client.post(url, {"solved": "yes"})

        response = client.post(url, {"solved": "yes"}, follow=True)
        assert response.status_code == 200
        assert "flash-error" in response.content.decode()

    def test_a_closed_ticket_can_be_reopened_with_a_reason(self, client, ticket):
        Ticket.objects.filter(pk=ticket.pk).update(status=Status.CLOSED)
        follow(client, ticket)
        html = page_of(client, ticket).content.decode()
        assert "问题又出现了" in html and 'id="reply-form"' not in html

        client.post(reverse("portal:reopen", kwargs={"number": ticket.number}),
                    {"reason": "又漏水了"})
        ticket.refresh_from_db()
        assert ticket.status == Status.IN_PROGRESS and ticket.reopen_count == 1

    def test_files_open_for_the_customer_but_not_internal_or_other_ones(self, client, ticket):
        agent = make_user("agent7", "agent")
        photo_row = add_attachments(
            ticket=ticket, actor=Actor(user=None, as_customer=True),
            uploads=[Upload(name="a.png", content=photo(), size=len(PNG))],
        )[0]
        note = add_reply(ticket=ticket, actor=Actor(user=agent), body="内部", internal=True,
                         uploads=[Upload(name="int.png", content=photo(), size=len(PNG))])
        other = TicketFactory(customer=CustomerFactory())
        foreign = add_attachments(ticket=other, actor=Actor(user=agent),
                                  uploads=[Upload(name="x.png", content=photo(), size=len(PNG))])[0]
        follow(client, ticket)

        def get(attachment_id: int, number: str = ticket.number):
            return client.get(reverse("portal:attachment", kwargs={
                "number": number, "attachment_id": attachment_id}))

        response = get(photo_row.pk)
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content) == PNG
        assert get(note.attachments.get().pk).status_code == 404
        assert get(foreign.pk).status_code == 404
        assert get(foreign.pk, other.number).status_code == 404

    def test_query_count_does_not_grow_with_the_conversation(self, client, ticket):
        follow(client, ticket)
        agent = make_user("agent8", "agent", display_name="李娜")

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert page_of(client, ticket).status_code == 200
            return len(captured)

        for n in range(10):
            add_reply(ticket=ticket, actor=Actor(user=agent), body=f"回复 {n}",
                      uploads=[Upload(name="a.png", content=photo(), size=len(PNG))])
        ten = queries()
        for n in range(40):
            add_reply(ticket=ticket, actor=Actor(user=agent), body=f"更多 {n}")
        assert queries() == ten


class TestAccount:
    @pytest.fixture
    def account(self, customer):
        user = make_user("cust9", "customer")
        customer.user = user
        customer.save()
        return user

    def test_signing_in_with_a_password_lists_the_tickets_and_units(self, client, account,
                                                                     customer, ticket):
        UnitFactory(customer=customer, serial_number="AC777",
                    purchase_date=timezone.localdate() - timedelta(days=30),
                    product_model=ProductModelFactory(name="柜式空调"))
        UnitFactory(customer=customer, serial_number="TV555", purchase_date="2020-01-10",
                    product_model=ProductModelFactory(name="电视"))
        other = TicketFactory(customer=CustomerFactory(), title="别人的空调")
        client.post(reverse("portal:account_login"),
                    {"username": "cust9", "password": "pw-cust9"})

        html = client.get(reverse("portal:account")).content.decode()

        assert ticket.number in html and "空调不制冷" in html
        assert "柜式空调" in html and "AC777" in html and "在保" in html
        assert "TV555" in html and "已过保" in html
        assert other.number not in html and "别人的空调" not in html
        assert "138****5678" in html and "13812345678" not in html
        assert page_of(client, ticket).status_code == 200
        assert page_of(client, other).status_code == 404
        no_inline_code(html)

    def test_a_wrong_password_is_told_beside_the_form(self, client, account):
        response = client.post(reverse("portal:account_login"),
                               {"username": "cust9", "password": "nope"})

        assert 'role="alert"' in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_a_staff_account_is_refused_like_a_wrong_password(self, client):
        # The customer-facing form does not tell that a staff account exists (issue 18).
        make_user("agent5", "agent")
        response = client.post(reverse("portal:account_login"),
                               {"username": "agent5", "password": "pw-agent5"})

        assert "用户名或密码不正确。" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_signing_in_by_phone_and_code(self, client, customer, ticket):
        response = client.post(reverse("portal:account_code"), {"phone": "138-1234-5678"})
        assert response.url == reverse("portal:account_verify")

        response = client.post(reverse("portal:account_verify"),
                               {"code": code_sent_to("+8613812345678")})
        assert response.url == reverse("portal:account")
        html = client.get(response.url).content.decode()
        assert ticket.number in html
        assert page_of(client, ticket).status_code == 200

    def test_an_unknown_phone_gets_the_same_answer(self, client, customer):
        response = client.post(reverse("portal:account_code"), {"phone": "13700000000"})

        assert response.url == reverse("portal:account_verify")
        assert code_messages() == 0

    def test_signing_out_forgets_the_tickets(self, client, account, ticket):
        client.post(reverse("portal:account_login"),
                    {"username": "cust9", "password": "pw-cust9"})
        follow(client, TicketFactory(customer=CustomerFactory()))

        client.post(reverse("portal:account_logout"))

        assert "手机验证码登录" in client.get(reverse("portal:account")).content.decode()
        assert page_of(client, ticket).status_code == 404

    def test_an_empty_account_has_its_empty_state(self, client, customer):
        send_follow_code(purpose=CodePurpose.ACCOUNT, phone="13812345678", address="x")
        client.post(reverse("portal:account_code"), {"phone": "13812345678"})
        client.post(reverse("portal:account_verify"), {"code": code_sent_to("+8613812345678")})

        html = client.get(reverse("portal:account")).content.decode()
        assert "您还没有工单" in html and "还没有登记的设备" in html

    def test_query_count_does_not_grow_with_tickets_and_units(self, client, account, customer):
        client.post(reverse("portal:account_login"),
                    {"username": "cust9", "password": "pw-cust9"})

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(reverse("portal:account")).status_code == 200
            return len(captured)

        agent = make_user("agent6", "agent")

        def add(n: int) -> None:
            # Through intake, so that every ticket has its deadline clocks.
            for i in range(n):
                model = ProductModelFactory()
                PartWarrantyFactory(policy=model.warranty_policy)
                create_ticket(request=TicketRequest(
                    channel="phone", type="repair", description=f"第 {i} 个问题",
                    customer=CustomerDetails(name="王先生", phone="13812345678"),
                    product_model=model.code, serial_number=f"SN-{model.code}",
                    purchase_date=timezone.localdate() - timedelta(days=100),
                ), actor=agent)

        add(10)
        ten = queries()
        add(40)
        assert queries() == ten
