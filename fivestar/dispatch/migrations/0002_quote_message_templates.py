"""The message that brings the customer a quote (SPEC §4), by SMS and e-mail, in Chinese and
English, with the link to accept it (editable in the admin afterwards). Existing rows are left as
they are: an administrator's wording wins."""

from django.db import migrations

SIGN_ZH = "五星售后服务中心"
SIGN_EN = "Fivestar Customer Service"

TEMPLATES = [
    ("quote_proposed", "sms", "zh-hans", "",
     "【五星售后】{{ customer_name }}您好，工单 {{ number }} 的维修报价：合计 {{ total }}"
     "（人工 {{ labour }}，配件 {{ parts }}，上门 {{ travel }}）"
     "{% if valid_until %}，{{ valid_until|date:\"Y-m-d\" }} 前有效{% endif %}。"
     "同意后我们再开始维修。请点此查看并确认：{{ follow_url }}"),
    ("quote_proposed", "sms", "en", "",
     "[Fivestar] Hello {{ customer_name }}, the repair quote for ticket {{ number }}: "
     "{{ total }} in all (labour {{ labour }}, parts {{ parts }}, travel {{ travel }})"
     "{% if valid_until %}, valid until {{ valid_until|date:\"Y-m-d\" }}{% endif %}. "
     "We start the repair once you accept. See and answer: {{ follow_url }}"),
    ("quote_proposed", "email", "zh-hans", "工单 {{ number }} 的维修报价，请确认",
     "{{ customer_name }}，您好：\n\n"
     "本次维修不在保修范围内，需要收费。以下是工单 {{ number }}（{{ title }}）的维修报价：\n\n"
     "维修内容：{{ work }}\n\n"
     "人工费：{{ labour }}\n"
     "配件费：{{ parts }}\n"
     "上门费：{{ travel }}\n"
     "合计：{{ total }}\n"
     "{% if valid_until %}有效期至：{{ valid_until|date:\"Y-m-d\" }}\n{% endif %}\n"
     "您同意后我们才会开始维修；如不接受，我们不会收取维修费用。\n\n"
     "请点此查看并确认：{{ follow_url }}\n\n"
     f"{SIGN_ZH}\n"),
    ("quote_proposed", "email", "en", "Repair quote for ticket {{ number }}: please answer",
     "Dear {{ customer_name }},\n\n"
     "This repair is not covered by the warranty, so it is charged. Here is the quote for "
     "ticket {{ number }} ({{ title }}):\n\n"
     "Work: {{ work }}\n\n"
     "Labour: {{ labour }}\n"
     "Parts: {{ parts }}\n"
     "Travel: {{ travel }}\n"
     "Total: {{ total }}\n"
     "{% if valid_until %}Valid until: {{ valid_until|date:\"Y-m-d\" }}\n{% endif %}\n"
     "We start the repair only once you accept; if you do not, you pay nothing for it.\n\n"
     "See and answer here: {{ follow_url }}\n\n"
     f"{SIGN_EN}\n"),
]

DESCRIPTIONS = {
    "quote_proposed": "客户：维修报价，请确认",
}


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for code, channel, language, subject, body in TEMPLATES:
        MessageTemplate.objects.get_or_create(
            code=code, channel=channel, language=language,
            defaults={"subject": subject, "body": body, "description": DESCRIPTIONS[code]},
        )


class Migration(migrations.Migration):
    dependencies = [("dispatch", "0001_initial"), ("notifications", "0002_seed_templates")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
