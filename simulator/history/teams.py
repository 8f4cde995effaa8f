"""Who serves which stream: teams read off the agents who answer each stream.

Streams answered by overlapping sets of agents are one team serving all their
queues (agents who take both are pooled); a stream whose agents answer nothing
else is its own team. A stream nobody answered gets a team of its own with no
agents (so everyone in it waits until they give up, as in the log) and is named
in the report.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass
class Team:
    """A team read off the log: its name, the streams it serves and its agents."""

    name: str
    streams: list[str]
    agents: list[str]


def group_teams(contacts: pd.DataFrame, *, one_team: bool = False) -> list[Team]:
    """Group streams into teams by the agents who answered them (union-find over
    streams); ``one_team`` puts every stream in one team."""
    streams = sorted(contacts["stream"].unique().tolist())
    answered = contacts[(contacts["outcome"] == "answered") & contacts["agent"].notna()]
    pairs = answered[["agent", "stream"]].drop_duplicates()
    by_stream = pairs.groupby("stream")["agent"].agg(lambda a: sorted(set(a))).to_dict()
    parent = {stream: stream for stream in streams}

    def root(stream: str) -> str:
        while parent[stream] != stream:
            stream = parent[stream]
        return stream

    for _, agent_streams in pairs.groupby("agent")["stream"]:
        first, *rest = agent_streams.tolist()
        for other in rest:
            parent[root(other)] = root(first)
    if one_team:
        for stream in streams:
            parent[root(stream)] = root(streams[0])
    groups: dict[str, list[str]] = {}
    for stream in streams:
        groups.setdefault(root(stream), []).append(stream)
    teams = []
    for members in groups.values():
        agents = sorted({a for s in members for a in by_stream.get(s, [])})
        name = "team" if one_team else "+".join(members)
        teams.append(Team(name=name, streams=members, agents=agents))
    return teams
