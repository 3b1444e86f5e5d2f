"""nn_impl.inputs: one input scaling for training, prediction and data.normalize; input and label checks."""

import numpy as np
import pytest

from nn_impl import MLPClassifier, data, inputs, network


@pytest.mark.parametrize("scaling", ["unit", "tutorial", None])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_scale_is_the_arithmetic_the_model_and_data_normalize_use(scaling, dtype):
    pixels = np.arange(256, dtype=np.uint8).reshape(16, 16)
    scaled = inputs.scale(pixels, scaling, dtype)
    assert scaled.dtype == dtype and scaled.shape == pixels.shape
    expected = {"unit": pixels.astype(dtype) / 255, "tutorial": pixels.astype(dtype) / 128 - 0.5,
                None: pixels.astype(dtype)}[scaling]
    np.testing.assert_array_equal(scaled, expected)
    if scaling is not None:
        np.testing.assert_array_equal(data.normalize(pixels, scaling, dtype), scaled)
    model = MLPClassifier(hidden_layer_sizes=(3,), input_scaling=scaling, dtype=dtype, random_state=0)
    model.initialize(16, 2)
    np.testing.assert_array_equal(
        model.predict_proba(pixels),
        network.outputs(scaled, model.coefs_, model.intercepts_, model.activation, model.loss),
    )
    assert inputs.background(scaling, dtype) == {"unit": 0.0, "tutorial": -0.5, None: 0.0}[scaling]


def test_scale_never_changes_its_input_and_refuses_unknown_names():
    x = np.array([[255.0]])
    inputs.scale(x, "tutorial", "float64")
    assert x[0, 0] == 255.0
    with pytest.raises(ValueError, match="scaling must be one of 'unit', 'tutorial' or None"):
        inputs.scale(x, "standard", "float32")


def test_check_X_and_check_y():
    assert inputs.check_X(np.zeros((2, 3, 3))).shape == (2, 9)
    with pytest.raises(ValueError, match="X has 3 features, but MLPClassifier is expecting 4 features as input"):
        inputs.check_X(np.zeros((2, 3)), n_features=4)
    with pytest.raises(TypeError, match="float"):  # an object array of numbers is converted; anything else refused
        inputs.check_X(np.array([[1.0, {"a": 1}]], dtype=object))
    assert inputs.check_X(np.array([[1, 2.5]], dtype=object)).dtype == np.float64
    assert np.isnan(inputs.as_2d(np.array([[np.nan]]))).all()  # finiteness is check_X's pass, not as_2d's
    with pytest.raises(ValueError, match="Complex data not supported"):
        inputs.check_X(np.zeros((2, 2), complex))
    with pytest.raises(ValueError, match="NaN or infinite"):
        inputs.check_X(np.array([[np.nan]]))
    assert inputs.check_y(np.array([0.0, 2.0]), 2).dtype == np.intp
    with pytest.raises(ValueError, match="outside the model's 2 classes"):
        inputs.check_y([0, 2], 2, n_classes=2)
    with pytest.raises(ValueError, match=r"expected shape \(3,\) to match X"):
        inputs.check_y([0, 1], 3)
