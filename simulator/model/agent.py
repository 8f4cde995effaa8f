"""Agents: people who hold several conversations and work on their replies.

An agent holds at most ``concurrency`` open conversations. Two ways of
attending to them (the team's ``attention``):

* :class:`SerialAgent` types one reply at a time; replies owed on its other
  conversations wait in its own line (``owed``). Live chat's "60% efficiency"
  emerges from this queueing inside the agent, not from a fudge factor.
* :class:`SharingAgent` works on every owed reply at once (limited processor
  sharing): each progresses at ``efficiency[k-1]`` while it holds ``k``.

Agents are driven by callbacks on SimPy timeouts rather than one process per
reply: a reply costs one event, which keeps the engine close to the speed of
a bare SimPy queue. The base class keeps the invariants (slots, shift state)
and reports time and events to the recorder; subclasses implement the two
hooks :meth:`work` and :meth:`_pause`.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Generator
from heapq import heappush
from typing import TYPE_CHECKING, Any, Protocol

from simpy import Event
from simpy.events import NORMAL

from simulator.model.clock import Clock
from simulator.model.conversation import Conversation
from simulator.model.roles import ENDED, OWED, WAITING

if TYPE_CHECKING:
    from simulator.model.queues import Queue
    from simulator.model.recorder import Recorder
    from simulator.model.team import Team

DONE_EPSILON = 1e-9  # seconds of work left that count as finished (float rounding)


class Desk(Protocol):
    """What an agent asks of the dispatcher (which chooses agents, so sits above)."""

    def puller(self, team: Team, agent: Agent) -> Callable[[], Conversation | None]:
        """How ``agent`` asks for the conversation it should pick up next, if any."""

    def sends_on(self, conversation: Conversation, team: Team) -> bool:
        """Whether ``team`` triages ``conversation`` to send it on."""

    def reassign(self, conversation: Conversation) -> None:
        """Send a triaged conversation to its stream's own queue."""

    def raise_ticket(self, conversation: Conversation) -> None:
        """Queue an escalated conversation for its back-office team."""

    def hand_back(self, conversation: Conversation, agent: Agent) -> None:
        """Shift end: ``agent`` lets go of ``conversation`` for the next one."""

    def customer_writes(self, conversation: Conversation) -> None:
        """The customer's next message, due after a reply."""


