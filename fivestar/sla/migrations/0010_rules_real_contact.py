"""The contact and first-response targets of SPEC §3 stop on what really answers the customer
(issue 18 items 3 and 4).

``contact`` ("the assignee contacts the customer within 30 minutes") stopped on ``start`` — a
button anyone can press without speaking to the customer. It now stops on a public reply, a
logged contact that reached the customer (``customer_contacted``: the ``contact`` action with
a call, a message or a visit) or the arrival on site (``arrive``).

``first_response`` also stops on a contact that reached the customer, and on ``live_intake``:
a ticket staff record on the phone or at the counter has had its first response at creation.

Only the triggers are changed, on every policy's target of that name; a target an
administrator set up differently keeps its own additions.
"""

from django.db import migrations

CONTACT_STOPS = ["staff_reply", "customer_contacted", "arrive"]
FIRST_RESPONSE_STOPS = ["live_intake", "customer_contacted"]


def seed(apps, schema_editor):
    SlaTarget = apps.get_model("sla", "SlaTarget")
    for target in SlaTarget.objects.filter(name="contact"):
        stops = [e for e in (target.stop_events or []) if e != "start"]
        stops += [e for e in CONTACT_STOPS if e not in stops]
        if stops != target.stop_events:
            target.stop_events = stops
            target.save(update_fields=["stop_events"])
    for target in SlaTarget.objects.filter(name="first_response"):
        stops = list(target.stop_events or [])
        stops += [e for e in FIRST_RESPONSE_STOPS if e not in stops]
        if stops != target.stop_events:
            target.stop_events = stops
            target.save(update_fields=["stop_events"])


def unseed(apps, schema_editor):
    SlaTarget = apps.get_model("sla", "SlaTarget")
    for target in SlaTarget.objects.filter(name__in=["contact", "first_response"]):
        stops = [e for e in (target.stop_events or [])
                 if e not in ("customer_contacted", "arrive", "live_intake")]
        if target.name == "contact" and "start" not in stops:
            stops.append("start")
        target.stop_events = stops
        target.save(update_fields=["stop_events"])


class Migration(migrations.Migration):
    dependencies = [("sla", "0009_official_holidays")]
    operations = [migrations.RunPython(seed, unseed)]
