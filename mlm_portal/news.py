# This file is part of the MLM suite. See LICENSE for details.
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction


class News(ModelSQL, ModelView):
    """Portal News

    A news item for the partners.  Without target ranks and groups every
    partner sees it; otherwise the partners whose paid-as rank is one of the
    ranks or whose party is in one of the groups."""
    __string__ = "Portal News"
    __name__ = 'mlm.portal.news'

    company = fields.Many2One('company.company', "Company", required=True)
    title = fields.Char("Title", required=True, translate=True)
    body = fields.Text("Text", required=True, translate=True)
    published = fields.Boolean("Published")
    publish_date = fields.Date(
        "Publish Date", required=True,
        help="The news shows from this date on.")
    ranks = fields.Many2Many(
        'mlm.portal.news-mlm.rank', 'news', 'rank', "Target Ranks",
        domain=[('company', '=', Eval('company', -1))],
        help="Leave empty with no groups for every partner.")
    groups = fields.Many2Many(
        'mlm.portal.news-party.category', 'news', 'category',
        "Target Groups",
        help="The party categories the news is meant for.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('publish_date', 'DESC'), ('id', 'DESC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_publish_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def for_distributor(cls, distributor, rank=None, limit=None):
        "The published news the distributor may read, newest first"
        pool = Pool()
        Date = pool.get('ir.date')
        categories = [c.id for c in distributor.party.categories]
        audience = ['OR',
            [('ranks', '=', None), ('groups', '=', None)],
            ]
        if rank:
            audience.append(('ranks', '=', rank.id))
        if categories:
            audience.append(('groups', 'in', categories))
        return cls.search([
                ('company', '=', distributor.company.id),
                ('published', '=', True),
                ('publish_date', '<=', Date.today()),
                audience,
                ], limit=limit)


class NewsRank(ModelSQL):
    __string__ = "News - Rank"
    __name__ = 'mlm.portal.news-mlm.rank'
    news = fields.Many2One(
        'mlm.portal.news', "News", required=True, ondelete='CASCADE')
    rank = fields.Many2One(
        'mlm.rank', "Rank", required=True, ondelete='CASCADE')


class NewsCategory(ModelSQL):
    __string__ = "News - Group"
    __name__ = 'mlm.portal.news-party.category'
    news = fields.Many2One(
        'mlm.portal.news', "News", required=True, ondelete='CASCADE')
    category = fields.Many2One(
        'party.category', "Group", required=True, ondelete='CASCADE')
