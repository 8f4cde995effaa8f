"""What one replication leaves behind: compact columns, not objects per event.

The engine fills preallocated arrays (one slot per conversation, in arrival
order) and appends follow-up responses to flat arrays; at the end they become
pandas DataFrames. Conversations still open at the horizon keep their row
(outcome ``open``): dropping them would bias waits and percentiles low.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

import pandas as pd


class Outcome(StrEnum):
    """How a conversation ended (or ``open`` at the horizon)."""

    OPEN = "open"
    RESOLVED = "resolved"
    ABANDONED = "abandoned"
    DEFLECTED = "deflected"


class OutcomeCode(IntEnum):
    """Compact codes the engine stores; same order as :class:`Outcome`."""

    OPEN = 0
    RESOLVED = 1
    ABANDONED = 2
    DEFLECTED = 3


OUTCOME_NAMES = [o.value for o in Outcome]

CONVERSATION_COLUMNS = (
    "conversation",
    "stream",
    "queue",
    "team",
    "agent",
    "arrived_at",
    "picked_up_at",
    "first_reply_at",
    "ended_at",
    "outcome",
    "exchanges",
    "handbacks",
    "reassignments",
    "repeat_of",
)
"""Columns of ``ReplicationRecord.conversations`` (plus ``replication`` in files).

Times are seconds since the scenario start, NaN where it did not happen;
``stream``, ``queue``, ``team``, ``agent`` and ``outcome`` are categoricals
(team and agent missing when nobody picked it up); ``exchanges`` counts agent
replies sent; ``repeat_of`` is the conversation a repeat contact chases (null for
a first contact). Rows are in arrival order, numbered from 0."""

FOLLOWUP_COLUMNS = ("conversation", "asked_at", "answered_at", "response_s", "after_handback")
"""One row per answered follow-up customer message. ``after_handback`` is true
when the conversation had been handed back before this reply."""

AGENT_TALLIES = (
    "on_shift_s",
    "busy_s",
    "overtime_s",
    "handbacks",
    "reread_s",
    "shifts",
    "activations",
    "break_s",
    "cutoff_s",
)
"""Per agent, after warmup: time present (on shift or in overtime), time working
on replies or wrap-up, overtime past shift end, conversations handed back,
re-read time spent, shifts that ended, on-call activations, time on breaks, time on
shift closed to new conversations by an intake cutoff."""

AGENT_COLUMNS = ("agent", "team", *AGENT_TALLIES)
"""One row per agent (a rotation member, a rostered or on-call person)."""

TEAM_COLUMNS = (
    "team",
    "on_shift_s",
    "busy_s",
    "overtime_s",
    "handbacks",
    "reread_s",
    "agent_shifts",
    "activations",
    "break_s",
    "cutoff_s",
)
"""One row per team: the sums of its agents' tallies (``agent_shifts`` sums
``shifts``)."""


STATE_COLUMNS = ("at", "kind", "name", "waiting", "present", "working", "held")
"""The system's state every ``STATE_INTERVAL`` seconds: one row per queue
(``kind`` "queue": conversations ``waiting``) and per team (``kind`` "team":
agents ``present`` on shift or in overtime, agents ``working`` on a reply,
conversations ``held``). For plots over time and hour-of-week heatmaps."""

STATE_INTERVAL = 300.0

TICKET_COLUMNS = ("conversation", "raised_at", "resolved_at", "resolution_s")
"""One row per back-office ticket resolved: escalated conversations."""


UNOWNED_COLUMNS = ("conversation", "kind", "agent", "since", "until", "shift_end")
"""One row per spell in which an open conversation had no one working on it after
a shift end: ``kind`` "handed_back" (from the hand-back ``since`` to the next
agent's pick-up ``until``) or "waiting_for_owner" (kept by its owner, from the
owner's departure to the owner's next shift). ``agent`` is who let it go (its
index in ``agents``), ``shift_end`` that agent's shift end; ``until`` is NaN when
the spell lasted past the horizon."""

UNOWNED_KINDS = ("handed_back", "waiting_for_owner")


@dataclass
class ReplicationRecord:
    """Everything one replication produced."""

    replication: int
    conversations: pd.DataFrame
    followups: pd.DataFrame
    teams: pd.DataFrame
    states: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=STATE_COLUMNS))
    tickets: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TICKET_COLUMNS))
    agents: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=AGENT_COLUMNS))
    unowned: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=UNOWNED_COLUMNS))
