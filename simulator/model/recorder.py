"""The recorder: the one owner of a replication's columns and tallies.

The model reports events to it (a pick-up, a reply, an abandonment, time
busy) and never reads them back, so what is measured can change without
touching how the model behaves. Columns are preallocated ``array.array``
slots, one per conversation in arrival order; tallies count after warmup
only. :meth:`Recorder.record` turns them into the DataFrames of a
:class:`~simulator.recording.ReplicationRecord`.
"""

from __future__ import annotations

import math
from array import array
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simulator.recording import (
    AGENT_TALLIES,
    OUTCOME_NAMES,
    STATE_COLUMNS,
    UNOWNED_COLUMNS,
    UNOWNED_KINDS,
    OutcomeCode,
    ReplicationRecord,
)

if TYPE_CHECKING:
    from simulator.model.conversation import Conversation

NAN = math.nan
# Outcome codes as plain ints: an enum member looked up on its class is slow (CPython 3.11).
OPEN = int(OutcomeCode.OPEN)
DEFLECTED = int(OutcomeCode.DEFLECTED)
ABANDONED = int(OutcomeCode.ABANDONED)
RESOLVED = int(OutcomeCode.RESOLVED)
COUNTS = (
    "handbacks",
    "shifts",
    "activations",
    "first_replies",
    "replies",
)  # the integer tallies; the rest are seconds


class AgentTally:
    """One agent's tallies (``recording.AGENT_TALLIES``) and what it holds while
    present since when (for ``held_s``). An object per agent rather than a list per
    tally: a reply updates four tallies of one agent, one look-up instead of four."""

    __slots__ = (*AGENT_TALLIES, "holding", "holding_since")

    def __init__(self) -> None:
        for column in AGENT_TALLIES:
            setattr(self, column, 0 if column in COUNTS else 0.0)
        self.holding = 0
        self.holding_since = 0.0

    def hold(self, held: int, now: float, warmup: float) -> None:
        """From ``now`` the agent holds ``held`` conversations while present (0 while
        away); the time held at the previous count is added (after ``warmup``)."""
        count = self.holding
        if count:
            since = self.holding_since
            elapsed = now - (since if since > warmup else warmup)
            if elapsed > 0:
                self.held_s += count * elapsed
        self.holding = held
        self.holding_since = now


