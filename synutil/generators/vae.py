r"""A class-conditional variational autoencoder (torch, CPU) with the training budget as quality knob.

The conditional VAE of Sohn et al. (2015), built on Kingma & Welling (2014): an encoder
:math:`q_\phi(z\mid x,y)=N(\mu_\phi(x,y),\operatorname{diag}\sigma^2_\phi(x,y))`, a decoder
:math:`p_\theta(x\mid z,y)` and the prior :math:`z\sim N(0,I)`, all conditioned on the one-hot label
:math:`y`. Training maximises the evidence lower bound, i.e. minimises

.. math::
    \mathcal L(x,y)=-\mathbb E_{q_\phi(z\mid x,y)}\log p_\theta(x\mid z,y)
    +\beta\,\mathrm{KL}\big(q_\phi(z\mid x,y)\,\|\,N(0,I)\big),

with, for the Gaussian prior and posterior, the closed form
:math:`\mathrm{KL}=\tfrac12\sum_{i}\big(\mu_i^2+\sigma_i^2-1-\log\sigma_i^2\big)` and the expectation
estimated at one reparametrised draw :math:`z=\mu+\sigma\odot\varepsilon`, :math:`\varepsilon\sim N(0,I)`.
:meth:`ConditionalVAE.loss_terms` returns the two terms per image, and :meth:`~ConditionalVAE.encode` /
:meth:`~ConditionalVAE.decode` expose :math:`(\mu,\log\sigma^2)` and the decoder mean, so that both terms
can be checked independently.

The decoder is Bernoulli (``likelihood="bernoulli"``, cross-entropy with grey levels in [0, 1] as
targets) or Gaussian with one learned variance (``likelihood="gaussian"``). ``sample`` draws the label
(from the class proportions of the training data, or as given), :math:`z\sim N(0,I)`, and returns the
decoder *mean* :math:`\mathbb E[x\mid z,y]\in[0,1]^p` — the usual way to show VAE images.

Training budgets: ``snapshot_epochs`` keeps the weights after the listed epochs of one training run, and
:meth:`ConditionalVAE.at_epoch` returns the generator as it was then. It is the generator that a separate fit
with ``epochs=e`` (same seed, same ``n_threads``) would give, bit for bit, at the cost of one run.

Determinism: ``fit`` seeds torch from ``random_state`` inside a forked torch random state
(see :mod:`synutil.sim.torch_models`); ``sample`` draws :math:`z` and labels with numpy from its own
``random_state``. The same seed and the same ``n_threads`` give the same samples.
"""

from __future__ import annotations

import copy

import numpy as np
import torch

from .._validation import as_float_array, check_bool, check_float, check_int, check_random_state
from .._torch import check_positive, torch_seed, torch_session
from ._base import SyntheticGenerator, _check_finite_sample, _check_n, _describe, check_labelled, draw_label_codes

__all__ = ["ConditionalVAE"]


class _CVAE(torch.nn.Module):
    def __init__(self, n_features, n_classes, latent_dim, hidden, gaussian):
        super().__init__()
        self.n_classes = n_classes
        self.encoder = torch.nn.Sequential(torch.nn.Linear(n_features + n_classes, hidden), torch.nn.ReLU(),
                                           torch.nn.Linear(hidden, hidden), torch.nn.ReLU())
        self.mu = torch.nn.Linear(hidden, latent_dim)
        self.logvar = torch.nn.Linear(hidden, latent_dim)
        self.decoder = torch.nn.Sequential(torch.nn.Linear(latent_dim + n_classes, hidden), torch.nn.ReLU(),
                                           torch.nn.Linear(hidden, hidden), torch.nn.ReLU(),
                                           torch.nn.Linear(hidden, n_features))
        self.log_sd = torch.nn.Parameter(torch.tensor(-1.0)) if gaussian else None

    def decode_logits(self, z, onehot):
        return self.decoder(torch.cat([z, onehot], dim=1))

    def encode(self, x, onehot):
        h = self.encoder(torch.cat([x, onehot], dim=1))
        return self.mu(h), self.logvar(h).clamp(-10.0, 10.0)

    def forward(self, x, onehot):
        mu, logvar = self.encode(x, onehot)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return self.decode_logits(z, onehot), mu, logvar


