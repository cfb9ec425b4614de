#!/usr/bin/env python3
"""Derives the polynomial coefficients of the SIMD paths' exp (score_simd.inc, KERNEL(exp)).

exp(r) on the reduced range |r| <= ln2/2 is written 1 + r + r^2 q(r); q has degree 4 for f32 and
10 for f64. The coefficients minimise the largest relative error of exp(r) over the range
(minimax), found by Lawson's iteratively reweighted least squares on Chebyshev points, started from
Chebyshev interpolation. Everything runs in 50-digit decimal arithmetic (Python standard library
only), so the printed coefficients are exact to the precision they are stored in.

Usage: exp_coefficients.py            prints both sets as C hex-float literals, highest degree first
The printed "max rel err" is the polynomial's own error (before rounding in float arithmetic); the
end-to-end error of the kernels is measured by tests/test_simd_exp.c.
"""
from decimal import Decimal, getcontext

getcontext().prec = 50
PI = Decimal("3.14159265358979323846264338327950288419716939937510")
HALF_LN2 = Decimal(2).ln() / 2


def series(first_term, ratio, tol=Decimal(10) ** -45):
    """Sums a power series given its first term and a function term_k -> term_(k+1)."""
    total, term, k = Decimal(0), first_term, 0
    while abs(term) > tol:
        total += term
        term = ratio(term, k)
        k += 1
    return total


def cos(x):
    return series(Decimal(1), lambda t, k: -t * x * x / ((2 * k + 1) * (2 * k + 2)))


def g(r):
    """(exp(r) - 1 - r) / r^2 = sum r^k / (k+2)!"""
    return series(Decimal(1) / 2, lambda t, k: t * r / (k + 3))


def solve(m, y):
    """Gaussian elimination with partial pivoting on a small dense system."""
    n = len(y)
    a = [row[:] + [y[i]] for i, row in enumerate(m)]
    for i in range(n):
        p = max(range(i, n), key=lambda j: abs(a[j][i]))
        a[i], a[p] = a[p], a[i]
        for j in range(i + 1, n):
            f = a[j][i] / a[i][i]
            a[j] = [x - f * z for x, z in zip(a[j], a[i])]
    x = [Decimal(0)] * n
    for i in range(n - 1, -1, -1):
        x[i] = (a[i][n] - sum(a[i][j] * x[j] for j in range(i + 1, n))) / a[i][i]
    return x


def fit(degree, points=240, iterations=150):
    """Coefficients of q (lowest degree first) and the max relative error of 1 + r + r^2 q."""
    n = degree + 1
    rs = [HALF_LN2 * cos(PI * (2 * i + 1) / (2 * points)) for i in range(points)]
    exps = [1 + r + r * r * g(r) for r in rs]
    # residual of exp in relative terms: (1 + r + r^2 q(r) - exp(r)) / exp(r), linear in q
    rows = [[r * r * r ** j / e for j in range(n)] for r, e in zip(rs, exps)]
    rhs = [(e - 1 - r) / e for r, e in zip(rs, exps)]
    weights = [Decimal(1) / points] * points
    for _ in range(iterations):
        normal = [[sum(w * row[i] * row[j] for w, row in zip(weights, rows)) for j in range(n)]
                  for i in range(n)]
        coeffs = solve(normal, [sum(w * row[i] * b for w, row, b in zip(weights, rows, rhs))
                                for i in range(n)])
        errors = [abs(sum(c * x for c, x in zip(coeffs, row)) - b) for row, b in zip(rows, rhs)]
        weights = [w * e for w, e in zip(weights, errors)]
        total = sum(weights)
        weights = [w / total for w in weights]
    return coeffs, max(errors)


def main():
    import struct

    for name, degree, to_float in (
        ("f32", 4, lambda x: struct.unpack("f", struct.pack("f", float(x)))[0]),
        ("f64", 10, float),
    ):
        coeffs, err = fit(degree)
        print(f"{name}: q of degree {degree}, max rel err of the polynomial {float(err):.3g}")
        suffix = "f" if name == "f32" else ""
        for j in range(degree, -1, -1):
            print(f"    {to_float(coeffs[j]).hex()}{suffix},  /* r^{j + 2} */")


if __name__ == "__main__":
    main()
