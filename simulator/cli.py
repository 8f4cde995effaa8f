"""The ``staffsim`` command: parse, call the API, print, choose the exit code.

Exit codes are part of the interface: 0 ok, 2 bad input, 1 a bug. Every user
mistake arrives here as a :class:`~simulator.errors.ScenarioError` (a bad file,
field, ``--set`` or ``--out``) or as a click usage error, and leaves as one
message on stderr with exit code 2 and no traceback; the conversion happens in
one place, :class:`StaffsimGroup`. Anything else is a bug and keeps its
traceback. Checks that can fail run *before* the simulation, and the results
folder is written atomically, so bad input never leaves anything behind.

No model logic lives here: the scenario comes from :mod:`simulator.scenario`,
the run from :mod:`simulator.experiment`, files and text from
:mod:`simulator.results_writer`.
"""

from __future__ import annotations

import errno
import hashlib
import re
import sys
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from simulator import processes
from simulator.analysis.headline import headline_table
from simulator.budget import check_compare, check_grid, check_scenarios
from simulator.errors import ScenarioError, printable
from simulator.executor import check_cluster, cluster_address
from simulator.results_folder import claim
from simulator.results_writer import write_results
from simulator.run_info import command_line, staffsim_version
from simulator.scenario.describe import describe_scenario
from simulator.scenario.loader import load_scenario
from simulator.scenario.rates import busiest_and_quietest
from simulator.scenario.shipped import (
    DEFAULT,
    copy_shipped,
    scenario_file,
    shipped_names,
    shipped_scenario,
)

if TYPE_CHECKING:
    from simulator.analysis.report import DrawingZygote
    from simulator.scenario.schema import Scenario

DEFAULT_NAME_LIMIT = 96
"""The longest default results folder name; longer ones are cut and end in a hash."""

# Writing failures that are the machine's state, not a bug: say so, exit 2.
_USER_ERRNOS = {
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.ENOSPC,
    errno.EDQUOT,
    errno.ENOTDIR,
    errno.EEXIST,
    errno.ENOTEMPTY,
    errno.ENAMETOOLONG,
}


class BadInput(click.ClickException):
    """A user's mistake: its text as it stands on stderr, exit code 2."""

    exit_code = 2

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.format_message(), err=True)


class StaffsimGroup(click.Group):
    """Turns every :class:`ScenarioError` raised by a command into :class:`BadInput`, and
    Ctrl-C or SIGTERM into exit 130 or 143 (click alone would say 'Aborted!', exit 1)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ScenarioError as error:
            raise BadInput(error.render()) from None
        except KeyboardInterrupt as interrupt:
            processes.stop(interrupt)


overrides_option = click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="KEY=VALUE",
    help="Change one scenario value by its dotted path, e.g. teams.support.agents=6; a "
    "roster entry by position or label (teams.live.roster.emea.agents=4), a team's head "
    "counts at once (teams.live.headcount_scale=1.2); repeatable, validated like the file.",
)

cluster_option = click.option(
    "--cluster",
    metavar="ADDRESS",
    help="Run replications on a dask.distributed scheduler (e.g. "
    "tcp://host:8786), or 'local' for a local cluster of --jobs workers.",
)

quiet_option = click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="No progress bar and no table; print only the results folder.",
)


def check_cluster_option(cluster: str | None) -> None:
    """Refuse a ``--cluster`` address nobody answers at, before anything simulates."""
    if cluster is not None:
        check_cluster(cluster)


def run_options(
    *,
    out_help: str,
    replications_help: str,
    seed_help: str,
    min_replications: int = 1,
    jobs_help: str = "Replications run in parallel processes.",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The options every simulating command shares: --out, --replications, --seed,
    --jobs and --max-conversations, with help worded for what that command runs."""
    options = [
        click.option("--out", type=click.Path(path_type=Path), help=out_help),
        click.option(
            "--replications",
            "-r",
            type=click.IntRange(min=min_replications),
            help=replications_help,
        ),
        click.option("--seed", type=click.IntRange(min=0), help=seed_help),
        click.option(
            "--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True, help=jobs_help
        ),
        click.option(
            "--max-conversations",
            type=click.IntRange(min=1),
            metavar="N",
            help="Work ceiling: refuse before simulating when more than N conversations in "
            "total would run (default 20,000,000; agents N/20, replications N/1000).",
        ),
    ]

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


