"""The ticket page's survey card (满意度测评, SPEC §6): the ticket's invitations and answers, and —
for a closed ticket not answered yet — the form an agent fills in during a phone callback."""

from dataclasses import dataclass

from fivestar.accounts.models import User
from fivestar.surveys.forms import SurveyForm
from fivestar.surveys.models import (
    Invitation,
    InvitationKind,
    InvitationStatus,
    SurveyResponse,
)
from fivestar.surveys.selectors import ticket_surveys
from fivestar.surveys.services import CALLBACK_ROLES, current_template
from fivestar.tickets.models import Status, Ticket

SURVEY_PREFIX = "survey"
UNSENT = (InvitationStatus.SCHEDULED, InvitationStatus.CANCELLED, InvitationStatus.SKIPPED)


@dataclass(frozen=True)
class SurveyPanel:
    invitations: list[Invitation]
    responses: list[SurveyResponse]
    #: The callback form, when this person may enter answers for this ticket now.
    form: SurveyForm | None
    notice: str = ""
    notice_level: str = "success"


def survey_panel(*, ticket: Ticket, user: User, form: SurveyForm | None = None,
                 notice: str = "", notice_level: str = "success") -> SurveyPanel | None:
    """None for a ticket that has no survey and may not get one yet (not closed), unless there
    is a notice to show."""
    invitations, responses = ticket_surveys(ticket_id=ticket.pk)
    closed = ticket.status == Status.CLOSED
    if not (invitations or responses or closed or notice):
        return None
    open_one = next((i for i in invitations if i.status == InvitationStatus.SENT), None)
    routine = next((i for i in invitations if i.kind == InvitationKind.ROUTINE), None)
    # What ``services.callback_invitation`` would answer: the open invitation, or the routine
    # one when it was never sent.
    answerable = closed and user.has_role(*CALLBACK_ROLES) and (
        open_one is not None or routine is None or routine.status in UNSENT)
    if answerable and form is None:
        template = (open_one.template if open_one and open_one.template
                    else current_template())
        form = SurveyForm(template=template, prefix=SURVEY_PREFIX)
    return SurveyPanel(invitations=invitations, responses=responses,
                       form=form if answerable else None, notice=notice,
                       notice_level=notice_level)
