r"""Small torch classifiers with the scikit-learn interface, for the deep-network chapter.

:class:`TorchMLPClassifier` (a multilayer perceptron) and :class:`SmallCNNClassifier` (two convolution
blocks on images given as flat rows) are ``BaseEstimator`` + ``ClassifierMixin``: ``fit``,
``predict``, ``predict_proba``, ``score``, ``classes_``, ``get_params`` and ``sklearn.clone`` work.
Both minimise the cross-entropy

.. math::
    \hat\theta\in\arg\min_\theta\ \frac1n\sum_{i=1}^n -\log p_\theta(y_i\mid x_i)+\lambda\|\theta\|^2

with Adam, in float32 on the CPU.

Determinism. ``fit`` seeds torch from ``random_state`` inside :func:`torch.random.fork_rng` (the
caller's global torch random state is left untouched) and shuffles mini-batches with a private
``torch.Generator``. CPU kernels are deterministic for a given number of threads, so the same seed and
the same ``n_threads`` give the same fitted weights; a different thread count can change the last bits
of floating-point sums (and so, rarely, a prediction). Set ``n_threads`` to pin it; the previous value is
restored after ``fit``. During ``fit`` denormal floats are flushed to zero
(:func:`torch.set_flush_denormal`), which makes small networks up to ten times faster on the CPU; the
default (no flushing) is restored afterwards.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin

from .._torch import check_positive, torch_seed, torch_session
from .._validation import InputTypeError, as_float_array, check_float, check_int, check_memory, check_random_state

__all__ = ["TorchMLPClassifier", "SmallCNNClassifier"]


class _TorchClassifier(ClassifierMixin, BaseEstimator):
    """Shared fit / predict loop; subclasses build the network in ``_build(n_features, n_classes)``."""

    def _check_params(self):
        check_positive("epochs", self.epochs)
        check_positive("lr", self.lr, integer=False)
        if self.batch_size is not None:
            check_positive("batch_size", self.batch_size)
        try:
            check_float(self.weight_decay, name="weight_decay", low=0.0)
        except ValueError as error:
            raise type(error)(f"weight_decay must be a non-negative number, got {self.weight_decay!r}.") from None

    def _validate_X(self, X, *, fitting):
        X = as_float_array(X, name="X", ndim=2, min_rows=2 if fitting else 1)
        if not fitting and X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features but {type(self).__name__} was fitted on {self.n_features_in_}."
            )
        return X

    def fit(self, X, y):
        """Train on ``(X, y)``; labels may be any hashable values (ints, strings). Returns ``self``."""
        self._check_params()
        X = self._validate_X(X, fitting=True)
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1 or len(y) != len(X):
            raise ValueError(f"y must be one label per row of X ({len(X)} rows), got shape {y.shape}.")
        if y.dtype.kind == "f" and not np.isfinite(y).all():
            raise ValueError("y contains NaN or infinite labels; drop those rows before fitting.")
        if y.dtype.kind == "c":
            raise InputTypeError("y has complex values; labels must be integers, strings or booleans.")
        if y.dtype.kind == "O" and any(v is None or (isinstance(v, float) and not np.isfinite(v)) for v in y.tolist()):
            raise ValueError("y contains missing labels (None or NaN); drop those rows before fitting.")
        self.classes_, codes = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"y has a single class {self.classes_.tolist()}; a classifier needs at least two.")
        self.n_features_in_ = X.shape[1]
        seed = torch_seed(self.random_state)
        with torch_session(seed, self.n_threads):
            self.model_ = self._build(X.shape[1], len(self.classes_))
            optimiser = torch.optim.Adam(self.model_.parameters(), lr=float(self.lr),
                                         weight_decay=float(self.weight_decay))
            Xt = torch.as_tensor(X, dtype=torch.float32)
            yt = torch.as_tensor(codes, dtype=torch.long)
            n = len(Xt)
            batch = n if self.batch_size is None else min(int(self.batch_size), n)
            shuffle = torch.Generator().manual_seed(seed % (2**63))
            loss_fn = torch.nn.CrossEntropyLoss()
            self.loss_curve_ = []
            self.model_.train()
            for _ in range(int(self.epochs)):
                order = torch.randperm(n, generator=shuffle) if batch < n else torch.arange(n)
                total = 0.0
                for start in range(0, n, batch):
                    idx = order[start:start + batch]
                    optimiser.zero_grad()
                    loss = loss_fn(self.model_(Xt[idx]), yt[idx])
                    loss.backward()
                    optimiser.step()
                    total += loss.item() * len(idx)
                self.loss_curve_.append(total / n)
                if not np.isfinite(self.loss_curve_[-1]):
                    raise ValueError(f"training diverged: the loss became {self.loss_curve_[-1]} at epoch "
                                     f"{len(self.loss_curve_)}; lower lr or rescale X (e.g. to [0, 1]).")
            self.model_.eval()
        return self

    def predict_proba(self, X):
        """Class probabilities, columns ordered as ``classes_``."""
        if not hasattr(self, "model_"):
            raise ValueError(f"{type(self).__name__} is not fitted yet; call fit(X, y) first.")
        X = self._validate_X(X, fitting=False)
        with torch.no_grad():
            logits = self.model_(torch.as_tensor(X, dtype=torch.float32))
            return torch.softmax(logits, dim=1).double().numpy()

    def predict(self, X):
        """The most probable class of each row."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class TorchMLPClassifier(_TorchClassifier):
    """A multilayer perceptron with ReLU hidden layers, trained with Adam on the cross-entropy.

    Parameters
    ----------
    hidden : tuple of int, default (64,)
        Widths of the hidden layers.
    epochs : int, default 100
        Passes over the data (the training budget).
    lr : float, default 1e-2
    batch_size : int or None, default None
        ``None`` trains full batch (fast for small data on few cores).
    weight_decay : float, default 1e-4
    random_state : None, int or Generator
    n_threads : int or None
        ``torch.set_num_threads`` during ``fit`` (restored afterwards).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = TorchMLPClassifier(hidden=(16,), epochs=200, random_state=0, n_threads=1).fit(X, y)
    >>> bool(clf.score(X, y) > 0.9)
    True
    """

    def __init__(self, hidden=(64,), *, epochs=100, lr=1e-2, batch_size=None, weight_decay=1e-4,
                 random_state=None, n_threads=None):
        self.hidden = hidden
        self.epochs = epochs
        self.lr = lr
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.random_state = random_state
        self.n_threads = n_threads

    def _build(self, n_features, n_classes):
        widths = (self.hidden,) if np.isscalar(self.hidden) else tuple(self.hidden)
        for w in widths:
            check_positive("each hidden width", w)
        sizes = (n_features, *(int(w) for w in widths), n_classes)
        check_memory(4.0 * 4 * sum(a * b for a, b in zip(sizes[:-1], sizes[1:])),
                     what=f"an MLP with hidden widths {widths}", fix="use narrower hidden layers")
        layers, previous = [], n_features
        for w in widths:
            layers += [torch.nn.Linear(previous, int(w)), torch.nn.ReLU()]
            previous = int(w)
        layers.append(torch.nn.Linear(previous, n_classes))
        return torch.nn.Sequential(*layers)


