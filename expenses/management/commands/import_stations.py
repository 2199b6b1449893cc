"""`manage.py import_stations FILE`: load a 駅データ.jp station CSV for station-name autocomplete."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.exceptions import ApplicationError
from expenses.services.transit_masters import do_import_stations


class Command(BaseCommand):
    help = "Import a 駅データ.jp station*.csv (the administrator's own download; never bundled)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")

    def handle(self, *args, **options) -> None:
        try:
            result = do_import_stations(Path(options["file"]).read_bytes())
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        for error in result.errors:
            self.stderr.write(error)
        self.stdout.write(f"created={result.created} updated={result.updated} errors={len(result.errors)}")
