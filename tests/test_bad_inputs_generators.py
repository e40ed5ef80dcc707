"""Bad and edge-case inputs to every public class and function of :mod:`synutil.generators` (issue 9).

Every bad input must raise a ``ValueError`` or ``TypeError`` whose message names the argument and says what to
fix; nothing may fail deep inside numpy or hand back NaN; the same seed must give the same numbers.

The generators are listed from ``synutil.generators.__all__``: a new public generator has no factory below and
``test_every_public_name_is_covered`` (and every test parametrised over the generators) fails until one is added.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

import synutil.generators as G
from synutil.bounds import privacy as P
from synutil.generators import dp_histogram as D
from synutil.generators._base import check_labelled, draw_label_codes
from synutil.sim.laws import BetaLaw, MarginClassification, UniformLaw, sine_regression

# ----------------------------------------------------------------------------------------------- data and factories

_rng = np.random.default_rng(0)
X2 = _rng.normal(size=(60, 2))
Y_REG = X2 @ [1.0, -1.0] + _rng.normal(size=60)
Y_LAB = (X2[:, 0] > 0).astype(int)
XU = _rng.uniform(size=(60, 1))
YU = (XU[:, 0] > 0.5).astype(int)
IMAGES = _rng.uniform(size=(40, 6))
IMAGE_LABELS = np.repeat([0, 1], 20)
TABLE = pd.DataFrame({
    "a": _rng.normal(size=80),
    "b": _rng.integers(0, 5, 80),
    "c": _rng.choice(["x", "y", None], 80),
    "d": _rng.random(80) < 0.5,
})


def _line(Z):
    return np.c_[np.ones(len(Z)), Z]


def _model():
    return G.ModelGenerator(sine_regression())


def _classes():
    return G.ModelGenerator(MarginClassification())


def _vae(**options):
    kwargs = {"latent_dim": 2, "hidden": 8, "epochs": 1, "batch_size": 16, "random_state": 0, "n_threads": 1}
    return G.ConditionalVAE(**{**kwargs, **options})


#: unfitted instance of every public generator class (abstract bases excluded)
UNFITTED = {
    "GaussianGenerator": lambda: G.GaussianGenerator(),
    "BootstrapGenerator": lambda: G.BootstrapGenerator(),
    "KDEGenerator": lambda: G.KDEGenerator(),
    "ParametricRegressionGenerator": lambda: G.ParametricRegressionGenerator(_line),
    "PosteriorGaussianGenerator": lambda: G.PosteriorGaussianGenerator(),
    "DPHistogramGenerator": lambda: G.DPHistogramGenerator(epsilon=1.0, bins=3),
    "ClassConditionalGaussianMixture": lambda: G.ClassConditionalGaussianMixture(2, 1, random_state=0),
    "ConditionalVAE": lambda: _vae(),
    "GaussianCopulaGenerator": lambda: G.GaussianCopulaGenerator(),
    "SequentialCARTGenerator": lambda: G.SequentialCARTGenerator(),
    "ModelGenerator": None,  # always fitted: it samples from a known model
    "FeatureShift": lambda: G.FeatureShift(G.GaussianGenerator(), shift=0.1),
    "FeatureLaw": lambda: G.FeatureLaw(G.GaussianGenerator(), law=UniformLaw(dim=2)),
    "CoverageGap": lambda: G.CoverageGap(G.GaussianGenerator(), removed=lambda Z: Z[:, 0] > 3),
    "ResponseError": lambda: G.ResponseError(G.GaussianGenerator(), gamma=0.1, direction=lambda Z: Z[:, 0]),
    "LabelNoise": lambda: G.LabelNoise(G.KDEGenerator(), rho=0.1),
}

#: how each unfitted generator is fitted
FIT_DATA = {
    "GaussianGenerator": lambda g: g.fit(X2, Y_REG),
    "BootstrapGenerator": lambda g: g.fit(X2, Y_REG),
    "KDEGenerator": lambda g: g.fit(X2, Y_LAB),
    "ParametricRegressionGenerator": lambda g: g.fit(X2, Y_REG),
    "PosteriorGaussianGenerator": lambda g: g.fit(X2, Y_REG),
    "DPHistogramGenerator": lambda g: g.fit(XU, YU),
    "ClassConditionalGaussianMixture": lambda g: g.fit(X2, Y_LAB),
    "ConditionalVAE": lambda g: g.fit(IMAGES, IMAGE_LABELS),
    "GaussianCopulaGenerator": lambda g: g.fit(TABLE),
    "SequentialCARTGenerator": lambda g: g.fit(TABLE),
}

#: a fitted instance of every public generator class
FITTED = {
    **{name: (lambda name=name: FIT_DATA[name](UNFITTED[name]())) for name in FIT_DATA},
    "ModelGenerator": _model,
    "FeatureShift": lambda: G.FeatureShift(_model(), shift=0.1, scale=2.0, center=0.5),
    "FeatureLaw": lambda: G.FeatureLaw(_model(), law=BetaLaw(2, 5)),
    "CoverageGap": lambda: G.CoverageGap(_model(), removed=lambda Z: Z[:, 0] > 0.7),
    "ResponseError": lambda: G.ResponseError(_model(), gamma=0.3, direction=lambda Z: Z[:, 0]),
    "LabelNoise": lambda: G.LabelNoise(_classes(), rho=0.2),
}

#: public names that are not generators one can fit and sample from
ABSTRACT = {"SyntheticGenerator", "TabularGenerator"}
FUNCTIONS = {"flip_labels", "kde_bandwidth_factor"}

GENERATORS = sorted(name for name in G.__all__ if name[:1].isupper() and name not in ABSTRACT)
TABULAR = {"GaussianCopulaGenerator", "SequentialCARTGenerator"}


@functools.cache
def fitted(name):
    """One fitted instance per generator for the whole module (a VAE fit costs a second)."""
    if name not in FITTED:
        pytest.fail(f"{name} is a public generator of synutil.generators without a factory in FITTED: add one.")
    return FITTED[name]()


def test_every_public_name_is_covered():
    missing = [n for n in G.__all__ if n not in ABSTRACT | FUNCTIONS and n not in FITTED]
    assert not missing, f"public generators without a factory in this file: {missing}"
    assert set(UNFITTED) == set(FITTED)


# ----------------------------------------------------------------------------------------------- sample(n)

BAD_N = [
    pytest.param(2.5, ValueError, r"got 2\.5 \(float\); pass an integer such as 2 \(nothing is rounded", id="2.5"),
    pytest.param(True, TypeError, r"got True \(bool\)", id="True"),
    pytest.param("5", TypeError, r"got '5' \(str\)", id="str"),
    pytest.param(None, TypeError, r"got None \(NoneType\)", id="None"),
    pytest.param(0, ValueError, r"\(a whole number >= 1\), got 0 \(int\)", id="0"),
    pytest.param(-3, ValueError, r"\(a whole number >= 1\), got -3 \(int\)", id="-3"),
    pytest.param(float("nan"), ValueError, r"\(a whole number >= 1\), got nan", id="nan"),
]


@pytest.mark.parametrize("name", GENERATORS)
@pytest.mark.parametrize("n, error, detail", BAD_N)
def test_sample_refuses_a_bad_number_of_rows(name, n, error, detail):
    gen = fitted(name)
    with pytest.raises(error, match=r"^n must be a positive (integer )?number of rows \(a whole number >= 1\)") as info:
        gen.sample(n, random_state=0)
    assert info.match(detail)


@pytest.mark.parametrize("name", GENERATORS)
def test_sample_refuses_a_size_that_does_not_fit_in_memory(name):
    with pytest.raises(ValueError, match=r"sample\(n=1000000000000\) would need .* GiB.*draw fewer rows"):
        fitted(name).sample(10**12, random_state=0)


@pytest.mark.parametrize("name", sorted(TABULAR))
def test_tabular_sample_accepts_whole_numbers_of_any_type(name):
    gen = fitted(name)
    assert gen.sample(1e2, random_state=0).equals(gen.sample(100, random_state=0))
    assert gen.sample(np.int64(7), random_state=1).shape == (7, TABLE.shape[1])


# ----------------------------------------------------------------------------------------------- before fit

BEFORE_FIT = [
    ("DPHistogramGenerator", lambda g: g.cell_index([[0.5]])),
    ("FeatureShift", lambda g: g.sample(3)),
    ("FeatureLaw", lambda g: g.sample(3)),
    ("ResponseError", lambda g: g.sample(3)),
    ("LabelNoise", lambda g: g.sample(3)),
    ("CoverageGap", lambda g: g.sample(3)),
    ("ConditionalVAE", lambda g: g.decode(np.zeros((1, 2)), [0])),
]


@pytest.mark.parametrize("name, call", BEFORE_FIT, ids=[f"{n}-{i}" for i, (n, _) in enumerate(BEFORE_FIT)])
def test_using_an_unfitted_generator_says_call_fit_first(name, call):
    gen = UNFITTED[name]()
    with pytest.raises(ValueError, match=rf"{name} .*not fitted yet; call fit\(") as info:
        call(gen)
    base = getattr(gen, "base", None)
    if base is not None:
        assert info.match(type(base).__name__)


# ----------------------------------------------------------------------------------------------- fit

def _nan_label(y):
    y = np.asarray(y, dtype=float).copy()
    y[3] = np.nan
    return y


def _none_label(y):
    y = np.asarray(y).astype(object)
    y[2] = None
    return y


LABELLED = {
    "KDEGenerator": (X2, Y_LAB),
    "ClassConditionalGaussianMixture": (X2, Y_LAB),
    "ConditionalVAE": (IMAGES, IMAGE_LABELS),
}


@pytest.mark.parametrize("name", sorted(LABELLED))
@pytest.mark.parametrize("spoil", [_nan_label, _none_label], ids=["NaN", "None"])
def test_fit_refuses_missing_labels(name, spoil):
    X, y = LABELLED[name]
    with pytest.raises(ValueError, match=r"^y has missing labels \(NaN or None\) at row\(s\) \[[23]\]"):
        UNFITTED[name]().fit(X, spoil(y))


@pytest.mark.parametrize("name", sorted(LABELLED))
def test_fit_refuses_complex_labels(name):
    X, y = LABELLED[name]
    with pytest.raises(TypeError, match=r"^y has complex values"):
        UNFITTED[name]().fit(X, y + 0j)


def test_check_labelled_and_draw_label_codes_use_the_shared_label_check():
    with pytest.raises(ValueError, match=r"^y has missing labels"):
        check_labelled(X2, _nan_label(Y_LAB), owner="G")
    with pytest.raises(ValueError, match=r"^y has missing labels"):
        check_labelled(X2, _none_label(Y_LAB), owner="G")
    with pytest.raises(TypeError, match=r"^y has complex values"):
        check_labelled(X2, Y_LAB + 0j, owner="G")
    classes = np.array([0.0, 1.0])
    with pytest.raises(ValueError, match=r"^labels has missing labels"):
        draw_label_codes(2, classes=classes, class_weights=None, labels=[0.0, np.nan], rng=0)
    with pytest.raises(ValueError, match=r"^labels must be a 1-D array of class labels, got shape \(2, 2\)"):
        draw_label_codes(4, classes=classes, class_weights=None, labels=[[0, 1], [1, 0]], rng=0)
    with pytest.raises(ValueError, match=r"^n must be a positive number of rows .*nothing is rounded"):
        draw_label_codes(2.5, classes=classes, class_weights=None, labels=None, rng=0)


@pytest.mark.parametrize("name", ["GaussianGenerator", "KDEGenerator", "PosteriorGaussianGenerator"])
def test_fit_refuses_data_whose_scale_overflows(name):
    with pytest.raises(ValueError, match=rf"fitted by {name} is not finite.*rescale the real data"):
        UNFITTED[name]().fit(X2 * 1e200, Y_LAB if name == "KDEGenerator" else Y_REG)


def test_parametric_fit_refuses_responses_whose_scale_overflows():
    with pytest.raises(ValueError, match=r"residual variance\) fitted by ParametricRegressionGenerator is not finite"):
        G.ParametricRegressionGenerator(_line).fit(X2, Y_REG * 1e200)


def test_gaussian_generator_options_and_singular_covariance():
    for bad, error in [(-1.0, ValueError), (np.nan, ValueError), ("1", TypeError), (True, TypeError)]:
        with pytest.raises(error, match=r"^ridge must be a non-negative number"):
            G.GaussianGenerator(ridge=bad)
    with pytest.raises(ValueError, match=r"covariance of X is singular .*pass ridge > 0"):
        G.GaussianGenerator(ridge=0).fit(np.c_[X2, X2], Y_REG)
    gen = G.GaussianGenerator().fit(X2, Y_REG)
    with pytest.raises(ValueError, match=r"^X must have shape \(n, 2\), got \(2,\)"):
        gen.predict_mean(np.zeros(2))
    with pytest.raises(ValueError, match=r"^X must have shape \(n, 2\), got \(3, 3\)"):
        gen.predict_mean(np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"fitted without responses.*call fit\(X, y\)"):
        G.GaussianGenerator().fit(X2).predict_mean(X2)


def test_mixture_options_and_small_classes():
    mix = G.ClassConditionalGaussianMixture
    for field, bad, error in [("n_components_pca", 2.5, ValueError), ("n_components_pca", "2", TypeError),
                              ("n_mixture_components", True, TypeError)]:
        options = {"n_components_pca": 2, "n_mixture_components": 1, field: bad}
        with pytest.raises(error, match=rf"^{field} must be positive \(a whole number >= 1\), got"):
            mix(**options).fit(X2, Y_LAB)
    with pytest.raises(ValueError, match=r"^reg_covar must be a non-negative number"):
        mix(2, 1, reg_covar=-1.0).fit(X2, Y_LAB)
    with pytest.raises(TypeError, match=r"^class_proportions must be one non-negative number per class"):
        mix(2, 1, class_proportions=["a", "b"]).fit(X2, Y_LAB)
    with pytest.raises(ValueError, match=r"class\(es\) \{1: 1\} \(label: rows\) have a single row"):
        mix(2, 1).fit(X2[:5], [0, 0, 0, 0, 1])
    with pytest.raises(TypeError, match=r"^clip must be True or False, got 'no'"):
        fitted("ClassConditionalGaussianMixture").sample(3, random_state=0, clip="no")


def test_kde_options():
    with pytest.raises(TypeError, match=r"^bandwidth must be 'scott', 'silverman' or a positive float, got True"):
        G.KDEGenerator(bandwidth=True)
    with pytest.raises(TypeError, match=r"^bandwidth must be .* got 1j \(complex\)"):
        G.KDEGenerator(bandwidth=1j)
    with pytest.raises(TypeError, match=r"^p must be a whole number >= 1, got True \(bool\)"):
        G.kde_bandwidth_factor(10, True)
    with pytest.raises(TypeError, match=r"^n must be a whole number >= 2, got '10' \(str\)"):
        G.kde_bandwidth_factor("10", 1)
    with pytest.raises(ValueError, match=r"^n must be a whole number >= 2, got 10\.5 .*nothing is rounded"):
        G.kde_bandwidth_factor(10.5, 1)


def test_parametric_options():
    gen = fitted("ParametricRegressionGenerator")
    with pytest.raises(TypeError, match=r"^X must be numeric, but it contains strings"):
        gen.predict_mean([["a", "b"]])

    class NaNLaw:
        def sample(self, n, random_state=None):
            return np.full((n, 2), np.nan)

    bad = G.ParametricRegressionGenerator(_line, feature_law=NaNLaw()).fit(X2, Y_REG)
    with pytest.raises(ValueError, match=r"^feature_law\.sample\(n\) returned NaN"):
        bad.sample(3, random_state=0)


# ----------------------------------------------------------------------------------------------- knobs

def _two_dim_model():
    return G.ModelGenerator(sine_regression(feature_law=UniformLaw(dim=2)))


def test_feature_shift_checks_lengths_and_values():
    with pytest.raises(ValueError, match=r"^shift has 3 entries but the base generator draws 1 feature\(s\)"):
        G.FeatureShift(_model(), shift=[0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=r"^scale has 2 entries but the base generator draws 1 feature"):
        G.FeatureShift(_model(), scale=[1.0, 2.0])
    with pytest.raises(ValueError, match=r"^center has 3 entries but the base generator draws 2 feature"):
        G.FeatureShift(_two_dim_model(), center=[0.0, 0.0, 1.0])
    with pytest.raises(ValueError, match=r"^shift must be finite numbers without NaN"):
        G.FeatureShift(_model(), shift=np.nan)
    with pytest.raises(ValueError, match=r"^scale must be finite numbers without NaN"):
        G.FeatureShift(_model(), scale=np.inf)
    with pytest.raises(ValueError, match=r"^center must be finite"):
        G.FeatureShift(_model(), center=np.nan)
    with pytest.raises(TypeError, match=r"^shift must be numeric, but it contains strings"):
        G.FeatureShift(_model(), shift="1")
    with pytest.raises(TypeError, match=r"^base must be a synutil generator"):
        G.FeatureShift("gen")
    # an unfitted base: the length is checked at the first draw
    late = G.FeatureShift(G.GaussianGenerator(), shift=[0.1, 0.2, 0.3])
    late.fit(X2, Y_REG)
    with pytest.raises(ValueError, match=r"^shift has 3 entries but the base generator draws 2 feature"):
        late.sample(4, random_state=0)


def test_feature_law_must_match_the_model():
    with pytest.raises(ValueError, match=r"^law draws 2-dimensional features but the base generator ModelGenerator "
                                         r"has 1 feature"):
        G.FeatureLaw(_model(), law=BetaLaw(2, 5, dim=2))
    with pytest.raises(ValueError, match=r"^law draws 1-dimensional features .* has 2 feature"):
        G.FeatureLaw(_two_dim_model(), law=BetaLaw(2, 5))

    class Law:
        def __init__(self, make):
            self.make = make

        def sample(self, n, random_state=None):
            return self.make(n)

    with pytest.raises(ValueError, match=r"^law draws 2-dimensional features"):  # a law without a dim attribute
        G.FeatureLaw(_classes(), law=Law(lambda n: np.zeros((n, 2)))).sample(5, random_state=0)
    with pytest.raises(ValueError, match=r"^law\.sample\(n\) returned NaN or infinite features"):
        G.FeatureLaw(_model(), law=Law(lambda n: np.full(n, np.nan))).sample(5, random_state=0)
    with pytest.raises(ValueError, match=r"^law\.sample\(n\) must return n=5 rows"):
        G.FeatureLaw(_model(), law=Law(lambda n: np.zeros(n + 1))).sample(5, random_state=0)
    with pytest.raises(TypeError, match=r"^law\.sample\(n\) must return real numbers"):
        G.FeatureLaw(_model(), law=Law(lambda n: np.zeros(n) + 1j)).sample(5, random_state=0)
    with pytest.raises(TypeError, match=r"^law must have a sample\(n, random_state=\.\.\.\) method"):
        G.FeatureLaw(_model(), law=3)


def test_coverage_gap_checks_its_options_and_mask():
    removed = lambda Z: Z[:, 0] > 0.5
    for bad, error in [(0, ValueError), (-1, ValueError), (2.5, ValueError), (True, TypeError)]:
        with pytest.raises(error, match=r"^max_tries must be a whole number >= 1"):
            G.CoverageGap(_model(), removed=removed, max_tries=bad)
    with pytest.raises(TypeError, match=r"^removed must be a callable removed\(X\) -> one bool per row"):
        G.CoverageGap(_model(), removed=3)
    cases = [(lambda Z: np.array([True]), r"shape \(5,\); got shape \(1,\)"),
             (lambda Z: Z > 0.5, r"shape \(5,\); got shape \(5, 1\)"),
             (lambda Z: Z[:, 0], r"booleans .* got dtype float64")]
    for mask, message in cases:
        with pytest.raises(ValueError, match=rf"^removed\(X\) must return .*{message}"):
            G.CoverageGap(_model(), removed=mask).sample(5, random_state=0)


def test_response_error_checks_gamma_and_direction():
    h = lambda Z: Z[:, 0]
    for bad, error in [(np.nan, ValueError), (np.inf, ValueError), ("0.1", TypeError), (True, TypeError),
                       (None, TypeError)]:
        with pytest.raises(error, match=r"^gamma \(the size of the response error\) must be a finite number"):
            G.ResponseError(_model(), gamma=bad, direction=h)
    with pytest.raises(TypeError, match=r"^direction must be a callable"):
        G.ResponseError(_model(), gamma=0.1, direction=3)
    with pytest.raises(ValueError, match=r"^direction\(X\) must return one value per row of X, shape \(5,\); got "
                                         r"shape \(3,\)"):
        G.ResponseError(_model(), gamma=0.1, direction=lambda Z: np.ones(3)).sample(5, random_state=0)
    with pytest.raises(ValueError, match=r"^direction\(X\) returned NaN or infinite values"):
        G.ResponseError(_model(), gamma=0.1, direction=lambda Z: np.full(len(Z), np.nan)).sample(5, random_state=0)
    with pytest.raises(ValueError, match=r"GaussianGenerator does not expose its regression function eta"):
        G.ResponseError(fitted("GaussianGenerator"), gamma=0.1, direction=h).eta(X2)


@pytest.mark.parametrize("rho", ["0.1", True, None, np.array([0.1, 0.2])], ids=["str", "True", "None", "array"])
def test_label_noise_refuses_a_rho_that_is_not_a_number(rho):
    with pytest.raises(TypeError, match=r"^rho must lie in \[0, 0\.5\) so that labels stay informative"):
        G.LabelNoise(_classes(), rho=rho)
    with pytest.raises(TypeError, match=r"^rho must be a probability in \[0, 1\]"):
        G.flip_labels([0, 1, 1], rho, random_state=0)


def test_flip_labels_checks_labels_and_classes():
    with pytest.raises(ValueError, match=r"^y has missing labels \(NaN or None\) at row\(s\) \[2\]"):
        G.flip_labels([0.0, 1.0, np.nan], 0.1, random_state=0)
    with pytest.raises(ValueError, match=r"^y has missing labels"):
        G.flip_labels(np.array([0, 1, None], dtype=object), 0.1, random_state=0)
    with pytest.raises(TypeError, match=r"^y has complex values"):
        G.flip_labels([0j, 1j], 0.1, random_state=0)
    with pytest.raises(ValueError, match=r"^classes has missing labels"):
        G.flip_labels([0.0, 1.0], 0.1, classes=[0.0, 1.0, np.nan], random_state=0)
    with pytest.raises(ValueError, match=r"^classes must be a 1-D array of class labels"):
        G.flip_labels([0, 1], 0.1, classes=[[0, 1], [1, 0]], random_state=0)


# ----------------------------------------------------------------------------------------------- DP histogram

def _dp(**options):
    return G.DPHistogramGenerator(**{"epsilon": 1.0, "bins": 3, "bounds": (0, 1), **options})


def test_dp_histogram_generator_options():
    for bad, error in [("1", TypeError), (True, TypeError), (1j, TypeError), (None, TypeError)]:
        with pytest.raises(error, match=r"^epsilon must be positive and finite \(a number\)"):
            _dp(epsilon=bad)
    with pytest.raises(ValueError, match=r"^epsilon must be a single number here, got shape \(2,\)"):
        _dp(epsilon=[1.0, 2.0])
    with pytest.raises(TypeError, match=r"^bounds must be a finite \(low, high\) pair of numbers"):
        _dp(bounds=("0", "1"))
    with pytest.raises(ValueError, match=r"count table of 1000000000000000 cells would need .*use fewer bins"):
        _dp(bins=[10**5] * 3, bounds=[(0, 1)] * 3).fit(np.full((4, 3), 0.5), [0, 1, 0, 1])
    for bad in (-1, 1.5, "seed"):
        with pytest.raises(ValueError, match=r"^random_state must be None, an int >= 0"):
            _dp(random_state=bad)
    with pytest.raises(ValueError, match=r"^neighbouring must be 'replace-one' or 'add-remove'"):
        D.histogram_sensitivity(neighbouring=["replace-one"])


def test_dp_histogram_generator_labels_and_counts():
    with pytest.raises(TypeError, match=r"^y must be binary labels 0/1 \(numbers or booleans\), got .* dtype <U1"):
        _dp().fit(XU, np.array(["0", "1"] * 30))
    with pytest.raises(TypeError, match=r"^y has complex values"):
        _dp().fit(XU, YU + 0j)
    with pytest.raises(TypeError, match=r"^counts must be numeric \(real\)"):
        _dp().fit_counts(np.ones((3, 2)) + 1j)
    with pytest.raises(TypeError, match=r"^counts must be numeric, but it contains strings"):
        _dp().fit_counts(np.full((3, 2), "1"))
    with pytest.raises(ValueError, match=r"^n_features must be a whole number >= 1, got 1\.5"):
        _dp().fit_counts(np.ones((3, 2)), n_features=1.5)
    with pytest.raises(TypeError, match=r"^n_features must be a whole number >= 1, got True"):
        _dp().fit_counts(np.ones((3, 2)), n_features=True)


def test_laplace_functions_check_their_arguments():
    for bad, error in [("2", TypeError), (True, TypeError), (None, TypeError), (0, ValueError)]:
        with pytest.raises(error, match=r"^sensitivity must be positive and finite"):
            D.laplace_mechanism([1.0], sensitivity=bad, epsilon=1.0)
    with pytest.raises(ValueError, match=r"^epsilon must be a single number here"):
        D.laplace_mechanism([1.0], sensitivity=1, epsilon=[1.0, 2.0])
    with pytest.raises(ValueError, match=r"^z must be numbers without NaN"):
        D.laplace_difference_sf(np.nan)
    with pytest.raises(TypeError, match=r"^z must be numeric, but it contains strings"):
        D.laplace_difference_sf("1")
    with pytest.raises(TypeError, match=r"^z must be numeric \(real\)"):
        D.laplace_difference_sf(1j)
    for bad, error in [("1", TypeError), (True, TypeError), (np.array([1.0, 2.0]), TypeError)]:
        with pytest.raises(error, match=r"^scale must be positive and finite"):
            D.laplace_difference_sf(1.0, scale=bad)


def _eta(x):
    return (1 + x[:, 0]) / 2


def test_binned_classification_law_checks_eta_density_and_nodes():
    law = P.binned_classification_law
    with pytest.raises(ValueError, match=r"^eta must return probabilities in \[0, 1\], got values in \["):
        law(lambda x: 2 + x[:, 0], [-1, 0, 1])
    with pytest.raises(ValueError, match=r"^eta returned NaN or infinite values on the bins"):
        law(lambda x: np.full(len(x), np.nan), [-1, 0, 1])
    with pytest.raises(ValueError, match=r"^eta must return one value per point \(128 points\), got shape \(3,\)"):
        law(lambda x: np.ones(3), [-1, 0, 1])
    with pytest.raises(TypeError, match=r"^eta must be a callable"):
        law(3, [-1, 0, 1])
    with pytest.raises(ValueError, match=r"^density must be non-negative"):
        law(_eta, [-1, 0, 1], density=lambda x: -np.ones_like(x))
    for bad, error in [(4.7, ValueError), ("8", TypeError), (True, TypeError)]:
        with pytest.raises(error, match=r"^quad_points must be a whole number >= 4"):
            law(_eta, [-1, 0, 1], quad_points=bad)
    with pytest.raises(ValueError, match=r"^the quadrature nodes \(1000000000 per bin\) would need .*quad_points"):
        law(_eta, [-1, 0, 1], quad_points=10**9)


def test_dp_utility_functions_check_their_arguments():
    probs = np.array([[0.3, 0.2], [0.2, 0.3]])
    flip = P.dp_histogram_flip_probability
    for bad, error in [(True, TypeError), ("100", TypeError), (10.5, ValueError)]:
        with pytest.raises(error, match=r"^n must be a whole number >= 1"):
            flip(probs, [0, 1], n=bad, epsilon=1.0)
    with pytest.raises(ValueError, match=r"^the exact law of the counts of n=1000000000000000000 rows would need .* "
                                         r"pass method='mean'"):
        flip(probs, [0, 1], n=10**18, epsilon=1.0)
    for bad in ("1", True):
        with pytest.raises(TypeError, match=r"^epsilon must be positive \(np\.inf for no noise\)"):
            flip(probs, [0, 1], n=10, epsilon=bad)
    with pytest.raises(TypeError, match=r"^law must be a BinnedLaw"):
        P.dp_histogram_excess_risk("law", n=10, epsilon=1.0)
    for bad, error in [("1", TypeError), (True, TypeError)]:
        with pytest.raises(error, match=r"^alpha must be a positive finite margin exponent"):
            P.dp_low_noise_constant(bad)
    for bad, error in [(np.nan, ValueError), (-1.0, ValueError), ("0.1", TypeError), (np.inf, ValueError),
                       (1j, TypeError), (True, TypeError)]:
        with pytest.raises(error, match=r"^zeta must"):
            P.dp_low_noise_bound(bad, alpha=1.0, C=1.0)
    for bad, error in [("0.1", TypeError), (np.inf, ValueError), (1j, TypeError), (True, TypeError)]:
        with pytest.raises(error, match=r"^zeta must"):
            P.dp_low_noise_excess(bad, alpha=1.0)
    for bad, error in [(np.inf, ValueError), ("1", TypeError), (True, TypeError), (None, TypeError)]:
        with pytest.raises(error, match=r"^C must be positive and finite"):
            P.dp_low_noise_bound(0.1, alpha=1.0, C=bad)
    for bad, error in [("10", TypeError), (np.inf, ValueError), (True, TypeError)]:
        with pytest.raises(error, match=r"^n_per_bin must"):
            P.dp_margin_scale(bad, 1.0)
    with pytest.raises(TypeError, match=r"^epsilon must be positive and finite"):
        P.dp_margin_scale(10, "1")


# ----------------------------------------------------------------------------------------------- tables

@pytest.mark.parametrize("name", sorted(TABULAR))
def test_tabular_generators_refuse_complex_columns(name):
    with pytest.raises(TypeError, match=r"^data has complex-valued column\(s\) \['a'\]"):
        UNFITTED[name]().fit(TABLE.assign(a=TABLE["a"] + 1j))


def test_tabular_options():
    for bad, error in [("0.1", TypeError), (True, TypeError)]:
        with pytest.raises(error, match=r"^ridge must be a small positive number below 1"):
            G.GaussianCopulaGenerator(ridge=bad)
    for bad in ("abcd", 3):
        with pytest.raises(TypeError, match=r"^visit_sequence must be None or a list of column names"):
            G.SequentialCARTGenerator(visit_sequence=bad)


# ----------------------------------------------------------------------------------------------- VAE

def test_vae_options_and_inputs():
    with pytest.raises(ValueError, match=r"^beta must be a non-negative finite number"):
        _vae(beta=np.inf).fit(IMAGES, IMAGE_LABELS)
    for bad in ("1", True):
        with pytest.raises(TypeError, match=r"^beta must be a non-negative finite number"):
            _vae(beta=bad).fit(IMAGES, IMAGE_LABELS)
    with pytest.raises(TypeError, match=r"^progress must be True or False"):
        _vae(progress="yes").fit(IMAGES, IMAGE_LABELS)
    vae = fitted("ConditionalVAE")
    for bad, error in [(1.5, ValueError), (True, TypeError), ("1", TypeError)]:
        with pytest.raises(error, match=r"^epoch must be a whole number >= 1"):
            vae.at_epoch(bad)
    with pytest.raises(ValueError, match=r"^X contains NaN or infinite values"):
        vae.encode(np.full((2, 6), np.nan), [0, 1])
    with pytest.raises(TypeError, match=r"^X must be numeric, but it contains strings"):
        vae.encode(np.full((2, 6), "a"), [0, 1])
    with pytest.raises(ValueError, match=r"^z contains NaN or infinite values"):
        vae.decode(np.full((2, 2), np.nan), [0, 1])
    with pytest.raises(TypeError, match=r"^z must be numeric \(real\)"):
        vae.decode(np.zeros((2, 2)) + 1j, [0, 1])
    with pytest.raises(ValueError, match=r"^labels has missing labels"):
        vae.sample(2, random_state=0, labels=[0, np.nan])


def test_vae_training_that_diverges_is_an_error():
    with pytest.raises(ValueError, match=r"training diverged: the loss is not finite from epoch 1 on; lower lr"):
        _vae(lr=1e30, epochs=2).fit(IMAGES, IMAGE_LABELS)


# ----------------------------------------------------------------------------------------------- non-finite draws

def test_non_finite_draws_are_an_error():
    huge = G.FeatureShift(_model(), scale=1e308, center=-1e308)  # the stretch overflows float64
    with pytest.raises(ValueError, match=r"^the array of synthetic features drawn by FeatureShift is not finite"):
        huge.sample(5, random_state=0)
    big_h = G.ResponseError(_model(), gamma=1e308, direction=lambda Z: np.full(len(Z), 1e308))
    with pytest.raises(ValueError, match=r"^the array of synthetic responses drawn by ResponseError is not finite"):
        big_h.sample(5, random_state=0)


# ----------------------------------------------------------------------------------------------- guards
# The tests below are guards, not bug reports: they held before the fix and must keep holding.

@pytest.mark.parametrize("name", GENERATORS)
def test_same_seed_gives_the_same_rows(name):
    gen = fitted(name)
    a, b = gen.sample(25, random_state=3), gen.sample(25, random_state=3)
    c = gen.sample(25, random_state=np.random.default_rng(3))
    if name in TABULAR:
        pd.testing.assert_frame_equal(a, b)
        pd.testing.assert_frame_equal(a, c)
        assert list(a.columns) == list(TABLE.columns) and (a.dtypes == TABLE.dtypes).all()
        return
    for u, v in ((a, b), (a, c)):
        np.testing.assert_array_equal(u[0], v[0])
        if u[1] is not None:
            np.testing.assert_array_equal(u[1], v[1])
    d = gen.sample(25, random_state=4)
    assert not np.array_equal(a[0], d[0])


@pytest.mark.parametrize("name", GENERATORS)
@pytest.mark.parametrize("seed", [-1, 1.5, "seed"], ids=["-1", "1.5", "str"])
def test_sample_refuses_a_bad_random_state(name, seed):
    with pytest.raises(ValueError, match=r"^random_state must be None, an int >= 0"):
        fitted(name).sample(3, random_state=seed)


@pytest.mark.parametrize("name", ["KDEGenerator", "ClassConditionalGaussianMixture", "ConditionalVAE"])
def test_a_single_class_is_fine(name):
    X, y = LABELLED[name]
    gen = UNFITTED[name]().fit(X, np.zeros(len(y), dtype=int))
    Xs, ys = gen.sample(4, random_state=0)
    assert Xs.shape == (4, X.shape[1]) and set(ys.tolist()) == {0} and np.isfinite(Xs).all()


@pytest.mark.parametrize("name", ["KDEGenerator", "ClassConditionalGaussianMixture", "ConditionalVAE"])
def test_string_labels_are_fine(name):
    X, y = LABELLED[name]
    gen = UNFITTED[name]().fit(X, np.where(np.asarray(y) == 1, "one", "zero"))
    assert set(gen.sample(30, random_state=0)[1].tolist()) <= {"one", "zero"}


@pytest.mark.parametrize("name", sorted(TABULAR))
def test_tables_with_constant_and_empty_columns_keep_names_and_dtypes(name):
    real = TABLE.assign(const=3.0, empty=np.nan).set_axis(["a", "b", "c", "d", 7, "empty"], axis=1)
    syn = UNFITTED[name]().fit(real).sample(40, random_state=0)
    assert list(syn.columns) == list(real.columns) and (syn.dtypes == real.dtypes).all()
    assert (syn[7] == 3.0).all() and syn["empty"].isna().all()


def test_flip_labels_of_no_labels_is_empty():
    assert G.flip_labels([], 0.3, classes=[0, 1], random_state=0).size == 0


@pytest.mark.parametrize("name", sorted(TABULAR))
def test_tables_with_duplicate_names_dates_or_one_row_are_refused(name):
    with pytest.raises(ValueError, match=r"duplicate column names \['a'\]"):
        UNFITTED[name]().fit(TABLE.rename(columns={"b": "a"}))
    with pytest.raises(ValueError, match=r"column 't' holds dates or times"):
        UNFITTED[name]().fit(TABLE.assign(t=pd.date_range("2000-01-01", periods=len(TABLE))))
    with pytest.raises(ValueError, match=r"data has 1 row\(s\) but at least 2"):
        UNFITTED[name]().fit(TABLE.iloc[:1])
