"""``bench engine``: time every component on a synthetic tree, one order per partner.

Synthetic input (:func:`synthetic_scenario`), ``N`` partners:

* sponsor tree: ``random`` - each partner's sponsor is a uniformly random
  earlier partner; ``preferential`` - the sponsor is the random earlier
  partner's own random pick (a copy model: popular sponsors get more
  recruits).  In both, the last ``chain`` partners form one extra chain
  (10,000 deep by default) hanging under a random partner;
* binary placement: a complete binary tree (``(i - 1) // 2``, left/right);
* matrix placement: a complete 3-wide tree (given, so no spillover search);
* one paid order per partner, PV and CV uniform in 0..200.00; a few rank
  overrides and previous highest ranks; binary carry-in for 10 %.

The plan (:data:`BENCH_PLAN`) is a hybrid using every component, with leg
rules by rank so the bottom-up rank pass runs over all depth levels.

Reported: seconds per component and in total for one period, peak RSS, the
time to concatenate and sort the lines for output, a warm-up run on 30,000
partners before timing (it loads the compiled rank and tree kernels, which
run from ``tree.COMPILED_MIN_NODES`` partners on), and with
``--reference`` the speed ratio of engine and reference implementation on a
sample (default 10,000 partners, chain of 1/20 of the sample): the
reference's cost grows with partners times depth, so a 100k run with the
10,000-deep chain would take far too long.
"""
import json
import os
import resource
import sys
import time

import numpy as np

from .dates import parse_day
from .forests import sponsor_forest
from .period import run_period
from .plan import load_plan
from .reference.period import initial_state, run_period as reference_period
from .tables import Orders, Partners, Period, Returns

RANK_NAMES = ('Member', 'Bronze', 'Silver', 'Gold', 'Diamond')
BENCH_PLAN = {
    'name': 'Benchmark hybrid', 'currency': 'EUR',
    'versions': [{
        'id': 'bench', 'valid_from': '2024-01-01', 'career': 'highest',
        'volumes': {'activity_min_pv': '20'},
        'ranks': [
            {'name': 'Member', 'min_pv': '20'},
            {'name': 'Bronze', 'min_pv': '50', 'min_gv': '500', 'max_leg_share': '0.6'},
            {'name': 'Silver', 'min_pv': '50', 'min_gv': '2000', 'max_leg_share': '0.5',
             'legs': {'count': 2, 'min_rank': 'Bronze'}},
            {'name': 'Gold', 'min_pv': '100', 'min_gv': '10000', 'max_leg_share': '0.4',
             'strongest_leg_cap': '0.3', 'legs': {'count': 3, 'min_rank': 'Silver'}},
            {'name': 'Diamond', 'min_pv': '100', 'min_gv': '50000', 'max_leg_share': '0.4',
             'legs': {'count': 3, 'min_rank': 'Gold', 'min_volume': '20000'}},
        ],
        'components': {
            'stairstep': {'rates': {'Member': '0.02', 'Bronze': '0.05', 'Silver': '0.08',
                                    'Gold': '0.11', 'Diamond': '0.14'},
                          'breakaway': {'rank': 'Gold', 'generations': ['0.03', '0.02', '0.01']}},
            'unilevel': {'compression': 'dynamic', 'rates': {
                'Member': ['0.05'], 'Bronze': ['0.05', '0.04', '0.03'],
                'Silver': ['0.05', '0.04', '0.03', '0.02', '0.02'],
                'Gold': ['0.05', '0.04', '0.03', '0.02', '0.02', '0.01', '0.01'],
                'Diamond': ['0.05', '0.04', '0.03', '0.02', '0.02', '0.01', '0.01']}},
            'binary': {'pairing': {'type': 'fixed', 'left': '100', 'right': '100'},
                       'cycle_value': '10.00', 'flush_inactive': True,
                       'strong_leg_carry_cap': '50000',
                       'cap': {'max_earnings': '5000.00', 'excess': 'flush'}},
            'matrix': {'width': 3, 'rates': ['0.01'] * 7},
            'fast_start': {'days': 30, 'rates': ['0.10', '0.05']},
            'matching': {'mode': 'generation', 'generation_rank': 'Silver',
                         'rates': ['0.10', '0.05', '0.03'],
                         'components': ['stairstep', 'unilevel', 'binary']},
            'pools': [{'name': 'gold', 'share': '0.01', 'min_rank': 'Gold'},
                      {'name': 'diamond', 'share': '0.005', 'min_rank': 'Diamond',
                       'split': 'shares', 'shares': {'Diamond': 1}}],
            'rank_advancement': {'bonuses': {'Silver': '100.00', 'Gold': '500.00',
                                             'Diamond': '2500.00'}},
            'payout_cap': {'share': '0.60'},
        },
    }],
}
PERIOD = Period('2024-07', 0, parse_day('2024-07-01'), parse_day('2024-07-31'))
WARM_UP_PARTNERS = 30_000
COMPONENT_NAMES = ('stairstep', 'unilevel', 'binary', 'matrix', 'fast_start', 'matching',
                   'pools', 'rank_advancement', 'payout_cap')


