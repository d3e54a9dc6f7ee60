"""Service-standard policies (SPEC §3): the seeded defaults, matching, and bad input."""

from datetime import timedelta

import pytest

from fivestar.core.errors import ValidationFailed
from fivestar.sla.models import SlaPolicy, SlaTarget
from fivestar.sla.policies import TargetSpec, create_policy
from fivestar.sla.selectors import policy_for
from tests.factories import CustomerFactory, ProductModelFactory, TicketFactory

pytestmark = pytest.mark.django_db

H = timedelta(hours=1)
M = timedelta(minutes=1)


def targets_of(priority: str) -> dict[str, SlaTarget]:
    policy = SlaPolicy.objects.get(priority=priority)
    return {t.name: t for t in policy.targets.select_related("calendar")}


@pytest.mark.parametrize(("priority", "respond", "resolve", "update", "clock"), [
    ("P1", 2 * H, 4 * H, 2 * H, None),
    ("P2", 4 * H, 24 * H, 6 * H, None),
    ("P3", 8 * H, 27 * H, 6 * H, "standard"),
])
def test_defaults_reproduce_spec_section_3(priority, respond, resolve, update, clock):
    targets = targets_of(priority)
    assert set(targets) == {"first_response", "contact", "acceptance", "respond", "resolve",
                            "update", "visit"}
    first = targets["first_response"]
    assert (first.duration, first.outside_hours_duration) == (10 * M, 30 * M)
    assert first.calendar is None and first.hours_calendar is None  # wall clock; default hours
    # Issue 18 items 3 and 4: a reached contact or a ticket taken on the phone or at the
    # counter answers the customer; ``start`` is no contact.
    assert (first.start_event, first.stop_events) == (
        "created", ["staff_reply", "live_intake", "customer_contacted"])
    assert (targets["contact"].duration, targets["contact"].calendar) == (30 * M, None)
    assert targets["contact"].start_event == "assigned"
    assert targets["contact"].stop_events == ["staff_reply", "customer_contacted", "arrive"]
    assert (targets["acceptance"].duration, targets["acceptance"].calendar) == (24 * H, None)
    assert targets["acceptance"].stop_events == ["accept"]
    for name, duration in (("respond", respond), ("resolve", resolve), ("update", update)):
        target = targets[name]
        assert target.duration == duration
        assert (target.calendar.code if target.calendar else None) == clock
        assert target.pause_statuses == ["waiting_customer"]
    assert "resolve" in targets["respond"].stop_events
    assert targets["resolve"].stop_events == ["resolve"]
    # On-site visit within 48 h of the evaluation when one is needed: wall clock.
    visit = targets["visit"]
    assert (visit.duration, visit.calendar, visit.start_event) == (48 * H, None, "visit_planned")
    assert visit.stop_events == ["arrive", "resolve"]
    policy = SlaPolicy.objects.get(priority=priority)
    assert (policy.warn_at_percent, policy.escalation_step) == (80, 30 * M)


def test_three_working_days_are_27_working_hours_on_the_standard_calendar(standard):
    from fivestar.sla.selectors import load_calendar

    assert load_calendar(standard).working_days(3) == targets_of("P3")["resolve"].duration


def spec(name, duration=H, **extra) -> TargetSpec:
    return TargetSpec(name=name, duration=duration, start_event="created",
                      stop_events=["resolve"], **extra)


