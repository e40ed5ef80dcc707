"""Tests of the three-term decomposition and the exact least-squares bias (synutil.bounds.regression)."""

import numpy as np
import pytest
from scipy import integrate, stats

from synutil.bounds import (
    coverage_constant,
    custom_basis,
    decomposition_bound,
    least_squares_first_order,
    least_squares_population_bias,
    polynomial_basis,
    quadrature_rule,
    theorem1_bound,
)
from synutil.sim.laws import BetaLaw, GaussianLaw, UniformLaw

ETA = lambda X: np.sin(2 * np.pi * X[..., 0])  # noqa: E731
SIN = lambda X: np.sin(2 * np.pi * X[..., 0])  # noqa: E731
COS = lambda X: np.cos(2 * np.pi * X[..., 0])  # noqa: E731


def l2_uniform(th, basis_funcs, eta1d):
    """Direct computation of ||phi theta - eta||^2 in L2(U[0,1]) with adaptive scipy.quad."""
    f = lambda x: (sum(t * g(x) for t, g in zip(th, basis_funcs)) - eta1d(x)) ** 2  # noqa: E731
    return integrate.quad(f, 0, 1, epsabs=1e-14, epsrel=1e-13, limit=200)[0]


def test_checked_example_formula_matches_direct_l2():
    res = least_squares_population_bias(polynomial_basis(1), eta=ETA, real_law=UniformLaw(), syn_law=BetaLaw(2, 5))
    funcs = [lambda x: 1.0, lambda x: x]
    s = lambda x: np.sin(2 * np.pi * x)  # noqa: E731
    direct = l2_uniform(res.theta_Q, funcs, s) - l2_uniform(res.theta_P, funcs, s)
    assert abs(res.B - direct) < 1e-8
    assert 0.04 < res.B < 0.055
    # theta_P by hand: slope -6/pi, intercept 3/pi
    np.testing.assert_allclose(res.theta_P, [3 / np.pi, -6 / np.pi], atol=1e-12)
    # theta_Q against scipy quad under the Beta(2, 5) density
    q = stats.beta(2, 5).pdf
    mom = [[integrate.quad(lambda x: x ** (i + j) * q(x), 0, 1)[0] for j in range(2)] for i in range(2)]
    rhs = [integrate.quad(lambda x: x**i * s(x) * q(x), 0, 1)[0] for i in range(2)]
    np.testing.assert_allclose(res.theta_Q, np.linalg.solve(mom, rhs), atol=1e-9)
    assert res.kappa == float("inf")  # Beta(2, 5) has zero density at the endpoints


def test_adding_true_function_kills_bias():
    basis = custom_basis(1.0, lambda X: X[..., 0], SIN)
    assert least_squares_population_bias(basis, eta=ETA, real_law=UniformLaw(), syn_law=BetaLaw(2, 5)).B < 1e-20


@pytest.mark.parametrize("law", [BetaLaw(2, 5), BetaLaw(0.5, 0.5), UniformLaw(0.3, 1.4), GaussianLaw(np.array([0.5]), np.array([[0.04]]))])
def test_B_zero_when_eta_in_span_for_any_Q(law):
    eta = lambda X: 1 - 2 * X[..., 0] + 3 * X[..., 0] ** 2  # noqa: E731
    res = least_squares_population_bias(polynomial_basis(2), eta=eta, real_law=UniformLaw(), syn_law=law)
    assert res.B < 1e-20
    np.testing.assert_allclose(res.theta_Q, [1, -2, 3], atol=1e-9)


def test_prop2b_Q_equals_P_only_response_error_counts():
    basis = polynomial_basis(1)
    h = lambda X: np.cos(3 * X[..., 0])  # noqa: E731
    res = least_squares_population_bias(basis, eta=ETA, eta_syn=lambda X: ETA(X) + 0.3 * h(X),
                                        real_law=UniformLaw(), syn_law=UniformLaw())
    # ||Pi_P(0.3 h)||^2: project h on (1, x) under U[0,1] directly
    funcs = [lambda x: 1.0, lambda x: x]
    mom = [[integrate.quad(lambda x: funcs[i](x) * funcs[j](x), 0, 1)[0] for j in range(2)] for i in range(2)]
    c = np.linalg.solve(mom, [integrate.quad(lambda x: funcs[i](x) * 0.3 * np.cos(3 * x), 0, 1)[0] for i in range(2)])
    proj_sq = integrate.quad(lambda x: (c[0] + c[1] * x) ** 2, 0, 1)[0]
    assert abs(res.B - proj_sq) < 1e-10
    np.testing.assert_allclose(res.misspecification_part, 0, atol=1e-12)
    np.testing.assert_allclose(res.theta_Q - res.theta_P, res.response_part + res.misspecification_part, atol=1e-12)