strict_option = click.option(
    "--strict",
    is_flag=True,
    help="Treat warnings about the plan (overload, hours nobody covers, ...) as errors: exit 2.",
)


def warn_about_plan(scenario: Scenario, strict: bool, *, source: Path) -> None:
    """Print each warning about the plan on stderr; with ``strict``, refuse the scenario."""
    from simulator.plan_checks import plan_warnings

    warnings = plan_warnings(scenario)
    for line in warnings:
        click.echo(f"warning: {printable(line)}", err=True)
    if strict and warnings:
        raise ScenarioError(
            f"{len(warnings)} warning{'s' * (len(warnings) != 1)} about the plan (above) "
            "and --strict was given",
            source=str(source),
            fix="change the plan, or leave out --strict to run it as it stands",
        )


@click.group(cls=StaffsimGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(staffsim_version(), prog_name="staffsim")
def cli() -> None:
    """Simulate customer-support staffing: conversations, agents, shifts and handoffs."""


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@overrides_option
@strict_option
def validate(scenario: Path, overrides: tuple[str, ...], strict: bool) -> None:
    """Check SCENARIO (a YAML file, or a shipped scenario's name) and print what it
    describes.

    Exit code 0 when valid, 2 when not (with the field path and the fix).
    Plans that look wrong (overload, hours nobody covers) are warned about on
    stderr; --strict makes them exit 2.
    """
    path = scenario_file(scenario)
    loaded = load_scenario(path, overrides)
    warn_about_plan(loaded, strict, source=path)
    click.echo(f"{path}: valid")
    click.echo(describe_scenario(loaded))
    click.echo("arrivals by hour of the week (before surge, rollout and noise)")
    for name, stream in loaded.streams.items():
        click.echo(f"  {printable(name)}: {busiest_and_quietest(stream)}")


@cli.command()
@click.argument("scenario", required=False, type=click.Path(path_type=Path))
@run_options(
    out_help="Results folder (replaced, keeping files staffsim did not write); "
    "default results/<scenario name>/, plus any --set values.",
    replications_help="Number of replications, instead of the file's.",
    seed_help="Root random seed, instead of the file's (none: drawn and recorded).",
)
@cluster_option
@overrides_option
@quiet_option
@click.option(
    "--no-report",
    is_flag=True,
    help="Skip report.html and figures/ (drawing them takes about 2 s on two cores).",
)
@click.option(
    "--csv",
    "csv",
    is_flag=True,
    help="Also write each table as CSV beside its parquet file (conversations.csv, ...).",
)
@strict_option
def run(
    scenario: Path | None,
    out: Path | None,
    replications: int | None,
    seed: int | None,
    jobs: int,
    max_conversations: int | None,
    cluster: str | None,
    overrides: tuple[str, ...],
    quiet: bool,
    no_report: bool,
    csv: bool,
    strict: bool,
) -> None:
    """Run SCENARIO (a YAML file, or a shipped scenario's name as `staffsim scenarios`
    lists it; default: the shipped inbox_launch_tiger, from any folder) and write its
    results.

    Writes summary.json, conversations.parquet, followups.parquet, agents.parquet,
    tickets.parquet (and a .csv of each with --csv), scenario.yaml, run.json,
    report.html (the headline numbers and every figure, one self-contained page),
    figures/*.png and, last, .staffsim-results.json (what it wrote: all a later run
    may replace) into the results folder, then prints the headline numbers.
    """
    path = scenario_file(scenario) if scenario is not None else shipped_scenario(DEFAULT)
    loaded = load_scenario(path, overrides)
    check_scenarios([loaded], replications, max_conversations, source=path)
    warn_about_plan(loaded, strict, source=path)
    out_dir = out if out is not None else default_out_dir(loaded.name, overrides)

    from simulator.experiment import run as run_experiment  # the engine loads only to run

    check_cluster_option(cluster)
    with claim(out_dir), _drawing_ahead(not no_report) as zygote:
        if not quiet:
            count = replications if replications is not None else loaded.replications
            click.echo(
                f"running {count} replication{'s' * (count != 1)} of '{loaded.name}'", err=True
            )
        started_at = datetime.now(UTC)
        result = run_experiment(
            loaded,
            replications=replications,
            seed=seed,
            jobs=jobs,
            cluster=cluster,
            progress=not quiet and sys.stderr.isatty(),
        )
        if not quiet and not no_report:
            click.echo("drawing the report (--no-report skips it)", err=True)
        _finish(
            lambda: write_results(
                result,
                out_dir,
                jobs=jobs,
                started_at=started_at,
                command=command_line(),
                report=not no_report,
                csv=csv,
                zygote=zygote,
            ),
            out_dir,
            quiet,
            lambda: headline_table(result.summary, result.scenario),
        )


def _drawing_ahead(report: bool) -> AbstractContextManager[DrawingZygote | None]:
    """The report's drawing process, started now to load matplotlib while the run
    simulates; nothing (and no import) without a report."""
    if not report:
        return nullcontext()
    from simulator.analysis.report import drawing_zygote

    return drawing_zygote()


@cli.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--vary",
    multiple=True,
    metavar="KEY=V1,V2",
    help="Compare variants of one scenario, e.g. handoff.policy=handback,ownership "
    "or teams.support.agents=4..6; the first value is the baseline.",
)
@run_options(
    out_help="Results folder (replaced, keeping files staffsim did not write); "
    "default results/compare-<baseline>/, plus any --set values.",
    replications_help="Replications per variant, instead of the baseline file's.",
    seed_help="Root random seed shared by every variant (none: the baseline's, or drawn).",
    min_replications=2,
)
@cluster_option
@overrides_option
@quiet_option
def compare(
    scenarios: tuple[Path, ...],
    vary: tuple[str, ...],
    out: Path | None,
    replications: int | None,
    seed: int | None,
    jobs: int,
    max_conversations: int | None,
    cluster: str | None,
    overrides: tuple[str, ...],
    quiet: bool,
) -> None:
    """Compare two or more SCENARIOS, or one with --vary, on the same customers.

    Every variant runs with the same seed (common random numbers); each headline
    statistic is reported per variant with the difference from the first (the
    baseline), its paired 95% interval, the unpaired interval independent runs
    would give, and * where the paired interval excludes zero. Writes
    compare.json, figures/compare.png, scenarios/ and run.json.
    """
    from simulator.decisions.compare import compare as compare_variants
    from simulator.decisions.compare import compare_table, write_compare

    if len(vary) > 1:
        raise ScenarioError(
            "compare varies one key at a time",
            source="--vary",
            fix="give one --vary KEY=V1,V2; for a grid of several keys use "
            "staffsim sweep --grid ... --grid ...",
        )
    baseline = load_scenario(scenarios[0], overrides)
    check_compare(baseline, scenarios, vary, overrides, replications, max_conversations)
    check_cluster_option(cluster)
    out_dir = out if out is not None else default_out_dir(f"compare-{baseline.name}", overrides)
    with claim(out_dir):
        started_at = datetime.now(UTC)
        result = compare_variants(
            list(scenarios),
            vary=vary[0] if vary else None,
            overrides=overrides,
            replications=replications,
            seed=seed,
            jobs=jobs,
            cluster=cluster,
            progress=not quiet and sys.stderr.isatty(),
        )
        _finish(
            lambda: write_compare(result, out_dir, started_at=started_at, command=command_line()),
            out_dir,
            quiet,
            lambda: compare_table(result),
        )


