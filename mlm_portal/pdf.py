# This file is part of the MLM suite. See LICENSE for details.
"The accepted partner contract as PDF (reportlab, no LibreOffice needed)."
import io
from xml.sax.saxutils import escape

from trytond.i18n import gettext


def contract_pdf(application):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        Paragraph, SimpleDocTemplate, Spacer, Table)

    styles = getSampleStyleSheet()
    output = io.BytesIO()
    contract = application.contract
    document = SimpleDocTemplate(
        output, pagesize=A4, title='%s %s' % (
            contract.title, contract.version),
        leftMargin=20 * mm, rightMargin=20 * mm,
        topMargin=20 * mm, bottomMargin=20 * mm)
    story = [
        Paragraph(escape('%s (%s)' % (contract.title, contract.version)),
            styles['Title']),
        ]
    for block in contract.text.split('\n\n'):
        story.append(Paragraph(
                escape(block).replace('\n', '<br/>'), styles['BodyText']))
    story.append(Spacer(1, 8 * mm))
    story.append(Paragraph(
            escape(gettext('mlm_portal.msg_pdf_proof')), styles['Heading2']))

    def when(value):
        return value.strftime('%Y-%m-%d %H:%M:%S') if value else ''
    distributor = application.distributor
    rows = [
        (gettext('mlm_portal.msg_pdf_partner'), '%s %s' % (
                distributor.number if distributor else '',
                application.full_name)),
        (gettext('mlm_portal.msg_pdf_email'), application.email),
        (gettext('mlm_portal.msg_pdf_sponsor'), application.sponsor.number),
        (gettext('mlm_portal.msg_pdf_submitted'), '%s, %s' % (
                when(application.submitted_at), application.submit_ip or '')),
        (gettext('mlm_portal.msg_pdf_confirmed'), '%s, %s' % (
                when(application.confirmed_at),
                application.confirm_ip or '')),
        (gettext('mlm_portal.msg_pdf_digest'), application.contract_digest),
        ]
    story.append(Table(
            [(Paragraph(escape(a), styles['BodyText']),
                Paragraph(escape(b), styles['Code'])) for a, b in rows],
            colWidths=[45 * mm, 125 * mm]))
    document.build(story)
    return output.getvalue()


def legal_text_pdf(text):
    "A published version of a legal text as PDF bytes"
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    styles = getSampleStyleSheet()
    output = io.BytesIO()
    document = SimpleDocTemplate(
        output, pagesize=A4, title='%s %s' % (text.title, text.version),
        leftMargin=20 * mm, rightMargin=20 * mm,
        topMargin=20 * mm, bottomMargin=20 * mm)
    story = [Paragraph(escape('%s (%s)' % (text.title, text.version)),
            styles['Title'])]
    for block in text.text.split('\n\n'):
        story.append(Paragraph(
                escape(block).replace('\n', '<br/>'), styles['BodyText']))
    story.append(Paragraph(escape('SHA-256: %s' % text.digest),
            styles['Code']))
    document.build(story)
    return output.getvalue()
