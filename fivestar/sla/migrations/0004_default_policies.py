"""The default service standards of SPEC §3, one policy per priority.

Clocks: ``calendar`` null is the wall clock (24×7). P1 and P2 run on the wall clock; P3 runs on
the default working calendar (``standard``) — the SPEC table's clock column is "working calendar"
for the whole P3 row, so P3's respond (8 h) and update (6 h) count working hours like its resolve
(3 working days = 27 working hours). First response (10 min in working hours, 30 min at night,
on weekends and holidays), contact (30 min) and acceptance (24 h) are wall-clock for every
priority. The on-site visit (48 h after evaluation) waits for the dispatch module, which owns the
event that plans a visit.

Start/stop names are triggers derived from ticket events: ``created``, ``assigned`` (assign or
approve giving the ticket an assignee), ``staff_reply`` (a public reply by staff), ``reopened``
(reopen, or the customer saying it is not solved), and the workflow actions themselves.
"""

from datetime import timedelta

from django.db import migrations

H = timedelta(hours=1)
M = timedelta(minutes=1)
WAIT = ["waiting_customer"]


def targets(*, respond, resolve, update, working):
    return [
        dict(name="first_response", duration=10 * M, outside_hours_duration=30 * M,
             wall=True, start_event="created", stop_events=["staff_reply"]),
        dict(name="contact", duration=30 * M, wall=True, start_event="assigned",
             stop_events=["staff_reply", "start"], restart_events=["assigned"]),
        dict(name="acceptance", duration=24 * H, wall=True, start_event="created",
             stop_events=["accept"]),
        dict(name="respond", duration=respond, wall=not working, start_event="created",
             stop_events=["start", "resolve"]),
        dict(name="resolve", duration=resolve, wall=not working, start_event="created",
             stop_events=["resolve"]),
        dict(name="update", duration=update, wall=not working, start_event="start",
             stop_events=["staff_reply", "resolve"], restart_events=["staff_reply", "reopened"]),
    ]


POLICIES = [
    ("P1 一级（紧急）", 10, "P1", targets(respond=2 * H, resolve=4 * H, update=2 * H,
                                        working=False)),
    ("P2 二级（重要）", 20, "P2", targets(respond=4 * H, resolve=24 * H, update=6 * H,
                                        working=False)),
    # 3 working days = 3 × the 9-hour standard day.
    ("P3 三级（一般）", 30, "P3", targets(respond=8 * H, resolve=27 * H, update=6 * H,
                                        working=True)),
]


def seed(apps, schema_editor):
    Calendar = apps.get_model("sla", "Calendar")
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    SlaTarget = apps.get_model("sla", "SlaTarget")
    if SlaPolicy.objects.exists():
        return
    standard = Calendar.objects.filter(code="standard").first()
    for name, order, priority, specs in POLICIES:
        policy = SlaPolicy.objects.create(name=name, order=order, priority=priority)
        for spec in specs:
            spec = dict(spec)
            wall = spec.pop("wall")
            SlaTarget.objects.create(
                policy=policy, calendar=None if wall else standard,
                pause_statuses=WAIT, **spec,
            )


class Migration(migrations.Migration):
    dependencies = [("sla", "0003_policies_and_clocks")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
