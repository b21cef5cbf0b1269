#!/usr/bin/env python3
"""Golden file for the Transformer forward pass (core/include/stockcast/transformer.hpp), computed
by PyTorch's own torch.nn.TransformerEncoderLayer. Writes tests/golden/transformer.json: weights in
the model file's layout and names, input windows, PyTorch's outputs. Run with Debian's python3:
    /usr/bin/python3 scripts/golden_transformer.py
(`stockcast_make_fixtures tests` then writes tests/golden/transformer.stkm from it.)
Weights are uniform in ±0.5 so that swapped heads or a missing positional encoding change the
outputs by far more than the 1e-5 tolerance (tests/native/test_transformer.cpp checks that too).
The reference runs in float64, so the tolerance measures the core's float32 arithmetic alone."""
import json
import math
import os
import re

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "golden")
ARCH = {"window": 30, "features": 1, "d_model": 64, "heads": 4, "encoder_layers": 2, "ff_units": 64, "outputs": 4}


def positional_encoding(window, d):
    """Sinusoidal, as in "Attention is all you need" (and the core)."""
    pe = np.zeros((window, d))
    for t in range(window):
        for j in range(d):
            angle = t / math.pow(10000.0, (j - j % 2) / d)
            pe[t, j] = math.sin(angle) if j % 2 == 0 else math.cos(angle)
    return pe


class Predictor(torch.nn.Module):
    """The network of transformer.hpp; scripts/train_transformer.py trains the same class."""

    def __init__(self, window, features, d_model, heads, encoder_layers, ff_units, outputs, dropout=0.0):
        super().__init__()
        self.input_proj = torch.nn.Linear(features, d_model)
        self.layers = torch.nn.ModuleList([
            torch.nn.TransformerEncoderLayer(d_model=d_model, nhead=heads, dim_feedforward=ff_units, dropout=dropout,
                                             activation="relu", batch_first=True, norm_first=False)
            for _ in range(encoder_layers)])
        self.head = torch.nn.Linear(d_model, outputs)
        self.register_buffer("pe", torch.tensor(positional_encoding(window, d_model), dtype=torch.float32))

    def forward(self, x):  # x [batch, window, features]
        h = self.input_proj(x) + self.pe
        for layer in self.layers:
            h = layer(h)
        return self.head(h.mean(dim=1))


def file_name(param):
    """The model file's tensor name (transformer.hpp) of a state_dict entry; matrices are stored
    transposed ([in, out]), hence ".kernel" where PyTorch says ".weight"."""
    if param == "pe":
        return "positional_encoding"
    name = param.replace("self_attn.in_proj_weight", "self_attn.in_proj.weight").replace(
        "self_attn.in_proj_bias", "self_attn.in_proj.bias")
    matrix = name.endswith(".weight") and not re.search(r"\.norm\d\.weight$", name)
    return name[: -len(".weight")] + ".kernel" if matrix else name


def file_tensors(model):
    """The model file's tensors from the module: {name: array in the file's layout}, the
    positional-encoding buffer included."""
    out = {}
    for param, p in model.state_dict().items():
        v = p.detach().cpu().double().numpy()
        out[file_name(param)] = v.T if file_name(param).endswith(".kernel") else v
    return out


def main():
    seed, batch = 20261203, 5
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = Predictor(**ARCH).double().eval()
    with torch.no_grad():
        for p in model.parameters():
            # float32 values, so the core loads exactly the weights PyTorch used
            p.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, size=tuple(p.shape)).astype(np.float32).astype(np.float64)))
    # Inputs shaped like the model's feature: log prices relative to the window's last close.
    steps = rng.normal(0, 0.02, size=(batch, ARCH["window"])).cumsum(axis=1)
    x = (steps - steps[:, -1:]) * 20  # about the scale of the trained model's scaled inputs
    x = x.astype(np.float32)  # what the core sees
    with torch.no_grad():
        y = model(torch.from_numpy(x.astype(np.float64)).unsqueeze(-1)).numpy()
    weights = file_tensors(model)
    doc = {
        "generator": f"PyTorch {torch.__version__} torch.nn.TransformerEncoderLayer, float64, "
                     f"scripts/golden_transformer.py seed {seed}",
        "architecture": {"type": "transformer_v1", **ARCH},
        "weights": {k: {"shape": list(v.shape), "values": [float(f"{t:.9g}") for t in v.ravel()]}
                    for k, v in weights.items()},
        "x": [[float(f"{t:.9g}") for t in row] for row in x],
        "stock_ids": [],
        "y": [[float(f"{t:.9g}") for t in row] for row in y],
    }
    with open(os.path.join(OUT, "transformer.json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    print("wrote", os.path.join(OUT, "transformer.json"))


if __name__ == "__main__":
    main()