def _finish(
    write: Callable[[], object], out_dir: Path, quiet: bool, table: Callable[[], str]
) -> None:
    """The end of every simulating command: write the results folder, print the
    table (unless ``quiet``) and a blank line, then the folder."""
    _write_or_explain(write, out_dir)
    if not quiet:
        click.echo(table())
        click.echo()
    click.echo(f"results: {out_dir}")


def _write_or_explain(write: Any, out_dir: Path) -> None:
    """Call ``write()``; a full disk or a read-only folder is the user's to fix (exit 2)."""
    try:
        write()
    except OSError as error:
        if error.errno not in _USER_ERRNOS:
            raise
        raise ScenarioError(
            f"cannot write the results ({error.strerror})",
            source=f"--out {out_dir}",
            fix="choose a folder you can write to, with free space",
        ) from None


def default_out_dir(name: str, overrides: Iterable[str] = ()) -> Path:
    """``results/<name>/``, with the name made safe as one folder name. ``--set``
    overrides go into the name, so a changed run never replaces the baseline's
    folder; a name longer than :data:`DEFAULT_NAME_LIMIT` is cut and ends in a hash."""
    full = "--".join([name, *(f"set-{o}" for o in overrides)])
    safe = re.sub(r"[^A-Za-z0-9._=,+-]+", "-", full).strip(".-") or "scenario"
    if len(safe) > DEFAULT_NAME_LIMIT:
        digest = hashlib.sha1(full.encode()).hexdigest()[:8]
        safe = safe[: DEFAULT_NAME_LIMIT - 9].rstrip(".-") + "-" + digest
    return Path("results") / safe


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option(
    "--grid",
    "grid",
    multiple=True,
    required=True,
    metavar="KEY=V1,V2",
    help="A key and its values, e.g. teams.support.agents=4..12 (ends included; "
    "4..12..2 steps by 2) or handoff.policy=handback,ownership; repeatable, "
    "every combination runs.",
)
@run_options(
    out_help="Results folder (replaced, keeping files staffsim did not write); "
    "default results/sweep-<scenario>/, plus any --set values.",
    replications_help="Replications per grid point, instead of the file's.",
    seed_help="Root random seed shared by every point (none: the file's, or drawn).",
    jobs_help="Points and replications run in parallel processes.",
)
@click.option(
    "--metric",
    "metrics",
    multiple=True,
    metavar="STAT",
    help="Statistic to plot and print by its summary.json path, e.g. frt_s.p90, "
    "frt_s.within_target, by_team.NAME.occupancy; repeatable "
    "(default frt_s.p90 and abandon_rate).",
)
@cluster_option
@overrides_option
@quiet_option
def sweep(
    scenario: Path,
    grid: tuple[str, ...],
    out: Path | None,
    replications: int | None,
    seed: int | None,
    jobs: int,
    max_conversations: int | None,
    cluster: str | None,
    metrics: tuple[str, ...],
    overrides: tuple[str, ...],
    quiet: bool,
) -> None:
    """Run SCENARIO at every point of a grid of values (--grid, repeatable).

    Every point runs with the same seed, so a point's numbers equal a plain
    ``staffsim run`` of it. Writes sweep.parquet (one row per point and
    replication), sweep.json (a summary per point), sweep_points.parquet,
    figures/ (each --metric against the first grid key) and run.json.
    """
    from simulator.decisions.sweep import DEFAULT_METRICS, sweep_table, write_sweep
    from simulator.decisions.sweep import sweep as sweep_grid
    from simulator.statistics.metric_names import resolve_metric

    base = load_scenario(scenario, overrides)
    chosen = list(metrics) or list(DEFAULT_METRICS)
    for metric in chosen:
        resolve_metric(metric, base.streams, base.teams)
    check_grid(base, scenario, grid, overrides, replications, max_conversations)
    check_cluster_option(cluster)
    out_dir = out if out is not None else default_out_dir(f"sweep-{base.name}", overrides)
    with claim(out_dir):
        started_at = datetime.now(UTC)
        result = sweep_grid(
            scenario,
            list(grid),
            overrides=overrides,
            replications=replications,
            seed=seed,
            jobs=jobs,
            cluster=cluster,
            progress=not quiet and sys.stderr.isatty(),
        )
        _finish(
            lambda: write_sweep(
                result, out_dir, metrics=chosen, started_at=started_at, command=command_line()
            ),
            out_dir,
            quiet,
            lambda: sweep_table(result, chosen),
        )


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--team", required=True, help="The team to size, by its name in the scenario.")
@click.option(
    "--target",
    required=True,
    metavar="EXPR",
    help="Statistic, comparison and value, e.g. 'frt.within_target>=0.8', "
    "'frt.p90<=2min', 'abandon_rate<=0.05', 'by_stream.chat.frt.p90<=2min'.",
)
@click.option(
    "--per-interval",
    metavar="DURATION",
    help="Meet the target in every interval of the week (e.g. 1h): size an "
    "agents-needed curve instead of one head count.",
)
@click.option(
    "--confidence",
    default="0.95",
    show_default=True,
    metavar="LEVEL",
    help="The end of the interval at this level must meet the target; 'none' "
    "sizes on the mean over replications.",
)
@run_options(
    out_help="Results folder (replaced, keeping files staffsim did not write); "
    "default results/size-<scenario>/, plus any --set values.",
    replications_help="Replications per candidate, instead of the file's.",
    seed_help="Root random seed shared by every candidate (none: the file's, or drawn).",
)
@cluster_option
@overrides_option
@quiet_option
def size(
    scenario: Path,
    team: str,
    target: str,
    per_interval: str | None,
    confidence: str,
    out: Path | None,
    replications: int | None,
    seed: int | None,
    jobs: int,
    max_conversations: int | None,
    cluster: str | None,
    overrides: tuple[str, ...],
    quiet: bool,
) -> None:
    """Find the smallest head count of --team that meets --target in SCENARIO.

    Starts from Erlang C (Erlang A with patience, concurrency taken into
    account), refines by simulation with the same customers for every
    candidate, and prints both answers side by side with why they differ.
    Writes size.json, summary.json, scenario.yaml (the sized scenario),
    figures/size_heatmap.png and run.json.
    """
    from simulator.decisions.sizing.size import parse_confidence
    from simulator.decisions.sizing.size import size as size_team
    from simulator.decisions.sizing.size_report import report_text, write_size

    loaded = load_scenario(scenario, overrides)
    level = parse_confidence(confidence)
    scope = " for each candidate head count"
    check_scenarios([loaded], replications, max_conversations, source=scenario, scope=scope)
    check_cluster_option(cluster)
    out_dir = out if out is not None else default_out_dir(f"size-{loaded.name}", overrides)
    with claim(out_dir):
        started_at = datetime.now(UTC)
        with cluster_address(cluster, jobs) as address:  # one local cluster for every candidate
            result = size_team(
                loaded,
                team=team,
                target=target,
                per_interval=per_interval,
                confidence=level,
                replications=replications,
                seed=seed,
                jobs=jobs,
                cluster=address,
                progress=not quiet and sys.stderr.isatty(),
            )
        _finish(
            lambda: write_size(result, out_dir, started_at=started_at, command=command_line()),
            out_dir,
            quiet,
            lambda: report_text(result),
        )


