"""Walking the period's orders (or earners) in chunks, level by level.

The order components walk up a tree one level (payer step, generation) at a
time for every order.  Doing that for all orders at once makes every
temporary array as long as the order table; at 10M orders those are fresh
80 MB allocations that the kernel must zero page by page, which cost more
than the arithmetic (docs/benchmarks.md).  A walk over chunks of
``CHUNK_ROWS`` keeps the temporaries small and reused.  :func:`level_major`
interleaves the chunks' batches level by level, so the lines and their
order are exactly those of one walk over all rows.
"""
import numpy as np

CHUNK_ROWS = 1 << 18


def chunks(size):
    """Consecutive ranges (int64 arrays) covering positions ``0..size-1``."""
    return [np.arange(start, min(start + CHUNK_ROWS, size))
            for start in range(0, size, CHUNK_ROWS)]


def level_major(walks):
    """The batches of per-chunk ``walks`` (generators yielding one batch per level),
    level 1 of every chunk first, then level 2, ..."""
    batches, running = [], list(walks)
    while running:
        still = []
        for walk in running:
            batch = next(walk, None)
            if batch is not None:
                batches.append(batch)
                still.append(walk)
        running = still
    return batches
