"""How the staff timeline names the quote events and the values they carry (the workspace's
ticket page merges these into its own tables). Named by what happened ("quote accepted"), in the
"timeline event" context like the ticket's own transitions, apart from the buttons' verbs."""

from django.utils.translation import pgettext_lazy

from fivestar.dispatch.models import DecisionChannel, QuoteStatus

EVENT_LABELS = {
    "quote_proposed": pgettext_lazy("timeline event", "提出维修报价"),
    "quote_accepted": pgettext_lazy("timeline event", "接受报价"),
    "quote_declined": pgettext_lazy("timeline event", "不接受报价"),
    "quote_withdrawn": pgettext_lazy("timeline event", "撤回报价"),
}
# Keys of the events' before/after, as labels.
KEY_LABELS = {
    "labour_fen": pgettext_lazy("label", "人工费"),
    "parts_fen": pgettext_lazy("label", "配件费"),
    "travel_fen": pgettext_lazy("label", "上门费"),
    "total_fen": pgettext_lazy("label", "报价合计"),
    "valid_until": pgettext_lazy("label", "有效期至"),
    "quote_status": pgettext_lazy("label", "报价状态"),
    "decided_via": pgettext_lazy("label", "答复方式"),
}
CHOICES = {"quote_status": QuoteStatus, "decided_via": DecisionChannel}
# The quote's id: the entry is the quote, its number says nothing to people.
HIDDEN_KEYS = frozenset({"quote"})
