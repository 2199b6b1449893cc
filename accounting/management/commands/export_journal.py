"""python manage.py export_journal --format yayoi --from 2026-11-01 --to 2026-11-30 --output FILE"""

import datetime
import shutil

from django.core.management.base import BaseCommand, CommandError

from accounting.services import EXPORT_FORMATS, check_export_journal, open_export_file
from core.exceptions import ApplicationError, NotFoundOrForbidden
from people.models import User


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from exc


class Command(BaseCommand):
    help = "Export the period's unexported journal entries as one batch (each entry is exported once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--format", required=True, choices=["yayoi", "freee", "mf", "generic"])
        parser.add_argument("--from", dest="date_from", required=True)
        parser.add_argument("--to", dest="date_to", required=True)
        parser.add_argument("--output", required=True)
        parser.add_argument("--user", default="", help="accounting user recorded as the batch creator "
                                                        "(default: the first superuser)")

    def handle(self, *args, **options) -> None:
        user = _command_user(options["user"])
        try:
            batch = check_export_journal(fmt=EXPORT_FORMATS[options["format"]], period_from=_date(options["date_from"]),
                                         period_to=_date(options["date_to"]), acting_user=user, run_async=False)
            if batch.status != batch.Status.READY:
                raise CommandError(f"export failed: {batch.error}")
            with open_export_file(batch) as source, open(options["output"], "wb") as target:
                shutil.copyfileobj(source, target)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        except NotFoundOrForbidden as exc:
            raise CommandError(f"user {user.username} is not in the accounting role") from exc
        self.stdout.write(f"batch {batch.pk}: {batch.entry_count} entries, {batch.line_count} lines, "
                          f"{batch.file_size} bytes, sha256 {batch.sha256} → {options['output']}")


def _command_user(username: str) -> User:
    if username:
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"no user {username!r}") from exc
    user = User.objects.filter(is_superuser=True, is_active=True).order_by("id").first()
    if user is None:
        raise CommandError("no superuser: pass --user with an accounting user")
    return user
