"""Cross-references between scenario blocks, checked after the schema.

The schema checks each block alone; these rules need the whole scenario: a
team serves real queues, every queue a conversation can land in is served, a
skill names a real stream, a rotation pool can fill the slots it is given.
Each failure is a ScenarioError with the field path and the fix.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from simulator.errors import ScenarioError
from simulator.scenario.schema import Policy, Scenario, Team
from simulator.scenario.shift_calendar import shift_intervals


def check_references(scenario: Scenario, label: str) -> None:
    """Raise a ScenarioError for the first broken reference."""
    _check_served_queues_exist(scenario, label)
    _check_every_destination_served(scenario, label)
    for team_name, team in scenario.teams.items():
        _check_team_streams(scenario, team_name, team, label)
        _check_continue_in_served(scenario, team_name, team, label)
        if team.rotation is not None:
            _check_pool_size(scenario, team_name, team, label)
    for stream_name, stream in scenario.streams.items():
        if stream.arrivals is not None:
            _check_trace_holds(stream_name, stream.arrivals.streams(), label)
        if stream.escalation is not None and stream.escalation.team not in scenario.teams:
            raise _unknown(
                stream.escalation.team,
                scenario.teams,
                "team",
                label,
                f"streams.{stream_name}.escalation.team",
            )


def closest_hint(word: str, choices: Iterable[str], cutoff: float = 0.5) -> str:
    """'did you mean ...? ' for the closest choice (difflib similarity at least
    ``cutoff``), or ''."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return f"did you mean '{match[0]}'? " if match else ""


def _unknown(name: str, choices: Iterable[str], what: str, label: str, path: str) -> ScenarioError:
    names = list(choices)
    return ScenarioError(
        f"'{name}' is no {what}",
        source=label,
        path=path,
        fix=closest_hint(name, names) + f"{what}s are: {', '.join(names)}",
    )


def _check_served_queues_exist(scenario: Scenario, label: str) -> None:
    queues = scenario.queues()
    for team_name, team in scenario.teams.items():
        for index, queue in enumerate(team.serves):
            if queue not in queues:
                raise _unknown(queue, queues, "queue", label, f"teams.{team_name}.serves.{index}")
        for index, overflow in enumerate(team.overflow):
            if overflow.queue not in queues:
                raise _unknown(
                    overflow.queue,
                    queues,
                    "queue",
                    label,
                    f"teams.{team_name}.overflow.{index}.queue",
                )


def _check_every_destination_served(scenario: Scenario, label: str) -> None:
    served = {
        queue
        for team in scenario.teams.values()
        for queue in [*team.serves, *(o.queue for o in team.overflow)]
    }
    _check_handback_served(scenario, served, label)
    for stream_name, stream in scenario.streams.items():
        home = scenario.home_queue(stream_name)
        destinations = [(home, f"streams.{stream_name}", "the queue")]
        if stream.routing is not None:
            if stream.routing.fallback is not None:
                destinations.append(
                    (
                        stream.routing.fallback,
                        f"streams.{stream_name}.routing.fallback",
                        "the fallback",
                    )
                )
            destinations += [
                (
                    queue,
                    f"streams.{stream_name}.routing.false_positives.{queue}",
                    "the mistaken destination",
                )
                for queue in stream.routing.false_positives
            ]
        for queue, path, role in destinations:
            if queue not in served:
                raise ScenarioError(
                    f"{role} '{queue}' of stream '{stream_name}' is served by no team "
                    "(misrouted conversations are reassigned there)",
                    source=label,
                    path=path,
                    fix=f"add '{queue}' to some team's serves list",
                )


def _check_handback_served(scenario: Scenario, served: set[str], label: str) -> None:
    for path, handoff in scenario.handoffs().items():
        queue = handoff.handback.to
        if queue is not None and queue not in served:
            raise ScenarioError(
                f"the hand-back queue '{queue}' is served by no team",
                source=label,
                path=f"{path}.handback.to",
                fix=f"add '{queue}' to some team's serves list (after its live queues "
                "to serve it only when they are empty)",
            )


def _check_continue_in_served(scenario: Scenario, team_name: str, team: Team, label: str) -> None:
    """An owner answers kept conversations from a queue of the owner's own team."""
    handoff = scenario.team_handoff(team_name)
    queue = handoff.continue_in
    if handoff.policy is not Policy.OWNERSHIP or queue is None or queue in team.serves:
        return
    block = f"teams.{team_name}.handoff" if team.handoff is not None else "handoff"
    raise ScenarioError(
        f"team '{team_name}' keeps conversations in '{queue}' at shift end, but does not serve it",
        source=label,
        path=f"{block}.continue_in",
        fix=f"add '{queue}' to teams.{team_name}.serves, or name one of its queues "
        f"({', '.join(team.serves)})",
    )


def _check_team_streams(scenario: Scenario, team_name: str, team: Team, label: str) -> None:
    streams = list(scenario.streams)
    for index, stream in enumerate(team.streams or []):
        if stream not in scenario.streams:
            raise _unknown(stream, streams, "stream", label, f"teams.{team_name}.streams.{index}")
    for stream in team.skills:
        if stream not in scenario.streams:
            raise _unknown(stream, streams, "stream", label, f"teams.{team_name}.skills.{stream}")


def _check_pool_size(scenario: Scenario, team_name: str, team: Team, label: str) -> None:
    """The pool must have at least as many people as slots open at one time."""
    assert team.rotation is not None and team.roster is not None
    edges: list[tuple[float, int]] = []
    for shift in team.roster:
        for begin, end in shift_intervals(shift, scenario.start, scenario.horizon):
            edges += [(begin, shift.agents), (end, -shift.agents)]
    open_slots = peak = 0
    for _, change in sorted(edges):
        open_slots += change
        peak = max(peak, open_slots)
    members = len(team.rotation.names())
    if members < peak:
        raise ScenarioError(
            f"the rotation pool has {members} members but the roster needs {peak} people at once",
            source=label,
            path=f"teams.{team_name}.rotation.members",
            fix=f"add members (at least {peak}) or reduce the roster's agents",
        )


def _check_trace_holds(stream: str, names: tuple[str, ...] | None, label: str) -> None:
    """A trace with a ``stream`` column must hold rows of the stream replaying it."""
    if names is not None and stream not in names:
        raise ScenarioError(
            f"the trace has no rows whose stream is '{stream}'",
            source=label,
            path=f"streams.{stream}.arrivals.trace",
            fix=closest_hint(stream, names)
            + f"name the stream after one in the trace: {', '.join(sorted(names)[:10])}",
        )
