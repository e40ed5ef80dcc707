"""Tests for synutil.datasets: the bundled digits and the local MNIST readers (IDX, gz, npz)."""

import gzip
import subprocess
import sys

import numpy as np
import pytest

from synutil.datasets import ImageDataset, load_digits_data, load_mnist, read_idx


def _idx_bytes(array: np.ndarray, magic_type: int = 0x08) -> bytes:
    header = bytes([0, 0, magic_type, array.ndim]) + b"".join(int(s).to_bytes(4, "big") for s in array.shape)
    return header + array.astype(np.uint8).tobytes()


def _write(path, data: bytes, gz: bool):
    if gz:
        with gzip.open(str(path) + ".gz", "wb") as fh:
            fh.write(data)
    else:
        path.write_bytes(data)


@pytest.fixture
def images():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8), np.array([3, 1, 4, 1, 5], dtype=np.uint8)


def test_digits_matches_sklearn():
    from sklearn.datasets import load_digits

    ref = load_digits()
    data = load_digits_data()
    assert isinstance(data, ImageDataset)
    np.testing.assert_array_equal(data.X, ref.data / 16.0)
    np.testing.assert_array_equal(data.y, ref.target)
    assert data.image_shape == (8, 8) and data.n_classes == 10 and len(data) == 1797
    np.testing.assert_array_equal(load_digits_data(scale=False).X, ref.data)
    assert data.X.reshape(-1, 8, 8)[0].tolist() == (ref.images[0] / 16.0).tolist()
    assert "n=1797" in repr(data) and set(data.to_dict()) == {"X", "y", "image_shape", "n_classes", "name"}


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("split", ["train", "test"])
def test_mnist_idx_roundtrip(tmp_path, images, gz, split):
    imgs, labels = images
    stem = "train" if split == "train" else "t10k"
    _write(tmp_path / f"{stem}-images-idx3-ubyte", _idx_bytes(imgs), gz)
    _write(tmp_path / f"{stem}-labels-idx1-ubyte", _idx_bytes(labels), gz)
    data = load_mnist(tmp_path, split=split)
    np.testing.assert_allclose(data.X, imgs.reshape(5, -1) / 255.0)
    assert data.y.tolist() == [3, 1, 4, 1, 5]
    assert data.image_shape == (28, 28) and data.n_classes == 4
    np.testing.assert_array_equal(load_mnist(tmp_path, split=split, scale=False).X, imgs.reshape(5, -1))


def test_mnist_npz(tmp_path, images):
    imgs, labels = images
    file = tmp_path / "mnist.npz"
    np.savez(file, x_train=imgs, y_train=labels, x_test=imgs[:2], y_test=labels[:2])
    assert load_mnist(file).X.shape == (5, 784)
    test = load_mnist(file, split="test")
    assert test.y.tolist() == [3, 1] and float(test.X.max()) <= 1.0


def test_read_idx_reads_other_types(tmp_path):
    arr = np.arange(6, dtype=">i4").reshape(2, 3)
    (tmp_path / "x").write_bytes(bytes([0, 0, 0x0C, 2]) + (2).to_bytes(4, "big") + (3).to_bytes(4, "big") + arr.tobytes())
    np.testing.assert_array_equal(read_idx(tmp_path / "x"), arr)


def test_mnist_missing_path(tmp_path):
    with pytest.raises(ValueError, match="does not exist.*train-images-idx3-ubyte.gz"):
        load_mnist(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="lacks.*train-labels-idx1-ubyte"):
        (tmp_path / "train-images-idx3-ubyte").write_bytes(_idx_bytes(np.zeros((1, 2, 2))))
        load_mnist(tmp_path)
    with pytest.raises(ValueError, match="split must be"):
        load_mnist(tmp_path, split="valid")


def test_mnist_bad_magic(tmp_path, images):
    imgs, labels = images
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"\x12\x34\x08\x03" + _idx_bytes(imgs)[4:])
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(_idx_bytes(labels))
    with pytest.raises(ValueError, match="bad magic number 0x12340803"):
        load_mnist(tmp_path)


def test_mnist_swapped_files(tmp_path, images):
    imgs, labels = images
    (tmp_path / "train-images-idx3-ubyte").write_bytes(_idx_bytes(labels))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(_idx_bytes(imgs))
    with pytest.raises(ValueError, match="1-dimensional array but a 3-dimensional.*swapped"):
        load_mnist(tmp_path)


def test_mnist_truncated(tmp_path, images):
    imgs, labels = images
    (tmp_path / "train-images-idx3-ubyte").write_bytes(_idx_bytes(imgs)[:-10])
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(_idx_bytes(labels))
    with pytest.raises(ValueError, match=r"announces shape \(5, 28, 28\)"):
        load_mnist(tmp_path)


def test_mnist_count_mismatch(tmp_path, images):
    imgs, labels = images
    (tmp_path / "train-images-idx3-ubyte").write_bytes(_idx_bytes(imgs))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(_idx_bytes(labels[:4]))
    with pytest.raises(ValueError, match="5 images but 4 labels"):
        load_mnist(tmp_path)
    file = tmp_path / "bad.npz"
    np.savez(file, x_train=imgs, y_train=labels[:3])
    with pytest.raises(ValueError, match="5 images but 3 labels"):
        load_mnist(file)


def test_mnist_bad_npz(tmp_path, images):
    imgs, labels = images
    file = tmp_path / "keys.npz"
    np.savez(file, images=imgs, labels=labels)
    with pytest.raises(ValueError, match="needs 'x_train' and 'y_train'"):
        load_mnist(file)
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not an archive at all")
    with pytest.raises(ValueError, match="neither a directory of IDX files nor a readable .npz"):
        load_mnist(junk)
    shape = tmp_path / "shape.npz"
    np.savez(shape, x_train=np.zeros((5, 10)), y_train=labels)
    with pytest.raises(ValueError, match="neither"):
        load_mnist(shape)
    single = tmp_path / "single.npy"
    np.save(single, imgs)
    with pytest.raises(ValueError, match="single .npy array"):
        load_mnist(single)


def test_light_imports_do_not_import_torch():
    code = "import sys, synutil, synutil.generators, synutil.datasets, synutil.generators.mixture; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stdout + out.stderr
