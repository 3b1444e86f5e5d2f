// "Answering: the pre-trained model (784-64-32-10)": which model answers predictions, from a worker reply's
// {model, layer_sizes} (predict, inspect and import replies all carry both).

const MODEL_NAMES = {
  "pre-trained": "the pre-trained model",
  training: "the network being trained",
  imported: "the imported model",
  taught: "the network taught your digits",
};

let layerSizes = []; // of the model that answers, as the latest reply that carried them said

/** "the pre-trained model (784-64-32-10)" from a reply's {model, layer_sizes}. */
export function describeModel(reply) {
  if (!reply || !reply.model) return "no model yet: train one or import one";
  const name = MODEL_NAMES[reply.model] || reply.model;
  return reply.layer_sizes ? `${name} (${reply.layer_sizes.join("-")})` : name;
}

/** Write it into the "Model answering" read-out. */
export function showAnswering(reply) {
  if (reply && reply.layer_sizes) layerSizes = [...reply.layer_sizes];
  document.getElementById("model-answering").textContent = describeModel(reply);
}

/** The layer sizes of the model answering now ([784, ..., 10]; empty before any reply said them). */
export const answeringLayerSizes = () => [...layerSizes];
