"""Tests of the Gaussian closed forms of the fidelity metrics (synutil.bounds.gaussian).

Each closed form is compared with a computation that does not use it: scipy quadrature, scipy's own
distributions, or a large seeded Monte Carlo (with a tolerance of 4 standard errors), and where it makes sense
the estimators of synutil.fidelity on samples whose population value is the closed form.
"""

import numpy as np
import pytest
from scipy import integrate, stats
from sklearn.metrics import roc_auc_score

from synutil.bounds.gaussian import (
    folded_normal_mean,
    gaussian_expected_kernel,
    gaussian_shift_c2st_auc,
    gaussian_shift_mmd2,
    gaussian_shift_sliced_wasserstein,
    gaussian_shift_total_variation,
    gaussian_wasserstein_1d,
)
from synutil.fidelity import mmd2, sliced_wasserstein, wasserstein_1d

SHIFTS = [0.0, 0.3, 1.0, 2.5]
Z = 4.0  # Monte Carlo tolerance, in standard errors


def _quad(f, low=-np.inf, high=np.inf):
    value, error = integrate.quad(f, low, high, epsabs=1e-12, epsrel=1e-12, limit=200)
    return value


# ------------------------------------------------------------------------------------------- total variation


@pytest.mark.parametrize("s", SHIFTS)
def test_total_variation_equals_half_l1_distance_of_densities(s):
    half_l1 = 0.5 * _quad(lambda x: abs(stats.norm.pdf(x) - stats.norm.pdf(x - s)))
    assert gaussian_shift_total_variation(s) == pytest.approx(half_l1, abs=1e-9)
    assert gaussian_shift_total_variation(-s) == gaussian_shift_total_variation(s)


def test_total_variation_does_not_depend_on_dimension():
    """In 3-D, TV = E_P (1 - q/p)^+ by Monte Carlo, for a shift along a diagonal."""
    rng = np.random.default_rng(0)
    v = np.array([0.6, -0.8, 0.0]) * 1.5  # norm 1.5
    X = rng.normal(size=(400_000, 3))
    log_ratio = X @ v - v @ v / 2  # log q(x) / p(x)
    values = np.maximum(0.0, 1.0 - np.exp(log_ratio))
    se = values.std(ddof=1) / np.sqrt(values.size)
    assert abs(values.mean() - gaussian_shift_total_variation(1.5)) < Z * se


# ------------------------------------------------------------------------------------------- folded normal


@pytest.mark.parametrize("mu, sd", [(0.0, 1.0), (0.7, 0.3), (-1.2, 2.0), (3.0, 0.5)])
def test_folded_normal_mean_against_quadrature_and_scipy(mu, sd):
    by_quadrature = _quad(lambda x: abs(x) * stats.norm.pdf(x, loc=mu, scale=sd))
    assert folded_normal_mean(mu, sd) == pytest.approx(by_quadrature, abs=1e-9)
    by_scipy = stats.foldnorm(c=abs(mu) / sd, scale=sd).mean()
    assert folded_normal_mean(mu, sd) == pytest.approx(by_scipy, rel=1e-10)


def test_folded_normal_mean_broadcasts_and_handles_zero_sd():
    mu, sd = np.array([[-0.5], [0.0], [2.0]]), np.array([0.0, 1.0])
    out = folded_normal_mean(mu, sd)
    assert out.shape == (3, 2)
    np.testing.assert_allclose(out[:, 0], [0.5, 0.0, 2.0], atol=0)
    np.testing.assert_allclose(out[:, 1], [folded_normal_mean(m, 1.0) for m in (-0.5, 0.0, 2.0)], rtol=1e-14)
    assert isinstance(folded_normal_mean(0.0, 1.0), float)
    # continuous as sd -> 0
    assert folded_normal_mean(0.3, 1e-9) == pytest.approx(0.3, abs=1e-12)


# ------------------------------------------------------------------------------------------- Wasserstein


def _quantile_wasserstein(s, omega, order):
    integrand = lambda t: abs(s + (omega - 1.0) * stats.norm.ppf(t)) ** order  # noqa: E731
    return _quad(integrand, 0.0, 1.0) ** (1 / order)


@pytest.mark.parametrize("s, omega", [(0.5, 1.0), (-1.0, 1.0), (0.5, 1.5), (0.0, 0.4), (2.0, 3.0)])
@pytest.mark.parametrize("order", [1, 2])
def test_wasserstein_against_quantile_coupling_by_quadrature(s, omega, order):
    assert gaussian_wasserstein_1d(s, scale=omega, order=order) == pytest.approx(
        _quantile_wasserstein(s, omega, order), abs=1e-7
    )


def test_wasserstein_of_a_pure_shift_is_the_shift():
    shifts = np.array([-2.0, 0.0, 0.25, 3.0])
    for order in (1, 2):
        np.testing.assert_allclose(gaussian_wasserstein_1d(shifts, order=order), np.abs(shifts), atol=1e-15)


