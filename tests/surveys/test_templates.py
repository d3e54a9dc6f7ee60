"""Survey templates (SPEC §6): five dimensions 1–10, "solved", a comment, Chinese and English,
versioned — a response refers to the exact version it answered."""

import pytest

from fivestar.core.errors import ValidationFailed
from fivestar.surveys.models import DIMENSIONS, SurveyTemplate
from fivestar.surveys.services import current_template, publish_template

pytestmark = pytest.mark.django_db


def test_the_default_template_asks_the_five_dimensions_in_chinese_and_english():
    template = current_template()
    assert template.version == 1
    assert list(DIMENSIONS) == ["timeliness", "ability", "attitude", "professionalism",
                                "communication"]
    for dimension in DIMENSIONS:
        assert template.question(dimension, "zh-hans")
        assert template.question(dimension, "en").isascii()
    assert template.text("solved", "zh-hans") == "您的问题是否已经解决？"
    assert template.text("solved", "en") == "Was your problem solved?"
    assert template.comment_required is False


def test_publishing_a_change_adds_a_version_and_keeps_the_old_one():
    first = current_template()
    second = publish_template(comment_required=True, title_en="How did we do?")
    assert second.version == 2 and second.is_current
    assert current_template() == second
    first.refresh_from_db()
    assert not first.is_current and first.comment_required is False
    assert second.questions == first.questions
    assert SurveyTemplate.objects.filter(code="default").count() == 2


def test_a_template_without_a_dimension_question_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        publish_template(questions={"timeliness": {"zh": "及时吗？"}})
    assert "questions" in caught.value.fields
    assert current_template().version == 1
