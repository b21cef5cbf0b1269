#!/usr/bin/env python3
"""Checks a model manifest against models/manifest.schema.json (python3-jsonschema) and the
rules a schema cannot state (the files it names agree with its model list, horizon names match
the horizons, sectors list known stocks).

  check_manifest.py [MANIFEST ...]     default models/manifest.json; exit 1 with the problems
"""
import json
import os
import sys

import jsonschema

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA = os.path.join(ROOT, "models", "manifest.schema.json")


def problems(manifest):
    """Every problem found, as 'path: message' strings; empty when the manifest is valid."""
    with open(SCHEMA) as f:
        schema = json.load(f)
    validator = jsonschema.Draft202012Validator(schema)
    out = [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
           for e in sorted(validator.iter_errors(manifest), key=lambda e: list(map(str, e.absolute_path)))]
    if out:
        return out
    if len(manifest["horizons"]) != len(manifest["horizon_names"]):
        out.append("horizon_names: expected one name per horizon")
    elif manifest["horizons"] != sorted(manifest["horizons"]):
        out.append("horizons: expected increasing trading days")
    models = {m["file"]: m for m in manifest["models"]}
    if len(models) != len(manifest["models"]):
        out.append("models: a file is listed twice")
    symbols = [s["symbol"] for s in manifest["stocks"]]
    if len(set(symbols)) != len(symbols):
        out.append("stocks: a symbol is listed twice")
    for i, s in enumerate(manifest["stocks"]):
        for where, ref in (("", s), ("/fallback", s.get("fallback"))):
            if ref is None:
                continue
            m = models.get(ref["file"])
            if m is None:
                out.append(f"stocks/{i}{where}/file: {ref['file']} is not in models")
            elif (m["sha256"], m["bytes"]) != (ref["sha256"], ref["bytes"]):
                out.append(f"stocks/{i}{where}: sha256/bytes differ from models' entry for {ref['file']}")
            elif m["kind"] != ref["model_type"]:
                out.append(f"stocks/{i}{where}/model_type: {ref['model_type']}, but {ref['file']} is {m['kind']}")
        for name in s.get("test_metrics", {}):
            if name not in manifest["horizon_names"]:
                out.append(f"stocks/{i}/test_metrics/{name}: not one of horizon_names")
    names = [f["name"] for f in manifest.get("factor_models", [])]
    if len(set(names)) != len(names):
        out.append("factor_models: a name is listed twice")
    for i, f in enumerate(manifest.get("factor_models", [])):
        if [r["name"] for r in f["feature_ranges"]] != f["features"]:
            out.append(f"factor_models/{i}/feature_ranges: expected one range per feature, in order")
        if any(r["min"] > r["max"] for r in f["feature_ranges"]):
            out.append(f"factor_models/{i}/feature_ranges: min > max")
        if (f["kind"] == "logistic") != ("classes" in f):
            out.append(f"factor_models/{i}/classes: a logistic model has two classes, others none")
        if f["kind"] in ("linear", "logistic") and f["bytes"] > 2048:
            out.append(f"factor_models/{i}/bytes: {f['bytes']} exceeds the 2 KB budget of linear/logistic files")
    known = set(symbols)
    for sector, members in manifest.get("sectors", {}).items():
        for sym in members:
            if sym not in known:
                out.append(f"sectors/{sector}: {sym} is not in stocks")
    return out


def main(paths):
    bad = 0
    for path in paths or [os.path.join(ROOT, "models", "manifest.json")]:
        with open(path) as f:
            found = problems(json.load(f))
        for p in found:
            print(f"{path}: {p}", file=sys.stderr)
        bad += bool(found)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
