"""The default survey template (SPEC §6: five dimensions 1–10, "was it solved", a comment), in
Chinese and English, as version 1; the invitation, reminder and SMS-reply messages; a starting
word list for cleaning and the special-survey rules. Existing rows are left as they are: an
administrator's wording wins. Idempotent (tests/conftest.py reseeds with it)."""

from django.db import migrations

QUESTIONS = {
    "timeliness": {"zh": "我们响应您的需求是否及时？", "en": "How quickly did we respond?"},
    "ability": {"zh": "我们解决问题的能力如何？", "en": "How well did we solve the problem?"},
    "attitude": {"zh": "服务人员的态度如何？", "en": "How was our staff's attitude?"},
    "professionalism": {"zh": "服务人员是否专业？", "en": "How professional was our staff?"},
    "communication": {"zh": "沟通是否清楚易懂？", "en": "How clear was our communication?"},
}

TEMPLATE = {
    "title_zh": "售后服务满意度测评",
    "title_en": "After-sales service satisfaction survey",
    "intro_zh": "感谢您使用五星售后服务。请为本次服务打分（1 分最低，10 分最高），约需 1 分钟。",
    "intro_en": "Thank you for using Fivestar service. Please score this service "
                "(1 lowest, 10 highest); it takes about a minute.",
    "questions": QUESTIONS,
    "solved_zh": "您的问题是否已经解决？",
    "solved_en": "Was your problem solved?",
    "comment_zh": "您还有什么意见或建议？",
    "comment_en": "Anything else you would like to tell us?",
    "comment_required": False,
}

SIGN_ZH = "五星售后服务中心"
SIGN_EN = "Fivestar Customer Service"

MESSAGES = [
    ("survey_invitation", "sms", "zh-hans", "",
     "【五星售后】{{ customer_name }}您好，工单 {{ number }} 已完成。请花 1 分钟为本次服务打分："
     "{{ survey_url }} 也可直接回复 6 个数字：五项评分（1-10）和是否解决（1 是 0 否），"
     "如“8 9 9 7 8 1”。"),
    ("survey_invitation", "sms", "en", "",
     "[Fivestar] Hello {{ customer_name }}, ticket {{ number }} is done. Please score our "
     "service in a minute: {{ survey_url }} Or reply with 6 numbers: five scores (1-10) and "
     "solved (1 yes, 0 no), e.g. \"8 9 9 7 8 1\"."),
    ("survey_invitation", "email", "zh-hans", "请为工单 {{ number }} 的服务打分",
     "{{ customer_name }}，您好：\n\n工单 {{ number }}（{{ title }}）已处理完毕。"
     "您的意见对我们很重要，请花 1 分钟完成满意度测评：\n\n{{ survey_url }}\n\n"
     "{% if expires_at %}邀请有效期至 {{ expires_at|date:\"Y-m-d H:i\" }}。\n\n{% endif %}"
     f"{SIGN_ZH}\n"),
    ("survey_invitation", "email", "en", "Please score our service on ticket {{ number }}",
     "Dear {{ customer_name }},\n\nTicket {{ number }} ({{ title }}) is done. Your opinion "
     "matters to us: please take a minute to answer our satisfaction survey:\n\n"
     "{{ survey_url }}\n\n{% if expires_at %}The invitation is open until "
     "{{ expires_at|date:\"Y-m-d H:i\" }}.\n\n{% endif %}"
     f"{SIGN_EN}\n"),
    ("survey_reminder", "sms", "zh-hans", "",
     "【五星售后】尊敬的客户，您还未完成工单 {{ number }} 的满意度测评，您的意见对我们很重要："
     "{{ survey_url }}"),
    ("survey_reminder", "sms", "en", "",
     "[Fivestar] Dear customer, you have not yet answered the survey on ticket {{ number }}; "
     "your opinion matters to us: {{ survey_url }}"),
    ("survey_reminder", "email", "zh-hans", "提醒：工单 {{ number }} 的满意度测评",
     "{{ customer_name }}，您好：\n\n您还未完成工单 {{ number }} 的满意度测评，"
     "您的意见对我们很重要：\n\n{{ survey_url }}\n\n"
     "{% if expires_at %}邀请有效期至 {{ expires_at|date:\"Y-m-d H:i\" }}。\n\n{% endif %}"
     f"{SIGN_ZH}\n"),
    ("survey_reminder", "email", "en", "Reminder: the survey on ticket {{ number }}",
     "Dear {{ customer_name }},\n\nYou have not yet answered the satisfaction survey on "
     "ticket {{ number }}; your opinion matters to us:\n\n{{ survey_url }}\n\n"
     "{% if expires_at %}The invitation is open until {{ expires_at|date:\"Y-m-d H:i\" }}."
     "\n\n{% endif %}"
     f"{SIGN_EN}\n"),
    ("survey_sms_reply", "sms", "zh-hans", "",
     "【五星售后】{{ reply }}"),
    ("survey_sms_reply", "sms", "en", "",
     "[Fivestar] {{ reply }}"),
]

DESCRIPTIONS = {
    "survey_invitation": "客户：满意度测评邀请",
    "survey_reminder": "客户：满意度测评提醒（一次）",
    "survey_sms_reply": "客户：短信测评回复的确认或格式说明",
}

WORDS = ["傻逼", "傻瓜", "垃圾", "混蛋", "去死", "滚蛋", "白痴", "idiot", "stupid", "fuck",
         "bastard", "moron"]

RULES = [
    {"name": "重大投诉（P1/P2 投诉）", "ticket_type": "complaint", "priorities": "P1,P2"},
    {"name": "复杂维修（费用 ≥ ¥1,000）", "ticket_type": "repair", "min_cost_fen": 100000},
    {"name": "复杂维修（上门 ≥ 2 次）", "ticket_type": "repair", "min_visits": 2},
]


def seed(apps, schema_editor):
    SurveyTemplate = apps.get_model("surveys", "SurveyTemplate")
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    AbusiveWord = apps.get_model("surveys", "AbusiveWord")
    SpecialRule = apps.get_model("surveys", "SpecialRule")
    SurveySettings = apps.get_model("surveys", "SurveySettings")
    if not SurveyTemplate.objects.filter(code="default").exists():
        SurveyTemplate.objects.create(code="default", version=1, is_current=True, **TEMPLATE)
    for code, channel, language, subject, body in MESSAGES:
        MessageTemplate.objects.get_or_create(
            code=code, channel=channel, language=language,
            defaults={"subject": subject, "body": body, "description": DESCRIPTIONS[code]},
        )
    for word in WORDS:
        AbusiveWord.objects.get_or_create(word=word)
    if not SpecialRule.objects.exists():
        for rule in RULES:
            SpecialRule.objects.create(**rule)
    SurveySettings.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial"), ("notifications", "0002_seed_templates")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
