"""Routing: which queue each conversation lands in, decided when it arrives.

A stream's conversations first meet the bot (if any), which resolves a share
(deflected) and sends a share of the rest through its menu to the stream's own
queue. Of those the menu missed, keyword rules catch a share (their recall)
for the stream's queue and send a share to other queues by mistake (false
positives); the rest land in the fallback queue. Every decision is drawn up
front from the stream's own generators, so the same customer takes the same
path whatever the staffing.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simulator.rng import RandomSource
from simulator.scenario.schema import Stream

DEFLECTED = -1


@dataclass
class Routes:
    """Per customer of one stream, in arrival rank order."""

    queue: Sequence[int]  # queue index, or DEFLECTED
    bot_time: Sequence[float] | None  # seconds in the bot before deflection or routing
    triage: Sequence[float]  # uniform draw deciding reassignment if misrouted
    escalate: Sequence[bool]  # becomes a back-office ticket
    ticket_work: Sequence[float] | None
    escalate_after: int  # agent replies after which an escalating conversation escalates


def route(
    name: str,
    stream: Stream,
    home: int,
    queue_index: dict[str, int],
    count: int,
    source: RandomSource,
) -> Routes:
    """Draw the routing path of ``count`` customers of stream ``name``."""
    rng = source.rng(f"routing.{name}")
    deflect_u, menu_u, rules_u = rng.random((3, count))
    queue = np.full(count, home, dtype=np.int64)
    bot, routing = stream.bot, stream.routing
    if routing is not None:
        fallback = queue_index[routing.fallback] if routing.fallback else home
        missed = menu_u >= (bot.menu if bot else 0.0)
        caught = rules_u < routing.rules
        queue[missed & ~caught] = fallback
        # False positives take the slices of the uniform above the recall.
        low = routing.rules
        for target, share in routing.false_positives.items():
            hit = missed & (rules_u >= low) & (rules_u < low + share)
            queue[hit] = queue_index[target]
            low += share
    if bot is not None:
        queue[deflect_u < bot.deflection] = DEFLECTED
    bot_time = None
    if bot is not None and bot.time is not None:
        bot_time = bot.time.sample(source.rng(f"bot.{name}"), count).tolist()
    triage = source.rng(f"triage.{name}").random(count)
    escalation = stream.escalation
    escalate = np.zeros(count, dtype=bool)
    ticket_work = None
    if escalation is not None:
        escalation_rng = source.rng(f"escalation.{name}")
        escalate = escalation_rng.random(count) < escalation.share
        ticket_work = escalation.work.sample(escalation_rng, count).tolist()
    return Routes(
        array("q", queue.tobytes()),
        bot_time,
        array("d", triage.tobytes()),
        escalate.tolist(),
        ticket_work,
        escalation.after if escalation is not None else 0,
    )
