"""The on-site visit target of SPEC §3 ("within 48 hours of the evaluation when one is
needed"), added to the policies that have none.

It starts on ``visit_planned`` — the acceptance (受理评估, the evaluation) recorded that a visit
is needed — and stops when the assignee records the arrival on site (``arrive``) or the ticket is
resolved (solved without a visit after all). Wall clock for every priority, like acceptance: the
48 hours are the customer's hours, not working hours. Waiting for the customer (an appointment)
pauses it like the other targets.
"""

from datetime import timedelta

from django.db import migrations

VISIT = dict(name="visit", duration=timedelta(hours=48), start_event="visit_planned",
             stop_events=["arrive", "resolve"], pause_statuses=["waiting_customer"])


def seed(apps, schema_editor):
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    SlaTarget = apps.get_model("sla", "SlaTarget")
    for policy in SlaPolicy.objects.exclude(targets__name="visit"):
        SlaTarget.objects.create(policy=policy, calendar=None, **VISIT)


def unseed(apps, schema_editor):
    SlaTarget = apps.get_model("sla", "SlaTarget")
    SlaTarget.objects.filter(name="visit", start_event="visit_planned").delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0006_policy_pace_and_extensions")]
    operations = [migrations.RunPython(seed, unseed)]
