"""Tests of synutil.fidelity.classes: task-relevant classes V for d_V and the least-squares fidelity bound."""

import numpy as np
import pytest

from synutil.fidelity.classes import (
    LeastSquaresFidelity,
    basis_residual_class,
    least_squares_fidelity,
    residual_moment_class,
)


def line(X):
    return np.column_stack([np.ones(len(X)), X[:, 0]])


def sine(X):
    return np.sin(2 * np.pi * X[:, 0])


def beta_moment(a, b, k):
    """E[X^k] for X ~ Beta(a, b)."""
    out = 1.0
    for r in range(k):
        out *= (a + r) / (a + b + r)
    return out


def test_basis_residual_class_closed_form():
    # P = U[0,1], eta = sin(2 pi x), phi = (1, x): theta_P = (3/pi, -6/pi) (projection of sin on a line).
    grid = ((np.arange(200_000) + 0.5) / 200_000)[:, None]
    V = basis_residual_class(line, sine, grid)
    np.testing.assert_allclose(V[0].coef, [3 / np.pi, -6 / np.pi], atol=1e-6)
    # centred under P (normal equations)
    assert all(abs(v(grid).mean()) < 1e-12 for v in V)
    # under Q = point mass at 0.25: phi_1 r = 0.25 * (1 - 3/pi + 6/pi * 0.25)
    x = np.array([[0.25]])
    expected = 0.25 * (1 - 3 / np.pi + 1.5 / np.pi)
    assert V[1](x)[0] == pytest.approx(expected, abs=1e-6)
    assert V[0](x)[0] == pytest.approx(expected / 0.25, abs=1e-6)


def test_basis_residual_class_is_zero_when_well_specified():
    rng = np.random.default_rng(1)
    X = rng.uniform(size=(1000, 1))
    V = basis_residual_class(line, lambda X: 1 - 3 * X[:, 0], X)
    Xq = rng.normal(5, 3, size=(500, 1))  # far away features
    assert max(np.abs(v(Xq)).max() for v in V) < 1e-9


def test_residual_moment_class_values_and_exact_bias_identity():
    rng = np.random.default_rng(2)
    Xr = rng.uniform(size=(4000, 1))
    yr = sine(Xr) + 0.3 * rng.normal(size=4000)
    Xs = rng.beta(2, 5, size=(3000, 1))
    ys = sine(Xs) + 0.1 + 0.3 * rng.normal(size=3000)
    fid = least_squares_fidelity(line, Xr, yr, Xs, ys)
    V = residual_moment_class(line, fid.coef_real)
    Zr, Zs = np.column_stack([Xr, yr]), np.column_stack([Xs, ys])
    means_r = np.array([v(Zr).mean() for v in V])
    means_s = np.array([v(Zs).mean() for v in V])
    np.testing.assert_allclose(means_r, 0.0, atol=1e-12)
    np.testing.assert_allclose(fid.moment_gap, means_s - means_r, atol=1e-12)
    assert fid.d_v == pytest.approx(np.abs(means_s).max())
    # theta_Q - theta_P = Sigma_Q^{-1} b exactly, and the coefficients are the OLS ones
    Dr, Ds = line(Xr), line(Xs)
    np.testing.assert_allclose(fid.coef_real, np.linalg.lstsq(Dr, yr, rcond=None)[0], atol=1e-10)
    np.testing.assert_allclose(fid.coef_syn, np.linalg.lstsq(Ds, ys, rcond=None)[0], atol=1e-10)
    sigma_q = Ds.T @ Ds / len(Ds)
    np.testing.assert_allclose(fid.coef_syn - fid.coef_real, np.linalg.solve(sigma_q, fid.moment_gap), atol=1e-10)
    # B = b' S_Q^-1 S_P S_Q^-1 b and the Rayleigh bound
    sigma_p = Dr.T @ Dr / len(Dr)
    inv_q = np.linalg.inv(sigma_q)
    b = fid.moment_gap
    assert fid.bias == pytest.approx(b @ inv_q @ sigma_p @ inv_q @ b, rel=1e-10)
    assert fid.bias <= fid.bias_bound
    assert fid.lambda_max == pytest.approx(np.linalg.eigvalsh(inv_q @ sigma_p @ inv_q).max(), rel=1e-10)


def test_exact_bias_population_value():
    # Book's check: P = U[0,1], Q = Beta(2,5), eta = sin(2 pi x), phi = (1, x): B ~ 0.049.
    rng = np.random.default_rng(3)
    N = 400_000
    Xr = ((np.arange(N) + 0.5) / N)[:, None]
    Xs = rng.beta(2, 5, size=(N, 1))
    fid = least_squares_fidelity(line, Xr, sine(Xr), Xs, sine(Xs))
    assert fid.bias == pytest.approx(0.049, abs=0.003)
    assert fid.bias <= fid.bias_bound
    # With exact responses, the joint class reduces to basis_residual_class (the feature-only class).
    V = basis_residual_class(line, sine, Xr)
    np.testing.assert_allclose(fid.moment_gap, [v(Xs).mean() for v in V], atol=1e-9)


def test_well_specified_shift_gives_zero_bias():
    rng = np.random.default_rng(4)
    Xr = rng.uniform(size=(2000, 1))
    Xs = rng.beta(1, 0.25, size=(2000, 1))
    eta = lambda X: 1 + 2 * X[:, 0]
    fid = least_squares_fidelity(line, Xr, eta(Xr), Xs, eta(Xs))
    assert fid.bias < 1e-20 and fid.d_v < 1e-10


