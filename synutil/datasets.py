r"""Image data sets for the deep-network chapter: the bundled 8×8 digits, and MNIST from a local file.

Both loaders return an :class:`ImageDataset`: flat images ``X`` of shape ``(n, h*w)`` with grey levels
in :math:`[0, 1]`, integer labels ``y``, the ``image_shape`` to reshape a row, and ``n_classes``.

Nothing is downloaded: the digits ship with scikit-learn (:func:`sklearn.datasets.load_digits`), and
:func:`load_mnist` reads a copy of MNIST that the user already has, either as the four standard IDX files
(gzipped or not) or as one ``mnist.npz`` file with keys ``x_train, y_train, x_test, y_test`` (the layout
used by Keras).
"""

from __future__ import annotations

import gzip
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._validation import InputTypeError, check_bool, check_int

__all__ = ["ImageDataset", "load_digits_data", "load_mnist"]


@dataclass(frozen=True, eq=False)
class ImageDataset:
    """Flat images with labels.

    Attributes
    ----------
    X : ndarray of shape (n, h*w), float, grey levels in [0, 1] when scaled.
    y : ndarray of shape (n,), int labels.
    image_shape : tuple (h, w); ``X[i].reshape(image_shape)`` is image ``i``.
    n_classes : int, number of distinct labels in ``y``.
    name : str
    """

    X: np.ndarray
    y: np.ndarray
    image_shape: tuple
    n_classes: int
    name: str = ""

    def __repr__(self) -> str:
        return (
            f"ImageDataset(name={self.name!r}, n={self.X.shape[0]}, n_features={self.X.shape[1]}, "
            f"image_shape={self.image_shape}, n_classes={self.n_classes})"
        )

    def __len__(self) -> int:
        return int(self.X.shape[0])

    def to_dict(self) -> dict:
        """The fields as a plain dict (arrays are not copied)."""
        return {"X": self.X, "y": self.y, "image_shape": self.image_shape, "n_classes": self.n_classes,
                "name": self.name}


def load_digits_data(*, scale: bool = True) -> ImageDataset:
    """scikit-learn's bundled 8×8 handwritten digits (1797 images, 10 classes; offline).

    A copy of the UCI optical recognition of handwritten digits data (Alpaydin & Kaynak, 1998,
    doi:10.24432/C50P49), as shipped by :func:`sklearn.datasets.load_digits`; not MNIST.

    Parameters
    ----------
    scale : bool, default True
        Divide the grey levels (integers 0..16) by 16 so that ``X`` lies in [0, 1].

    Examples
    --------
    >>> data = load_digits_data()
    >>> data
    ImageDataset(name='digits', n=1797, n_features=64, image_shape=(8, 8), n_classes=10)
    >>> float(data.X.min()), float(data.X.max())
    (0.0, 1.0)
    """
    from sklearn.datasets import load_digits

    scale = check_bool(scale, name="scale")
    bunch = load_digits()
    X = bunch.data.astype(float)
    if scale:
        X = X / 16.0
    y = bunch.target.astype(int)
    return ImageDataset(X=X, y=y, image_shape=(8, 8), n_classes=int(len(np.unique(y))), name="digits")


_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def _open(path: Path):
    with open(path, "rb") as fh:
        head = fh.read(2)
    return gzip.open(path, "rb") if head == b"\x1f\x8b" else open(path, "rb")


def read_idx(path, *, ndim: int | None = None) -> np.ndarray:
    """Read one IDX file (the MNIST format), gzipped or not.

    The header is two zero bytes, a type code (``0x08`` = unsigned byte), the number of dimensions,
    then one big-endian int32 per dimension; the data follow.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte")
    >>> with open(path, "wb") as fh:
    ...     _ = fh.write(bytes([0, 0, 8, 1]) + (3).to_bytes(4, "big") + bytes([7, 1, 2]))
    >>> read_idx(path, ndim=1).tolist()
    [7, 1, 2]
    """
    path = _as_path(path)
    ndim = check_int(ndim, name="ndim", low=1, allow_none=True)
    try:
        with _open(path) as fh:
            raw = fh.read()
    except (OSError, EOFError) as error:
        raise ValueError(f"could not read the IDX file {path}: {error}.") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        magic = raw[:4].hex() if len(raw) >= 4 else raw.hex()
        raise ValueError(
            f"{path} is not an IDX file: bad magic number 0x{magic} (expected 0x00000801 for labels or "
            "0x00000803 for images). Pass the original MNIST files, e.g. train-images-idx3-ubyte.gz."
        )
    dims = raw[3]
    if ndim is not None and dims != ndim:
        raise ValueError(
            f"{path} holds a {dims}-dimensional array but a {ndim}-dimensional one was expected "
            f"(magic number 0x{raw[:4].hex()}); are the image and label files swapped?"
        )
    header = 4 + 4 * dims
    if len(raw) < header:
        raise ValueError(f"{path} is truncated: its header announces {dims} dimensions but the file ends early.")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    expected = math.prod(shape) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(
            f"{path} is malformed: the header announces shape {shape} ({expected} bytes of data) but the "
            f"file holds {len(raw) - header} bytes after the header."
        )
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)