@pytest.mark.parametrize("law", [BetaLaw(2, 5), BetaLaw(0.5, 1.0), UniformLaw(0.1, 1.1), BetaLaw(3, 1.5)])
def test_vd_bound_and_theorem1_bound_dominate_B(law):
    res = least_squares_population_bias(polynomial_basis(1), eta=ETA, real_law=UniformLaw(), syn_law=law)
    assert res.B <= res.vd_bound + 1e-12
    # Prop 2(c) identity: B = b' S_Q^-1 S_P S_Q^-1 b when eta_syn = eta
    SQi = np.linalg.inv(res.Sigma_Q)
    assert abs(res.B - res.b @ SQi @ res.Sigma_P @ SQi @ res.b) < 1e-12
    assert res.theorem1_bound() >= res.B - 1e-12


def test_theorem1_bound_on_grid():
    h = lambda X: X[..., 0] ** 2  # noqa: E731
    for a in [1.0, 0.7, 0.4, 0.2]:
        law = BetaLaw(a, 1.0)
        for gamma in [0.0, 0.1, 0.5]:
            for basis in (polynomial_basis(1), custom_basis(1.0, COS, SIN)):
                res = least_squares_population_bias(basis, eta=ETA, eta_syn=lambda X: ETA(X) + gamma * h(X),
                                                    real_law=UniformLaw(), syn_law=law)
                assert abs(res.kappa - 1 / a) < 1e-9
                assert res.theorem1_bound() >= res.B - 1e-12


def test_theorem1_bound_values_and_errors():
    assert theorem1_bound(kappa=1.0, approx_error_syn=0.2, response_error=0.0, approx_error_real=0.2) == pytest.approx(0.0)
    np.testing.assert_allclose(theorem1_bound(kappa=np.array([1.0, 4.0]), approx_error_syn=0.5, response_error=0.0,
                                              approx_error_real=0.0), [0.25, 1.0])
    # kappa = inf: the change of measure is unavailable, the bound is +inf whatever the other terms
    assert theorem1_bound(kappa=np.inf, approx_error_syn=0.0, response_error=0.1, approx_error_real=0.0) == np.inf
    np.testing.assert_allclose(decomposition_bound(kappa=np.array([np.inf, 1.0]), approx_error_syn=0.0,
                                                      response_error=0.1, approx_error_real=0.0), [np.inf, 0.01])
    assert theorem1_bound is decomposition_bound
    # the squaring: (sqrt(kappa) a_syn + d)^2 - a_real^2, not kappa a_syn^2 + d^2 - a_real^2
    assert decomposition_bound(kappa=2.0, approx_error_syn=0.3, response_error=0.4, approx_error_real=0.1) == pytest.approx(
        (np.sqrt(2) * 0.3 + 0.4) ** 2 - 0.01)
    with pytest.raises(ValueError, match="kappa must be >= 1"):
        theorem1_bound(kappa=0.5, approx_error_syn=0.1, response_error=0.0, approx_error_real=0.0)
    with pytest.raises(ValueError, match="response_error must be"):
        theorem1_bound(kappa=2, approx_error_syn=0.1, response_error=-1.0, approx_error_real=0.0)


def test_coverage_constant():
    grid = np.linspace(0, 1, 1001)
    assert coverage_constant(UniformLaw().pdf, BetaLaw(0.25, 1).pdf, grid) == pytest.approx(4.0)
    assert coverage_constant(UniformLaw().pdf, UniformLaw(0.0, 0.7).pdf, grid) == float("inf")
    assert coverage_constant(np.ones(3), np.array([2.0, 1.0, 0.5]), np.arange(3.0)) == 2.0
    with pytest.raises(ValueError, match="one density value per point"):
        coverage_constant(np.ones(2), np.ones(3), np.arange(3.0))
    with pytest.raises(ValueError, match="zero at every point"):
        coverage_constant(np.zeros(3), np.ones(3), np.arange(3.0))
    with pytest.raises(ValueError, match="non-negative"):
        coverage_constant(np.ones(3), -np.ones(3), np.arange(3.0))


