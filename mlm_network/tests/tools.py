# This file is part of the MLM suite. See LICENSE for details.
"Helpers shared by the tests of mlm_network"
import datetime as dt
import unittest

from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, drop_db


class DatabaseTestCase(unittest.TestCase):
    """A test class on a database of its own: `modules` activated before its
    tests, the database dropped after them.  A database left behind would be
    reused by the next class and, on PostgreSQL, its open pool connections
    would keep a scenario from restoring its template."""
    modules = ()

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        activate_module(list(cls.modules))

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()


def day(days, today=None):
    "The date days before today"
    today = today or Pool().get('ir.date').today()
    return today - dt.timedelta(days=days)


def create_distributor(name, sponsor=None, join_date=None, **values):
    pool = Pool()
    Party = pool.get('party.party')
    Distributor = pool.get('mlm.distributor')
    party, = Party.create([{'name': name}])
    distributor, = Distributor.create([dict(
                party=party.id,
                sponsor=sponsor.id if sponsor else None,
                join_date=join_date or day(60),
                **values)])
    return distributor


def create_genealogy_managers(*logins):
    "Return users of the Genealogy Manager group"
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    group = ModelData.get_id('mlm_network', 'group_mlm_genealogy')
    return User.create([{
                'name': login.title(),
                'login': login,
                'groups': [('add', [group])],
                } for login in logins])
