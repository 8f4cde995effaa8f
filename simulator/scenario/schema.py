"""The scenario format: what a YAML scenario may say, checked before anything runs.

The key names are a contract shared with other tools (see the README); every
model forbids unknown keys so that a typo is an error, not a silently ignored
setting. Cross-field rules (a queue nobody serves, warmup past the horizon)
live in :class:`Scenario`'s validators so they are reported with a field path.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from simulator.scenario.csv_input import MAX_CSV_ROWS, aware_time, csv_rows
from simulator.scenario.distributions import Count, CountDistribution, Distribution, Duration
from simulator.scenario.names import Name, OneLine
from simulator.scenario.numbers import (
    MAX_COUNT,
    MAX_CV,
    MAX_HALF_LIFE,
    MAX_MEMBERS,
    MAX_MULTIPLIER,
    MAX_PEOPLE,
    MAX_RATE,
    MAX_REPLICATIONS,
    MAX_SPEED,
    MAX_SURGE,
    Real,
    Whole,
)
from simulator.units import format_duration

DEFAULT_START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday, 00:00 UTC
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def days_text(days: Sequence[int]) -> str:
    """Days of the week as a person writes them: ``daily``, a run of three or more
    as ``Mon-Fri``, otherwise a list such as ``Sat,Sun``."""
    ordered = sorted(set(days))
    if ordered == list(range(7)):
        return "daily"
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{DAY_NAMES[ordered[0]]}-{DAY_NAMES[ordered[-1]]}"
    return ",".join(DAY_NAMES[day] for day in ordered)


class Model(BaseModel):
    """Base of every scenario block: unknown keys are errors; the docstring under each
    field is its description (the scenario reference is generated from them)."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


EARLIEST = datetime(1678, 1, 1, tzinfo=UTC)
LATEST = datetime(2262, 1, 1, tzinfo=UTC)
"""Dates a scenario may name: reports use pandas timestamps, which end before
1677-09-22 and after 2262-04-11 (kept clear of both by a few months)."""
_RANGE_FIX = "fix: use a date between 1678-01-01 and 2262-01-01 (the range report timestamps cover)"


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError(
            "a date and time needs a time zone: add 'Z' for UTC or an offset such as '+01:00'"
        )
    try:
        inside = EARLIEST <= value <= LATEST
    except OverflowError:  # year 1 or 9999 with an offset that crosses the calendar's edge
        inside = False
    if not inside:
        raise ValueError(f"{value.isoformat()} is outside the dates reports can show; {_RANGE_FIX}")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: 'Europe', a folder
        raise ValueError(
            f"unknown time zone {value[:60]!r}; use a name from the time zone "
            "database such as 'Europe/Dublin', 'America/New_York' or 'UTC'"
        ) from None
    return value


TimeZone = Annotated[str, AfterValidator(_time_zone)]
Weight = Annotated[Real, Field(ge=0, le=MAX_MULTIPLIER)]
Speed = Annotated[Real, Field(gt=0, le=MAX_SPEED)]
Probability = Annotated[Real, Field(ge=0.0, le=1.0)]
OpenRate = Annotated[Real, Field(gt=0, le=MAX_RATE)]


class Targets(Model):
    """Service targets: the share of first and follow-up responses within them is reported."""

    frt: Duration | None = Field(default=None, gt=0)
    """First response time target: a conversation's first agent reply within it counts as met.
    Example: `2min`."""
    followup: Duration | None = Field(default=None, gt=0)
    """Follow-up response target: each later agent reply within it of the customer's message
    counts as met. Example: `10min`."""
    service_level: Probability | None = None
    """Share of first responses (and of follow-ups) that must be within the targets above for
    the plan to meet them: the terminal table and the report then open with "meets target:
    yes" or "no". Example: `0.8` (80% within 2 minutes, with `frt: 2min`)."""


def _day_index(name: str) -> int:
    for index, day in enumerate(DAY_NAMES):
        if name.strip().lower()[:3] == day.lower() and len(name.strip()) >= 3:
            return index
    raise ValueError(f"unknown day {name[:20]!r}; use Mon, Tue, Wed, Thu, Fri, Sat or Sun")


class Profile(Model):
    """Hour-of-week arrival multipliers, normalised to mean 1 over the week."""

    region: TimeZone = "UTC"
    """Time zone whose wall clock the hours and days are read on. Example: `Europe/Dublin`."""
    hourly: list[Weight] | None = None
    """24 multipliers, one per local hour from 00:00, applied to every day. Example: `[0.2, 0.1,
    ..., 0.4]`."""
    days: dict[str, Weight] | None = None
    """A multiplier per day of the week (`Mon`..`Sun`); days not named get 0. Example: `{Mon: 1,
    Sat: 0.5}`."""
    grid: list[list[Weight]] | None = None
    """7 rows (Mon..Sun) of 24 local-hour multipliers, instead of hourly and days."""

    @model_validator(mode="after")
    def _shape(self) -> Profile:
        if self.grid is not None:
            if self.hourly is not None or self.days is not None:
                raise ValueError("give either grid, or hourly and days, not both")
            if len(self.grid) != 7 or any(len(row) != 24 for row in self.grid):
                raise ValueError("grid needs 7 rows (Mon..Sun) of 24 multipliers each")
        elif self.hourly is None and self.days is None:
            raise ValueError("a profile needs hourly (24 multipliers), days, or grid")
        if self.hourly is not None and len(self.hourly) != 24:
            raise ValueError(
                f"hourly needs 24 multipliers, one per local hour; got {len(self.hourly)}"
            )
        if self.days is not None:
            for name in self.days:
                _day_index(name)
        if sum(sum(row) for row in self.week_grid()) <= 0:
            raise ValueError("the profile is zero everywhere; some multiplier must be positive")
        return self

    def week_grid(self) -> list[list[float]]:
        """7 rows (Mon..Sun) of 24 local-hour multipliers, before normalisation."""
        if self.grid is not None:
            return [list(row) for row in self.grid]
        hourly = self.hourly if self.hourly is not None else [1.0] * 24
        weights = [1.0] * 7
        if self.days is not None:
            weights = [0.0] * 7
            for name, weight in self.days.items():
                weights[_day_index(name)] = weight
        return [[w * h for h in hourly] for w in weights]

    def open_share(self) -> float:
        """Share of the week's 168 hours whose multiplier is positive (the hours open)."""
        return sum(cell > 0 for row in self.week_grid() for cell in row) / 168


