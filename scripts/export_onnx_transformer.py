#!/usr/bin/env python3
"""ONNX file of the golden Transformer (tests/golden/transformer.json), for the onnxruntime-web
benchmark (bench/peers/transformer.mjs): the PyTorch network of scripts/golden_transformer.py
(torch.nn.TransformerEncoderLayer) with the golden weights in float32, checked against the golden
outputs, exported with opset 14 (input "x" [batch, 30, 1], output "y" [batch, 4], dynamic batch).
    /usr/bin/python3 scripts/export_onnx_transformer.py [OUT.onnx]   (default bench/peers/transformer.onnx)
The file's matrices are [in, out]; nn.Linear / in_proj weights are their transposes."""
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from golden_transformer import Predictor, file_name  # noqa: E402

ROOT = os.path.dirname(HERE)
GOLDEN = os.path.join(ROOT, "tests", "golden", "transformer.json")
DEFAULT_OUT = os.path.join(ROOT, "bench", "peers", "transformer.onnx")
TOLERANCE = 1e-5


def main():
    out = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    with open(GOLDEN) as f:
        doc = json.load(f)
    a = {k: v for k, v in doc["architecture"].items() if k != "type"}
    net = Predictor(**a).eval()
    state = net.state_dict()
    with torch.no_grad():
        for param, t in state.items():
            w = doc["weights"][file_name(param)]
            v = np.array(w["values"], dtype=np.float32).reshape(w["shape"])
            t.copy_(torch.from_numpy(v.T.copy() if file_name(param).endswith(".kernel") else v))
    x = torch.tensor(doc["x"], dtype=torch.float32).unsqueeze(-1)
    with torch.no_grad():
        got = net(x)
    diff = float((got - torch.tensor(doc["y"])).abs().max())
    if diff > TOLERANCE:
        raise SystemExit(f"export_onnx_transformer: rebuilt network differs from the golden outputs by {diff:.3g}")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    torch.onnx.export(net, (x,), out, opset_version=14, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, do_constant_folding=True)
    print(f"wrote {out} ({os.path.getsize(out)} bytes; PyTorch {torch.__version__}, opset 14, "
          f"max |torch - golden| = {diff:.3g})")


if __name__ == "__main__":
    main()
