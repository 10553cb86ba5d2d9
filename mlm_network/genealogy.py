# This file is part of the MLM suite. See LICENSE for details.
import io

from sql import Cast, Literal, Null
from sql.aggregate import Avg, Count, Max
from sql.conditionals import Case
from sql.functions import ToChar

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import (
    Button, StateTransition, StateView, Wizard)

from .distributor import STATUSES, path_prefix_where


def _upline_text(distributors):
    return '\n'.join(
        '%s. %s' % (i, d.rec_name) for i, d in enumerate(distributors, 1))


class MoveStart(ModelView):
    __string__ = "Move Distributor"
    __name__ = 'mlm.genealogy.move.start'

    distributor = fields.Many2One(
        'mlm.distributor', "Distributor", required=True,
        domain=[('status', '!=', 'terminated')])
    company = fields.Many2One('company.company', "Company", readonly=True)
    sponsor = fields.Many2One(
        'mlm.distributor', "New Sponsor",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('status', '!=', 'terminated'),
            ('id', '!=', Eval('distributor', -1)),
            ],
        help="Leave empty to make the distributor a root.")
    valid_from = fields.Date("Effective Date", required=True)
    reason = fields.Text("Reason", required=True)
    requester = fields.Many2One(
        'res.user', "Requested by", required=True,
        help="The user who asked for the move; "
        "another Genealogy Manager approves it.")

    @fields.depends('distributor')
    def on_change_with_company(self, name=None):
        return self.distributor.company.id if self.distributor else None


class MoveConfirm(ModelView):
    __string__ = "Move Distributor"
    __name__ = 'mlm.genealogy.move.confirm'

    distributor = fields.Many2One(
        'mlm.distributor', "Distributor", readonly=True)
    old_sponsor = fields.Many2One(
        'mlm.distributor', "Old Sponsor", readonly=True)
    sponsor = fields.Many2One(
        'mlm.distributor', "New Sponsor", readonly=True)
    valid_from = fields.Date("Effective Date", readonly=True)
    old_upline = fields.Text("Old Upline", readonly=True)
    new_upline = fields.Text("New Upline", readonly=True)
    downline_size = fields.Integer(
        "Partners Moved", readonly=True,
        help="The distributor and the downline that moves along.")
    requester = fields.Many2One('res.user', "Requested by", readonly=True)
    approver = fields.Many2One('res.user', "Approved by", readonly=True)


class Move(Wizard):
    __string__ = "Move Distributor"
    __name__ = 'mlm.genealogy.move'

    start = StateView('mlm.genealogy.move.start',
        'mlm_network.genealogy_move_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Check", 'check', 'tryton-forward', default=True),
            ])
    check = StateTransition()
    confirm = StateView('mlm.genealogy.move.confirm',
        'mlm_network.genealogy_move_confirm_view_form', [
            Button("Back", 'start', 'tryton-back'),
            Button("Move", 'move', 'tryton-ok', default=True),
            ])
    move = StateTransition()

    def default_start(self, fields):
        pool = Pool()
        Date = pool.get('ir.date')
        values = {'valid_from': Date.today()}
        if self.model and self.model.__name__ == 'mlm.distributor' and (
                self.record):
            values['distributor'] = self.record.id
            values['company'] = self.record.company.id
        if self.start.distributor:
            values.update(self.start._default_values)
        return values

    def _approver(self):
        return Pool().get('res.user')(Transaction().user)

    def transition_check(self):
        Distributor = Pool().get('mlm.distributor')
        Distributor.check_four_eyes(self.start.requester, self._approver())
        self.start.distributor.check_move(
            self.start.sponsor, self.start.valid_from)
        return 'confirm'

    def default_confirm(self, fields):
        distributor = self.start.distributor
        sponsor = self.start.sponsor
        date = self.start.valid_from
        new_upline = []
        if sponsor:
            new_upline = [sponsor] + list(sponsor.upline_at(date))
        return {
            'distributor': distributor.id,
            'old_sponsor': distributor.sponsor_at(date).id
            if distributor.sponsor_at(date) else None,
            'sponsor': sponsor.id if sponsor else None,
            'valid_from': date,
            'old_upline': _upline_text(distributor.upline_at(date)),
            'new_upline': _upline_text(new_upline),
            'downline_size': distributor.downline_size + 1,
            'requester': self.start.requester.id,
            'approver': self._approver().id,
            }

    def transition_move(self):
        Distributor = Pool().get('mlm.distributor')
        Distributor.move_sponsor(
            self.start.distributor, self.start.sponsor,
            self.start.valid_from, self.start.reason,
            self.start.requester, self._approver())
        return 'end'


