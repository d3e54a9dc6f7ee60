"""Canned replies (常用回复) agents insert into a reply, with a few defaults administrators edit."""

import django.utils.timezone
from django.db import migrations, models

DEFAULTS = [
    ("已受理，告知下一步", "{customer_name}您好，您的服务请求已登记，工单号 {ticket_number}。"
     "我们会在 {next_due_at} 前与您联系，如有疑问请拨打 {hotline}。——{agent_name}"),
    ("请补充设备信息", "{customer_name}您好，为尽快处理工单 {ticket_number}，请补充设备型号、"
     "机身铭牌上的序列号，以及故障的照片或视频。——{agent_name}"),
    ("预约上门时间", "{customer_name}您好，工单 {ticket_number} 需要工程师上门处理，"
     "请告知您方便的日期和时间段。——{agent_name}"),
    ("已处理，请确认", "{customer_name}您好，工单 {ticket_number} 的问题已处理完毕，"
     "请确认是否已经解决；如仍有问题，直接回复即可。——{agent_name}"),
]


def seed(apps, schema_editor):
    CannedReply = apps.get_model("tickets", "CannedReply")
    for title, body in DEFAULTS:
        CannedReply.objects.get_or_create(title=title, defaults={"body": body})


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0003_events_protect_ticket'),
    ]

    operations = [
        migrations.CreateModel(
            name='CannedReply',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=100, verbose_name='标题')),
                ('body', models.TextField(verbose_name='内容')),
                ('language', models.CharField(blank=True, choices=[('zh-hans', '简体中文'), ('en', 'English')], max_length=10, verbose_name='语言')),
                ('is_active', models.BooleanField(default=True, verbose_name='启用')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='创建时间')),
            ],
            options={
                'verbose_name': '常用回复',
                'verbose_name_plural': '常用回复',
                'ordering': ['title', 'id'],
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
