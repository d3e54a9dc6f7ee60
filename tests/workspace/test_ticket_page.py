"""The staff ticket page as people use it: what it shows, what it lets them do, what it hides."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fivestar.customers.models import PersonalDataAccess
from fivestar.customers.services import CustomerDetails
from fivestar.tickets import workflow
from fivestar.tickets.models import Attachment, CannedReply, Reply, Status, Ticket, TicketEvent
from fivestar.tickets.services import Actor, TicketRequest, add_reply, create_ticket
from fivestar.tickets.services.transitions import accept_ticket, set_priority
from tests.conftest import make_user
from tests.factories import TicketFactory
from tests.workspace.pages import HTMX, field_error, html, url

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

@pytest.fixture
def ticket(agent, fridge) -> Ticket:
    """A new ticket made through intake, so it has its events and deadlines."""
    return create_ticket(
        request=TicketRequest(
            channel="phone", type="repair",
            customer=CustomerDetails(name="张伟", phone="13800138000", email="zw@example.com",
                                     address="上海市浦东新区张江路 1 号"),
            description="冰箱不制冷，冷藏室温度很高", demand="尽快上门",
            product_model="BCD-470", serial_number="SN-42", purchase_date=None,
        ),
        actor=agent,
    ).ticket




def action_buttons(page: str) -> list[str]:
    return re.findall(r'data-action="(\w+)"', page)



class TestWhatThePageShows:
    def test_header_customer_and_warranty(self, desk, ticket):
        response = desk.get(url(ticket))

        assert response.status_code == 200
        page = html(response)
        assert ticket.number in page and "冰箱不制冷" in page
        assert 'class="badge status-new"' in page and 'class="prio prio-P2"' in page
        assert "优先级待确认" in page
        assert "138****8000" in page and "13800138000" not in page
        assert "z***@example.com" in page and "张江路 1 号" not in page
        assert "BCD-470" in page and "SN-42" in page and "保修未知" in page
        # Deadlines from the SLA engine, labelled with the target names.
        assert "首次响应" in page and 'class="countdown' in page

    def test_only_the_actions_allowed_now_are_offered(self, desk, ticket):
        page = html(desk.get(url(ticket)))

        assert action_buttons(page) == ["accept", "cancel", "set_priority", "contact"]

    def test_a_technician_does_not_see_someone_elses_ticket(self, client_for, ticket):
        outsider = make_user("tech9", "technician")

        assert client_for(outsider).get(url(ticket)).status_code == 404

    def test_an_unknown_number_is_404_and_visitors_sign_in(self, desk, ticket):
        assert desk.get("/workspace/tickets/SR-19990101-000001/").status_code == 404
        assert Client().get(url(ticket)).status_code == 302

    def test_replies_and_events_are_merged_newest_first(self, desk, ticket, agent):
        add_reply(ticket=ticket, actor=Actor(user=agent), body="内部：先查库存", internal=True)
        add_reply(ticket=ticket, actor=Actor(user=agent), body="您好，已安排工程师")
        accept_ticket(ticket=ticket, actor=Actor(user=agent), note="已核实")

        page = html(desk.get(url(ticket)))

        timeline = page[page.index('id="ticket-timeline"'):]
        order = [timeline.index(text) for text in ("已核实", "您好，已安排工程师",
                                                   "内部：先查库存", "创建工单")]
        assert order == sorted(order)
        assert "reply-internal" in timeline and "badge-public" in timeline
        # A reply is shown once, not again as its "reply" event.
        assert timeline.count("您好，已安排工程师") == 1

    def test_a_priority_change_shows_before_and_after(self, desk, ticket, supervisor):
        set_priority(ticket=ticket, actor=Actor(user=supervisor), priority="P1",
                     reason="VIP 客户")

        page = html(desk.get(url(ticket)))

        assert "VIP 客户" in page
        assert re.search(r"<del>二级（重要）</del> → <span[^>]*>一级（紧急）", page)

    def test_queries_do_not_grow_with_the_history(self, desk, ticket, agent):
        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert desk.get(url(ticket)).status_code == 200
            return len(captured)

        for n in range(4):
            add_reply(ticket=ticket, actor=Actor(user=agent), body=f"回复 {n}",
                      internal=bool(n % 2))
        few = queries()
        for n in range(45):
            add_reply(ticket=ticket, actor=Actor(user=agent), body=f"更多 {n}",
                      internal=bool(n % 2))
        set_priority(ticket=ticket, actor=Actor(user=agent), priority="P1", reason="升级")
        assert TicketEvent.objects.filter(ticket=ticket).count() >= 50
        assert queries() == few


class TestReveal:
    def test_reveal_shows_the_number_and_logs_it(self, desk, ticket, agent):
        response = desk.post(url(ticket, "reveal/"), {"field": "phone"}, headers=HTMX)

        assert response.status_code == 200
        assert "+8613800138000" in html(response)
        event = TicketEvent.objects.get(ticket=ticket, action="contact_revealed")
        assert event.actor == agent and event.after["field"] == "phone"
        # The timeline swapped in with the answer shows the view was logged.
        assert "查看了客户的完整手机" in html(response)
        # And the personal-data access log has it, with the address it came from (SPEC §9).
        access = PersonalDataAccess.objects.get()
        assert (access.user, access.customer, access.fields, access.source,
                access.reference, access.client_address) == (
            agent, ticket.customer, ["phone"], "workspace", ticket.number, "127.0.0.1")

    def test_without_htmx_the_page_comes_back_with_the_field_shown(self, desk, ticket):
        page = html(desk.post(url(ticket, "reveal/"), {"field": "address"}))

        assert "上海市浦东新区张江路 1 号" in page
        assert "138****8000" in page  # the other fields stay masked

    def test_a_quality_auditor_gets_no_button_and_no_data(self, client_for, ticket):
        auditor = client_for(make_user("qa1", "quality_auditor"))

        assert 'name="field"' not in html(auditor.get(url(ticket)))
        response = auditor.post(url(ticket, "reveal/"), {"field": "phone"}, follow=True)
        assert "13800138000" not in html(response)
        assert not TicketEvent.objects.filter(action="contact_revealed").exists()
        assert not PersonalDataAccess.objects.exists()


class TestReply:
    def test_a_public_reply_is_the_first_response(self, desk, ticket):
        response = desk.post(url(ticket, "reply/"), {"visibility": "public",
                                                     "body": "您好，已收到"}, follow=True)

        reply = Reply.objects.get()
        assert not reply.internal and reply.author.username == "agent1"
        ticket.refresh_from_db()
        assert ticket.first_response_at is not None
        assert "已发送回复" in html(response)

    def test_an_internal_note_with_time_spent(self, desk, ticket):
        response = desk.post(url(ticket, "reply/"), {"visibility": "internal", "body": "查库存",
                                                     "time_spent_minutes": "15"}, headers=HTMX)

        assert response.status_code == 200
        reply = Reply.objects.get()
        assert reply.internal and reply.time_spent_minutes == 15
        page = html(response)
        # The reply box comes back empty, the timeline (out of band) with the note in it.
        assert 'id="reply-box"' in page and 'hx-swap-oob="true"' in page
        assert "查库存" in page and "已添加内部备注" in page

    def test_an_empty_reply_is_refused_beside_the_text(self, desk, ticket):
        response = desk.post(url(ticket, "reply/"), {"visibility": "public", "body": "  "})

        assert response.status_code == 422
        assert "必填" in field_error(html(response), "body")
        assert not Reply.objects.exists()

    def test_with_htmx_the_refused_reply_comes_back_in_place_keeping_the_choice(self, desk,
                                                                                 ticket):
        response = desk.post(url(ticket, "reply/"), {"visibility": "internal", "body": ""},
                             headers=HTMX)

        # htmx swaps only successful answers: the box with its errors comes back as a 200.
        assert response.status_code == 200
        page = html(response)
        assert page.lstrip().startswith('<section id="reply-box"')
        assert "必填" in field_error(page, "body")
        assert re.search(r'value="internal"[^>]*checked', page)

    def test_time_spent_out_of_range_is_refused(self, desk, ticket):
        response = desk.post(url(ticket, "reply/"), {"visibility": "public", "body": "x",
                                                     "time_spent_minutes": "5000"})

        assert response.status_code == 422
        assert field_error(html(response), "time_spent_minutes")

    def test_files_are_attached_and_downloadable(self, desk, ticket):
        desk.post(url(ticket, "reply/"), {
            "visibility": "public", "body": "照片见附件",
            "files": [SimpleUploadedFile("故障.png", PNG), SimpleUploadedFile("b.png", PNG)],
        })

        attachment = Attachment.objects.filter(reply__isnull=False).first()
        assert Attachment.objects.count() == 2
        page = html(desk.get(url(ticket)))
        link = url(ticket, f"attachments/{attachment.pk}/")
        assert f'href="{link}"' in page and "故障.png" in page
        download = desk.get(link)
        assert download.status_code == 200
        assert download["Content-Type"] == "image/png"
        assert download["Content-Disposition"].startswith("attachment;")
        assert b"".join(download.streaming_content) == PNG

    def test_files_alone_are_attached_to_the_ticket(self, desk, ticket):
        desk.post(url(ticket, "reply/"), {"visibility": "public", "body": "",
                                          "files": [SimpleUploadedFile("a.png", PNG)]})

        assert not Reply.objects.exists()
        assert Attachment.objects.get().reply is None
        assert "a.png" in html(desk.get(url(ticket)))

    def test_an_unsupported_file_is_refused_beside_the_files(self, desk, ticket):
        response = desk.post(url(ticket, "reply/"), {
            "visibility": "public", "body": "x",
            "files": [SimpleUploadedFile("a.exe", b"MZ\x90\x00" + b"\x00" * 200)],
        })

        assert response.status_code == 422
        assert field_error(html(response), "files")
        assert not Reply.objects.exists()

    def test_attachments_of_invisible_tickets_are_not_served(self, client_for, desk, ticket):
        desk.post(url(ticket, "reply/"), {"visibility": "public", "body": "x",
                                          "files": [SimpleUploadedFile("a.png", PNG)]})
        attachment = Attachment.objects.get()
        outsider = client_for(make_user("tech9", "technician"))

        assert outsider.get(url(ticket, f"attachments/{attachment.pk}/")).status_code == 404
        other = TicketFactory()
        assert desk.get(url(other, f"attachments/{attachment.pk}/")).status_code == 404


class TestCannedReplies:
    def test_picking_one_inserts_it_rendered_after_what_was_typed(self, desk, ticket):
        canned = CannedReply.objects.create(title="问候", body="{customer_name}您好，工单 "
                                                               "{ticket_number}。{unknown}")

        response = desk.post(url(ticket, "canned/"), {"canned": canned.pk, "body": "先写一句"},
                             headers=HTMX)

        text = re.search(r"<textarea[^>]*>(.*?)</textarea>", html(response), re.S).group(1)
        assert text.strip() == f"先写一句\n\n张伟您好，工单 {ticket.number}。{{unknown}}"

    def test_inactive_ones_are_neither_listed_nor_inserted(self, desk, ticket):
        canned = CannedReply.objects.create(title="旧模板XYZ", body="旧", is_active=False)

        assert "旧模板XYZ" not in html(desk.get(url(ticket)))
        response = desk.post(url(ticket, "canned/"), {"canned": canned.pk, "body": ""})
        assert re.search(r"<textarea[^>]*>\s*</textarea>", html(response))


class TestActions:
    def test_accept_then_the_buttons_follow_the_new_state(self, desk, ticket):
        response = desk.post(url(ticket, "actions/accept/"), headers=HTMX)

        assert response.status_code == 200
        ticket.refresh_from_db()
        assert ticket.status == Status.ACCEPTED
        page = html(response)
        assert action_buttons(page) == ["assign", "cancel", "set_priority", "contact"]
        assert "已完成：受理" in page
        assert 'id="ticket-timeline"' in page and 'hx-swap-oob="true"' in page

    def test_without_htmx_an_action_redirects_back_with_a_message(self, desk, ticket):
        response = desk.post(url(ticket, "actions/accept/"), follow=True)

        assert response.redirect_chain[-1][0] == url(ticket)
        assert "已完成：受理" in html(response)

    def test_an_action_not_allowed_now_is_told_not_crashed(self, desk, ticket):
        response = desk.post(url(ticket, "actions/resolve/"), {"resolve-resolution": "x"},
                             follow=True)

        assert response.status_code == 200
        assert "您的角色不能对该工单执行“解决”" in html(response)
        ticket.refresh_from_db()
        assert ticket.status == Status.NEW

    def test_a_role_that_may_not_is_told_with_htmx_too(self, client_for, ticket):
        auditor = client_for(make_user("qa1", "quality_auditor"))

        response = auditor.post(url(ticket, "actions/accept/"), headers=HTMX)

        assert response.status_code == 200
        assert response["HX-Retarget"] == "#ticket-header"
        assert "notice-error" in html(response)
        ticket.refresh_from_db()
        assert ticket.status == Status.NEW

    def test_cancel_needs_a_reason_beside_its_field_and_asks_first(self, desk, ticket):
        form = html(desk.get(url(ticket, "actions/cancel/"), headers=HTMX))
        assert "hx-confirm=" in form

        response = desk.post(url(ticket, "actions/cancel/"), {"cancel-reason": ""}, headers=HTMX)

        assert response["HX-Retarget"] == "#action-panel"
        assert field_error(html(response), "cancel-reason")
        ticket.refresh_from_db()
        assert ticket.status == Status.NEW

        desk.post(url(ticket, "actions/cancel/"), {"cancel-reason": "客户撤回"}, headers=HTMX)
        ticket.refresh_from_db()
        assert ticket.status == Status.CANCELLED and ticket.cancel_reason == "客户撤回"

    def test_set_priority_with_a_reason(self, desk, ticket):
        desk.post(url(ticket, "actions/set_priority/"),
                  {"set_priority-priority": "P1", "set_priority-reason": "整机无法使用"})

        ticket.refresh_from_db()
        assert ticket.priority == "P1" and ticket.priority_confirmed

    def test_assign_lists_people_and_a_p1_needs_a_senior_technician(
        self, desk, ticket, agent, technician, senior_technician
    ):
        accept_ticket(ticket=ticket, actor=Actor(user=agent))
        set_priority(ticket=ticket, actor=Actor(user=agent), priority="P1")
        form = html(desk.get(url(ticket, "actions/assign/"), headers=HTMX))
        assert "赵师傅" in form and "钱工" in form

        response = desk.post(url(ticket, "actions/assign/"),
                             {"assign-assignee": technician.pk}, headers=HTMX)

        assert "技术骨干" in field_error(html(response), "assign-assignee")
        desk.post(url(ticket, "actions/assign/"), {"assign-assignee": senior_technician.pk})
        ticket.refresh_from_db()
        assert ticket.status == Status.AWAITING_APPROVAL
        assert ticket.pending_assignee == senior_technician

    def test_the_page_opens_an_action_form_without_htmx(self, desk, ticket):
        response = desk.get(url(ticket), {"action": "cancel"})

        assert 'name="cancel-reason"' in html(response)
        # An action that is not allowed does not open.
        assert 'name="resolve-resolution"' not in html(desk.get(url(ticket),
                                                                {"action": "resolve"}))

    def test_resolve_records_the_closing_details(self, desk, ticket, agent, senior_technician):
        from fivestar.tickets.services.transitions import assign_ticket, start_ticket

        accept_ticket(ticket=ticket, actor=Actor(user=agent))
        assign_ticket(ticket=ticket, actor=Actor(user=agent), assignee=senior_technician)
        start_ticket(ticket=ticket, actor=Actor(user=senior_technician))
        tech = Client()
        tech.force_login(senior_technician)
        assert "resolve" in action_buttons(html(tech.get(url(ticket))))

        tech.post(url(ticket, "actions/resolve/"), {
            "resolve-resolution": "更换温控器", "resolve-cost_yuan": "128.50",
            "resolve-labour_minutes": "40", "resolve-solved_on_first_contact": "yes",
        })

        ticket.refresh_from_db()
        assert ticket.status == Status.RESOLVED
        assert ticket.cost_fen == 12850 and ticket.labour_minutes == 40
        assert ticket.solved_on_first_contact is True


class TestTheWholePageFollowsAChange:
    """With htmx an action answers with every part of the page it touched, swapped at once:
    the header (status, actions), the request and result card, the timeline — and the reply box
    only when the ticket can no longer take replies, so a reply being typed survives."""

    @staticmethod
    def _oob(page: str, element_id: str) -> str:
        match = re.search(
            rf'<section id="{element_id}"[^>]*hx-swap-oob="true"[^>]*>(.*?)</section>', page, re.S
        )
        assert match, f"#{element_id} is not swapped out of band"
        return match.group(1)

    def test_resolve_shows_the_result_card_without_a_reload(self, ticket, agent,
                                                             senior_technician, client_for):
        from fivestar.tickets.services.transitions import assign_ticket, start_ticket

        accept_ticket(ticket=ticket, actor=Actor(user=agent))
        assign_ticket(ticket=ticket, actor=Actor(user=agent), assignee=senior_technician)
        start_ticket(ticket=ticket, actor=Actor(user=senior_technician))
        tech = client_for(senior_technician)
        assert "更换温控器" not in html(tech.get(url(ticket)))

        response = tech.post(url(ticket, "actions/resolve/"), {
            "resolve-resolution": "更换温控器", "resolve-technical_solution": "温控器老化",
            "resolve-parts_replaced": "温控器",
        }, headers=HTMX)

        page = html(response)
        # The header is the swap target: the new status and the actions allowed now.
        assert page.lstrip().startswith('<section id="ticket-header"')
        assert 'data-status="resolved"' in page and "已完成：解决" in page
        assert "resolve" not in action_buttons(page)
        # The result card, out of band, with what was done.
        card = self._oob(page, "ticket-request")
        assert "处理结果" in card and "更换温控器" in card and "温控器老化" in card
        assert "冰箱不制冷" in card  # the customer's report stays
        # The timeline, out of band, with the resolution.
        assert "更换温控器" in self._oob(page, "ticket-timeline")
        # The reply box is left alone: what is being typed there survives.
        assert 'id="reply-box"' not in page

    def test_cancel_also_closes_the_reply_box(self, desk, ticket):
        response = desk.post(url(ticket, "actions/cancel/"), {"cancel-reason": "客户撤回"},
                             headers=HTMX)

        page = html(response)
        assert 'data-status="cancelled"' in page
        assert "客户撤回" in self._oob(page, "ticket-request")
        assert "工单已取消，不能再回复" in self._oob(page, "reply-box")

    def test_cancel_takes_the_quote_button_away(self, desk, ticket, agent, senior_technician):
        from fivestar.tickets.services.transitions import assign_ticket

        accept_ticket(ticket=ticket, actor=Actor(user=agent))
        assign_ticket(ticket=ticket, actor=Actor(user=agent), assignee=senior_technician)
        assert "提出报价" in html(desk.get(url(ticket)))

        response = desk.post(url(ticket, "actions/cancel/"), {"cancel-reason": "客户撤回"},
                             headers=HTMX)

        page = html(response)
        assert re.search(r'<section id="ticket-quotes" hidden hx-swap-oob="true">', page)
        assert "提出报价" not in page

    def test_a_reply_swaps_the_header_card_and_timeline_too(self, desk, ticket):
        response = desk.post(url(ticket, "reply/"), {"visibility": "public", "body": "您好"},
                             headers=HTMX)

        page = html(response)
        assert page.lstrip().startswith('<section id="reply-box"')
        for part in ("ticket-header", "ticket-request", "ticket-timeline"):
            self._oob(page, part)

    def test_a_refused_action_still_shows_the_page_as_it_is_now(self, desk, ticket):
        response = desk.post(url(ticket, "actions/resolve/"), {"resolve-resolution": "x"},
                             headers=HTMX)

        page = html(response)
        assert response["HX-Retarget"] == "#ticket-header" and "notice-error" in page
        self._oob(page, "ticket-request")
        self._oob(page, "ticket-timeline")


class TestActionsOtherAppsProvide:
    @pytest.fixture
    def provided(self):
        from pydantic import BaseModel, Field

        calls = []

        class CallbackIn(BaseModel):
            reason: str = Field(..., max_length=200)
            minutes: int | None = None
            customer_agreed: bool

        def handler(*, ticket, actor, body):
            calls.append(body)

        workflow.register_action("callback_test", schema=CallbackIn, run=handler,
                                 label="回访测试", roles={"agent"}, statuses={Status.NEW})
        yield calls
        workflow._actions.pop("callback_test", None)

    def test_it_is_offered_with_a_form_built_from_its_schema(self, desk, ticket, provided):
        assert "callback_test" in action_buttons(html(desk.get(url(ticket))))

        form = html(desk.get(url(ticket, "actions/callback_test/"), headers=HTMX))

        assert 'name="callback_test-reason"' in form
        assert 'name="callback_test-minutes"' in form and 'type="number"' in form
        assert 'name="callback_test-customer_agreed"' in form and 'type="checkbox"' in form

    def test_its_handler_gets_the_parsed_body(self, desk, ticket, provided):
        response = desk.post(url(ticket, "actions/callback_test/"), {
            "callback_test-reason": "客户要求改期", "callback_test-customer_agreed": "on",
        }, headers=HTMX)

        assert response.status_code == 200
        assert [(b.reason, b.minutes, b.customer_agreed) for b in provided] == [
            ("客户要求改期", None, True)]

    def test_its_required_fields_are_asked_for(self, desk, ticket, provided):
        response = desk.post(url(ticket, "actions/callback_test/"),
                             {"callback_test-reason": ""}, headers=HTMX)

        assert field_error(html(response), "callback_test-reason")
        assert not provided
