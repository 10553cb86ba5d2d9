# This file is part of the MLM suite. See LICENSE for details.
"""Commission runs against concurrent transactions (PostgreSQL).

Every transaction here is real and committed: a run in one thread holds its
snapshot and its period lock while the main thread posts invoices or starts
a second run of the same period on another connection."""
import datetime as dt
import threading
import unittest
import unittest.mock
from decimal import Decimal

from trytond import backend
from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
from trytond.transaction import Transaction, TransactionError

from ..run import lines_digest
from .tools import (
    create_customer, create_partner, create_plan, create_product,
    create_ranks, override_rank, post_invoice, setup_company)

D = Decimal
JULY = (dt.date(2024, 7, 1), dt.date(2024, 7, 31))
AUGUST = (dt.date(2024, 8, 1), dt.date(2024, 8, 31))
TIMEOUT = 120


def committed(function, **extras):
    """Call function in its own committed transaction, taking the locks it
    asks for (as the queue worker does); return its result"""
    while True:
        try:
            with Transaction().start(DB_NAME, 0, **extras) as transaction:
                result = function()
                transaction.commit()
                return result
        except TransactionError as error:
            error.fix(extras)


class PausedRun(threading.Thread):
    """A run of a period in its own transaction, paused after it read its
    inputs until resume() (the run's progress report is the pause point)"""

    def __init__(self, run_id, company_id):
        super().__init__(daemon=True)
        self.run_id, self.company_id = run_id, company_id
        self.inputs_read = threading.Event()
        self._resume = threading.Event()
        self.error = None

    def resume(self):
        self._resume.set()

    def run(self):
        try:
            committed(self._execute, context={'company': self.company_id})
        except BaseException as error:
            self.error = error
        finally:
            self.inputs_read.set()

    def _execute(self):
        Run = Pool().get('mlm.commission.run')
        publish = Run._progress
        thread = self

        def pause(run, stage, fraction):
            publish(run, stage, fraction)
            if stage == 'engine' and run.id == thread.run_id:
                thread.inputs_read.set()
                if not thread._resume.wait(TIMEOUT):
                    raise RuntimeError('not resumed')
        with unittest.mock.patch.object(Run, '_progress', pause):
            Run(self.run_id).execute()


@unittest.skipUnless(backend.name == 'postgresql',
    "needs PostgreSQL: SQLite has a single writer and no row locks, so "
    "runs and postings cannot overlap there")