def test_wasserstein_against_the_estimator_on_quantile_samples():
    """wasserstein_1d on the n-point quantile grids of both laws converges to the closed form."""
    n = 200_000
    grid = stats.norm.ppf((np.arange(n) + 0.5) / n)
    x, y = grid, 0.5 + 1.5 * grid
    assert wasserstein_1d(x, y, p=1) == pytest.approx(gaussian_wasserstein_1d(0.5, scale=1.5), abs=1e-4)
    assert wasserstein_1d(x, y, p=2) == pytest.approx(gaussian_wasserstein_1d(0.5, scale=1.5, order=2), abs=1e-3)


# ------------------------------------------------------------------------------------------- sliced Wasserstein


@pytest.mark.parametrize("dimension", [1, 2, 3, 7])
@pytest.mark.parametrize("order", [1, 2, 3.5])
def test_sliced_wasserstein_against_monte_carlo_directions(dimension, order):
    rng = np.random.default_rng(10 * dimension + int(2 * order))
    u = rng.normal(size=(400_000, dimension))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    v = np.zeros(dimension)
    v[0], v[-1] = 1.2, v[-1] - 0.5  # norm 1.3 when dimension > 1, 0.7 when dimension = 1
    s = np.linalg.norm(v)
    values = np.abs(u @ v) ** order
    mean, se = values.mean(), values.std(ddof=1) / np.sqrt(values.size)
    closed = gaussian_shift_sliced_wasserstein(s, dimension=dimension, order=order)
    assert abs(closed**order - mean) < Z * se + 1e-12, (closed**order, mean, se)


def test_sliced_wasserstein_special_values():
    assert gaussian_shift_sliced_wasserstein(2.0, dimension=4) == pytest.approx(1.0, rel=1e-14)  # 2 / sqrt(4)
    assert gaussian_shift_sliced_wasserstein(2.0, dimension=3, order=1) == pytest.approx(1.0, rel=1e-14)
    # E|u_1| = 2 / pi on the circle
    assert gaussian_shift_sliced_wasserstein(1.0, dimension=2, order=1) == pytest.approx(2 / np.pi, rel=1e-14)
    np.testing.assert_allclose(gaussian_shift_sliced_wasserstein([-1.5, 1.5], dimension=1, order=3), [1.5, 1.5])


def test_sliced_wasserstein_against_the_estimator_on_an_exact_shift():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 3))
    v = np.array([1.0, 2.0, -2.0])  # norm 3
    values = [sliced_wasserstein(X, X + v, n_projections=500, p=2, random_state=j) ** 2 for j in range(40)]
    se = np.std(values, ddof=1) / np.sqrt(len(values))
    assert abs(np.mean(values) - gaussian_shift_sliced_wasserstein(3.0, dimension=3) ** 2) < Z * se


# ------------------------------------------------------------------------------------------- MMD


def _expected_kernel_1d(beta, shift):
    """E exp(-Z^2 / (2 beta^2)) for Z ~ N(shift, 2), by quadrature."""
    return _quad(lambda z: np.exp(-(z**2) / (2 * beta**2)) * stats.norm.pdf(z, loc=shift, scale=np.sqrt(2)))


@pytest.mark.parametrize("beta", [0.3, 1.0, 2.5])
@pytest.mark.parametrize("dimension", [1, 2, 5])
def test_expected_kernel_against_quadrature(beta, dimension):
    # the Gaussian kernel factorises over coordinates
    assert gaussian_expected_kernel(bandwidth=beta, dimension=dimension) == pytest.approx(
        _expected_kernel_1d(beta, 0.0) ** dimension, rel=1e-9
    )


def test_expected_kernel_against_monte_carlo():
    rng = np.random.default_rng(2)
    X, Xp = rng.normal(size=(500_000, 3)), rng.normal(size=(500_000, 3))
    values = np.exp(-np.sum((X - Xp) ** 2, axis=1) / (2 * 1.5**2))
    se = values.std(ddof=1) / np.sqrt(values.size)
    assert abs(values.mean() - gaussian_expected_kernel(bandwidth=1.5, dimension=3)) < Z * se


@pytest.mark.parametrize("s", SHIFTS)
@pytest.mark.parametrize("beta", [0.5, 1.0, 3.0])
@pytest.mark.parametrize("dimension", [1, 3])
def test_mmd2_against_quadrature(s, beta, dimension):
    """MMD^2 = E k(X,X') + E k(Y,Y') - 2 E k(X,Y), a shift along the first axis, by quadrature."""
    within = _expected_kernel_1d(beta, 0.0) ** dimension
    across = _expected_kernel_1d(beta, s) * _expected_kernel_1d(beta, 0.0) ** (dimension - 1)
    assert gaussian_shift_mmd2(s, bandwidth=beta, dimension=dimension) == pytest.approx(
        2 * within - 2 * across, abs=1e-10
    )


def test_mmd2_against_the_unbiased_estimator():
    rng = np.random.default_rng(3)
    v = np.array([0.8, 0.6])  # norm 1
    values = [mmd2(rng.normal(size=(400, 2)), rng.normal(size=(400, 2)) + v, bandwidth=1.0) for _ in range(60)]
    se = np.std(values, ddof=1) / np.sqrt(len(values))
    assert abs(np.mean(values) - gaussian_shift_mmd2(1.0, bandwidth=1.0, dimension=2)) < Z * se


