"""The staff ticket page in a real browser: reply internally and publicly, take actions, and see
the buttons follow the ticket's state without a reload."""

import re

import pytest
from playwright.sync_api import expect

from fivestar.customers.services import CustomerDetails
from fivestar.tickets.models import CannedReply, Reply, Status, Ticket
from fivestar.tickets.services import TicketRequest, create_ticket
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ticket(db):
    agent = make_user("agent1", "agent", display_name="王客服")
    make_user("tech1", "technician", display_name="赵师傅")
    CannedReply.objects.create(title="问候", body="{customer_name}您好，工单 {ticket_number}：")
    return create_ticket(
        request=TicketRequest(
            channel="phone", type="repair",
            customer=CustomerDetails(name="张伟", phone="13800138000",
                                     address="上海市浦东新区张江路 1 号"),
            title="冰箱不制冷", description="冰箱不制冷，冷藏室温度很高", demand="尽快上门",
        ),
        actor=agent,
    ).ticket


def buttons(page) -> list[str]:
    return page.locator("#ticket-header [data-action]").evaluate_all(
        "els => els.map(el => el.dataset.action)"
    )


def test_reply_note_and_actions_without_reloading(page, live_server, sign_in, screenshot,
                                                  ticket):
    sign_in(page, "agent1")
    page.goto(f"{live_server.url}/workspace/tickets/{ticket.number}/")
    page.evaluate("window.__sameDocument = true")
    assert buttons(page) == ["accept", "cancel", "set_priority", "contact"]
    assert "138****8000" in page.locator("#contact-phone").inner_text()

    # An internal note, sent with Ctrl+Enter.
    page.check("input[name=visibility][value=internal]")
    page.fill("#id_body", "先查配件库存")
    page.press("#id_body", "Control+Enter")
    page.wait_for_selector("#ticket-timeline .tl-internal :text('先查配件库存')")
    # A public reply, from a canned reply edited by hand.
    page.check("input[name=visibility][value=public]")
    page.select_option("#canned-pick", label="问候")
    expect(page.locator("#id_body")).to_have_value(re.compile(r"^张伟您好，工单 SR-"))
    assert page.evaluate("document.activeElement.id") == "id_body"
    page.keyboard.type("工程师明天上午联系您。")
    page.click("#reply-box button[type=submit]")
    page.wait_for_selector("#ticket-timeline .tl-public :text('工程师明天上午联系您')")
    assert Reply.objects.filter(internal=True).count() == 1
    assert Reply.objects.filter(internal=False).count() == 1

    # Accept: one click; the header and its buttons follow the new state.
    page.click("#ticket-header [data-action=accept]")
    page.wait_for_selector("#ticket-header [data-status=accepted]")
    assert buttons(page) == ["assign", "cancel", "set_priority", "contact"]

    # Assign: a small form, then the buttons move on again.
    page.click("#ticket-header [data-action=assign]")
    page.wait_for_selector("#id_assign-assignee")
    page.select_option("#id_assign-assignee", label=page.locator(
        "#id_assign-assignee option", has_text="赵师傅").inner_text())
    page.click("#action-panel button[type=submit]")
    page.wait_for_selector("#ticket-header [data-status=assigned]")
    assert "assign" in buttons(page) and "accept" not in buttons(page)
    assert "赵师傅" in page.locator("#ticket-header").inner_text()
    # The timeline shows the actions too, and it all happened on the same page.
    assert "派单" in page.locator("#ticket-timeline").inner_text()
    assert page.evaluate("window.__sameDocument") is True
    screenshot(page, "workspace-ticket")

    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED and ticket.assignee.username == "tech1"