@cli.command("roster")
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--team", required=True, help="The team to roster, by its name in the scenario.")
@click.option(
    "--target",
    required=True,
    metavar="EXPR",
    help="Statistic, comparison and value, as for size, e.g. 'frt.within_target>=0.8'.",
)
@click.option(
    "--shifts",
    required=True,
    type=click.Path(path_type=Path),
    help="Shift templates (YAML): the starts, lengths and days the team's people can work.",
)
@click.option(
    "--interval",
    default="1h",
    show_default=True,
    metavar="DURATION",
    help="The intervals of the week the requirement is set in (15min to 24h).",
)
@click.option(
    "--interval-target",
    type=click.FloatRange(min=0.0, max=1.0, min_open=True),
    metavar="SHARE",
    help="Also meet the target in at least this share of intervals, e.g. 0.9.",
)
@click.option(
    "--rounds",
    type=click.IntRange(min=1, max=50),
    default=3,
    show_default=True,
    help="Simulated rounds at most (solve, simulate, raise where missed).",
)
@click.option(
    "--confidence",
    default="0.95",
    show_default=True,
    metavar="LEVEL",
    help="The end of the interval at this level must meet the target; 'none': the mean.",
)
@run_options(
    out_help="Results folder (replaced, keeping files staffsim did not write); "
    "default results/roster-<scenario>/, plus any --set values.",
    replications_help="Replications per round, instead of the file's.",
    seed_help="Root random seed shared by every round (none: the file's, or drawn).",
)
@cluster_option
@overrides_option
@quiet_option
def roster(
    scenario: Path,
    team: str,
    target: str,
    shifts: Path,
    interval: str,
    interval_target: float | None,
    rounds: int,
    confidence: str,
    out: Path | None,
    replications: int | None,
    seed: int | None,
    jobs: int,
    max_conversations: int | None,
    cluster: str | None,
    overrides: tuple[str, ...],
    quiet: bool,
) -> None:
    """Choose how many agents of --team work each shift of --shifts to meet --target.

    The formula gives agents needed per interval of the week; an integer program
    staffs the shift templates to cover it at least cost; the roster is simulated
    (the same customers every round) and intervals that miss get more. Writes
    roster.yaml (a drop-in roster), roster.json, summary.json, scenario.yaml,
    figures/roster.png and run.json.
    """
    from simulator.decisions.roster.roster import roster as roster_team
    from simulator.decisions.roster.roster_report import report_text, write_roster
    from simulator.decisions.roster.shift_templates import load_templates

    loaded = load_scenario(scenario, overrides)
    scope = " for each round (and once for the team's own roster)"
    check_scenarios([loaded], replications, max_conversations, source=scenario, scope=scope)
    templates = load_templates(shifts)
    check_cluster_option(cluster)
    out_dir = out if out is not None else default_out_dir(f"roster-{loaded.name}", overrides)
    with claim(out_dir):
        started_at = datetime.now(UTC)
        with cluster_address(cluster, jobs) as address:  # one local cluster for every round
            result = roster_team(
                loaded,
                team=team,
                target=target,
                shifts=templates,
                interval=interval,
                interval_target=interval_target,
                rounds=rounds,
                confidence=confidence,
                replications=replications,
                seed=seed,
                jobs=jobs,
                cluster=address,
                progress=not quiet and sys.stderr.isatty(),
            )
        _finish(
            lambda: write_roster(result, out_dir, started_at=started_at, command=command_line()),
            out_dir,
            quiet,
            lambda: report_text(result),
        )


