"""The demo data set (``fivestar seed_demo``, loaded by ``fivestar demo``).

A home-appliance after-sales organisation — four departments with their heads, three outlets,
staff in every role, five product lines with warranty policies, 60 customers with their units
and ~300 tickets of the last 90 days in every state, made through the ticket services.

Deterministic (one ``random.Random`` with a fixed seed) and idempotent: a second run finds every
row it would create and creates nothing. All of it is loaded in one transaction. The history is
written as it happened, messages included; what it queued was delivered then
(``history.settle_messages``), so that nobody is told today about a request of last month.
"""

import random
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from fivestar.demo import data, history, organisation, quotes, surveys
from fivestar.demo.tickets import TicketLoader, plan_tickets
from fivestar.tickets.models import Ticket

SEED = 20261125
CUSTOMER_COUNT = 60
TICKET_COUNT = 300

DEMO_PASSWORD = data.DEMO_PASSWORD
ADMIN_USERNAME = data.ADMIN_USERNAME
PORTAL_USERNAME = data.PORTAL_USERNAME
API_AGENT_USERNAME = data.API_AGENT_USERNAME


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def created_anything(self) -> bool:
        return any(self.created.values())


def seed_demo(*, tickets: int = TICKET_COUNT, now: datetime | None = None) -> SeedReport:
    """Load the demo data set; what already exists is left as it is."""
    started = time.monotonic()
    rng = random.Random(SEED)
    now = now or timezone.now()
    counter = organisation.Counter()
    with transaction.atomic():
        mark = history.Mark.now()
        outlets = organisation.ensure_outlets(counter)
        lines = organisation.ensure_catalogue(counter)
        skills = organisation.ensure_skills(lines, counter)
        staff = organisation.ensure_staff(outlets, skills, counter)
        plans = organisation.plan_customers(rng, count=CUSTOMER_COUNT,
                                            today=timezone.localdate(now))
        customers = organisation.ensure_customers(plans, counter)
        portal_user = organisation.ensure_portal_user(customers[0], counter)
        # The tickets are one history: loaded whole the first time, never added to later.
        if tickets and not Ticket.objects.filter(customer__in=customers).exists():
            ticket_plans = plan_tickets(rng, customers=plans, count=tickets, now=now)
            loader = TicketLoader(customers=customers, plans=plans, staff=staff,
                                  portal_user=portal_user, now=now)
            counter.add("tickets", loader.load(ticket_plans))
        # Repair quotes on some of the out-of-warranty work (SPEC §4), once.
        quotes.ensure_quotes(customers=customers, now=now, counter=counter)
        # Satisfaction surveys of the closed tickets, answered, cleaned and reviewed (SPEC §6).
        surveys.ensure_surveys(customers=customers, now=now, counter=counter)
        history.settle_messages(since=mark, now=now)
    return SeedReport(created=counter.created, seconds=time.monotonic() - started)


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, name, roles and place) of every demo login, for ``fivestar demo`` to print."""
    from fivestar.accounts.models import Department, Outlet, RoleCode

    departments = dict(Department.objects.values_list("code", "name"))
    outlets = dict(Outlet.objects.values_list("code", "name"))
    rows = []
    for spec in data.STAFF:
        roles = "、".join(str(RoleCode(code).label) for code in spec.roles)
        if spec.superuser:
            roles += "（超级用户）"
        place = " / ".join(
            part for part in (departments.get(spec.department or ""),
                              outlets.get(spec.outlet or "")) if part
        )
        rows.append((spec.username, spec.display_name, f"{roles}  {place}".strip()))
    return rows
