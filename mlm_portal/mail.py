# This file is part of the MLM suite. See LICENSE for details.
"E-mails of the portal, sent after the commit of the transaction."
from email.message import EmailMessage

import trytond.config as config
from trytond.sendmail import send_message_transactional
from trytond.tools.email_ import set_from_header

from . import i18n
from .web import environment


def send(to, template, lang, **values):
    "Render templates/mail/<template>.txt in lang and send it to to"
    def _(text, **kwargs):
        return i18n.translate(lang, text, **kwargs)
    body = environment.get_template('mail/%s.txt' % template).render(
        _=_, lang=lang, **values)
    subject, _sep, text = body.partition('\n\n')
    message = EmailMessage()
    from_ = config.get('email', 'from')
    set_from_header(message, from_, from_)
    message['To'] = to
    message['Subject'] = subject.strip()
    message.set_content(text.strip() + '\n')
    send_message_transactional(message)
    return message
