"""WCAG 2.1 AA contrast of the main pages, measured in a real browser, in Chinese and English.

tests/browser/contrast.js measures, on the page as the browser painted it, every visible text
against its effective background (SC 1.4.3: 4.5:1, large text 3:1) and every text field's
boundary against what surrounds it (SC 1.4.11: 3:1); the test then walks the page with the Tab
key and measures each focus indicator (SC 1.4.11: 3:1). The pages are shown in the states that
bring out every colour: each priority and status badge, breached / warning / running / paused
countdowns, unread notices, a found caller, an open action form, an internal note, the portal's
callouts and a validation error.

A failure names the page, the element (a CSS path), its text, the colours and the ratio. The
figures of the last run are written to var/contrast/<area>-<language>.txt.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from fivestar.accounts.models import Department
from fivestar.customers.models import Customer, CustomerTier
from fivestar.customers.services import CustomerDetails
from fivestar.notifications.inbox import StaffNotification, StaffNotificationKind
from fivestar.products.models import ProductLine, ProductModel, Unit, WarrantyPolicy
from fivestar.sla.models import ClockState, SlaClock
from fivestar.tickets.access import follow_token
from fivestar.tickets.models import Priority, PriorityRule, Status, Ticket
from fivestar.tickets.services import (
    Actor,
    TicketRequest,
    add_reply,
    create_ticket,
    wait_for_customer,
)
from tests.conftest import make_user
from tests.factories import CustomerFactory, TicketFactory, UnitFactory
from tests.portal.conftest import code_sent_to

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reseeded")]

MEASURE = (Path(__file__).with_name("contrast.js")).read_text(encoding="utf-8")
REPORTS = Path(__file__).resolve().parents[2] / "var" / "contrast"
# Django's language → the browser locale whose Accept-Language selects it.
LANGUAGES = {"zh-hans": "zh-CN", "en": "en-US"}
FOCUS_STOPS = 120  # per page; a 50-row queue has about 110



class Contrast:
    """Measures pages and keeps what it found, for one report at the end."""

    def __init__(self, area: str, language: str):
        self.area = area
        self.language = language
        self.rows: list[tuple[str, int, int, int, int]] = []  # page, texts, borders, stops, bad
        self.failures: list[str] = []

    def measure(self, page, name: str, *, focus: bool = True) -> dict:
        page.wait_for_load_state("networkidle")
        expected = "zh-CN" if self.language == "zh-hans" else self.language
        assert page.locator("html").get_attribute("lang") == expected, name
        page.evaluate(MEASURE)
        found = page.evaluate("() => window.__contrast.audit()")
        stops = self._tab_through(page) if focus else []
        bad = [*found["failures"], *[stop for stop in stops if not stop["ok"]]]
        self.rows.append((name, found["texts"], found["borders"], len(stops), len(bad)))
        for failure in bad:
            self.failures.append(_describe(name, failure))
        return found

    @staticmethod
    def _tab_through(page) -> list[dict]:
        """Every focus stop from the top of the page, as the Tab key reaches them."""
        page.evaluate("""() => {
            document.body.setAttribute("tabindex", "-1");
            document.body.focus();
            document.body.removeAttribute("tabindex");
        }""")
        stops, seen, last = [], set(), None
        for _ in range(FOCUS_STOPS):
            page.keyboard.press("Tab")
            stop = page.evaluate("""() => {
                const el = document.activeElement;
                if (!el || el === document.body) return null;
                // Chromium keeps some controls' parts (a date field's calendar button) inside
                // its own shadow tree; their focus ring is the browser's, out of reach here.
                if (!el.matches(":focus")) return { ok: true, key: "ua:" + el.id };
                el.dataset.contrastStop ||= String(Math.random());
                return { ...window.__contrast.focus(el), key: el.dataset.contrastStop };
            }""")
            if stop is None:
                break
            if stop["key"] == last:  # another part of the same control (a date's month, day)
                continue
            if stop["key"] in seen:  # round the page and back
                break
            seen.add(last := stop["key"])
            stops.append(stop)
        return stops

    def report(self) -> str:
        lines = [f"WCAG 2.1 AA contrast, {self.area}, {self.language}",
                 f"{'page':44} {'texts':>6} {'fields':>6} {'focus':>6} {'failures':>8}"]
        for name, texts, borders, stops, bad in self.rows:
            lines.append(f"{name:44} {texts:6} {borders:6} {stops:6} {bad:8}")
        unique = sorted(set(self.failures))
        if unique:
            lines += ["", f"{len(self.failures)} failures ({len(unique)} distinct):", *unique]
        text = "\n".join(lines) + "\n"
        REPORTS.mkdir(parents=True, exist_ok=True)
        (REPORTS / f"{self.area}-{self.language}.txt").write_text(text, encoding="utf-8")
        return text

    def assert_clean(self) -> None:
        report = self.report()
        print(report)
        assert not self.failures, report


def _describe(page_name: str, f: dict) -> str:
    colours = f"{f.get('fgPainted', f.get('fg', '?'))} on {f.get('bg', '?')}"
    extra = f" [{f['background']}]" if f.get("background") not in (None, "colour") else ""
    size = f" {f['size']}/{f['weight']}" if f.get("size") else ""
    return (f"{page_name}: {f['what']} {f['selector']} “{f.get('text', '')}” {colours}{extra}"
            f"{size} = {f['ratio']}:1, needs {f['required']}:1")



def _clock(ticket, name, *, due_in, state=ClockState.RUNNING, warn_in=None, met=False):
    now = timezone.now()
    due = now + due_in
    warn = now + (warn_in if warn_in is not None else due_in - timedelta(minutes=30))
    SlaClock.objects.filter(ticket=ticket, name=name).delete()
    SlaClock.objects.create(
        ticket=ticket, name=name, allowed=timedelta(hours=4), started_at=now - timedelta(hours=2),
        due_at=due, original_due_at=due, warn_at=warn, state=state,
        paused_at=now if state == ClockState.PAUSED else None,
        met_at=now - timedelta(minutes=20) if met else None,
        breached_at=due if state == ClockState.BREACHED else None,
    )


@pytest.fixture
def showroom(db):
    """A department whose supervisor (who also takes calls) has work in every state: each
    priority and status, deadlines breached, warned, running, paused and met, notices of each
    kind, a returning caller with units in and out of warranty, and a ticket with a public
    reply, an internal note and the customer's answer."""
    department, _ = Department.objects.get_or_create(code="customer-service",
                                                     defaults={"name": "客户服务部"})
    boss = make_user("boss1", "supervisor", "agent", display_name="陈主管", department=department)
    department.supervisor = boss
    department.save()
    make_user("agent1", "agent", display_name="王芳", department=department)
    senior = make_user("senior1", "senior_technician", display_name="吴刚", department=department)
    PriorityRule.objects.get_or_create(keyword="不制冷", priority="P2")

    line = ProductLine.objects.create(code="fridge", name="冰箱")
    policy = WarrantyPolicy.objects.create(name="冰箱三年", unit_months=36)
    fridge = ProductModel.objects.create(code="BCD-470", name="对开门冰箱", product_line=line,
                                         warranty_policy=policy)
    caller = Customer.objects.create(name="王晓明", phone="+8613812345678",
                                     address="上海市浦东新区张江路 1 号", tier=CustomerTier.VIP,
                                     is_elderly=True, is_repeat_complainer=True)
    today = timezone.localdate()
    fresh = Unit.objects.create(product_model=fridge, serial_number="RF001", customer=caller,
                                purchase_date=today - timedelta(days=200))
    Unit.objects.create(product_model=fridge, serial_number="RF002", customer=caller,
                        purchase_date=today - timedelta(days=5 * 365))
    Unit.objects.create(product_model=fridge, serial_number="RF003", customer=caller)

    def ticket(title, status, priority=Priority.P3, *, assignee=boss, **fields):
        return TicketFactory(title=title, status=status, priority=priority,
                             department=department, assignee=assignee, customer=caller,
                             received_at=timezone.now() - timedelta(hours=3), **fields)

    late = ticket("冰箱不制冷", Status.IN_PROGRESS, Priority.P2)
    _clock(late, "resolve", due_in=timedelta(minutes=-25), state=ClockState.BREACHED)
    warned = ticket("空调漏水", Status.IN_PROGRESS, Priority.P1)
    _clock(warned, "resolve", due_in=timedelta(minutes=40), warn_in=timedelta(minutes=-5))
    calm = ticket("洗衣机噪音大", Status.ASSIGNED)
    _clock(calm, "respond", due_in=timedelta(hours=6))
    paused = ticket("电视黑屏", Status.WAITING_CUSTOMER)
    _clock(paused, "resolve", due_in=timedelta(hours=3), state=ClockState.PAUSED)
    ticket("热水器漏电", Status.AWAITING_APPROVAL, Priority.P1, assignee=None,
           pending_assignee=senior)
    waiting = ticket("热水器不加热", Status.ACCEPTED, Priority.P2, assignee=None)
    _clock(waiting, "respond", due_in=timedelta(hours=1, minutes=30), warn_in=timedelta(hours=1))
    ticket("咨询保修期", Status.NEW, Priority.P1, assignee=None)
    ticket("空调遥控失灵", Status.RESOLVED)
    ticket("洗衣机安装", Status.CLOSED)
    ticket("重复报修", Status.CANCELLED)

    for kind, number, read in ((StaffNotificationKind.ASSIGNED, late.number, False),
                               (StaffNotificationKind.SLA_WARNING, warned.number, False),
                               (StaffNotificationKind.SLA_BREACHED, late.number, False),
                               (StaffNotificationKind.APPROVAL, calm.number, True)):
        StaffNotification.objects.create(
            recipient=boss, kind=kind, about=Ticket.objects.get(number=number),
            title=f"{number} 需要处理", body="客户王晓明来电催促，请尽快联系。",
            dedupe_key=f"{kind}:{number}", read_at=timezone.now() if read else None,
        )

    # The ticket page: made through intake, so it has events and deadlines of its own.
    page_ticket = create_ticket(
        request=TicketRequest(
            channel="phone", type="repair", customer=CustomerDetails(
                name="王晓明", phone="13812345678", address="上海市浦东新区张江路 1 号"),
            product_model="BCD-470", serial_number="RF001",
            title="冰箱冷藏室不制冷", description="冰箱不制冷，冷藏室温度很高，昨天开始的",
            demand="尽快上门",
        ),
        actor=boss,
    ).ticket
    add_reply(ticket=page_ticket, actor=Actor(user=boss), body="您好，工程师明天上午联系您。")
    add_reply(ticket=page_ticket, actor=Actor(user=boss), body="先查压缩机库存。",
              internal=True)
    add_reply(ticket=page_ticket, actor=Actor(user=None, as_customer=True),
              body="好的，上午都在家。")
    _clock(page_ticket, "first_response", due_in=timedelta(hours=-1), state=ClockState.MET,
           met=True)
    _clock(page_ticket, "acceptance", due_in=timedelta(minutes=-10), state=ClockState.BREACHED)
    _clock(page_ticket, "resolve", due_in=timedelta(hours=20), state=ClockState.PAUSED)
    _clock(page_ticket, "respond", due_in=timedelta(minutes=20), warn_in=timedelta(minutes=-5))
    return {"boss": boss, "caller": caller, "unit": fresh, "ticket": page_ticket}


