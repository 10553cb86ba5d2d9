# This file is part of the MLM suite. See LICENSE for details.
import datetime as dt

from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction


class Thread(Workflow, ModelSQL, ModelView):
    "A conversation between a partner and the support team"
    __string__ = "Support Thread"
    __name__ = 'mlm.portal.thread'
    _rec_name = 'subject'

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    distributor = fields.Many2One(
        'mlm.distributor', "Distributor", required=True, ondelete='CASCADE',
        states={'readonly': Eval('id', -1) >= 0},
        help="Employees may open a thread with a partner.")
    subject = fields.Char(
        "Subject", required=True, states={'readonly': Eval('id', -1) >= 0})
    state = fields.Selection([
            ('open', "Waiting for Support"),
            ('answered', "Answered"),
            ('closed', "Closed"),
            ], "State", required=True, readonly=True)
    state_string = state.translated('state')
    messages = fields.One2Many(
        'mlm.portal.thread.message', 'thread', "Messages",
        states={'readonly': Eval('state') == 'closed'})
    last_message_at = fields.Timestamp("Last Message", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.distributor, Index.Equality()),
                (t.last_message_at, Index.Range())))
        cls._order = [('last_message_at', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('open', 'closed'),
            ('answered', 'closed'),
            ('closed', 'open'),
            }
        cls._buttons.update({
                'close': {
                    'invisible': Eval('state') == 'closed',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'closed',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'open'

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, threads):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def reopen(cls, threads):
        pass


class ThreadMessage(ModelSQL, ModelView):
    "A message of a support thread"
    __string__ = "Support Message"
    __name__ = 'mlm.portal.thread.message'

    thread = fields.Many2One(
        'mlm.portal.thread', "Thread", required=True, ondelete='CASCADE')
    author = fields.Selection([
            ('partner', "Partner"),
            ('support', "Support"),
            ], "Author", required=True, readonly=True)
    author_string = author.translated('author')
    user = fields.Many2One(
        'res.user', "Employee", readonly=True,
        help="The employee who answered.")
    body = fields.Text("Message", required=True)
    sent_at = fields.Timestamp("Sent at", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('sent_at', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_author():
        # messages entered in the backend come from the support team
        return 'support'

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            values.setdefault('sent_at', dt.datetime.now())
            if values.get('author', 'support') == 'support':
                values.setdefault('user', Transaction().user or None)
        return values

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        Thread = pool.get('mlm.portal.thread')
        messages = super().create(vlist)
        to_write = []
        for message in messages:
            state = ('answered' if message.author == 'support' else 'open')
            to_write.extend([[message.thread], {
                        'state': state,
                        'last_message_at': message.sent_at,
                        }])
        if to_write:
            Thread.write(*to_write)
        return messages
