"""Pure transit building blocks: IC-card history parsers, station data, fare providers (formats.md §7–§9).

Nothing in this package touches the ORM; services pass plain values in and store what comes out.
"""