class StatusStart(ModelView):
    __string__ = "Change Distributor Status"
    __name__ = 'mlm.distributor.status.start'

    distributor = fields.Many2One(
        'mlm.distributor', "Distributor", readonly=True)
    status = fields.Selection(STATUSES, "New Status", required=True)
    date = fields.Date("Effective Date", required=True)
    reason = fields.Text("Reason", required=True)


class StatusConfirm(ModelView):
    __string__ = "Change Distributor Status"
    __name__ = 'mlm.distributor.status.confirm'

    distributor = fields.Many2One(
        'mlm.distributor', "Distributor", readonly=True)
    status = fields.Selection(STATUSES, "New Status", readonly=True)
    date = fields.Date("Effective Date", readonly=True)
    consequences = fields.Text("Consequences", readonly=True)


class Status(Wizard):
    __string__ = "Change Distributor Status"
    __name__ = 'mlm.distributor.status'

    start = StateView('mlm.distributor.status.start',
        'mlm_network.distributor_status_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Check", 'confirm', 'tryton-forward', default=True),
            ])
    confirm = StateView('mlm.distributor.status.confirm',
        'mlm_network.distributor_status_confirm_view_form', [
            Button("Back", 'start', 'tryton-back'),
            Button("Change", 'change', 'tryton-ok', default=True),
            ])
    change = StateTransition()

    def default_start(self, fields):
        Date = Pool().get('ir.date')
        return {
            'distributor': self.record.id,
            'date': Date.today(),
            }

    def default_confirm(self, fields):
        distributor = self.record
        lines = []
        if self.start.status == 'terminated':
            target = distributor.next_active_upline()
            for child in distributor.children:
                if child.status != 'terminated':
                    lines.append(gettext(
                            'mlm_network.msg_rollup_line',
                            distributor=child.rec_name,
                            sponsor=target.rec_name if target else '-'))
        return {
            'distributor': distributor.id,
            'status': self.start.status,
            'date': self.start.date,
            'consequences': '\n'.join(lines),
            }

    def transition_change(self):
        Distributor = Pool().get('mlm.distributor')
        Distributor.set_status(
            [self.record], self.start.status, self.start.date,
            self.start.reason)
        return 'end'


class DownlineContext(ModelView):
    __string__ = "Downline Context"
    __name__ = 'mlm.downline.context'

    distributor = fields.Many2One('mlm.distributor', "Distributor")
    max_level = fields.Integer(
        "Max Level", help="Show only the first levels; empty for all.")


