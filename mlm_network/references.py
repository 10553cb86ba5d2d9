# This file is part of the MLM suite. See LICENSE for details.
"""References without a foreign key constraint, for tables written in bulk.

PostgreSQL checks a foreign key once per inserted row (a trigger running a
lookup and a row lock on the referenced table): writing the 400,000 lines of
a 100,000-partner commission run took 29.7 s with the line table's nine
foreign keys and 9.2 s without them (ADR 0049).  Tables that only a
set-based writer fills (commission lines, period inputs, figures, rank
records of a run) therefore name the Many2One fields whose constraint is left
out; the writer takes every id from rows it read in the same transaction,
the referenced models refuse deletion while they are referenced, and
``mlm verify`` looks for dangling references.
"""
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

__all__ = ['UncheckedReferences', 'unchecked_models', 'dangling_references',
    'referenced_ids']


class UncheckedReferences:
    """ModelSQL mixin: the Many2One fields named in ``_unchecked_references``
    get no foreign key constraint (an existing one is dropped on update)."""
    __slots__ = ()
    _unchecked_references = ()

    @classmethod
    def __table_handler__(cls, module_name=None, history=False):
        handler = super().__table_handler__(module_name, history=history)
        if history or not cls._unchecked_references:
            return handler
        return _WithoutForeignKeys(handler, cls._unchecked_references)


class _WithoutForeignKeys:
    "A table handler that leaves out the foreign keys of some columns"

    def __init__(self, handler, columns):
        self._handler = handler
        self._columns = frozenset(columns)

    def __getattr__(self, name):
        return getattr(self._handler, name)

    def add_fk(self, columns, reference, ref_columns=None, on_delete=None):
        names = [columns] if isinstance(columns, str) else columns
        if set(names) <= self._columns:
            self._handler.drop_fk(columns, ref_columns)
        else:
            self._handler.add_fk(columns, reference, ref_columns, on_delete)


def unchecked_models(pool):
    "The models of pool that name unchecked references (for mlm verify)"
    return [Model for _, Model in pool.iterobject()
        if getattr(Model, '_unchecked_references', ())]


def dangling_references(Model, limit=10):
    """[(column, record id, missing id)] of Model's unchecked references
    whose target row does not exist (at most limit), in column order"""
    cursor = Transaction().connection.cursor()
    result = []
    for column in sorted(Model._unchecked_references):
        Target = Model._fields[column].get_target()
        cursor.execute(
            'SELECT r.id, r."{column}" FROM "{table}" r '
            'LEFT JOIN "{target}" t ON t.id = r."{column}" '
            'WHERE r."{column}" IS NOT NULL AND t.id IS NULL '
            'ORDER BY r.id LIMIT {limit}'.format(
                column=column, table=Model._table, target=Target._table,
                limit=int(limit)))
        result.extend((column, i, missing) for i, missing in cursor)
    return result[:limit]


def referenced_ids(ids, Model, columns):
    """The ids among ids that a row of Model names in one of columns (the
    deletion guards that stand in for the foreign keys)"""
    table = Model.__table__()
    cursor = Transaction().connection.cursor()
    selected = [getattr(table, c) for c in columns]
    found = set()
    for sub_ids in grouped_slice(list(ids)):
        sub_ids = set(sub_ids)
        where = None
        for column in selected:
            clause = column.in_(list(sub_ids))
            where = clause if where is None else where | clause
        cursor.execute(*table.select(*selected, where=where))
        found.update(i for row in cursor for i in row if i in sub_ids)
    return sorted(found)
