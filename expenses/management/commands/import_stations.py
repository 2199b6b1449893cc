"""`manage.py import_stations FILE`: load a 駅データ.jp station CSV for station-name autocomplete."""

from expenses.management.master_import import MasterImportCommand
from expenses.services.transit_masters import do_import_stations


class Command(MasterImportCommand):
    help = "Import a 駅データ.jp station*.csv (the administrator's own download; never bundled)."
    importer = staticmethod(do_import_stations)
