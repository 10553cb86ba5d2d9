# This file is part of the MLM suite. See LICENSE for details.
"""Demo logins, one per MLM group (no trytond import: the CLI prints them)."""
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