@pytest.fixture
def portal_tickets(db):
    """One customer's tickets in each state the portal words differently."""
    agent = make_user("agent1", "agent", display_name="王芳")
    customer = CustomerFactory(name="赵女士", phone="+8613812345678")
    today = timezone.localdate()
    UnitFactory(customer=customer, purchase_date=today - timedelta(days=100))
    UnitFactory(customer=customer, purchase_date=today - timedelta(days=4 * 365))

    def ticket(title, status, **fields):
        return TicketFactory(customer=customer, title=title, status=status, **fields)

    waiting = ticket("洗衣机不脱水", Status.IN_PROGRESS, assignee=agent)
    add_reply(ticket=waiting, actor=Actor(user=agent), body="请拍一张洗衣机背面铭牌的照片。")
    add_reply(ticket=waiting, actor=Actor(user=None, as_customer=True), body="好的，晚上拍。")
    wait_for_customer(ticket=waiting, actor=Actor(user=agent), reason="请上传机身铭牌的照片。")
    late = ticket("热水器不出热水", Status.IN_PROGRESS, assignee=agent)
    _clock(late, "update", due_in=timedelta(minutes=-30), state=ClockState.BREACHED)
    _clock(late, "resolve", due_in=timedelta(hours=30))
    resolved = ticket("空调漏水", Status.RESOLVED, resolution="清理了排水管，试机一小时无漏水。")
    closed = ticket("冰箱异响", Status.CLOSED, closed_at=timezone.now() - timedelta(days=2))
    cancelled = ticket("重复报修", Status.CANCELLED)
    return {"customer": customer, "waiting": waiting, "late": late, "resolved": resolved,
            "closed": closed, "cancelled": cancelled}


