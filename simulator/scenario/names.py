"""Names a user gives (scenario, streams, teams, queues, labels, members), and one-line texts.

A name ends up in a results folder name, in tables and in terminal messages: it
must be short, and free of control characters, which could rewrite the terminal
(``\\x1b[2J`` clears it) or hide text.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator

MAX_NAME = 100
"""Characters in a name; well under the 255 a file name may have."""


def _name(value: str) -> str:
    if not value:
        raise ValueError("a name may not be empty; fix: give it a name")
    if len(value) > MAX_NAME:
        raise ValueError(
            f"a name may have at most {MAX_NAME} characters, this one has {len(value):,} "
            f"({value[:30]!r}...); fix: shorten it"
        )
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in value):
        raise ValueError(
            f"names may not hold control characters such as escape codes (got {value!r}); "
            "fix: use letters, digits, spaces and punctuation"
        )
    return value


Name = Annotated[str, AfterValidator(_name)]

MAX_LINE = 200
"""Characters in a one-line text such as a scenario's description."""


def _one_line(value: str) -> str:
    if len(value) > MAX_LINE:
        raise ValueError(
            f"at most {MAX_LINE} characters on one line, this has {len(value):,}; fix: shorten it"
        )
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in value):
        raise ValueError(
            "one line without control characters or line breaks; fix: write it on one line"
        )
    return value


OneLine = Annotated[str, AfterValidator(_one_line)]
