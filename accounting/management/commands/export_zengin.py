"""python manage.py export_zengin --date 2026-11-25 --output FILE: pay every payable claim by 全銀 transfer."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from accounting.management.commands.export_journal import _command_user, _date
from accounting.selectors import list_payable_claims
from accounting.services import check_create_payment_batch
from core.exceptions import ApplicationError, NotFoundOrForbidden


class Command(BaseCommand):
    help = "Create a 全銀 総合振込 file for all posted, unpaid claims (or --claims 1,2,3)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", required=True, help="振込指定日 (a bank business day)")
        parser.add_argument("--output", required=True)
        parser.add_argument("--claims", default="", help="comma-separated claim ids (default: all payable)")
        parser.add_argument("--user", default="")

    def handle(self, *args, **options) -> None:
        user = _command_user(options["user"])
        transfer_date: datetime.date = _date(options["date"])
        if options["claims"]:
            claim_ids = [int(part) for part in options["claims"].split(",") if part.strip()]
        else:
            claim_ids = list(list_payable_claims().values_list("pk", flat=True))
        if not claim_ids:
            raise CommandError("no payable claims")
        try:
            batch = check_create_payment_batch(claim_ids=claim_ids, transfer_date=transfer_date, acting_user=user)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        except NotFoundOrForbidden as exc:
            raise CommandError("not allowed, or a claim does not exist") from exc
        with open(options["output"], "wb") as target:
            target.write(bytes(batch.content))
        self.stdout.write(f"batch {batch.pk}: {batch.item_count} transfers, total {batch.total_amount} yen, "
                          f"{len(batch.content)} bytes → {options['output']}")
