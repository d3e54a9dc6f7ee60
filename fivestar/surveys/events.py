"""The ticket events of satisfaction surveys (SPEC §6), declared with the ticket's event registry
in ``SurveysConfig.ready``: the ticket's timeline shows that a survey went out and that the
customer answered it (the scores themselves stay in the survey pages)."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.utils.translation import pgettext_lazy

from fivestar.surveys.models import Invitation, InvitationKind, ResponseChannel, SurveyResponse
from fivestar.tickets.actors import Actor
from fivestar.tickets.events import record_event, register_event_type, shown
from fivestar.tickets.models import TicketEvent


class SurveyEventKind(StrEnum):
    SENT = "survey_sent"
    ANSWERED = "survey_answered"


@dataclass(frozen=True, kw_only=True)
class SurveySent:
    invitation: int | None = shown()
    survey_kind: str = shown(pgettext_lazy("label", "测评类型"), default="",
                             choices=InvitationKind)
    expires_at: datetime | None = shown(pgettext_lazy("label", "有效期至"))


@dataclass(frozen=True, kw_only=True)
class SurveyAnswered:
    response: int | None = shown()
    channel: str = shown(pgettext_lazy("label", "答复渠道"), default="", choices=ResponseChannel)
    valid: bool = shown(pgettext_lazy("label", "有效答卷"), default=True)


def survey_sent_event(*, invitation: Invitation) -> TicketEvent:
    return record_event(
        ticket=invitation.ticket, kind=SurveyEventKind.SENT, actor=Actor.system(),
        payload=SurveySent(invitation=invitation.pk, survey_kind=invitation.kind,
                           expires_at=invitation.expires_at),
    )


def survey_answered_event(*, response: SurveyResponse, actor: Actor) -> TicketEvent:
    return record_event(
        ticket=response.ticket, kind=SurveyEventKind.ANSWERED, actor=actor,
        payload=SurveyAnswered(response=response.pk, channel=response.channel,
                               valid=response.valid),
    )


def declare() -> None:
    register_event_type(SurveyEventKind.SENT, payload=SurveySent,
                        label=pgettext_lazy("timeline event", "发出满意度测评"),
                        customer_visible=True)
    register_event_type(SurveyEventKind.ANSWERED, payload=SurveyAnswered,
                        label=pgettext_lazy("timeline event", "完成满意度测评"),
                        customer_visible=True)
