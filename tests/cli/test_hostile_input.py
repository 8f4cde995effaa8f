"""Hostile or mistaken input fails cleanly: exit code 2, one message naming the file
(or option) and field, no traceback, nothing written, and little time or memory.

Each case is checked through ``validate`` and ``run`` (which must refuse before it
runs anything).
"""

from __future__ import annotations

import copy
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from tests.cli.mutations import check_refused

COMMANDS = ["validate", "run"]


def _refused(invoke, leftovers, command: str, args: list[Any], expect: list[str]) -> None:
    """``command ARGS`` exits 2 with every word of ``expect`` and writes nothing."""
    check_refused(invoke(command, *args), expect)
    assert leftovers() == []


def _text(small: dict[str, Any]) -> str:
    return yaml.safe_dump(small, sort_keys=False)


# --------------------------------------------------------------------------- the YAML itself


def _billion_laughs() -> str:
    """About 1 KB that expands to 9**9 (387 million) values once walked."""
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        this, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{this}: &{this} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


BOMBS = {
    "deep-list": ("name: x\nhorizon: " + "[" * 20_000 + "]" * 20_000 + "\n", "deeper than"),
    "deep-mapping": ("name: x\nhorizon: " + "{a: " * 20_000 + "1" + "}" * 20_000, "deeper than"),
    "billion-laughs": (_billion_laughs(), "expands to more than"),
    "alias-chain": (
        "a0: &a0 [1]\n" + "".join(f"a{k}: &a{k} [*a{k - 1}]\n" for k in range(1, 200)),
        "deeper than",
    ),
    "recursive-alias": ("name: &n [*n]\n", "refers to the block it is inside"),
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", list(BOMBS), ids=list(BOMBS))
def test_nesting_and_alias_bombs_refused_fast_and_small(
    case: str, command: str, write_scenario, invoke, leftovers
) -> None:
    text, expect = BOMBS[case]
    assert len(_billion_laughs()) < 1200
    path = write_scenario(text)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = invoke(command, path)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    check_refused(result, ["scenario.yaml", expect, "fix"])
    assert seconds < 5, seconds
    assert peak < 30_000_000, peak  # bytes, while the bomb expands to billions of values
    assert leftovers() == []


@pytest.mark.parametrize("command", COMMANDS)
def test_duplicate_key_names_both_lines(
    command: str, write_scenario, small, invoke, leftovers
) -> None:
    text = _text(small).replace("warmup: 1h\n", "warmup: 1h\nhorizon: 9h\n", 1)
    lines = text.splitlines()
    first, second = lines.index("horizon: 8h") + 1, lines.index("horizon: 9h") + 1
    expect = ["scenario.yaml", "'horizon'", "twice", f"line {first}", f"line {second}", "fix"]
    _refused(invoke, leftovers, command, [write_scenario(text)], expect)


@pytest.mark.parametrize("command", COMMANDS)
def test_duplicate_team_names_both_lines(
    command: str, write_scenario, small, invoke, leftovers
) -> None:
    text = _text(small) + "  support:\n    agents: 3\n    serves: [chat]\n"
    lines = text.splitlines()
    first = lines.index("  support:") + 1
    expect = ["'support'", "twice", f"line {first}", f"line {len(lines) - 2}"]
    _refused(invoke, leftovers, command, [write_scenario(text)], expect)


def test_merge_keys_may_override(write_scenario, small, invoke) -> None:
    """``<<: *base`` then the same key is how YAML merging works, not a duplicate."""
    text = _text(small).replace(
        "teams:\n  support:\n", "x-base: &base {agents: 1, concurrency: 1}\nteams:\n  support:\n"
    )
    text = text.replace("    agents: 2\n", "    <<: *base\n    agents: 2\n")
    result = invoke("validate", write_scenario(text))
    assert "x-base" in result.stderr  # merged fine; only the helper key itself is unknown


TAGS = {
    "python-object": "!!python/object/apply:os.system ['echo hi']",
    "python-name": "!!python/name:os.system",
    "unknown-local": "!secret tiny",
    "binary": "!!binary aGVsbG8=",
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("tag", list(TAGS), ids=list(TAGS))
def test_tags_are_not_allowed(
    tag: str, command: str, write_scenario, small, invoke, leftovers
) -> None:
    text = _text(small).replace("name: tiny", f"name: {TAGS[tag]}", 1)
    expect = ["scenario.yaml", "line 1", "tag", "not allowed", "remove the tag"]
    _refused(invoke, leftovers, command, [write_scenario(text)], expect)
    assert "indentation" not in invoke(command, write_scenario(text)).stderr


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    "value", ["0000-01-01T00:00:00Z", "9" * 5000], ids=["year-zero", "5000-digit-number"]
)
def test_unreadable_scalars(
    value: str, command: str, write_scenario, small, invoke, leftovers
) -> None:
    text = _text(small).replace("seed: 1", f"seed: {value}", 1)
    _refused(invoke, leftovers, command, [write_scenario(text)], ["cannot read", "line"])


@pytest.mark.parametrize("command", COMMANDS)
def test_not_a_regular_file(command: str, invoke, leftovers) -> None:
    _refused(invoke, leftovers, command, ["/dev/zero"], ["/dev/zero", "not a regular file"])


def test_huge_file_refused_before_parsing(write_scenario, invoke, leftovers) -> None:
    path = write_scenario("name: x\n" + "# padding\n" * 1_100_000)
    _refused(invoke, leftovers, "validate", [path], ["larger than 10 MB", "fix"])


# --------------------------------------------------------------------------- --set


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    "override, expect",
    [
        ("teams.support.agents=-1", ["--set teams.support.agents=-1", "'teams.support.agents'"]),
        ("teams.support.agents=true", ["--set teams.support.agents=true", "not true/false"]),
        ("horizon=1e400min", ["--set horizon=1e400min", "'horizon'", "100 years"]),
        (
            "streams.chat.conversation.handle.mean=.inf",
            ["--set streams.chat.conversation.handle.mean=.inf", "handle.mean"],
        ),
        ("warmup=9h", ["--set warmup=9h", "'warmup'", "shorter than horizon"]),
        ("teams.support.serves=[email]", ["--set teams.support.serves=[email]", "'email'"]),
        ("name=!!python/name:os.system", ["--set name=!!python/name:os.system", "not allowed"]),
        ("name=" + "[" * 5000, ["--set name=", "deeper than"]),
        ("seed=&a [*a]", ["--set seed=", "refers to the block it is inside"]),
    ],
    ids=[
        "negative",
        "bool",
        "huge-duration",
        "inf",
        "cross-field",
        "reference",
        "tag",
        "deep",
        "alias",
    ],
)
def test_set_errors_name_the_option(
    override: str, expect: list[str], command: str, write_scenario, invoke, leftovers
) -> None:
    path = write_scenario()
    _refused(invoke, leftovers, command, [path, "--set", override], expect)
    assert "scenario.yaml" not in invoke(command, path, "--set", override).stderr


