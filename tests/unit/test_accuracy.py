"""The defaults are chosen well: the tutorial's 784-32-24-10 net passes 97 % on the full MNIST in 10 epochs.

scikit-learn and PyTorch reach 96.5-96.9 % on the same net in 10 epochs; the tutorial reached 94.57 %.
Only ``hidden_layer_sizes`` and ``epochs`` are given: every other setting is the default. The pixels are
scaled to [0, 1] by ``nn_impl.data.normalize`` (the data's job, not a hyper-parameter).
Runs natively only: the full MNIST (55 MB) is not shipped into the Pyodide test environment.
"""

import pytest
from _support import skip_or_fail

from nn_impl import MLPClassifier, data

pytestmark = pytest.mark.native_only


@pytest.fixture(scope="module")
def mnist():
    try:
        arrays = data.load_mnist()
    except FileNotFoundError as exc:
        skip_or_fail(str(exc))
    return {k: data.normalize(v, "unit") if k.startswith("x") else v for k, v in arrays.items()}


def _defaults_accuracy(mnist, seed):
    model = MLPClassifier(hidden_layer_sizes=(32, 24), epochs=10, random_state=seed)
    model.fit(mnist["x_train"], mnist["y_train"])
    return model.score(mnist["x_test"], mnist["y_test"])


def test_defaults_pass_97_percent_on_full_mnist(mnist):
    accuracy = _defaults_accuracy(mnist, seed=0)
    print(f"seed 0: {accuracy:.4f}")
    assert accuracy >= 0.970


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_defaults_pass_97_percent_for_other_seeds_too(mnist, seed):
    assert _defaults_accuracy(mnist, seed) >= 0.970
