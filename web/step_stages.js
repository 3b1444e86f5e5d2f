// The stages of one training step of the tutorial's network, in order: what each shows, its formula (TeX for
// KaTeX), and the lines of nn_impl.reference that compute it (`method` is a key of tutorial_cells.json's
// "methods"; `lines` are fragments of those lines' text). Every number comes from the "step" reply of the
// cells' Python (nn_impl.training_step.take_apart); nothing here computes any.

const LAYER_NAMES = ["first", "second", "third (output)"];

const FORWARD_LINES = ["self.x = np.reshape(x, (self.n_inputs, 1))", "self.y = self.W @ self.x + self.b",
  "return self.sigmoid(self.y)"];
const BACKWARD_LINES = ["dLdz = np.reshape(grad_in", "J = self.dsigmoid(self.y)", "dLdy = (dLdz @ J).T",
  "dW = dLdy @ self.x.T", "db = dLdy", "grad_out = dLdy.T @ self.W", "return grad_out"];

/** The stages; each `parts(r)` lists what to draw from the step reply r (see step_view.js's drawPart). */
export const STAGES = [
  {
    title: () => "The input: a 28×28 image becomes a column of 784 numbers",
    tex: String.raw`x = \frac{\text{pixels}}{128} - 0.5 \;\in\; \mathbb{R}^{784 \times 1}`,
    method: "NNLayer.forward",
    lines: [FORWARD_LINES[0]],
    parts: (r) => [{ kind: "image", caption: `Test image, labelled ${r.label}` },
      { kind: "column", name: "x", values: r.x, caption: "x: the 784 inputs, pixels / 128 − 0.5" }],
  },
  ...[0, 1, 2].map((i) => ({
    title: (r) => `Forward, the ${LAYER_NAMES[i]} layer: ${r.layers[i].y.data.length} units`,
    tex: String.raw`y = W x + b, \qquad z = \sigma(y) = \frac{1}{1 + e^{-y}}`,
    method: "NNLayer.forward",
    lines: FORWARD_LINES,
    parts: (r) => [
      { kind: "strip", name: "x", values: r.layers[i].x,
        caption: `x: this layer's ${r.layers[i].x.data.length} inputs` },
      { kind: "strip", name: "y", values: r.layers[i].y, caption: "y = W x + b" },
      { kind: "strip", name: "z", values: r.layers[i].z, caption: "z = σ(y), passed up" },
    ],
  })),
  {
    title: () => "The output ŷ, the target t and the loss",
    tex: String.raw`L = \tfrac{1}{2}\lVert \hat{y} - t \rVert^2 = \tfrac{1}{2}\sum_{k}(\hat{y}_k - t_k)^2
      \qquad \text{printed by the tutorial: } \tfrac{1}{2}\Big(\sum_{j,k}(\hat{y}_j - t_k)\Big)^2`,
    method: "AThreeLayerSimpleMLPC.fit",
    lines: ["t = np.zeros(self.n_classes)", "t[y[i]] = 1", "y_hat = self.forward(X[i])",
      "total_true += true_loss(y_hat, t)", "total_legacy += legacy_printed_loss(y_hat, t)"],
    parts: (r) => [
      { kind: "strip", name: "ŷ", values: r.output, caption: "ŷ: the ten outputs" },
      { kind: "strip", name: "t", values: r.target, caption: `t: one-hot for the label ${r.label}` },
    ],
  },
  ...[2, 1, 0].map((i) => ({
    title: (r) => `Backward, the ${LAYER_NAMES[i]} layer: the chain rule through a ${r.layers[i].y.data.length}`
      + `×${r.layers[i].y.data.length} Jacobian`,
    tex: String.raw`\frac{\partial L}{\partial y} = \frac{\partial L}{\partial z}\,J,\quad
      J = \frac{\partial z}{\partial y} = \operatorname{diag}\big(z(1 - z)\big),\quad
      \frac{\partial L}{\partial W} = \Big(\frac{\partial L}{\partial y}\Big)^{\!\top} x^{\top},\quad
      \frac{\partial L}{\partial x} = \frac{\partial L}{\partial y}\, W`,
    method: "NNLayer.backward",
    lines: BACKWARD_LINES,
    parts: (r) => {
      const b = r.backward.find((part) => part.layer === i);
      return [
        { kind: "strip", name: "dL/dz", values: b.dLdz,
          caption: i === 2 ? "dL/dz = ŷ − t" : "dL/dz, from the layer above" },
        { kind: "matrix", name: "J", values: b.jacobian, caption: `J = dsigmoid(y): ${b.jacobian.shape[0]}×`
          + `${b.jacobian.shape[1]}, zero off its diagonal` },
        { kind: "strip", name: "dL/dy", values: b.dLdy, caption: "dL/dy = dL/dz · J" },
        i === 0
          ? { kind: "tiles", name: "dL/dW", values: b.dW, caption: "dL/dW: one 28×28 tile per unit (32)" }
          : { kind: "matrix", name: "dL/dW", values: b.dW, caption: `dL/dW: ${b.dW.shape[0]}×${b.dW.shape[1]}` },
        { kind: "strip", name: "dL/dx", values: b.dLdx, caption: i === 0 ? "dL/dx: how each pixel would move L"
          : "dL/dx, passed down" },
      ];
    },
  })),
  {
    title: (r) => `The update: every layer steps against its gradient (α = ${r.alpha}), and the loss drops`,
    tex: String.raw`W \leftarrow W - \alpha \frac{\partial L}{\partial W}, \qquad
      b \leftarrow b - \alpha \frac{\partial L}{\partial y}`,
    method: "NNLayer.backward",
    lines: ["self.W -= self.alpha * dW", "self.b -= self.alpha * db"],
    parts: (r) => [
      { kind: "strip", name: "ŷ before", values: r.output, caption: "ŷ before the step" },
      { kind: "strip", name: "ŷ after", values: r.output_after, caption: "ŷ after the step, same image" },
    ],
  },
];
