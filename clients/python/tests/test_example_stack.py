"""The Navier-Stokes example end to end: frames through the Uploader, scores back through the
Client; the detector notices the forcing switched on mid-run."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import simstream

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))

import navier_stokes

from .conftest import StackEnv

pytestmark = pytest.mark.stack


def test_navier_stokes_regime_change_is_flagged(
    stack_env: StackEnv, simulation_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not hasattr(simstream, "Uploader"):  # the upload half of the SDK lives on another branch until merged
        pytest.skip("simstream.Uploader is not in this build")
    for name, value in [
        ("SIMSTREAM_INGEST", stack_env.ingest),
        ("SIMSTREAM_GATEWAY", stack_env.gateway),
        ("SIMSTREAM_API_KEY", stack_env.api_key),
        ("SIMSTREAM_CA", stack_env.ca),
    ]:
        monkeypatch.setenv(name, value)
    # 601 frames of a 48² grid: the detector's likelihood needs a few hundred frames to warm up.
    argv = ["--grid", "48", "--steps", "2400", "--every", "4", "--switch-at", "1600", "--dt", "0.01"]
    args = navier_stokes.parse_args([*argv, "--sim-id", simulation_id, "--wait", "60"])
    df = navier_stokes.stream_and_score(args)

    assert list(df.index) == list(range(0, 2401, 4))
    assert set(df.columns) >= {"sim_time", "anomaly_score", "novelty", "pattern_id"}
    before = df.loc[800:1596, "anomaly_score"]  # warmed up, still decaying freely
    after = df.loc[1600:1840, "anomaly_score"]  # the first 60 frames of the forced flow
    assert after.max() >= 0.5 and after.max() > 2 * before.max(), (before.max(), after.max())
