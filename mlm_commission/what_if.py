# This file is part of the MLM suite. See LICENSE for details.
"""What-if: a draft plan version run on a period's frozen inputs.

Nothing is written: the results live in the wizard's views and in the
Excel export (``Period.what_if`` computes them)."""
import io

from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.report import Report
from trytond.wizard import Button, StateReport, StateView, Wizard


class WhatIfStart(ModelView):
    __string__ = "What-if Start"
    __name__ = 'mlm.commission.what_if.start'

    period = fields.Many2One(
        'mlm.commission.period', "Period", required=True,
        domain=[('state', 'in', ['approved', 'closed'])],
        help="An approved or closed period: its inputs are frozen.")
    plan = fields.Many2One('mlm.commission.plan', "Plan", readonly=True)
    version = fields.Many2One(
        'mlm.commission.plan.version', "Draft Version", required=True,
        domain=[('plan', '=', Eval('plan', -1)), ('state', '=', 'draft')],
        help="The draft replaces the version valid from the same date.")

    @fields.depends('period')
    def on_change_with_plan(self, name=None):
        return self.period.plan if self.period else None


class WhatIfResult(ModelView):
    __string__ = "What-if Result"
    __name__ = 'mlm.commission.what_if.result'

    period = fields.Many2One(
        'mlm.commission.period', "Period", readonly=True)
    version = fields.Many2One(
        'mlm.commission.plan.version', "Draft Version", readonly=True)
    stored = fields.Numeric("Stored", digits=(16, 2), readonly=True)
    simulated = fields.Numeric("Simulated", digits=(16, 2), readonly=True)
    difference = fields.Numeric("Difference", digits=(16, 2), readonly=True)
    lines = fields.One2Many(
        'mlm.commission.what_if.line', None, "Partners", readonly=True)


class WhatIfLine(ModelView):
    __string__ = "What-if Line"
    __name__ = 'mlm.commission.what_if.line'

    distributor = fields.Many2One(
        'mlm.distributor', "Distributor", readonly=True)
    stored = fields.Numeric("Stored", digits=(16, 2), readonly=True)
    simulated = fields.Numeric("Simulated", digits=(16, 2), readonly=True)
    difference = fields.Numeric("Difference", digits=(16, 2), readonly=True)


class WhatIf(Wizard):
    "Compare a draft plan version with the stored lines of a period"
    __name__ = 'mlm.commission.what_if'

    start = StateView('mlm.commission.what_if.start',
        'mlm_commission.what_if_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Compute", 'result', 'tryton-ok', default=True),
            ])
    result = StateView('mlm.commission.what_if.result',
        'mlm_commission.what_if_result_view_form', [
            Button("Close", 'end', 'tryton-close'),
            Button("Excel Export", 'export', 'tryton-print'),
            ])
    export = StateReport('mlm.commission.what_if.export')

    def default_start(self, fields):
        if (self.model and self.model.__name__ == 'mlm.commission.period'
                and self.record and self.record.state in {
                    'approved', 'closed'}):
            return {'period': self.record.id,
                'plan': self.record.plan.id}
        return {}

    def default_result(self, fields):
        return what_if_values(self.start.period, self.start.version)

    def do_export(self, action):
        return action, {
            'period': self.start.period.id,
            'version': self.start.version.id,
            }


def what_if_values(period, version):
    "The result view's values: totals and one line per distributor"
    Distributor = Pool().get('mlm.distributor')
    partners, (stored, simulated, difference) = period.what_if(version)
    distributors = sorted(Distributor.browse(list(partners)),
        key=lambda d: (d.number or '', d.id))
    return {
        'period': period.id,
        'version': version.id,
        'stored': stored,
        'simulated': simulated,
        'difference': difference,
        'lines': [{
                'distributor': d.id,
                'stored': partners[d.id][0],
                'simulated': partners[d.id][1],
                'difference': partners[d.id][2],
                } for d in distributors],
        }


def what_if_workbook(values):
    "The Excel export (bytes) of what_if_values"
    import xlsxwriter
    pool = Pool()
    Period = pool.get('mlm.commission.period')
    Version = pool.get('mlm.commission.plan.version')
    Distributor = pool.get('mlm.distributor')
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {'in_memory': True})
    money = workbook.add_format({'num_format': '#,##0.00'})
    bold = workbook.add_format({'bold': True})
    bold_money = workbook.add_format({'num_format': '#,##0.00', 'bold': True})
    sheet = workbook.add_worksheet('What-if')
    sheet.write_row(0, 0, ['Period', Period(values['period']).name], bold)
    sheet.write_row(1, 0, ['Draft version', Version(values['version']).code],
        bold)
    sheet.write_row(3, 0, ['Partner number', 'Partner', 'Stored',
            'Simulated', 'Difference'], bold)
    row = 4
    for line in values['lines']:
        distributor = Distributor(line['distributor'])
        sheet.write_row(row, 0, [distributor.number or '',
                distributor.party.name])
        for column, name in enumerate(
                ['stored', 'simulated', 'difference'], 2):
            sheet.write_number(row, column, float(line[name]), money)
        row += 1
    sheet.write(row, 0, 'Total', bold)
    for column, name in enumerate(['stored', 'simulated', 'difference'], 2):
        sheet.write_number(row, column, float(values[name]), bold_money)
    workbook.close()
    return buffer.getvalue()


class WhatIfExport(Report):
    "The what-if comparison as an Excel workbook"
    __name__ = 'mlm.commission.what_if.export'

    @classmethod
    def execute(cls, ids, data):
        pool = Pool()
        ActionReport = pool.get('ir.action.report')
        Period = pool.get('mlm.commission.period')
        Version = pool.get('mlm.commission.plan.version')
        action, = ActionReport.search(
            [('report_name', '=', cls.__name__)], limit=1)
        cls.check_access(action, None, [])
        period = Period(data['period'])
        values = what_if_values(period, Version(data['version']))
        return ('xlsx', what_if_workbook(values), False,
            'What-if %s %s' % (period.name, Version(data['version']).code))
