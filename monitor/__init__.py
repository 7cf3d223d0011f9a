"""Continuity Monitor: watches meeting-usage exports and flags drops in learning activity."""

import os

__version__ = "0.1.0"

# polars tells its allocator (jemalloc) to hand freed memory back to the OS after 0.5-1 s.
# Ingest frees and reallocates ~100 MB of buffers for every export file, so each file paid
# for faulting them in again: a fifth of CSV ingest CPU and a third of JSON ingest CPU went
# to the kernel. Keeping freed pages 3 s, in one arena so that every thread reuses them,
# cut ingest of 10M meetings by ~10% (CSV) and ~20% (JSON) with peak RSS still under 2 GB
# (benchmarks/ingest.py; 10 s, or several arenas, took JSON ingest past 2 GB). polars
# appends this to its own setting, so it must be set before polars is first imported; a
# setting the user made stands.
ALLOCATOR_SETTING = "dirty_decay_ms:3000,muzzy_decay_ms:3000,narenas:1"
os.environ.setdefault("_RJEM_MALLOC_CONF", ALLOCATOR_SETTING)
