#!/usr/bin/env python3
"""Reference Shapiro-Wilk values from scipy.stats.shapiro for the TypeScript test.

Run: python3 scripts/reference/shapiro-reference.py > test/fixtures/extraction/shapiro-reference.json
Deterministic (fixed seeds); needs numpy and scipy (Debian: python3-scipy).
"""
import json
import sys

import numpy as np
import scipy
from scipy import stats


def cases():
    rng = np.random.default_rng(20261121)
    for n in [3, 4, 5, 6, 7, 10, 11, 12, 20, 50, 100, 500, 2000, 5000]:
        yield f"normal-{n}", rng.normal(3.0, 2.0, n)
    for n in [3, 5, 8, 11, 25, 100, 1000]:
        yield f"uniform-{n}", rng.uniform(0, 1, n)
    for n in [4, 9, 30, 200, 3000]:
        yield f"exponential-{n}", rng.exponential(1.0, n)
    for n in [12, 60, 400]:
        yield f"lognormal-{n}", rng.lognormal(0, 1, n)
    yield "bimodal-100", np.concatenate([rng.normal(0, 1, 50), rng.normal(8, 1, 50)])
    yield "ties-40", np.round(rng.normal(0, 1, 40), 1)
    yield "n3-collinear", np.array([1.0, 2.0, 3.0])
    yield "n3-skewed", np.array([0.0, 0.001, 5.0])


def main():
    out = {"scipy": scipy.__version__, "numpy": np.__version__, "cases": []}
    for name, x in cases():
        w, p = stats.shapiro(x)
        out["cases"].append({"name": name, "values": [float(v) for v in x], "w": float(w), "p": float(p)})
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