class RunConcurrencyTestCase(unittest.TestCase):
    "Commission runs and concurrent transactions"

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()

    def setUp(self):
        super().setUp()
        drop_db()
        activate_module('mlm_commission')
        self.ids = committed(self._network)

    def _network(self):
        """The C1 network: U (Manager by override) sponsors E, E protects
        a customer; product of 1000 PV/CV; periods July and August"""
        Period = Pool().get('mlm.commission.period')
        company = setup_company()
        with set_company(company):
            _, manager = create_ranks('Consultant', 'Manager')
            u = create_partner("U")
            e = create_partner("E", u)
            customer = create_customer("Customer of E", e)
            product = create_product("Product", '1000', '1000', '1000')
            plan = create_plan(company)
            july = Period.create_for(plan, JULY[0])
            august = Period.create_for(plan, AUGUST[0])
            override_rank(u, manager, *JULY)
            override_rank(u, manager, *AUGUST)
        return {'company': company.id, 'customer': customer.id,
            'product': product.id, 'july': july.id, 'august': august.id}

    def in_company(self, function, **extras):
        def call():
            Company = Pool().get('company.company')
            with set_company(Company(self.ids['company'])):
                return function()
        return committed(call, context={'company': self.ids['company']},
            **extras)

    def post(self, date, quantity):
        "Post (and commit) an invoice of the customer on date"
        def post():
            pool = Pool()
            Company = pool.get('company.company')
            Party = pool.get('party.party')
            Product = pool.get('product.product')
            return post_invoice(Company(self.ids['company']),
                Party(self.ids['customer']), date,
                (Product(self.ids['product']), quantity)).id
        return self.in_company(post)

    def queue_run(self, period):
        "A committed run of period, as Period.calculate queues it"
        def create():
            Run = Pool().get('mlm.commission.run')
            run, = Run.create([{'period': self.ids[period],
                        'company': self.ids['company']}])
            return run.id
        return self.in_company(create)

    def paused_run(self, period):
        thread = PausedRun(self.queue_run(period), self.ids['company'])
        thread.start()
        self.assertTrue(thread.inputs_read.wait(TIMEOUT))
        self.assertIsNone(thread.error)
        return thread

    def finish(self, thread):
        thread.resume()
        thread.join(TIMEOUT)
        self.assertFalse(thread.is_alive())
        if thread.error:
            raise thread.error

    def execute(self, period):
        "Queue and execute a run of period in one transaction"
        run_id = self.queue_run(period)

        def execute():
            Run = Pool().get('mlm.commission.run')
            Run(run_id).execute()
        self.in_company(execute)
        return run_id

    def state(self, period):
        """(amounts {(name, late): total}, {volume id: role}, run states)
        of period, read in a new transaction"""
        def read():
            pool = Pool()
            Line = pool.get('mlm.commission.line')
            Entry = pool.get('mlm.commission.period.entry')
            Run = pool.get('mlm.commission.run')
            amounts = {}
            for line in Line.search([('period', '=', self.ids[period])]):
                key = (line.beneficiary.party.name, line.late)
                amounts[key] = amounts.get(key, D(0)) + line.amount
            roles = {e.volume.invoice.id: e.role for e in Entry.search(
                    [('period', '=', self.ids[period])])}
            states = [r.state for r in Run.search(
                    [('period', '=', self.ids[period])],
                    order=[('id', 'ASC')])]
            # the hash of the written texts is that of the stored lines
            period_ = pool.get('mlm.commission.period')(self.ids[period])
            self.assertEqual(period_.output_hash, lines_digest(period_.id))
            return amounts, roles, states
        return self.in_company(read)

    def test_order_posted_during_run(self):
        "An order posted during a run is counted once, by the next run"
        first = self.post(dt.date(2024, 7, 10), 1)
        run = self.paused_run('july')
        # posted and committed while the July run holds its snapshot
        second = self.post(dt.date(2024, 7, 20), 2)
        self.finish(run)
        self.assertEqual(self.state('july'), (
                {('E', False): D('50.00'), ('U', False): D('30.00')},
                {first: 'order'}, ['done']))
        # the next run (August) takes it as a late order of July
        self.execute('august')
        self.assertEqual(self.state('august'), (
                {('E', True): D('100.00'), ('U', True): D('60.00')},
                {second: 'late'}, ['done']))
        # nothing was counted twice: 8 % of 3,000 across both periods
        self.assertEqual(
            sum(self.state('july')[0].values())
            + sum(self.state('august')[0].values()), D('240.00'))

    def test_order_posted_during_rerun(self):
        "A re-run of the period picks up what was posted during a run"
        first = self.post(dt.date(2024, 7, 10), 1)
        run = self.paused_run('july')
        second = self.post(dt.date(2024, 7, 20), 2)
        self.finish(run)
        self.execute('july')
        self.assertEqual(self.state('july'), (
                {('E', False): D('150.00'), ('U', False): D('90.00')},
                {first: 'order', second: 'order'}, ['done', 'done']))

    def test_same_period_twice(self):
        "A second run of a period in progress fails on the lock, no doubles"
        self.post(dt.date(2024, 7, 10), 1)
        # queued before: creating a run waits for the period's lock
        second = self.queue_run('july')
        run = self.paused_run('july')

        def execute():
            Run = Pool().get('mlm.commission.run')
            Run(second).execute()
        with self.assertRaises(backend.DatabaseOperationalError):
            self.in_company(execute)
        self.finish(run)
        # the queue retries the task later: it replaces the lines
        self.in_company(execute)
        amounts, roles, states = self.state('july')
        self.assertEqual(amounts,
            {('E', False): D('50.00'), ('U', False): D('30.00')})
        self.assertEqual((len(roles), states), (1, ['done', 'done']))
