"""Base of the `import_*` commands: read a file, hand its bytes to an import service, print the counts."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.exceptions import ApplicationError


class MasterImportCommand(BaseCommand):
    """Subclasses set ``help`` and ``importer`` (bytes → result with created, updated and errors)."""

    @staticmethod
    def importer(data: bytes):
        raise NotImplementedError

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")

    def handle(self, *args, **options) -> None:
        try:
            result = self.importer(Path(options["file"]).read_bytes())
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        for error in result.errors:
            self.stderr.write(error)
        self.stdout.write(f"created={result.created} updated={result.updated} errors={len(result.errors)}")
