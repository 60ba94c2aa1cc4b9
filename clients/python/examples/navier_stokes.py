"""2-D incompressible Navier-Stokes on a periodic box, streamed into simstream; then the anomaly
scores of the run read back.

Vorticity form on [0, 2π)²:  ∂ω/∂t + u·∇ω = nu ∇²ω - alpha ω + F,  ∇²ψ = -ω,  u = ∂ψ/∂y,  v = -∂ψ/∂x.
Pseudo-spectral (numpy real FFTs), 2/3-rule dealiasing, classical RK4 with an integrating factor
for the linear terms (viscosity and drag are integrated exactly). The run starts as freely
decaying turbulence; at `--switch-at` a Kolmogorov forcing F = -χ n cos(n y) (the curl of
f_x = χ sin(n y)) is switched on: the flow turns into n jets, which the neuromorphic detector
should flag as a change of regime.

    SIMSTREAM_INGEST=... SIMSTREAM_GATEWAY=... SIMSTREAM_API_KEY=... SIMSTREAM_CA=... \\
        python examples/navier_stokes.py --steps 6000 --every 10 --switch-at 4000
    python examples/navier_stokes.py --offline --steps 500     # the solver alone, no stack
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Spectrum = NDArray[np.complex128]


@dataclass(frozen=True)
class Flow:
    """Physical fields on the n x n grid, indexed [y, x]."""

    w: Array
    u: Array
    v: Array


class VorticitySolver:
    """ω̂ on an n x n periodic grid of side 2π; `step()` advances by dt."""

    def __init__(self, n: int, *, nu: float, dt: float, drag: float = 0.0) -> None:
        self.n, self.nu, self.dt, self.drag = n, nu, dt, drag
        self.kx = np.fft.rfftfreq(n, 1.0 / n)[None, :]  # integer wavenumbers along x (halved axis)
        self.ky = np.fft.fftfreq(n, 1.0 / n)[:, None]
        self.k2 = self.kx**2 + self.ky**2
        self.inv_k2 = np.where(self.k2 > 0, 1.0 / np.where(self.k2 > 0, self.k2, 1.0), 0.0)
        # 2/3 rule: modes with |k| ≥ n/3 in either direction are zeroed, so the quadratic term's
        # aliases land only on modes that are discarded.
        self.keep = (np.abs(self.kx) < n / 3) & (np.abs(self.ky) < n / 3)
        self.half = np.exp((-nu * self.k2 - drag) * dt / 2)  # integrating factor over dt/2
        self.forcing_hat: Spectrum = np.zeros((n, n // 2 + 1), np.complex128)
        self.w_hat: Spectrum = np.zeros_like(self.forcing_hat)
        self.t = 0.0

    def set_vorticity(self, w: Array) -> None:
        self.w_hat = np.fft.rfft2(w) * self.keep

    def set_forcing(self, forcing: Array | None) -> None:
        """A steady vorticity source F(x, y) (None: off)."""
        self.forcing_hat = (
            np.fft.rfft2(forcing) * self.keep if forcing is not None else np.zeros_like(self.w_hat)
        )

    def velocity_hat(self, w_hat: Spectrum) -> tuple[Spectrum, Spectrum]:
        psi_hat = w_hat * self.inv_k2
        return 1j * self.ky * psi_hat, -1j * self.kx * psi_hat

    def nonlinear(self, w_hat: Spectrum) -> Spectrum:
        """-(u·∇ω)^ + F̂, dealiased."""
        u_hat, v_hat = self.velocity_hat(w_hat)
        irfft = np.fft.irfft2
        n = self.n
        advection = irfft(u_hat, (n, n)) * irfft(1j * self.kx * w_hat, (n, n)) + irfft(v_hat, (n, n)) * irfft(
            1j * self.ky * w_hat, (n, n)
        )
        return (-np.fft.rfft2(advection) + self.forcing_hat) * self.keep

    def step(self) -> None:
        dt, e, w = self.dt, self.half, self.w_hat
        a = dt * self.nonlinear(w)
        b = dt * self.nonlinear(e * (w + a / 2))
        c = dt * self.nonlinear(e * w + b / 2)
        d = dt * self.nonlinear(e * e * w + e * c)
        self.w_hat = e * e * w + (e * e * a + 2 * e * (b + c) + d) / 6
        self.t += dt

    def flow(self) -> Flow:
        n = self.n
        u_hat, v_hat = self.velocity_hat(self.w_hat)
        return Flow(
            np.fft.irfft2(self.w_hat, (n, n)), np.fft.irfft2(u_hat, (n, n)), np.fft.irfft2(v_hat, (n, n))
        )

    def energy(self) -> float:
        """Mean kinetic energy ½⟨u² + v²⟩."""
        f = self.flow()
        return float(0.5 * np.mean(f.u**2 + f.v**2))

    def enstrophy(self) -> float:
        """Mean enstrophy ½⟨ω²⟩."""
        return float(0.5 * np.mean(self.flow().w ** 2))


def grid(n: int) -> tuple[Array, Array]:
    x = 2 * np.pi * np.arange(n) / n
    y, x2 = np.meshgrid(x, x, indexing="ij")
    return x2, y


def random_vorticity(n: int, seed: int, k_peak: float = 6.0, rms: float = 3.0) -> Array:
    """A smooth random field with its energy around |k| = k_peak."""
    rng = np.random.default_rng(seed)
    kx = np.fft.rfftfreq(n, 1.0 / n)[None, :]
    ky = np.fft.fftfreq(n, 1.0 / n)[:, None]
    k = np.sqrt(kx**2 + ky**2)
    amplitude = k * np.exp(-((k / k_peak) ** 2))
    phases = np.exp(2j * np.pi * rng.random(k.shape))
    w = np.fft.irfft2(amplitude * phases, (n, n))
    return np.asarray(w * rms / w.std(), np.float64)


def kolmogorov(n: int, wavenumber: int, amplitude: float) -> Array:
    """curl of f = (χ sin(n y), 0): F = -∂f_x/∂y = -χ n cos(n y)."""
    _, y = grid(n)
    return -amplitude * wavenumber * np.cos(wavenumber * y)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    p.add_argument("--steps", type=int, default=6000, help="time steps (default 6000)")
    p.add_argument("--every", type=int, default=10, help="send a frame every N steps (default 10)")
    p.add_argument(
        "--switch-at", type=int, default=4000, help="step at which the forcing starts (default 4000)"
    )
    p.add_argument("--grid", type=int, default=128, help="grid points per side (default 128)")
    p.add_argument("--dt", type=float, default=5e-3)
    p.add_argument("--nu", type=float, default=1e-3, help="viscosity")
    p.add_argument("--drag", type=float, default=0.05, help="linear drag alpha")
    p.add_argument("--forcing", type=float, default=1.0, help="Kolmogorov amplitude χ")
    p.add_argument("--forcing-wavenumber", type=int, default=4)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--sim-id", default=None, help="simulation id (default ns-<random>)")
    p.add_argument("--offline", action="store_true", help="run the solver only: no upload, no read-back")
    p.add_argument("--wait", type=float, default=180.0, help="seconds to wait for the scores (default 180)")
    return p.parse_args(argv)


def run(args: argparse.Namespace, send: Callable[..., Any] | None) -> int:
    """Steps the solver, handing every `args.every`-th frame to `send` (Uploader.send); returns frames."""
    solver = VorticitySolver(args.grid, nu=args.nu, dt=args.dt, drag=args.drag)
    solver.set_vorticity(random_vorticity(args.grid, args.seed))
    frames = 0
    started = time.monotonic()
    for step in range(args.steps + 1):
        if step == args.switch_at:
            solver.set_forcing(kolmogorov(args.grid, args.forcing_wavenumber, args.forcing))
        if step % args.every == 0:
            flow = solver.flow()
            if send is not None:
                fields = {name: getattr(flow, name).astype(np.float32) for name in ("w", "u", "v")}
                regime = "forced" if step >= args.switch_at else "decaying"
                send(step, fields, sim_time=solver.t, attributes={"regime": regime})
            frames += 1
            if step % (args.every * 50) == 0:
                print(
                    f"step {step:6d}  t={solver.t:7.3f}  E={solver.energy():.4f}  Z={solver.enstrophy():.3f}"
                    f"  max|ω|={np.abs(flow.w).max():.2f}  ({time.monotonic() - started:.1f} s)",
                    flush=True,
                )
        if step < args.steps:
            solver.step()
    return frames


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.offline:
        run(args, None)
        return 0
    report(stream_and_score(args), args)
    return 0


def stream_and_score(args: argparse.Namespace) -> Any:
    """Runs the simulation into simstream, waits for its anomaly scores, returns them (a DataFrame)."""
    import simstream

    sim_id = args.sim_id or f"ns-{uuid.uuid4().hex[:8]}"
    print(
        f"simulation {sim_id}: {args.grid}² grid, {args.steps} steps, a frame every {args.every}, "
        f"forcing from step {args.switch_at}"
    )
    with simstream.Uploader(sim_id) as uploader:  # SIMSTREAM_INGEST, SIMSTREAM_API_KEY, SIMSTREAM_CA
        frames = run(args, uploader.send)
    print(f"{frames} frames sent; waiting for the anomaly scores")

    with simstream.Client() as client:  # SIMSTREAM_GATEWAY, SIMSTREAM_API_KEY
        deadline = time.monotonic() + args.wait
        while True:
            try:
                scored = client.simulation(sim_id).get("neuromorphic_results", 0)
            except simstream.NotFoundError:
                scored = 0  # its first frame is not materialized yet
            if scored >= frames or time.monotonic() > deadline:
                break
            time.sleep(1.0)
        return client.results_frame(sim_id)


def report(df: Any, args: argparse.Namespace) -> None:
    """Prints the scores around the switch (df: results_frame's DataFrame, indexed by step)."""
    import pandas as pd

    columns = ["sim_time", "anomaly_score", "raw_score", "novelty", "pattern_id"]
    window = df.loc[args.switch_at - 8 * args.every : args.switch_at + 30 * args.every, columns]
    with pd.option_context("display.float_format", "{:.4f}".format, "display.width", 120):
        print(f"\n{len(df)} scored frames; around the switch (step {args.switch_at}):")
        print(window.to_string())
    before = df.loc[: args.switch_at - args.every, "anomaly_score"]
    warm = before.iloc[
        len(before) // 2 :
    ]  # the detector's likelihood warms up over the first few hundred frames
    after = df.loc[args.switch_at :, "anomaly_score"]
    print(f"\nanomaly score, second half before the switch: max {warm.max():.4f}, mean {warm.mean():.4f}")
    print(
        f"anomaly score after the switch:               max {after.max():.4f} at step {after.idxmax()}, "
        f"mean {after.mean():.4f}"
    )
    alarms = after[after >= 0.5]
    if len(alarms):
        print(
            f"first score ≥ 0.5 after the switch: step {alarms.index[0]} "
            f"({(alarms.index[0] - args.switch_at) // args.every} frames after)"
        )


if __name__ == "__main__":
    sys.exit(main())
