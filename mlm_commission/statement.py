# This file is part of the MLM suite. See LICENSE for details.
"""Statements: the PDF Provisionsabrechnung/Gutschrift per partner and
period (reportlab, total in words by num2words) and the Excel export of a
period (xlsxwriter); both are stored as attachments."""
import io
from decimal import Decimal

from trytond.pool import Pool
from trytond.report import Report

SECTIONS = [
    ('commission', "Provisionen"),
    ('late', "Nachschüssige Provisionen (verspätet bezahlte Bestellungen)"),
    ('clawback', "Stornierte Bestellungen (Rückbelastungen)"),
    ]


def german_money(value):
    "1234.5 -> '1.234,50'"
    text = '{:,.2f}'.format(Decimal(value or 0))
    return text.replace(',', 'X').replace('.', ',').replace('X', '.')


def amount_in_words(value, currency='EUR'):
    "The amount in German words (num2words)"
    from num2words import num2words
    return num2words(Decimal(value or 0), lang='de', to='currency',
        currency=currency)


def address_lines(party):
    lines = [party.name or '']
    address = party.address_get() if hasattr(party, 'address_get') else None
    if address:
        lines.extend(l for l in (address.full_address or '').splitlines()
            if l.strip())
    return lines


def section_of(line):
    if line.kind == 'clawback':
        return 'clawback'
    return 'late' if line.late else 'commission'


def statement_title(settlement):
    if settlement.number:
        return "Gutschrift"
    if settlement.state in {'carried', 'blocked'}:
        return "Provisionsabrechnung (ohne Auszahlung)"
    return "Provisionsabrechnung (Entwurf)"


def no_payout_reason(settlement):
    "Why a carried or blocked settlement pays nothing (German), or None"
    if settlement.state == 'blocked':
        return "Auszahlung gesperrt: %s Der Betrag von %s EUR wird " \
            "vorgetragen." % (settlement.blocked_reason or '',
                german_money(settlement.carried_out))
    if settlement.state == 'carried':
        minimum = Pool().get('mlm.commission.configuration')(1).minimum_payout
        if (settlement.carried_out or 0) <= 0:
            return ("Keine Auszahlung: der Saldo von %s EUR ist nicht "
                "positiv und wird mit der nächsten Abrechnung "
                "verrechnet." % german_money(settlement.carried_out))
        return ("Keine Auszahlung: der Betrag von %s EUR liegt unter der "
            "Mindestauszahlung von %s EUR und wird auf die Folgeperiode "
            "vorgetragen." % (german_money(settlement.carried_out),
                german_money(minimum)))
    return None


def statement_pdf(settlement):
    "The PDF (bytes) of a settlement"
    return statements_pdf([settlement])


def statements_pdf(settlements):
    "One PDF (bytes) with the statement of each settlement"
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=0, invariant=1)
    for settlement in settlements:
        draw_statement(canvas, settlement)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def draw_statement(canvas, settlement):
    import textwrap

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    pool = Pool()
    Line = pool.get('mlm.commission.line')
    Distributor = pool.get('mlm.distributor')
    period, company = settlement.period, settlement.company
    width, height = A4
    y = height - 20 * mm

    def text(x, value, size=9, bold=False):
        canvas.setFont('Helvetica-Bold' if bold else 'Helvetica', size)
        canvas.drawString(x, y, str(value))

    def next_line(step=4.5):
        nonlocal y
        y -= step * mm
        if y < 20 * mm:
            canvas.showPage()
            y = height - 20 * mm

    text(20 * mm, statement_title(settlement), 16, True)
    next_line(8)
    company_party = company.party
    company_id = company_party.tax_identifier
    for left, right in zip(
            address_lines(company_party) + [''] * 6,
            address_lines(settlement.party) + [''] * 6):
        if not left and not right:
            break
        text(20 * mm, left)
        text(110 * mm, right)
        next_line()
    text(20 * mm, "USt-IdNr./Steuernummer Aussteller: %s" % (
            company_id.code if company_id else '-'))
    next_line()
    text(20 * mm, "USt-IdNr./Steuernummer Leistender: %s" % (
            settlement.tax_identifier or '-'))
    next_line()
    text(20 * mm, "Gutschrift-Nr.: %s" % (settlement.number or '-'))
    text(110 * mm, "Datum: %s" % (
            settlement.date.strftime('%d.%m.%Y') if settlement.date else '-'))
    next_line()
    text(20 * mm, "Leistungszeitraum: %s bis %s" % (
            period.start_date.strftime('%d.%m.%Y'),
            period.end_date.strftime('%d.%m.%Y')))
    text(110 * mm, "Partnernummer: %s" % (
            settlement.distributor.number or '-'))
    next_line(8)
    lines = Line.search([
            ('period', '=', period.id),
            ('beneficiary', '=', settlement.distributor.id),
            ], order=[('order_date', 'ASC'), ('id', 'ASC')])
    columns = [(20, "Bestellung"), (45, "Kunde"), (80, "Datum"),
        (100, "Pfad"), (140, "Ebene"), (152, "Satz"), (166, "Rang"),
        (185, "Betrag")]
    for key, heading in SECTIONS:
        chosen = [l for l in lines if section_of(l) == key]
        if not chosen:
            continue
        text(20 * mm, heading, 10, True)
        next_line()
        for x, name in columns:
            text(x * mm, name, 8, True)
        next_line()
        for line in chosen:
            volume = line.source_volume
            path = ''
            if line.path:
                path = ' > '.join(Distributor(int(p)).number or p
                    for p in line.path.split('/')[:4])
            values = [line.order_reference or line.component,
                (volume.party.name if volume else '')[:20],
                line.order_date.strftime('%d.%m.%Y')
                if line.order_date else '',
                path[:24], line.level,
                '%s %%' % (Decimal(line.rate or 0) * 100).normalize(),
                line.rank or '', german_money(line.amount)]
            for (x, _), value in zip(columns, values):
                text(x * mm, value, 8)
            next_line(4)
        next_line(2)
    rows = [
        ("Provision der Periode", settlement.earned),
        ("Vortrag aus Vorperioden", settlement.carried_in),
        ("Einbehalt", -(settlement.holdback or 0)),
        ("Freigegebener Einbehalt", settlement.released),
        ("Vortrag auf Folgeperiode", -(settlement.carried_out or 0)),
        ("Nettobetrag", settlement.net),
        ("Umsatzsteuer %s %%" % (
                Decimal(settlement.vat_rate or 0) * 100).normalize(),
            settlement.vat),
        ("Auszahlungsbetrag", settlement.total),
        ]
    for label, value in rows:
        text(110 * mm, label, 9, label == "Auszahlungsbetrag")
        text(175 * mm, german_money(value), 9,
            label == "Auszahlungsbetrag")
        next_line()
    next_line()
    text(20 * mm, "In Worten: %s" % amount_in_words(
            settlement.total, company.currency.code))
    next_line()
    if settlement.note:
        text(20 * mm, settlement.note)
        next_line()
    reason = no_payout_reason(settlement)
    if reason:
        for part in textwrap.wrap(reason, 105):
            text(20 * mm, part, 9, True)
            next_line()


