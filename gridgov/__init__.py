"""gridgov: a platform for grid-based social governance (网格化社会治理)."""

__version__ = "0.1.0"
