"""Fits the rational tanh of agents' Activations: tanh(x) ~ x P(x^2) / Q(x^2) on [0, 9].

P has 7 coefficients, Q 4 (Q's constant fixed to 1, the others kept >= 0 so that Q has no pole).
Lawson's iteratively reweighted least squares on the linearised residual x P - tanh Q, scaled by
the previous Q, drives the fit towards the minimax one. Prints the coefficients rounded to float32
and the largest error of the float32 evaluation (the Java code's Horner order) over [-12, 12].

Run with the project's environment: .venv/bin/python scripts/fit-tanh.py (numpy, scipy).
"""
import numpy as np
from scipy.optimize import lsq_linear

CLAMP = 9.0
NP, NQ = 7, 4


def fit():
    xs = (np.cos(np.linspace(0, np.pi, 8000))[::-1] + 1) * CLAMP / 2  # Chebyshev-like nodes
    xs = xs[xs > 1e-4]
    t = np.tanh(xs)
    x2 = xs * xs
    sc = CLAMP * CLAMP  # powers of (x/CLAMP)^2 keep the columns of similar size
    p_cols = np.stack([xs * (x2 / sc) ** k for k in range(NP)], 1)
    q_cols = np.stack([(x2 / sc) ** k for k in range(1, NQ)], 1)
    w = np.ones_like(xs) / len(xs)
    q_prev = np.ones_like(xs)
    best = (np.inf, None)
    for _ in range(400):
        a = np.hstack([p_cols, -t[:, None] * q_cols]) / q_prev[:, None]
        b = t / q_prev
        sw = np.sqrt(w)
        lower = [-np.inf] * NP + [0] * (NQ - 1)
        r = lsq_linear(a * sw[:, None], b * sw, bounds=(lower, [np.inf] * (NP + NQ - 1)), tol=1e-14)
        p, q = r.x[:NP], np.concatenate([[1], r.x[NP:]])
        q_val = 1 + q_cols @ q[1:]
        err = p_cols @ p / q_val - t
        worst = np.abs(err).max()
        if worst < best[0]:
            best = (worst, (p.copy(), q.copy()))
        q_prev = q_val
        w = w * (np.abs(err) / worst) ** 0.5 + 1e-30  # Lawson: weight up where the error is large
        w /= w.sum()
    worst, (p, q) = best
    return worst, p / sc ** np.arange(NP), q / sc ** np.arange(NQ)


def float32_error(p, q):
    f = np.float32
    x = np.linspace(-12, 12, 4_000_001).astype(f)
    c = np.clip(x, f(-CLAMP), f(CLAMP))
    s = c * c
    pn = f(p[-1])
    for coef in p[-2::-1]:
        pn = pn * s + f(coef)
    qn = f(q[-1])
    for coef in q[-2::-1]:
        qn = qn * s + f(coef)
    y = np.clip(c * pn / qn, f(-1), f(1))
    return np.abs(y.astype(np.float64) - np.tanh(x.astype(np.float64))).max()


if __name__ == "__main__":
    worst, p, q = fit()
    print(f"float64 fit: largest error {worst:.3g} on [0, {CLAMP}]")
    print(f"float32 evaluation: largest absolute error {float32_error(p, q):.3g} on [-12, 12]")
    for i, c in enumerate(p):
        print(f"  private static final float P{i} = {float(np.float32(c))!r}f;")
    for i, c in enumerate(q[1:], start=1):
        print(f"  private static final float Q{i} = {float(np.float32(c))!r}f;")