class Agent:
    """One person: shift state and the conversations held. Conversations come from
    and go back to the ``dispatcher``; time and events are reported to the ``recorder``."""

    def __init__(
        self,
        env: Clock,
        dispatcher: Desk,
        recorder: Recorder,
        team: Team,
        index: int,
        name: str,
    ) -> None:
        self.env = env
        self.dispatcher = dispatcher
        self.recorder = recorder
        self.team = team
        self.index = index
        self.name = name
        self.held: dict[Conversation, None] = {}  # insertion-ordered for determinism
        self.present = False  # on shift or working overtime
        self.accepting = False  # may pick up new conversations
        self.shift_end = math.inf
        self.came_at = 0.0
        self.winding_down = False  # taking nothing new, finishing what is held
        self.cleared: Event | None = None  # fires when winding down is done
        self.leaving: bool | None = None  # a departure waiting for the current reply:
        #                                     True keeps the conversations, False hands back
        self.intake_until = math.inf  # no new pick-ups from then on (intake cutoff)
        self.on_break = False
        self.break_ready: Event | None = None  # fires when a waiting break can begin
        # The conversation to pick up next, if any: how to ask is chosen once.
        self.next_conversation = dispatcher.puller(team, self)

    # -- shift boundaries (called by the shift process and the handoff policy) --
    def start_shift(self, end: float) -> None:
        """Come on shift until ``end``, taking new conversations until the team's
        shift-end policy closes intake. An agent still finishing a reply from the last
        shift simply stays: its pending departure is cancelled."""
        now = self.env.now
        if not self.present:
            self.came_at = now
            for conversation in self.held:  # kept for this shift (wait_for_owner)
                self.recorder.owned_again(conversation, now)
        self.present = True
        self._note_holding()
        self.leaving = None
        self.winding_down = False
        self.shift_end = end
        self.intake_until = max(self.team.shift_end.intake_closes(end), now)
        self.accepting = self.intake_until > now and not self.on_break
        if now < self.intake_until < end:
            closes = self.intake_until
            self.env.call_in(closes - now, lambda _event: self._intake_closes(closes))
        self._resume()
        self.work()

    def _intake_closes(self, at: float) -> None:
        if self.present and self.intake_until == at:  # still the same shift
            self.stop_intake()
            self.recorder.intake_closed(self.index, at, self.shift_end)

    def stop_intake(self) -> None:
        self.accepting = False
        self.intake_until = self.env.now
        self.team.available.pop(self, None)

    def take_break(self, length: float) -> Generator[Event, Any, None]:
        """Be away for ``length`` (shrinkage), after finishing the reply being typed."""
        self.on_break = True
        self.accepting = False
        self.team.available.pop(self, None)
        if self._typing():
            self.break_ready = self.env.event()
            yield self.break_ready
        self._pause()
        began = self.env.now
        yield self.env.timeout(length)
        self.recorder.on_break(self.index, began, self.env.now)
        self.on_break = False
        if self.present:
            self.accepting = not self.winding_down and self.env.now < self.intake_until
            self._resume()
            self.work()

    def _let_break_begin(self) -> None:
        """A break waiting for the reply being typed may begin now."""
        if self.break_ready is not None:
            self.break_ready.succeed()
            self.break_ready = None

    def wind_down(self) -> Event | None:
        """Take nothing new, finish what is held (overtime, or a backup standing
        down); returns an event that fires when nothing is held any more, or None
        when there is nothing to finish."""
        self.stop_intake()
        if not self.held:
            return None
        self.winding_down = True
        if self.cleared is None:
            self.cleared = self.env.event()
        return self.cleared

    def depart(self, keep: bool) -> None:
        """Leave now (or after the reply being typed); ``keep`` holds on to the
        conversations for the owner's next shift, otherwise they are handed back."""
        self.winding_down = False
        self.cleared = None
        if self._typing():
            self.leaving = keep
        else:
            self._leave(keep)

    def _leave(self, keep: bool) -> None:
        now = self.env.now
        self.leaving = None
        self.present = False
        self.accepting = False
        self.team.available.pop(self, None)
        self._let_break_begin()
        self._pause()
        self.recorder.present(self.index, self.came_at, self.shift_end, now)
        self.recorder.left(self.index, now)
        if not keep:
            for conversation in list(self.held):
                del self.held[conversation]
                self.dispatcher.hand_back(conversation, self)
        else:
            for conversation in self.held:
                self.recorder.kept(conversation, self.index, now, self.shift_end)
        self._note_holding()

    # -- conversations --
    def take(self, conversation: Conversation) -> None:
        """Pick up a conversation from a queue; its owed reply is now ours.

        A conversation of a stream the team is not meant for costs triage time
        first; then it is either sent on to its own queue or answered here."""
        team = self.team
        held = self.held
        held[conversation] = None
        now = self.env._now  # SimPy's clock, without its property (hot path)
        recorder = self.recorder
        if conversation.pick_up(self):  # the first pick-up: both notes in one call
            recorder.taken(
                conversation, team.index, self.index, len(held) if self.present else 0, now
            )
        else:
            recorder.holding(self.index, len(held) if self.present else 0, now)
        if team.plain:  # no triage, no skills: only work scaled elsewhere needs undoing
            if conversation.scale != 1.0:
                self._scale(conversation)
        elif self._triage(conversation):
            return
        if conversation.reread_due:
            conversation.reread_due = False
            recorder.owned_again(conversation, now)
            reread = team.shift_end.reread_time(conversation)
            conversation.work += reread
            conversation.repeat(team.shift_end.extra_exchanges())
            recorder.reread(self.index, reread, now)

    def _triage(self, conversation: Conversation) -> bool:
        """Skills and triage on pick-up; True when the conversation is only triaged
        here, to be sent on to its own queue."""
        team = self.team
        misrouted = not (conversation.ticket or team.meant_for[conversation.stream])
        if misrouted and self.dispatcher.sends_on(conversation, team):
            conversation.reassigning = True
            conversation.saved_work = conversation.work
            conversation.work = team.triage_time
            return True
        self._scale(conversation)
        team.handled[conversation.stream] += 1
        if misrouted:
            conversation.work += team.triage_time
        return False

    def _scale(self, conversation: Conversation) -> None:
        """Express the owed reply's work at this team's skill for the stream."""
        scale = 1.0 if conversation.ticket else self.team.skill(conversation.stream)
        if scale != conversation.scale:
            conversation.work = conversation.work / conversation.scale * scale
            conversation.scale = scale

    def _triaged(self, conversation: Conversation) -> None:
        """Triage done: send the conversation on to the queue it belongs in."""
        conversation.reassigning = False
        conversation.work = conversation.saved_work
        self.release(conversation)
        self.dispatcher.reassign(conversation)

    def release(self, conversation: Conversation) -> None:
        """The conversation is over for this agent (resolved and wrapped up)."""
        held = self.held
        del held[conversation]
        self.recorder.holding(self.index, len(held) if self.present else 0, self.env._now)
        conversation.agent = None  # let_go, inlined: once per conversation
        if conversation.ticket and conversation.state is WAITING:
            self.dispatcher.raise_ticket(conversation)
        if self.winding_down and not held and self.cleared is not None:
            self.cleared.succeed()
            self.cleared = None

    def _send_reply(self, conversation: Conversation) -> bool:
        """The owed reply is sent; True when the agent is done with the conversation
        (resolved, or escalated to be raised as a ticket when let go)."""
        now = self.env._now
        conversation.sent += 1
        recorder = self.recorder
        recorder.reply_sent(conversation, self.index, now)
        if conversation.sent >= conversation.needed:
            conversation.resolve()
            recorder.resolved(conversation, now)
            return True
        conversation.await_customer()
        if conversation.escalates():
            conversation.escalate()
            return True
        dispatcher = self.dispatcher
        self.env.call_in(
            conversation.reply_delay(), lambda _event: dispatcher.customer_writes(conversation)
        )
        return False

    def owe(self, conversation: Conversation) -> None:
        """The customer wrote again: a reply is owed on a conversation we hold."""
        raise NotImplementedError

    def start(self, conversation: Conversation) -> None:
        """Available and idle, take ``conversation`` handed over by the dispatcher,
        as :meth:`work` would had it found it first in a queue."""
        raise NotImplementedError

    def work(self) -> None:
        """Decide what to do next, if idle and present."""
        raise NotImplementedError

    def _typing(self) -> bool:
        """Whether a reply is being typed that must be finished before leaving."""
        return False

    def working(self) -> bool:
        """Whether the agent is working on a reply (or wrap-up) right now."""
        raise NotImplementedError

    def _pause(self) -> None:
        """Stop all progress (leaving the shift)."""

    def _resume(self) -> None:
        """Start progress again on held work (a new shift)."""

    def finish(self, horizon: float) -> None:
        """Close the tallies of an agent still present at the horizon."""
        if self.present:
            self.recorder.present(self.index, self.came_at, self.shift_end, horizon)
            self.recorder.holding(self.index, 0, horizon)

    def _note_holding(self) -> None:
        """Tell the recorder how many conversations are held while present from now."""
        self.recorder.holding(self.index, len(self.held) if self.present else 0, self.env.now)

    def has_room(self, queue: Queue) -> bool:
        """Whether this agent may take one more conversation from ``queue`` under the
        team's cap for it (held conversations keep the queue they were taken from)."""
        caps = self.team.caps
        cap = caps.get(queue.index) if caps is not None else None
        return cap is None or sum(1 for c in self.held if c.queue is queue) < cap

    def _become_available(self) -> None:
        if self.accepting and len(self.held) < self.team.concurrency:
            self.team.available[self] = None
        else:
            self.team.available.pop(self, None)


