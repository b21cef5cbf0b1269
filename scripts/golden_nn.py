#!/usr/bin/env python3
"""Golden files for the network forward pass, computed by PyTorch (an implementation nobody
here wrote). Writes tests/golden/nn_{stock_specific,general}.json: Keras-layout weights,
input windows and PyTorch's outputs. Run with Debian's python3 (python3-torch, python3-numpy):
    /usr/bin/python3 scripts/golden_nn.py
Weights are uniform in ±0.5 so that a swapped gate order or reversed time order changes the
outputs by far more than the 1e-5 tolerance (the test checks that too)."""
import json
import os

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "golden")
WINDOW, UNITS, DENSE, OUTPUTS = 60, 50, 25, 4


def uniform(rng, *shape):
    return rng.uniform(-0.5, 0.5, size=shape).astype(np.float32)


def keras_lstm(rng, inputs, units):
    # Keras layout: kernel [in, 4u], recurrent_kernel [u, 4u], bias [4u], gates i, f, c, o.
    return uniform(rng, inputs, 4 * units), uniform(rng, units, 4 * units), uniform(rng, 4 * units)


def torch_lstm(kernel, recurrent, bias):
    # PyTorch's gate order i, f, g, o equals Keras' i, f, c, o; weights are transposed.
    units = recurrent.shape[0]
    layer = torch.nn.LSTM(kernel.shape[0], units, batch_first=True)
    with torch.no_grad():
        layer.weight_ih_l0.copy_(torch.from_numpy(kernel.T.copy()))
        layer.weight_hh_l0.copy_(torch.from_numpy(recurrent.T.copy()))
        layer.bias_ih_l0.copy_(torch.from_numpy(bias))
        layer.bias_hh_l0.zero_()
    return layer


def make(name, embedding_count, seed, batch):
    rng = np.random.default_rng(seed)
    w = {}
    w["lstm1.kernel"], w["lstm1.recurrent_kernel"], w["lstm1.bias"] = keras_lstm(rng, 1, UNITS)
    w["lstm2.kernel"], w["lstm2.recurrent_kernel"], w["lstm2.bias"] = keras_lstm(rng, UNITS, UNITS)
    head_in = UNITS
    if embedding_count:
        w["embedding.embeddings"] = uniform(rng, embedding_count, 10)
        head_in += 10
    w["dense1.kernel"], w["dense1.bias"] = uniform(rng, head_in, DENSE), uniform(rng, DENSE)
    w["dense2.kernel"], w["dense2.bias"] = uniform(rng, DENSE, OUTPUTS), uniform(rng, OUTPUTS)

    # Inputs shaped like the model's feature: log prices relative to the window's last close.
    steps = rng.normal(0, 0.02, size=(batch, WINDOW)).cumsum(axis=1)
    x = (steps - steps[:, -1:]).astype(np.float32)
    ids = [int(i) for i in rng.integers(0, embedding_count, size=batch - 1)] + [-1] if embedding_count else []

    with torch.no_grad():
        xt = torch.from_numpy(x).unsqueeze(-1)
        h1, _ = torch_lstm(w["lstm1.kernel"], w["lstm1.recurrent_kernel"], w["lstm1.bias"])(xt)
        h2, _ = torch_lstm(w["lstm2.kernel"], w["lstm2.recurrent_kernel"], w["lstm2.bias"])(h1)
        feat = h2[:, -1, :]
        if embedding_count:
            table = torch.from_numpy(w["embedding.embeddings"])
            neutral = table.mean(dim=0)  # an unseen stock gets the mean embedding
            emb = torch.stack([table[i] if i >= 0 else neutral for i in ids])
            feat = torch.cat([feat, emb], dim=1)
        d1 = torch.relu(feat @ torch.from_numpy(w["dense1.kernel"]) + torch.from_numpy(w["dense1.bias"]))
        y = d1 @ torch.from_numpy(w["dense2.kernel"]) + torch.from_numpy(w["dense2.bias"])

    doc = {
        "generator": f"PyTorch {torch.__version__} torch.nn.LSTM, float32, scripts/golden_nn.py seed {seed}",
        "architecture": {"window": WINDOW, "features": 1, "lstm_units": [UNITS, UNITS], "dense_units": DENSE,
                         "outputs": OUTPUTS, "embedding_count": embedding_count,
                         "embedding_dim": 10 if embedding_count else 0},
        "weights": {k: {"shape": list(v.shape), "values": [float(f"{t:.9g}") for t in v.ravel()]} for k, v in w.items()},
        "x": [[float(f"{t:.9g}") for t in row] for row in x],
        "stock_ids": ids,
        "y": [[float(f"{t:.9g}") for t in row] for row in y.numpy()],
    }
    with open(os.path.join(OUT, f"nn_{name}.json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    make("stock_specific", 0, seed=20261122, batch=5)
    make("general", 66, seed=20261123, batch=6)
    print("wrote", OUT)