@cli.command("table")
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
@run_options(
    out_help="Also write the table to this Markdown file (replaced atomically).",
    replications_help="Replications per scenario, instead of the first file's.",
    seed_help="Root random seed shared by every scenario (none: the first file's, or drawn).",
)
@cluster_option
@overrides_option
def table(
    scenarios: tuple[Path, ...],
    out: Path | None,
    replications: int | None,
    seed: int | None,
    jobs: int,
    max_conversations: int | None,
    cluster: str | None,
    overrides: tuple[str, ...],
) -> None:
    """Run each of SCENARIOS with the same seed and print one Markdown table of their
    headline numbers: a row per scenario (and per stream when it has several),
    every cell the mean over replications with its 95% interval."""
    from tqdm import tqdm

    from simulator.analysis.scenario_table import (
        caption,
        check_out_file,
        scenario_table,
        to_markdown,
        write_text_atomic,
    )
    from simulator.experiment import run as run_experiment
    from simulator.rng import replications_and_seed

    loaded = [load_scenario(path, overrides) for path in scenarios]
    check_scenarios(loaded, replications, max_conversations, source=scenarios[0])
    if out is not None:
        check_out_file(out)
    check_cluster_option(cluster)
    count, root = replications_and_seed(loaded[0], replications, seed)
    results = []
    terminal = sys.stderr.isatty()
    with (
        cluster_address(cluster, jobs) as address,  # one local cluster for every scenario
        tqdm(total=len(loaded), unit="scenario", disable=not terminal, leave=False) as bar,
    ):
        for scenario in loaded:
            bar.write(
                f"running {count} replication{'s' * (count != 1)} of '{printable(scenario.name)}' "
                f"(seed {root})",
                file=sys.stderr,
            )
            results.append(
                run_experiment(
                    scenario,
                    replications=count,
                    seed=root,
                    jobs=jobs,
                    cluster=address,
                    progress=terminal,
                )
            )
            bar.update()
    text = to_markdown(scenario_table(results)) + "\n\n" + caption(results) + "\n"
    if out is not None:
        _write_or_explain(lambda: write_text_atomic(text, out), out)
    click.echo(text, nl=False)
    if out is not None:
        click.echo(f"table: {out}", err=True)


