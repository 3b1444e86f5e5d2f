"""The tutorial's multilayer perceptron, kept exactly.

This module reproduces the tutorial this project comes from, with the tutorial's own names (``NNLayer`` with its
methods ``sigmoid``, ``dsigmoid``, ``forward``, ``backward``; ``AThreeLayerSimpleMLPC``), so a reader can put the
two side by side (the page shows this source as the tutorial's cells: :mod:`nn_impl.tutorial_cells`). It is slow
on purpose: one sample at a time, column vectors, and an explicit n×n Jacobian for the sigmoid. It is also the
oracle the fast engine (:class:`nn_impl.MLPClassifier`) is tested against, so nothing here may drift from the
tutorial's arithmetic or from the order in which it draws from NumPy's global (legacy) random generator.

The two places where we *depart* from the tutorial are reporting only, never training:

* The tutorial printed ``np.sum(ŷ − t)**2 / 2`` as its loss. With ŷ of shape (10, 1) and t of shape (10,),
  ``ŷ − t`` broadcasts to a 10×10 array, and the square is taken of the sum rather than summed over squares.
  :func:`true_loss` is the real per-sample loss ½‖ŷ − t‖²; the tutorial's formula is kept as
  :func:`legacy_printed_loss` so its printed numbers can still be replayed (:func:`replay_tutorial`).
* ``fit`` returns the history of the true mean loss per epoch and keeps the legacy numbers beside it.

The gradient the tutorial trains with, ŷ − t, is correct for ½‖ŷ − t‖², so training is unaffected.
"""

import numpy as np

# The tutorial's demo: seed, layer shape and input used before it builds the classifier (see replay_tutorial).
TUTORIAL_SEED = 123
DEMO_LAYER_SHAPE = (3, 5)  # NNLayer(n_inputs=3, n_neurons=5)


def tutorial_normalize(x):
    """The tutorial's input scaling of 0–255 pixels: x / 128 − 0.5 (so roughly [−0.5, 1.5)).

    x: array of any shape (uint8 or float pixels). Returns float64 of the same shape.
    """
    return np.asarray(x, dtype=np.float64) / 128 - 0.5


def true_loss(y_hat, t):
    """The per-sample squared-error loss ½‖ŷ − t‖² that the gradient ŷ − t belongs to.

    y_hat: network output, shape (n,) or (n, 1). t: one-hot target, shape (n,) or (n, 1). Returns a float.
    """
    diff = np.ravel(y_hat) - np.ravel(t)
    return float(0.5 * np.dot(diff, diff))


def legacy_printed_loss(y_hat, t):
    """The loss the tutorial *printed*: ``np.sum(y_hat - t)**2 / 2`` with y_hat (n, 1) and t (n,).

    This is kept only to replay the tutorial's printed numbers; it is not a loss of anything. Two mistakes
    combine: ``y_hat - t`` with shapes (n, 1) and (n,) broadcasts to an (n, n) array (every output minus every
    target), and the square is applied to the sum instead of inside it. Example with n = 2, ŷ = [[0.5], [0.5]],
    t = [1, 0]: the broadcast array is [[−0.5, 0.5], [−0.5, 0.5]], its sum is 0, so this returns 0.0 while the
    true loss ½‖ŷ − t‖² is 0.25.

    y_hat: shape (n, 1) as the tutorial's forward returns it (other shapes are reshaped to (n, 1) so the
    broadcast happens exactly as in the tutorial). t: shape (n,). Returns a float.
    """
    y_hat = np.reshape(y_hat, (-1, 1))
    t = np.ravel(t)
    return float(np.sum(y_hat - t) ** 2 / 2)


class NNLayer:
    """One fully connected sigmoid layer, trained sample by sample with plain SGD (the tutorial's layer).

    W has shape (n_neurons, n_inputs) and b shape (n_neurons, 1), both drawn from U(−0.1, 0.1) with the global
    legacy generator, W first, then b (that order is part of the replayed random stream).
    """

    def __init__(self, n_inputs, n_neurons, alpha=0.01):
        self.n_inputs = n_inputs
        self.n_neurons = n_neurons
        self.alpha = alpha
        self.W = np.random.uniform(-0.1, 0.1, (n_neurons, n_inputs))
        self.b = np.random.uniform(-0.1, 0.1, (n_neurons, 1))
        self.x = None  # the last input, a column (n_inputs, 1); backward needs it
        self.y = None  # the last pre-activation W x + b, a column (n_neurons, 1)

    def sigmoid(self, y):
        """The logistic function 1 / (1 + e^−y), element-wise; returns an array of y's shape."""
        return 1 / (1 + np.exp(-y))

    def dsigmoid(self, y):
        """The Jacobian of the element-wise sigmoid at y.

        y: any shape with n elements (the layer's pre-activation column (n, 1) in practice).
        Returns the (n, n) diagonal matrix with z·(1 − z) on its diagonal, z = sigmoid(y) flattened.
        The tutorial builds the full matrix (``np.diagflat``) to show the chain rule as a matrix product; the
        fast engine multiplies element-wise instead, which is the same thing without the n² zeros.
        """
        z = self.sigmoid(y)
        return np.diagflat(z * (1 - z))

    def forward(self, x):
        """x: n_inputs values in any shape. Stores x as a column and y = W x + b; returns sigmoid(y), (n_neurons, 1)."""
        self.x = np.reshape(x, (self.n_inputs, 1))
        self.y = self.W @ self.x + self.b
        return self.sigmoid(self.y)

    def backward(self, grad_in):
        """One SGD step from the gradient of the loss with respect to this layer's output z = sigmoid(y).

        grad_in: dL/dz with n_neurons values, as a row (1, n_neurons) or any shape holding them.
        Returns dL/dx as a row (1, n_inputs), computed with W *before* this step's update (the chain rule needs
        the weights the forward pass used; updating first would be a subtle, silent bug).
        """
        dLdz = np.reshape(grad_in, (1, self.n_neurons))
        J = self.dsigmoid(self.y)                 # (n_neurons, n_neurons)
        dLdy = (dLdz @ J).T                       # (n_neurons, 1)
        dW = dLdy @ self.x.T                      # (n_neurons, n_inputs)
        db = dLdy                                 # (n_neurons, 1)
        grad_out = dLdy.T @ self.W                # (1, n_inputs), with W before the update
        self.W -= self.alpha * dW
        self.b -= self.alpha * db
        return grad_out


