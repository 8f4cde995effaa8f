"""``staffsim validate``: exit 0 for a valid file, and it says what it found."""

from __future__ import annotations

from simulator.scenario.shipped import shipped_folder

ROSTERED = """\
name: follow-the-sun
horizon: 2w
warmup: 1d
replications: 5
seed: 3
streams:
  chat:
    per_hour: 30
    profile: {region: Europe/Dublin, hourly: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                             2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1]}
    conversation:
      handle: {dist: lognormal, mean: 90s, cv: 0.8}
      exchanges: {dist: geometric, mean: 3}
      reply_delay: {dist: lognormal, mean: 2min, cv: 1.0}
  email:
    per_hour: 4
    queue: inbox
    conversation:
      handle: {dist: fixed, value: 6min}
teams:
  live:
    concurrency: 3
    attention: shared
    efficiency: [1.0, 0.8, 0.7]
    serves: [chat, inbox]
    roster:
      - {label: emea, region: Europe/Dublin, days: Mon-Fri, start: "09:00", end: "17:00", agents: 3}
      - {region: America/New_York, days: [Sat, Sun], start: "22:00", end: "30:00", agents: 1}
    handoff: {policy: ownership, intake_cutoff: 15min, max_overtime: 1h}
  email:
    agents: 2
    serves: [inbox]
handoff:
  policy: handback
  reread: {base: 1min, per_exchange: 20s}
"""


def test_valid_file_exits_0_and_describes_it(write_scenario, invoke) -> None:
    path = write_scenario()
    result = invoke("validate", path)
    assert result.exit_code == 0, result.stderr
    # The tiny plan is overloaded (patience keeps it finite) and its FRT target is
    # below the first reply: warnings, which leave the exit code alone.
    assert [line.split(":")[0] for line in result.stderr.splitlines()] == ["warning"] * 2
    out = result.stdout
    assert f"{path}: valid" in out
    for expected in (
        "tiny",
        "horizon       8h",
        "warmup        1h",
        "replications  2 (seed 1)",
        "chat: 20/h, queue chat",
        "patience exponential mean 5min",
        "support: 2 agents, concurrency 1, attention serial, serves chat",
        "handoff       handback",
    ):
        assert expected in out, f"{expected!r} missing from:\n{out}"


def test_rosters_queues_and_handoff_are_listed(write_scenario, invoke) -> None:
    result = invoke("validate", write_scenario(ROSTERED))
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for expected in (
        "name          follow-the-sun",
        "streams (2)",
        "email: 4/h, queue inbox, handle 6min",
        "profile (Europe/Dublin)",
        "live: roster of 2 entries, concurrency 3, attention shared (efficiency 1, 0.8, 0.7), "
        "serves chat, inbox",
        "- emea: 3 agents, Mon-Fri 09:00-17:00 Europe/Dublin",
        "- 1 agent, Sat,Sun 22:00-30:00 America/New_York",
        "handoff: ownership (intake cutoff 15min, max overtime 1h, then handback)",
        "handoff       handback (reread 1min + 20s per exchange)",
    ):
        assert expected in out, f"{expected!r} missing from:\n{out}"


def test_set_is_applied_and_shown(write_scenario, invoke) -> None:
    result = invoke(
        "validate",
        write_scenario(),
        "--set",
        "teams.support.agents=7",
        "--set",
        "handoff.policy=ownership",
    )
    assert result.exit_code == 0, result.stderr
    assert "support: 7 agents" in result.stdout
    assert "handoff       ownership" in result.stdout


def test_validate_writes_nothing(write_scenario, invoke, leftovers) -> None:
    assert invoke("validate", write_scenario()).exit_code == 0
    assert leftovers() == []


def test_shipped_scenarios_validate(invoke) -> None:
    shipped = sorted(shipped_folder().glob("*.yaml"))
    assert len(shipped) >= 7
    for path in shipped:
        result = invoke("validate", path)
        assert result.exit_code == 0, f"{path}:\n{result.stderr}"


def test_an_owner_who_continues_in_the_inbox_is_described(invoke) -> None:
    result = invoke("validate", shipped_folder() / "live_chat_and_inbox.yaml")
    assert result.exit_code == 0, result.stderr
    assert "then wait_for_owner in inbox)" in result.stdout


def test_real_process_valid_file(write_scenario, run_module) -> None:
    done = run_module("validate", write_scenario())
    assert done.returncode == 0, done.stderr
    assert "valid" in done.stdout


def test_help_and_version(invoke) -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    assert "validate" in result.stdout and "run" in result.stdout
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("staffsim")


def test_warnings_go_to_stderr_and_strict_makes_them_exit_2(write_scenario, small, invoke) -> None:
    path = write_scenario()
    strict = invoke("validate", path, "--strict")
    assert strict.exit_code == 2
    assert "offered load above staffed capacity" in strict.stderr
    assert "2 warnings about the plan (above) and --strict was given" in strict.stderr
    small["teams"]["support"]["agents"] = 4
    small["targets"]["frt"] = "10min"
    calm = invoke("validate", write_scenario(small), "--strict")
    assert calm.exit_code == 0, calm.stderr
    assert calm.stderr == ""


def test_validate_prints_the_busiest_and_quietest_hour(write_scenario, small, invoke) -> None:
    del small["streams"]["chat"]["per_hour"]
    small["streams"]["chat"]["per_open_hour"] = 60
    small["streams"]["chat"]["profile"] = {"region": "America/New_York", "days": {"Sat": 1}}
    result = invoke("validate", write_scenario(small))
    assert result.exit_code == 0, result.stderr
    assert "chat: 8.57143/h" in result.stdout  # per_hour: 60 over 24 of 168 hours
    assert (
        "  chat: busiest Sat 00:00 (60/h), quietest Mon 00:00 (0/h), America/New_York"
        in result.stdout
    )
