"""Tests of the batched least-squares Monte Carlo (synutil.sim.least_squares)."""

import numpy as np
import pytest
from scipy import integrate

from synutil.bounds import custom_basis, least_squares_first_order, polynomial_basis
from synutil.generators import FeatureLaw, ModelGenerator
from synutil.sim.least_squares import fit_least_squares, least_squares_risks, simulate_least_squares_risks
from synutil.sim.laws import BetaLaw, UniformLaw, sine_regression


def data(R=30, n=40, seed=0):
    return sine_regression(noise_sd=0.5).sample(n, replications=R, random_state=seed)


def test_batched_equals_sklearn_and_numpy_lstsq():
    X, y = data()
    basis = polynomial_basis(3)
    a = fit_least_squares(basis, X, y)
    b = fit_least_squares(basis, X, y, method="sklearn")
    np.testing.assert_allclose(a, b, atol=1e-8)
    ref = np.stack([np.linalg.lstsq(basis(X[r]), y[r], rcond=None)[0] for r in range(len(X))])
    np.testing.assert_allclose(a, ref, atol=1e-10)


def test_ill_conditioned_replications_take_the_qr_path():
    rng = np.random.default_rng(5)
    X = np.stack([rng.uniform(size=(40, 1)), 1 + 1e-3 * rng.uniform(size=(40, 1))])
    y = 1 + X[..., 0] + 0.1 * rng.standard_normal((2, 40))
    basis = polynomial_basis(2)
    from synutil import least_squares as ls

    scaled = [np.linalg.cond((lambda G: G / np.sqrt(np.outer(np.diag(G), np.diag(G))))(basis(x).T @ basis(x))) for x in X]
    assert scaled[0] < ls._COND_NORMAL < scaled[1]  # one replication per path
    theta = fit_least_squares(basis, X, y)
    for r in range(2):
        ref = np.linalg.lstsq(basis(X[r]), y[r], rcond=None)[0]
        np.testing.assert_allclose(basis(X[r]) @ theta[r], basis(X[r]) @ ref, atol=1e-9)
    np.testing.assert_allclose(theta[0], np.linalg.lstsq(basis(X[0]), y[0], rcond=None)[0], atol=1e-10)


def test_ridge_matches_sklearn_ridge_and_closed_form():
    X, y = data(R=5, n=20)
    basis = polynomial_basis(2)
    a = fit_least_squares(basis, X, y, ridge=0.3)
    b = fit_least_squares(basis, X, y, method="sklearn", ridge=0.3)
    np.testing.assert_allclose(a, b, atol=1e-8)
    Phi = basis(X[0])
    np.testing.assert_allclose(a[0], np.linalg.solve(Phi.T @ Phi + 0.3 * np.eye(3), Phi.T @ y[0]), atol=1e-10)


def test_rank_deficient_design_raises_unless_ridge():
    X = np.zeros((2, 10, 1))
    X[1] = np.linspace(0, 1, 10)[:, None]
    y = np.ones((2, 10))
    with pytest.raises(ValueError, match="replication 0 is rank deficient"):
        fit_least_squares(polynomial_basis(1), X, y)
    theta = fit_least_squares(polynomial_basis(1), X, y, ridge=1e-10)
    np.testing.assert_allclose(theta[1], [1.0, 0.0], atol=1e-6)
    with pytest.raises(ValueError, match="cannot determine"):
        fit_least_squares(polynomial_basis(3), X[:, :2], y[:, :2])


