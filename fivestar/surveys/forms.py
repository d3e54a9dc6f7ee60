"""The survey form every page uses (the personal link, the portal, the agent's phone callback):
its questions are the wording of the invitation's template version, in the page's language."""

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fivestar.core.forms import DomainErrorsMixin
from fivestar.surveys.models import DIMENSIONS, SurveyTemplate

SCORES = [(str(n), str(n)) for n in range(1, 11)]


class SurveyForm(DomainErrorsMixin, forms.Form):
    domain_error_summary = True

    solved = forms.ChoiceField(choices=[("yes", _("已解决")), ("no", _("未解决"))],
                               widget=forms.RadioSelect)
    comment = forms.CharField(required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, template: SurveyTemplate, **kwargs):
        super().__init__(*args, **kwargs)
        language = get_language() or "zh-hans"
        scored = {}
        for dimension in DIMENSIONS:
            scored[dimension] = forms.ChoiceField(
                label=template.question(dimension, language), choices=SCORES,
                widget=forms.RadioSelect(attrs={"class": "score"}),
                error_messages={"required": _("请打分（1–10 分）。")})
        self.fields = {**scored, **self.fields}
        self.fields["solved"].label = template.text("solved", language)
        self.fields["solved"].error_messages["required"] = _("请回答问题是否已解决。")
        self.fields["comment"].label = template.text("comment", language)
        if template.comment_required:
            self.fields["comment"].help_text = _("必填，至少 10 个字。")

    def answers(self) -> dict:
        data = self.cleaned_data
        return {"scores": {d: int(data[d]) for d in DIMENSIONS},
                "solved": data["solved"] == "yes", "comment": data.get("comment", "")}

    def score_fields(self):
        return [self[d] for d in DIMENSIONS]