def test_cancel_asks_first_and_needs_a_reason(page, live_server, sign_in, ticket):
    sign_in(page, "agent1")
    page.goto(f"{live_server.url}/workspace/tickets/{ticket.number}/")
    page.click("#ticket-header [data-action=cancel]")
    page.wait_for_selector("#id_cancel-reason")

    dialogs, answer = [], {"accept": False}

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.accept() if answer["accept"] else dialog.dismiss()

    page.on("dialog", on_dialog)
    page.fill("#id_cancel-reason", "客户撤回")
    page.click("#action-panel button[type=submit]")
    page.wait_for_timeout(300)
    assert dialogs and Ticket.objects.get().status == Status.NEW  # dismissed: nothing happens

    answer["accept"] = True
    page.click("#action-panel button[type=submit]")
    page.wait_for_selector("#ticket-header [data-status=cancelled]")
    assert buttons(page) == []


def test_revealing_the_phone_is_logged_on_the_page(page, live_server, sign_in, ticket):
    sign_in(page, "agent1")
    page.goto(f"{live_server.url}/workspace/tickets/{ticket.number}/")
    page.click("#contact-phone button")
    page.wait_for_selector("#contact-phone a[href='tel:+8613800138000']")
    assert "查看了客户的完整手机" in page.locator("#ticket-timeline").inner_text()


def test_the_ticket_page_fits_a_phone(phone_page, live_server, sign_in, screenshot, ticket):
    sign_in(phone_page, "agent1")
    phone_page.goto(f"{live_server.url}/workspace/tickets/{ticket.number}/")

    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width
    screenshot(phone_page, "workspace-ticket-phone")


def test_resolving_updates_the_whole_page_at_once(page, live_server, sign_in, screenshot,
                                                  ticket):
    """解决: the header (status, buttons), the result card and the timeline all change on the
    same page; the reply the agent was typing stays."""
    from fivestar.tickets.services import Actor, accept_ticket, assign_ticket, start_ticket

    agent = ticket.created_by
    accept_ticket(ticket=ticket, actor=Actor(user=agent))
    assign_ticket(ticket=ticket, actor=Actor(user=agent), assignee=agent)
    start_ticket(ticket=ticket, actor=Actor(user=agent))
    sign_in(page, "agent1")
    page.goto(f"{live_server.url}/workspace/tickets/{ticket.number}/")
    page.evaluate("window.__sameDocument = true")
    assert "resolve" in buttons(page)
    expect(page.locator("#ticket-request .resolution")).to_have_count(0)
    page.fill("#id_body", "稍后回访")  # a reply being typed while resolving

    page.click("#ticket-header [data-action=resolve]")
    page.fill("#id_resolve-resolution", "更换温控器，制冷恢复")
    page.fill("#id_resolve-parts_replaced", "温控器")
    page.click("#action-panel button[type=submit]")

    page.wait_for_selector("#ticket-header [data-status=resolved]")
    expect(page.locator("#ticket-request .resolution")).to_contain_text("更换温控器，制冷恢复")
    expect(page.locator("#ticket-request .resolution")).to_contain_text("温控器")
    expect(page.locator("#ticket-timeline")).to_contain_text("更换温控器，制冷恢复")
    assert "resolve" not in buttons(page) and "close" in buttons(page)
    expect(page.locator("#id_body")).to_have_value("稍后回访")
    assert page.evaluate("window.__sameDocument") is True
    screenshot(page, "workspace-ticket-resolved")

    # Cancelling a ticket closes the reply box at once too.
    page.fill("#id_body", "")
    page.click("#ticket-header [data-action=reopen]")
    page.fill("#id_reopen-reason", "客户说又不制冷了")
    page.click("#action-panel button[type=submit]")
    page.wait_for_selector("#ticket-header [data-status=in_progress]")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#ticket-header [data-action=cancel]")
    page.fill("#id_cancel-reason", "客户撤回")
    page.click("#action-panel button[type=submit]")
    page.wait_for_selector("#ticket-header [data-status=cancelled]")
    expect(page.locator("#reply-box")).to_contain_text("工单已取消，不能再回复")
    expect(page.locator("#ticket-request")).to_contain_text("客户撤回")
    assert page.evaluate("window.__sameDocument") is True