@cli.command("scenarios")
def scenarios_command() -> None:
    """List the scenarios staffsim ships, one line each; `staffsim init NAME` copies one
    here to edit, `staffsim run` with no file runs the default."""
    names = shipped_names()
    width = max(len(name) for name in names)
    for name in names:
        description = load_scenario(shipped_scenario(name)).description or ""
        mark = " (default)" if name == DEFAULT else ""
        click.echo(f"{name:<{width}}  {printable(description)}{mark}".rstrip())


@cli.command("init")
@click.argument("name")
@click.option(
    "--to",
    type=click.Path(path_type=Path),
    help="Where to write the copy: a file, or a folder to put NAME.yaml in (default ./NAME.yaml).",
)
def init(name: str, to: Path | None) -> None:
    """Copy the shipped scenario NAME (see `staffsim scenarios`) here to edit; never
    replaces a file (exit 2)."""
    copied = copy_shipped(name, to)
    click.echo(
        f"wrote {copied}; edit it, then: staffsim validate {copied} && staffsim run {copied}"
    )


# --------------------------------------------------------------------------- from history


@cli.command("export-log")
@click.argument("results_dir", type=click.Path(path_type=Path))
@click.option(
    "--out", required=True, type=click.Path(path_type=Path), help="The contact log CSV to write."
)
@click.option(
    "--replication",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Which replication of the run becomes the log.",
)
def export_log(results_dir: Path, out: Path, replication: int) -> None:
    """Write one replication of the run in RESULTS_DIR as a contact log CSV.

    Resolved conversations become answered contacts (answered_at = picked up),
    abandoned and deflected keep their outcome; times are ISO 8601 in UTC with
    an offset, with the agent and stream of each contact. Conversations still
    open at the horizon have no outcome yet: they are left out and counted.
    """
    from simulator.history.export import export_log as export

    written: list[Any] = []
    _write_or_explain(
        lambda: written.append(export(results_dir, out, replication=replication)), out
    )
    exported = written[0]
    click.echo(f"log: {exported.path} ({exported.contacts} contacts)")
    if exported.open_left_out:
        click.echo(
            f"note: {exported.open_left_out} conversations still open at the horizon "
            "were left out (they have no outcome yet)",
            err=True,
        )