class SurgePoint(Model):
    """One point of a piecewise-linear surge (also written ``[time, multiplier]``)."""

    at: AwareDatetime
    """Moment of this point, with a time zone. Example: `2026-03-02T09:00:00Z`."""
    multiplier: Real = Field(ge=0, le=MAX_SURGE)
    """Arrival multiplier at that moment (1 is the usual rate). Example: `2.5`."""


def _surge_from_list(value: Any) -> Any:
    """``surge: [[time, multiplier], ...]`` is the piecewise-linear form."""
    if isinstance(value, list):
        points = []
        for point in value:
            if isinstance(point, list | tuple) and len(point) == 2:
                points.append({"at": point[0], "multiplier": point[1]})
            else:
                points.append(point)
        return {"points": points}
    return value


class Surge(Model):
    """The launch effect: ``1 + (peak-1) * 0.5**(t/half_life)`` after ``at``, or a
    piecewise-linear list of (time, multiplier) that holds its end values outside."""

    at: AwareDatetime | None = None
    """Moment the launch effect starts, with a time zone. Example: `2026-03-02T09:00:00Z`."""
    peak: Real | None = Field(default=None, ge=0, le=MAX_SURGE)
    """Arrival multiplier at `at` (1 is the usual rate). Example: `3`."""
    half_life: Duration | None = Field(default=None, gt=0)
    """Time for the extra above 1 to halve. Example: `2d`."""
    points: list[SurgePoint] | None = Field(default=None, min_length=1)
    """Piecewise-linear (time, multiplier) points instead of at/peak/half_life. Example:
    `[[2026-03-02T00:00:00Z, 1], [2026-03-03T00:00:00Z, 2]]`."""

    @model_validator(mode="after")
    def _one_form(self) -> Surge:
        decay = (self.at, self.peak, self.half_life)
        if self.points is not None:
            if any(v is not None for v in decay):
                raise ValueError("give either at/peak/half_life or a list of points, not both")
            times = [p.at for p in self.points]
            if times != sorted(times):
                raise ValueError("surge points must be in time order")
        elif any(v is None for v in decay):
            raise ValueError(
                "a surge needs at, peak and half_life (or a list of [time, multiplier] points)"
            )
        return self


def _rollout_from_list(value: Any) -> Any:
    if isinstance(value, list):
        return [
            {"at": p[0], "share": p[1]} if isinstance(p, list | tuple) and len(p) == 2 else p
            for p in value
        ]
    return value


class RolloutPoint(Model):
    """One step of a rollout (also written ``[time, share]``)."""

    at: AwareDatetime
    """Moment the share takes effect, with a time zone. Example: `2026-03-09T00:00:00Z`."""
    share: Probability
    """Share (0-1) of the stream's customers who can reach it from then on. Example: `0.5`."""


class Noise(Model):
    """Forecast error: a mean-1 gamma multiplier per (UTC) day."""

    daily_cv: Real = Field(ge=0, le=MAX_CV)
    """Coefficient of variation of the day's multiplier: forecast error beyond Poisson. Example:
    `0.15`."""


class Conversation(Model):
    """The shape of one stream's conversations."""

    handle: Distribution
    """Agent working time per reply. Example: `{dist: lognormal, mean: 90s, cv: 0.8}`."""
    first_handle: Distribution | None = None
    """Working time of the first reply, when it differs from handle (default: handle)."""
    exchanges: Count = CountDistribution(dist="fixed", value=1)
    """Agent replies a conversation needs (at least 1): a number, geometric or empirical. Example:
    `3`."""
    reply_delay: Distribution | None = None
    """Customer's time before their next message; needed with more than one exchange."""
    wrap_up: Distribution | None = None
    """Agent time after the last reply that keeps the agent and the slot busy."""
    patience: Distribution | None = None
    """How long a customer waits for pick-up before leaving (default: for ever)."""

    @model_validator(mode="after")
    def _reply_delay_when_needed(self) -> Conversation:
        if self.exchanges.max_value > 1 and self.reply_delay is None:
            raise ValueError(
                "conversations with more than one exchange need reply_delay "
                "(the customer's time before their next message), e.g. "
                "reply_delay: {dist: lognormal, mean: 2min, cv: 1.0}"
            )
        return self


class Gathers(Model):
    """What a bot that collects the details first (order number, account, the
    problem in the customer's words) saves the agent who picks the conversation up."""

    first_handle: Real = Field(gt=0, le=1)
    """Multiplier (0-1] of the first reply's handle time of conversations that passed the bot:
    the agent starts at once instead of asking for the details. Example: `0.7`."""


class Bot(Model):
    """A bot or help article that customers meet before any human."""

    deflection: Probability = 0.0
    """Share (0-1) of customers the bot resolves (outcome deflected)."""
    time: Distribution | None = None
    """Time in the bot before deflection or routing."""
    menu: Probability = 0.0
    """Share (0-1) of the rest that the bot menu sends to the stream's queue."""
    gathers: Gathers | None = None
    """Details the bot collects before a person takes over (default: none, no time saved)."""


class Routing(Model):
    """Imperfect routing into queues: what the bot menu missed, keyword rules may
    catch (``rules``, their recall); rules also send some conversations to other
    queues by mistake (``false_positives``); the rest land in ``fallback``."""

    rules: Probability = 0.0
    """Recall (0-1) of keyword rules: share of what the menu missed that reaches the stream's
    queue."""
    false_positives: dict[Name, Probability] = Field(default_factory=dict)
    """Share (0-1) of what the menu missed that rules send to each other queue by mistake.
    Example: `{other: 0.02}`."""
    fallback: Name | None = None
    """Queue where the rest land (default: the stream's queue)."""

    @model_validator(mode="after")
    def _shares(self) -> Routing:
        total = self.rules + sum(self.false_positives.values())
        if total > 1.0:
            raise ValueError(
                f"rules and false_positives add up to {total:g}, more than 1 "
                "(they split the conversations the menu missed); fix: lower "
                "them so that rules plus every false_positives share is at most 1"
            )
        return self


