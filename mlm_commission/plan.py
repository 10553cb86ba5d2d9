# This file is part of the MLM suite. See LICENSE for details.
"""Compensation plans stored as versioned data (docs/plans.md, ADR 0011).

A version holds one entry of the plan document's ``versions`` list as JSON;
the run loads every active or superseded version with the engine's
``load_plan``, so history is recomputed with the version valid on each
order's date.
"""
import datetime as dt
import json

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import PlanError, PlanVersionLockedError

STATES = [
    ('draft', "Draft"),
    ('active', "Active"),
    ('superseded', "Superseded"),
    ]


def parse_document(text):
    "Parse a plan document (JSON, or YAML when PyYAML is present)"
    try:
        return json.loads(text)
    except ValueError:
        import yaml
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exception:
            raise PlanError(gettext(
                    'mlm_commission.msg_plan_unreadable',
                    error=str(exception))) from exception


class Plan(ModelSQL, ModelView):
    __string__ = "Commission Plan"
    __name__ = 'mlm.commission.plan'

    company = fields.Many2One('company.company', "Company", required=True)
    name = fields.Char("Name", required=True)
    currency = fields.Many2One('currency.currency', "Currency", required=True)
    commissionable_on = fields.Selection([
            ('posting', "Invoice Posting"),
            ('payment', "Invoice Payment"),
            ], "Commissionable On", required=True,
        help="When the volume of an invoice becomes commissionable.")
    versions = fields.One2Many(
        'mlm.commission.plan.version', 'plan', "Versions")

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_commissionable_on():
        return 'payment'

    @classmethod
    def default_currency(cls):
        pool = Pool()
        Company = pool.get('company.company')
        company = Transaction().context.get('company')
        if company is not None and company >= 0:
            return Company(company).currency.id

    def document(self, states=('active', 'superseded')):
        "The plan document (dict) of the versions in states"
        versions = sorted(
            (v for v in self.versions if v.state in states),
            key=lambda v: v.valid_from)
        return {
            'name': self.name,
            'currency': self.currency.code,
            'versions': [json.loads(v.document) for v in versions],
            }

    def plan_set(self, extra=None):
        """The engine PlanSet of the active and superseded versions.

        extra is a draft version to add (what-if)."""
        from .engine import EngineInputError, load_plan
        document = self.document()
        if extra is not None:
            document['versions'] = [
                v for v in document['versions']
                if v['valid_from'] != extra.valid_from.isoformat()]
            document['versions'].append(json.loads(extra.document))
        if not document['versions']:
            raise PlanError(gettext(
                    'mlm_commission.msg_plan_no_version', plan=self.rec_name))
        try:
            return load_plan(document, source=self.name)
        except EngineInputError as exception:
            raise PlanError(gettext(
                    'mlm_commission.msg_plan_invalid',
                    plan=self.rec_name,
                    errors='\n'.join(exception.messages))) from exception

    def export_document(self, states=('draft', 'active', 'superseded')):
        "The plan as a JSON text in the simulator's format"
        return json.dumps(
            self.document(states), indent=2, ensure_ascii=False) + '\n'

    @classmethod
    def import_document(cls, text, plan=None):
        """Create a plan (or add to plan) draft versions from a document.

        text is JSON or YAML in the simulator's format; it is validated by
        the engine before anything is created."""
        pool = Pool()
        Version = pool.get('mlm.commission.plan.version')
        Currency = pool.get('currency.currency')
        from .engine import EngineInputError, load_plan
        data = parse_document(text) if isinstance(text, str) else text
        try:
            load_plan(data)
        except EngineInputError as exception:
            raise PlanError(gettext(
                    'mlm_commission.msg_plan_invalid',
                    plan=(data or {}).get('name', '?')
                    if isinstance(data, dict) else '?',
                    errors='\n'.join(exception.messages))) from exception
        if plan is None:
            currencies = Currency.search([('code', '=', data['currency'])])
            if not currencies:
                raise PlanError(gettext(
                        'mlm_commission.msg_plan_currency',
                        currency=data['currency']))
            plan, = cls.create([{
                        'name': data['name'],
                        'currency': currencies[0].id,
                        }])
        Version.create([{
                    'plan': plan.id,
                    'code': str(v['id']),
                    'valid_from': dt.date.fromisoformat(v['valid_from']),
                    'document': json.dumps(v, indent=2, ensure_ascii=False),
                    } for v in data['versions']])
        return plan