class Downline(ModelSQL, ModelView):
    __string__ = "Downline"
    __name__ = 'mlm.downline'

    member = fields.Many2One('mlm.distributor', "Distributor")
    party = fields.Many2One('party.party', "Party")
    sponsor = fields.Many2One('mlm.distributor', "Sponsor")
    level = fields.Integer(
        "Level", help="1 for the partners sponsored directly.")
    status = fields.Selection(STATUSES, "Status")
    status_string = status.translated('status')
    join_date = fields.Date("Join Date")
    join_month = fields.Char("Join Month")
    rank = fields.Many2One(
        'mlm.rank', "Rank",
        help="The paid-as rank of the latest period.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('level', 'ASC'), ('member', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Distributor = pool.get('mlm.distributor')
        RankRecord = pool.get('mlm.rank.record')
        context = Transaction().context
        distributor = Distributor.__table__()
        record = RankRecord.__table__()
        latest = RankRecord.__table__()
        top = None
        if context.get('distributor'):
            top = Distributor(context['distributor'])
        if top is None or not top.path:
            return distributor.select(
                *cls._columns(distributor, None, 0),
                where=Literal(False))
        where = (path_prefix_where(
                distributor.path, top.path, distributor.depth)
            & (distributor.id != top.id))
        if context.get('max_level'):
            where &= distributor.depth <= top.depth + context['max_level']
        query = (distributor
            .join(record, 'LEFT', condition=(
                    record.distributor == distributor.id)
                & (record.period_start == latest.select(
                        Max(latest.period_start),
                        where=latest.distributor == distributor.id)))
            .select(
                *cls._columns(distributor, record, top.depth),
                where=where))
        return query

    @classmethod
    def _columns(cls, distributor, record, depth):
        return [
            distributor.id.as_('id'),
            distributor.id.as_('member'),
            distributor.party.as_('party'),
            distributor.sponsor.as_('sponsor'),
            (distributor.depth - depth).as_('level'),
            distributor.status.as_('status'),
            distributor.join_date.as_('join_date'),
            ToChar(distributor.join_date, 'YYYY-MM').as_('join_month'),
            (record.paid_as_rank if record is not None
                else Cast(Literal(None), 'INTEGER')).as_('rank'),
            ]


class StatisticsJoinMonth(ModelSQL, ModelView):
    __string__ = "New Partners per Month"
    __name__ = 'mlm.statistics.join_month'

    company = fields.Many2One('company.company', "Company")
    month = fields.Char("Month")
    partners = fields.Integer("New Partners")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'DESC'), ('id', 'DESC')]

    @classmethod
    def table_query(cls):
        Distributor = Pool().get('mlm.distributor')
        distributor = Distributor.__table__()
        company = Transaction().context.get('company')
        joins = distributor.select(
            distributor.id, distributor.company,
            ToChar(distributor.join_date, 'YYYY-MM').as_('month'),
            where=distributor.company == company)
        return joins.select(
            Max(joins.id).as_('id'),
            joins.company.as_('company'),
            joins.month.as_('month'),
            Count(joins.id).as_('partners'),
            group_by=[joins.company, joins.month])