def test_response_error_closed_form():
    # Q_X = P_X = U[0,1], eta~ = eta + g (2x - 1): b = g (0, E[x(2x-1)]) = g (0, 1/6); B = g^2 / 3.
    g = 0.3
    N = 200_000
    X = ((np.arange(N) + 0.5) / N)[:, None]
    eta = lambda X: 1 + 2 * X[:, 0]
    fid = least_squares_fidelity(line, X, eta(X), X, eta(X) + g * (2 * X[:, 0] - 1))
    np.testing.assert_allclose(fid.moment_gap, [0.0, g / 6], atol=1e-8)
    assert fid.bias == pytest.approx(g**2 / 3, rel=1e-6)
    assert fid.d_v == pytest.approx(g / 6, rel=1e-6)


def test_result_dataclass():
    rng = np.random.default_rng(5)
    X = rng.uniform(size=(50, 1))
    fid = least_squares_fidelity(line, X, X[:, 0], X + 0.1, X[:, 0])
    assert isinstance(fid, LeastSquaresFidelity)
    d = fid.to_dict()
    assert set(d) >= {"d_v", "bias", "bias_bound", "moment_gap", "lambda_max"}
    assert isinstance(d["moment_gap"], list)
    assert "LeastSquaresFidelity(d_v=" in repr(fid)
    with pytest.raises(Exception):
        fid.d_v = 1.0  # frozen


def test_bad_inputs():
    rng = np.random.default_rng(6)
    X = rng.uniform(size=(20, 1))
    y = X[:, 0]
    with pytest.raises(ValueError, match="basis must be a callable"):
        least_squares_fidelity("poly", X, y, X, y)
    with pytest.raises(ValueError, match="must return an array of shape"):
        least_squares_fidelity(lambda X: np.ones((3, 2)), X, y, X, y)
    with pytest.raises(ValueError, match="singular"):
        least_squares_fidelity(line, X, y, np.zeros((20, 1)), y)
    with pytest.raises(ValueError, match="one response per row"):
        least_squares_fidelity(line, X, y[:5], X, y)
    with pytest.raises(ValueError, match="column"):
        least_squares_fidelity(line, X, y, np.hstack([X, X]), y)
    with pytest.raises(ValueError, match="NaN"):
        least_squares_fidelity(line, X, np.r_[np.nan, y[1:]], X, y)
    with pytest.raises(ValueError, match="NaN or infinite values"):
        least_squares_fidelity(lambda X: np.column_stack([np.ones(len(X)), np.full(len(X), np.inf)]), X, y, X, y)
    with pytest.raises(ValueError, match="eta must be a callable"):
        basis_residual_class(line, 3.0, X)
    with pytest.raises(ValueError, match="one value per row"):
        basis_residual_class(line, lambda X: np.ones(3), X)
    V = residual_moment_class(line, [1.0, 2.0])
    with pytest.raises(ValueError, match="features followed by one response"):
        V[0](np.ones((4, 1)))
    with pytest.raises(ValueError, match="coef has 3 entries"):
        residual_moment_class(line, [1.0, 2.0, 3.0])[0](np.ones((4, 2)))


def test_worst_case_construction_attains_the_uniform_bound():
    # Orthonormal basis, Q = P_X (Sigma_Q = Sigma_P = I): y~ = eta + d * sum_j eps_j phi_j has every |b_j| = d, so
    # d_V = d and B = q d^2 = lambda_max(M_Q) sum_j b_j^2 (the bound is attained).
    N, d = 400_000, 0.1
    X = ((np.arange(N) + 0.5) / N)[:, None]
    legendre = lambda X: np.column_stack([np.ones(len(X)), np.sqrt(3) * (2 * X[:, 0] - 1),
                                          np.sqrt(5) * (6 * X[:, 0] ** 2 - 6 * X[:, 0] + 1)])
    eta = 4 * X[:, 0] * (1 - X[:, 0])
    signs = np.array([1.0, -1.0, 1.0])
    fid = least_squares_fidelity(legendre, X, eta, X, eta + d * legendre(X) @ signs)
    np.testing.assert_allclose(fid.moment_gap, d * signs, atol=1e-9)
    assert fid.d_v == pytest.approx(d, rel=1e-8)
    assert fid.bias == pytest.approx(3 * d**2, rel=1e-8)
    assert fid.bias_bound == pytest.approx(fid.bias, rel=1e-6) and fid.lambda_max == pytest.approx(1.0, rel=1e-6)


def test_bound_uses_largest_eigenvalue_of_the_sandwich():
    # Sigma_Q far from Sigma_P: lambda_max(Sigma_Q^-1 Sigma_P Sigma_Q^-1) from an explicit design.
    rng = np.random.default_rng(7)
    Xr = rng.uniform(size=(20_000, 1))
    Xs = rng.beta(4, 4, size=(20_000, 1))
    yr, ys = Xr[:, 0] + rng.normal(size=20_000), Xs[:, 0] + 0.3 + rng.normal(size=20_000)
    fid = least_squares_fidelity(line, Xr, yr, Xs, ys)
    Sp, Sq = line(Xr).T @ line(Xr) / 20_000, line(Xs).T @ line(Xs) / 20_000
    M = np.linalg.inv(Sq) @ Sp @ np.linalg.inv(Sq)
    assert fid.lambda_max == pytest.approx(np.linalg.eigvalsh(M).max(), rel=1e-10)
    assert fid.lambda_max > 10 * np.linalg.eigvalsh(M).min()
    assert fid.bias_bound == pytest.approx(fid.lambda_max * fid.moment_gap @ fid.moment_gap, rel=1e-12)
    assert fid.d_v == pytest.approx(np.abs(fid.moment_gap).max())