class ConditionalVAE(SyntheticGenerator):
    r"""Class-conditional VAE for inputs in [0, 1]; ``sample(n)`` returns ``(X, y)``.

    Parameters
    ----------
    latent_dim : int, default 8
    hidden : int, default 256
        Width of the two hidden layers of the encoder and of the decoder.
    epochs : int, default 100
        Passes over the training data: the training budget, and the generator's quality knob.
    batch_size : int, default 128
    lr : float, default 1e-3
        Adam learning rate.
    likelihood : {"bernoulli", "gaussian"}, default "bernoulli"
    beta : float, default 1.0
        Weight of the KL term.
    random_state : None, int or Generator
        Seeds the weights, the mini-batch order and the reparametrisation noise of ``fit``.
    progress : bool, default False
        Show a tqdm bar over epochs.
    n_threads : int or None
        ``torch.set_num_threads`` during ``fit`` (restored afterwards); fix it for bitwise reproducibility.
    snapshot_epochs : sequence of int, default ()
        Epochs (between 1 and ``epochs``) after which the weights are kept; see :meth:`at_epoch`.

    Attributes
    ----------
    classes_ : ndarray, labels seen in ``fit``.
    class_weights_ : ndarray, their empirical proportions (the label law of ``sample``).
    history_ : list of float, the mean negative ELBO per training row, one entry per epoch (averaged over
        the mini-batches of the epoch, in training mode).

    Examples
    --------
    >>> from synutil.datasets import load_digits_data
    >>> data = load_digits_data()
    >>> vae = ConditionalVAE(epochs=3, random_state=0, n_threads=1).fit(data.X, data.y)
    >>> X, y = vae.sample(4, random_state=0, labels=[0, 1, 2, 3])
    >>> X.shape, y.tolist(), len(vae.history_)
    ((4, 64), [0, 1, 2, 3], 3)
    >>> bool(np.array_equal(X, vae.sample(4, random_state=0, labels=[0, 1, 2, 3])[0]))
    True
    >>> rec, kl = vae.loss_terms(data.X[:5], data.y[:5], random_state=0)
    >>> rec.shape, bool((kl >= 0).all())
    ((5,), True)
    """

    def __init__(self, latent_dim: int = 8, hidden: int = 256, *, epochs: int = 100, batch_size: int = 128,
                 lr: float = 1e-3, likelihood: str = "bernoulli", beta: float = 1.0, random_state=None,
                 progress: bool = False, n_threads=None, snapshot_epochs=()):
        self.latent_dim = latent_dim
        self.hidden = hidden
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.likelihood = likelihood
        self.beta = beta
        self.random_state = random_state
        self.progress = progress
        self.n_threads = n_threads
        self.snapshot_epochs = snapshot_epochs

    def _check_params(self):
        for name in ("latent_dim", "hidden", "epochs", "batch_size"):
            check_positive(name, getattr(self, name))
        for e in np.atleast_1d(np.asarray(self.snapshot_epochs, dtype=object)).tolist():
            check_positive("each entry of snapshot_epochs", e)
            if int(e) > int(self.epochs):
                raise ValueError(f"snapshot_epochs entry {e} exceeds epochs={self.epochs}.")
        check_positive("lr", self.lr, integer=False)
        try:
            check_float(self.beta, name="beta", low=0.0)
        except ValueError as error:
            raise type(error)(f"beta must be a non-negative finite number (the weight of the KL term), got "
                              f"{_describe(self.beta)}.") from None
        if not isinstance(self.likelihood, str) or self.likelihood not in ("bernoulli", "gaussian"):
            raise ValueError(f"likelihood must be 'bernoulli' or 'gaussian', got {_describe(self.likelihood)}.")
        check_bool(self.progress, name="progress")

    def _loss_terms(self, x, logits, mu, logvar):
        r"""Per-row reconstruction term :math:`-\log p(x\mid z,y)` and closed-form KL term."""
        if self.likelihood == "bernoulli":
            rec = torch.nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)
        else:
            log_sd = self.model_.log_sd
            rec = (0.5 * ((x - torch.sigmoid(logits)) / torch.exp(log_sd)) ** 2 + log_sd).sum(1) \
                + 0.5 * x.shape[1] * np.log(2 * np.pi)
        kl = 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(1)
        return rec, kl

    def _loss(self, x, logits, mu, logvar):
        rec, kl = self._loss_terms(x, logits, mu, logvar)
        return (rec + float(self.beta) * kl).mean()

    def fit(self, X, y=None):
        """Train the conditional VAE on images ``X`` (values in [0, 1]) with labels ``y``; returns ``self``."""
        self._check_params()
        X, y = check_labelled(X, y, owner="ConditionalVAE")
        if X.min() < 0.0 or X.max() > 1.0:
            raise ValueError(
                f"X must lie in [0, 1] (got values in [{X.min():.3g}, {X.max():.3g}]); rescale it first, "
                "e.g. with synutil.datasets.load_digits_data(scale=True) or X / X.max()."
            )
        self.classes_, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
        self.class_weights_ = counts / counts.sum()
        self.n_features_in_ = X.shape[1]
        seed = torch_seed(self.random_state)
        with torch_session(seed, self.n_threads):
            self.model_ = _CVAE(X.shape[1], len(self.classes_), int(self.latent_dim), int(self.hidden),
                                self.likelihood == "gaussian")
            optimiser = torch.optim.Adam(self.model_.parameters(), lr=float(self.lr))
            Xt = torch.as_tensor(X, dtype=torch.float32)
            onehot = torch.nn.functional.one_hot(torch.as_tensor(codes), len(self.classes_)).float()
            n, batch = len(Xt), min(int(self.batch_size), len(Xt))
            shuffle = torch.Generator().manual_seed(seed)
            epochs = range(int(self.epochs))
            if self.progress:
                from tqdm.auto import tqdm

                epochs = tqdm(epochs, desc="ConditionalVAE", leave=False)
            self.history_ = []
            keep = {int(e) for e in np.atleast_1d(np.asarray(self.snapshot_epochs, dtype=object)).tolist()}
            self.snapshots_ = {}
            self.model_.train()
            for epoch in epochs:
                order = torch.randperm(n, generator=shuffle)
                total = 0.0
                for start in range(0, n, batch):
                    idx = order[start:start + batch]
                    optimiser.zero_grad()
                    logits, mu, logvar = self.model_(Xt[idx], onehot[idx])
                    loss = self._loss(Xt[idx], logits, mu, logvar)
                    loss.backward()
                    optimiser.step()
                    total += loss.item() * len(idx)
                self.history_.append(total / n)
                if epoch + 1 in keep:
                    self.snapshots_[epoch + 1] = copy.deepcopy(self.model_.state_dict())
                if self.progress:
                    epochs.set_postfix(loss=f"{self.history_[-1]:.2f}")
            self.model_.eval()
        if not np.all(np.isfinite(self.history_)):
            epoch = int(np.flatnonzero(~np.isfinite(self.history_))[0]) + 1
            raise ValueError(f"ConditionalVAE training diverged: the loss is not finite from epoch {epoch} on; "
                             f"lower lr (now {self.lr!r}) or beta (now {self.beta!r}).")
        self.fitted_ = True
        return self

    def at_epoch(self, epoch):
        """The generator as it was after ``epoch`` epochs of this training run (a new, fitted object).

        ``epoch`` must be ``epochs`` or one of ``snapshot_epochs``. The result equals a separate fit with
        ``epochs=epoch`` and the same ``random_state`` and ``n_threads``; its ``history_`` is the first
        ``epoch`` entries of this one.
        """
        self._check_fitted()
        epoch = check_int(epoch, name="epoch", low=1)
        if epoch != int(self.epochs) and epoch not in self.snapshots_:
            raise ValueError(
                f"no snapshot after epoch {epoch}: pass snapshot_epochs=({epoch}, ...) to the constructor "
                f"(kept: {sorted(self.snapshots_)}, final: {self.epochs})."
            )
        other = copy.copy(self)
        other.epochs = epoch
        other.snapshot_epochs = ()
        other.snapshots_ = {}
        other.history_ = list(self.history_[:epoch])
        other.model_ = copy.deepcopy(self.model_)
        if epoch != int(self.epochs):
            other.model_.load_state_dict(self.snapshots_[epoch])
        other.model_.eval()
        return other

    def _tensors(self, X, y):
        self._check_fitted()
        shape = np.shape(X)
        X = as_float_array(X, name="X", ndim=2)
        if len(shape) != 2 or X.shape[1] != self.n_features_in_:
            raise ValueError(f"X must have shape (n, {self.n_features_in_}), got {shape}.")
        codes = draw_label_codes(len(X), classes=self.classes_, class_weights=None, labels=y, rng=None)
        onehot = torch.nn.functional.one_hot(torch.as_tensor(codes), len(self.classes_)).float()
        return torch.as_tensor(X, dtype=torch.float32), onehot

    def encode(self, X, y):
        r"""Posterior parameters :math:`(\mu, \log\sigma^2)` of :math:`q(z\mid x,y)`, arrays of shape (n, latent_dim)."""
        Xt, onehot = self._tensors(X, y)
        with torch.no_grad():
            mu, logvar = self.model_.encode(Xt, onehot)
        return mu.double().numpy(), logvar.double().numpy()

    def decode(self, z, y):
        r"""Decoder mean :math:`\mathbb E[x\mid z,y]\in[0,1]^p` for latent codes ``z`` of shape (n, latent_dim)."""
        self._check_fitted()
        shape = np.shape(z)
        z = as_float_array(z, name="z", ndim=2)
        if len(shape) != 2 or z.shape[1] != int(self.latent_dim):
            raise ValueError(f"z must have shape (n, {self.latent_dim}), got {shape}.")
        z = z.astype(np.float32)
        _, onehot = self._tensors(np.zeros((len(z), self.n_features_in_)), y)
        with torch.no_grad():
            return torch.sigmoid(self.model_.decode_logits(torch.from_numpy(z), onehot)).double().numpy()

    def loss_terms(self, X, y, *, random_state=None):
        r"""The two terms of the training loss, per image, at the fitted weights (evaluation mode).

        Returns
        -------
        reconstruction : ndarray (n,)
            :math:`-\log p_\theta(x\mid z,y)` at one reparametrised draw :math:`z\sim q_\phi(z\mid x,y)`
            (seeded by ``random_state``), exactly the term minimised in ``fit``.
        kl : ndarray (n,)
            :math:`\mathrm{KL}(q_\phi(z\mid x,y)\,\|\,N(0,I))` in closed form.

        The negative ELBO of an image is ``reconstruction + beta * kl`` (in expectation over the draw).
        """
        Xt, onehot = self._tensors(X, y)
        with torch_session(torch_seed(random_state), self.n_threads), torch.no_grad():
            logits, mu, logvar = self.model_(Xt, onehot)
            rec, kl = self._loss_terms(Xt, logits, mu, logvar)
        return rec.double().numpy(), kl.double().numpy()

    def sample(self, n, *, random_state=None, labels=None):
        """Draw ``n`` labelled images.

        Parameters
        ----------
        n : int
        random_state : None, int or Generator
            Seeds the labels and the latent draws (numpy), so samples do not depend on torch's state.
        labels : array-like of length n, optional
            Labels to generate (each must be in ``classes_``); default: drawn from ``class_weights_``.
        """
        self._check_fitted()
        n = _check_n(n, owner=type(self).__name__, n_columns=self.n_features_in_ + int(self.latent_dim))
        rng = check_random_state(random_state)
        codes = draw_label_codes(n, classes=self.classes_, class_weights=self.class_weights_, labels=labels, rng=rng)
        n = len(codes)
        z = rng.standard_normal((n, int(self.latent_dim))).astype(np.float32)
        with torch.no_grad():
            onehot = torch.nn.functional.one_hot(torch.as_tensor(codes), len(self.classes_)).float()
            X = torch.sigmoid(self.model_.decode_logits(torch.from_numpy(z), onehot)).double().numpy()
        _check_finite_sample(type(self).__name__, X)
        return X, self.classes_[codes]

    def sample_features(self, n, rng):
        raise ValueError("ConditionalVAE draws the label first and the image given the label; use sample(n).")

    def sample_responses(self, X, rng):
        raise ValueError(
            "ConditionalVAE draws the label first and the image given the label, so it cannot label given "
            "images; use sample(n) to get (X, y) together."
        )
