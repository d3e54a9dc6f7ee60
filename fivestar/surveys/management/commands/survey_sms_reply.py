"""Simulate an inbound SMS reply to a survey (the demo's file SMS backend has no gateway):

    fivestar survey_sms_reply 13812345678 "8 9 9 7 8 1"

The reply goes through the same handling as the webhook (``surveys.sms.receive_reply``): it
answers the sender's pending invitation, and the confirmation (or the format explanation) is
queued to the sender like any SMS — with the file backend it lands under ``SMS_DIR``. With
``--print-curl`` it prints instead the signed request a gateway would send to the webhook.
"""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from fivestar.surveys import sms


class Command(BaseCommand):
    help = "Simulate an inbound SMS reply to a satisfaction survey (e.g. \"8 9 9 7 8 1\")."

    def add_arguments(self, parser):
        parser.add_argument("sender", help="the customer's mobile number")
        parser.add_argument("text", help="the reply, e.g. \"8 9 9 7 8 1\"")
        parser.add_argument("--print-curl", action="store_true",
                            help="print the signed webhook request instead of handling it")

    def handle(self, *args, sender: str, text: str, print_curl: bool, **options):
        if print_curl:
            if not settings.SURVEY_SMS_WEBHOOK_SECRET:
                raise CommandError("SURVEY_SMS_WEBHOOK_SECRET is not set.")
            body = json.dumps({"from": sender, "text": text}, ensure_ascii=False)
            self.stdout.write(
                f"curl -X POST {settings.SITE_URL}/api/v1/surveys/sms/inbound "
                f"-H 'Content-Type: application/json' "
                f"-H '{sms.SIGNATURE_HEADER}: {sms.signature(body.encode())}' "
                f"--data-binary '{body}'")
            return
        with transaction.atomic():
            response = sms.receive_reply(sender=sender, text=text)
        if response is None:
            self.stdout.write("Nothing recorded; the sender was sent an explanation.")
        else:
            self.stdout.write(f"Recorded response {response.pk} for ticket "
                              f"{response.ticket.number} (valid: {response.valid}).")