def test_set_blamed_for_an_error_elsewhere_it_causes(write_scenario, invoke) -> None:
    """Shortening horizon below the file's warmup breaks 'warmup', which --set did not
    touch; the file alone is valid, so the --set is named."""
    result = invoke("validate", write_scenario(), "--set", "horizon=30min")
    check_refused(result, ["error in --set horizon=30min", "'warmup'", "shorter than horizon"])
    assert "scenario.yaml" not in result.stderr


def test_problems_in_file_and_set_name_both(write_scenario, small, invoke) -> None:
    small["streams"]["chat"]["per_hour"] = 0
    result = invoke("validate", write_scenario(small), "--set", "teams.support.agents=-1")
    check_refused(result, ["scenario.yaml and --set teams.support.agents=-1", "2 problems"])


def test_file_errors_still_name_the_file(write_scenario, small, invoke) -> None:
    small["streams"]["chat"]["per_hour"] = 0
    result = invoke("validate", write_scenario(small), "--set", "teams.support.agents=3")
    check_refused(result, ["scenario.yaml", "'streams.chat.per_hour'"])
    assert "--set" not in result.stderr


def test_set_can_fix_the_file(write_scenario, small, invoke) -> None:
    small["streams"]["chat"]["per_hour"] = 0
    result = invoke("validate", write_scenario(small), "--set", "streams.chat.per_hour=5")
    assert result.exit_code == 0, result.stderr


def test_set_indexes_lists(write_scenario, small, invoke) -> None:
    del small["teams"]["support"]["agents"]
    small["teams"]["support"]["roster"] = [{"start": "09:00", "end": "17:00", "agents": 2}]
    path = write_scenario(small)
    result = invoke("validate", path, "--set", "teams.support.roster.0.agents=7")
    assert result.exit_code == 0, result.stderr
    check_refused(
        invoke("validate", path, "--set", "teams.support.roster.3.agents=7"),
        ["--set teams.support.roster.3.agents=7", "1 entries", "from 0 to 0"],
    )


