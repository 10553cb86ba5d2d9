"""The engine's fast paths give exactly what their plain versions give (ADR 0016, 0017).

Compact line storage (constant, derived and narrow columns), the payout cap
computed per distinct amount, order walks in chunks and the compiled tree
kernels are each compared with the straightforward computation.
"""
import numpy as np
import pytest

from mlm_commission.engine import tree
from mlm_commission.engine.bench import PERIOD, bench_plan, synthetic_scenario
from mlm_commission.engine.components import chunks, payout_cap
from mlm_commission.engine.lines import COLUMNS, COMPONENTS, Lines
from mlm_commission.engine.period import run_period
from mlm_commission.engine.plan import load_plan
from mlm_commission.engine.tables import Returns


def _columns(lines):
    return {name: lines.column(name).tolist() for name in COLUMNS}


def test_lines_read_constant_derived_and_narrow_columns_as_full_arrays():
    lines = Lines({'rank': lambda l: l.beneficiary.astype(np.int16) * 2},
                  beneficiary=np.array([3, 1, 2], np.int32), component=4,
                  amount=np.array([5, -7, 9], np.int32), rate=np.array([1, 2, 3]))
    assert lines.component.tolist() == [4, 4, 4]
    assert lines.constant('component') == 4 and lines.constant('amount') is None
    assert lines.amount.dtype == np.int64 and lines.amount.tolist() == [5, -7, 9]
    assert lines.raw('amount').dtype == np.int32
    assert lines.rank.dtype == np.int16 and lines.rank.tolist() == [6, 2, 4]
    assert lines.source_order.tolist() == [-1, -1, -1] and lines.weight is None
    assert lines.column('uncapped').tolist() == [5, -7, 9]
    taken = lines.sorted()
    assert taken.beneficiary.tolist() == [1, 2, 3] and taken.rank.tolist() == [2, 4, 6]
    both = Lines.concat([lines, taken])
    assert both.amount.tolist() == [5, -7, 9, -7, 9, 5]
    assert both.component.flags.writeable and both.rank.tolist() == [6, 2, 4, 2, 4, 6]


def _random_batches(rng, large):
    batches = []
    for number in range(int(rng.integers(1, 6))):
        size = int(rng.integers(0, 40))
        amount = rng.integers(-50, 400, size) * int(rng.choice([1, 1, 7]))
        if number % 3 == 1:
            amount = rng.choice([100, 200, 300], size)   # equal remainders: ties
        if large:
            amount[::5] = rng.integers(payout_cap._TABLE_LIMIT, 3 * payout_cap._TABLE_LIMIT,
                                       len(amount[::5]))
        clawback = number == 2 and size
        batches.append(Lines(
            beneficiary=rng.integers(0, 30, size).astype(np.int32),
            component=int(rng.integers(0, len(COMPONENTS))),
            source_order=rng.integers(-1, 5, size).astype(np.int32),
            reverses_period=rng.integers(0, 2, size) if clawback else -1,
            amount=amount.astype(np.int32 if number % 2 else np.int64)))
    return batches


@pytest.mark.parametrize('seed', range(40))
def test_payout_cap_per_distinct_amount_equals_allocate_on_all_lines(seed):
    rng = np.random.default_rng(seed)
    batches = _random_batches(rng, large=seed % 4 == 0)
    plain = [b.take(np.arange(len(b))) for b in batches]
    total = sum(int(np.maximum(b.amount, 0).sum()) for b in batches)
    limit = int(rng.integers(0, total + 2))
    payout_cap.apply(batches, limit, _Cap())
    eligible = [(b.reverses_period < 0) & (b.amount > 0) for b in plain]
    if sum(int(b.amount[e].sum()) for b, e in zip(plain, eligible)) > limit:
        payout_cap._apply_concatenated(plain, limit)
    assert [_columns(b) for b in batches] == [_columns(b) for b in plain]
    # a positional derivation survives take (tie winners keep their extra cent)
    for batch, reference in zip(batches, plain):
        picked = np.arange(len(batch))[::-2]
        assert batch.take(picked).amount.tolist() == reference.amount[picked].tolist()


class _Cap:
    share = 1_000_000   # the cap is the given company volume


def _random_forest(rng, size):
    parent = np.full(size, -1, np.int64)
    order = rng.permutation(size)
    for i in range(1, size):
        if rng.random() < 0.95:
            parent[order[i]] = order[i - 1] if rng.random() < 0.5 else order[rng.integers(0, i)]
    return parent.astype(np.int32)


@pytest.mark.parametrize('seed', range(8))
def test_compiled_tree_kernels_equal_numpy(seed, monkeypatch):
    rng = np.random.default_rng(seed)
    parent = _random_forest(rng, int(rng.integers(1, 3000)))
    values = rng.integers(-10**6, 10**6, len(parent))
    marked = rng.random(len(parent)) < rng.random()
    results = []
    for minimum in (10**9, 0):
        monkeypatch.setattr(tree, 'COMPILED_MIN_NODES', minimum)
        depth = tree.depths(parent)
        levels = tree.LevelOrder(depth)
        found = (depth, levels.order, tree.subtree_sums(parent, levels, values),
                 tree.nearest_marked(parent, marked))
        results.append([(a.dtype, a.tolist()) for a in found])
    assert results[0] == results[1]


def test_compiled_depths_report_the_same_cycle(monkeypatch):
    parent = np.array([1, 2, 0, -1, 3], np.int32)
    cycles = []
    for minimum in (10**9, 0):
        monkeypatch.setattr(tree, 'COMPILED_MIN_NODES', minimum)
        with pytest.raises(tree.CycleError) as error:
            tree.depths(parent)
        cycles.append(error.value.nodes)
    assert cycles == [[0, 1, 2], [0, 1, 2]]


@pytest.mark.parametrize('attachment', ['random', 'preferential'])
def test_order_walks_in_chunks_give_the_same_lines_in_the_same_order(attachment, monkeypatch):
    plan = load_plan(bench_plan())
    partners, orders, carry = synthetic_scenario(3000, attachment, 300, seed=3)

    def lines():
        result = run_period(plan, partners, orders, PERIOD, returns=Returns.empty(),
                            carry_in=carry)
        return _columns(result.unordered_lines), len(result.line_batches)

    whole, whole_batches = lines()
    monkeypatch.setattr(chunks, 'CHUNK_ROWS', 97)
    chunked, chunked_batches = lines()
    assert chunked == whole and chunked_batches > whole_batches