class Recorder:
    """Columns of conversations, follow-ups, tickets and states; agent tallies."""

    def __init__(
        self,
        warmup: float,
        arrived_at: np.ndarray,
        stream_code: np.ndarray,
        stream_names: list[str],
        home_queue: list[int],
        queue_names: list[str],
        team_names: list[str],
    ) -> None:
        self.warmup = warmup
        self.arrived_at = arrived_at
        self.stream_code = stream_code
        self.stream_names = stream_names
        self.home_queue = home_queue  # queue index by stream code
        self.queue_names = queue_names
        self.team_names = team_names
        count = len(arrived_at)
        self.picked_up_at = array("d", [NAN]) * count
        self.first_reply_at = array("d", [NAN]) * count
        self.ended_at = array("d", [NAN]) * count
        self.outcome = array("b", [OPEN]) * count
        self.team_code = array("i", [-1]) * count
        self.agent_code = array("i", [-1]) * count
        self.exchanges = array("i", [0]) * count
        self.handbacks = array("i", [0]) * count
        self.reassignments = array("i", [0]) * count
        self.repeat_rows: list[tuple[int, float, int]] = []  # (original, arrived at, stream)
        self.ticket_conversation = array("q")
        self.ticket_raised_at = array("d")
        self.ticket_resolved_at = array("d")
        self.followup_conversation = array("q")
        self.followup_asked_at = array("d")
        self.followup_answered_at = array("d")
        self.followup_after_handback = array("b")
        # The state samples: every sample has the same rows (kind 0 queue or 1 team,
        # and a name coded in state_names), so a sample is its time and four counts
        # (waiting, present, working, held) per row, flat. A tuple per row cost about
        # 150 bytes; a long run samples hundreds of thousands. The counts are a list
        # (extending an array from a list costs ten times as much).
        self.sample_kinds = array("b")
        self.sample_codes = array("h")
        self.state_names: dict[str, int] = {}
        self.state_at = array("d")
        self.state_counts: list[int] = []
        # Spells without anyone working on a conversation after a shift end: open ones
        # by conversation index, then finished rows (see recording.UNOWNED_COLUMNS).
        self.unowned_open: dict[int, tuple[int, int, float, float]] = {}
        self.unowned_rows: list[tuple[int, int, int, float, float, float]] = []
        self.agent_names: list[str] = []
        self.agent_teams: list[str] = []
        self.tallies: list[AgentTally] = []  # by agent index

    def hire(self, name: str, team: str) -> int:
        """Give a new agent its row; returns the agent's index."""
        self.agent_names.append(name)
        self.agent_teams.append(team)
        self.tallies.append(AgentTally())
        return len(self.agent_names) - 1

    def after_warmup(self, begin: float, end: float) -> float:
        """Length of ``[begin, end)`` that falls after warmup."""
        return max(0.0, end - max(begin, self.warmup))

    # -- conversations --
    def deflected(self, conversation: Conversation, now: float) -> None:
        self.ended_at[conversation.index] = now
        self.outcome[conversation.index] = DEFLECTED

    def abandoned(self, conversation: Conversation, now: float) -> None:
        self.ended_at[conversation.index] = now
        self.outcome[conversation.index] = ABANDONED

    def repeated(self, original: Conversation, now: float) -> int:
        """The customer of ``original`` came back: a new conversation arrives now;
        returns its index (after every drawn arrival, in the order repeats arrive)."""
        index = len(self.outcome)
        for times in (self.picked_up_at, self.first_reply_at, self.ended_at):
            times.append(NAN)
        self.outcome.append(OPEN)
        for codes in (self.team_code, self.agent_code):
            codes.append(-1)
        for counts in (self.exchanges, self.handbacks, self.reassignments):
            counts.append(0)
        self.repeat_rows.append((original.index, now, original.stream))
        return index

    def picked_up(self, conversation: Conversation, team: int, agent: int, now: float) -> None:
        index = conversation.index
        self.picked_up_at[index] = now
        self.team_code[index] = team
        self.agent_code[index] = agent

    def taken(
        self, conversation: Conversation, team: int, agent: int, held: int, now: float
    ) -> None:
        """A first pick-up by an agent present, now holding ``held``: :meth:`picked_up`
        and :meth:`holding` in one call (once per conversation answered)."""
        index = conversation.index
        self.picked_up_at[index] = now
        self.team_code[index] = team
        self.agent_code[index] = agent
        self.tallies[agent].hold(held, now, self.warmup)

    def answered(
        self, conversation: Conversation, agent: int, busy_since: float, held: int, now: float
    ) -> None:
        """The reply that resolved ``conversation``, typed by ``agent`` since
        ``busy_since``, who now holds ``held``: :meth:`busy`, :meth:`reply_sent`,
        :meth:`resolved` and :meth:`holding` in one call (once per conversation)."""
        index = conversation.index
        warmup = self.warmup
        tally = self.tallies[agent]
        if now > warmup:
            tally.busy_s += now - (busy_since if busy_since > warmup else warmup)
        if conversation.sent == 1:
            self.exchanges[index] = 1
            self.first_reply_at[index] = now
            if now >= warmup:
                tally.replies += 1
                tally.first_replies += 1
        else:
            self.reply_sent(conversation, agent, now)
        self.ended_at[index] = now
        self.outcome[index] = RESOLVED
        tally.hold(held, now, warmup)

    def reply_sent(self, conversation: Conversation, agent: int, now: float) -> None:
        """A reply (counted in ``sent``) by ``agent``: the first reply, a ticket's
        resolution or the answer to a follow-up."""
        index = conversation.index
        sent = conversation.sent
        self.exchanges[index] = sent
        counted = now >= self.warmup
        if counted:
            self.tallies[agent].replies += 1
        if sent == 1:
            self.first_reply_at[index] = now
            if counted:
                self.tallies[agent].first_replies += 1
        elif conversation.ticket:
            self.ticket_conversation.append(index)
            self.ticket_raised_at.append(conversation.owed_since)
            self.ticket_resolved_at.append(now)
        else:
            self.followup_conversation.append(index)
            self.followup_asked_at.append(conversation.owed_since)
            self.followup_answered_at.append(now)
            self.followup_after_handback.append(conversation.handbacks > 0)

    def resolved(self, conversation: Conversation, now: float) -> None:
        self.ended_at[conversation.index] = now
        self.outcome[conversation.index] = RESOLVED

    def reassigned(self, conversation: Conversation) -> None:
        self.reassignments[conversation.index] = conversation.reassignments

    def handed_back(
        self, conversation: Conversation, agent: int, now: float, shift_end: float
    ) -> None:
        self.handbacks[conversation.index] = conversation.handbacks
        if now >= self.warmup:
            self.tallies[agent].handbacks += 1
        self.unowned_open[conversation.index] = (0, agent, now, shift_end)

    def kept(self, conversation: Conversation, agent: int, now: float, shift_end: float) -> None:
        """The owner left holding it: it waits for the owner's next shift."""
        self.unowned_open[conversation.index] = (1, agent, now, shift_end)

    def owned_again(self, conversation: Conversation, now: float) -> None:
        """Someone works on it again: picked up after a hand-back, or its owner is back."""
        spell = self.unowned_open.pop(conversation.index, None)
        if spell is not None:
            kind, agent, since, shift_end = spell
            self.unowned_rows.append((conversation.index, kind, agent, since, now, shift_end))

    # -- agents --
    def busy(self, agent: int, begin: float, end: float) -> None:
        # after_warmup, inlined: called once per reply
        warmup = self.warmup
        if end > warmup:
            self.tallies[agent].busy_s += end - (begin if begin > warmup else warmup)

    def holding(self, agent: int, held: int, now: float) -> None:
        """From ``now`` the agent holds ``held`` conversations while present (0 while
        away); closes the time held at the previous count."""
        self.tallies[agent].hold(held, now, self.warmup)

    def on_break(self, agent: int, begin: float, end: float) -> None:
        self.tallies[agent].break_s += self.after_warmup(begin, end)

    def intake_closed(self, agent: int, now: float, shift_end: float) -> None:
        """An intake cutoff closes the agent to new conversations until shift end."""
        self.tallies[agent].cutoff_s += self.after_warmup(now, shift_end)

    def reread(self, agent: int, seconds: float, now: float) -> None:
        if now >= self.warmup:
            self.tallies[agent].reread_s += seconds

    def activated(self, agent: int, now: float) -> None:
        if now >= self.warmup:
            self.tallies[agent].activations += 1

    def present(self, agent: int, came_at: float, shift_end: float, until: float) -> None:
        """Time on shift from ``came_at`` (overtime past ``shift_end``) up to ``until``."""
        self.tallies[agent].on_shift_s += self.after_warmup(came_at, until)
        self.tallies[agent].overtime_s += self.after_warmup(min(shift_end, until), until)

    def left(self, agent: int, now: float) -> None:
        """A shift (or on-call activation) ended."""
        if now >= self.warmup:
            self.tallies[agent].shifts += 1

    # -- the state every STATE_INTERVAL --
    # One row per queue (kind 0: the counts are waiting, 0, 0, 0) and per team
    # (kind 1: 0, present, working, held) every STATE_INTERVAL.
    def sample_rows(self, rows: list[tuple[int, str]]) -> None:
        """Name the rows of every state sample, in order: (kind, name) each. Names
        are coded in order of first appearance (a queue and a team may share one)."""
        names = self.state_names
        for _, name in rows:
            names.setdefault(name, len(names))
        self.sample_kinds = array("b", [kind for kind, _ in rows])
        self.sample_codes = array("h", [names[name] for _, name in rows])

    def state(self, now: float, counts: list[int]) -> None:
        """One state sample: four counts for each row of :meth:`sample_rows`, flat."""
        self.state_at.append(now)
        self.state_counts += counts

    # -- results --
    def record(self, replication: int) -> ReplicationRecord:
        """The replication's DataFrames."""
        drawn = len(self.arrived_at)
        count = drawn + len(self.repeat_rows)
        originals = np.array([row[0] for row in self.repeat_rows], dtype=np.int64)
        arrived_at = np.concatenate(
            [self.arrived_at, np.array([row[1] for row in self.repeat_rows], dtype=np.float64)]
        )
        stream_code = np.concatenate(
            [self.stream_code, np.array([row[2] for row in self.repeat_rows], dtype=np.int16)]
        )
        repeat_of = pd.arrays.IntegerArray(
            np.concatenate([np.zeros(drawn, dtype=np.int64), originals]),
            np.arange(count) < drawn,
        )
        queue_of_stream = np.array(self.home_queue, dtype=np.int16)
        conversations = pd.DataFrame(
            {
                "conversation": np.arange(count, dtype=np.int64),
                "stream": pd.Categorical.from_codes(stream_code, self.stream_names),
                "queue": pd.Categorical.from_codes(queue_of_stream[stream_code], self.queue_names),
                "team": pd.Categorical.from_codes(
                    np.frombuffer(self.team_code, dtype=np.int32), self.team_names
                ),
                "agent": pd.Categorical.from_codes(
                    np.frombuffer(self.agent_code, dtype=np.int32), self.agent_names
                ),
                "arrived_at": arrived_at,
                "picked_up_at": np.frombuffer(self.picked_up_at, dtype=np.float64),
                "first_reply_at": np.frombuffer(self.first_reply_at, dtype=np.float64),
                "ended_at": np.frombuffer(self.ended_at, dtype=np.float64),
                "outcome": pd.Categorical.from_codes(
                    np.frombuffer(self.outcome, dtype=np.int8), OUTCOME_NAMES
                ),
                "exchanges": np.frombuffer(self.exchanges, dtype=np.int32),
                "handbacks": np.frombuffer(self.handbacks, dtype=np.int32),
                "reassignments": np.frombuffer(self.reassignments, dtype=np.int32),
                "repeat_of": repeat_of,
            }
        )
        asked = np.frombuffer(self.followup_asked_at, dtype=np.float64)
        answered = np.frombuffer(self.followup_answered_at, dtype=np.float64)
        followups = pd.DataFrame(
            {
                "conversation": np.frombuffer(self.followup_conversation, dtype=np.int64),
                "asked_at": asked,
                "answered_at": answered,
                "response_s": answered - asked,
                "after_handback": np.frombuffer(self.followup_after_handback, dtype=np.int8).astype(
                    bool
                ),
            }
        )
        agents = pd.DataFrame(
            {
                "agent": self.agent_names,
                "team": self.agent_teams,
                **{
                    column: [getattr(tally, column) for tally in self.tallies]
                    for column in AGENT_TALLIES
                },
            }
        )
        teams = (
            agents.groupby("team", sort=False)[list(AGENT_TALLIES)]
            .sum()
            .reindex(self.team_names, fill_value=0)
            .reset_index()
            .rename(columns={"shifts": "agent_shifts"})
        )
        raised = np.frombuffer(self.ticket_raised_at, dtype=np.float64)
        resolved = np.frombuffer(self.ticket_resolved_at, dtype=np.float64)
        tickets = pd.DataFrame(
            {
                "conversation": np.frombuffer(self.ticket_conversation, dtype=np.int64),
                "raised_at": raised,
                "resolved_at": resolved,
                "resolution_s": resolved - raised,
            }
        )
        spells = self.unowned_rows + [
            (index, kind, agent, since, NAN, shift_end)
            for index, (kind, agent, since, shift_end) in self.unowned_open.items()
        ]
        unowned = pd.DataFrame(spells, columns=list(UNOWNED_COLUMNS))
        unowned["kind"] = pd.Categorical.from_codes(
            unowned["kind"].to_numpy(dtype=np.int8), list(UNOWNED_KINDS)
        )
        samples, rows = len(self.state_at), len(self.sample_kinds)
        counts = np.array(self.state_counts, dtype=np.int64).reshape(-1, 4)
        names = np.array(list(self.state_names), dtype=object)
        states = pd.DataFrame(
            {
                "at": np.repeat(np.frombuffer(self.state_at, dtype=np.float64), rows),
                "kind": _category(
                    np.array(["queue", "team"], dtype=object),
                    np.tile(np.frombuffer(self.sample_kinds, dtype=np.int8), samples),
                ),
                "name": _category(
                    names, np.tile(np.frombuffer(self.sample_codes, dtype=np.int16), samples)
                ),
                **{column: counts[:, k] for k, column in enumerate(STATE_COLUMNS[3:])},
            }
        )
        if self.repeat_rows:
            conversations = _in_arrival_order(conversations, followups, tickets, unowned)
        return ReplicationRecord(
            replication, conversations, followups, teams, states, tickets, agents, unowned
        )


