"""API v1 of the SLA engine: calendars and policies readable by staff and changed by
administrators only, the deadline preview, and every bad input a 422 naming the field."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fivestar.sla.models import Calendar, CalendarOverride, SlaPolicy, SlaTarget
from tests.conftest import make_user
from tests.sla.flow import receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    return make_user("admin-s", "administrator")


@pytest.fixture
def as_admin(api_as, admin):
    return api_as(admin)


def fields_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    return body["error"]["fields"]


def calendar_body(**changes) -> dict:
    return {"code": "outlet-sz", "name": "深圳网点", "time_zone": "Asia/Shanghai",
            "intervals": [{"weekday": day, "start": "09:00", "end": "12:00"} for day in range(6)]
            + [{"weekday": day, "start": "13:00", "end": "18:00"} for day in range(6)],
            **changes}


def policy_body(**changes) -> dict:
    return {
        "name": "VIP 客户", "order": 5, "customer_tier": "vip", "warn_at_percent": 75,
        "escalation_step": "PT15M",
        "targets": [
            {"name": "resolve", "duration": "PT8H", "calendar": "standard",
             "start_event": "created", "stop_events": ["resolve"]},
            {"name": "first_response", "duration": "PT5M", "outside_hours_duration": "PT20M",
             "start_event": "created", "stop_events": ["staff_reply"]},
        ],
        **changes,
    }


class TestWhoMay:
    def test_staff_read_administrators_change_others_get_403(self, api_as, agent, admin,
                                                             standard):
        customer = make_user("cust-s", "customer")
        staff, boss, outsider = api_as(agent), api_as(admin), api_as(customer)
        for path in ("/api/v1/sla/calendars", "/api/v1/sla/calendars/standard",
                     "/api/v1/sla/policies", "/api/v1/sla/preview?priority=P1"):
            assert staff.get(path).status_code == 200, path
            assert outsider.get(path).status_code == 403, path
        for path, body in (("/api/v1/sla/calendars", calendar_body()),
                           ("/api/v1/sla/policies", policy_body())):
            response = staff.post(path, body)
            assert response.status_code == 403
            assert response.json()["error"]["code"] == "administrator_only"
            assert boss.post(path, body).status_code == 201
        assert api_as(None).get("/api/v1/sla/calendars").status_code == 401


class TestCalendars:
    def test_create_read_and_change(self, as_admin, standard):
        created = as_admin.post("/api/v1/sla/calendars", calendar_body())
        assert created.status_code == 201, created.content
        body = created.json()
        assert body["intervals"][:2] == [{"weekday": 0, "start": "09:00", "end": "12:00"},
                                         {"weekday": 0, "start": "13:00", "end": "18:00"}]
        assert body["is_default"] is False
        this_year = timezone.localdate().year
        assert body["missing_holiday_years"] == [this_year, this_year + 1]
        assert str(this_year) in body["warnings"][0]
        changed = as_admin.client.patch(
            "/api/v1/sla/calendars/outlet-sz",
            {"name": "深圳网点（夏季）",
             "intervals": [{"weekday": d, "start": "08:00", "end": "24:00"} for d in range(5)]},
            content_type="application/json", headers=as_admin.headers)
        assert changed.status_code == 200, changed.content
        assert changed.json()["name"] == "深圳网点（夏季）"
        assert changed.json()["intervals"][0] == {"weekday": 0, "start": "08:00",
                                                  "end": "24:00"}

    def test_overrides_and_year_confirmation_silence_the_warning(self, as_admin, standard):
        this_year = timezone.localdate().year
        base = "/api/v1/sla/calendars/standard"
        day = f"{this_year}-12-24"
        override = as_admin.client.put(f"{base}/overrides/{day}",
                                       {"kind": "holiday", "name": "平安夜"},
                                       content_type="application/json", headers=as_admin.headers)
        assert override.status_code == 200, override.content
        assert override.json()["source"] == "manual"
        for year in (this_year, this_year + 1):
            confirmed = as_admin.client.put(f"{base}/years/{year}", {"has_official_data": True},
                                            content_type="application/json",
                                            headers=as_admin.headers)
            assert confirmed.status_code == 200
        detail = as_admin.get(base).json()
        assert detail["warnings"] == [] and detail["missing_holiday_years"] == []
        assert {"date": day, "kind": "holiday", "name": "平安夜", "source": "manual"} in detail[
            "overrides"]
        removed = as_admin.client.delete(f"{base}/overrides/{day}", headers=as_admin.headers)
        assert removed.status_code == 204
        assert not CalendarOverride.objects.filter(calendar=standard, date=day).exists()
        again = as_admin.client.delete(f"{base}/overrides/{day}", headers=as_admin.headers)
        assert again.status_code == 404

    @pytest.mark.parametrize(("changes", "field"), [
        ({"intervals": [{"weekday": 0, "start": "09:00", "end": "12:00"},
                        {"weekday": 0, "start": "11:00", "end": "18:00"}]}, "intervals"),
        ({"intervals": [{"weekday": 0, "start": "18:00", "end": "09:00"}]}, "intervals"),
        ({"intervals": []}, "intervals"),
        ({"intervals": [{"weekday": 9, "start": "09:00", "end": "18:00"}]}, "intervals"),
        ({"intervals": [{"weekday": 0, "start": "9 o'clock", "end": "18:00"}]},
         "intervals.0.start"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"code": "has space"}, "code"),
        ({"code": "standard"}, "code"),
        ({"name": " "}, "name"),
        ({"adjusted_workday_weekday": 6}, "adjusted_workday_weekday"),
    ])
    def test_bad_calendars_are_422_naming_the_field(self, as_admin, standard, changes, field):
        response = as_admin.post("/api/v1/sla/calendars", calendar_body(**changes))
        assert response.status_code == 422, response.content
        assert field in fields_of(response)
        assert not Calendar.objects.filter(code="outlet-sz").exists()

    def test_bad_changes_are_422_and_change_nothing(self, as_admin, standard):
        def patch(body):
            return as_admin.client.patch("/api/v1/sla/calendars/standard", body,
                                         content_type="application/json",
                                         headers=as_admin.headers)

        assert "time_zone" in fields_of(patch({"time_zone": "Nowhere/Land"}))
        assert "intervals" in fields_of(patch({"intervals": []}))
        assert "is_default" in fields_of(patch({"is_default": False}))
        response = as_admin.client.put("/api/v1/sla/calendars/24x7/intervals",
                                       [{"weekday": 0, "start": "09:00", "end": "18:00"}],
                                       content_type="application/json", headers=as_admin.headers)
        assert response.status_code == 422 and "intervals" in fields_of(response)
        response = as_admin.client.put("/api/v1/sla/calendars/standard/overrides/2026-02-30",
                                       {"kind": "holiday"}, content_type="application/json",
                                       headers=as_admin.headers)
        assert response.status_code == 422
        standard.refresh_from_db()
        assert standard.time_zone == "Asia/Shanghai" and standard.intervals.count() == 5
        assert as_admin.get("/api/v1/sla/calendars/nope").status_code == 404


class TestPolicies:
    def test_create_read_and_replace(self, as_admin, agent, api_as, standard):
        created = as_admin.post("/api/v1/sla/policies", policy_body())
        assert created.status_code == 201, created.content
        policy = created.json()
        assert (policy["warn_at_percent"], policy["customer_tier"]) == (75, "vip")
        targets = {t["name"]: t for t in policy["targets"]}
        assert targets["resolve"]["calendar"] == "standard"
        assert targets["first_response"]["calendar"] is None
        read = api_as(agent).get(f"/api/v1/sla/policies/{policy['id']}")
        assert read.json() == policy
        replaced = as_admin.client.put(
            f"/api/v1/sla/policies/{policy['id']}",
            policy_body(targets=[{"name": "resolve", "duration": "PT6H",
                                  "start_event": "created", "stop_events": ["resolve"]}]),
            content_type="application/json", headers=as_admin.headers)
        assert replaced.status_code == 200, replaced.content
        assert [t["name"] for t in replaced.json()["targets"]] == ["resolve"]
        resolve_target = SlaTarget.objects.get(policy_id=policy["id"], name="resolve")
        assert resolve_target.duration == timedelta(hours=6)
        # Changed in place: the clocks started from it stay linked to it.
        assert resolve_target.pk == SlaPolicy.objects.get(pk=policy["id"]).targets.get(
            name="resolve").pk

    @pytest.mark.parametrize(("changes", "field"), [
        ({"targets": [{"name": "first_response", "duration": "PT5M",
                       "start_event": "created", "stop_events": ["staff_reply"]}]}, "targets"),
        ({"targets": [{"name": "resolve", "duration": "-PT1H", "start_event": "created",
                       "stop_events": ["resolve"]}]}, "targets[0].duration"),
        ({"targets": [{"name": "resolve", "duration": "PT0S", "start_event": "created",
                       "stop_events": ["resolve"]}]}, "targets[0].duration"),
        ({"targets": [{"name": "resolve", "duration": "PT1H", "start_event": "lunch",
                       "stop_events": ["resolve"]}]}, "targets[0].start_event"),
        ({"targets": [{"name": "resolve", "duration": "PT1H", "start_event": "created",
                       "stop_events": ["resolve"], "calendar": "nope"}]},
         "targets[0].calendar"),
        ({"targets": [{"name": "tea", "duration": "PT1H", "start_event": "created",
                       "stop_events": ["resolve"]}]}, "targets[0].name"),
        ({"targets": [{"name": "resolve", "duration": "soon", "start_event": "created",
                       "stop_events": ["resolve"]}]}, "targets.0.duration"),
        ({"warn_at_percent": 100}, "warn_at_percent"),
        ({"escalation_step": "-PT5M"}, "escalation_step"),
        ({"priority": "P9"}, "priority"),
        ({"customer_tier": "gold"}, "customer_tier"),
        ({"product_line": "no-such-line"}, "product_line"),
        ({"name": ""}, "name"),
    ])
    def test_bad_policies_are_422_naming_the_field(self, as_admin, changes, field):
        count = SlaPolicy.objects.count()
        response = as_admin.post("/api/v1/sla/policies", policy_body(**changes))
        assert response.status_code == 422, response.content
        assert field in fields_of(response)
        assert SlaPolicy.objects.count() == count

    def test_unknown_policy_is_404(self, as_admin):
        assert as_admin.get("/api/v1/sla/policies/999999").status_code == 404


class TestPreview:
    def test_the_deadlines_a_new_ticket_would_get(self, api_as, agent, synced_2026):
        api = api_as(agent)
        response = api.get("/api/v1/sla/preview", priority="P3", type="repair", channel="phone",
                           received_at="2026-02-13T10:00:00+08:00")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["policy"]["name"].startswith("P3")
        deadlines = body["deadlines"]
        assert set(deadlines) == {"first_response", "acceptance", "respond", "resolve"}
        # The worked example of SPEC §3: Friday before the Spring Festival.
        assert deadlines["resolve"] == {"due_at": "2026-02-25T10:00:00+08:00",
                                        "state": "running", "breached": True,
                                        "calendar_unconfirmed": False}
        assert deadlines["first_response"]["due_at"] == "2026-02-13T10:10:00+08:00"
        # The same as a ticket received then.
        ticket = receive(agent, received_at=timezone.now() - timedelta(minutes=1))
        preview = api.get("/api/v1/sla/preview", priority="P3", type="repair",
                          channel="phone", received_at=ticket.received_at.isoformat()).json()
        actual = api.get(f"/api/v1/tickets/{ticket.number}").json()["deadlines"]
        assert {name: d["due_at"] for name, d in preview["deadlines"].items()} == {
            name: actual[name]["due_at"] for name in preview["deadlines"]}

    @pytest.mark.parametrize(("params", "field"), [
        ({}, "priority"),
        ({"priority": "P7"}, "priority"),
        ({"priority": "P1", "type": "party"}, "type"),
        ({"priority": "P1", "received_at": "yesterday"}, "received_at"),
        ({"priority": "P1", "received_at": "2026-02-13T10:00:00"}, "received_at"),
    ])
    def test_bad_queries_are_422(self, api_as, agent, params, field):
        response = api_as(agent).get("/api/v1/sla/preview", **params)
        assert response.status_code == 422, response.content
        assert field in fields_of(response)


def test_garbage_never_500(as_admin, standard):
    for path in ("/api/v1/sla/calendars", "/api/v1/sla/policies", "/api/v1/sla/replay",
                 "/api/v1/sla/policies/1/recompute"):
        for raw in ("not json", "[]", "null", '{"targets": 5}', '{"intervals": "x"}'):
            response = as_admin.client.post(path, raw, content_type="application/json",
                                            headers=as_admin.headers)
            assert response.status_code in (400, 404, 422, 200), (path, raw)
            assert response.status_code != 500


def test_openapi_stays_valid_and_lists_the_sla_paths(api_as, agent):
    from openapi_spec_validator import validate

    document = api_as(agent).get("/api/v1/openapi.json").json()
    validate(document)
    for path in ("/api/v1/sla/preview", "/api/v1/sla/calendars", "/api/v1/sla/policies",
                 "/api/v1/sla/policies/{policy_id}/recompute", "/api/v1/sla/replay"):
        assert path in document["paths"], path
    action = document["paths"]["/api/v1/tickets/{number}/actions/{action}"]["post"]
    assert "extend" in action["description"] and "customer_agreed" in action["description"]
