# This file is part of the MLM suite. See LICENSE for details.
"""Demo logins, one per MLM group.

No trytond import at module level: the CLI prints the logins."""
from collections import namedtuple

DemoUser = namedtuple('DemoUser', 'login name password group group_name')

ADMIN_PASSWORD = 'admin-demo'
DEMO_USERS = [
    DemoUser('verwaltung', "Vera Verwaltung", 'verwaltung-demo',
        'group_mlm_admin', "MLM Administration"),
    DemoUser('genealogie', "Georg Genealogie", 'genealogie-demo',
        'group_mlm_genealogy', "MLM Genealogy Manager"),
    DemoUser('provision', "Paula Provision", 'provision-demo',
        'group_mlm_commission_clerk', "MLM Commission Clerk"),
    DemoUser('freigabe', "Frieda Freigabe", 'freigabe-demo',
        'group_mlm_commission_approver', "MLM Commission Approver"),
    DemoUser('support', "Susi Support", 'support-demo',
        'group_mlm_support', "MLM Support (read-only)"),
    DemoUser('buchhaltung', "Bernd Buchhaltung", 'buchhaltung-demo',
        'group_mlm_accounting', "MLM Accounting"),
    ]


def demo_user(login, group):
    """Id of the demo user with login, created in the MLM group when missing.

    Runs server-side; the demo steps use it so they also work on their own,
    outside the demo generator that creates DEMO_USERS first."""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    users = User.search([('login', '=', login)], limit=1)
    if not users:
        company = Transaction().context.get('company')
        users = User.create([{
                    'name': login.title(), 'login': login,
                    'groups': [('add', [ModelData.get_id(
                                    'mlm_network', group)])],
                    'companies': [('add', [company])],
                    'company': company,
                    }])
    return users[0].id