class Escalation(Model):
    """A share of conversations become back-office tickets after an exchange."""

    share: Probability
    """Share (0-1) of the stream's conversations that become back-office tickets."""
    after: Whole = Field(default=1, ge=1, le=MAX_COUNT)
    """Agent replies before the ticket is raised."""
    team: Name
    """Team that works the tickets, from its queue `tickets:TEAM`."""
    work: Distribution
    """Back-office working time per ticket. Example: `{dist: exponential, mean: 2h}`."""


class Repeat(Model):
    """Customers who chase: one still waiting for a first reply ``after`` its arrival
        (or who abandoned before then) opens another conversation with probability
        ``share``, ``delay`` later; the repeat is the same customer with the same question, and
    does not chase again."""

    after: Duration = Field(gt=0)
    """Time without a first reply after which a customer chases (abandoning earlier chases at
    once). Example: `1h`."""
    share: Probability = 0.0
    """Chance (0-1) that a customer who waited that long opens another conversation."""
    delay: Distribution
    """Time from the chase (``after`` elapsed, or the abandonment) to the new conversation.
    Example: `{dist: exponential, mean: 30min}`."""


class Arrivals(Model):
    """Recorded arrivals replayed as they happened, instead of a rate model."""

    trace: str
    """CSV with an ``arrived_at`` column (ISO 8601 with offset), such as a contact
    log; with a ``stream`` column only this stream's rows count. Relative to the
    scenario file."""
    _micros: bytes = PrivateAttr(default=b"")  # int64 microseconds since 1970 (compact)
    _codes: bytes = PrivateAttr(default=b"")  # int32 index into _names per row
    _names: tuple[str, ...] | None = PrivateAttr(default=None)  # None: no stream column

    @model_validator(mode="after")
    def _read(self) -> Arrivals:
        micros, codes, names = [], [], dict[str, int]()
        for number, cells in csv_rows(self.trace, ("arrived_at",), ("stream",)):
            at = aware_time(cells["arrived_at"], self.trace, number, "arrived_at")
            micros.append((at - _EPOCH) // timedelta(microseconds=1))
            codes.append(names.setdefault(cells.get("stream", ""), len(names)))
        if not micros:
            raise ValueError(f"{self.trace}: no rows under the header; fix: add arrivals")
        self._micros = np.array(micros, dtype=np.int64).tobytes()
        self._codes = np.array(codes, dtype=np.int32).tobytes()
        self._names = tuple(names) if "stream" in cells else None
        return self

    def times(self, stream: str, start: datetime) -> np.ndarray:
        """This stream's arrivals in seconds since ``start``, sorted, all of them
        (the caller keeps those inside the horizon)."""
        micros = np.frombuffer(self._micros, dtype=np.int64)
        if self._names is not None:
            code = self._names.index(stream) if stream in self._names else -1
            micros = micros[np.frombuffer(self._codes, dtype=np.int32) == code]
        origin = (start - _EPOCH) // timedelta(microseconds=1)
        return np.sort((micros - origin) / 1e6)

    def streams(self) -> tuple[str, ...] | None:
        """The stream names the trace holds, or None without a ``stream`` column."""
        return self._names


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_RATE_MODEL = ("profile", "surge", "rollout", "noise")


class Stream(Model):
    """A source of conversations: arrival pattern and conversation shape."""

    per_hour: Real | None = Field(default=None, gt=0, le=MAX_RATE)
    """Arrivals per hour, averaged over the whole week; profile, surge, rollout and noise multiply
    it. Give it, per_open_hour, or arrivals (a trace). Example: `12`."""
    per_open_hour: Real | None = Field(default=None, gt=0, le=MAX_RATE)
    """Arrivals per hour while open: the mean over the hours whose profile multiplier is positive.
    Read into per_hour (open hours / 168 of it), which the scenario keeps. Example: `60`."""
    queue: Name | None = None
    """Queue where the stream's conversations belong (default: the stream's name)."""
    profile: Profile | None = None
    """Hour-of-week shape of arrivals (default: flat)."""
    surge: Annotated[Surge | None, BeforeValidator(_surge_from_list)] = None
    """Launch effect on arrivals over time."""
    rollout: Annotated[list[RolloutPoint] | None, BeforeValidator(_rollout_from_list)] = Field(
        default=None, min_length=1
    )
    """Share of customers reached over time, as [time, share] points held between them. Example:
    `[[2026-03-02T00:00:00Z, 0.5]]`."""
    noise: Noise | None = None
    """Day-to-day forecast error."""
    bot: Bot | None = None
    """A bot or help article met before any human."""
    routing: Routing | None = None
    """Imperfect routing of what the bot menu missed."""
    escalation: Escalation | None = None
    """Back-office tickets raised from conversations."""
    conversation: Conversation
    """The shape of the stream's conversations."""
    arrivals: Arrivals | None = None
    """Replay a trace of arrival times instead of drawing them from per_hour."""
    targets: Targets | None = None
    """This stream's own service targets, in place of the scenario's targets key by key (a key
    left out keeps the scenario's): each conversation is judged against its stream's target.
    Example: `{frt: 4h}`."""
    repeat: Repeat | None = None
    """Repeat contacts: customers left waiting too long open another conversation."""

    @model_validator(mode="before")
    @classmethod
    def _rate_while_open(cls, data: Any) -> Any:
        """Exactly one of per_hour and per_open_hour; the second becomes the first."""
        if not isinstance(data, dict):
            return data
        given = [key for key in ("per_hour", "per_open_hour") if data.get(key) is not None]
        if not given and data.get("arrivals") is not None:
            return data  # a replayed trace needs no rate (checked below)
        if not given:
            raise ValueError(
                "a stream needs per_hour (arrivals per hour over the whole week), "
                "per_open_hour (per hour while the profile is open) or arrivals: "
                "{trace: FILE.csv}; fix: e.g. per_open_hour: 60"
            )
        if len(given) != 1:
            raise ValueError(
                "give exactly one of per_hour (arrivals per hour over the whole week) and "
                "per_open_hour (per hour while the profile is open); fix: e.g. per_open_hour: 60"
            )
        if given == ["per_hour"]:
            return data
        try:
            rate = TypeAdapter(OpenRate).validate_python(data["per_open_hour"])
        except ValidationError as error:
            raise ValueError(f"per_open_hour: {error.errors()[0]['msg']}") from None
        try:
            profile = data.get("profile")
            share = 1.0 if profile is None else Profile.model_validate(profile).open_share()
        except ValidationError:
            share = 1.0  # the profile's own error is the one reported
        return {**data, "per_hour": rate * share, "per_open_hour": None}

    @model_validator(mode="after")
    def _one_arrival_model(self) -> Stream:
        if self.arrivals is None:
            if self.per_hour is None:
                raise ValueError(
                    "a stream needs per_hour (mean arrivals per hour); fix: add per_hour, "
                    "or replay recorded arrivals with arrivals: {trace: FILE.csv}"
                )
            return self
        given = [name for name in ("per_hour", *_RATE_MODEL) if getattr(self, name) is not None]
        if given:
            raise ValueError(
                f"arrivals replays a trace, so {given[0]} would be ignored; fix: remove "
                f"{', '.join(given)}, or remove arrivals to draw from the rate model"
            )
        return self

    def first_handle_factor(self) -> float:
        """Multiplier of the first reply's handle time: what a detail-gathering bot saves."""
        gathers = self.bot.gathers if self.bot is not None else None
        return gathers.first_handle if gathers is not None else 1.0

    @model_validator(mode="after")
    def _rollout_in_order(self) -> Stream:
        if self.rollout is not None:
            times = [p.at for p in self.rollout]
            if times != sorted(times):
                raise ValueError("rollout points must be in time order")
        return self


class Attention(StrEnum):
    SERIAL = "serial"
    SHARED = "shared"


class Policy(StrEnum):
    HANDBACK = "handback"
    OWNERSHIP = "ownership"


class Leftover(StrEnum):
    HANDBACK = "handback"
    WAIT_FOR_OWNER = "wait_for_owner"


class Reread(Model):
    """Handback cost to whoever picks a conversation up: base + per exchange so far."""

    base: Duration = Field(default=0.0, ge=0)
    """Reading time for every handed-back conversation (the note, the customer).
    Example: `1min`."""
    per_exchange: Duration = Field(default=0.0, ge=0)
    """Reading time added per exchange so far (the whole chat). Example: `20s`."""


class Order(StrEnum):
    ARRIVAL = "arrival"
    FIRST = "first"
    AFTER_NEW = "after_new"


class HandbackRoute(Model):
    """Where and when a handed-back conversation is served: the queue it returns to
    decides who sees it, its order decides whether new conversations come first."""

    to: Name | None = None
    """Queue it returns to (default: the queue it was in), e.g. an inbox served after chat."""
    order: Order = Order.ARRIVAL
    """Its place there: ``arrival`` (by first arrival, so usually at once), ``first``
    (ahead of everything waiting) or ``after_new`` (only when no new conversation waits
    for the agent: an inbox that live chat always pre-empts)."""
    extra_exchanges: Count | None = None
    """Exchanges the customer adds by repeating part of the story to the next agent
    (drawn per pick-up after a hand-back, each as long as the last exchange); none by
    default."""


class Handoff(Model):
    """What happens to open conversations when an agent's shift ends."""

    policy: Policy = Policy.HANDBACK
    """``handback`` (leave at shift end, open conversations go back to a queue) or
    ``ownership`` (finish what you hold, in overtime). Changed by ``compare --vary`` or
    ``sweep --grid``, it brings its preset for the keys the scenario leaves unset
    (ownership: ``intake_cutoff: 15min``, ``max_overtime: 1h``,
    ``leftover: wait_for_owner``; see the modelling guide)."""
    reread: Reread = Reread()
    """Time the next agent spends reading a handed-back conversation before replying."""
    handback: HandbackRoute = HandbackRoute()
    """Where and in what order handed-back conversations wait."""
    intake_cutoff: Duration = Field(default=0.0, ge=0)
    """Ownership: how long before shift end an agent stops taking new conversations.
    Example: `30min`."""
    max_overtime: Duration = Field(default=3600.0, ge=0)
    """Ownership: the longest an agent works past shift end to finish what they hold.
    Example: `1h`."""
    leftover: Leftover = Leftover.HANDBACK
    """Ownership: what happens to conversations still held when overtime runs out:
    ``handback`` (back to a queue) or ``wait_for_owner`` (they wait for the owner's next
    shift)."""
    continue_in: Name | None = None
    """Ownership with ``leftover: wait_for_owner``: the queue (the owner's normal inbox,
    served by the team) the kept conversations continue in. They stay the owner's, who
    answers them when next on shift; from then they count against that queue's cap in
    ``concurrency`` and its ``switch_cost``, not the live queue's. Default: the queue they
    were taken from. Under ``handback`` it is ignored, like ``leftover``. Example: `inbox`."""

    @model_validator(mode="after")
    def _continue_in_keeps_the_owner(self) -> Handoff:
        if (
            self.continue_in is not None
            and self.policy is Policy.OWNERSHIP
            and self.leftover is not Leftover.WAIT_FOR_OWNER
        ):
            raise ValueError(
                "continue_in needs leftover: wait_for_owner (the owner keeps the "
                "conversations it moves); set leftover: wait_for_owner or remove continue_in"
            )
        return self


_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


def _clock_minutes(value: Any) -> int:
    """Minutes after local midnight in ``'HH:MM'``; hours up to 48 reach into the next day."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(
            f"{value} is a number, not a clock time (YAML reads an unquoted 9 as the "
            f'number 9 and 9:00 as 540); fix: write the time in quotes, e.g. "{_guess(value)}"'
        )
    match = _CLOCK.match(str(value).strip())
    if not match:
        raise ValueError(
            f"'{value}' is not a clock time; write \"09:00\" (quoted), "
            'or "26:00" for 02:00 the next day'
        )
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes >= 60 or hours > 48:
        raise ValueError(f"'{value}' is not a clock time between 00:00 and 48:00")
    return hours * 60 + minutes


def clock_text(minutes: int) -> str:
    """``'HH:MM'`` for minutes after local midnight (above 24:00 for the next day)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _guess(number: float) -> str:
    """The clock time an unquoted number most likely meant: 9 as 09:00, 540 (9:00) too."""
    if not math.isfinite(number):
        return "09:00"
    minutes = int(number) * 60 if 0 <= number < 24 else int(number)
    if not 0 <= minutes <= 48 * 60:
        return "09:00"
    return clock_text(minutes)


def _days(value: Any) -> Any:
    """``Mon-Fri``, ``daily``, ``[Mon, Wed]`` or ``Sat`` to a list of day indexes."""
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ("daily", "all", "every day"):
            return list(range(7))
        if "-" in text:
            first, last = (_day_index(part) for part in text.split("-", 1))
            return [(first + k) % 7 for k in range((last - first) % 7 + 1)]
        return [_day_index(part) for part in text.split(",")]
    if isinstance(value, list):
        return [_day_index(v) if isinstance(v, str) else v for v in value]
    return value


class Shift(Model):
    """One roster entry: ``agents`` people working ``start``-``end`` local time on ``days``;
    an end before the start (or above 24:00) is on the next day."""

    region: TimeZone = "UTC"
    """Time zone of the start and end times (daylight saving followed). Example:
    `America/New_York`."""
    days: Annotated[list[Annotated[Whole, Field(ge=0, le=6)]], BeforeValidator(_days)] = Field(
        default_factory=lambda: list(range(7))
    )
    """Days the shift starts on: `daily`, a range, or a list. Example: `Mon-Fri`."""
    start: Annotated[int, BeforeValidator(_clock_minutes)]
    """Local start time, quoted, before 24:00. Example: `"09:00"`."""
    end: Annotated[int, BeforeValidator(_clock_minutes)]
    """Local end time, quoted; before the start (or above 24:00) means the next day. Example:
    `"17:00"`."""
    agents: Whole = Field(ge=1, le=MAX_PEOPLE)
    """People on this shift."""
    label: Name | None = None
    """Name of the entry; its agents are named after it."""

    @model_validator(mode="before")
    @classmethod
    def _overnight(cls, data: Any) -> Any:
        """An end before the start (``22:00``-``06:00``) is that time the next morning."""
        if not (isinstance(data, dict) and "start" in data and "end" in data):
            return data
        try:
            start, end = _clock_minutes(data["start"]), _clock_minutes(data["end"])
        except ValueError:
            return data  # the field itself says what is wrong
        if end < start < 24 * 60:
            return {**data, "end": clock_text(end + 24 * 60)}
        return data

    @model_validator(mode="after")
    def _ends_after_start(self) -> Shift:
        if self.start >= 24 * 60:
            raise ValueError("start must be a local time before 24:00")
        if self.end == self.start:
            raise ValueError(
                f"the shift ends when it starts ({clock_text(self.start)}); for a 24-hour "
                f'shift write end: "{clock_text(self.end + 24 * 60)}"'
            )
        return self


class BackupShift(Shift):
    """An on-call window: these agents join when the trigger holds, after ``delay``,
    and stand down (take nothing new, finish what they hold) once the team's queues
    have been clear for ``stand_down``."""

    queue_length: Whole | None = Field(default=None, ge=1)
    """Trigger: the team's queues hold at least this many conversations."""
    oldest_wait: Duration | None = Field(default=None, ge=0)
    """Trigger: the oldest waiting conversation has waited this long. Example: `5min`."""
    delay: Duration = Field(default=0.0, ge=0)
    """Time from the trigger to the backups joining."""
    stand_down: Duration = Field(default=1800.0, ge=0)
    """How long the team's queues stay clear before backups stand down."""

    @model_validator(mode="after")
    def _trigger(self) -> BackupShift:
        if self.queue_length is None and self.oldest_wait is None:
            raise ValueError(
                "a backup needs a trigger: queue_length (e.g. 10) or oldest_wait (e.g. 5min)"
            )
        return self


class Overflow(Model):
    """A queue a team serves after its own, only while it is busier than planned."""

    queue: Name
    """Queue the team also serves while the condition holds."""
    oldest_wait: Duration | None = Field(default=None, ge=0)
    """Condition: its oldest conversation has waited this long. Example: `30min`."""
    length: Whole | None = Field(default=None, ge=1)
    """Condition: it holds at least this many conversations. Example: `10`."""

    @model_validator(mode="after")
    def _condition(self) -> Overflow:
        if self.oldest_wait is None and self.length is None:
            raise ValueError(
                "an overflow needs a condition: oldest_wait (e.g. 5min) or length (e.g. 10)"
            )
        return self


class Triage(Model):
    """What an agent does with a conversation its team is not meant for."""

    time: Duration = Field(default=0.0, ge=0)
    """Time reading a misrouted conversation before deciding."""
    reassign: Probability = 1.0
    """Chance (0-1) it is sent to its own queue rather than answered here."""


class Learning(Model):
    """A skill multiplier moves toward 1.0 as the team handles more of a stream."""

    half_life: Real = Field(gt=0, le=MAX_HALF_LIFE)
    """Conversations handled to halve the gap between a skill and 1.0. Example: `50`."""


class Rotation(Model):
    """A named pool of people who take a team's roster slots in turn."""

    members: list[Name] | Annotated[Whole, Field(le=MAX_MEMBERS)]
    """Names of the pool's people, or how many (named member1, member2, ...). Example: `[ana,
    ben]`."""
    assignments: dict[str, list[Name]] | None = None
    """Who works each local date, in slot order. Example: `{"2026-03-03": [ben]}`."""

    @model_validator(mode="after")
    def _members(self) -> Rotation:
        names = self.names()
        if not names:
            raise ValueError("a rotation needs at least one member")
        if len(set(names)) != len(names):
            raise ValueError("rotation members must have distinct names")
        for day, people in (self.assignments or {}).items():
            unknown = [p for p in people if p not in names]
            if unknown:
                raise ValueError(
                    f"assignments on {day} name {', '.join(unknown)}, who are "
                    f"not members; fix: add them to members or correct the "
                    f"names (members: {', '.join(names)})"
                )
        return self

    def names(self) -> list[str]:
        if isinstance(self.members, int):
            return [f"member{k + 1}" for k in range(self.members)]
        return list(self.members)


class Shrinkage(Model):
    """Share of shift time away (breaks, meetings) as random unavailable blocks."""

    share: Real = Field(ge=0, lt=1)
    """Share (0-1) of shift time away on breaks and meetings. Example: `0.15`."""
    block: Duration = Field(default=900.0, gt=0)
    """Length of one unavailable block."""


class StaffingBy(StrEnum):
    WEEKDAY = "weekday"
    DATE = "date"


DAY_SECONDS = 24 * 3600


class Staffing(Model):
    """Agents on duty per interval, the way a workforce plan states them; agent
    layer k works wherever the count is at least k
    (see :mod:`simulator.scenario.staffing_layers`)."""

    interval: Duration = Field(gt=0)
    """Length of one interval: whole minutes that divide a day, such as 15min or 1h."""
    by: StaffingBy
    """``weekday``: a week of rows in ``agents``; ``date``: a CSV ``file`` of dated rows."""
    region: TimeZone | None = None
    """Time zone whose wall clock the weekday rows follow (``by: weekday`` only; UTC if unset)."""
    agents: list[list[Annotated[Whole, Field(ge=0, le=MAX_PEOPLE)]]] | None = None
    """``by: weekday``: 7 rows (Mon..Sun) of agents per interval from local midnight."""
    file: str | None = None
    """``by: date``: CSV with columns ``start`` (ISO 8601 with offset) and ``agents``;
    relative to the scenario file."""
    _dated: tuple[tuple[datetime, int], ...] = PrivateAttr(default=())

    @model_validator(mode="after")
    def _shape(self) -> Staffing:
        if self.interval % 60 or DAY_SECONDS % self.interval:
            raise ValueError(
                f"interval {format_duration(self.interval)} does not divide a day into whole "
                "minutes; fix: use e.g. 15min, 30min or 1h"
            )
        per_day = round(DAY_SECONDS / self.interval)
        if self.by is StaffingBy.WEEKDAY:
            if self.file is not None or self.agents is None:
                raise ValueError("by: weekday takes agents (7 rows), not a file")
            lengths = [len(row) for row in self.agents]
            if len(lengths) != 7 or any(n != per_day for n in lengths):
                raise ValueError(
                    f"agents needs 7 rows (Mon..Sun) of {per_day} counts (one per "
                    f"{format_duration(self.interval)} from local midnight); got "
                    f"{len(lengths)} rows of {sorted(set(lengths))} counts"
                )
            return self
        if self.agents is not None or self.file is None:
            raise ValueError("by: date takes a file (columns start,agents), not agents")
        if self.region is not None:
            raise ValueError("by: date times carry their own offsets; fix: remove region")
        self._dated = _dated_rows(self.file, self.interval)
        return self

    def peak(self) -> int:
        """The most agents on duty at once: the number of agents it makes."""
        counts = self.agents or [[agents for _, agents in self._dated]]
        return max(max(row, default=0) for row in counts)

    def dated(self) -> tuple[tuple[datetime, int], ...]:
        """``by: date``: (start, agents) rows in time order, as read from the file."""
        return self._dated


def _dated_rows(path: str, interval: float) -> tuple[tuple[datetime, int], ...]:
    """The rows of a staffing CSV, each start a whole number of intervals after the
    previous one (a gap is nobody on duty)."""
    rows: list[tuple[datetime, int]] = []
    for number, cells in csv_rows(path, ("start", "agents")):
        start = aware_time(cells["start"], path, number, "start")
        text = cells["agents"]
        if not text.isdigit() or int(text) > MAX_PEOPLE:
            raise ValueError(
                f"{path}, row {number}, column 'agents': '{text[:20]}' is not a whole number "
                f"of agents from 0 to {MAX_PEOPLE:,}; fix: correct the row"
            )
        if rows:
            step = (start - rows[-1][0]).total_seconds()
            if step <= 0 or step % interval:
                raise ValueError(
                    f"{path}, row {number}, column 'start': {cells['start']} is not a whole "
                    f"number of intervals ({format_duration(interval)}) after the row before; "
                    "fix: list intervals in time order on one grid"
                )
        rows.append((start, int(text)))
        if (start - rows[0][0]).total_seconds() >= MAX_CSV_ROWS * interval:
            raise ValueError(
                f"{path}, row {number}, column 'start': the file spans more than "
                f"{MAX_CSV_ROWS:,} intervals; fix: use a longer interval or a shorter file"
            )
    if not rows:
        raise ValueError(f"{path}: no rows under the header; fix: add start,agents rows")
    return tuple(rows)


def scale_count(count: int, scale: float, least: int = 0) -> int:
    """``count`` times ``scale`` rounded half up (in decimal, so 5 x 0.7 is 3.5 and becomes
    4, whatever binary floating point makes of it), at least ``least``."""
    exact = Decimal(count) * Decimal(repr(scale))
    scaled = max(least, int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)))
    if scaled > MAX_PEOPLE:
        raise ValueError(
            f"headcount_scale {scale:g} makes {count} agents {scaled:,}, above {MAX_PEOPLE:,}; "
            "fix: a smaller scale"
        )
    return scaled


