"""Pure computation over polars frames and numpy arrays: expected activity, drop detection,
attribution and evaluation. No file, network, clock or environment access here."""
