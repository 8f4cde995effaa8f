"""A run's conversations as a contact log: the simulator's own history.

Real logs are not available to test against, so ``fit`` and ``backtest`` are
proved on logs the simulator writes, from a scenario whose every number is
known. One replication becomes one log: resolved conversations are
``answered`` (picked up, ended), abandoned and deflected keep their outcome,
and conversations still open at the horizon are left out (they have no
outcome yet) and counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simulator.analysis.scenario_table import check_out_file, write_text_atomic
from simulator.errors import ScenarioError
from simulator.recording import Outcome
from simulator.scenario.loader import load_scenario

_ISO = "%Y-%m-%dT%H:%M:%S.%f+00:00"
_OUTCOME = {
    Outcome.RESOLVED.value: "answered",
    Outcome.ABANDONED.value: "abandoned",
    Outcome.DEFLECTED.value: "deflected",
}


@dataclass
class ExportedLog:
    """The log written, how many contacts it holds and how many were still open."""

    path: Path
    contacts: int
    open_left_out: int


def contact_log_frame(conversations: pd.DataFrame, start: pd.Timestamp) -> tuple[pd.DataFrame, int]:
    """One replication's conversations as contact log rows (UTC ISO times with an
    offset), and the number still open and left out."""
    outcome = conversations["outcome"].astype(str).to_numpy()
    done = np.isin(outcome, list(_OUTCOME))
    frame = conversations[done]
    kind = pd.Series(outcome[done]).map(_OUTCOME).to_numpy()
    answered = kind == "answered"
    origin = pd.Timestamp(start).tz_convert("UTC")

    def stamps(column: str, keep: np.ndarray) -> np.ndarray:
        seconds = frame[column].to_numpy(dtype=float, na_value=np.nan)
        text = (origin + pd.to_timedelta(seconds, unit="s")).strftime(_ISO)
        return np.where(keep & ~np.isnan(seconds), np.asarray(text, dtype=object), "")

    log = pd.DataFrame(
        {
            "arrived_at": stamps("arrived_at", np.ones(len(frame), dtype=bool)),
            "answered_at": stamps("picked_up_at", answered),
            "ended_at": stamps("ended_at", kind != "deflected"),
            "outcome": kind,
            "agent": np.where(answered, frame["agent"].astype(object).fillna("").to_numpy(), ""),
            "stream": frame["stream"].astype(str).to_numpy(),
        }
    )
    return log, int((~done).sum())


def export_log(results_dir: Path | str, out: Path | str, *, replication: int = 0) -> ExportedLog:
    """Write replication ``replication`` of the run in ``results_dir`` as a contact
    log CSV at ``out``, atomically (a temporary file renamed into place)."""
    results_dir, out = Path(results_dir), Path(out)
    if out.is_dir():
        raise ScenarioError(
            "this is a folder; the log is written to a file",
            source=f"--out {out}",
            fix="name a file, e.g. --out log.csv",
        )
    check_out_file(out)
    parquet, scenario_file = results_dir / "conversations.parquet", results_dir / "scenario.yaml"
    for needed in (parquet, scenario_file):
        if not needed.is_file():
            raise ScenarioError(
                f"no {needed.name} in this folder",
                source=str(results_dir),
                fix="name a results folder written by staffsim run",
            )
    scenario = load_scenario(scenario_file)
    conversations = pd.read_parquet(parquet)
    replications = sorted(conversations["replication"].unique().tolist())
    if replication not in replications:
        raise ScenarioError(
            f"the run has no replication {replication} (it has {len(replications)}: "
            f"{replications[0]}..{replications[-1]})",
            source="--replication",
            fix="choose one of the run's replications",
        )
    chosen = conversations[conversations["replication"] == replication]
    log, open_count = contact_log_frame(chosen, pd.Timestamp(scenario.start))
    write_text_atomic(log.to_csv(index=False), out)
    return ExportedLog(out, len(log), open_count)
