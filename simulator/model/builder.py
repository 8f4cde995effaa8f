"""The builder: from a scenario to the organisation of one replication.

Queues, teams with their shift-end policies, agents (rostered, rotating and on
call), the dispatcher's routing tables, and the duties the engine turns into
SimPy processes: walking an agent through its shifts, an on-call stand-by,
breaks. Duties keep the scenario's order (team by team: rostered agents, then
backups, then breaks), which fixes the order of simultaneous events.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.model.agent import Agent, SerialAgent, SharingAgent
from simulator.model.backup import OnCall
from simulator.model.clock import Clock
from simulator.model.dispatcher import Dispatcher
from simulator.model.handoff import shift_end_policy
from simulator.model.queues import Queue
from simulator.model.recorder import Recorder
from simulator.model.repeats import RepeatingDispatcher
from simulator.model.switching import SwitchingAgent
from simulator.model.team import Team
from simulator.rng import RandomSource
from simulator.scenario.schema import Scenario, ticket_queue
from simulator.scenario.shift_calendar import merged, shift_intervals, team_schedules

Intervals = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Shifts:
    """A rostered agent's shifts, ``(begin, end)`` in time order."""

    agent: Agent
    shifts: Intervals


@dataclass(frozen=True)
class Standby:
    """A backup agent on call in ``windows``."""

    on_call: OnCall
    agent: Agent
    windows: Intervals


@dataclass(frozen=True)
class Breaks:
    """Shrinkage: breaks of ``block`` seconds taking ``share`` of the time on shift."""

    agent: Agent
    share: float
    block: float
    rng: np.random.Generator


Duty = Shifts | Standby | Breaks


@dataclass
class Organisation:
    """Everything the engine drives."""

    queues: list[Queue]
    teams: list[Team]
    agents: list[Agent]
    dispatcher: Dispatcher
    duties: list[Duty]


def build(scenario: Scenario, env: Clock, recorder: Recorder, source: RandomSource) -> Organisation:
    """The organisation of ``scenario``; agents report to ``recorder``."""
    horizon = scenario.horizon
    queues = {name: Queue(name, i) for i, name in enumerate(scenario.queues())}
    escalations = [stream.escalation for stream in scenario.streams.values()]
    dispatcher = (RepeatingDispatcher if scenario.repeats() else Dispatcher)(
        env,
        recorder,
        list(queues.values()),
        stream_queue=[queues[scenario.home_queue(name)] for name in scenario.streams],
        ticket_queue=[
            queues[ticket_queue(escalation.team)] if escalation is not None else None
            for escalation in escalations
        ],
    )
    if isinstance(dispatcher, RepeatingDispatcher):
        dispatcher.chasing(
            [
                (stream.repeat, source.rng(f"repeat.{name}"))
                if stream.repeat is not None and stream.repeat.share > 0
                else None
                for name, stream in scenario.streams.items()
            ]
        )
    back_office = {escalation.team for escalation in escalations if escalation is not None}
    teams: list[Team] = []
    agents: list[Agent] = []
    duties: list[Duty] = []

    def hire(team: Team, name: str) -> Agent:
        kind: type[Agent] = SharingAgent if team.shared else SerialAgent
        if team.switch_cost is not None:
            kind = SwitchingAgent
        agent = kind(env, dispatcher, recorder, team, recorder.hire(name, team.name), name)
        team.agents.append(agent)
        agents.append(agent)
        return agent

    for index, (name, spec) in enumerate(scenario.teams.items()):
        own = [queues[q] for q in spec.serves]
        if name in back_office:
            own.append(queues[ticket_queue(name)])
        meant_for = scenario.meant_for(name)
        team = Team(
            name,
            index,
            spec,
            shift_end_policy(
                scenario.team_handoff(name),
                source.rng(f"handback_extra.{name}")
                if scenario.team_handoff(name).handback.extra_exchanges is not None
                else None,
                queues,
            ),
            skills=[spec.skills.get(s, 1.0) for s in scenario.streams],
            meant_for=[s in meant_for for s in scenario.streams],
        )
        team.limit(
            {queues[queue].index: cap for queue, cap in spec.per_queue.items()},
            (spec.switch_cost, source.rng(f"switch.{name}")) if spec.switch_cost else None,
        )
        handback = scenario.team_handoff(name).handback
        dispatcher.serve(
            team,
            own,
            [(queues[rule.queue], rule) for rule in spec.overflow],
            (queues[handback.to] if handback.to else None, team.shift_end.band),
        )
        for schedule in team_schedules(name, spec, scenario.start, horizon):
            duties.append(Shifts(hire(team, schedule.name), schedule.shifts))
        for number, entry in enumerate(spec.backup, start=1):
            on_call = OnCall(env, entry, own, horizon)
            dispatcher.watch(on_call)
            windows = merged(shift_intervals(entry, scenario.start, horizon))
            for k in range(entry.agents):
                agent = hire(team, f"{name}.{entry.label or f'backup{number}'}.{k + 1}")
                duties.append(Standby(on_call, agent, windows))
        if spec.shrinkage is not None:
            for agent in team.agents:
                rng = source.rng(f"shrinkage.{agent.name}")
                duties.append(Breaks(agent, spec.shrinkage.share, spec.shrinkage.block, rng))
        teams.append(team)
    return Organisation(list(queues.values()), teams, agents, dispatcher, duties)
