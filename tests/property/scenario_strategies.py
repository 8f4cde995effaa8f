"""Hypothesis strategies for small, valid scenario dicts.

Each example is a scenario a planner could write: a few hours to two days of
one to three streams served by one or two teams, with every distribution kind
the conversation shape commonly uses, serial or shared attention, always-on
teams or rosters in three time zones, and both shift-end policies. Some also
carry the launch organisation: bots that deflect and hold customers a while,
imperfect routing (menu, rules, false positives to another served queue, a
fallback queue), triage and skills, conditional overflow, a rotation pool on a
roster team (as large as the open slots need, or a little larger), an on-call
backup, shrinkage, and escalation to tickets for one of the teams. They are
sized so one replication runs in well under a second.

Routing blocks always name a fallback other than the stream's own queue and
false-positive targets other than both (a block that names one queue twice is
checked on its own by ``test_a_queue_named_twice_by_one_routing_block`` in
``tests/validation/test_routing_shares.py``). Rules and false-positive shares
add up to at most 1 (above that routing silently clips the false positives).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import strategies as st

from simulator.scenario.schema import DEFAULT_START, Shift
from simulator.scenario.shift_calendar import shift_intervals

STREAM_NAMES = ("chat", "email", "launch")
TEAM_NAMES = ("support", "tiger")
REGIONS = ("UTC", "Europe/Dublin", "America/New_York")
# Default (a Monday in winter), and starts just before daylight-saving changes.
STARTS = (
    None,
    "2026-03-28T00:00:00Z",  # Europe/Dublin springs forward on Sunday 29 March
    "2026-03-07T12:00:00Z",  # America/New_York springs forward on Sunday 8 March
    "2026-10-24T18:00:00Z",  # Europe/Dublin falls back on Sunday 25 October
    "2026-10-31T00:00:00+01:00",  # America/New_York falls back on Sunday 1 November
)


def seconds(low: int, high: int) -> st.SearchStrategy[str]:
    """A duration string in whole seconds or minutes between ``low`` and ``high`` seconds."""
    whole = st.integers(low, high).map(lambda s: f"{s}s")
    minutes = (
        st.integers(max(1, -(-low // 60)), max(1, high // 60))
        .filter(lambda m: low <= 60 * m <= high)
        .map(lambda m: f"{m}min")
    )
    return st.one_of(whole, minutes)


def distribution(low: int, high: int) -> st.SearchStrategy[dict[str, Any]]:
    """fixed, exponential or lognormal with a mean between ``low`` and ``high`` seconds."""
    return st.one_of(
        st.builds(lambda v: {"dist": "fixed", "value": v}, seconds(low, high)),
        st.builds(lambda m: {"dist": "exponential", "mean": m}, seconds(max(low, 1), high)),
        st.builds(
            lambda m, cv: {"dist": "lognormal", "mean": m, "cv": cv},
            seconds(max(low, 1), high),
            st.sampled_from([0.25, 0.5, 1.0, 1.5]),
        ),
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
    start = draw(st.integers(0, 95)) * 15  # quarter hours before 24:00
    length = draw(st.integers(2, 95)) * 15  # 30 min to 23 h 45
    days = draw(
        st.one_of(
            st.sampled_from(["daily", "Mon-Fri", "Sat-Sun", "Fri-Mon"]),
            st.lists(
                st.sampled_from(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]),
                min_size=1,
                max_size=7,
                unique=True,
            ),
        )
    )
    return {
        "region": draw(st.sampled_from(REGIONS)),
        "days": days,
        "start": clock(start),
        "end": clock(start + length),
        "agents": draw(st.integers(1, 3)),
    }


def probability(high: float = 1.0) -> st.SearchStrategy[float]:
    """A share between 0 and ``high`` in hundredths, the ends included."""
    return st.integers(0, round(high * 100)).map(lambda k: k / 100)


@st.composite
def bot(draw: st.DrawFn) -> dict[str, Any]:
    block: dict[str, Any] = {}
    if draw(st.booleans()):
        block["deflection"] = draw(probability(0.6))
    if draw(st.booleans()):
        block["time"] = draw(distribution(0, 120))
    if draw(st.booleans()):
        block["menu"] = draw(probability())
    if draw(st.booleans()):
        block["gathers"] = {"first_handle": draw(st.integers(1, 100).map(lambda k: k / 100))}
    return block


@st.composite
def repeat(draw: st.DrawFn) -> dict[str, Any]:
    """Customers who chase: after a wait, a share of them come back."""
    return {
        "after": draw(seconds(30, 3600)),
        "share": draw(probability()),
        "delay": draw(distribution(0, 3600)),
    }


@st.composite
def routing(draw: st.DrawFn, home: str, queues: list[str]) -> dict[str, Any]:
    """Rules for ``home`` with a fallback and false positives among the other queues."""
    others = [q for q in queues if q != home]
    fallback = draw(st.sampled_from(others))
    rules = draw(probability())
    block: dict[str, Any] = {"rules": rules, "fallback": fallback}
    candidates = [q for q in others if q != fallback]
    if candidates and draw(st.integers(0, 2)) > 0:
        targets = draw(st.lists(st.sampled_from(candidates), min_size=1, unique=True))
        room = round((1 - rules) * 100) // len(targets)
        block["false_positives"] = {q: draw(st.integers(0, room)) / 100 for q in targets}
    return block


@st.composite
def escalation(draw: st.DrawFn, teams: list[str]) -> dict[str, Any]:
    return {
        "share": draw(probability()),
        "after": draw(st.integers(1, 3)),
        "team": draw(st.sampled_from(teams)),
        "work": draw(distribution(30, 3600)),
    }


@st.composite
def backup(draw: st.DrawFn) -> dict[str, Any]:
    """An on-call window with a trigger, an activation delay and a stand-down time."""
    entry = draw(shift())
    entry["agents"] = draw(st.integers(1, 2))
    trigger = draw(st.sampled_from(["queue_length", "oldest_wait", "both"]))
    if trigger in ("queue_length", "both"):
        entry["queue_length"] = draw(st.integers(1, 6))
    if trigger in ("oldest_wait", "both"):
        entry["oldest_wait"] = draw(seconds(0, 1800))
    if draw(st.booleans()):
        entry["delay"] = draw(seconds(0, 900))
    if draw(st.booleans()):
        entry["stand_down"] = draw(seconds(0, 3600))
    return entry


@st.composite
def launch_settings(
    draw: st.DrawFn, spec: dict[str, Any], queues: list[str], streams: list[str]
) -> None:
    """Triage, skills, learning, overflow, caps per queue, a switch cost, a backup and
    shrinkage, each sometimes."""
    if draw(st.booleans()):
        spec["triage"] = {"time": draw(seconds(0, 300)), "reassign": draw(probability())}
    if draw(st.booleans()):
        spec["skills"] = draw(
            st.dictionaries(
                st.sampled_from(streams),
                st.sampled_from([0.5, 0.8, 1.0, 1.25, 2.0]),
                max_size=len(streams),
            )
        )
        if draw(st.booleans()):
            spec["learning"] = {"half_life": draw(st.integers(1, 50))}
    if draw(st.integers(0, 3)) == 0:
        spec["streams"] = draw(st.lists(st.sampled_from(streams), unique=True))
    elsewhere = [q for q in queues if q not in spec["serves"]]
    if elsewhere and draw(st.booleans()):
        rules = []
        for queue in draw(st.lists(st.sampled_from(elsewhere), min_size=1, unique=True)):
            rule: dict[str, Any] = {"queue": queue}
            condition = draw(st.sampled_from(["oldest_wait", "length", "both"]))
            if condition in ("oldest_wait", "both"):
                rule["oldest_wait"] = draw(seconds(0, 900))
            if condition in ("length", "both"):
                rule["length"] = draw(st.integers(1, 5))
            rules.append(rule)
        spec["overflow"] = rules
    if draw(st.integers(0, 2)) == 0:
        spec["backup"] = [draw(backup())]
    if len(spec["serves"]) > 1 and draw(st.booleans()):
        total = spec["concurrency"]
        capped = draw(st.lists(st.sampled_from(spec["serves"]), min_size=1, unique=True))
        spec["concurrency"] = {
            "total": total,
            **{queue: draw(st.integers(1, total)) for queue in capped},
        }
    if spec["attention"] == "serial" and draw(st.integers(0, 2)) == 0:
        spec["switch_cost"] = draw(distribution(0, 120))
    if draw(st.integers(0, 2)) == 0:
        spec["shrinkage"] = {
            "share": draw(st.sampled_from([0.05, 0.1, 0.2, 0.35])),
            "block": draw(seconds(60, 1800)),
        }


@st.composite
def team(draw: st.DrawFn, serves: list[str]) -> dict[str, Any]:
    concurrency = draw(st.integers(1, 4))
    spec: dict[str, Any] = {"concurrency": concurrency, "serves": serves}
    attention = draw(st.sampled_from(["serial", "shared"]))
    spec["attention"] = attention
    if attention == "shared" and draw(st.booleans()):
        spec["efficiency"] = draw(
            st.lists(
                st.sampled_from([1.0, 0.9, 0.8, 0.7, 0.6, 0.5]), min_size=1, max_size=concurrency
            )
        )
    if draw(st.booleans()):
        spec["replies_first"] = draw(st.booleans())
    if draw(st.booleans()):
        spec["agents"] = draw(st.integers(1, 4))
    else:
        spec["roster"] = draw(st.lists(shift(), min_size=1, max_size=3))
    if draw(st.booleans()):
        spec["handoff"] = draw(handoff())
    return spec


def peak_slots(roster: list[dict[str, Any]], start: str | None, horizon_h: int) -> int:
    """The most roster slots open at one time: the smallest rotation pool that fills them."""
    origin = DEFAULT_START if start is None else datetime.fromisoformat(start)
    edges: list[tuple[float, int]] = []
    for entry in roster:
        for begin, end in shift_intervals(Shift.model_validate(entry), origin, horizon_h * 3600.0):
            edges += [(begin, entry["agents"]), (end, -entry["agents"])]
    level = peak = 0
    for _, change in sorted(edges):
        level += change
        peak = max(peak, level)
    return peak


@st.composite
def rotation(
    draw: st.DrawFn, roster: list[dict[str, Any]], start: str | None, horizon_h: int
) -> dict[str, Any]:
    """A pool with at least as many members as slots open at once (often exactly)."""
    size = max(1, peak_slots(roster, start, horizon_h)) + draw(st.integers(0, 2))
    if draw(st.booleans()):
        return {"members": size}
    return {"members": [f"person{k + 1}" for k in range(size)]}


@st.composite
def scenario_dicts(draw: st.DrawFn, max_horizon_h: int = 48) -> dict[str, Any]:
    """A valid scenario dict: 1-3 streams, 1-2 teams, every queue served, and sometimes
    the launch organisation (see the module's docstring)."""
    launch = draw(st.booleans())  # the launch organisation's keys
    # The launch organisation needs more than one queue to route between.
    stream_names = list(STREAM_NAMES[: draw(st.integers(2 if launch else 1, 3))])
    streams: dict[str, Any] = {}
    for name in stream_names:
        streams[name] = {
            "per_hour": draw(st.floats(2, 60).map(lambda x: round(x, 2))),
            "conversation": draw(conversation()),
        }
    if len(stream_names) >= 2 and draw(st.booleans()):
        streams["email"]["queue"] = "chat"  # two streams, one queue
    if "launch" in streams and draw(st.booleans()):
        streams["launch"]["queue"] = "tiger"  # a launch stream with its own inbox
    queues = list(dict.fromkeys(s.get("queue", n) for n, s in streams.items()))
    if launch:
        for name, stream in streams.items():
            if draw(st.booleans()):
                stream["bot"] = draw(bot())
            if len(queues) > 1 and draw(st.booleans()):
                stream["routing"] = draw(routing(stream.get("queue", name), queues))
            if draw(st.integers(0, 2)) == 0:
                stream["repeat"] = draw(repeat())

    team_names = list(TEAM_NAMES[: draw(st.integers(1, 2))])
    serves: dict[str, list[str]] = {}
    for name in team_names:
        serves[name] = draw(
            st.permutations(queues).flatmap(
                lambda order: st.integers(1, len(order)).map(lambda k, o=order: list(o[:k]))
            )
        )
    unserved = [q for q in queues if not any(q in s for s in serves.values())]
    serves[team_names[-1]].extend(unserved)
    teams = {name: draw(team(serves[name])) for name in team_names}
    if launch:
        for spec in teams.values():
            draw(launch_settings(spec, queues, stream_names))
        for stream in streams.values():
            if draw(st.integers(0, 2)) == 0:
                stream["escalation"] = draw(escalation(team_names))

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
    if launch:
        for spec in teams.values():
            if "roster" in spec and draw(st.booleans()):
                spec["rotation"] = draw(rotation(spec["roster"], start, horizon_h))
    return scenario
