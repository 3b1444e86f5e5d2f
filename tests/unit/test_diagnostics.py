"""nn_impl.diagnostics: confusion matrix, first-layer weight images, per-image predictions."""

import types

import numpy as np
import pytest

import nn_impl
from nn_impl import diagnostics


def test_confusion_matrix_counts_pairs_rows_true():
    y_true = [0, 0, 1, 2, 2, 2, 3]
    y_pred = [0, 1, 1, 2, 0, 2, 3]
    matrix = diagnostics.confusion_matrix(y_true, y_pred, 4)
    expected = np.zeros((4, 4), int)
    for t, p in zip(y_true, y_pred):  # the obvious loop, as an independent oracle
        expected[t, p] += 1
    np.testing.assert_array_equal(matrix, expected)
    assert matrix[2, 0] == 1 and matrix[0, 2] == 0  # rows are the truth: one 2 taken for a 0
    assert matrix.dtype.kind == "i" and matrix.sum() == 7


def test_confusion_matrix_random_against_loop():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 10, 500), rng.integers(0, 10, 500)
    expected = np.zeros((10, 10), int)
    np.add.at(expected, (y_true, y_pred), 1)
    np.testing.assert_array_equal(diagnostics.confusion_matrix(y_true, y_pred, 10), expected)


def test_confusion_matrix_keeps_absent_classes_and_accepts_empty():
    assert diagnostics.confusion_matrix([1], [1], 5).shape == (5, 5)
    np.testing.assert_array_equal(diagnostics.confusion_matrix([], [], 3), np.zeros((3, 3)))
    np.testing.assert_array_equal(diagnostics.confusion_matrix(np.array([1.0, 2.0]), np.array([2, 2]), 3)[1], [0, 0, 1])


@pytest.mark.parametrize(
    "y_true, y_pred, n_classes, message",
    [
        ([0, 1], [0], 2, "2 labels but y_pred has 1"),
        ([0, 5], [0, 1], 5, "y_true holds labels outside 0..4"),
        ([0, 1], [-1, 1], 2, "y_pred holds labels outside"),
        ([[0, 1]], [[0, 1]], 2, r"shape \(n,\)"),
        ([0.5, 1], [0, 1], 2, "integer class labels"),
        ([0, 1], [0, 1], 0, "positive integer"),
        ([0, 1], [0, 1], 2.0, "positive integer"),
    ],
)
def test_confusion_matrix_rejects_bad_input(y_true, y_pred, n_classes, message):
    with pytest.raises(ValueError, match=message):
        diagnostics.confusion_matrix(y_true, y_pred, n_classes)


def test_first_layer_images_reshape_columns_and_scale_each_symmetrically():
    rng = np.random.default_rng(0)
    weights = rng.normal(size=(16, 3))
    weights[:, 1] *= 100  # a unit with much larger weights still spans [-1, 1] on its own
    weights[:, 2] = 0  # a dead unit stays zero
    model = types.SimpleNamespace(coefs_=[weights, np.zeros((3, 2))])
    images = diagnostics.first_layer_images(model, side=4)
    assert images.shape == (3, 4, 4) and images.dtype == np.float32
    for unit in (0, 1):
        column = weights[:, unit]
        np.testing.assert_allclose(images[unit], (column / np.abs(column).max()).reshape(4, 4), rtol=1e-6)
        assert np.abs(images[unit]).max() == pytest.approx(1)
    np.testing.assert_array_equal(images[2], 0)
    # symmetric: the sign of every weight is kept (0 stays 0)
    np.testing.assert_array_equal(np.sign(images[0]).ravel(), np.sign(weights[:, 0]))


def test_first_layer_images_errors():
    with pytest.raises(ValueError, match="not fitted"):
        diagnostics.first_layer_images(types.SimpleNamespace())
    with pytest.raises(ValueError, match="784"):
        diagnostics.first_layer_images(types.SimpleNamespace(coefs_=[np.zeros((16, 3))]))


class _FixedProba:
    classes_ = np.array([0, 1, 2])

    def predict_proba(self, X):
        return np.array([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]])[: len(X)]


def test_predictions_pred_confidence_proba():
    result = diagnostics.predictions(_FixedProba(), np.zeros((2, 4)))
    np.testing.assert_array_equal(result["pred"], [1, 0])
    np.testing.assert_allclose(result["confidence"], [0.7, 0.5])
    assert result["proba"].shape == (2, 3)


def test_with_a_real_model():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, (80, 28, 28)).astype(np.uint8)
    y = np.arange(80) % 3
    model = nn_impl.MLPClassifier(hidden_layer_sizes=(5,), epochs=2, random_state=0, input_scaling="unit")
    model.fit(X, y)
    result = diagnostics.predictions(model, X)
    np.testing.assert_array_equal(result["pred"], model.predict(X))
    np.testing.assert_allclose(result["proba"], model.predict_proba(X))
    np.testing.assert_allclose(result["confidence"], result["proba"].max(axis=1))
    assert diagnostics.first_layer_images(model).shape == (5, 28, 28)
    matrix = diagnostics.confusion_matrix(y, result["pred"], 3)
    assert np.trace(matrix) / matrix.sum() == pytest.approx(model.score(X, y))
