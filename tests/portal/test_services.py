"""The portal's commands: submitting a request, one-time codes, the customer's answers."""

import io

import pytest
from django.utils import timezone

from fivestar.core.errors import PayloadTooLarge, ValidationFailed
from fivestar.customers.services import CustomerDetails
from fivestar.notifications.models import OutboxMessage
from fivestar.portal.models import CodePurpose, FollowCode, PortalSubmission
from fivestar.portal.services import (
    CodeSent,
    TooManyRequests,
    send_follow_code,
    submit_request,
    verify_follow_code,
)
from fivestar.tickets.models import Attachment, Status, Ticket, TicketEvent
from fivestar.tickets.services import Actor, TicketRequest, Upload
from tests.factories import CustomerFactory, TicketFactory
from tests.portal.conftest import EXE, PNG, code_messages, code_sent_to

pytestmark = pytest.mark.django_db

CUSTOMER = Actor(user=None, as_customer=True)


def request(**overrides) -> TicketRequest:
    values = {
        "channel": "web", "type": "repair",
        "customer": CustomerDetails(name="赵女士", phone="13900001234"),
        "description": "洗衣机脱水时噪音很大。",
    }
    return TicketRequest(**{**values, **overrides})


def upload(name: str, data: bytes) -> Upload:
    return Upload(name=name, content=io.BytesIO(data), size=len(data))


@pytest.fixture
def ticket():
    return TicketFactory(status=Status.IN_PROGRESS,
                         customer=CustomerFactory(phone="+8613812345678"))


class TestSubmitRequest:
    def test_creates_a_web_ticket_made_by_the_customer_with_its_photos(self):
        result = submit_request(request=request(), uploads=[upload("a.png", PNG)], token="t1",
                                address="10.0.0.1")

        ticket = result.ticket
        assert result.created
        assert ticket.channel == "web" and ticket.created_by is None
        assert ticket.customer.phone == "+8613900001234"
        created = TicketEvent.objects.get(ticket=ticket, action="created")
        assert created.actor is None and created.actor_kind == "customer"
        assert Attachment.objects.filter(ticket=ticket).count() == 1

    def test_the_customer_is_told_the_number_by_sms(self):
        ticket = submit_request(request=request(), uploads=[], token="t1", address="a").ticket

        sms = OutboxMessage.objects.get(template_code="ticket_created", channel="sms")
        assert sms.recipient == "+8613900001234"
        assert ticket.number in sms.body

    def test_the_same_token_twice_creates_one_ticket(self):
        first = submit_request(request=request(), uploads=[], token="same", address="a")
        second = submit_request(request=request(), uploads=[], token="same", address="a")

        assert second.ticket == first.ticket and not second.created
        assert Ticket.objects.count() == 1

    def test_a_rejected_photo_creates_nothing_at_all(self):
        with pytest.raises(ValidationFailed) as raised:
            submit_request(request=request(), uploads=[upload("a.png", PNG),
                                                       upload("virus.exe", EXE)],
                           token="t1", address="a")

        assert "file" in raised.value.fields
        assert Ticket.objects.count() == 0
        assert Attachment.objects.count() == 0
        assert PortalSubmission.objects.count() == 0
        assert OutboxMessage.objects.count() == 0

    def test_a_photo_over_the_limit_creates_nothing(self, settings):
        settings.ATTACHMENT_MAX_BYTES = 10
        with pytest.raises(PayloadTooLarge):
            submit_request(request=request(), uploads=[upload("a.png", PNG)], token="t1",
                           address="a")
        assert Ticket.objects.count() == 0

    def test_after_a_refusal_the_same_token_can_be_used_again(self):
        with pytest.raises(ValidationFailed):
            submit_request(request=request(description=""), uploads=[], token="t1",
                           address="a")

        assert submit_request(request=request(), uploads=[], token="t1", address="a").created

    def test_submissions_are_limited_per_phone(self, settings):
        settings.PORTAL_SUBMIT_LIMIT_PER_PHONE = 2
        for token in ("t1", "t2"):
            submit_request(request=request(), uploads=[], token=token, address=token)

        with pytest.raises(TooManyRequests):
            submit_request(request=request(customer=CustomerDetails(
                name="赵女士", phone="+86 139 0000 1234")), uploads=[], token="t3", address="x")
        assert Ticket.objects.count() == 2

    def test_submissions_are_limited_per_address(self, settings):
        settings.PORTAL_SUBMIT_LIMIT_PER_ADDRESS = 1
        submit_request(request=request(), uploads=[], token="t1", address="10.0.0.9")

        with pytest.raises(TooManyRequests):
            submit_request(request=request(customer=CustomerDetails(
                name="钱", phone="13700000000")), uploads=[], token="t2", address="10.0.0.9")