def bench_plan(components=None):
    """The benchmark plan data, reduced to ``components`` (names) if given."""
    version = dict(BENCH_PLAN['versions'][0])
    chosen = {name: value for name, value in version['components'].items()
              if components is None or name in components}
    if 'matching' in chosen:
        matched = [c for c in chosen['matching']['components'] if c in chosen]
        if matched:
            chosen['matching'] = dict(chosen['matching'], components=matched)
        else:
            del chosen['matching']
    version['components'] = chosen
    return dict(BENCH_PLAN, versions=[version])


class NumberedIds:
    """The ids ``P0, P1, ...`` as a read-only sequence, without 10M Python strings."""

    def __init__(self, prefix, size):
        self.prefix, self.size = prefix, size

    def __len__(self):
        return self.size

    def __getitem__(self, index):
        if not 0 <= index < self.size:
            raise IndexError(index)
        return f'{self.prefix}{index}'

    def index(self, value):
        number = value[len(self.prefix):] if value.startswith(self.prefix) else ''
        if not number.isdigit() or int(number) >= self.size:
            raise ValueError(value)
        return int(number)

    def __contains__(self, value):
        try:
            self.index(value)
        except ValueError:
            return False
        return True


def synthetic_scenario(size, attachment='random', chain=10_000, seed=1):
    """Return ``(partners, orders, carry_in)`` column tables for ``size`` partners."""
    rng = np.random.default_rng(seed)
    chain = min(chain, size // 2)
    index = np.arange(size)
    pick = (rng.random(size) * index).astype(np.int64)
    sponsor = pick if attachment == 'random' else np.where(rng.random(size) < 0.5, pick,
                                                           pick[pick])
    sponsor = sponsor.astype(np.int32)
    sponsor[0] = -1
    start = size - chain
    sponsor[start + 1:] = index[start:-1]
    heap_parent = ((index - 1) // 2).astype(np.int32)
    heap_parent[0] = -1
    matrix_parent = ((index - 1) // 3).astype(np.int32)
    matrix_parent[0] = -1
    join_day = (PERIOD.end_day - rng.integers(0, 400, size)).astype(np.int32)
    rank_override = np.where(rng.random(size) < 0.001, rng.integers(0, 5, size), -1)
    previous_highest = np.where(rng.random(size) < 0.05, rng.integers(0, 5, size), -1)
    partners = Partners(
        ids=NumberedIds('P', size), sponsor=sponsor, binary_parent=heap_parent,
        binary_leg=np.where(index > 0, (index - 1) % 2, -1).astype(np.int8),
        matrix_parent=matrix_parent,
        status=np.where(rng.random(size) < 0.95, 0, 1).astype(np.int8), join_day=join_day,
        rank_override=rank_override.astype(np.int16),
        previous_highest=previous_highest.astype(np.int16))
    volume = rng.integers(0, 20_001, size).astype(np.int64)
    order_day = np.full(size, PERIOD.start_day + 10, np.int32)
    orders = Orders(
        ids=NumberedIds('O', size), period=np.zeros(size, np.int32),
        partner=index.astype(np.int32),
        customer=rng.random(size) < 0.3, order_day=order_day, paid_day=order_day,
        pv=volume, cv=volume * 9 // 10, amount=volume * 2)
    carry = np.where(rng.random((size, 1)) < 0.1, rng.integers(0, 50_000, (size, 2)), 0)
    return partners, orders, carry.astype(np.int64)


def _time_output(result):
    """Seconds to concatenate the line batches and to sort them canonically."""
    started = time.perf_counter()
    len(result.unordered_lines)
    concatenated = time.perf_counter()
    len(result.lines)
    return {'concatenate': round(concatenated - started, 3),
            'canonical_sort': round(time.perf_counter() - concatenated, 3)}


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_engine(plan_set, partners, orders, carry):
    """``(seconds, PeriodResult)`` of one engine run of the benchmark period."""
    started = time.perf_counter()
    result = run_period(plan_set, partners, orders, PERIOD, returns=Returns.empty(),
                        carry_in=carry)
    return time.perf_counter() - started, result


def time_reference(plan_set, partners, orders, carry):
    """Seconds of one reference-implementation run of the benchmark period."""
    started = time.perf_counter()
    reference_period(plan_set, partners, orders, PERIOD, Returns.empty(),
                     initial_state(plan_set, partners, carry))
    return time.perf_counter() - started


def hugepage_advice(enabled):
    """Switch numpy's madvise(MADV_HUGEPAGE) for large arrays; return whether it is on.

    The same switch as the environment variable ``NUMPY_MADVISE_HUGEPAGE``
    (which numpy reads once at import).  On a kernel whose transparent huge
    pages are in "madvise" mode with direct compaction, the advice makes every
    large allocation stall (measured in docs/benchmarks.md).
    """
    switch = getattr(np._core.multiarray, '_set_madvise_hugepage', None)
    if switch is None:
        return None
    switch(enabled)
    return enabled


def run_benchmark(args):
    """Run the benchmark described by CLI ``args``; print a table or JSON."""
    advice = hugepage_advice(bool(getattr(args, 'hugepage_advice', False)))
    components = args.components.split(',') if args.components else None
    plan_set = load_plan(bench_plan(components))
    started = time.perf_counter()
    time_engine(plan_set, *synthetic_scenario(WARM_UP_PARTNERS, args.attachment, 300,
                                              args.seed))
    warm_up = time.perf_counter() - started
    started = time.perf_counter()
    partners, orders, carry = synthetic_scenario(args.partners, args.attachment, args.chain,
                                                 args.seed)
    generated = time.perf_counter() - started
    rss_before = _peak_rss_mb()
    best = None
    for _ in range(max(args.repeat, 1)):
        cpu_started = time.process_time()
        run = time_engine(plan_set, partners, orders, carry)
        run += (time.process_time() - cpu_started, os.getloadavg()[0])
        if best is None or run[0] < best[0]:
            best = run
        run = None   # keep only the fastest run's lines
    total, result, cpu, load = best
    rss_run = _peak_rss_mb()
    payout = sum(int(batch.amount.sum()) for batch in result.line_batches)
    line_count = sum(len(batch) for batch in result.line_batches)
    output = None if args.skip_output else _time_output(result)
    figures = {
        'partners': args.partners, 'attachment': args.attachment,
        'plan_components': [name for name in COMPONENT_NAMES
                            if _has(plan_set.versions[0], name)],
        'chain': min(args.chain, args.partners // 2),
        'sponsor_depth': int(sponsor_forest(partners).depth.max()) + 1,
        'warm_up_seconds': round(warm_up, 3),
        'numpy_hugepage_advice': advice,
        'load_average': round(load, 2),
        'generate_seconds': round(generated, 3),
        'components': {k: round(v, 3) for k, v in result.timings.items()},
        'total_seconds': round(total, 3),
        'total_cpu_seconds': round(cpu, 3),
        'runs': max(args.repeat, 1),
        'lines': line_count,
        'payout_cents': payout,
        'output_seconds': output,
        'peak_rss_mb_before_run': round(rss_before),
        'peak_rss_mb': round(rss_run),
        'peak_rss_mb_with_output': round(_peak_rss_mb()),
    }
    if args.reference:
        sample = min(args.reference_sample, args.partners)
        chain = max(sample // 20, 1)
        tables = synthetic_scenario(sample, args.attachment, chain, args.seed)
        engine_seconds, _ = time_engine(plan_set, *tables)
        reference_seconds = time_reference(plan_set, *tables)
        figures['reference'] = {
            'sample_partners': sample, 'sample_chain': chain,
            'engine_seconds': round(engine_seconds, 4),
            'reference_seconds': round(reference_seconds, 3),
            'ratio': round(reference_seconds / engine_seconds, 1)}
    if args.json:
        json.dump(figures, sys.stdout, indent=2)
        sys.stdout.write('\n')
    else:
        _print_table(figures)


def _has(version, name):
    value = getattr(version, name)
    return bool(value) if name == 'pools' else value is not None


def _print_table(figures):
    print(f"engine benchmark: {figures['partners']:,} partners ({figures['attachment']} sponsor "
          f"+ {figures['chain']:,}-deep chain, sponsor depth {figures['sponsor_depth']:,}), "
          f"one order each")
    print(f"  plan components: {', '.join(figures['plan_components'])}")
    print(f"  warm-up run ({WARM_UP_PARTNERS:,} partners; loads the compiled kernels) "
          f"{figures['warm_up_seconds']:.3f} s")
    advice = figures['numpy_hugepage_advice']
    print(f"  numpy hugepage advice: {'on' if advice else 'off' if advice is False else 'n/a'}"
          f"; 1-minute load average after the run {figures['load_average']}")
    print(f"  synthetic data generated in {figures['generate_seconds']:.3f} s")
    for name, seconds in figures['components'].items():
        print(f'  {name:<18}{seconds:>9.3f} s')
    if figures['runs'] > 1:
        print(f"  (fastest of {figures['runs']} runs)")
    print(f"  {'total':<18}{figures['total_seconds']:>9.3f} s   "
          f"({figures['lines']:,} lines, payout {figures['payout_cents'] / 100:,.2f})")
    print(f"  {'total CPU time':<18}{figures['total_cpu_seconds']:>9.3f} s   "
          f"(wall time exceeds it when other processes share the 2 cores)")
    if figures['output_seconds']:
        print(f"  output only: concatenate {figures['output_seconds']['concatenate']:.3f} s, "
              f"canonical sort {figures['output_seconds']['canonical_sort']:.3f} s")
    print(f"  peak RSS {figures['peak_rss_mb']:,} MB after the run "
          f"(input data: {figures['peak_rss_mb_before_run']:,} MB; "
          f"with output: {figures['peak_rss_mb_with_output']:,} MB)")
    if 'reference' in figures:
        ref = figures['reference']
        print(f"  reference on a {ref['sample_partners']:,}-partner sample "
              f"(chain {ref['sample_chain']:,}): "
              f"{ref['reference_seconds']:.3f} s vs engine {ref['engine_seconds']:.4f} s "
              f"-> engine {ref['ratio']:,}x faster")
