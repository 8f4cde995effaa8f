"""Hypothesis strategies for small, valid scenario dicts.

Each example is a scenario a planner could write: a few hours to two days of
one or two streams served by one or two teams, with every distribution kind the
conversation shape commonly uses, serial or shared attention, always-on teams
or rosters in three time zones, and both shift-end policies. They are sized so
one replication runs in well under a second.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

STREAM_NAMES = ("chat", "email")
TEAM_NAMES = ("support", "tiger")
REGIONS = ("UTC", "Europe/Dublin", "America/New_York")
# Default (a Monday in winter), and starts just before daylight-saving changes.
STARTS = (
    None,
    "2026-03-28T00:00:00Z",    # Europe/Dublin springs forward on Sunday 29 March
    "2026-03-07T12:00:00Z",    # America/New_York springs forward on Sunday 8 March
    "2026-10-24T18:00:00Z",    # Europe/Dublin falls back on Sunday 25 October
    "2026-10-31T00:00:00+01:00",  # America/New_York falls back on Sunday 1 November
)


def seconds(low: int, high: int) -> st.SearchStrategy[str]:
    """A duration string in whole seconds or minutes between ``low`` and ``high`` seconds."""
    whole = st.integers(low, high).map(lambda s: f"{s}s")
    minutes = st.integers(max(1, -(-low // 60)), max(1, high // 60)).filter(
        lambda m: low <= 60 * m <= high).map(lambda m: f"{m}min")
    return st.one_of(whole, minutes)


def distribution(low: int, high: int) -> st.SearchStrategy[dict[str, Any]]:
    """fixed, exponential or lognormal with a mean between ``low`` and ``high`` seconds."""
    return st.one_of(
        st.builds(lambda v: {"dist": "fixed", "value": v}, seconds(low, high)),
        st.builds(lambda m: {"dist": "exponential", "mean": m}, seconds(max(low, 1), high)),
        st.builds(lambda m, cv: {"dist": "lognormal", "mean": m, "cv": cv},
                  seconds(max(low, 1), high), st.sampled_from([0.25, 0.5, 1.0, 1.5])),
    )


exchanges_st = st.one_of(
    st.integers(1, 4),
    st.builds(lambda m: {"dist": "geometric", "mean": m}, st.sampled_from([1.0, 1.5, 2.0, 3.0])),
)


@st.composite
def conversation(draw: st.DrawFn) -> dict[str, Any]:
    exchanges = draw(exchanges_st)
    shape: dict[str, Any] = {"handle": draw(distribution(20, 600)), "exchanges": exchanges}
    if exchanges != 1 or draw(st.booleans()):
        shape["reply_delay"] = draw(distribution(5, 600))
    if draw(st.booleans()):
        shape["patience"] = draw(distribution(30, 1800))
    if draw(st.booleans()):
        shape["wrap_up"] = draw(distribution(0, 180))
    return shape


@st.composite
def handoff(draw: st.DrawFn) -> dict[str, Any]:
    policy = draw(st.sampled_from(["handback", "ownership"]))
    block: dict[str, Any] = {"policy": policy}
    if draw(st.booleans()):
        block["reread"] = {"base": draw(seconds(0, 180)), "per_exchange": draw(seconds(0, 60))}
    if policy == "ownership":
        block["intake_cutoff"] = draw(seconds(0, 2 * 3600))
        block["max_overtime"] = draw(seconds(0, 2 * 3600))
        block["leftover"] = draw(st.sampled_from(["handback", "wait_for_owner"]))
    return block


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def shift(draw: st.DrawFn) -> dict[str, Any]:
    start = draw(st.integers(0, 95)) * 15                 # quarter hours before 24:00
    length = draw(st.integers(2, 95)) * 15                # 30 min to 23 h 45
    days = draw(st.one_of(
        st.sampled_from(["daily", "Mon-Fri", "Sat-Sun", "Fri-Mon"]),
        st.lists(st.sampled_from(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]),
                 min_size=1, max_size=7, unique=True),
    ))
    return {"region": draw(st.sampled_from(REGIONS)), "days": days, "start": clock(start),
            "end": clock(start + length), "agents": draw(st.integers(1, 3))}


@st.composite
def team(draw: st.DrawFn, serves: list[str]) -> dict[str, Any]:
    concurrency = draw(st.integers(1, 4))
    spec: dict[str, Any] = {"concurrency": concurrency, "serves": serves}
    attention = draw(st.sampled_from(["serial", "shared"]))
    spec["attention"] = attention
    if attention == "shared" and draw(st.booleans()):
        spec["efficiency"] = draw(st.lists(st.sampled_from([1.0, 0.9, 0.8, 0.7, 0.6, 0.5]),
                                           min_size=1, max_size=concurrency))
    if draw(st.booleans()):
        spec["replies_first"] = draw(st.booleans())
    if draw(st.booleans()):
        spec["agents"] = draw(st.integers(1, 4))
    else:
        spec["roster"] = draw(st.lists(shift(), min_size=1, max_size=3))
    if draw(st.booleans()):
        spec["handoff"] = draw(handoff())
    return spec


@st.composite
def scenario_dicts(draw: st.DrawFn, max_horizon_h: int = 48) -> dict[str, Any]:
    """A valid scenario dict: 1-2 streams, 1-2 teams, every queue served."""
    stream_names = list(STREAM_NAMES[:draw(st.integers(1, 2))])
    streams: dict[str, Any] = {}
    for name in stream_names:
        streams[name] = {"per_hour": draw(st.floats(2, 60).map(lambda x: round(x, 2))),
                         "conversation": draw(conversation())}
    if len(stream_names) == 2 and draw(st.booleans()):
        streams["email"]["queue"] = "chat"               # two streams, one queue
    queues = list(dict.fromkeys(s.get("queue", n) for n, s in streams.items()))

    team_names = list(TEAM_NAMES[:draw(st.integers(1, 2))])
    serves: dict[str, list[str]] = {}
    for name in team_names:
        serves[name] = draw(st.permutations(queues).flatmap(
            lambda order: st.integers(1, len(order)).map(lambda k, o=order: list(o[:k]))))
    unserved = [q for q in queues if not any(q in s for s in serves.values())]
    serves[team_names[-1]].extend(unserved)
    teams = {name: draw(team(serves[name])) for name in team_names}

    horizon_h = draw(st.integers(3, max_horizon_h))
    scenario: dict[str, Any] = {
        "name": "property",
        "horizon": f"{horizon_h}h",
        "streams": streams,
        "teams": teams,
        "handoff": draw(handoff()),
    }
    if draw(st.booleans()):
        scenario["warmup"] = f"{draw(st.integers(0, horizon_h - 1))}h"
    start = draw(st.sampled_from(STARTS))
    if start is not None:
        scenario["start"] = start
    return scenario