@cli.command("fit")
@click.argument("log", type=click.Path(path_type=Path))
@click.option(
    "--out", required=True, type=click.Path(path_type=Path), help="The scenario YAML to write."
)
@click.option(
    "--report",
    "report_dir",
    type=click.Path(path_type=Path),
    help="Folder for fit.json, fit.png and run.json (replaced as a whole); "
    "default: beside --out, named after it with -fit (fitted.yaml -> fitted-fit/).",
)
@click.option("--tz", default="UTC", show_default=True, help="Zone of times without an offset.")
@click.option("--region", help="Wall clock of the fitted profile and roster (default: --tz).")
@click.option(
    "--columns",
    metavar="NAME=COLUMN,...",
    help="The log's names for our columns, e.g. arrived_at=q_start,outcome=result.",
)
@click.option("--interval", default="15min", show_default=True, help="Staffing interval.")
@click.option(
    "--session-gap",
    default="15min",
    show_default=True,
    help="A longer break between an agent's contacts ends a working session.",
)
@click.option(
    "--wrap-up",
    "wrap_up",
    default="auto",
    show_default=True,
    metavar="auto|DURATION|none",
    help="After-contact work: fitted from the log, a fixed duration, or none.",
)
@click.option("--one-team", is_flag=True, help="One team serves every stream.")
@click.option(
    "--by",
    type=click.Choice(["weekday", "date"]),
    default="weekday",
    show_default=True,
    help="Staffing per slot of the week (the mean over the weeks), or per interval of "
    "the log's dates (a CSV beside --out).",
)
@click.option(
    "--arrivals",
    type=click.Choice(["rate", "trace"]),
    default="rate",
    show_default=True,
    help="A fitted rate model, or replay the log's own arrivals (a CSV beside --out).",
)
@click.option(
    "--skip-bad-rows",
    is_flag=True,
    help="Leave unusable rows out (counted by reason in the report) instead of stopping.",
)
@click.option("--name", help="The fitted scenario's name (default: fitted-<log name>).")
@quiet_option
def fit_command(
    log: Path,
    out: Path,
    report_dir: Path | None,
    tz: str,
    region: str | None,
    columns: str | None,
    interval: str,
    session_gap: str,
    wrap_up: str,
    one_team: bool,
    by: str,
    arrivals: str,
    skip_bad_rows: bool,
    name: str | None,
    quiet: bool,
) -> None:
    """Fit a scenario to the contact log LOG (CSV, one row per contact) and write it.

    Arrivals (weekly rate, hour-of-week profile, daily noise), handle time,
    patience (from censored waits), wrap-up, teams (streams grouped by the
    agents who answer them) and their staffing (agents on duty, time-weighted,
    per slot of the week or per interval by date). Writes the scenario to --out
    (any CSV it names beside it), and fit.json (every number with its sample
    size), fit.png and run.json to the report folder.
    """
    import time

    from simulator.analysis.scenario_table import check_out_file
    from simulator.history.fit import fit
    from simulator.history.fit_report import default_report_dir, fit_table, write_fit

    report = report_dir if report_dir is not None else default_report_dir(out)
    check_out_file(out)
    with claim(report):
        started_at = datetime.now(UTC)
        began = time.perf_counter()
        result = fit(
            log,
            tz=tz,
            region=region,
            columns=columns,
            interval=interval,
            session_gap=session_gap,
            wrap_up=None if wrap_up.lower() == "none" else wrap_up,
            one_team=one_team,
            allow_bad_rows=skip_bad_rows,
            name=name,
            by=by,
            arrivals=arrivals,
        )
        _write_or_explain(
            lambda: write_fit(
                result,
                out,
                report,
                started_at=started_at,
                command=command_line(),
                wall_time_s=time.perf_counter() - began,
            ),
            out,
        )
    if not quiet:
        click.echo(fit_table(result))
        click.echo()
    click.echo(f"scenario: {out}")
    click.echo(f"report: {report}")