class StatisticsRankLevel(ModelSQL, ModelView):
    __string__ = "Partners per Rank and Level"
    __name__ = 'mlm.statistics.rank_level'

    company = fields.Many2One('company.company', "Company")
    rank = fields.Many2One('mlm.rank', "Rank")
    level = fields.Integer("Level", help="The depth in the sponsor tree.")
    partners = fields.Integer("Partners")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('level', 'ASC'), ('rank', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Distributor = pool.get('mlm.distributor')
        RankRecord = pool.get('mlm.rank.record')
        distributor = Distributor.__table__()
        record = RankRecord.__table__()
        latest = RankRecord.__table__()
        company = Transaction().context.get('company')
        rank = record.paid_as_rank
        # the id combines level and rank to stay unique
        return (distributor
            .join(record, 'LEFT', condition=(
                    record.distributor == distributor.id)
                & (record.period_start == latest.select(
                        Max(latest.period_start),
                        where=latest.distributor == distributor.id)))
            .select(
                (distributor.depth * 1000000 + Case(
                        (rank == Null, 0), else_=rank)).as_('id'),
                distributor.company.as_('company'),
                rank.as_('rank'),
                distributor.depth.as_('level'),
                Count(distributor.id).as_('partners'),
                where=(distributor.company == company)
                & (distributor.status != 'terminated'),
                group_by=[distributor.company, rank, distributor.depth]))


class StatisticsStructure(ModelSQL, ModelView):
    __string__ = "Structure Statistics"
    __name__ = 'mlm.statistics.structure'

    company = fields.Many2One('company.company', "Company")
    partners = fields.Integer("Partners")
    active_partners = fields.Integer("Active Partners")
    roots = fields.Integer(
        "Roots", help="The partners without sponsor.")
    max_depth = fields.Integer(
        "Depth", help="The number of levels of the sponsor tree.")
    average_depth = fields.Float("Average Depth", digits=(16, 2))

    @classmethod
    def table_query(cls):
        Distributor = Pool().get('mlm.distributor')
        distributor = Distributor.__table__()
        company = Transaction().context.get('company')
        return distributor.select(
            distributor.company.as_('id'),
            distributor.company.as_('company'),
            Count(distributor.id).as_('partners'),
            Count(Case((distributor.status == 'active', 1))).as_(
                'active_partners'),
            Count(Case((distributor.sponsor == Null, 1))).as_('roots'),
            (Max(distributor.depth) + 1).as_('max_depth'),
            Avg(distributor.depth).as_('average_depth'),
            where=distributor.company == company,
            group_by=[distributor.company])


class DownlineExportStart(ModelView):
    __string__ = "Export Downline"
    __name__ = 'mlm.downline.export.start'

    distributor = fields.Many2One(
        'mlm.distributor', "Distributor", required=True)
    max_level = fields.Integer("Max Level")


class DownlineExportResult(ModelView):
    __string__ = "Export Downline"
    __name__ = 'mlm.downline.export.result'

    file = fields.Binary("File", readonly=True, filename='filename')
    filename = fields.Char("File Name", readonly=True)


class DownlineExport(Wizard):
    __string__ = "Export Downline"
    __name__ = 'mlm.downline.export'

    start = StateView('mlm.downline.export.start',
        'mlm_network.downline_export_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Export", 'result', 'tryton-ok', default=True),
            ])
    result = StateView('mlm.downline.export.result',
        'mlm_network.downline_export_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_start(self, fields):
        values = {}
        if self.model and self.model.__name__ == 'mlm.distributor' and (
                self.record):
            values['distributor'] = self.record.id
        return values

    def default_result(self, fields):
        distributor = self.start.distributor
        return {
            'file': self.export_xlsx(distributor, self.start.max_level),
            'filename': 'downline-%s.xlsx' % distributor.number,
            }

    @classmethod
    def rows(cls, distributor, max_level=None):
        "Yield the downline rows (level, number, name, sponsor, ...)"
        pool = Pool()
        Downline = pool.get('mlm.downline')
        with Transaction().set_context(
                distributor=distributor.id, max_level=max_level):
            lines = Downline.search([], order=[
                    ('level', 'ASC'), ('member', 'ASC')])
            for line in lines:
                member = line.member
                yield [
                    line.level,
                    member.number,
                    member.party.rec_name,
                    member.sponsor.number if member.sponsor else '',
                    line.status_string,
                    member.join_date,
                    line.rank.name if line.rank else '',
                    ]

    @classmethod
    def export_xlsx(cls, distributor, max_level=None):
        import xlsxwriter
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {'in_memory': True})
        sheet = workbook.add_worksheet(distributor.number[:31])
        bold = workbook.add_format({'bold': True})
        date_format = workbook.add_format({'num_format': 'yyyy-mm-dd'})
        headers = [
            gettext('mlm_network.msg_export_level'),
            gettext('mlm_network.msg_export_number'),
            gettext('mlm_network.msg_export_name'),
            gettext('mlm_network.msg_export_sponsor'),
            gettext('mlm_network.msg_export_status'),
            gettext('mlm_network.msg_export_join_date'),
            gettext('mlm_network.msg_export_rank'),
            ]
        sheet.write_row(0, 0, headers, bold)
        sheet.write_row(1, 0, [
                0, distributor.number, distributor.party.rec_name,
                distributor.sponsor.number if distributor.sponsor else '',
                distributor.status_string, None, ''])
        sheet.write_datetime(1, 5, _datetime(distributor.join_date),
            date_format)
        row_index = 2
        for row in cls.rows(distributor, max_level):
            join_date = row[5]
            row[5] = None
            sheet.write_row(row_index, 0, row)
            sheet.write_datetime(row_index, 5, _datetime(join_date),
                date_format)
            row_index += 1
        sheet.autofilter(0, 0, row_index - 1, len(headers) - 1)
        sheet.freeze_panes(1, 0)
        workbook.close()
        return output.getvalue()


def _datetime(date):
    import datetime as dt
    return dt.datetime.combine(date, dt.time())
