"""The scenarios staffsim ships, wherever it is installed.

They live in the repository's ``scenarios/`` folder (where a clone, the README and
the tests use them) and a wheel carries the same files inside the package as
``simulator/shipped_scenarios/`` (see ``setup.py``), so ``staffsim run`` with no
file, ``staffsim scenarios`` and ``staffsim init`` work from any folder after
``pip install .`` as well as from a checkout.
"""

from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

from simulator.errors import ScenarioError
from simulator.scenario.references import closest_hint

DEFAULT = "inbox_launch_tiger"
"""The scenario ``staffsim run`` runs when given none."""


def shipped_folder() -> Path:
    """The folder holding the shipped scenarios: the installed package's copy, or the
    checkout's ``scenarios/`` beside the package (an editable install or a clone)."""
    packaged = Path(str(files("simulator"))) / "shipped_scenarios"
    checkout = Path(__file__).resolve().parents[2] / "scenarios"
    for folder in (packaged, checkout):
        if (folder / f"{DEFAULT}.yaml").is_file():
            return folder
    raise ScenarioError(
        "the shipped scenarios are missing from this installation",
        source=str(packaged),
        fix="reinstall staffsim (pip install .), or name a scenario file: staffsim run FILE.yaml",
    )


def shipped_names() -> list[str]:
    """The shipped scenarios by name (file name without ``.yaml``), sorted."""
    return sorted(path.stem for path in shipped_folder().glob("*.yaml"))


def shipped_scenario(name: str) -> Path:
    """The file of the shipped scenario ``name`` (``.yaml`` optional)."""
    stem = name.removesuffix(".yaml")
    names = shipped_names()
    if stem not in names:
        raise ScenarioError(
            f"there is no shipped scenario '{name}'",
            source="staffsim init",
            fix=closest_hint(stem, names) + "staffsim scenarios lists them: " + ", ".join(names),
        )
    return shipped_folder() / f"{stem}.yaml"


def scenario_file(given: Path) -> Path:
    """The file a command reads for ``given``: the path itself when it exists, or
    ``NAME.yaml`` here for a bare ``NAME`` (a file always wins: ``staffsim init``'s
    edited copy runs by the same name), else the shipped scenario of that name, so a
    shipped scenario runs by name from any folder."""
    if given.exists() or given.parent != Path():
        return given
    stem = given.name.removesuffix(".yaml")
    if Path(f"{stem}.yaml").is_file():
        return Path(f"{stem}.yaml")
    return shipped_folder() / f"{stem}.yaml" if stem in shipped_names() else given


def copy_shipped(name: str, to: Path | None = None) -> Path:
    """Copy the shipped scenario ``name`` to ``to`` (default ``NAME.yaml`` here; a folder
    gets ``NAME.yaml`` inside) and return the new file; never replaces a file."""
    source = shipped_scenario(name)
    target = Path(source.name) if to is None else to
    if target.is_dir():
        target = target / source.name
    try:
        with source.open("rb") as reading, target.open("xb") as writing:
            shutil.copyfileobj(reading, writing)
    except FileExistsError:
        raise ScenarioError(
            "the file exists already; staffsim init never replaces a file",
            source=str(target),
            fix="edit it as it is, remove it, or choose another name: "
            f"staffsim init {source.stem} --to NEW.yaml",
        ) from None
    except OSError as error:
        raise ScenarioError(
            f"cannot write the copy ({error.strerror})",
            source=str(target),
            fix="choose a folder you can write to: staffsim init NAME --to PATH",
        ) from None
    return target