# --------------------------------------------------------------------------- --grid, --vary


def test_grid_values_through_the_hardened_loader(write_scenario, invoke, leftovers) -> None:
    path = write_scenario()
    result = invoke("sweep", path, "--grid", "name=!!python/name:os.system,b")
    check_refused(result, ["--grid", "not allowed"])
    assert leftovers() == []


def test_vary_values_through_the_hardened_loader(write_scenario, invoke, leftovers) -> None:
    path = write_scenario()
    result = invoke("compare", path, "--vary", "teams.support.agents=" + "[" * 5000)
    check_refused(result, ["--vary", "deeper than"])
    assert leftovers() == []


# --------------------------------------------------------------------------- numbers


def _at(*path: Any) -> Callable[[dict[str, Any], Any], None]:
    def put(d: dict[str, Any], value: Any) -> None:
        node = d
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return put


def _hourly(d: dict[str, Any], value: Any) -> None:
    d["streams"]["chat"]["profile"] = {"hourly": [1.0] * 23 + [value]}


def _roster(key: str) -> Callable[[dict[str, Any], Any], None]:
    def put(d: dict[str, Any], value: Any) -> None:
        del d["teams"]["support"]["agents"]
        shift = {"start": "09:00", "end": "17:00", "agents": 2, key: value}
        d["teams"]["support"]["roster"] = [shift]

    return put


def _skills(d: dict[str, Any], value: Any) -> None:
    d["teams"]["support"]["skills"] = {"chat": value}


def _surge(d: dict[str, Any], value: Any) -> None:
    d["streams"]["chat"]["surge"] = {"at": "2026-01-05T09:00:00Z", "peak": value, "half_life": "1h"}


NUMBER_FIELDS = {
    "per_hour": (_at("streams", "chat", "per_hour"), "streams.chat.per_hour"),
    "hourly": (_hourly, "streams.chat.profile.hourly.23"),
    "surge-peak": (_surge, "streams.chat.surge.peak"),
    "noise-cv": (
        lambda d, v: d["streams"]["chat"].update(noise={"daily_cv": v}),
        "streams.chat.noise.daily_cv",
    ),
    "skills": (_skills, "teams.support.skills.chat"),
    "distribution-cv": (
        lambda d, v: d["streams"]["chat"]["conversation"].update(
            handle={"dist": "lognormal", "mean": "4min", "cv": v}
        ),
        "streams.chat.conversation.handle.cv",
    ),
    "agents": (_at("teams", "support", "agents"), "teams.support.agents"),
    "concurrency": (_at("teams", "support", "concurrency"), "teams.support.concurrency"),
    "shift-agents": (_roster("agents"), "teams.support.roster.0.agents"),
}

HOSTILE_NUMBERS = {
    "inf": (".inf", "finite"),
    "minus-inf": ("-.inf", ""),
    "nan": (".nan", "finite"),
    "1e308": ("1e308", "at most"),  # YAML 1.1 reads it as text; pydantic as a float
    "1.0e+308": ("1.0e+308", "at most"),
    "1e400": ("1e400", "finite"),
    "true": ("true", "not true/false"),
    "yes": ("yes", "not true/false"),
    "false": ("false", "not true/false"),
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("number", list(HOSTILE_NUMBERS), ids=list(HOSTILE_NUMBERS))
@pytest.mark.parametrize("field", list(NUMBER_FIELDS), ids=list(NUMBER_FIELDS))
def test_hostile_numbers_name_the_field(
    field: str, number: str, command: str, write_scenario, small, invoke, leftovers
) -> None:
    put, path = NUMBER_FIELDS[field]
    literal, word = HOSTILE_NUMBERS[number]
    put(small, "@@")
    text = _text(small).replace("'@@'", literal)
    # Integers refuse 1e308 as "not an integer" instead.
    whole = field in ("agents", "concurrency", "shift-agents")
    expect = ["scenario.yaml", f"'{path}'", "" if whole and number.startswith("1") else word]
    _refused(invoke, leftovers, command, [write_scenario(text)], expect)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    "path, value",
    [
        ("horizon", "1e400min"),
        ("horizon", "1e308s"),
        ("horizon", "6000w"),
        ("warmup", "1e400h"),
        ("streams.chat.conversation.handle.mean", "1e400min"),
        ("targets.frt", "1e308w"),
    ],
)
def test_durations_beyond_100_years(
    path: str, value: str, command: str, write_scenario, small, invoke, leftovers
) -> None:
    *blocks, last = path.split(".")
    node = small
    for key in blocks:
        node = node[key]
    node[last] = value
    expect = ["scenario.yaml", f"'{path}'", "longer than 100 years", "52w"]
    _refused(invoke, leftovers, command, [write_scenario(small)], expect)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("value", [".inf", ".nan", "-.inf"])
