#!/usr/bin/env python3
"""ONNX file of the golden stock-specific network, for the onnxruntime-web benchmark
(bench/peers/run.mjs). Builds the network of tests/golden/nn_stock_specific.json in PyTorch
(60 steps x 1 input, LSTM 50 (sequences) -> LSTM 50 -> Dense 25 relu -> Dense 4), checks it
against the golden outputs, and exports it: opset 13, input "x" [batch, 60, 1], output "y"
[batch, 4], dynamic batch. Run with Debian's python3 (python3-torch 1.13):
    /usr/bin/python3 scripts/export_onnx.py [OUT.onnx]   (default bench/peers/nn_stock_specific.onnx)

Keras -> PyTorch, per LSTM layer (gate order i, f, c, o equals PyTorch's i, f, g, o):
    kernel [in, 4H]            -> weight_ih_l0 = kernel.T      [4H, in]
    recurrent_kernel [H, 4H]   -> weight_hh_l0 = recurrent.T   [4H, H]
    bias [4H]                  -> bias_ih_l0;  bias_hh_l0 = 0
Dense kernels [in, out] become nn.Linear weights [out, in] (transposed)."""
import json
import os
import sys

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "tests", "golden", "nn_stock_specific.json")
DEFAULT_OUT = os.path.join(ROOT, "bench", "peers", "nn_stock_specific.onnx")
TOLERANCE = 1e-5


def tensor(weights, name, shape):
    w = weights[name]
    if list(w["shape"]) != list(shape):
        raise SystemExit(f"export_onnx: {name}: expected shape {shape}, the golden file has {w['shape']}")
    return torch.tensor(w["values"], dtype=torch.float32).reshape(shape)


class StockSpecific(torch.nn.Module):
    def __init__(self, weights, window, units1, units2, dense, outputs):
        super().__init__()
        self.lstm1 = torch.nn.LSTM(1, units1, batch_first=True)
        self.lstm2 = torch.nn.LSTM(units1, units2, batch_first=True)
        self.dense1 = torch.nn.Linear(units2, dense)
        self.dense2 = torch.nn.Linear(dense, outputs)
        with torch.no_grad():
            for layer, name, inputs, units in ((self.lstm1, "lstm1", 1, units1), (self.lstm2, "lstm2", units1, units2)):
                layer.weight_ih_l0.copy_(tensor(weights, f"{name}.kernel", [inputs, 4 * units]).T)
                layer.weight_hh_l0.copy_(tensor(weights, f"{name}.recurrent_kernel", [units, 4 * units]).T)
                layer.bias_ih_l0.copy_(tensor(weights, f"{name}.bias", [4 * units]))
                layer.bias_hh_l0.zero_()
            self.dense1.weight.copy_(tensor(weights, "dense1.kernel", [units2, dense]).T)
            self.dense1.bias.copy_(tensor(weights, "dense1.bias", [dense]))
            self.dense2.weight.copy_(tensor(weights, "dense2.kernel", [dense, outputs]).T)
            self.dense2.bias.copy_(tensor(weights, "dense2.bias", [outputs]))

    def forward(self, x):
        h1, _ = self.lstm1(x)
        h2, _ = self.lstm2(h1)
        return self.dense2(torch.relu(self.dense1(h2[:, -1, :])))


def main():
    out = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    with open(GOLDEN) as f:
        doc = json.load(f)
    a = doc["architecture"]
    if a.get("embedding_count", 0) or a["features"] != 1 or len(a["lstm_units"]) != 2:
        raise SystemExit(f"export_onnx: expected the stock-specific architecture, got {a}")
    window = a["window"]
    net = StockSpecific(doc["weights"], window, a["lstm_units"][0], a["lstm_units"][1], a["dense_units"], a["outputs"]).eval()

    x = torch.tensor(doc["x"], dtype=torch.float32).unsqueeze(-1)
    want = torch.tensor(doc["y"], dtype=torch.float32)
    with torch.no_grad():
        got = net(x)
    diff = float((got - want).abs().max())
    if diff > TOLERANCE:
        raise SystemExit(f"export_onnx: the rebuilt network differs from the golden outputs by {diff:.3g} (> {TOLERANCE})")

    os.makedirs(os.path.dirname(out), exist_ok=True)
    torch.onnx.export(net, (x,), out, opset_version=13, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, do_constant_folding=True)
    print(f"wrote {out} ({os.path.getsize(out)} bytes; PyTorch {torch.__version__}, opset 13, "
          f"max |torch - golden| = {diff:.3g})")


if __name__ == "__main__":
    main()