def test_bad_inputs():
    X, y = data(R=2, n=10)
    with pytest.raises(ValueError, match="shape \\(R, n\\)"):
        fit_least_squares(polynomial_basis(1), X, y[:, :5])
    with pytest.raises(ValueError, match="NaN"):
        fit_least_squares(polynomial_basis(1), X, np.where(y > 0, np.nan, y))
    with pytest.raises(ValueError, match="method must be"):
        fit_least_squares(polynomial_basis(1), X, y, method="qr")
    with pytest.raises(ValueError, match="ridge must be"):
        fit_least_squares(polynomial_basis(1), X, y, ridge=-1)
    with pytest.raises(ValueError, match=r"\(R, n, p\)"):
        fit_least_squares(polynomial_basis(1), X[0, :, 0], y[0])
    with pytest.raises(ValueError, match="exactly one of"):
        least_squares_risks(polynomial_basis(1), np.zeros((1, 2)), eta=np.sin, noise_sd=1.0)
    with pytest.raises(ValueError, match="coefficients"):
        least_squares_risks(polynomial_basis(1), np.zeros((1, 3)), eta=np.sin, noise_sd=1.0, real_law=UniformLaw())


def test_exact_risk_against_scipy_quad_and_test_sample():
    theta = np.array([[0.2, -1.0, 0.5], [1.0, 0.0, 0.0]])
    basis = polynomial_basis(2)
    model = sine_regression(noise_sd=0.3)
    risks = least_squares_risks(basis, theta, eta=model.eta, noise_sd=0.3, real_law=UniformLaw())
    for r in range(2):
        ref = integrate.quad(lambda x: (theta[r] @ [1, x, x * x] - np.sin(2 * np.pi * x)) ** 2, 0, 1)[0] + 0.09
        assert abs(risks[r] - ref) < 1e-10
    X_test = UniformLaw().sample(200_000, random_state=0)
    mc = least_squares_risks(basis, theta, eta=model.eta, noise_sd=0.3, X_test=X_test)
    np.testing.assert_allclose(mc, risks, rtol=1e-2)


def test_simulation_is_seeded_and_methods_agree():
    model = sine_regression(noise_sd=0.5)
    gen = FeatureLaw(ModelGenerator(model), law=BetaLaw(2, 5))
    kw = dict(model=model, generator=gen, n=30, m=40, n_replications=20, random_state=7)
    a = simulate_least_squares_risks(polynomial_basis(1), **kw)
    b = simulate_least_squares_risks(polynomial_basis(1), **kw)
    c = simulate_least_squares_risks(polynomial_basis(1), method="sklearn", **kw)
    np.testing.assert_array_equal(a["risk_syn"], b["risk_syn"])
    np.testing.assert_allclose(a["risk_syn"], c["risk_syn"], atol=1e-8)
    np.testing.assert_allclose(a["risk_real"], c["risk_real"], atol=1e-8)
    assert a["risk_real"].shape == (20,)
    with pytest.raises(ValueError, match="positive integers"):
        simulate_least_squares_risks(polynomial_basis(1), **{**kw, "n": 0})


def test_monte_carlo_matches_first_order_prediction():
    """Prop. 2 of the book, finite samples: mean TSTR - TRTR within 4 standard errors of the prediction."""
    model = sine_regression(noise_sd=0.5)
    gen = FeatureLaw(ModelGenerator(model), law=BetaLaw(2, 5))
    out = simulate_least_squares_risks(polynomial_basis(1), model=model, generator=gen, n=300, m=300,
                                       n_replications=4000, random_state=11)
    d = out["risk_syn"] - out["risk_real"]
    pred = least_squares_first_order(polynomial_basis(1), eta=model.eta, real_law=UniformLaw(), syn_law=BetaLaw(2, 5),
                                     n=300, m=300, noise_sd=0.5).predicted_gap
    assert abs(d.mean() - pred) < 4 * d.std(ddof=1) / np.sqrt(len(d))
    # well specified: both excess risks ~ sigma^2 k / n
    basis = custom_basis(1.0, lambda X: np.cos(2 * np.pi * X[..., 0]), lambda X: np.sin(2 * np.pi * X[..., 0]))
    out = simulate_least_squares_risks(basis, model=model, generator=gen, n=300, m=300, n_replications=4000,
                                       random_state=12)
    excess = out["risk_real"] - 0.25
    assert abs(excess.mean() - 0.25 * 3 / 300) < 4 * excess.std(ddof=1) / np.sqrt(len(excess))