def test_infinite_bare_duration(
    value: str, command: str, write_scenario, small, invoke, leftovers
) -> None:
    small["horizon"] = "@@"
    path = write_scenario(_text(small).replace("'@@'", value))
    _refused(invoke, leftovers, command, [path], ["'horizon'", "expected a duration"])


def test_huge_set_value_is_cut_short(write_scenario, invoke) -> None:
    result = invoke("validate", write_scenario(), "--set", "name=" + "x" * 100_000)
    check_refused(result, ["--set name=xxx", "100,011 characters", "at most 100 characters"])
    assert len(result.stderr) < 1000


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("value", [".inf", "1e400", "12.5"], ids=["inf", "1e400", "fraction"])
def test_handle_time_values(
    value: str, command: str, write_scenario, small, invoke, leftovers
) -> None:
    """Distribution parameters are durations: a bare or infinite number is refused."""
    small["streams"]["chat"]["conversation"]["handle"] = {"dist": "empirical", "values": "@@"}
    text = _text(small).replace("'@@'", f"[60s, {value}]")
    path = "'streams.chat.conversation.handle.values.1'"
    _refused(invoke, leftovers, command, [write_scenario(text)], [path, "duration"])


# --------------------------------------------------------------------------- clock and dates


def _shift_start(text: str) -> Callable[[dict[str, Any]], str]:
    def scenario(d: dict[str, Any]) -> str:
        del d["teams"]["support"]["agents"]
        d["teams"]["support"]["roster"] = [{"start": "@@", "end": "17:00", "agents": 2}]
        return _text(d).replace("'@@'", text)

    return scenario


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    "written, fix", [("9", "09:00"), ("9:00", "09:00"), ("17:30", "17:30"), ("9.5", "09:00")]
)
def test_unquoted_clock_times(
    written: str, fix: str, command: str, write_scenario, small, invoke, leftovers
) -> None:
    """Unquoted, YAML reads 9 as 9 and 9:00 as 540 (base 60; 09:00 stays text): read as
    minutes they were 00:09 or 09:00 by accident; now the quoted form is asked for."""
    path = write_scenario(_shift_start(written)(small))
    expect = ["'teams.support.roster.0.start'", "not a clock time", "fix", f'"{fix}"']
    _refused(invoke, leftovers, command, [path], expect)


def test_quoted_clock_time_is_valid(write_scenario, small, invoke) -> None:
    for written in ('"09:00"', "09:00"):  # YAML 1.1 reads a leading zero as text
        result = invoke("validate", write_scenario(_shift_start(written)(copy.deepcopy(small))))
        assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    "start",
    [
        "9999-12-31T00:00:00Z",
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T23:00:00-05:00",
        "1677-01-01T00:00:00Z",
    ],
)
def test_start_outside_report_timestamps(
    start: str, command: str, write_scenario, small, invoke, leftovers
) -> None:
    small["start"] = "@@"
    path = write_scenario(_text(small).replace("'@@'", start))
    expect = ["scenario.yaml", "'start'", "1678-01-01", "2262-01-01"]
    _refused(invoke, leftovers, command, [path], expect)


@pytest.mark.parametrize("command", COMMANDS)
def test_run_must_end_inside_report_timestamps(
    command: str, write_scenario, small, invoke, leftovers
) -> None:
    small["start"] = "@@"
    small["horizon"] = "60d"
    path = write_scenario(_text(small).replace("'@@'", "2261-12-01T00:00:00Z"))
    expect = ["'horizon'", "end after 2262-01-01", "shorten horizon"]
    _refused(invoke, leftovers, command, [path], expect)


def test_surge_dates_in_range_too(write_scenario, small, invoke) -> None:
    small["streams"]["chat"]["surge"] = [["9999-01-01T00:00:00Z", 2.0]]
    check_refused(
        invoke("validate", write_scenario(small)), ["'streams.chat.surge.points.0.at'", "2262"]
    )


# --------------------------------------------------------------------------- names


def _rename_team(name: str) -> Callable[[dict[str, Any]], None]:
    return lambda d: d["teams"].update({name: d["teams"].pop("support")})


def _rename_stream(name: str) -> Callable[[dict[str, Any]], None]:
    def mutate(d: dict[str, Any]) -> None:
        d["streams"][name] = d["streams"].pop("chat")
        d["teams"]["support"]["serves"] = [name]

    return mutate


