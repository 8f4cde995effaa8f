"""``staffsim roster``: how many agents work each shift of a set of shift templates, so
that the per-interval curve from sizing is covered at least cost."""
