"""A repair quote in real browsers (SPEC §4; issue 5 item 7): the agent proposes it on the ticket
page, the customer opens the SMS link on a 360 px phone and accepts, the agent's page shows it
accepted. Elements are found by what people see; the database is only read, to check.
"""

import re

import pytest
from playwright.sync_api import expect

from fivestar.dispatch.models import Quote, QuoteStatus
from fivestar.notifications.models import Channel, OutboxMessage
from fivestar.tickets.access import follow_url
from fivestar.tickets.models import Status, Ticket
from tests.browser.conftest import PATIENT_TIMEOUT_MS
from tests.conftest import make_user
from tests.factories import CustomerFactory, TicketFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reseeded", "patient_expect"),
]

SMS_LINK = re.compile(r"https?://\S+/portal/f/[^\s/]+/")
WORK = "更换排水泵，清理滤网"




def test_agent_proposes_customer_accepts_on_the_phone_agent_sees_it(
    phone_page, page, live_server, sign_in, screenshot, settings
):
    settings.SITE_URL = live_server.url  # links built for messages point at this server
    agent = make_user("agent1", "agent", display_name="王客服")
    ticket = TicketFactory(
        customer=CustomerFactory(name="周女士", phone="+8613812345678"),
        status=Status.IN_PROGRESS, assignee=agent, title="洗衣机不脱水",
    )
    phone, desk = phone_page, page
    phone.set_default_timeout(PATIENT_TIMEOUT_MS)
    desk.set_default_timeout(PATIENT_TIMEOUT_MS)

    # 1. The agent proposes a quote, in yuan, from the ticket page.
    sign_in(desk, "agent1")
    desk.goto(f"{live_server.url}/workspace/tickets/{ticket.number}/")
    card = desk.get_by_role("region", name="报价")
    card.get_by_text("提出报价…").click()
    card.get_by_label("人工费（元）").fill("120")
    card.get_by_label("配件费（元）").fill("380.50")
    card.get_by_label("上门费（元）").fill("-50")
    card.get_by_label("维修内容").fill(WORK)
    card.get_by_role("button", name="发送报价给客户").click()
    # A negative amount: the message stands beside the field, nothing is sent.
    expect(card.get_by_text("金额不能为负数。")).to_be_visible()
    assert not Quote.objects.exists()
    card.get_by_label("上门费（元）").fill("50")
    card.get_by_role("button", name="发送报价给客户").click()

    expect(card.locator("[data-quote-status]")).to_have_text("待客户确认")
    expect(card).to_contain_text("¥550.50")
    status = desk.locator("#ticket-header [data-status]")
    expect(status).to_have_text("等待客户")
    timeline = desk.get_by_role("region", name=re.compile("处理记录"))
    expect(timeline).to_contain_text("提出维修报价")
    screenshot(desk, "quote-1-agent-proposed")
    quote = Quote.objects.get(ticket=ticket)
    assert (quote.labour_fen, quote.parts_fen, quote.travel_fen) == (12000, 38050, 5000)

    # 2. The customer opens the link of the SMS on a phone and sees the quote.
    sms = OutboxMessage.objects.get(about_id=ticket.pk, channel=Channel.SMS,
                                    template_code="quote_proposed")
    assert "¥550.50" in sms.body
    found = SMS_LINK.search(sms.body)
    phone.goto(found.group(0) if found else follow_url(ticket=ticket))
    expect(phone).to_have_url(f"{live_server.url}/portal/tickets/{ticket.number}/")
    callout = phone.get_by_role("region", name="维修报价")
    expect(callout).to_contain_text(WORK)
    expect(callout).to_contain_text("¥550.50")
    expect(callout.get_by_role("button", name="接受报价")).to_be_visible()
    expect(callout.get_by_text("不接受", exact=True)).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "quote-2-customer-sees-quote")

    # 3. The customer accepts (and confirms the amount when asked).
    phone.once("dialog", lambda dialog: dialog.accept())
    callout.get_by_role("button", name="接受报价").click()
    expect(phone.get_by_text("感谢您的确认", exact=False)).to_be_visible()
    result = phone.get_by_role("region", name=re.compile("维修报价"))
    expect(result).to_contain_text("接受报价，合计 ¥550.50")
    expect(phone.get_by_role("button", name="接受报价")).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "quote-3-customer-accepted")
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED and quote.decided_via == "portal"

    # 4. The agent's page shows it accepted, the ticket back in progress.
    desk.reload()
    expect(card.locator("[data-quote-status]")).to_have_text("客户已接受")
    expect(card).to_contain_text("客户门户")
    expect(status).to_have_text("处理中")
    expect(timeline).to_contain_text("接受报价")
    screenshot(desk, "quote-4-agent-sees-accepted")
    assert Ticket.objects.get(pk=ticket.pk).status == Status.IN_PROGRESS