def test_mmd2_vectorised_over_shift():
    shifts = np.array([[0.0, 1.0], [2.0, 3.0]])
    out = gaussian_shift_mmd2(shifts, bandwidth=1.0, dimension=2)
    assert out.shape == (2, 2) and out[0, 0] == 0.0
    np.testing.assert_allclose(out.ravel(), [gaussian_shift_mmd2(s, bandwidth=1.0, dimension=2) for s in shifts.ravel()])
    assert np.all(np.diff(out.ravel()) > 0) and np.all(out < 2 * gaussian_expected_kernel(bandwidth=1.0, dimension=2))


# ------------------------------------------------------------------------------------------- C2ST


@pytest.mark.parametrize("s", SHIFTS)
def test_c2st_auc_against_quadrature(s):
    """AUC of the score x_1 = P(Y_1 > X_1) = E_X [1 - Phi(X - s)]."""
    by_quadrature = _quad(lambda x: stats.norm.pdf(x) * stats.norm.sf(x - s))
    assert gaussian_shift_c2st_auc(s) == pytest.approx(by_quadrature, abs=1e-10)


def test_c2st_auc_of_the_linear_score_in_two_dimensions():
    rng = np.random.default_rng(4)
    v = np.array([0.3, -0.4])  # norm 0.5
    n = 20_000
    X, Y = rng.normal(size=(n, 2)), rng.normal(size=(n, 2)) + v
    auc = roc_auc_score(np.r_[np.zeros(n), np.ones(n)], np.r_[X @ v, Y @ v])
    A = gaussian_shift_c2st_auc(0.5)
    Q1, Q2 = A / (2 - A), 2 * A**2 / (1 + A)  # Hanley-McNeil
    se = np.sqrt((A * (1 - A) + (n - 1) * (Q1 - A**2) + (n - 1) * (Q2 - A**2)) / n**2)
    assert abs(auc - A) < Z * se


# ------------------------------------------------------------------------------------------- inputs


def test_scalars_give_floats_and_arrays_give_arrays():
    assert isinstance(gaussian_shift_total_variation(1), float)
    assert isinstance(gaussian_shift_c2st_auc(np.float32(1.0)), float)
    assert isinstance(gaussian_shift_sliced_wasserstein(1.0, dimension=2), float)
    assert gaussian_shift_total_variation([0.5, 1.0, 2.0]).shape == (3,)
    assert gaussian_wasserstein_1d(np.ones((2, 2)), scale=2.0).shape == (2, 2)


@pytest.mark.parametrize("bad", [np.nan, np.inf, "0.5", True, None, [0.1, np.nan], 1 + 1j])
@pytest.mark.parametrize(
    "function",
    [
        gaussian_shift_total_variation,
        gaussian_shift_c2st_auc,
        lambda s: gaussian_shift_mmd2(s, bandwidth=1.0),
        lambda s: gaussian_shift_sliced_wasserstein(s, dimension=2),
        lambda s: gaussian_wasserstein_1d(s),
        lambda s: folded_normal_mean(s, 1.0),
    ],
)
def test_bad_shift_is_refused(function, bad):
    with pytest.raises(ValueError):
        function(bad)


@pytest.mark.parametrize("bandwidth", [0.0, -1.0, np.nan, np.inf, "1", True])
def test_bad_bandwidth_is_refused(bandwidth):
    with pytest.raises(ValueError, match="bandwidth"):
        gaussian_shift_mmd2(1.0, bandwidth=bandwidth)
    with pytest.raises(ValueError, match="bandwidth"):
        gaussian_expected_kernel(bandwidth=bandwidth)


@pytest.mark.parametrize("dimension", [0, -2, 1.5, True, "3", np.nan])
def test_bad_dimension_is_refused(dimension):
    with pytest.raises(ValueError, match="dimension"):
        gaussian_shift_mmd2(1.0, bandwidth=1.0, dimension=dimension)
    with pytest.raises(ValueError, match="dimension"):
        gaussian_expected_kernel(bandwidth=1.0, dimension=dimension)
    with pytest.raises(ValueError, match="dimension"):
        gaussian_shift_sliced_wasserstein(1.0, dimension=dimension)


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="order"):
        gaussian_wasserstein_1d(1.0, order=3)
    with pytest.raises(ValueError, match="order"):
        gaussian_wasserstein_1d(1.0, order=True)
    with pytest.raises(ValueError, match="order"):
        gaussian_shift_sliced_wasserstein(1.0, dimension=2, order=0.5)
    with pytest.raises(ValueError, match="scale"):
        gaussian_wasserstein_1d(1.0, scale=0.0)
    with pytest.raises(ValueError, match="sd"):
        folded_normal_mean(0.0, -1.0)
    with pytest.raises(ValueError, match="sd"):
        folded_normal_mean(0.0, [1.0, np.nan])
    with pytest.raises(TypeError):  # options are keyword-only
        gaussian_shift_mmd2(1.0, 1.0)
    with pytest.raises(TypeError):
        gaussian_shift_sliced_wasserstein(1.0, 3)
