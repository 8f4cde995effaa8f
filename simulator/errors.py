"""Errors a user can fix, kept apart from bugs.

A :class:`ScenarioError` is the user's mistake (a bad file, field or command-line
value): the command line prints its text and exits with code 2, no traceback.
Anything else that escapes is a bug and keeps its traceback.
"""

from __future__ import annotations


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
        """The one-screen text shown to the user."""
        where = self.source or "scenario"
        if self.path:
            where += f", field '{self.path}'"
        lines = [f"error in {where}: {self.message}"]
        if self.fix:
            lines.append(f"  fix: {self.fix}")
        return "\n".join(lines)

    def with_source(self, source: str) -> ScenarioError:
        """The same error, now naming the file it came from."""
        return ScenarioError(self.message, source=source, path=self.path, fix=self.fix)
