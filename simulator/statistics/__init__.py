"""The statistics a run's summary is made of: per-replication metrics, their names, and
the one interval method. Below the experiment, which summarises every run with them."""
