"""Metrics(exact_sums=True) (SL_METRICS_EXACT_SUMS): the report does not depend on how the rows
were cut into updates, on pickling between them, or on the merge order."""
import pickle

import numpy as np

import softlabel as sl


def test_exact_sums_any_cut_any_merge_order():
    rng = np.random.default_rng(31)
    n = 30011
    p = rng.uniform(0, 1, n)
    accepted = rng.integers(0, 2, n).astype(bool)
    gt = rng.integers(-1, 2, n).astype(np.int8)
    tau = rng.uniform(-2, 2, n)
    pp = sl.PayoffParams(h=3.0)
    one = sl.Metrics(pp, exact_sums=True)
    one.update(p, accepted, gt, tau=tau)
    assert one.exact_sums and not sl.Metrics(pp).exact_sums
    want = one.finalize().to_dict()
    for trial in range(8):
        cuts = np.sort(np.concatenate([[0, n], rng.integers(0, n + 1, rng.integers(1, 30))]))
        states = []
        for lo, hi in zip(cuts[:-1], cuts[1:]):
            m = sl.Metrics(pp, exact_sums=True)
            m.update(p[lo:hi], accepted[lo:hi], gt[lo:hi], tau=tau[lo:hi])
            states.append(pickle.loads(pickle.dumps(m)) if rng.integers(0, 2) else m)
        while len(states) > 1:  # a random merge tree
            i, j = rng.choice(len(states), 2, replace=False)
            states[i].merge(states[j])
            states.pop(j)
        assert states[0].exact_sums
        assert states[0].finalize().to_dict() == want, f"trial {trial}"
    # the compensated default agrees to within the SPEC bound
    default = sl.Metrics(pp)
    default.update(p, accepted, gt, tau=tau)
    got = default.finalize().to_dict()
    for key, value in want.items():
        if isinstance(value, float):
            assert abs(got[key] - value) <= 1e-12 * (1 + abs(value)), key