_IDX_NAMES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def _find(directory: Path, stem: str) -> Path | None:
    for candidate in (stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"):
        if (directory / candidate).is_file():
            return directory / candidate
    return None


def _as_path(path) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise InputTypeError(f"path must be a file or directory path (str or os.PathLike), got {type(path).__name__}.")
    return Path(os.fspath(path)).expanduser()


def _check_images(images, labels, where: str, scale: bool, name: str) -> ImageDataset:
    images = np.asarray(images)
    labels = np.asarray(labels)
    if images.dtype.kind not in "biuf":
        raise ValueError(f"{where}: images must hold real grey levels, got dtype {images.dtype}.")
    if labels.dtype.kind not in "biuf":
        raise ValueError(f"{where}: labels must be integers (class numbers), got dtype {labels.dtype}.")
    if images.ndim == 2:
        side = int(round(np.sqrt(images.shape[1])))
        if side * side != images.shape[1]:
            raise ValueError(f"{where}: images of shape {images.shape} are neither (n, h, w) nor (n, h*h).")
        images = images.reshape(len(images), side, side)
    if images.ndim != 3:
        raise ValueError(f"{where}: images must have shape (n, h, w), got {images.shape}.")
    labels = labels.reshape(-1) if labels.ndim == 2 and 1 in labels.shape else labels
    if labels.ndim != 1:
        raise ValueError(f"{where}: labels must be one-dimensional, got shape {labels.shape}.")
    if len(images) != len(labels):
        raise ValueError(
            f"{where}: {len(images)} images but {len(labels)} labels; the image and label files must "
            "come from the same split."
        )
    if len(images) == 0:
        raise ValueError(f"{where}: the file holds no images.")
    X = images.reshape(len(images), -1).astype(float)
    if not np.isfinite(X).all():
        raise ValueError(f"{where}: images contain NaN or infinite values.")
    if scale and (X.min() < 0 or X.max() > 255):
        raise ValueError(f"{where}: grey levels must lie in [0, 255] (or [0, 1]) to be scaled, got values in "
                         f"[{X.min():g}, {X.max():g}]; pass scale=False for other data.")
    if scale:
        top = 255.0 if X.max() > 1.0 else 1.0
        X = X / top
    if labels.dtype.kind == "f" and not (np.isfinite(labels).all() and np.all(labels == np.round(labels))):
        raise ValueError(f"{where}: labels must be whole class numbers, got non-integer or NaN values.")
    y = labels.astype(int)
    return ImageDataset(X=X, y=y, image_shape=tuple(int(s) for s in images.shape[1:]),
                        n_classes=int(len(np.unique(y))), name=name)


def load_mnist(path, *, split: str = "train", scale: bool = True) -> ImageDataset:
    """Read MNIST from a local copy (nothing is downloaded).

    Parameters
    ----------
    path : str or path
        Either a directory holding ``train-images-idx3-ubyte[.gz]`` and ``train-labels-idx1-ubyte[.gz]``
        (and ``t10k-*`` for ``split="test"``), or an ``.npz`` file with keys ``x_train, y_train``
        (and ``x_test, y_test``), such as Keras' ``mnist.npz``.
    split : {"train", "test"}
    scale : bool, default True
        Divide grey levels 0..255 by 255 so that ``X`` lies in [0, 1].

    Returns
    -------
    ImageDataset
        ``X`` of shape ``(n, 784)``, ``y``, ``image_shape=(28, 28)``.

    Examples
    --------
    >>> import tempfile, os
    >>> file = os.path.join(tempfile.mkdtemp(), "mnist.npz")
    >>> np.savez(file, x_train=np.full((2, 28, 28), 255, np.uint8), y_train=np.array([3, 5]))
    >>> data = load_mnist(file)
    >>> data.X.shape, data.y.tolist(), float(data.X.max())
    ((2, 784), [3, 5], 1.0)
    """
    if not isinstance(split, str) or split not in _IDX_NAMES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}.")
    scale = check_bool(scale, name="scale")
    path = _as_path(path)
    hint = (
        "Put the four MNIST IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
        "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) in one directory, or Keras' mnist.npz "
        "anywhere, and pass that directory or file."
    )
    if not path.exists():
        raise ValueError(f"no MNIST data at {path}: the path does not exist. {hint}")
    if path.is_dir():
        images_name, labels_name = _IDX_NAMES[split]
        images_file, labels_file = _find(path, images_name), _find(path, labels_name)
        if images_file is None or labels_file is None:
            missing = [n for n, f in ((images_name, images_file), (labels_name, labels_file)) if f is None]
            raise ValueError(f"the directory {path} lacks {missing} (optionally .gz). {hint}")
        images = read_idx(images_file, ndim=3)
        labels = read_idx(labels_file, ndim=1)
        return _check_images(images, labels, f"{images_file.name} / {labels_file.name}", scale, f"mnist-{split}")
    import zipfile

    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, EOFError, ValueError, zipfile.BadZipFile) as error:
        raise ValueError(f"{path} is neither a directory of IDX files nor a readable .npz file ({error}). {hint}") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"{path} is a single .npy array, not an .npz archive with x_{split} and y_{split}. {hint}")
    with archive:
        keys = list(archive.keys())
        x_key, y_key = f"x_{split}", f"y_{split}"
        if x_key not in keys or y_key not in keys:
            raise ValueError(
                f"{path} has keys {keys} but needs {x_key!r} and {y_key!r} (the layout of Keras' mnist.npz)."
            )
        images, labels = archive[x_key], archive[y_key]
    return _check_images(images, labels, str(path), scale, f"mnist-{split}")
