"""The decision commands behind ``staffsim compare`` and ``staffsim sweep``.

Each module holds one command's API, result object, terminal table and
folder writer: :mod:`simulator.decisions.compare` (variants on the same
customers, paired differences) and :mod:`simulator.decisions.sweep` (a grid
of scenario values). The functions are exported as ``simulator.compare`` and
``simulator.sweep``; the modules live here, not beside ``simulator/__init__``,
because a submodule named ``simulator.compare`` would be rebound over the
function of the same name as soon as anything imported it.
"""