def _category(labels: np.ndarray, codes: np.ndarray) -> pd.Categorical:
    """``labels[codes]`` as the categorical ``astype("category")`` makes of it (the
    labels used, sorted), straight from the codes: turning the strings into a
    category cost a quarter of building a long run's record."""
    used = np.unique(codes)
    present = labels[used]
    order = np.argsort(present, kind="stable")
    recode = np.empty(len(labels), dtype=np.int64)
    recode[used[order]] = np.arange(len(used))
    return pd.Categorical.from_codes(recode[codes], present[order])


def _in_arrival_order(conversations: pd.DataFrame, *referring: pd.DataFrame) -> pd.DataFrame:
    """Repeat contacts were numbered after the drawn arrivals: put every row in arrival
    order and renumber the conversation wherever it is named (``repeat_of`` and the
    ``conversation`` column of ``referring``, changed in place)."""
    order = np.argsort(conversations["arrived_at"].to_numpy(), kind="stable")
    renumbered = np.empty(len(order), dtype=np.int64)
    renumbered[order] = np.arange(len(order))
    conversations = conversations.iloc[order].reset_index(drop=True)
    conversations["conversation"] = np.arange(len(order), dtype=np.int64)
    chased = conversations["repeat_of"]
    conversations["repeat_of"] = pd.arrays.IntegerArray(
        renumbered[chased.to_numpy(dtype=np.int64, na_value=0)], chased.isna().to_numpy()
    )
    for frame in referring:
        frame["conversation"] = renumbered[frame["conversation"].to_numpy(dtype=np.int64)]
    return conversations