@cli.command("backtest")
@click.argument("scenario", type=click.Path(path_type=Path))
@click.argument("log", type=click.Path(path_type=Path))
@run_options(
    out_help="Results folder (replaced, keeping files staffsim did not write); "
    "default results/backtest-<scenario name>/, plus any --set values.",
    replications_help="Replications, instead of the scenario file's.",
    seed_help="Root random seed, instead of the file's (none: drawn and recorded).",
)
@click.option(
    "--warmup", default="0s", show_default=True, help="Leave the log's first stretch out."
)
@click.option("--tz", default="UTC", show_default=True, help="Zone of times without an offset.")
@click.option(
    "--region", help="Wall clock of days and hours (default: the scenario's profile region)."
)
@click.option(
    "--columns",
    metavar="NAME=COLUMN,...",
    help="The log's names for our columns, e.g. arrived_at=q_start,outcome=result.",
)
@click.option(
    "--skip-bad-rows",
    is_flag=True,
    help="Leave unusable rows out (counted by reason) instead of stopping.",
)
@overrides_option
@quiet_option
def backtest_command(
    scenario: Path,
    log: Path,
    out: Path | None,
    replications: int | None,
    seed: int | None,
    jobs: int,
    max_conversations: int | None,
    warmup: str,
    tz: str,
    region: str | None,
    columns: str | None,
    skip_bad_rows: bool,
    overrides: tuple[str, ...],
    quiet: bool,
) -> None:
    """Run SCENARIO over the period of the contact log LOG and compare, hour by hour.

    Abandonment, mean queue wait, share that waited and contacts served, observed
    against simulated (mean and 95% interval over replications) and against Erlang A
    per hour from the same inputs; by hour of day, hour of week and date and hour.
    Writes backtest.json, backtest.png and run.json, and prints the mean absolute
    errors per date and hour.
    """
    from simulator.history.backtest import backtest
    from simulator.history.backtest_report import mae_table, write_backtest
    from simulator.units import parse_duration

    loaded = load_scenario(scenario, overrides)
    out_dir = out if out is not None else default_out_dir(f"backtest-{loaded.name}", overrides)
    try:
        warmup_s = parse_duration(warmup)
    except ValueError as error:
        raise ScenarioError(str(error), source="--warmup") from None

    def check_work(over_the_log: Scenario) -> None:
        check_scenarios([over_the_log], replications, max_conversations, source=scenario)

    with claim(out_dir):
        started_at = datetime.now(UTC)
        result = backtest(
            loaded,
            log,
            tz=tz,
            region=region,
            columns=columns,
            replications=replications,
            seed=seed,
            jobs=jobs,
            warmup=warmup_s,
            allow_bad_rows=skip_bad_rows,
            progress=not quiet and sys.stderr.isatty(),
            check_work=check_work,
        )
        _finish(
            lambda: write_backtest(result, out_dir, started_at=started_at, command=command_line()),
            out_dir,
            quiet,
            lambda: mae_table(result),
        )


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (``staffsim`` and ``python -m simulator``)."""
    with processes.interruptible():
        cli.main(args=argv, prog_name="staffsim")
