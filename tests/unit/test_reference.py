"""The tutorial reference: its published numbers, its maths against finite differences, its random stream."""

import numpy as np
import pytest

from nn_impl import reference as R


def test_seed_check_matches_the_tutorial():
    # The numbers the tutorial printed for its demo.
    np.random.seed(123)
    layer = R.NNLayer(3, 5)
    xi = np.random.rand(3)
    np.testing.assert_allclose(xi, [0.63440096, 0.84943179, 0.72445532], atol=5e-9)
    z = layer.forward(xi)
    assert z.shape == (5, 1)
    np.testing.assert_allclose(z.ravel(), [0.49915458, 0.4922888, 0.50618145, 0.49979187, 0.47726428], atol=5e-9)


def test_run_demo_is_the_seed_check_and_leaves_the_stream_where_the_tutorial_did():
    demo = R.run_demo()
    np.testing.assert_allclose(demo["xi"], [0.63440096, 0.84943179, 0.72445532], atol=5e-9)
    np.testing.assert_allclose(demo["forward"], [0.49915458, 0.4922888, 0.50618145, 0.49979187, 0.47726428],
                               atol=5e-9)
    after_demo = np.random.rand()
    np.random.seed(123)
    np.random.rand(15 + 5 + 3)  # W (5x3), b (5x1), xi (3): the demo draws exactly these and nothing else
    assert np.random.rand() == after_demo


def test_layer_draws_W_then_b_from_the_legacy_generator():
    np.random.seed(7)
    layer = R.NNLayer(4, 3)
    np.random.seed(7)
    W = np.random.uniform(-0.1, 0.1, (3, 4))
    b = np.random.uniform(-0.1, 0.1, (3, 1))
    np.testing.assert_array_equal(layer.W, W)
    np.testing.assert_array_equal(layer.b, b)
    assert layer.W.shape == (3, 4) and layer.b.shape == (3, 1)


def test_dsigmoid_is_the_diagonal_jacobian_of_sigmoid():
    y = np.array([[-2.0], [0.0], [0.7], [3.0]])
    J = R.dsigmoid(y)
    assert J.shape == (4, 4)
    assert np.count_nonzero(J - np.diag(np.diag(J))) == 0
    # Central differences of the element-wise sigmoid, one input at a time.
    eps = 1e-6
    numeric = np.zeros((4, 4))
    for j in range(4):
        step = np.zeros_like(y)
        step[j] = eps
        numeric[:, j] = ((R.sigmoid(y + step) - R.sigmoid(y - step)) / (2 * eps)).ravel()
    np.testing.assert_allclose(J, numeric, atol=1e-9)


def _layer_loss(W, b, x, t):
    """½‖sigmoid(W x + b) − t‖² for a column x."""
    z = R.sigmoid(W @ x + b)
    return 0.5 * float(np.sum((z - t) ** 2))


def test_backward_matches_finite_differences_and_uses_W_before_the_update():
    np.random.seed(1)
    layer = R.NNLayer(4, 3, alpha=0.5)
    x = np.random.uniform(-1, 1, 4)
    t = np.array([[1.0], [0.0], [0.0]])
    W0, b0, xc = layer.W.copy(), layer.b.copy(), x.reshape(4, 1)

    z = layer.forward(x)
    grad_out = layer.backward((z - t).T)
    assert grad_out.shape == (1, 4)

    eps = 1e-6
    dW = np.zeros_like(W0)
    for idx in np.ndindex(*W0.shape):
        Wp, Wm = W0.copy(), W0.copy()
        Wp[idx] += eps
        Wm[idx] -= eps
        dW[idx] = (_layer_loss(Wp, b0, xc, t) - _layer_loss(Wm, b0, xc, t)) / (2 * eps)
    db = np.zeros_like(b0)
    for i in range(3):
        bp, bm = b0.copy(), b0.copy()
        bp[i] += eps
        bm[i] -= eps
        db[i] = (_layer_loss(W0, bp, xc, t) - _layer_loss(W0, bm, xc, t)) / (2 * eps)
    dx = np.zeros(4)
    for i in range(4):
        step = np.zeros((4, 1))
        step[i] = eps
        dx[i] = (_layer_loss(W0, b0, xc + step, t) - _layer_loss(W0, b0, xc - step, t)) / (2 * eps)

    np.testing.assert_allclose(layer.W, W0 - 0.5 * dW, atol=1e-9)
    np.testing.assert_allclose(layer.b, b0 - 0.5 * db, atol=1e-9)
    np.testing.assert_allclose(grad_out.ravel(), dx, atol=1e-9)
    # With the updated W the input gradient would be measurably different: the order matters.
    dLdy = (z - t) * z * (1 - z)
    assert np.max(np.abs(dLdy.T @ layer.W - dx)) > 1e-4


def test_network_backward_matches_finite_differences_of_the_whole_net():
    np.random.seed(3)
    net = R.AThreeLayerSimpleMLPC(6, 4, alpha=0.0)  # alpha 0: backward leaves weights alone, returns dL/dx
    x = np.random.uniform(-1, 1, 6)
    t = np.array([0.0, 0.0, 1.0, 0.0])

    def loss(v):
        return R.true_loss(net.forward(v), t)

    grad = net.backward(net.forward(x).ravel() - t)
    eps = 1e-6
    numeric = np.array([(loss(x + eps * e) - loss(x - eps * e)) / (2 * eps) for e in np.eye(6)])
    np.testing.assert_allclose(grad.ravel(), numeric, atol=1e-9)


