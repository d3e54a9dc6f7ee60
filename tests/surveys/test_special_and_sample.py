"""Special surveys 7 days after a major complaint or complex repair (rules as data) and the
monthly stratified sample (SPEC §6)."""

from datetime import date, timedelta

import pytest

from fivestar.surveys.models import (
    Invitation,
    InvitationKind,
    InvitationStatus,
    SampleRun,
    SpecialRule,
)
from fivestar.surveys.sampling import draw, population, sample_month
from fivestar.surveys.tasks import survey_sweep
from fivestar.tickets.models import Ticket
from tests.factories import CustomerFactory, TicketFactory
from tests.surveys.conftest import closed_ticket, cn

pytestmark = pytest.mark.django_db


class TestSpecial:
    def test_a_major_complaint_gets_a_special_survey_seven_days_after_closing(
        self, agent, technician
    ):
        ticket = closed_ticket(agent, technician, type="complaint", priority="P2")
        special = Invitation.objects.get(ticket=ticket, kind=InvitationKind.SPECIAL)
        assert special.due_at == ticket.closed_at + timedelta(days=7)
        assert special.rule.name.startswith("重大投诉")
        survey_sweep(now=ticket.closed_at + timedelta(hours=1))  # the routine one goes
        survey_sweep(now=special.due_at)
        special.refresh_from_db()
        assert special.status == InvitationStatus.SENT
        routine = Invitation.objects.get(ticket=ticket, kind=InvitationKind.ROUTINE)
        assert routine.status == InvitationStatus.EXPIRED  # superseded, never two pending

    def test_an_ordinary_repair_gets_none(self, closed):
        assert not Invitation.objects.filter(ticket=closed, kind=InvitationKind.SPECIAL)

    def test_rules_are_data(self, agent, technician):
        SpecialRule.objects.update(active=False)
        SpecialRule.objects.create(name="所有 P3 维修", ticket_type="repair", priorities="P3")
        ticket = closed_ticket(agent, technician)
        assert Invitation.objects.filter(ticket=ticket, kind=InvitationKind.SPECIAL).exists()

    def test_a_costly_repair_matches_the_cost_rule(self, agent, technician):
        ticket = closed_ticket(agent, technician)
        from fivestar.surveys.handlers import special_rule_for

        ticket.cost_fen = 150000
        assert special_rule_for(ticket).min_cost_fen == 100000
        ticket.cost_fen = 50000
        assert special_rule_for(ticket) is None


OCTOBER = cn(2026, 10, 15, 12)


def _served(n: int, *, type: str, channel: str, on=OCTOBER) -> list[Ticket]:
    return [TicketFactory(customer=CustomerFactory(), type=type, channel=channel,
                          status="closed", closed_at=on) for _ in range(n)]


class TestMonthlySample:
    def test_every_stratum_is_represented_and_ten_percent_is_reached(self):
        _served(30, type="repair", channel="phone")
        _served(8, type="repair", channel="web")
        _served(1, type="complaint", channel="phone")
        _served(5, type="repair", channel="phone", on=cn(2026, 11, 2, 12))  # next month
        run = sample_month(period=date(2026, 10, 1), now=cn(2026, 11, 1, 9))
        assert run.population == 39
        assert run.strata == {
            "complaint/phone": {"population": 1, "sampled": 1},
            "repair/phone": {"population": 30, "sampled": 3},
            "repair/web": {"population": 8, "sampled": 1},
        }
        assert run.sampled == 5 >= 0.1 * run.population
        monthly = Invitation.objects.filter(kind=InvitationKind.MONTHLY)
        assert monthly.count() == 5
        assert set(monthly.values_list("period", flat=True)) == {date(2026, 10, 1)}

    def test_the_sample_is_reproducible_from_the_recorded_seed(self):
        _served(40, type="repair", channel="phone")
        run = sample_month(period=date(2026, 10, 1), now=cn(2026, 11, 1, 9))
        chosen = set(Invitation.objects.filter(kind=InvitationKind.MONTHLY)
                     .values_list("customer_id", flat=True))
        again = draw(population(date(2026, 10, 1)), seed=run.seed, ratio_percent=10)
        assert {c for rows in again.values() for c, _t in rows} == chosen

    def test_customers_already_surveyed_that_month_are_left_out(self):
        tickets = _served(3, type="repair", channel="phone")
        Invitation.objects.create(kind=InvitationKind.ROUTINE, ticket=tickets[0],
                                  customer=tickets[0].customer, status=InvitationStatus.SENT,
                                  due_at=cn(2026, 10, 15, 13), sent_at=cn(2026, 10, 15, 13))
        run = sample_month(period=date(2026, 10, 1), now=cn(2026, 11, 1, 9))
        assert run.population == 2

    def test_the_sweep_samples_the_previous_month_once(self):
        _served(12, type="repair", channel="phone")
        first = survey_sweep(now=cn(2026, 11, 1, 0, 5))
        assert first["sampled"] == 2 and first["sent"] == 2
        assert survey_sweep(now=cn(2026, 11, 1, 0, 6))["sampled"] == 0
        assert SampleRun.objects.get().period == date(2026, 10, 1)
