"""The example's Navier-Stokes solver is physically right: the nonlinear term against an analytic
Jacobian, the Taylor-Green vortex decays at exp(-2 nu k² t), and without viscosity or forcing the
dealiased scheme conserves energy and enstrophy."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))

from navier_stokes import VorticitySolver, grid, kolmogorov, main, random_vorticity


def test_advection_term_matches_the_analytic_jacobian() -> None:
    n = 32
    x, y = grid(n)
    # ψ = sin 3x / 9 + cos 2y / 4 + sin x sin y / 2, so ω = -∇²ψ = sin 3x + cos 2y + sin x sin y.
    w = np.sin(3 * x) + np.cos(2 * y) + np.sin(x) * np.sin(y)
    u = -np.sin(2 * y) / 2 + np.sin(x) * np.cos(y) / 2  # ∂ψ/∂y
    v = -np.cos(3 * x) / 3 - np.cos(x) * np.sin(y) / 2  # -∂ψ/∂x
    w_x = 3 * np.cos(3 * x) + np.cos(x) * np.sin(y)
    w_y = -2 * np.sin(2 * y) + np.sin(x) * np.cos(y)
    solver = VorticitySolver(n, nu=0.0, dt=0.01)
    solver.set_vorticity(w)
    flow = solver.flow()
    np.testing.assert_allclose(flow.u, u, atol=1e-12)
    np.testing.assert_allclose(flow.v, v, atol=1e-12)
    nonlinear = np.fft.irfft2(solver.nonlinear(solver.w_hat), (n, n))
    np.testing.assert_allclose(nonlinear, -(u * w_x + v * w_y), atol=1e-12)


@pytest.mark.parametrize("k", [1, 3])
def test_taylor_green_vortex_decays_at_the_analytic_rate(k: int) -> None:
    n, nu, dt, steps = 64, 0.02, 0.01, 200
    x, y = grid(n)
    w0 = 2 * k * np.sin(k * x) * np.sin(k * y)  # ψ = sin kx sin ky / k: a steady Euler flow
    solver = VorticitySolver(n, nu=nu, dt=dt)
    solver.set_vorticity(w0)
    for _ in range(steps):
        solver.step()
    t = steps * dt
    np.testing.assert_allclose(solver.flow().w, w0 * np.exp(-2 * nu * k**2 * t), atol=1e-10)
    # u = sin kx cos ky, v = -cos kx sin ky: ½⟨u² + v²⟩ = ¼, decaying at twice the rate
    assert solver.energy() == pytest.approx(0.25 * np.exp(-4 * nu * k**2 * t), rel=1e-9)


def test_inviscid_unforced_flow_conserves_energy_and_enstrophy() -> None:
    solver = VorticitySolver(64, nu=0.0, dt=2e-3)
    solver.set_vorticity(random_vorticity(64, seed=7, k_peak=4.0, rms=2.0))
    e0, z0, w0 = solver.energy(), solver.enstrophy(), solver.flow().w
    for _ in range(500):
        solver.step()
    assert np.abs(solver.flow().w - w0).max() > 0.5  # the flow did evolve
    assert solver.energy() == pytest.approx(e0, rel=1e-6)
    assert solver.enstrophy() == pytest.approx(z0, rel=1e-5)


def test_kolmogorov_forcing_drives_the_laminar_profile() -> None:
    # From rest with drag alpha, the forced linear response tends to ω = F / (alpha + nu n²).
    n, nu, drag, wavenumber, chi = 32, 0.05, 0.5, 2, 0.3
    solver = VorticitySolver(n, nu=nu, dt=0.02, drag=drag)
    forcing = kolmogorov(n, wavenumber, chi)
    solver.set_forcing(forcing)
    for _ in range(1500):
        solver.step()
    np.testing.assert_allclose(solver.flow().w, forcing / (drag + nu * wavenumber**2), atol=1e-6)


def test_offline_run_of_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--offline", "--steps", "100", "--every", "10", "--switch-at", "50", "--grid", "32"]) == 0
    assert "step      0" in capsys.readouterr().out
