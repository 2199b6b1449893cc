"""`manage.py import_routes FILE`: load the company route master CSV (from,to,via,mode,fares)."""

from expenses.management.master_import import MasterImportCommand
from expenses.services.transit_masters import do_import_route_master


class Command(MasterImportCommand):
    help = "Import the company route master: from_station,to_station,via,mode,fare_ic,fare_ticket,charges,note."
    importer = staticmethod(do_import_route_master)
