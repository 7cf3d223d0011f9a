"""Continuity Monitor: watches meeting-usage exports and flags drops in learning activity."""

import os

__version__ = "0.1.0"

# polars tells its allocator (jemalloc) to hand freed memory back to the OS after 0.5-1 s.
# Ingest frees and reallocates ~100 MB of buffers for every export file, so each file paid
# for faulting them in again: a fifth of ingest CPU went to the kernel. Keeping freed pages
# 10 s (jemalloc's own default) cut ingest of 10M meetings by ~10% for ~0.2 GB more peak
# RSS (benchmarks/ingest.py). polars appends this to its own setting, so it must be set
# before polars is first imported; a setting the user made stands.
ALLOCATOR_SETTING = "dirty_decay_ms:10000,muzzy_decay_ms:10000"
os.environ.setdefault("_RJEM_MALLOC_CONF", ALLOCATOR_SETTING)