def test_legacy_printed_loss_is_the_broadcasting_bug_and_true_loss_is_not():
    y_hat = np.array([[0.5], [0.5]])
    t = np.array([1.0, 0.0])
    assert (y_hat - t).shape == (2, 2)  # the broadcast the tutorial did not intend
    assert R.legacy_printed_loss(y_hat, t) == 0.0
    assert R.true_loss(y_hat, t) == 0.25

    rng = np.random.default_rng(0)
    y_hat = rng.uniform(0, 1, (10, 1))
    t = np.eye(10)[3]
    assert R.true_loss(y_hat, t) == pytest.approx(0.5 * np.sum((y_hat.ravel() - t) ** 2))
    # Summing the (10, 10) broadcast array counts every ŷ_i and every t_j ten times: (10·Σŷ − 10·Σt)² / 2.
    assert R.legacy_printed_loss(y_hat, t) == pytest.approx((10 * y_hat.sum() - 10 * t.sum()) ** 2 / 2)
    assert R.legacy_printed_loss(y_hat, t) != pytest.approx(R.true_loss(y_hat, t))


def test_tutorial_normalize():
    x = np.array([0, 64, 128, 255], dtype=np.uint8)
    np.testing.assert_array_equal(R.tutorial_normalize(x), [-0.5, 0.0, 0.5, 255 / 128 - 0.5])
    assert R.tutorial_normalize(x).dtype == np.float64


def test_classifier_builds_32_24_n_in_order():
    np.random.seed(5)
    net = R.AThreeLayerSimpleMLPC(7, 3)
    assert [layer.W.shape for layer in net.layers] == [(32, 7), (24, 32), (3, 24)]
    np.random.seed(5)
    expected = []
    for n_in, n_out in [(7, 32), (32, 24), (24, 3)]:
        expected.append(np.random.uniform(-0.1, 0.1, (n_out, n_in)))
        expected.append(np.random.uniform(-0.1, 0.1, (n_out, 1)))
    got = [a for layer in net.layers for a in (layer.W, layer.b)]
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, b)


def test_fit_is_the_tutorials_loop_with_its_draws_in_order():
    rng = np.random.default_rng(0)
    X = rng.uniform(-0.5, 1.5, (12, 5))
    y = rng.integers(0, 3, 12)

    np.random.seed(11)
    net = R.AThreeLayerSimpleMLPC(5, 3)
    history = net.fit(X, y, epochs=2)

    # The same thing written out longhand: permutation once, shuffle per epoch, one step per sample.
    np.random.seed(11)
    layers = [R.NNLayer(5, 32), R.NNLayer(32, 24), R.NNLayer(24, 3)]
    indices = np.random.permutation(12)
    losses = []
    for _ in range(2):
        np.random.shuffle(indices)
        total = 0.0
        for i in indices:
            out = X[i]
            for layer in layers:
                out = layer.forward(out)
            t = np.eye(3)[y[i]]
            total += 0.5 * np.sum((out.ravel() - t) ** 2)
            grad = (out.ravel() - t)[None, :]
            for layer in reversed(layers):
                grad = layer.backward(grad)
        losses.append(total / 12)
    np.testing.assert_allclose(history, losses, rtol=1e-12)
    for mine, theirs in zip(net.layers, layers):
        np.testing.assert_array_equal(mine.W, theirs.W)
    assert len(net.legacy_loss_history_) == 2
    assert 0 <= net.evaluate(X, y) <= 1


def test_fit_learns_a_separable_toy_problem():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(60, 2))
    y = (X[:, 0] > 0).astype(int)
    np.random.seed(0)
    net = R.AThreeLayerSimpleMLPC(2, 2, alpha=0.5)
    history = net.fit(X, y, epochs=30)
    assert history[-1] < history[0]
    assert net.evaluate(X, y) >= 0.9


@pytest.mark.parametrize("X, y, epochs, message", [
    (np.zeros((3, 4)), np.zeros(3, int), 1, "X must have shape"),
    (np.zeros((3, 5)), np.zeros(2, int), 1, "y must have shape"),
    (np.zeros((3, 5)), np.array([0, 1, 3]), 1, "integer classes"),
    (np.zeros((3, 5)), np.array([0.0, 1.0, 2.0]), 1, "integer classes"),
    (np.zeros((3, 5)), np.zeros(3, int), 0, "epochs"),
    (np.zeros((0, 5)), np.zeros(0, int), 1, "empty"),
])
def test_fit_rejects_bad_input_clearly(X, y, epochs, message):
    np.random.seed(0)
    net = R.AThreeLayerSimpleMLPC(5, 3)
    before = net.layers[0].W.copy()
    with pytest.raises(ValueError, match=message):
        net.fit(X, y, epochs=epochs)
    np.testing.assert_array_equal(net.layers[0].W, before)


def test_sigmoid_and_dsigmoid_are_methods_of_the_layer_as_in_the_tutorial():
    # The tutorial's demo calls them on the layer: alayer.dsigmoid(yi).
    np.random.seed(123)
    alayer = R.NNLayer(n_inputs=3, n_neurons=5)
    yi = np.array([1, 2, 3])
    J = alayer.dsigmoid(yi)
    np.testing.assert_allclose(np.diag(J), [0.19661193, 0.10499359, 0.04517666], atol=5e-9)
    assert np.count_nonzero(J - np.diag(np.diag(J))) == 0
    np.testing.assert_array_equal(alayer.sigmoid(yi), R.sigmoid(yi))
    np.testing.assert_array_equal(J, R.dsigmoid(yi))
    # forward and backward go through the methods: a layer whose sigmoid is replaced uses the replacement.
    alayer.sigmoid = lambda y: np.zeros_like(y)
    assert not alayer.forward(np.ones(3)).any()