class SerialAgent(Agent):
    """Types one reply at a time; owed replies wait in the agent's own line."""

    def __init__(
        self,
        env: Clock,
        dispatcher: Desk,
        recorder: Recorder,
        team: Team,
        index: int,
        name: str,
    ) -> None:
        super().__init__(env, dispatcher, recorder, team, index, name)
        self.owed: deque[Conversation] = deque()
        self.current: Conversation | None = None
        self.busy = False
        self.busy_since = 0.0
        self.typed = self._typed  # bound once: binding it per reply cost an object

    def owe(self, conversation: Conversation) -> None:
        if not self.team.plain or conversation.scale != 1.0:  # else nothing to scale
            self._scale(conversation)
        self.owed.append(conversation)
        if not self.busy and self.present:
            self.work()

    def work(self) -> None:
        if self.busy:
            return
        if self.leaving is not None:
            self._leave(self.leaving)
            return
        if self.on_break:
            self._let_break_begin()
            return
        if not self.present:
            return
        team = self.team
        owed = self.owed
        if owed and team.replies_first:
            self._type(owed.popleft())
            return
        if self.accepting and len(self.held) < team.concurrency:
            conversation = self.next_conversation()
            if conversation is not None:
                self.take(conversation)
                self._type(conversation)
                return
            if not owed:  # _become_available, inlined: room and accepting, as checked
                team.available[self] = None
                return
        if owed:
            self._type(owed.popleft())
            return
        team.available.pop(self, None)

    def start(self, conversation: Conversation) -> None:
        self.take(conversation)
        self._type(conversation)

    def _leave(self, keep: bool) -> None:
        if not keep:
            self.owed.clear()
        super()._leave(keep)

    def _type(self, conversation: Conversation) -> None:
        self.team.available.pop(self, None)
        env = self.env
        self.busy = True
        now = self.busy_since = env._now
        self.current = conversation
        # env.call_in(conversation.work, self.typed), inlined: once per reply
        heappush(env._queue, (now + conversation.work, NORMAL, next(env._eid), self.typed))

    def _typed(self, _event: object) -> None:
        conversation = self.current
        assert conversation is not None
        self.busy = False  # _tally_busy, inlined: once per reply
        if conversation.reassigning:
            self.recorder.busy(self.index, self.busy_since, self.env._now)
            self.current = None
            self._triaged(conversation)
            self.work()
            return
        conversation.work = 0.0
        if conversation.sent + 1 >= conversation.needed and conversation.customers.wrap_up is None:
            # The reply resolves it, with no wrap-up: what _send_reply and release
            # do then, the recorder told of the time busy, the reply, the end and
            # the holding in one call (once per conversation needing one reply).
            now = self.env._now
            conversation.sent += 1
            conversation.resolve()
            held = self.held
            del held[conversation]
            conversation.agent = None  # let_go, inlined
            self.recorder.answered(
                conversation, self.index, self.busy_since, len(held) if self.present else 0, now
            )
            if self.winding_down and not held and self.cleared is not None:
                self.cleared.succeed()
                self.cleared = None
            self.current = None
            self.work()
            return
        self.recorder.busy(self.index, self.busy_since, self.env._now)
        if self._send_reply(conversation):
            wrap = conversation.wrap_up()
            if wrap > 0:
                self.busy = True
                self.busy_since = self.env.now
                self.env.call_in(wrap, self._wrapped)
                return
            self.release(conversation)
        self.current = None
        self.work()

    def _wrapped(self, _event: object) -> None:
        conversation = self.current
        assert conversation is not None
        self._tally_busy()
        self.current = None
        self.release(conversation)
        self.work()

    def _tally_busy(self) -> None:
        self.busy = False
        self.recorder.busy(self.index, self.busy_since, self.env.now)

    def _typing(self) -> bool:
        return self.busy

    def working(self) -> bool:
        return self.busy

    def finish(self, horizon: float) -> None:
        super().finish(horizon)
        if self.busy:
            self.recorder.busy(self.index, self.busy_since, horizon)


