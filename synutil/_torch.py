"""Seeding and thread control for torch, shared by the torch classifiers of the lab (:mod:`synutil.sim.torch_models`)
and the VAE generator of the toolkit (:mod:`synutil.generators.vae`). Importing this module imports torch."""

from __future__ import annotations

import contextlib

import torch

from ._validation import InputTypeError, check_float, check_int, check_random_state

__all__ = ["torch_seed", "torch_session", "check_positive"]


def torch_seed(random_state) -> int:
    """An int seed for torch drawn from a synutil ``random_state`` (None gives a fresh random seed)."""
    return int(check_random_state(random_state).integers(2**62))


@contextlib.contextmanager
def torch_session(seed: int, n_threads=None):
    """Seed torch in a forked random state and optionally pin the thread count; restore both after."""
    previous = torch.get_num_threads()
    if n_threads is not None:
        try:
            n_threads = check_int(n_threads, name="n_threads", low=1)
        except ValueError as error:
            raise type(error)(f"n_threads must be a positive integer or None, got {n_threads!r}.") from None
        torch.set_num_threads(n_threads)
    torch.set_flush_denormal(True)  # denormal floats slow small CPU nets down up to tenfold
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            yield
    finally:
        torch.set_num_threads(previous)
        torch.set_flush_denormal(False)


def check_positive(name, value, *, integer=True):
    """A positive whole number (``integer=True``) or a positive finite number; bools and strings are refused."""
    kind = "a positive integer" if integer else "a positive number (finite)"
    try:
        if integer:
            return check_int(value, name=name, low=1)
        return check_float(value, name=name, low=0.0, low_open=True)
    except InputTypeError:
        raise InputTypeError(f"{name} must be {kind}, got {value!r} ({type(value).__name__}).") from None
    except ValueError:
        raise ValueError(f"{name} must be {kind}, got {value!r}.") from None