class Team(Model):
    """Agents who serve some queues, in priority order."""

    agents: Whole | None = Field(default=None, ge=0, le=MAX_PEOPLE)
    """People always on shift (instead of a roster). Example: `8`."""
    concurrency: Whole = Field(default=1, ge=1, le=MAX_COUNT)
    """Conversations one agent holds at once, in all; per queue as well with a mapping of queue
    names and `total` (read into per_queue). Example: `3`, or `{live: 3, inbox: 7, total: 8}`."""
    per_queue: dict[Name, Annotated[Whole, Field(ge=1, le=MAX_COUNT)]] = Field(default_factory=dict)
    """Most conversations of each named queue one agent holds at once; concurrency caps them all
    together. Example: `{live: 3, inbox: 7}`."""
    switch_cost: Distribution | None = None
    """Time lost when an agent's next reply belongs to another queue than the last one (serial
    attention). Example: `{dist: fixed, value: 30s}`."""
    attention: Attention = Attention.SERIAL
    """serial: one reply typed at a time; shared: every owed reply progresses at once."""
    efficiency: list[Speed] | None = Field(default=None, min_length=1)
    """Speed (1 is full) of each held conversation while holding 1, 2, ... (shared attention).
    Example: `[1.0, 0.8, 0.6]`."""
    serves: list[Name] = Field(min_length=1)
    """Queues it takes from, in priority order. Example: `[chat]`."""
    replies_first: bool = True
    """Owed replies on held conversations come before new pick-ups."""
    roster: list[Shift] | None = Field(default=None, min_length=1)
    """Shifts of the team's people (instead of agents)."""
    handoff: Handoff | None = None
    """Shift-end rules for this team (default: the scenario's)."""
    overflow: list[Overflow] = Field(default_factory=list)
    """Queues it also serves while they are busier than planned."""
    streams: list[Name] | None = None
    """Streams it is meant for (default: those whose queue it serves)."""
    skills: dict[Name, Speed] = Field(default_factory=dict)
    """Handle-time multiplier per stream (below 1 is faster). Example: `{launch: 1.3}`."""
    learning: Learning | None = None
    """Skills move toward 1.0 as the team handles more."""
    triage: Triage = Triage()
    """What its agents do with a conversation the team is not meant for."""
    rotation: Rotation | None = None
    """A named pool of people who take the roster's slots in turn."""
    backup: list[BackupShift] = Field(default_factory=list)
    """On-call windows that join when the queues are busier than planned."""
    shrinkage: Shrinkage | None = None
    """Random breaks away from the queue."""
    staffing: Staffing | None = None
    """Agents on duty per interval, instead of or beside a roster."""
    headcount_scale: Annotated[Real, Field(gt=0, le=MAX_SURGE)] | None = None
    """Multiplies the team's head counts as the scenario loads (unset: 1): `agents`, each roster
    entry's `agents` and every `by: weekday` staffing count, each rounded half up on its own
    (2.5 becomes 3); a roster entry keeps at least one person, backups are not scaled, staffing
    from a file is refused. Results' `scenario.yaml` holds the scaled counts. Example: `1.2`."""

    @model_validator(mode="wrap")
    @classmethod
    def _scaled(cls, data: Any, handler: Any) -> Team:
        """Apply ``headcount_scale`` once, at load, so every reader of the team (the
        model, sizing, the plan checks) sees the same head counts."""
        team: Team = handler(data)
        if team.headcount_scale is None:
            return team
        scale = team.headcount_scale
        staffing = team.staffing
        if staffing is not None and staffing.agents is None:
            raise ValueError(
                "headcount_scale does not reach staffing read from a file (by: date): the "
                "results' scenario.yaml names the file and could not say it was scaled; fix: "
                "scale the counts in the file, or use by: weekday rows"
            )
        if staffing is not None and staffing.agents is not None:
            staffing = staffing.model_copy(
                update={"agents": [[scale_count(n, scale) for n in row] for row in staffing.agents]}
            )
        return team.model_copy(
            update={
                "headcount_scale": None,
                "agents": None if team.agents is None else scale_count(team.agents, scale),
                "roster": None
                if team.roster is None
                else [
                    entry.model_copy(update={"agents": scale_count(entry.agents, scale, least=1)})
                    for entry in team.roster
                ],
                "staffing": staffing,
            }
        )

    @model_validator(mode="before")
    @classmethod
    def _caps_per_queue(cls, data: Any) -> Any:
        """``concurrency: {live: 3, inbox: 7, total: 8}`` is per_queue with concurrency
        its total (default: the sum of the caps)."""
        if not (isinstance(data, dict) and isinstance(data.get("concurrency"), dict)):
            return data
        if "per_queue" in data:
            raise ValueError(
                "concurrency names queues and per_queue is given too; fix: give the caps "
                "in one of them"
            )
        caps = dict(data["concurrency"])
        total = caps.pop("total", None)
        if total is None:
            if not all(isinstance(cap, int) for cap in caps.values()):
                rest = {key: value for key, value in data.items() if key != "concurrency"}
                return {**rest, "per_queue": caps}  # per_queue's own check reports it
            total = sum(caps.values())
        return {**data, "concurrency": total, "per_queue": caps}

    @model_validator(mode="after")
    def _caps_fit(self) -> Team:
        taken = [*self.serves, *(rule.queue for rule in self.overflow)]
        for queue, cap in self.per_queue.items():
            if queue not in taken:
                raise ValueError(
                    f"concurrency caps queue '{queue}', which the team does not take from "
                    f"({', '.join(taken)}); fix: name a queue in serves or overflow"
                )
            if cap > self.concurrency:
                raise ValueError(
                    f"concurrency caps queue '{queue}' at {cap}, above the total "
                    f"{self.concurrency}; fix: lower the cap or raise total"
                )
        if self.switch_cost is not None and self.attention is not Attention.SERIAL:
            raise ValueError(
                "switch_cost applies only with attention: serial (one reply at a time); "
                "fix: remove switch_cost or use attention: serial"
            )
        return self

    @model_validator(mode="after")
    def _consistent(self) -> Team:
        if self.efficiency is not None:
            if self.attention is not Attention.SHARED:
                raise ValueError("efficiency applies only with attention: shared")
            if len(self.efficiency) > self.concurrency:
                raise ValueError(
                    f"efficiency lists {len(self.efficiency)} speeds but concurrency is "
                    f"{self.concurrency}; give at most {self.concurrency} (one per number of "
                    "conversations held) or raise concurrency"
                )
        if self.roster is None and self.agents is None and not self.backup and not self.staffing:
            raise ValueError("a team needs agents (always on shift), a roster or staffing")
        if self.staffing is not None and self.agents is not None:
            raise ValueError("give agents or staffing, not both: staffing says who is on duty when")
        labels = [entry.label for entry in [*(self.roster or []), *self.backup] if entry.label]
        taken = [label for label in labels if re.fullmatch(r"staffing[0-9]+", label)]
        if self.staffing is not None and taken:
            raise ValueError(
                f"label '{taken[0]}' is the name of staffing's agents; fix: rename the entry"
            )
        repeated = sorted({label for label in labels if labels.count(label) > 1})
        if repeated:
            raise ValueError(
                f"roster and backup labels must differ within a team (they name "
                f"the agents); '{repeated[0]}' is used twice; fix: rename one"
            )
        if self.rotation is not None and self.roster is None:
            raise ValueError("a rotation fills roster slots: give the team a roster")
        if self.roster is not None and self.agents is not None:
            raise ValueError(
                "give agents or a roster, not both: with a roster each entry has its own agents"
            )
        return self

    def speed(self, held: int) -> float:
        """Per-conversation speed when holding ``held`` conversations (shared attention)."""
        if not self.efficiency:
            return 1.0
        return self.efficiency[min(held, len(self.efficiency)) - 1]