class SharingAgent(Agent):
    """Works on every owed reply at once; each progresses at the team's
    ``efficiency`` for the number of conversations held."""

    def __init__(
        self,
        env: Clock,
        dispatcher: Desk,
        recorder: Recorder,
        team: Team,
        index: int,
        name: str,
    ) -> None:
        super().__init__(env, dispatcher, recorder, team, index, name)
        self.active: dict[Conversation, None] = {}  # owed replies and wrap-ups in progress
        self.last_update = 0.0
        self.token = 0  # invalidates the completion timer scheduled earlier
        self.speed_of = team.spec.speed

    def owe(self, conversation: Conversation) -> None:
        if not self.team.plain or conversation.scale != 1.0:  # else nothing to scale
            self._scale(conversation)
        if self.present and not self.on_break:
            self._advance()
            self.active[conversation] = None
            self._reschedule()

    def take(self, conversation: Conversation) -> None:
        self._advance()
        super().take(conversation)
        self.active[conversation] = None

    def release(self, conversation: Conversation) -> None:
        self._advance()
        super().release(conversation)

    def start(self, conversation: Conversation) -> None:
        self.take(conversation)
        self.work()  # more free slots may take more

    def work(self) -> None:
        if not self.present or self.on_break:
            return
        team = self.team
        while self.accepting and len(self.held) < team.concurrency:
            conversation = self.next_conversation()
            if conversation is None:
                break
            self.take(conversation)
        self._reschedule()
        self._become_available()

    def _speed(self) -> float:
        return self.speed_of(len(self.held)) if self.held else 1.0

    def _advance(self) -> None:
        """Credit the work done on every active reply since the last change."""
        now = self.env.now
        elapsed = now - self.last_update
        if elapsed > 0 and self.active:
            done = elapsed * self._speed()
            for conversation in self.active:
                conversation.work -= done
            self.recorder.busy(self.index, self.last_update, now)
        self.last_update = now

    def _reschedule(self) -> None:
        self.token += 1
        if not self.active:
            return
        remaining = min(conversation.work for conversation in self.active)
        delay = max(remaining, 0.0) / self._speed()
        token = self.token
        self.env.call_in(delay, lambda _event: self._complete(token))

    def _complete(self, token: int) -> None:
        if token != self.token:
            return
        self._advance()
        finished = [c for c in self.active if c.work <= DONE_EPSILON]
        for conversation in finished:
            del self.active[conversation]
            if conversation.state is ENDED:  # wrap-up finished
                self.release(conversation)
            elif conversation.reassigning:
                self._triaged(conversation)
            elif self._send_reply(conversation):
                wrap = conversation.wrap_up()
                if wrap > 0:
                    conversation.work = wrap
                    self.active[conversation] = None
                else:
                    self.release(conversation)
        self.work()

    def working(self) -> bool:
        return bool(self.active)

    def _pause(self) -> None:
        self._advance()
        self.active.clear()
        self.token += 1

    def _resume(self) -> None:
        self.last_update = self.env.now
        for conversation in self.held:
            if conversation.state is OWED or conversation.state is ENDED:
                self.active[conversation] = None

    def finish(self, horizon: float) -> None:
        super().finish(horizon)
        if self.present:
            self._advance()
