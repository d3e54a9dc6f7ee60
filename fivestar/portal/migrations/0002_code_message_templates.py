"""The SMS wording of the portal's one-time codes, in Chinese and English (editable in the
admin afterwards). Existing rows are left as they are: an administrator's wording wins."""

from django.db import migrations

TEMPLATES = [
    ("portal_follow_code", "sms", "zh-hans",
     "【五星售后】您正在查询工单 {{ number }} 的进度，验证码 {{ code }}，{{ minutes }} 分钟内有效。"
     "如非本人操作，请忽略本短信。"),
    ("portal_follow_code", "sms", "en",
     "[Fivestar] Your code to view ticket {{ number }} is {{ code }}, valid for {{ minutes }} "
     "minutes. If you did not ask for it, please ignore this message."),
    ("portal_sign_in_code", "sms", "zh-hans",
     "【五星售后】您的登录验证码 {{ code }}，{{ minutes }} 分钟内有效。请勿告诉他人。"
     "如非本人操作，请忽略本短信。"),
    ("portal_sign_in_code", "sms", "en",
     "[Fivestar] Your sign-in code is {{ code }}, valid for {{ minutes }} minutes. Do not share "
     "it. If you did not ask for it, please ignore this message."),
]

DESCRIPTIONS = {
    "portal_follow_code": "客户：查询工单的短信验证码",
    "portal_sign_in_code": "客户：登录门户的短信验证码",
}


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for code, channel, language, body in TEMPLATES:
        MessageTemplate.objects.get_or_create(
            code=code, channel=channel, language=language,
            defaults={"subject": "", "body": body, "description": DESCRIPTIONS[code]},
        )


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial"), ("notifications", "0002_seed_templates")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
