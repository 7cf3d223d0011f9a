"""Ingest: sniff a file's format from its content, read it into canonical records, map them
to institutions, de-duplicate, and commit them to the store."""
