#!/usr/bin/env python3
"""Writes test/fixtures/drift/scipy-reference.json: inputs and scipy's answers for the drift
statistics in src/detect/stats. Run from the repository root: python3 scripts/reference/drift-reference.py
Inputs are rounded to 6 decimals so the fixture stays small; both sides compute on the same values."""
import json
import sys

import numpy as np
import scipy
from scipy import stats
from scipy.spatial.distance import jensenshannon

rng = np.random.default_rng(20261121)


def r(a):
    return [float(x) for x in np.round(np.asarray(a, dtype=float), 6)]


def ks_cases():
    cases = []
    specs = [
        ("tiny equal n", rng.normal(size=5), rng.normal(size=5)),
        ("small unequal n", rng.normal(size=7), rng.normal(0.5, 1, size=11)),
        ("identical samples", np.arange(20.0), np.arange(20.0)),
        ("ties", rng.integers(0, 4, size=40), rng.integers(0, 5, size=55)),
        ("shifted n=300/200", rng.normal(size=300), rng.normal(0.3, 1, size=200)),
        ("same dist n=1000/1000", rng.normal(size=1000), rng.normal(size=1000)),
        ("scaled n=2000/500", rng.normal(size=2000), rng.normal(0, 1.2, size=500)),
        ("disjoint n=30/40", rng.normal(size=30), rng.normal(10, 1, size=40)),
        ("one value each", [1.0], [2.0]),
        ("exact n=10000/3000", rng.normal(size=10000), rng.normal(0.02, 1, size=3000)),
        ("asymp n=12000/9000 same", rng.normal(size=12000), rng.normal(size=9000)),
        ("asymp n=15000/4000 shifted", rng.normal(size=15000), rng.normal(0.05, 1, size=4000)),
        ("asymp n=11000/200 large d", rng.normal(size=11000), rng.normal(0.4, 1, size=200)),
        ("asymp n=20000/60 small n", rng.normal(size=20000), rng.normal(0.2, 1, size=60)),
        ("asymp n=10001/130 ", rng.normal(size=10001), rng.normal(0.1, 1, size=130)),
    ]
    for name, a, b in specs:
        a, b = r(a), r(b)
        res = stats.ks_2samp(a, b, method="auto")
        cases.append({"name": name, "a": a, "b": b, "statistic": float(res.statistic), "pValue": float(res.pvalue)})
    return cases


def kstwo_cases():
    out = []
    for n in [5, 20, 100, 140, 141, 500, 3000, 20000, 150000]:
        for x in [0.6 / n, 0.9 / n, 1.5 / n, 0.02, 0.05, 0.1, 0.2, 0.35, 0.6, 1 - 1.5 / n]:
            if 0 < x < 1:
                out.append({"n": n, "x": x, "sf": float(stats.kstwo.sf(x, n))})
    return out


def wasserstein_cases():
    specs = [
        ("doc example", [0, 1, 3], [5, 6, 8]),
        ("ties", rng.integers(0, 5, size=50), rng.integers(0, 6, size=70)),
        ("normal shift", rng.normal(size=1000), rng.normal(0.5, 1, size=800)),
        ("identical", np.arange(10.0), np.arange(10.0)),
        ("single", [3.0], [-1.0]),
    ]
    return [{"name": n, "u": r(u), "v": r(v), "distance": float(stats.wasserstein_distance(r(u), r(v)))} for n, u, v in specs]


def js_cases():
    specs = [
        ("uniform vs skewed", [1, 1, 1, 1], [4, 3, 2, 1]),
        ("identical", [5, 3, 2], [5, 3, 2]),
        ("disjoint", [1, 0], [0, 1]),
        ("with zeros", [10, 0, 5, 5], [3, 7, 0, 10]),
        ("probabilities", [0.1, 0.2, 0.7], [0.3, 0.3, 0.4]),
    ]
    return [{"name": n, "p": p, "q": q, "distance": float(jensenshannon(p, q, base=2))} for n, p, q in specs]


def psi_reference(expected, actual, eps=1e-4):
    e = np.maximum(np.asarray(expected, float) / np.sum(expected), eps)
    a = np.maximum(np.asarray(actual, float) / np.sum(actual), eps)
    return float(np.sum((a - e) * np.log(a / e)))


def psi_cases():
    out = []
    for name, ref, cur, bins in [
        ("normal shifted, 10 bins", rng.normal(size=2000), rng.normal(0.5, 1, size=1000), 10),
        ("same, 10 bins", rng.normal(size=2000), rng.normal(size=1000), 10),
        ("constant reference", np.full(100, 3.0), rng.normal(3, 1, size=50), 10),
        ("discrete with ties", rng.integers(0, 3, size=500), rng.integers(0, 4, size=300), 10),
    ]:
        ref, cur = np.asarray(r(ref)), np.asarray(r(cur))
        qs = np.quantile(np.sort(ref), [k / bins for k in range(1, bins)])  # numpy 'linear'
        edges = []
        for q in qs:
            if not edges or q > edges[-1]:
                edges.append(float(q))
        ec = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=len(edges) + 1)
        ac = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=len(edges) + 1)
        out.append({"name": name, "reference": r(ref), "current": r(cur), "bins": bins, "edges": edges,
                    "expectedCounts": [int(x) for x in ec], "actualCounts": [int(x) for x in ac],
                    "psi": psi_reference(ec, ac)})
    return out