class PlanVersion(Workflow, ModelSQL, ModelView):
    __string__ = "Commission Plan Version"
    __name__ = 'mlm.commission.plan.version'

    plan = fields.Many2One(
        'mlm.commission.plan', "Plan", required=True, ondelete='CASCADE',
        states={'readonly': Eval('state') != 'draft'})
    code = fields.Char(
        "Code", required=True,
        states={'readonly': Eval('state') != 'draft'},
        help="The version id recorded on every commission line.")
    valid_from = fields.Date(
        "Valid From", required=True,
        states={'readonly': Eval('state') != 'draft'})
    state = fields.Selection(STATES, "State", required=True, readonly=True)
    document = fields.Text(
        "Document", required=True,
        states={'readonly': Eval('state') != 'draft'},
        help="The version in the plan format (JSON), see docs/plans.md.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.plan, Index.Equality()),
                (t.valid_from, Index.Range())))
        cls._order = [('valid_from', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'active'),
            ('active', 'superseded'),
            }
        cls._buttons.update({
                'activate': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'draft'

    def get_rec_name(self, name):
        return '%s %s' % (self.plan.rec_name, self.code)

    @classmethod
    def validate_fields(cls, versions, field_names):
        super().validate_fields(versions, field_names)
        if field_names and not (
                field_names & {'document', 'code', 'valid_from'}):
            return
        for version in versions:
            version.check_document()

    def check_document(self):
        "The document is valid for the engine and matches code/valid_from"
        from .engine import EngineInputError, load_plan
        try:
            data = json.loads(self.document)
        except ValueError as exception:
            raise PlanError(gettext(
                    'mlm_commission.msg_plan_unreadable',
                    error=str(exception))) from exception
        if (not isinstance(data, dict)
                or str(data.get('id')) != self.code
                or data.get('valid_from') != self.valid_from.isoformat()):
            raise PlanError(gettext(
                    'mlm_commission.msg_plan_version_mismatch',
                    version=self.rec_name))
        try:
            load_plan({
                    'name': self.plan.name,
                    'currency': self.plan.currency.code,
                    'versions': [data],
                    })
        except EngineInputError as exception:
            raise PlanError(gettext(
                    'mlm_commission.msg_plan_invalid',
                    plan=self.rec_name,
                    errors='\n'.join(exception.messages))) from exception

    @classmethod
    def check_modification(cls, mode, versions, values=None, external=False):
        super().check_modification(
            mode, versions, values=values, external=external)
        if mode == 'write' and values and set(values) <= {'state'}:
            return
        if mode in {'write', 'delete'}:
            for version in versions:
                if version.state != 'draft':
                    raise PlanVersionLockedError(gettext(
                            'mlm_commission.msg_plan_version_locked',
                            version=version.rec_name))

    @classmethod
    def copy(cls, versions, default=None):
        default = default.copy() if default else {}
        default.setdefault('state', 'draft')
        return super().copy(versions, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('active')
    def activate(cls, versions):
        "Activate the drafts; the active versions they follow are superseded"
        for version in versions:
            others = cls.search([
                    ('plan', '=', version.plan.id),
                    ('state', '!=', 'draft'),
                    ('id', '!=', version.id),
                    ])
            same = [o for o in others if o.valid_from == version.valid_from]
            if same:
                raise PlanError(gettext(
                        'mlm_commission.msg_plan_version_same_date',
                        version=version.rec_name, other=same[0].rec_name))
            version.plan.plan_set(extra=version)
            older = [o for o in others
                if o.state == 'active' and o.valid_from < version.valid_from]
            if older:
                cls.supersede(older)

    @classmethod
    @Workflow.transition('superseded')
    def supersede(cls, versions):
        pass
