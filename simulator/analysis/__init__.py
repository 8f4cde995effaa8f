"""Turning replication records into the statistics of summary.json and comparisons."""