def sigmoid(y):
    """``NNLayer.sigmoid`` as a plain function (it uses nothing of the layer): element-wise, y's shape."""
    return NNLayer.sigmoid(None, y)


def dsigmoid(y):
    """``NNLayer.dsigmoid`` as a plain function: y with n elements -> the (n, n) diagonal Jacobian."""
    # A layer without weights is enough: the method only calls self.sigmoid.
    return NNLayer.dsigmoid(NNLayer.__new__(NNLayer), y)


class AThreeLayerSimpleMLPC:
    """The tutorial's classifier: n_inputs -> 32 -> 24 -> n_classes, sigmoid everywhere, SGD with batch size 1.

    The layers are built in that order, each drawing W then b from the global legacy generator; seed it with
    ``np.random.seed`` before constructing to reproduce a run.
    """

    def __init__(self, n_inputs, n_classes, alpha=0.01):
        self.n_inputs = n_inputs
        self.n_classes = n_classes
        self.layers = [
            NNLayer(n_inputs, 32, alpha),
            NNLayer(32, 24, alpha),
            NNLayer(24, n_classes, alpha),
        ]
        self.loss_history_ = []         # true mean loss ½‖ŷ − t‖² per epoch
        self.legacy_loss_history_ = []  # what the tutorial printed per epoch (see legacy_printed_loss)

    def forward(self, x):
        """x: one sample, n_inputs values. Returns the output column (n_classes, 1)."""
        out = x
        for layer in self.layers:
            out = layer.forward(out)
        return out

    def backward(self, grad):
        """One SGD step for the last forward sample, from grad = dL/dŷ (n_classes values).

        Updates every layer, last first; returns dL/dx as a row (1, n_inputs).
        """
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        return grad

    def predict(self, x):
        """x: one sample (n_inputs values) -> its class, an int (argmax of the outputs)."""
        return int(np.argmax(self.forward(x)))

    def evaluate(self, X, y):
        """X: (n_samples, n_inputs), y: (n_samples,) ints. Returns the mean accuracy, a float in [0, 1]."""
        X = np.asarray(X)
        y = np.asarray(y)
        if X.ndim != 2 or X.shape[1] != self.n_inputs or len(X) != len(y) or len(X) == 0:
            raise ValueError(f"evaluate: X must have shape (n_samples, {self.n_inputs}) and y shape (n_samples,) "
                             f"with n_samples > 0; got X {X.shape} and y {y.shape}")
        correct = sum(self.predict(x) == label for x, label in zip(X, y))
        return correct / len(X)

    def fit(self, X, y, epochs=50, on_epoch=None):
        """Train sample by sample, as the tutorial did.

        X: (n_samples, n_inputs) already normalised (see tutorial_normalize); y: (n_samples,) ints in
        [0, n_classes). ``indices = np.random.permutation(n)`` once, then every epoch ``np.random.shuffle``
        of those indices and one SGD step per sample with gradient ŷ − t (t one-hot).
        on_epoch: optional callable(epoch, true_loss, legacy_loss), epoch counted from 1, called after each
        epoch (the tutorial printed there; see replay_tutorial).
        Returns the list of the true mean loss ½‖ŷ − t‖² per epoch (also in ``loss_history_``); the legacy
        printed numbers go to ``legacy_loss_history_``.
        """
        X = np.asarray(X)
        y = np.asarray(y)
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise ValueError(f"fit: X must have shape (n_samples, {self.n_inputs}); got {X.shape}")
        if y.shape != (len(X),):
            raise ValueError(f"fit: y must have shape ({len(X)},) to match X; got {y.shape}")
        if len(X) == 0:
            raise ValueError("fit: X is empty; pass at least one sample")
        if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= self.n_classes:
            raise ValueError(f"fit: y must hold integer classes in [0, {self.n_classes}); "
                             f"got dtype {y.dtype}, values {y.min()}..{y.max()}")
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
            raise ValueError(f"fit: epochs must be an integer >= 1; got {epochs!r}")

        indices = np.random.permutation(len(X))
        for epoch in range(1, epochs + 1):
            np.random.shuffle(indices)
            total_true = 0.0
            total_legacy = 0.0
            for i in indices:
                t = np.zeros(self.n_classes)
                t[y[i]] = 1
                y_hat = self.forward(X[i])                    # (n_classes, 1)
                total_true += true_loss(y_hat, t)
                total_legacy += legacy_printed_loss(y_hat, t)
                self.backward((y_hat.ravel() - t)[None, :])   # dL/dŷ = ŷ − t, a row
            self.loss_history_.append(total_true / len(X))
            self.legacy_loss_history_.append(total_legacy / len(X))
            if on_epoch is not None:
                on_epoch(epoch, self.loss_history_[-1], self.legacy_loss_history_[-1])
        return self.loss_history_


