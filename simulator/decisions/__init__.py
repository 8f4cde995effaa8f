"""The decision commands: ``staffsim compare``, ``sweep``, ``size`` and ``roster``.

:mod:`simulator.decisions.compare` (variants on the same customers, paired
differences), :mod:`simulator.decisions.sweep` (a grid of scenario values),
:mod:`simulator.decisions.sizing` (the smallest head count, or agents-needed
curve, meeting a target) and :mod:`simulator.decisions.roster` (shift templates
chosen to cover that curve). Beside them, what they share: ``variants`` (scenario
values changed by dotted key) and ``targets`` (``--target`` expressions). The
functions are exported as ``simulator.compare``, ``simulator.sweep``,
``simulator.size`` and ``simulator.roster``; the modules live here, not beside
``simulator/__init__``, because a submodule named ``simulator.compare`` would be
rebound over the function of the same name as soon as anything imported it.
"""
