"""Clawback: returns of earlier periods' orders negate the stored lines.

The ledger keeps every commission line that came from an order (amounts as
finally paid, i.e. after the payout cap) with its period, plus per order the
volume it was commissioned on (int64[M] cents, net of returns in its own
period) and the volume returned since (int64[M]).

For an order with commissioned volume ``V`` whose returned volume grows from
``before`` to ``after`` in this period, each stored line of amount ``A``
(basis PV or CV) yields the line
``-(round_half_up(A * after / V) - round_half_up(A * before / V))``.
Cumulative rounding makes the clawbacks of a fully returned order add up to
exactly ``-A`` whatever the number of partial returns (ADR 0010).
"""
from dataclasses import dataclass

import numpy as np

from ..lines import BASES, Lines
from ..money import round_half_up

_PV = BASES.index('pv')


@dataclass
class Ledger:
    """Stored line batches ``[(period position, Lines)]`` and per-order volumes (int64[M])."""
    batches: list
    commissioned_pv: np.ndarray
    commissioned_cv: np.ndarray
    returned_pv: np.ndarray
    returned_cv: np.ndarray

    @classmethod
    def empty(cls, order_count):
        zeros = np.zeros(order_count, np.int64)
        return cls([], zeros, zeros.copy(), zeros.copy(), zeros.copy())

    def recorded(self, batches, period_index, orders, order_pv, order_cv):
        """A new ledger that also holds this period's (final) line batches and order volumes."""
        commissioned_pv = self.commissioned_pv.copy()
        commissioned_cv = self.commissioned_cv.copy()
        commissioned_pv[orders] = order_pv
        commissioned_cv[orders] = order_cv
        return Ledger(self.batches + [(period_index, lines) for lines in batches],
                      commissioned_pv, commissioned_cv,
                      self.returned_pv, self.returned_cv)

    def lines_of(self, orders):
        """``(lines, periods)``: stored commission lines of ``orders`` and their period."""
        found, periods = [], []
        for period_index, lines in self.batches:
            chosen = lines.take((lines.reverses_period < 0)
                                & np.isin(lines.source_order, orders))
            found.append(chosen)
            periods.append(np.full(len(chosen), period_index, np.int16))
        return Lines.concat(found), np.concatenate(periods or [np.zeros(0, np.int16)])


def compute(ledger, returned_orders, returned_pv, returned_cv):
    """Return ``(lines, ledger)`` for returns of earlier orders in this period.

    ``returned_orders`` int32[K] order positions with int64[K] returned
    volumes (an order may appear several times).
    """
    before_pv, before_cv = ledger.returned_pv, ledger.returned_cv
    after_pv, after_cv = before_pv.copy(), before_cv.copy()
    np.add.at(after_pv, returned_orders, returned_pv)
    np.add.at(after_cv, returned_orders, returned_cv)
    stored, periods = ledger.lines_of(returned_orders)
    claws = np.zeros(len(stored), np.int64)
    for i in range(len(stored)):
        order = int(stored.source_order[i])
        if stored.basis[i] == _PV:
            volume, before, after = ledger.commissioned_pv[order], before_pv[order], after_pv[order]
        else:
            volume, before, after = ledger.commissioned_cv[order], before_cv[order], after_cv[order]
        amount = int(stored.amount[i])
        claws[i] = (round_half_up(amount * int(after), int(volume))
                    - round_half_up(amount * int(before), int(volume)))
    stored.amount = -claws
    stored.uncapped = -claws
    stored.reverses_period = periods
    updated = Ledger(ledger.batches, ledger.commissioned_pv, ledger.commissioned_cv,
                     after_pv, after_cv)
    return stored.take(claws != 0), updated