# ------------------------------------------------------------------------------------------------ the replay

TUTORIAL_EPOCHS = 10
TUTORIAL_FIRST_LEGACY_LOSS = "1.923932"  # the tutorial's first printed loss line, to 6 decimals
TUTORIAL_TEST_ACCURACY = 0.9457          # the tutorial's final test accuracy


def run_demo():
    """The tutorial's demo before the classifier: ``np.random.seed(123)``, ``NNLayer(3, 5)``, ``np.random.rand(3)``.

    Seeds the global legacy generator, so everything drawn afterwards continues the tutorial's stream.
    Returns dict(xi (3,), forward (5,), jacobian (5, 5), grad_out (3,)): the demo's input, its forward output,
    dsigmoid at the stored pre-activation, and backward's result for the gradient ``np.ones((1, 5))``.
    Which gradient the demo fed backward does not matter to the replay: backward draws nothing from the
    generator (the replayed loss lines match only when the demo's draws are exactly W, b and xi).
    """
    np.random.seed(TUTORIAL_SEED)
    layer = NNLayer(*DEMO_LAYER_SHAPE)
    xi = np.random.rand(DEMO_LAYER_SHAPE[0])
    z = layer.forward(xi)
    jacobian = layer.dsigmoid(layer.y)
    grad_out = layer.backward(np.ones((1, DEMO_LAYER_SHAPE[1])))
    return {"xi": xi, "forward": z.ravel(), "jacobian": jacobian, "grad_out": grad_out.ravel()}


def replay_tutorial(mnist=None, epochs=TUTORIAL_EPOCHS, data_dir=None, print_fn=print, demo=True,
                    n_train=None):
    """Replay the tutorial to the last digit: its demo, then the 784-32-24-10 classifier on the full MNIST.

    mnist: dict of uint8 arrays x_train (n, 28, 28) or (n, 784), y_train (n,), x_test, y_test in the canonical
    MNIST order; if None it is loaded with ``nn_impl.data.load_mnist(data_dir)``.
    epochs: how many of the tutorial's 10 epochs to run (fewer gives a prefix of the same run).
    print_fn: called with each line the tutorial printed (``epoch 1/10  loss 1.923932``), or None for silence.
    demo: False skips the demo's draws (only to show they matter: the numbers then differ from the tutorial's).
    n_train: use only the first n_train training images (a shorter, different run; None = all 60000).
    With every argument at its default the loss lines are the tutorial's (the first is 1.923932) and the test
    accuracy is 0.9457. The printed loss is the tutorial's legacy formula averaged over the epoch's samples
    (see legacy_printed_loss); the true mean loss is returned beside it.
    Returns dict(legacy_losses [epochs floats], losses [epochs floats], test_accuracy float, net).
    """
    if mnist is None:
        from . import data

        mnist = data.load_mnist(data_dir)
    x_train = np.asarray(mnist["x_train"])
    y_train = np.asarray(mnist["y_train"])
    if n_train is not None:
        x_train, y_train = x_train[:n_train], y_train[:n_train]
    X = tutorial_normalize(x_train.reshape(len(x_train), -1))
    X_test = tutorial_normalize(np.asarray(mnist["x_test"]).reshape(len(mnist["x_test"]), -1))

    if demo:
        run_demo()
    else:
        np.random.seed(TUTORIAL_SEED)
    net = AThreeLayerSimpleMLPC(X.shape[1], 10)

    def report(epoch, loss, legacy_loss):
        if print_fn is not None:
            print_fn(f"epoch {epoch}/{epochs}  loss {legacy_loss:.6f}")

    net.fit(X, y_train, epochs=epochs, on_epoch=report)
    accuracy = net.evaluate(X_test, mnist["y_test"])
    if print_fn is not None:
        print_fn(f"test accuracy {accuracy:.4f}")
    return {"legacy_losses": list(net.legacy_loss_history_), "losses": list(net.loss_history_),
            "test_accuracy": accuracy, "net": net}
