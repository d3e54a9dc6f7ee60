"""The roles of SPEC §1 and the four standard departments, present in every installation."""

from django.db import migrations

ROLES = [
    "customer", "agent", "technician", "senior_technician", "supervisor", "manager",
    "quality_auditor", "warehouse_keeper", "administrator",
]
DEPARTMENTS = [
    ("customer-service", "客户服务部"),
    ("technical-support", "技术支持部"),
    ("repair", "维修部"),
    ("quality-assurance", "质量保障部"),
]


def seed(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    Department = apps.get_model("accounts", "Department")
    for code in ROLES:
        Role.objects.get_or_create(code=code)
    for code, name in DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
