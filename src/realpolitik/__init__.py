"""realpolitik: strategic analysis of relations among states."""

__version__ = "0.1.0"
