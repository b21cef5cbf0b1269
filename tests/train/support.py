"""What the training tests share: the repository root, the stockcast binary CTest passes
(STOCKCAST_BIN; build/stockcast otherwise), scripts/ on the import path, and a file's SHA-256."""
import hashlib
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("STOCKCAST_BIN", os.path.join(ROOT, "build", "stockcast"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()
