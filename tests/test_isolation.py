# This file is part of the MLM suite. See LICENSE for details.
"""A test's rollback undoes its writes, on SQLite too.

Tryton's cache sync runs at the start of a transaction once every
``[cache] clean_timeout`` seconds (300 by default) and takes a connection in
autocommit mode; the in-memory SQLite database has only one connection, so
the test starting then ran in autocommit and its records stayed for the
next test of its class.  `mlm test` therefore never lets the sync run
(mlm_cli/testing.py)."""
import datetime as dt

from trytond.cache import MemoryCache
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction

from mlm_network.tests.tools import DatabaseTestCase

DEFAULT_CLEAN_TIMEOUT = 300    # seconds


class RollbackTestCase(DatabaseTestCase):
    "Rollback of a test transaction"
    modules = ('mlm_network',)    # a cached database the suite has anyway

    def test_rollback_after_the_default_clean_timeout(self):
        "A transaction starting after 300 s without cache sync rolls back"
        # as if the last sync had been longer ago than the default timeout
        MemoryCache._clean_last = dt.datetime.now() - dt.timedelta(
            seconds=DEFAULT_CLEAN_TIMEOUT + 1)
        try:
            with Transaction().start(DB_NAME, 0) as transaction:
                Party = Pool().get('party.party')
                Party.create([{'name': "Rolled back"}])
                transaction.rollback()    # as with_transaction does
        finally:
            MemoryCache._clean_last = dt.datetime.now()
        with Transaction().start(DB_NAME, 0):
            self.assertEqual(
                Party.search([('name', '=', "Rolled back")]), [])