def chi_cases():
    gof = []
    for name, obs, exp in [
        ("fair die", [16, 18, 16, 14, 12, 12], None),
        ("skewed", [50, 30, 20], [40.0, 40.0, 20.0]),
        ("large counts", [10500, 9400, 10100], [10000.0, 10000.0, 10000.0]),
        ("big dof", list(rng.integers(80, 120, size=60)), None),
    ]:
        obs = [int(x) for x in obs]
        exp = exp if exp is not None else [sum(obs) / len(obs)] * len(obs)
        res = stats.chisquare(obs, exp)
        gof.append({"name": name, "observed": obs, "expected": exp, "statistic": float(res.statistic), "pValue": float(res.pvalue)})
    cont = []
    for name, table in [
        ("2x2 with Yates", [[12, 5], [7, 14]]),
        ("2x4 reference vs window", [[400, 300, 200, 100], [80, 70, 30, 20]]),
        ("3x3", [[10, 20, 30], [20, 20, 20], [30, 20, 10]]),
        ("2x3 strong shift", [[900, 50, 50], [10, 10, 80]]),
    ]:
        res = stats.chi2_contingency(table)
        cont.append({"name": name, "table": table, "statistic": float(res.statistic), "pValue": float(res.pvalue), "dof": int(res.dof)})
    sf = []
    for df in [1, 2, 3, 5, 10, 29, 100, 500]:
        for x in [0.01, 0.5, 1.0, 3.0, 10.0, 50.0, 200.0, 600.0]:
            sf.append({"df": df, "x": x, "sf": float(stats.chi2.sf(x, df))})
    return {"goodnessOfFit": gof, "contingency": cont, "sf": sf}


def correction_cases():
    p = [float(x) for x in rng.uniform(size=12)] + [0.001, 0.0001, 0.04, 0.04]
    return {"pValues": p, "bh": [float(x) for x in stats.false_discovery_control(p, method="bh")],
            "bonferroni": [float(min(1.0, x * len(p))) for x in p]}


def quantile_cases():
    data = r(rng.normal(size=101))
    qs = [0, 0.1, 0.25, 0.5, 0.9, 0.999, 1]
    return {"data": data, "q": qs, "values": [float(np.quantile(np.sort(data), q)) for q in qs]}


def auc_cases():
    """ROC AUC as the Mann-Whitney U of positive over negative scores (= sklearn roc_auc_score)."""
    out = []
    for name, pos, neg in [
        ("separated with ties", [0.9, 0.8, 0.8, 0.7, 0.4], [0.8, 0.3, 0.2, 0.4, 0.1, 0.05]),
        ("random", rng.uniform(size=200), rng.uniform(size=300)),
        ("shifted", rng.normal(0.5, 1, size=150), rng.normal(size=90)),
    ]:
        pos, neg = r(pos), r(neg)
        u = stats.mannwhitneyu(pos, neg).statistic
        out.append({"name": name, "positives": pos, "negatives": neg, "auc": float(u / (len(pos) * len(neg)))})
    return out


def file_cases():
    """What `aisoc drift data/breast-cancer/reference.csv data/breast-cancer/holdout.csv` must print."""
    import csv

    def load(path):
        with open(path) as f:
            rows = list(csv.reader(f))
        return rows[0], [[float(x) for x in row] for row in rows[1:]]

    header, ref = load("data/breast-cancer/reference.csv")
    _, cur = load("data/breast-cancer/holdout.csv")
    out = []
    for c, name in enumerate(header[:5]):
        a = [row[c] for row in ref]
        b = [row[c] for row in cur]
        ks = stats.ks_2samp(a, b)
        out.append({"feature": name, "statistic": float(ks.statistic), "pValue": float(ks.pvalue),
                    "wasserstein": float(stats.wasserstein_distance(b, a))})
    return out


def main():
    out = {
        "generator": "scripts/reference/drift-reference.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "ks": ks_cases(),
        "kstwo": kstwo_cases(),
        "wasserstein": wasserstein_cases(),
        "jensenShannon": js_cases(),
        "psi": psi_cases(),
        "chiSquare": chi_cases(),
        "corrections": correction_cases(),
        "quantiles": quantile_cases(),
        "rocAuc": auc_cases(),
        "files": file_cases(),
    }
    path = sys.argv[1] if len(sys.argv) > 1 else "test/fixtures/drift/scipy-reference.json"
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
