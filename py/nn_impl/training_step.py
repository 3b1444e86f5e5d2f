"""One training step of the tutorial's network, taken apart stage by stage (the page's step view).

Everything is computed by :mod:`nn_impl.reference` itself: the network is ``AThreeLayerSimpleMLPC`` built
after ``np.random.seed(seed)``, the forward pass is its layers' ``forward``, the step is its ``backward``. The
intermediate values of each layer's backward (dL/dz, the Jacobian, dL/dy, dL/dW, dL/dx) are the very
expressions of ``NNLayer.backward``, evaluated just before it runs, and checked against what it then did.
"""

import numpy as np

from . import reference

N_PIXELS = 784
N_CLASSES = 10


def tutorial_network(seed, alpha=0.01):
    """``np.random.seed(seed)`` then ``AThreeLayerSimpleMLPC(n_inputs=784, n_classes=10)`` (784-32-24-10).

    The global generator's state is put back afterwards, so code sharing the process (the page's cells) sees
    its own random stream undisturbed. Returns the network.
    """
    saved = np.random.get_state()
    try:
        np.random.seed(seed)
        return reference.AThreeLayerSimpleMLPC(n_inputs=N_PIXELS, n_classes=N_CLASSES, alpha=alpha)
    finally:
        np.random.set_state(saved)


def tutorial_sample(images, labels, index):
    """(x (784,) float64 = pixels/128 − 0.5, t (10,) one-hot, label int) of image ``index``.

    images: (n, 28, 28) or (n, 784) uint8 pixels; labels: (n,) ints. A bad index is a ValueError.
    """
    n = len(labels)
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < n:
        raise ValueError(f"test image number must be an integer from 0 to {n - 1}; got {index!r}")
    x = reference.tutorial_normalize(np.asarray(images[index]).reshape(N_PIXELS))
    label = int(labels[index])
    t = np.zeros(N_CLASSES)
    t[label] = 1
    return x, t, label


def _check_seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise ValueError(f"initial weights seed must be an integer from 0 to {2**32 - 1}; got {seed!r}")


def take_apart(images, labels, seed, index, alpha=0.01):
    """One SGD step of the tutorial's network on test image ``index``, with every intermediate value.

    images: (n, 28, 28) uint8; labels: (n,). seed: the initial weights' seed. alpha: the learning rate.
    Returns a dict (arrays float64 unless said; n_l = the layer's units, n_in its inputs):

    * ``image`` (28, 28) uint8, ``label``, ``x`` (784,) the scaled input column;
    * ``layers``: per layer, input first: ``{"x" (n_in,), "W" (n_l, n_in), "b" (n_l,), "y" (n_l,) = W x + b,
      "z" (n_l,) = sigmoid(y)}`` (the weights before the update);
    * ``output`` ŷ (10,), ``target`` t (10,), ``loss`` ½‖ŷ − t‖², ``printed_loss`` (the tutorial's formula),
      ``prediction`` (argmax ŷ);
    * ``backward``: per layer, output layer first: ``{"layer": its index, "dLdz" (n_l,), "jacobian" (n_l, n_l),
      "dLdy" (n_l,), "dW" (n_l, n_in), "dLdx" (n_in,)}``;
    * ``alpha``; ``output_after`` (10,), ``loss_after``, ``prediction_after``: the same image after the step.
    """
    _check_seed(seed)
    x, t, label = tutorial_sample(images, labels, index)
    net = tutorial_network(seed, alpha)
    layers = []
    signal = x
    for layer in net.layers:
        z = layer.forward(signal)
        layers.append({"x": layer.x.ravel().copy(), "W": layer.W.copy(), "b": layer.b.ravel().copy(),
                       "y": layer.y.ravel().copy(), "z": z.ravel().copy()})
        signal = z
    y_hat = signal
    result = {
        "seed": int(seed), "index": int(index), "label": label, "alpha": float(alpha),
        "image": np.asarray(images[index], dtype=np.uint8).reshape(28, 28), "x": x,
        "layers": layers, "output": y_hat.ravel().copy(), "target": t,
        "loss": reference.true_loss(y_hat, t), "printed_loss": reference.legacy_printed_loss(y_hat, t),
        "prediction": int(np.argmax(y_hat)),
    }

    backward = []
    grad = (y_hat.ravel() - t)[None, :]  # dL/dŷ = ŷ − t, a row: what AThreeLayerSimpleMLPC.fit passes
    for i in range(len(net.layers) - 1, -1, -1):
        layer = net.layers[i]
        # NNLayer.backward's own lines, one by one, before it runs:
        dLdz = np.reshape(grad, (1, layer.n_neurons))
        J = layer.dsigmoid(layer.y)
        dLdy = (dLdz @ J).T
        dW = dLdy @ layer.x.T
        dLdx = dLdy.T @ layer.W
        W_before = layer.W.copy()
        grad = layer.backward(grad)
        if not (np.array_equal(grad, dLdx) and np.array_equal(layer.W, W_before - alpha * dW)):
            raise RuntimeError("NNLayer.backward no longer computes what the step view shows: update training_step")
        backward.append({"layer": i, "dLdz": dLdz.ravel(), "jacobian": J, "dLdy": dLdy.ravel(), "dW": dW,
                         "dLdx": dLdx.ravel()})
    result["backward"] = backward

    after = net.forward(x)
    result.update(output_after=after.ravel().copy(), loss_after=reference.true_loss(after, t),
                  prediction_after=int(np.argmax(after)))
    return result