def period_workbook(period):
    "The Excel export (bytes) of a period's lines and figures"
    import xlsxwriter
    pool = Pool()
    Line = pool.get('mlm.commission.line')
    Figure = pool.get('mlm.commission.figure')
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {'in_memory': True})
    money = workbook.add_format({'num_format': '#,##0.00'})
    bold = workbook.add_format({'bold': True})
    sheet = workbook.add_worksheet('Lines')
    headers = ['Partner number', 'Partner', 'Component', 'Kind', 'Late',
        'Order', 'Order date', 'Order period', 'Source partner', 'Level',
        'Paid level', 'Basis', 'Base', 'Rate', 'Amount', 'Rank',
        'Plan version', 'Path']
    sheet.write_row(0, 0, headers, bold)
    for row, line in enumerate(Line.search([('period', '=', period.id)],
                order=[('beneficiary', 'ASC'), ('id', 'ASC')]), 1):
        sheet.write_row(row, 0, [
                line.beneficiary.number, line.beneficiary.party.name,
                line.component, line.kind, bool(line.late),
                line.order_reference or '',
                line.order_date.isoformat() if line.order_date else '',
                line.origin_period.name if line.origin_period else '',
                line.source_distributor.number
                if line.source_distributor else '',
                line.level, line.paid_level, line.basis])
        sheet.write_number(row, 12, float(line.base or 0), money)
        sheet.write_number(row, 13, float(line.rate or 0))
        sheet.write_number(row, 14, float(line.amount), money)
        sheet.write_row(row, 15, [line.rank or '', line.plan_version or '',
                line.path or ''])
    figures = workbook.add_worksheet('Figures')
    figures.write_row(0, 0, ['Partner number', 'Partner', 'Active', 'PV',
            'CV', 'GV', 'Qualified', 'Paid as', 'Highest'], bold)
    for row, figure in enumerate(Figure.search(
                [('period', '=', period.id)],
                order=[('distributor', 'ASC')]), 1):
        figures.write_row(row, 0, [
                figure.distributor.number, figure.distributor.party.name,
                bool(figure.active), float(figure.pv or 0),
                float(figure.cv or 0), float(figure.gv or 0),
                figure.qualified_rank or '', figure.paid_as_rank or '',
                figure.highest_rank or ''])
    workbook.close()
    return buffer.getvalue()


def attach(name, data, *resources):
    "Store data as an attachment on each resource"
    Attachment = Pool().get('ir.attachment')
    return Attachment.create([{
                'name': name,
                'type': 'data',
                'data': data,
                'resource': str(resource),
                } for resource in resources])


class StatementReport(Report):
    "The statement of settlements in any state, as a preview or copy"
    __name__ = 'mlm.commission.settlement.statement'

    @classmethod
    def execute(cls, ids, data):
        pool = Pool()
        ActionReport = pool.get('ir.action.report')
        Settlement = pool.get('mlm.commission.settlement')
        action, = ActionReport.search(
            [('report_name', '=', cls.__name__)], limit=1)
        cls.check_access(action, Settlement.__name__, ids)
        settlements = Settlement.browse(ids)
        name = (settlements[0].statement_name[:-len('.pdf')]
            if len(settlements) == 1 else action.name)
        return 'pdf', statements_pdf(settlements), False, name
