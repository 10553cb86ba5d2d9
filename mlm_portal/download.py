# This file is part of the MLM suite. See LICENSE for details.
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

CATEGORIES = [
    ('brochure', "Brochure"),
    ('price_list', "Price List"),
    ('contract', "Contract"),
    ('other', "Other"),
    ]


class Download(ModelSQL, ModelView):
    "A file published to the partners on the portal"
    __string__ = "Portal Download"
    __name__ = 'mlm.portal.download'

    company = fields.Many2One('company.company', "Company", required=True)
    name = fields.Char("Name", required=True, translate=True)
    description = fields.Text("Description", translate=True)
    category = fields.Selection(CATEGORIES, "Category", required=True)
    category_string = category.translated('category')
    file = fields.Binary("File", required=True, filename='filename')
    filename = fields.Char("File Name", required=True)
    published = fields.Boolean("Published")
    publish_date = fields.Date("Publish Date", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('category', 'ASC'), ('publish_date', 'DESC'), ('id', 'DESC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_category():
        return 'brochure'

    @classmethod
    def default_publish_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def published_domain(cls, company):
        Date = Pool().get('ir.date')
        return [
            ('company', '=', company.id),
            ('published', '=', True),
            ('publish_date', '<=', Date.today()),
            ]
