"""Queries for the staff ticket page: the timeline (events and replies merged by time), the
customer's units and other tickets, the deadlines, the people a ticket can be assigned to and
the canned replies. Every function costs a fixed number of queries, however long the history."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy

from fivestar.accounts.models import RoleCode, User
from fivestar.sla.models import TargetName
from fivestar.tickets.actors import ActorKind
from fivestar.tickets.models import (
    OPEN_STATUSES,
    Attachment,
    CannedReply,
    Reply,
    Ticket,
)
from fivestar.tickets.selectors import ticket_deadlines, visible_tickets
from fivestar.tickets.services.transitions import ASSIGNABLE_ROLES
from fivestar.tickets.timeline import Change, describe_events
from fivestar.tickets.workflow import action_label, allowed_actions
from fivestar.workspace.selectors.intake import UnitView, units_with_warranty
from fivestar.workspace.selectors.quotes import QuotePanel, quote_panel
from fivestar.workspace.selectors.surveys import SurveyPanel, survey_panel

#: How many of the customer's other tickets the side panel lists.
OTHER_TICKETS = 8

#: The customer's contact fields as labels (beside a value); as words in a sentence they are
#: the timeline's (``tickets.timeline.CONTACT_NAMES``).
CONTACT_LABELS = {
    "phone": pgettext_lazy("label", "手机"),
    "email": pgettext_lazy("label", "邮箱"),
    "address": gettext_lazy("地址"),
}


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: an event, or a reply with its attachments."""

    at: datetime
    kind: str  # "event" or "reply"
    actor: str
    label: str = ""
    action: str = ""
    note: str = ""
    detail: str = ""
    changes: list[Change] = field(default_factory=list)
    reply: Reply | None = None
    attachments: list[Attachment] = field(default_factory=list)


@dataclass(frozen=True)
class Deadline:
    name: str
    label: str
    deadline: dict

    @property
    def calendar_unconfirmed(self) -> bool:
        """Computed over a year without confirmed holiday data: the page says so beside it."""
        return bool(self.deadline.get("calendar_unconfirmed"))


@dataclass(frozen=True)
class StaffChoice:
    user: User
    roles: str
    department: str
    open_tickets: int
    senior: bool


@dataclass(frozen=True)
class TicketPage:
    """Everything the ticket page shows besides the ticket row itself."""

    deadlines: list[Deadline]
    actions: list[tuple[str, str]]
    timeline: list[Entry]
    units: list[UnitView]
    ticket_unit: UnitView | None
    other_tickets: list[Ticket]
    other_count: int
    canned_replies: list[CannedReply]
    quotes: QuotePanel | None = None
    surveys: SurveyPanel | None = None


def ticket_page(*, ticket: Ticket, user: User, language: str = "") -> TicketPage:
    """The page's data for ``ticket`` (already checked visible to ``user`` by
    ``tickets.selectors.ticket_for_user``). A fixed number of queries."""
    units = units_with_warranty(customer=ticket.customer, on=timezone.localdate(),
                                also_unit_id=ticket.unit_id)
    ticket_unit = next((view for view in units if view.unit.pk == ticket.unit_id), None)
    others = visible_tickets(user=user).filter(customer_id=ticket.customer_id).exclude(
        pk=ticket.pk
    )
    return TicketPage(
        deadlines=deadlines(ticket=ticket),
        actions=ticket_actions(ticket=ticket, user=user),
        timeline=timeline(ticket=ticket),
        units=[view for view in units if view.unit.customer_id == ticket.customer_id],
        ticket_unit=ticket_unit,
        other_tickets=list(others.order_by("-received_at", "-id")[:OTHER_TICKETS]),
        other_count=others.count(),
        canned_replies=canned_replies(language=language),
        quotes=quote_panel(ticket=ticket, user=user),
        surveys=survey_panel(ticket=ticket, user=user),
    )


#: Actions the quote card offers (``views.quotes``), not the header's buttons.
CARD_ACTIONS = frozenset({"propose_quote", "accept_quote", "decline_quote", "withdraw_quote"})


