"""Customer messages carry the portal link to follow the ticket (issue 5: the SMS link).

Only templates that do not mention ``follow_url`` yet are changed, so an administrator's own
wording that already places the link is left alone.
"""

from django.db import migrations

CODES = ("ticket_created", "ticket_resolved", "ticket_reply")
LINE = {
    ("ticket_created", "zh-hans"): "查看进度：{{ follow_url }}",
    ("ticket_created", "en"): "Follow it here: {{ follow_url }}",
    ("ticket_resolved", "zh-hans"): "请点此确认是否解决：{{ follow_url }}",
    ("ticket_resolved", "en"): "Confirm here: {{ follow_url }}",
    ("ticket_reply", "zh-hans"): "查看并回复：{{ follow_url }}",
    ("ticket_reply", "en"): "See and reply: {{ follow_url }}",
}


def add_links(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for template in MessageTemplate.objects.filter(code__in=CODES):
        line = LINE.get((template.code, template.language))
        if line is None or "follow_url" in template.body:
            continue
        body = template.body.rstrip("\n")
        if template.channel == "sms":
            template.body = f"{body} {line}"
        else:
            # E-mails end with the signature paragraph: the link goes just above it.
            head, sep, signature = body.rpartition("\n\n")
            template.body = (f"{head}\n\n{line}\n\n{signature}\n" if sep
                             else f"{body}\n\n{line}\n")
        template.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_staff_notifications")]
    operations = [migrations.RunPython(add_links, migrations.RunPython.noop)]
