"""From history: read a help desk's contact log, fit a scenario to it, and check
the fitted scenario against the same log (``staffsim export-log``, ``fit``,
``backtest``)."""
