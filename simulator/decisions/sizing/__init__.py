"""``staffsim size``: the smallest head count (or agents-needed curve) of a team that meets
a target — the Erlang start (:mod:`.staffing`), the search by simulation, the answer and
its report."""
