"""Queries on surveys, with who may see what: staff see every invitation and response; a
customer with a portal account sees their own."""

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from fivestar.accounts.models import RoleCode, User
from fivestar.core.errors import NotFound, PermissionDenied
from fivestar.surveys.errors import SurveyErrorCode
from fivestar.surveys.models import Invitation, PointsEntry, SurveyResponse

MAX_PAGE_SIZE = 200


def is_staff(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False)
                and user.role_codes() - {RoleCode.CUSTOMER})


def require_staff(user: User) -> User:
    if not is_staff(user):
        raise PermissionDenied(_("只有员工可以查看测评数据。"), code=SurveyErrorCode.STAFF_ONLY)
    return user


def _own_customer_id(user: User) -> int | None:
    customer = getattr(user, "customer", None)
    return customer.pk if customer is not None else None


def invitations_for(*, user: User) -> QuerySet[Invitation]:
    rows = Invitation.objects.select_related("ticket", "customer", "template")
    if is_staff(user):
        return rows
    return rows.filter(customer_id=_own_customer_id(user) or -1)


def responses_for(*, user: User) -> QuerySet[SurveyResponse]:
    rows = SurveyResponse.objects.select_related("ticket", "template", "entered_by")
    if is_staff(user):
        return rows
    return rows.filter(customer_id=_own_customer_id(user) or -1)


def invitation_for_user(*, invitation_id: int, user: User) -> Invitation:
    invitation = invitations_for(user=user).filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound(_("没有这份测评邀请。"))
    return invitation


def response_for_user(*, response_id: int, user: User) -> SurveyResponse:
    response = responses_for(user=user).filter(pk=response_id).first()
    if response is None:
        raise NotFound(_("没有这份测评答卷。"))
    return response


def points_balance(*, customer_id: int) -> int:
    """The customer's points: the sum of their ledger."""
    return PointsEntry.objects.filter(customer_id=customer_id).aggregate(
        total=Sum("amount"))["total"] or 0


def ticket_surveys(*, ticket_id: int) -> tuple[list[Invitation], list[SurveyResponse]]:
    """A ticket's invitations and responses (the ticket page's survey panel)."""
    invitations = list(Invitation.objects.filter(ticket_id=ticket_id).order_by("due_at"))
    responses = list(SurveyResponse.objects.filter(ticket_id=ticket_id)
                     .select_related("entered_by").order_by("submitted_at"))
    return invitations, responses