class TestMatching:
    def test_the_priority_picks_the_default_policy(self):
        for priority in ("P1", "P2", "P3"):
            assert policy_for(ticket=TicketFactory(priority=priority)).priority == priority

    def test_the_most_specific_policy_wins_whatever_its_order(self):
        vip = create_policy(name="VIP P3", order=999, priority="P3", customer_tier="vip",
                            targets=[spec("resolve", 8 * H)])
        ticket = TicketFactory(priority="P3", customer=CustomerFactory(tier="vip"))
        assert policy_for(ticket=ticket) == vip
        assert policy_for(ticket=TicketFactory(priority="P3")).priority == "P3"
        assert policy_for(ticket=TicketFactory(priority="P3")) != vip

    def test_ties_go_to_the_lower_order(self):
        late = create_policy(name="late", order=50, priority="P2", channel="web",
                             targets=[spec("resolve")])
        early = create_policy(name="early", order=5, priority="P2", ticket_type="repair",
                              targets=[spec("resolve")])
        ticket = TicketFactory(priority="P2", channel="web", type="repair")
        assert policy_for(ticket=ticket) == early
        early.is_active = False
        early.save()
        assert policy_for(ticket=ticket) == late

    def test_product_line_matches_through_the_model(self):
        model = ProductModelFactory()
        line_policy = create_policy(name="line", order=1, priority="P3",
                                    product_line=model.product_line, targets=[spec("resolve")])
        assert policy_for(ticket=TicketFactory(priority="P3", product_model=model)) == line_policy
        assert policy_for(ticket=TicketFactory(priority="P3")) != line_policy

    def test_no_matching_policy_is_none(self):
        SlaPolicy.objects.update(is_active=False)
        assert policy_for(ticket=TicketFactory()) is None


class TestBadInput:
    def test_a_policy_without_a_resolve_target_is_refused_naming_the_field(self):
        with pytest.raises(ValidationFailed) as caught:
            create_policy(name="x", order=1, targets=[spec("respond")])
        assert "targets" in caught.value.fields
        assert not SlaPolicy.objects.filter(name="x").exists()

    @pytest.mark.parametrize("duration", [timedelta(0), -M])
    def test_a_duration_must_be_positive(self, duration):
        with pytest.raises(ValidationFailed) as caught:
            create_policy(name="x", order=1, targets=[spec("resolve", duration)])
        assert "targets[0].duration" in caught.value.fields

    def test_unknown_names_triggers_and_matchers_are_named(self):
        with pytest.raises(ValidationFailed) as caught:
            create_policy(name="x", order=1, targets=[spec("resolve"), spec("lunch")])
        assert "targets[1].name" in caught.value.fields
        with pytest.raises(ValidationFailed) as caught:
            create_policy(name="x", order=1, targets=[TargetSpec(
                name="resolve", duration=H, start_event="whenever", stop_events=["resolve"])])
        assert "targets[0].start_event" in caught.value.fields
        with pytest.raises(ValidationFailed) as caught:
            create_policy(name="x", order=1, priority="P9", targets=[spec("resolve")])
        assert "priority" in caught.value.fields

    def test_a_target_twice_is_refused(self):
        with pytest.raises(ValidationFailed) as caught:
            create_policy(name="x", order=1, targets=[spec("resolve"), spec("resolve")])
        assert "targets[1].name" in caught.value.fields


class TestAdmin:
    def test_policies_and_clocks_pages_open(self, admin_client):
        policy = SlaPolicy.objects.get(priority="P3")
        assert admin_client.get("/admin/sla/slapolicy/").status_code == 200
        response = admin_client.get(f"/admin/sla/slapolicy/{policy.pk}/change/")
        assert response.status_code == 200
        assert admin_client.get("/admin/sla/slaclock/").status_code == 200

    def test_a_policy_without_resolve_is_refused_in_admin(self, admin_client):
        response = admin_client.post("/admin/sla/slapolicy/add/", {
            "name": "no resolve", "order": "1", "priority": "", "ticket_type": "",
            "channel": "", "customer_tier": "", "is_active": "on",
            "targets-TOTAL_FORMS": "1", "targets-INITIAL_FORMS": "0",
            "targets-MIN_NUM_FORMS": "0", "targets-MAX_NUM_FORMS": "1000",
            "targets-0-name": "respond", "targets-0-duration": "02:00:00",
            "targets-0-start_event": "created", "targets-0-stop_events": '["start"]',
            "targets-0-restart_events": "[]", "targets-0-pause_statuses": "[]",
        })
        assert response.status_code == 200
        assert "策略必须包含" in response.content.decode()
        assert not SlaPolicy.objects.filter(name="no resolve").exists()
