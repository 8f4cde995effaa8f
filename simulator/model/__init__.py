"""The SimPy model of one replication, one role per module (see ARCHITECTURE.md)."""
