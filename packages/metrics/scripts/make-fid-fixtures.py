#!/usr/bin/env python3
"""Generates src/__fixtures__/reference.json: seeded inputs and reference values computed with
numpy/scipy, for the tests of frechetDistance, FeatureStatistics, inceptionScore,
kernelInceptionDistance and precisionRecall.

FID reference: the formula of the reference implementations (TTUR, pytorch-fid):
    covmean = scipy.linalg.sqrtm(sigma1 @ sigma2); real part; if not finite, add eps*I first;
    fid = |mu1 - mu2|^2 + tr(sigma1) + tr(sigma2) - 2 tr(covmean)
and, as a second value robust to singular inputs, the same trace through symmetric eigenvalues.

Run from the package directory:  python3 scripts/make-fid-fixtures.py
"""
import json
import os

import numpy as np
from scipy import linalg

rng = np.random.default_rng(20240607)


def r6(x):
    """Rounds to 6 decimals so that the JSON holds the exact inputs the references were computed from."""
    return np.round(np.asarray(x, dtype=np.float64), 6)


def fid_scipy(mu1, s1, mu2, s2, eps=1e-6):
    diff = mu1 - mu2
    covmean = linalg.sqrtm(s1.dot(s2))
    if not np.isfinite(covmean).all():
        offset = np.eye(s1.shape[0]) * eps
        covmean = linalg.sqrtm((s1 + offset).dot(s2 + offset))
    if np.iscomplexobj(covmean):
        covmean = covmean.real
    return float(diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def fid_eigh(mu1, s1, mu2, s2):
    w, v = np.linalg.eigh(s1)
    s = (v * np.sqrt(np.maximum(w, 0))) @ v.T
    m = s @ s2 @ s
    m = (m + m.T) / 2
    tr = np.sqrt(np.maximum(np.linalg.eigvalsh(m), 0)).sum()
    diff = mu1 - mu2
    return float(diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * tr)


def random_cov(d):
    a = rng.standard_normal((d, d))
    c = a @ a.T / d + 0.05 * np.eye(d)
    c = r6(c)
    return np.triu(c) + np.triu(c, 1).T  # exactly symmetric after rounding


fixture = {"fid": [], "fromSamples": []}

for d in (8, 32, 64):
    mu1 = r6(rng.standard_normal(d))
    mu2 = r6(mu1 + 0.3 * rng.standard_normal(d))
    s1 = random_cov(d)
    s2 = random_cov(d)
    fixture["fid"].append({
        "name": f"well-conditioned d={d}",
        "d": d,
        "mu1": mu1.tolist(), "sigma1": s1.tolist(),
        "mu2": mu2.tolist(), "sigma2": s2.tolist(),
        "fidScipy": fid_scipy(mu1, s1, mu2, s2),
        "fidEigh": fid_eigh(mu1, s1, mu2, s2),
        "eigenvalues1": np.linalg.eigvalsh(s1).tolist(),
    })

# Statistics from samples: a full-rank case and a singular one (fewer samples than dimensions).
for d, n1, n2 in ((16, 40, 50), (32, 12, 10)):
    x1 = r6(rng.standard_normal((n1, d)) * np.linspace(0.5, 2.0, d))
    x2 = r6(rng.standard_normal((n2, d)) + 0.2)
    mu1, mu2 = x1.mean(0), x2.mean(0)
    s1, s2 = np.cov(x1, rowvar=False), np.cov(x2, rowvar=False)
    fixture["fromSamples"].append({
        "name": f"samples d={d} n1={n1} n2={n2}",
        "d": d,
        "x1": x1.tolist(), "x2": x2.tolist(),
        "mean1": mu1.tolist(), "cov1": s1.tolist(),
        "fidScipy": fid_scipy(mu1, s1, mu2, s2),
        "fidEigh": fid_eigh(mu1, s1, mu2, s2),
        "singular": bool(n1 <= d or n2 <= d),
    })

# Inception score: softmax probabilities, 10 splits of consecutive rows (floor(i n / splits) bounds).
logits = r6(rng.standard_normal((53, 7)) * 2)
p = np.exp(logits - logits.max(1, keepdims=True))
p /= p.sum(1, keepdims=True)
scores = []
splits = 10
n = p.shape[0]
for i in range(splits):
    part = p[(i * n // splits):((i + 1) * n // splits)]
    py = part.mean(0, keepdims=True)
    kl = (part * (np.log(part) - np.log(py))).sum(1)
    scores.append(np.exp(kl.mean()))
fixture["inceptionScore"] = {"logits": logits.tolist(), "splits": splits,
                             "mean": float(np.mean(scores)), "std": float(np.std(scores))}

# KID on whole sets (subset size = n, so no sampling): unbiased MMD^2, kernel (x.y/d + 1)^3.
fa = r6(rng.standard_normal((30, 6)))
fb = r6(rng.standard_normal((30, 6)) * 1.2 + 0.3)


def mmd2(x, y):
    d = x.shape[1]
    k = lambda a, b: (a @ b.T / d + 1) ** 3
    kxx, kyy, kxy = k(x, x), k(y, y), k(x, y)
    m = x.shape[0]
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
                 - 2 * kxy.sum() / (m * m))


fixture["kid"] = {"a": fa.tolist(), "b": fb.tolist(), "mmd2": mmd2(fa, fb)}

# Precision / recall (Kynkaanniemi et al. 2019), k = 3.
real = r6(rng.standard_normal((60, 3)))
fake = r6(rng.standard_normal((45, 3)) * 0.7 + 0.5)


def manifold_radii(x, k):
    dist = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(-1))
    return np.sort(dist, axis=1)[:, k]  # column 0 is the point itself


def coverage(ref, radii, q):
    dist = np.sqrt(((q[:, None, :] - ref[None, :, :]) ** 2).sum(-1))
    return float((dist <= radii[None, :]).any(1).mean())


k = 3
fixture["precisionRecall"] = {
    "real": real.tolist(), "fake": fake.tolist(), "k": k,
    "precision": coverage(real, manifold_radii(real, k), fake),
    "recall": coverage(fake, manifold_radii(fake, k), real),
}

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "src", "__fixtures__", "reference.json")
with open(out, "w") as f:
    json.dump(fixture, f, separators=(",", ":"))
    f.write("\n")
print(f"wrote {os.path.normpath(out)} ({os.path.getsize(out)} bytes)")
for c in fixture["fid"] + fixture["fromSamples"]:
    print(c["name"], c["fidScipy"], c["fidEigh"])
