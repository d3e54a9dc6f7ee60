"""The messages of the SLA sweep (SPEC §3): a warning before a deadline and a breach
(escalated to the supervisor and the manager). Existing rows are left alone: an administrator's
wording wins."""

from django.db import migrations

TEMPLATES = [
    ("sla_warning", "email", "zh-hans", "工单 {{ number }} 的“{{ target_label }}”即将到期",
     "{{ recipient_name }}，您好：\n\n"
     "工单 {{ number }}（{{ priority }}，{{ title }}）的“{{ target_label }}”将于 "
     "{{ due_at|date:\"Y-m-d H:i\" }} 到期，请及时处理。\n"),
    ("sla_warning", "email", "en", "Ticket {{ number }}: {{ target }} due soon",
     "Dear {{ recipient_name }},\n\n"
     "The {{ target }} deadline of ticket {{ number }} ({{ priority }}, {{ title }}) is "
     "{{ due_at|date:\"Y-m-d H:i\" }}. Please act before then.\n"),
    ("sla_breached", "email", "zh-hans", "工单 {{ number }} 的“{{ target_label }}”已超时",
     "{{ recipient_name }}，您好：\n\n"
     "工单 {{ number }}（{{ priority }}，{{ title }}）的“{{ target_label }}”已于 "
     "{{ due_at|date:\"Y-m-d H:i\" }} 超时。"
     "{% if level > 1 %}处理人：{{ assignee_name|default:\"未指派\" }}。请督促处理。"
     "{% else %}请立即处理。{% endif %}\n"),
    ("sla_breached", "email", "en", "Ticket {{ number }}: {{ target }} deadline missed",
     "Dear {{ recipient_name }},\n\n"
     "The {{ target }} deadline of ticket {{ number }} ({{ priority }}, {{ title }}) passed at "
     "{{ due_at|date:\"Y-m-d H:i\" }}."
     "{% if level > 1 %} Assignee: {{ assignee_name|default:\"nobody\" }}. Please follow up."
     "{% else %} Please act now.{% endif %}\n"),
]

DESCRIPTIONS = {
    "sla_warning": "员工：服务时限即将到期",
    "sla_breached": "员工/主管/经理：服务时限已超时",
}


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for code, channel, language, subject, body in TEMPLATES:
        MessageTemplate.objects.get_or_create(
            code=code, channel=channel, language=language,
            defaults={"subject": subject, "body": body, "description": DESCRIPTIONS[code]},
        )


class Migration(migrations.Migration):
    dependencies = [("sla", "0004_default_policies"), ("notifications", "0002_seed_templates")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