def ticket_actions(*, ticket: Ticket, user: User) -> list[tuple[str, str]]:
    """The actions ``user`` may take on ``ticket`` now that the header offers, as (name, label)
    in the registry's order (actions other apps provide, such as ``extend``, included)."""
    return [(name, action_label(name)) for name in allowed_actions(ticket=ticket, user=user)
            if name not in CARD_ACTIONS]


def deadlines(*, ticket: Ticket) -> list[Deadline]:
    """The ticket's deadlines in the order of the service targets, labelled."""
    found = ticket_deadlines(ticket=ticket)
    order = {name: index for index, name in enumerate(TargetName.values)}
    labels = dict(TargetName.choices)
    return [
        Deadline(name=name, label=str(labels.get(name, name)), deadline=value)
        for name, value in sorted(found.items(), key=lambda item: order.get(item[0], 99))
    ]


def timeline(*, ticket: Ticket) -> list[Entry]:
    """Events and replies merged by time, newest first. A reply stands for the reply or note
    event that recorded it; an upload event lists its files. Four queries, plus one per kind of
    thing the events name (people, departments)."""
    events = list(ticket.events.select_related("actor").order_by("at", "id"))
    replies = list(ticket.replies.select_related("author").order_by("created_at", "id"))
    attachments = list(ticket.attachments.order_by("id"))
    by_reply: dict[int, list[Attachment]] = {}
    by_id = {a.pk: a for a in attachments}
    for attachment in attachments:
        if attachment.reply_id is not None:
            by_reply.setdefault(attachment.reply_id, []).append(attachment)
    shown_replies = {reply.pk for reply in replies}
    entries: list[tuple[datetime, int, int, Entry]] = []
    for reply in replies:
        entries.append((reply.created_at, 1, reply.pk, _reply_entry(reply, by_reply)))
    for view in describe_events(events):
        if view.reply_id is not None and view.reply_id in shown_replies:
            continue
        event = view.event
        entries.append((event.at, 0, event.pk, Entry(
            at=event.at, kind="event", actor=view.actor, label=view.label,
            action=event.action, note=event.note, detail=view.detail,
            changes=list(view.changes),
            attachments=[by_id[pk] for pk in view.attachment_ids if pk in by_id],
        )))
    entries.sort(key=lambda item: item[:3], reverse=True)
    return [entry for *_key, entry in entries]


def _reply_entry(reply: Reply, by_reply: dict[int, list[Attachment]]) -> Entry:
    if reply.from_customer:
        actor = ActorKind.CUSTOMER.label
    else:
        actor = str(reply.author) if reply.author else ActorKind.SYSTEM.label
    return Entry(at=reply.created_at, kind="reply", actor=actor, reply=reply,
                 attachments=by_reply.get(reply.pk, []))


def assignable_staff() -> list[StaffChoice]:
    """Active people a ticket can be given to, with how many open tickets each holds now, by
    department then name. Senior technicians are marked (P1 goes to them, SPEC §4)."""
    users = (
        User.objects.filter(is_active=True, roles__code__in=ASSIGNABLE_ROLES)
        .distinct()
        .select_related("department")
        .prefetch_related("roles")
        .annotate(open_load=Count("assigned_tickets", distinct=True,
                                  filter=Q(assigned_tickets__status__in=OPEN_STATUSES)))
        .order_by("department__name", "display_name", "username")
    )
    labels = dict(RoleCode.choices)
    choices = []
    for user in users:
        codes = sorted(role.code for role in user.roles.all())
        choices.append(StaffChoice(
            user=user,
            roles="、".join(str(labels.get(code, code)) for code in codes
                           if code in ASSIGNABLE_ROLES),
            department=user.department.name if user.department else "",
            open_tickets=user.open_load,
            senior=RoleCode.SENIOR_TECHNICIAN in codes,
        ))
    return choices


def canned_replies(*, language: str = "") -> list[CannedReply]:
    """Active canned replies for every language or for ``language``, by title."""
    replies = CannedReply.objects.filter(is_active=True)
    if language:
        replies = replies.filter(Q(language="") | Q(language=language))
    return list(replies.order_by("title", "id"))