def test_quadrature_rules_against_scipy():
    for law, ref in [(BetaLaw(0.5, 0.5), stats.beta(0.5, 0.5)), (BetaLaw(2, 5), stats.beta(2, 5)),
                     (UniformLaw(-1, 3), stats.uniform(-1, 4))]:
        x, w = quadrature_rule(law)
        assert abs(w @ np.cos(x[:, 0]) - ref.expect(np.cos)) < 1e-8
    x, w = quadrature_rule(GaussianLaw(np.array([1.0]), np.array([[4.0]])))
    assert abs(w @ x[:, 0] ** 2 - 5.0) < 1e-10
    x, w = quadrature_rule(BetaLaw(2, 2), support=(0, 1))  # pdf path
    assert abs(w @ x[:, 0] - 0.5) < 1e-10
    with pytest.raises(ValueError, match="integrates to"):
        quadrature_rule(BetaLaw(2, 2), support=(0, 0.5))
    with pytest.raises(ValueError, match="one-dimensional"):
        quadrature_rule(UniformLaw(dim=2))
    with pytest.raises(ValueError, match="no quadrature rule"):
        quadrature_rule(object())


def test_monte_carlo_method_agrees_and_is_seeded():
    kw = dict(eta=ETA, real_law=UniformLaw(), syn_law=BetaLaw(2, 5), method="monte_carlo", n_samples=200_000)
    a = least_squares_population_bias(polynomial_basis(1), random_state=3, **kw)
    b = least_squares_population_bias(polynomial_basis(1), random_state=3, **kw)
    assert a.B == b.B
    exact = least_squares_population_bias(polynomial_basis(1), eta=ETA, real_law=UniformLaw(), syn_law=BetaLaw(2, 5))
    assert abs(a.B - exact.B) < 0.005
    with pytest.raises(ValueError, match="method must be"):
        least_squares_population_bias(polynomial_basis(1), eta=ETA, real_law=UniformLaw(), syn_law=UniformLaw(), method="x")


def test_singular_basis_raises():
    basis = custom_basis(1.0, 2.0)
    with pytest.raises(ValueError, match="singular"):
        least_squares_population_bias(basis, eta=ETA, real_law=UniformLaw(), syn_law=UniformLaw())


def test_first_order_closed_forms():
    eta = lambda X: 1 + 2 * X[..., 0]  # noqa: E731
    # well specified, homoscedastic: real k sigma^2/n, synthetic sigma~^2 tr(S_P S_Q^-1)/m
    t = least_squares_first_order(polynomial_basis(1), eta=eta, real_law=UniformLaw(), syn_law=BetaLaw(0.5, 0.5),
                                  n=100, m=50, noise_sd=1.0, noise_sd_syn=2.0)
    assert t.real_term == pytest.approx(2 / 100)
    assert t.syn_term == pytest.approx(4 * (5 / 3) / 50)  # tr = 1 + Var_P/Var_Q = 1 + (1/12)/(1/8)
    assert t.syn_bias_term == pytest.approx(0.0, abs=1e-14)
    assert t.predicted_gap == pytest.approx(4 * (5 / 3) / 50 - 2 / 100)
    with pytest.raises(ValueError, match="positive integer sample size"):
        least_squares_first_order(polynomial_basis(1), eta=eta, real_law=UniformLaw(), syn_law=UniformLaw(),
                                  n=0, m=5, noise_sd=1.0)
    with pytest.raises(ValueError, match="noise_sd"):
        least_squares_first_order(polynomial_basis(1), eta=eta, real_law=UniformLaw(), syn_law=UniformLaw(),
                                  n=5, m=5, noise_sd=-1.0)


def test_basis_helpers():
    X = np.array([[[2.0], [3.0]]])
    assert polynomial_basis(2)(X).shape == (1, 2, 3)
    assert custom_basis(1.0, SIN)(X).shape == (1, 2, 2)
    with pytest.raises(ValueError, match="non-negative integer"):
        polynomial_basis(1.5)
    with pytest.raises(ValueError, match="at least one"):
        custom_basis()
    with pytest.raises(ValueError, match="callables or numbers"):
        custom_basis("x")
    d = least_squares_population_bias(polynomial_basis(1), eta=ETA, real_law=UniformLaw(), syn_law=BetaLaw(2, 5)).to_dict()
    assert set(d) >= {"B", "theta_P", "theta_Q", "Sigma_P", "Sigma_Q", "b", "response_part", "misspecification_part"}


def _beta_moments(a, b, k_max=6):
    return np.array([np.prod([(a + i) / (a + b + i) for i in range(k)]) for k in range(k_max + 1)])