class SmallCNNClassifier(_TorchClassifier):
    """A small convolutional network for images given as flat rows (reshaped to ``image_shape``).

    Each entry of ``channels`` adds a block 3×3 convolution (padding 1) → ReLU → 2×2 max-pooling (the
    pooling is skipped once the image is smaller than 4 pixels on a side); then one hidden dense layer.

    Parameters
    ----------
    image_shape : tuple (h, w), default (8, 8)
        ``X`` must have ``h * w`` columns.
    channels : tuple of int, default (16, 32)
    hidden : int, default 64
    epochs, lr, batch_size, weight_decay, random_state, n_threads
        As in :class:`TorchMLPClassifier`.

    Examples
    --------
    >>> from synutil.datasets import load_digits_data
    >>> data = load_digits_data()
    >>> cnn = SmallCNNClassifier(epochs=30, batch_size=256, random_state=0, n_threads=1)
    >>> cnn = cnn.fit(data.X[:500], data.y[:500])
    >>> bool(cnn.score(data.X[500:900], data.y[500:900]) > 0.85)
    True
    """

    def __init__(self, image_shape=(8, 8), *, channels=(16, 32), hidden=64, epochs=50, lr=3e-3,
                 batch_size=128, weight_decay=1e-4, random_state=None, n_threads=None):
        self.image_shape = image_shape
        self.channels = channels
        self.hidden = hidden
        self.epochs = epochs
        self.lr = lr
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.random_state = random_state
        self.n_threads = n_threads

    def _shape(self):
        try:
            shape = tuple(check_int(s, name="image_shape", low=1) for s in np.atleast_1d(self.image_shape).tolist())
        except ValueError:
            shape = ()
        if len(shape) != 2:
            raise ValueError(f"image_shape must be (height, width) with positive whole sides, got "
                             f"{self.image_shape!r}.")
        return shape

    def _validate_X(self, X, *, fitting):
        X = super()._validate_X(X, fitting=fitting)
        h, w = self._shape()
        if X.shape[1] != h * w:
            raise ValueError(
                f"X has {X.shape[1]} columns but image_shape={self.image_shape} needs {h * w}; "
                "pass flat images (one row per image) with the matching image_shape."
            )
        return X

    def _build(self, n_features, n_classes):
        h, w = self._shape()
        channels = (self.channels,) if np.isscalar(self.channels) else tuple(self.channels)
        for c in channels:
            check_positive("each entry of channels", c)
        check_positive("hidden", self.hidden)
        check_memory(4.0 * 4 * (sum(int(c) * 9 for c in channels) * max(int(c) for c in channels)
                                + max(int(c) for c in channels) * h * w * int(self.hidden)),
                     what=f"a CNN with channels {channels} and hidden={self.hidden}", fix="use fewer channels or a "
                     "smaller hidden layer")
        layers, previous = [torch.nn.Unflatten(1, (1, h, w))], 1
        for c in channels:
            layers += [torch.nn.Conv2d(previous, int(c), kernel_size=3, padding=1), torch.nn.ReLU()]
            if h >= 4 and w >= 4:
                layers.append(torch.nn.MaxPool2d(2))
                h, w = h // 2, w // 2
            previous = int(c)
        layers += [torch.nn.Flatten(), torch.nn.Linear(previous * h * w, int(self.hidden)), torch.nn.ReLU(),
                   torch.nn.Linear(int(self.hidden), n_classes)]
        return torch.nn.Sequential(*layers)
