"""Event data: GDELT 1.0/2.0, ICEWS and POLECAT files into dyadic series that feed the environment.

Light to import: DuckDB, pandas, Dask and statsmodels (the ``events`` and ``dask`` extras) load only
when a function needs them, and a missing extra is one clear error.

- :func:`ingest` reads files (plain, gzip, zip; folders and globs) into a store of Parquet parts;
- :func:`dyads` gives per-period dyad series (counts by quad class, Goldstein, conflict share);
- :func:`realpolitik.events.calibrate.calibrate` estimates a link's base and gain from two series;
- :mod:`realpolitik.events.generate` writes synthetic files in the exact formats (not data).

See ``docs/events.md``.
"""

from typing import TYPE_CHECKING

from realpolitik._lazy import attach

# loaded on first use, so that ``realpolitik`` (whose command group lists ``events``) starts without them
_EXPORTS = {
    "EventFileError": "realpolitik.events.formats",
    "MEASURES": "realpolitik.events.series",
    "PERIODS": "realpolitik.events.series",
    "DyadSeries": "realpolitik.events.series",
    "EventSeriesError": "realpolitik.events.series",
    "dyads": "realpolitik.events.series",
    "parse_dyad": "realpolitik.events.series",
    "IngestReport": "realpolitik.events.store",
    "Store": "realpolitik.events.store",
    "StoreError": "realpolitik.events.store",
    "ingest": "realpolitik.events.store",
}

__getattr__, __dir__ = attach(__name__, _EXPORTS)

if TYPE_CHECKING:
    from realpolitik.events.formats import EventFileError
    from realpolitik.events.series import MEASURES, PERIODS, DyadSeries, EventSeriesError, dyads, parse_dyad
    from realpolitik.events.store import IngestReport, Store, StoreError, ingest

__all__ = [
    "MEASURES",
    "PERIODS",
    "DyadSeries",
    "EventFileError",
    "EventSeriesError",
    "IngestReport",
    "Store",
    "StoreError",
    "dyads",
    "ingest",
    "parse_dyad",
]
