"""English: the catalog is complete and compiled, and models, services and the API speak it.

The catalog is fivestar/locale/en/LC_MESSAGES/django.po (and its compiled django.mo, kept in the
tree so that a clone works without gettext). After adding or changing a string:

    cd fivestar && uv run django-admin makemessages -l en --ignore "migrations/*"
    (translate the new entries, remove "fuzzy" flags)
    uv run django-admin compilemessages -l en

(with DJANGO_SETTINGS_MODULE=fivestar.settings).
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from fivestar.accounts.models import Outlet, RoleCode
from fivestar.core.errors import ValidationFailed
from fivestar.customers.services import CustomerDetails
from fivestar.tickets.models import Status, Ticket
from fivestar.tickets.services.intake import TicketRequest, create_ticket
from fivestar.tickets.workflow import action_label

CATALOG_DIR = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdif]")


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: {"flags": set, "msgid": str, "msgstr": str, ...}.

    Enough of the format for what makemessages writes; obsolete (#~) entries are skipped.
    """
    entries: list[dict] = []
    entry: dict = {}
    key = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if not line:
            if "msgid" in entry:
                entries.append(entry)
            entry, key = {}, None
        elif line.startswith("#,"):
            entry.setdefault("flags", set()).update(
                flag.strip() for flag in line[2:].split(",") if flag.strip()
            )
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _space, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    for entry in entries:
        entry.setdefault("flags", set())
    return entries


def messages() -> list[dict]:
    return [e for e in read_po(CATALOG_DIR / "django.po") if e["msgid"]]


def translations(entry: dict) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


# --- the catalog ------------------------------------------------------------------------------


def test_the_catalog_is_where_locale_paths_looks():
    assert (CATALOG_DIR / "django.po").is_file()
    assert (CATALOG_DIR / "django.mo").is_file()
    assert len(messages()) > 100


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = read_po(CATALOG_DIR / "django.po")
    assert "fuzzy" not in entries[0]["flags"], "the header is fuzzy: msgfmt would drop it"
    untranslated = [e["msgid"] for e in messages() if not all(translations(e))]
    fuzzy = [e["msgid"] for e in messages() if "fuzzy" in e["flags"]]
    assert untranslated == [], "untranslated in django.po"
    assert fuzzy == [], "fuzzy in django.po: check the translation, then remove the flag"


def test_placeholders_are_kept():
    wrong = [
        (e["msgid"], text)
        for e in messages()
        for text in translations(e)
        if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(e["msgid"]))
    ]
    assert wrong == []


def test_the_compiled_catalog_is_up_to_date():
    with (CATALOG_DIR / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = []
    for entry in messages():
        if "msgid_plural" in entry:
            got = [compiled.ngettext(entry["msgid"], entry["msgid_plural"], n) for n in (1, 2)]
            want = [entry["msgstr[0]"], entry["msgstr[1]"]]
        elif "msgctxt" in entry:
            got, want = compiled.pgettext(entry["msgctxt"], entry["msgid"]), entry["msgstr"]
        else:
            got, want = compiled.gettext(entry["msgid"]), entry["msgstr"]
        if got != want:
            stale.append(entry["msgid"])
    assert stale == [], "django.mo is older than django.po: run compilemessages"


# --- the strings, in English ------------------------------------------------------------------


def test_models_and_choices_in_english():
    with translation.override("en"):
        assert Ticket._meta.verbose_name == "service ticket"
        assert Outlet._meta.verbose_name == "service outlet"
        assert Ticket._meta.get_field("demand").verbose_name == "customer's request"
        assert Status.IN_PROGRESS.label == "In progress"
        assert RoleCode.SENIOR_TECHNICIAN.label == "Senior technician"
        assert dict(Status.choices)["waiting_customer"] == "Waiting on customer"
    assert Status.IN_PROGRESS.label == "处理中"


def test_action_labels_in_english():
    # ACTION_LABELS are marked with gettext_lazy imported as ``_lazy``, a name makemessages does
    # not extract; the catalog must still hold them.
    with translation.override("en"):
        assert action_label("accept") == "Accept"
        assert action_label("assign") == "Assign"
        assert action_label("set_priority") == "Change priority"
    assert action_label("accept") == "受理"


@pytest.mark.django_db
def test_service_errors_in_english():
    request = TicketRequest(
        channel="phone", type="repair", description="冰箱不制冷",
        customer=CustomerDetails(name="张伟", phone="12345"),
    )
    with translation.override("en"), pytest.raises(ValidationFailed) as caught:
        create_ticket(request=request, actor=None, actor_kind="customer")
    assert caught.value.message == "The request is invalid; please check the fields listed."
    assert caught.value.fields["customer.phone"] == ["Not a valid mobile number."]
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_the_api_answers_in_the_requested_language(api_as, agent):
    api = api_as(agent)
    response = api.post("/api/v1/tickets", {"customer": {}}, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response["Content-Language"] == "en"
    error = response.json()["error"]
    assert error["message"] == "The request is invalid; please check the fields listed."
    assert error["fields"]["description"] == ["This field is required."]

    invalid = api.post("/api/v1/tickets", {
        "channel": "phone", "type": "repair", "description": "冰箱不制冷",
        "customer": {"name": "张伟", "phone": "12345"},
    }, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert invalid.status_code == 422
    assert invalid.json()["error"]["fields"]["customer.phone"] == ["Not a valid mobile number."]

    chinese = api.post("/api/v1/tickets", {"customer": {}})
    assert chinese.json()["error"]["message"] == "请求内容有误，请检查标出的字段。"
