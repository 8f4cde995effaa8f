"""Named random-number generators, one per purpose, for common random numbers.

Replication ``r`` of a run with root seed ``seed`` owns
``SeedSequence(seed, spawn_key=(r,))``. Inside it each purpose
(``arrivals.chat``, ``conversation.chat``, ``patience.chat``, ...) gets its own
Generator, keyed by the crc32 of its name, so adding a purpose never shifts the
draws of another, and changing staffing or policy never changes the customers.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from simulator.scenario.schema import Scenario


class RandomSource:
    """Hands out one numpy Generator per named purpose for one replication."""

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication
        self._taken: set[str] = set()

    def rng(self, name: str) -> np.random.Generator:
        """The generator for ``name``; asking twice is a bug (draws would be shared)."""
        if name in self._taken:
            raise RuntimeError(f"random generator '{name}' requested twice")
        self._taken.add(name)
        key = zlib.crc32(name.encode("utf-8"))
        sequence = np.random.SeedSequence(self.seed, spawn_key=(self.replication, key))
        return np.random.Generator(np.random.PCG64(sequence))


def fresh_seed() -> int:
    """A root seed from OS entropy, for runs that give none (it is recorded)."""
    return int(np.random.SeedSequence().entropy % (2**63))


def replications_and_seed(
    scenario: Scenario, replications: int | None, seed: int | None
) -> tuple[int, int]:
    """How many replications to run and the root seed: the arguments when given, else
    the scenario's (``replications``, ``seed``); with no seed anywhere, a fresh one."""
    count = replications if replications is not None else scenario.replications
    root = seed if seed is not None else scenario.seed
    return count, root if root is not None else fresh_seed()
