"""Every notebook in notebooks/ runs from top to bottom without an error.

Notebooks run in their fast mode (``STAFFSIM_NOTEBOOK_FAST=1``: two
replications, short horizons), which the kernel inherits from this process.
The ``python3`` kernel is written into a temporary folder first on
``JUPYTER_PATH`` (searched before any user or system folder) and points at
this interpreter, so the notebook imports the simulator under test whatever
kernels the machine has installed, and no ``ipykernel install`` is needed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.fixture
def python3_kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A ``python3`` kernelspec for this interpreter, found before any other."""
    kernelspec = pytest.importorskip("ipykernel.kernelspec")
    folder = tmp_path / "jupyter"
    written = kernelspec.write_kernel_spec(path=folder / "kernels" / "python3")
    assert sys.executable in (Path(written) / "kernel.json").read_text(encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(folder))
    monkeypatch.setenv("STAFFSIM_NOTEBOOK_FAST", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return "python3"


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "notebooks/ holds no .ipynb file"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_notebook_runs_without_errors(path: Path, python3_kernel: str) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=600,
        kernel_name=python3_kernel,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, on the first error
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert not errors
