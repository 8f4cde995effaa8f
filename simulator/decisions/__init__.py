"""The decision commands behind ``staffsim compare``, ``sweep`` and ``size``.

:mod:`simulator.decisions.compare` (variants on the same customers, paired
differences), :mod:`simulator.decisions.sweep` (a grid of scenario values) and
:mod:`simulator.decisions.sizing.size` (the smallest head count meeting a target, with
its search, shapes, intervals, result and report in the ``size_*`` and
``staffing_shapes`` modules). The functions are exported as
``simulator.compare``, ``simulator.sweep`` and ``simulator.size``; the modules
live here, not beside ``simulator/__init__``, because a submodule named
``simulator.compare`` would be rebound over the function of the same name as
soon as anything imported it.
"""
