#!/usr/bin/env python3
# Run: python3 -m venv /tmp/kv && /tmp/kv/bin/pip install krippendorff && /tmp/kv/bin/python tests/alpha_reference.py
# Independent check of the Krippendorff alpha values used in tests/test_panel_kernels.c:
# (1) stdlib-only coincidence-matrix computation, (2) the PyPI package `krippendorff`.
from fractions import Fraction
from collections import Counter
import math
nan = float('nan')
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C:
# 4 observers x 12 units, values 1..5, missing = None
ex_c = [
    [1,2,3,3,2,1,4,1,2,None,None,None],
    [1,2,3,3,2,2,4,1,2,5,None,3],
    [None,3,3,3,2,3,4,2,2,5,1,None],
    [1,2,3,3,2,4,4,1,2,5,1,None],
]
# Krippendorff (2011), section A: 2 observers, 10 units, binary, no missing
ex_a = [
    [0,1,0,0,0,0,0,0,1,0],
    [1,1,1,0,0,1,0,0,0,0],
]
def alpha_nominal(data):
    units = list(zip(*data))
    o = Counter()
    for u in units:
        vals = [v for v in u if v is not None]
        m = len(vals)
        if m < 2: continue
        for i, a in enumerate(vals):
            for j, b in enumerate(vals):
                if i != j:
                    o[(a, b)] += Fraction(1, m - 1)
    n_c = Counter()
    for (a, b), w in o.items(): n_c[a] += w
    n = sum(n_c.values())
    do = sum(w for (a, b), w in o.items() if a != b)
    de = sum(n_c[a] * n_c[b] for a in n_c for b in n_c if a != b) / (n - 1)
    return 1 - do / de
import krippendorff, numpy as np
for name, d in (("2011 section C (4 coders, 12 units, missing)", ex_c), ("2011 section A (2 coders, binary)", ex_a)):
    a = alpha_nominal(d)
    arr = np.array([[nan if v is None else v for v in row] for row in d], dtype=float)
    b = krippendorff.alpha(reliability_data=arr, level_of_measurement='nominal')
    print(f"{name}: stdlib exact {a} = {float(a):.17g}; krippendorff pkg {b:.17g}")
