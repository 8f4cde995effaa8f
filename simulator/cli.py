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
:mod:`simulator.output`.
"""

from __future__ import annotations

import errno
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import click

from simulator.errors import ScenarioError
from simulator.output import (
    check_out_dir,
    command_line,
    describe_scenario,
    headline_table,
    staffsim_version,
    write_results,
)
from simulator.scenario.loader import load_scenario

DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "default.yaml"
"""The shipped scenario ``staffsim run`` uses when given none (the package is
installed editable, so the repository's ``scenarios/`` sits beside it)."""

# Writing failures that are the machine's state, not a bug: say so, exit 2.
_USER_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT,
                errno.ENOTDIR, errno.EEXIST, errno.ENOTEMPTY}


class BadInput(click.ClickException):
    """A user's mistake: its text as it stands on stderr, exit code 2."""

    exit_code = 2

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.format_message(), err=True)


class StaffsimGroup(click.Group):
    """Turns every :class:`ScenarioError` raised by a command into :class:`BadInput`."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ScenarioError as error:
            raise BadInput(error.render()) from None


overrides_option = click.option(
    "--set", "overrides", multiple=True, metavar="KEY=VALUE",
    help="Change one scenario value by its dotted path, e.g. teams.support.agents=6; "
         "repeatable, validated like the file.")


@click.group(cls=StaffsimGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(staffsim_version(), prog_name="staffsim")
def cli() -> None:
    """Simulate customer-support staffing: conversations, agents, shifts and handoffs."""


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@overrides_option
def validate(scenario: Path, overrides: tuple[str, ...]) -> None:
    """Check SCENARIO (a YAML file) and print what it describes.

    Exit code 0 when valid, 2 when not (with the field path and the fix).
    """
    loaded = load_scenario(scenario, overrides)
    click.echo(f"{scenario}: valid")
    click.echo(describe_scenario(loaded))


@cli.command()
@click.argument("scenario", required=False, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path),
              help="Results folder (replaced as a whole); default results/<scenario name>/.")
@click.option("--replications", "-r", type=click.IntRange(min=1),
              help="Number of replications, instead of the file's.")
@click.option("--seed", type=click.IntRange(min=0),
              help="Root random seed, instead of the file's (none: drawn and recorded).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Replications run in parallel processes.")
@overrides_option
@click.option("--quiet", "-q", is_flag=True,
              help="No progress bar and no table; print only the results folder.")
def run(scenario: Path | None, out: Path | None, replications: int | None, seed: int | None,
        jobs: int, overrides: tuple[str, ...], quiet: bool) -> None:
    """Run SCENARIO (default: the shipped scenarios/default.yaml) and write its results.

    Writes summary.json, conversations.parquet, followups.parquet, scenario.yaml
    and run.json into the results folder, then prints the headline numbers.
    """
    loaded = load_scenario(scenario if scenario is not None else default_scenario(), overrides)
    out_dir = out if out is not None else default_out_dir(loaded.name)
    check_out_dir(out_dir)

    from simulator.experiment import run as run_experiment  # the engine loads only to run

    if not quiet:
        count = replications if replications is not None else loaded.replications
        click.echo(f"running {count} replication{'s' * (count != 1)} of '{loaded.name}'",
                   err=True)
    started_at = datetime.now(UTC)
    result = run_experiment(loaded, replications=replications, seed=seed, jobs=jobs,
                            progress=not quiet and sys.stderr.isatty())
    try:
        write_results(result, out_dir, jobs=jobs, started_at=started_at,
                      command=command_line())
    except OSError as error:
        if error.errno not in _USER_ERRNOS:
            raise
        raise ScenarioError(f"cannot write the results ({error.strerror})",
                            source=f"--out {out_dir}",
                            fix="choose a folder you can write to, with free space") from None
    if not quiet:
        click.echo(headline_table(result.summary))
        click.echo()
    click.echo(f"results: {out_dir}")


def default_scenario() -> Path:
    """The shipped default scenario; a clear error if this installation lacks it."""
    if not DEFAULT_SCENARIO.is_file():
        raise ScenarioError("the shipped default scenario is missing from this installation",
                            source=str(DEFAULT_SCENARIO),
                            fix="name a scenario file: staffsim run SCENARIO.yaml")
    return DEFAULT_SCENARIO


def default_out_dir(name: str) -> Path:
    """``results/<name>/``, with the name made safe as one folder name."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-") or "scenario"
    return Path("results") / safe


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (``staffsim`` and ``python -m simulator``)."""
    cli.main(args=argv, prog_name="staffsim")
