"""`manage.py import_routes FILE`: load the company route master CSV (from,to,via,mode,fares)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.exceptions import ApplicationError
from expenses.services.transit_masters import do_import_route_master


class Command(BaseCommand):
    help = "Import the company route master: from_station,to_station,via,mode,fare_ic,fare_ticket,charges,note."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")

    def handle(self, *args, **options) -> None:
        try:
            result = do_import_route_master(Path(options["file"]).read_bytes())
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        for error in result.errors:
            self.stderr.write(error)
        self.stdout.write(f"created={result.created} updated={result.updated} errors={len(result.errors)}")
