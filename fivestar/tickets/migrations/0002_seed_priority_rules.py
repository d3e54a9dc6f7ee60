"""Default keyword rules for the proposed priority (SPEC §3); administrators edit them."""

from django.db import migrations

RULES = {
    "P1": [
        "宕机", "数据丢失", "无法开机", "不能开机", "开不了机", "冒烟", "起火", "着火", "漏电",
        "爆炸", "触电", "燃气泄漏", "完全不能用", "down", "data loss", "outage", "fire", "smoke",
        "electric shock", "won't turn on", "does not power on",
    ],
    "P2": [
        "不制冷", "不制热", "漏水", "不加热", "不脱水", "不排水", "报错", "故障码", "异响",
        "噪音大", "黑屏", "花屏", "不出水", "部分功能", "not cooling", "not heating", "leak",
        "error code", "noise", "no picture",
    ],
}


def seed(apps, schema_editor):
    PriorityRule = apps.get_model("tickets", "PriorityRule")
    for order, (priority, keywords) in enumerate(RULES.items(), start=1):
        for keyword in keywords:
            PriorityRule.objects.get_or_create(
                keyword=keyword, priority=priority, defaults={"order": order * 10}
            )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