def _label(name: str) -> Callable[[dict[str, Any]], None]:
    def mutate(d: dict[str, Any]) -> None:
        del d["teams"]["support"]["agents"]
        shift = {"start": "09:00", "end": "17:00", "agents": 2, "label": name}
        d["teams"]["support"]["roster"] = [shift]

    return mutate


NAMED = {
    "scenario": (lambda name: lambda d: d.update(name=name), "'name'"),
    "stream": (_rename_stream, "'streams."),
    "team": (_rename_team, "'teams."),
    "queue": (lambda name: lambda d: d["streams"]["chat"].update(queue=name), "queue'"),
    "label": (_label, "'teams.support.roster.0.label'"),
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("named", list(NAMED), ids=list(NAMED))
def test_too_long_names(named: str, command: str, write_scenario, small, invoke, leftovers) -> None:
    rename, path = NAMED[named]
    rename("n" * 5000)(small)
    result = invoke(command, write_scenario(small))
    check_refused(result, ["scenario.yaml", path, "at most 100 characters", "shorten"])
    assert len(result.stderr) < 1000  # the name is cut short in the message
    assert leftovers() == []


def test_name_of_100_characters_is_fine(write_scenario, small, invoke) -> None:
    _rename_team("t" * 100)(small)
    small["name"] = "n" * 100
    result = invoke("validate", write_scenario(small))
    assert result.exit_code == 0, result.stderr


ESCAPE = "\x1b[31mred"


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("named", list(NAMED), ids=list(NAMED))
def test_names_with_escape_codes_printed_escaped(
    named: str, command: str, write_scenario, small, invoke, leftovers
) -> None:
    rename, path = NAMED[named]
    rename(ESCAPE)(small)
    result = invoke(command, write_scenario(small))
    check_refused(result, [path, "control characters", "\\x1b[31mred"])
    assert "\x1b" not in result.stderr
    assert leftovers() == []


def test_escape_codes_escaped_in_any_message(write_scenario, small, invoke) -> None:
    """Render escapes them once for every message: here a time zone and an option."""
    small["streams"]["chat"]["profile"] = {"region": "Mars/\x1b[2J", "hourly": [1.0] * 24}
    result = invoke("validate", write_scenario(small))
    check_refused(result, ["time zone", "\\x1b[2j"])
    assert "\x1b" not in result.stderr
    result = invoke("validate", write_scenario(), "--set", "teams.\x1b[2J.agents=3")
    assert result.exit_code == 2 and "\x1b" not in result.stderr


@pytest.mark.parametrize("region", ["Europe", "x" * 300])
def test_time_zone_that_is_a_folder_or_too_long(region: str, write_scenario, small, invoke):
    small["streams"]["chat"]["profile"] = {"region": region, "hourly": [1.0] * 24}
    check_refused(invoke("validate", write_scenario(small)), ["unknown time zone"])


# --------------------------------------------------------------------------- --target


@pytest.mark.parametrize(
    "target, expect",
    [
        ("frt.p90<=1e400min", "longer than 100 years"),
        ("frt.p90<=1e308s", "longer than 100 years"),
        ("frt.p90<=infs", "not a duration"),
        ("abandon_rate<=1e400", "not a finite number"),
        ("counts.resolved>=1e400", "not a finite number"),
        (f"by_stream.{ESCAPE}.frt.p90<=2min", "\\x1b[31mred"),
    ],
    ids=["1e400min", "1e308s", "infs", "share-1e400", "count-1e400", "escape"],
)
def test_hostile_targets(target: str, expect: str, write_scenario, invoke, leftovers) -> None:
    result = invoke("size", write_scenario(), "--team", "support", "--target", target)
    check_refused(result, ["--target", expect])
    assert "\x1b" not in result.stderr
    assert leftovers() == []


@pytest.mark.parametrize("digits", [10, 5000])
def test_grid_range_of_huge_numbers(digits: int, write_scenario, invoke, leftovers) -> None:
    spec = "teams.support.agents=1.." + "9" * digits
    check_refused(invoke("sweep", write_scenario(), "--grid", spec), ["--grid", "too large"])
    assert leftovers() == []


def test_vary_boolean_is_not_a_repeat_of_one(write_scenario, invoke, leftovers) -> None:
    result = invoke("compare", write_scenario(), "--vary", "teams.support.agents=1,true")
    check_refused(result, ["--vary teams.support.agents=true", "not true/false"])
    assert leftovers() == []
