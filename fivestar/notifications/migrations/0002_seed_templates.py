"""The standard message templates in Chinese and English (editable in the admin afterwards).

Existing rows are left as they are: an administrator's wording wins over these defaults.
"""

from django.db import migrations

SIGN_ZH = "五星售后服务中心"
SIGN_EN = "Fivestar Customer Service"

TEMPLATES = [
    # ---- ticket_created: to the customer -----------------------------------------------------
    ("ticket_created", "sms", "zh-hans", "",
     "【五星售后】{{ customer_name }}您好，您的服务请求已登记，工单号 {{ number }}。"
     "客服人员将尽快与您联系（工作时间一般 10 分钟内，夜间及节假日 30 分钟内），"
     "咨询进度请提供工单号。"),
    ("ticket_created", "sms", "en", "",
     "[Fivestar] Hello {{ customer_name }}, your service request is recorded as ticket "
     "{{ number }}. An agent will contact you shortly (usually within 10 minutes in working "
     "hours, 30 minutes at night and on holidays). Please quote the ticket number."),
    ("ticket_created", "email", "zh-hans", "您的服务请求已登记（工单号 {{ number }}）",
     "{{ customer_name }}，您好：\n\n"
     "我们已收到并登记您的服务请求。\n\n"
     "工单号：{{ number }}\n"
     "问题：{{ title }}\n"
     "类型：{{ type }}\n"
     "受理时间：{{ received_at|date:\"Y-m-d H:i\" }}\n\n"
     "接下来：\n"
     "1. 客服人员会尽快与您联系确认情况（工作时间一般在 10 分钟内，夜间、周末和节假日在 "
     "30 分钟内）；\n"
     "2. 需要技术人员处理的，我们会为您安排并告知预计时间；\n"
     "3. 处理完成后，我们会请您确认问题是否已经解决。\n\n"
     "咨询进度时请提供工单号。\n\n"
     f"{SIGN_ZH}\n"),
    ("ticket_created", "email", "en", "Your service request is recorded (ticket {{ number }})",
     "Dear {{ customer_name }},\n\n"
     "We have received and recorded your service request.\n\n"
     "Ticket number: {{ number }}\n"
     "Subject: {{ title }}\n"
     "Type: {{ type }}\n"
     "Received: {{ received_at|date:\"Y-m-d H:i\" }}\n\n"
     "What happens next:\n"
     "1. An agent will contact you shortly to confirm the details (usually within 10 minutes "
     "in working hours, within 30 minutes at night, at weekends and on holidays).\n"
     "2. If a technician is needed, we will arrange one and tell you when to expect them.\n"
     "3. When the work is done, we will ask you to confirm that the problem is solved.\n\n"
     "Please quote the ticket number whenever you contact us.\n\n"
     f"{SIGN_EN}\n"),
    # ---- ticket_assigned: to the staff member ------------------------------------------------
    ("ticket_assigned", "email", "zh-hans", "工单 {{ number }} 已指派给您（{{ priority }}）",
     "{{ assignee_name }}，您好：\n\n"
     "以下工单已指派给您处理：\n\n"
     "工单号：{{ number }}\n"
     "优先级：{{ priority_label }}\n"
     "类型：{{ type }}\n"
     "客户：{{ customer_name }}\n"
     "问题：{{ title }}\n"
     "{% if demand %}客户诉求：{{ demand }}\n{% endif %}"
     "{% if next_due_at %}最近截止时间：{{ next_due_at|date:\"Y-m-d H:i\" }}\n{% endif %}\n"
     "请在 30 分钟内联系客户，并在系统中记录处理进展。\n\n"
     f"{SIGN_ZH}\n"),
    ("ticket_assigned", "email", "en", "Ticket {{ number }} is assigned to you ({{ priority }})",
     "Hello {{ assignee_name }},\n\n"
     "The following ticket has been assigned to you:\n\n"
     "Ticket number: {{ number }}\n"
     "Priority: {{ priority_label }}\n"
     "Type: {{ type }}\n"
     "Customer: {{ customer_name }}\n"
     "Subject: {{ title }}\n"
     "{% if demand %}Customer's demand: {{ demand }}\n{% endif %}"
     "{% if next_due_at %}Next deadline: {{ next_due_at|date:\"Y-m-d H:i\" }}\n{% endif %}\n"
     "Please contact the customer within 30 minutes and record your progress in the system.\n\n"
     f"{SIGN_EN}\n"),
    # ---- ticket_resolved: to the customer, please confirm ------------------------------------
    ("ticket_resolved", "sms", "zh-hans", "",
     "【五星售后】{{ customer_name }}您好，您的工单 {{ number }} 已处理完毕。"
     "请确认问题是否已经解决；如仍未解决，请联系我们并提供工单号，我们会继续处理。"),
    ("ticket_resolved", "sms", "en", "",
     "[Fivestar] Hello {{ customer_name }}, the work on ticket {{ number }} is done. Please "
     "confirm whether the problem is solved; if it is not, contact us with the ticket number "
     "and we will carry on."),
    ("ticket_resolved", "email", "zh-hans", "工单 {{ number }} 已处理完毕，请确认是否解决",
     "{{ customer_name }}，您好：\n\n"
     "您的工单 {{ number }}（{{ title }}）已处理完毕。\n\n"
     "{% if resolution %}处理情况：\n{{ resolution }}\n\n{% endif %}"
     "请您确认问题是否已经解决。如果问题仍然存在，请联系我们并提供工单号，我们会继续为您处理，"
     "直到问题解决。\n\n"
     f"{SIGN_ZH}\n"),
    ("ticket_resolved", "email", "en", "Ticket {{ number }} is resolved: please confirm",
     "Dear {{ customer_name }},\n\n"
     "The work on your ticket {{ number }} ({{ title }}) is done.\n\n"
     "{% if resolution %}What we did:\n{{ resolution }}\n\n{% endif %}"
     "Please confirm whether the problem is solved. If it persists, contact us with the ticket "
     "number and we will carry on until it is.\n\n"
     f"{SIGN_EN}\n"),
    # ---- ticket_closed: to the customer ------------------------------------------------------
    ("ticket_closed", "sms", "zh-hans", "",
     "【五星售后】{{ customer_name }}您好，您的工单 {{ number }} 已关闭，感谢您的配合。"
     "稍后我们可能邀请您对本次服务进行评价。"),
    ("ticket_closed", "sms", "en", "",
     "[Fivestar] Hello {{ customer_name }}, ticket {{ number }} is now closed. Thank you. We "
     "may invite you to rate our service shortly."),
    ("ticket_closed", "email", "zh-hans", "工单 {{ number }} 已关闭",
     "{{ customer_name }}，您好：\n\n"
     "您的工单 {{ number }}（{{ title }}）已关闭。感谢您的耐心与配合。\n\n"
     "稍后我们可能会邀请您对本次服务进行评价，您的意见将帮助我们改进。"
     "如问题再次出现，请联系我们并提供工单号。\n\n"
     f"{SIGN_ZH}\n"),
    ("ticket_closed", "email", "en", "Ticket {{ number }} is closed",
     "Dear {{ customer_name }},\n\n"
     "Your ticket {{ number }} ({{ title }}) is now closed. Thank you for your patience.\n\n"
     "We may invite you to rate our service shortly; your opinion helps us improve. If the "
     "problem comes back, contact us with the ticket number.\n\n"
     f"{SIGN_EN}\n"),
    # ---- ticket_reply: a public staff reply, to the customer ---------------------------------
    ("ticket_reply", "sms", "zh-hans", "",
     "【五星售后】工单 {{ number }} 有新回复：{{ reply_body|truncatechars:120 }}"),
    ("ticket_reply", "sms", "en", "",
     "[Fivestar] New reply on ticket {{ number }}: {{ reply_body|truncatechars:120 }}"),
    ("ticket_reply", "email", "zh-hans", "工单 {{ number }} 有新的回复",
     "{{ customer_name }}，您好：\n\n"
     "{% if reply_author %}{{ reply_author }}{% else %}我们的工作人员{% endif %}"
     "对您的工单 {{ number }}（{{ title }}）回复如下：\n\n"
     "{{ reply_body }}\n\n"
     "联系我们时请提供工单号。\n\n"
     f"{SIGN_ZH}\n"),
    ("ticket_reply", "email", "en", "New reply on ticket {{ number }}",
     "Dear {{ customer_name }},\n\n"
     "{% if reply_author %}{{ reply_author }}{% else %}Our staff{% endif %} replied on your "
     "ticket {{ number }} ({{ title }}):\n\n"
     "{{ reply_body }}\n\n"
     "Please quote the ticket number whenever you contact us.\n\n"
     f"{SIGN_EN}\n"),
]

DESCRIPTIONS = {
    "ticket_created": "客户：服务请求已登记",
    "ticket_assigned": "员工：工单已指派给您",
    "ticket_resolved": "客户：已处理完毕，请确认",
    "ticket_closed": "客户：工单已关闭",
    "ticket_reply": "客户：工作人员的公开回复",
}


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for code, channel, language, subject, body in TEMPLATES:
        MessageTemplate.objects.get_or_create(
            code=code, channel=channel, language=language,
            defaults={"subject": subject, "body": body, "description": DESCRIPTIONS[code]},
        )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
