"""Errors a user can fix, kept apart from bugs.

A :class:`ScenarioError` is the user's mistake (a bad file, field or command-line
value): the command line prints its text and exits with code 2, no traceback.
Anything else that escapes is a bug and keeps its traceback.
"""

from __future__ import annotations

import unicodedata

MAX_SOURCE = 200
"""Characters of the file or option shown as the source of an error."""


class ScenarioError(Exception):
    """Bad input: names where (file, field path), what is wrong and the fix."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        path: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.path = path
        self.fix = fix
        super().__init__(self.render())

    def render(self) -> str:
        """The one-screen text shown to the user, with control characters escaped: a
        name or value may hold terminal escape codes that must not reach the terminal."""
        source = self.source or "scenario"
        if len(source) > MAX_SOURCE:  # e.g. a --set of a huge value
            source = f"{source[: MAX_SOURCE - 20]}...({len(source):,} characters)"
        where = printable(source)
        if self.path:
            where += f", field '{printable(self.path)}'"
        lines = [f"error in {where}: {printable(self.message, keep_newlines=True)}"]
        if self.fix:
            lines.append(f"  fix: {printable(self.fix, keep_newlines=True)}")
        return "\n".join(lines)

    def with_source(self, source: str) -> ScenarioError:
        """The same error, now naming the file it came from."""
        return ScenarioError(self.message, source=source, path=self.path, fix=self.fix)


_CONTROL = ("Cc", "Cf", "Zl", "Zp")


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with control and format characters written as escapes (``\\x1b``)."""
    return "".join(
        ascii(char)[1:-1]
        if unicodedata.category(char) in _CONTROL and not (keep_newlines and char == "\n")
        else char
        for char in text
    )
