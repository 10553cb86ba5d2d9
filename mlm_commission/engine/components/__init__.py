"""One module per compensation component; each states its array shapes and units.

Every function takes a :class:`~.context.PeriodContext` (the period's
partners, forests, volumes and ranks) plus its compiled plan component, and
returns its lines as :class:`~mlm_commission.engine.lines.Lines` batches (a list;
they are concatenated once per period).
"""