@pytest.mark.parametrize("language", LANGUAGES)
def test_workspace_pages_meet_wcag_aa_contrast(new_page, live_server, sign_in, showroom,
                                               language):
    page = new_page(locale=LANGUAGES[language])
    url = live_server.url
    contrast = Contrast("workspace", language)

    page.goto(f"{url}/workspace/login/")
    contrast.measure(page, "login")
    sign_in(page, "boss1")

    # The queues: every tab, then each status the tabs did not show, so that every badge and
    # countdown colour is measured.
    badges: set[str] = set()
    for tab in ("mine", "unassigned", "approval", "due", "waiting", "all"):
        page.goto(f"{url}/workspace/?tab={tab}")
        contrast.measure(page, f"queue {tab}", focus=tab in ("mine", "all"))
        badges |= set(page.locator(".queue-row .badge, .queue-row .prio, .queue-row .countdown")
                      .evaluate_all("els => els.flatMap(el => [...el.classList])"))
    for status in Status.values:
        if f"status-{status}" not in badges:
            page.goto(f"{url}/workspace/?tab=all&status={status}")
            contrast.measure(page, f"queue all, {status}", focus=False)
            badges |= set(page.locator(".queue-row .badge").evaluate_all(
                "els => els.flatMap(el => [...el.classList])"))
    wanted = {*(f"status-{s}" for s in Status.values), *(f"prio-{p}" for p in Priority.values),
              "state-breached", "state-warning", "state-running", "state-paused"}
    assert wanted <= badges, f"not shown, so not measured: {sorted(wanted - badges)}"

    # Phone intake with a returning caller found.
    page.goto(f"{url}/workspace/intake/")
    page.locator("#id_phone").fill("13812345678")
    page.locator("#id_phone").press("Enter")
    page.wait_for_selector("[data-caller=known]")
    page.locator("#id_description").fill("冰箱不制冷，冷藏室温度很高")
    page.wait_for_selector("#priority-hint .prio")
    contrast.measure(page, "intake, caller found")
    page.goto(f"{url}/workspace/intake/")
    page.locator("#id_phone").fill("13900001111")
    page.wait_for_selector("[data-caller=new]")
    contrast.measure(page, "intake, new caller", focus=False)

    # The ticket page: replies of all three kinds, masked contact, deadlines in each state,
    # then with an action's form open.
    number = showroom["ticket"].number
    page.goto(f"{url}/workspace/tickets/{number}/")
    assert "138****5678" in page.locator("#contact-phone").inner_text()
    assert page.locator("#ticket-timeline .tl-internal").count() == 1
    page.check("input[name=visibility][value=internal]")
    contrast.measure(page, "ticket, internal note selected")
    page.goto(f"{url}/workspace/tickets/{number}/?action=set_priority#action-panel")
    page.wait_for_selector("#action-panel .action-form")
    contrast.measure(page, "ticket, action form open")

    page.goto(f"{url}/workspace/console/")
    contrast.measure(page, "console")

    page.goto(f"{url}/workspace/")
    page.wait_for_selector("#bell .bell-count")
    page.locator("#bell a.bell").click()
    page.wait_for_selector(".notice.is-unread")
    contrast.measure(page, "notifications (bell opened)")

    contrast.assert_clean()