@pytest.mark.parametrize("a,b,gamma", [(2, 5, 0.0), (2, 5, 0.5), (0.5, 1, 0.5), (0.25, 1, -0.3), (3, 1.5, 1.0)])
def test_polynomial_case_against_beta_moments(a, b, gamma):
    """U[0,1] vs Beta(a, b), phi = (1, x), eta = x^2, eta~ = x^2 + gamma x^3: everything in closed form."""
    res = least_squares_population_bias(polynomial_basis(1), eta=lambda X: X[..., 0] ** 2,
                                        eta_syn=lambda X: X[..., 0] ** 2 + gamma * X[..., 0] ** 3,
                                        real_law=UniformLaw(), syn_law=BetaLaw(a, b))
    mu = _beta_moments(a, b)
    var = mu[2] - mu[1] ** 2
    slope = (mu[3] + gamma * mu[4] - mu[1] * (mu[2] + gamma * mu[3])) / var
    theta_Q = np.array([mu[2] + gamma * mu[3] - slope * mu[1], slope])
    D = theta_Q - np.array([-1 / 6, 1.0])
    np.testing.assert_allclose(res.theta_P, [-1 / 6, 1.0], atol=1e-12)
    np.testing.assert_allclose(res.theta_Q, theta_Q, atol=1e-11)
    assert res.B == pytest.approx(D[0] ** 2 + D[0] * D[1] + D[1] ** 2 / 3, abs=1e-12)
    inv_Q = lambda v0, v1: np.array([mu[2] * v0 - mu[1] * v1, v1 - mu[1] * v0]) / var  # noqa: E731
    np.testing.assert_allclose(res.response_part, inv_Q(gamma * mu[3], gamma * mu[4]), atol=1e-11)
    np.testing.assert_allclose(res.misspecification_part, inv_Q(mu[2] - mu[1] + 1 / 6, mu[3] - mu[2] + mu[1] / 6), atol=1e-11)
    coef = np.array([-theta_Q[0], -theta_Q[1], 1.0, gamma])
    assert res.approx_error_syn == pytest.approx(np.sqrt(np.convolve(coef, coef) @ mu), abs=1e-10)
    assert res.approx_error_real == pytest.approx(np.sqrt(1 / 180), abs=1e-12)
    assert res.response_error == pytest.approx(abs(gamma) / np.sqrt(7), abs=1e-12)
    if b == 1 and a <= 1:
        assert res.kappa == pytest.approx(1 / a, abs=1e-12)
        bound = (np.sqrt(1 / a) * res.approx_error_syn + abs(gamma) / np.sqrt(7)) ** 2 - 1 / 180
        assert res.decomposition_bound() == pytest.approx(bound, abs=1e-12)
        assert res.decomposition_bound() >= res.B
    else:
        assert res.kappa == np.inf and res.decomposition_bound() == np.inf


@pytest.mark.parametrize("a", [1.0, 0.6, 0.25])
def test_bound_attained_when_eta_syn_in_class(a):
    """eta~ in F and kappa < inf: the triangle and change-of-measure steps are equalities, bound = B."""
    th = np.array([3 / np.pi, -6 / np.pi])
    for gamma in (0.1, 0.5):
        res = least_squares_population_bias(polynomial_basis(1), eta=ETA,
                                            eta_syn=lambda X: th[0] + th[1] * X[..., 0] + gamma * (X[..., 0] - 0.5),
                                            real_law=UniformLaw(), syn_law=BetaLaw(a, 1.0))
        assert res.B == pytest.approx(gamma**2 / 12, abs=1e-12)
        assert res.decomposition_bound() == pytest.approx(res.B, abs=1e-12)


def test_first_order_real_side_and_bias_term():
    """Misspecified real side: tr(S_P^-1 Omega_P)/n by adaptive integration; design-bias term by hand for Q = P."""
    eta = lambda X: X[..., 0] ** 2  # noqa: E731
    t = least_squares_first_order(polynomial_basis(1), eta=eta, real_law=UniformLaw(), syn_law=UniformLaw(),
                                  n=50, m=50, noise_sd=0.3)
    r = lambda x: x**2 - x + 1 / 6  # noqa: E731
    Om = np.array([[integrate.quad(lambda x: x ** (i + j) * (r(x) ** 2 + 0.09), 0, 1)[0] for j in range(2)] for i in range(2)])
    SP = np.array([[1, 0.5], [0.5, 1 / 3]])
    assert t.real_term == pytest.approx(np.trace(np.linalg.solve(SP, Om)) / 50, rel=1e-10)
    assert t.syn_term == pytest.approx(t.real_term, rel=1e-10)  # Q = P_X: same terms, no design-bias term (B = 0)
    assert t.syn_bias_term == pytest.approx(0.0, abs=1e-14)
