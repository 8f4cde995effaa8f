"""Replications on a dask cluster give the same numbers, bit for bit, as serially."""

from __future__ import annotations

import pandas as pd
import pytest

import simulator

pytest.importorskip("distributed")


@pytest.mark.slow
def test_local_dask_cluster_matches_serial() -> None:
    scenario = simulator.load_scenario(
        {
            "name": "dask",
            "horizon": "30h",
            "warmup": "2h",
            "seed": 4,
            "streams": {
                "chat": {
                    "per_hour": 40,
                    "conversation": {
                        "handle": {"dist": "exponential", "mean": "5min"},
                        "exchanges": 2,
                        "reply_delay": {"dist": "exponential", "mean": "1min"},
                    },
                }
            },
            "teams": {"support": {"agents": 4, "concurrency": 2, "serves": ["chat"]}},
        }
    )
    serial = simulator.run(scenario, replications=3)
    on_dask = simulator.run(scenario, replications=3, jobs=2, cluster="local")
    assert on_dask.summary == serial.summary
    pd.testing.assert_frame_equal(on_dask.conversations, serial.conversations)