class Scenario(Model):
    """A whole scenario: streams of conversations, the teams serving them, and the run."""

    name: Name
    """Name of the scenario; the default results folder is named after it."""
    description: OneLine | None = None
    """What the scenario is, in one line (`staffsim scenarios` lists it). Example: `Live chat,
    four weeks of rollout, handback at shift end`."""
    start: AwareDatetime = DEFAULT_START
    """Moment the run starts, with a time zone (default: Monday 2026-01-05 00:00 UTC)."""
    horizon: Duration = Field(gt=0)
    """Length of the run. Example: `4w`."""
    warmup: Duration = Field(default=0.0, ge=0)
    """Time at the start whose arrivals are left out of the statistics. Example: `1d`."""
    replications: Whole = Field(default=10, ge=1, le=MAX_REPLICATIONS)
    """Independent runs whose results are averaged, with intervals."""
    seed: Whole | None = Field(default=None, ge=0)
    """Seed of the random numbers (default: a new one each run, recorded)."""
    targets: Targets = Targets()
    """Service targets reported as the share within them."""
    streams: dict[Name, Stream] = Field(min_length=1)
    """The sources of conversations, by name."""
    teams: dict[Name, Team] = Field(min_length=1)
    """The teams serving the queues, by name."""
    handoff: Handoff = Handoff()
    """Shift-end rules for every team that has none of its own."""

    @field_validator("horizon")
    @classmethod
    def _ends_in_range(cls, horizon: float, info: ValidationInfo) -> float:
        # A field validator (start is declared first) so the error names 'horizon'.
        start = info.data.get("start")
        if start is not None and start + timedelta(seconds=horizon) > LATEST:
            raise ValueError(
                f"the run would end after {LATEST.date()} (start {start.isoformat()} plus "
                f"horizon {format_duration(horizon)}), past the dates reports can show; fix: "
                "shorten horizon or start earlier"
            )
        return horizon

    @field_validator("warmup")
    @classmethod
    def _warmup_before_horizon(cls, warmup: float, info: ValidationInfo) -> float:
        # A field validator (horizon is declared first) so the error names 'warmup'.
        horizon = info.data.get("horizon")
        if horizon is not None and warmup >= horizon:
            raise ValueError(
                f"warmup ({format_duration(warmup)}) must be shorter than horizon "
                f"({format_duration(horizon)}); shorten warmup or lengthen horizon"
            )
        return warmup

    def queues(self) -> list[str]:
        """Queue names, each once, in the order streams first name them (home queue,
        fallback, mistaken destinations, ticket queue of an escalation team)."""
        names: list[str] = []
        for stream_name, stream in self.streams.items():
            candidates = [self.home_queue(stream_name)]
            if stream.routing is not None:
                candidates += [
                    stream.routing.fallback or candidates[0],
                    *stream.routing.false_positives,
                ]
            candidates += [ticket_queue(stream.escalation.team)] if stream.escalation else []
            for queue in candidates:
                if queue not in names:
                    names.append(queue)
        for handoff in self.handoffs().values():
            if handoff.handback.to is not None and handoff.handback.to not in names:
                names.append(handoff.handback.to)
        return names

    def handoffs(self) -> dict[str, Handoff]:
        """Each handoff block by its field path: the scenario's, then teams' own."""
        blocks = {"handoff": self.handoff}
        for name, team in self.teams.items():
            if team.handoff is not None:
                blocks[f"teams.{name}.handoff"] = team.handoff
        return blocks

    def repeats(self) -> bool:
        """Whether any stream's customers may come back (a repeat share above 0)."""
        return any(s.repeat is not None and s.repeat.share > 0 for s in self.streams.values())

    def home_queue(self, stream: str) -> str:
        """The queue where a stream's conversations belong."""
        return self.streams[stream].queue or stream

    def meant_for(self, team: str) -> list[str]:
        """Streams a team is meant for: its own list, else those whose home queue
        it serves (overflow does not count)."""
        spec = self.teams[team]
        if spec.streams is not None:
            return list(spec.streams)
        return [name for name in self.streams if self.home_queue(name) in spec.serves]

    def stream_targets(self, stream: str) -> Targets:
        """The targets a stream's conversations are judged against: the stream's own,
        key by key, else the scenario's."""
        own = self.streams[stream].targets
        if own is None:
            return self.targets
        given = {key: value for key, value in own if value is not None}
        return self.targets.model_copy(update=given)

    def shared_target(self, key: str) -> float | None:
        """The ``frt`` or ``followup`` target every stream is judged against, or
        ``None`` when there is none or streams differ (a single line on a figure of all
        conversations would then be wrong for some of them)."""
        seconds = {getattr(self.stream_targets(name), key) for name in self.streams}
        return seconds.pop() if len(seconds) == 1 else None

    def has_stream_targets(self) -> bool:
        """Whether any stream sets targets of its own."""
        return any(stream.targets is not None for stream in self.streams.values())

    def team_handoff(self, team: str) -> Handoff:
        """The shift-end rules for one team: its own, else the scenario's."""
        return self.teams[team].handoff or self.handoff


def ticket_queue(team: str) -> str:
    """The queue of back-office tickets worked by ``team``."""
    return f"tickets:{team}"