class TestFollowCodes:
    def test_the_right_number_and_phone_get_a_code_by_sms(self, ticket):
        answer = send_follow_code(purpose=CodePurpose.TICKET, number=ticket.number,
                                  phone="138 1234 5678", address="a")

        assert answer == CodeSent(masked_phone="138****5678", minutes=10)
        code = code_sent_to("+8613812345678")
        row = FollowCode.objects.get()
        assert row.ticket == ticket and row.purpose == "ticket"
        assert code not in row.code_hash and len(row.code_hash) == 64
        assert 9 <= (row.expires_at - timezone.now()).total_seconds() / 60 <= 10

    @pytest.mark.parametrize("number, phone", [
        ("SR-20000101-999999", "13812345678"),  # no such ticket
        (None, "13912345678"),  # the ticket, another phone
    ])
    def test_a_wrong_number_or_phone_gets_the_same_answer_and_no_code(self, ticket, number,
                                                                         phone):
        answer = send_follow_code(purpose=CodePurpose.TICKET, number=number or ticket.number,
                                  phone=phone, address="a")

        assert answer.minutes == 10 and answer.masked_phone.endswith(phone[-4:])
        assert code_messages() == 0 and FollowCode.objects.count() == 0

    def test_the_code_opens_the_ticket_once(self, ticket):
        send_follow_code(purpose=CodePurpose.TICKET, number=ticket.number,
                         phone="13812345678", address="a")
        code = code_sent_to("+8613812345678")

        row = verify_follow_code(purpose=CodePurpose.TICKET, number=ticket.number.lower(),
                                 phone="+86 138-1234-5678", code=code, address="a")
        assert row.ticket == ticket and row.used_at is not None

        with pytest.raises(ValidationFailed) as raised:
            verify_follow_code(purpose=CodePurpose.TICKET, number=ticket.number,
                               phone="13812345678", code=code, address="a")
        assert "code" in raised.value.fields

    def test_a_code_is_for_its_own_ticket_only(self, ticket):
        other = TicketFactory(customer=ticket.customer)
        send_follow_code(purpose=CodePurpose.TICKET, number=ticket.number,
                         phone="13812345678", address="a")
        code = code_sent_to("+8613812345678")

        with pytest.raises(ValidationFailed):
            verify_follow_code(purpose=CodePurpose.TICKET, number=other.number,
                               phone="13812345678", code=code, address="a")

    def test_five_wrong_tries_use_the_code_up(self, ticket):
        send_follow_code(purpose=CodePurpose.TICKET, number=ticket.number,
                         phone="13812345678", address="a")
        code = code_sent_to("+8613812345678")
        wrong = f"{(int(code) + 1) % 1000000:06d}"
        for _ in range(5):
            with pytest.raises(ValidationFailed):
                verify_follow_code(purpose=CodePurpose.TICKET, number=ticket.number,
                                   phone="13812345678", code=wrong, address="a")

        with pytest.raises(ValidationFailed):
            verify_follow_code(purpose=CodePurpose.TICKET, number=ticket.number,
                               phone="13812345678", code=code, address="a")

    def test_an_expired_code_is_refused(self, ticket):
        send_follow_code(purpose=CodePurpose.TICKET, number=ticket.number,
                         phone="13812345678", address="a")
        code = code_sent_to("+8613812345678")
        FollowCode.objects.update(expires_at=timezone.now())

        with pytest.raises(ValidationFailed):
            verify_follow_code(purpose=CodePurpose.TICKET, number=ticket.number,
                               phone="13812345678", code=code, address="a")

    def test_a_new_code_replaces_the_old_one(self, ticket):
        send_follow_code(purpose=CodePurpose.TICKET, number=ticket.number,
                         phone="13812345678", address="a")
        old = code_sent_to("+8613812345678")
        send_follow_code(purpose=CodePurpose.TICKET, number=ticket.number,
                         phone="13812345678", address="a")
        new = code_sent_to("+8613812345678")

        if old != new:
            with pytest.raises(ValidationFailed):
                verify_follow_code(purpose=CodePurpose.TICKET, number=ticket.number,
                                   phone="13812345678", code=old, address="a")
        assert verify_follow_code(purpose=CodePurpose.TICKET, number=ticket.number,
                                  phone="13812345678", code=new, address="a").ticket == ticket

    def test_sending_is_limited_per_ticket_number(self, ticket, settings):
        settings.PORTAL_CODE_SEND_LIMIT = 2
        for address in ("a", "b"):
            send_follow_code(purpose=CodePurpose.TICKET, number=ticket.number,
                             phone="13812345678", address=address)

        with pytest.raises(TooManyRequests):
            send_follow_code(purpose=CodePurpose.TICKET, number=ticket.number,
                             phone="13812345678", address="c")
        assert code_messages() == 2

    def test_the_limit_holds_for_unknown_numbers_too(self, settings):
        settings.PORTAL_CODE_SEND_LIMIT_PER_ADDRESS = 2
        for n in range(2):
            send_follow_code(purpose=CodePurpose.TICKET, number=f"SR-20000101-00000{n}",
                             phone=f"1380000000{n}", address="probe")

        with pytest.raises(TooManyRequests):
            send_follow_code(purpose=CodePurpose.TICKET, number="SR-20000101-000009",
                             phone="13800000009", address="probe")

    def test_guessing_is_limited_per_address(self, ticket, settings):
        settings.PORTAL_CODE_VERIFY_LIMIT_PER_ADDRESS = 3
        for _ in range(3):
            with pytest.raises(ValidationFailed):
                verify_follow_code(purpose=CodePurpose.TICKET, number=ticket.number,
                                   phone="13812345678", code="000000", address="guesser")

        with pytest.raises(TooManyRequests):
            verify_follow_code(purpose=CodePurpose.TICKET, number=ticket.number,
                               phone="13812345678", code="000000", address="guesser")

    def test_an_account_code_signs_the_customer_in(self, ticket):
        send_follow_code(purpose=CodePurpose.ACCOUNT, phone="13812345678", address="a")
        code = code_sent_to("+8613812345678")

        row = verify_follow_code(purpose=CodePurpose.ACCOUNT, phone="13812345678", code=code,
                                 address="a")
        assert row.customer == ticket.customer and row.ticket is None

    def test_a_ticket_code_does_not_sign_in_and_the_other_way_round(self, ticket):
        send_follow_code(purpose=CodePurpose.TICKET, number=ticket.number,
                         phone="13812345678", address="a")
        code = code_sent_to("+8613812345678")

        with pytest.raises(ValidationFailed):
            verify_follow_code(purpose=CodePurpose.ACCOUNT, phone="13812345678", code=code,
                               address="a")

    def test_an_invalid_phone_is_a_field_error(self, ticket):
        with pytest.raises(ValidationFailed) as raised:
            send_follow_code(purpose=CodePurpose.TICKET, number=ticket.number,
                             phone="12345", address="a")
        assert "phone" in raised.value.fields
