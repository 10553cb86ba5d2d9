# This file is part of the MLM suite. See LICENSE for details.
"""Print the demo database's commission facts as JSON (own process).

    python -m tests.demo.inspect_commission CONFIG DATABASE
"""
import json
import sys
from decimal import Decimal


def facts():
    from trytond.pool import Pool

    from mlm_demo.portal import PORTAL_LOGINS
    pool = Pool()
    Attachment = pool.get('ir.attachment')
    Line = pool.get('mlm.commission.line')
    Period = pool.get('mlm.commission.period')
    Plan = pool.get('mlm.commission.plan')
    Settlement = pool.get('mlm.commission.settlement')
    Volume = pool.get('mlm.commission.volume')
    WebUser = pool.get('web.user')
    Distributor = pool.get('mlm.distributor')
    periods = Period.search([], order=[('start_date', 'ASC')])
    settlements = Settlement.search([], order=[('id', 'ASC')])

    def attached(name, *resources):
        return all(Attachment.search([('name', '=', name),
                        ('resource', '=', str(r))], count=True) == 1
            for r in resources)
    portal = {}
    for email, _, _ in PORTAL_LOGINS:
        user, = WebUser.search([('email', '=', email)])
        distributor, = Distributor.search([('party', '=', user.party.id)])
        own = [s for s in settlements if s.distributor == distributor]
        portal[email] = {
            'lines': Line.search([('beneficiary', '=', distributor.id)],
                count=True),
            'posted': sum(s.state == 'posted' for s in own),
            'statements': Attachment.search([
                    ('resource', '=', str(distributor.party)),
                    ('name', 'like', '%.pdf')], count=True),
            }
    return {
        'plans': [(p.name, p.commissionable_on,
                [v.state for v in p.versions]) for p in Plan.search([])],
        'period_states': [p.state for p in periods],
        'chain_verified': Period.verify_chain() is None,
        'orders': Volume.search([('kind', '=', 'order')], count=True),
        'returns': Volume.search([('kind', '=', 'return')], count=True),
        'late_lines': Line.search([('late', '=', True)], count=True),
        'clawback_lines': Line.search([('kind', '=', 'clawback')],
            count=True),
        'lines_per_period': [len(p.lines) for p in periods],
        # every distributor with lines is settled: the sums agree exactly
        'earned_matches_lines': [
            str(sum((s.earned for s in settlements if s.period == p),
                    Decimal(0))) == str(p.total or Decimal('0.00'))
            for p in periods if p.state in {'approved', 'closed'}],
        'settlement_states': sorted({s.state for s in settlements}),
        'numbers_without_gaps': sorted(
            s.number for s in settlements if s.state == 'posted') == [
            'GS-%06d' % i for i in range(1, 1 + sum(
                        s.state == 'posted' for s in settlements))],
        'invoices_match': all(s.invoice.state == 'posted'
            and s.invoice.total_amount == s.total
            for s in settlements if s.state == 'posted'),
        'statements_attached': all(
            attached(s.statement_name, s.period, s.party)
            for s in settlements),
        'exports': sorted(a.name for a in Attachment.search([
                    ('name', 'like', 'Provisionslauf %.xlsx')])),
        'period_names': [p.name for p in periods],
        'portal': portal,
        }


def main(config_file, database):
    from mlm_cli.settings import Settings
    Settings(config_file).apply()
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Pool(database).init()
    with Transaction().start(database, 0, readonly=True) as transaction:
        User = Pool().get('res.user')
        admin, = User.search([('login', '=', 'admin')])
        with transaction.set_user(admin.id), transaction.set_context(
                company=admin.company.id, language='en'):
            return facts()


if __name__ == '__main__':
    print(json.dumps(main(*sys.argv[1:3]), indent=1, ensure_ascii=False))