@pytest.mark.parametrize("language", LANGUAGES)
def test_portal_pages_on_a_phone_meet_wcag_aa_contrast(new_page, live_server, portal_tickets,
                                                      language):
    page = new_page(locale=LANGUAGES[language], phone=True)
    url = live_server.url
    contrast = Contrast("portal", language)

    page.goto(f"{url}/portal/")
    contrast.measure(page, "portal home")

    page.goto(f"{url}/portal/submit/")
    page.fill("#id_description", "空调不制冷")
    page.fill("#id_name", "钱")
    page.fill("#id_phone", "12345")
    page.locator("form.portal-form button[type=submit]").click()
    page.wait_for_selector("#id_phone[aria-invalid=true]")
    contrast.measure(page, "submit, with an error")

    page.goto(f"{url}/portal/track/")
    contrast.measure(page, "track")
    page.fill("#id_number", portal_tickets["late"].number)
    page.fill("#id_phone", "13812345678")
    page.locator("form.portal-form button[type=submit]").click()
    page.wait_for_url("**/portal/track/verify/")
    contrast.measure(page, "track, code")

    for key, name in (("waiting", "ticket waiting for the customer"),
                      ("late", "ticket with a late promise"),
                      ("resolved", "ticket resolved, not solved opened"),
                      ("closed", "ticket closed, reopen opened"),
                      ("cancelled", "ticket cancelled")):
        ticket = portal_tickets[key]
        page.goto(f"{url}/portal/f/{follow_token(ticket=ticket)}/")
        page.wait_for_url(f"**/portal/tickets/{ticket.number}/")
        if key == "resolved":
            page.locator(".not-solved > summary").click()
        if key == "closed":
            page.locator(".disclosure-inline > summary").click()
        contrast.measure(page, name)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # The customer's account: signed in with a code, the list of tickets and units.
    page.goto(f"{url}/portal/account/")
    contrast.measure(page, "account, sign in")
    page.fill("#id_phone", "13812345678")
    page.locator("form.portal-form button[type=submit]").first.click()
    page.wait_for_url("**/portal/account/verify/")
    page.fill("#id_code", code_sent_to("+8613812345678"))
    page.locator("form.portal-form button[type=submit]").first.click()
    page.wait_for_url("**/portal/account/")
    page.wait_for_selector(".ticket-row")
    contrast.measure(page, "account, tickets and units")

    contrast.assert_clean()
