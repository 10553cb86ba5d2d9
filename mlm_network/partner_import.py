# This file is part of the MLM suite. See LICENSE for details.
"""Bulk import of an existing organisation from CSV.

    number,name,sponsor,join_date,status,tax_status,vat_id,iban

``number``, ``name`` and ``join_date`` (YYYY-MM-DD) are required;
``sponsor`` is the number of a partner in the file or in the database;
``status`` is applicant, active, inactive or suspended (default active);
``tax_status`` is regular, small_business or reverse_charge (default
regular).  Every line is validated first and every problem is reported with
its line number; nothing is written unless all lines are valid.  The rows
are then written set-based (COPY on PostgreSQL), not through the ORM.
"""
import csv
import dataclasses
import datetime as dt
import io
import logging
import time

from stdnum import iban as stdnum_iban
from stdnum.eu import vat as stdnum_vat

from trytond import backend
from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.transaction import Transaction

from . import bulk
from .partner_csv import COLUMNS, IMPORT_STATUSES, REQUIRED
from .distributor import TAX_STATUSES

__all__ = ['import_partners', 'ImportReport', 'COLUMNS']
logger = logging.getLogger(__name__)

# the parties of imported partners are coded after the partner number
PARTY_CODE = 'VP%s'


@dataclasses.dataclass
class ImportReport:
    "The outcome of an import: errors (line, message) or the counts"
    errors: list = dataclasses.field(default_factory=list)
    lines: int = 0
    created: int = 0
    roots: int = 0
    max_depth: int = 0

    @property
    def ok(self):
        return not self.errors


@dataclasses.dataclass
class Row:
    line: int
    number: str
    name: str
    sponsor: str
    join_date: dt.date
    status: str
    tax_status: str
    vat_id: str
    iban: str


def _open(path_or_file):
    if hasattr(path_or_file, 'read'):
        content = path_or_file.read()
        if isinstance(content, bytes):
            content = content.decode('utf-8-sig')
        return io.StringIO(content)
    return open(path_or_file, newline='', encoding='utf-8-sig')


def parse(path_or_file, report):
    "Return the rows of the file, adding the line problems to report"
    rows = []
    with _open(path_or_file) as file:
        reader = csv.DictReader(file)
        header = [h.strip() for h in (reader.fieldnames or [])]
        if not set(REQUIRED) <= set(header):
            report.errors.append((1, gettext(
                        'mlm_network.msg_import_header',
                        columns=', '.join(COLUMNS))))
            return rows
        reader.fieldnames = header
        for values in reader:
            line = reader.line_num
            values = {k: (v or '').strip() for k, v in values.items()
                if k is not None}
            report.lines += 1
            row = _parse_row(line, values, report)
            if row:
                rows.append(row)
    if not rows and not report.errors:
        report.errors.append((1, gettext('mlm_network.msg_import_empty')))
    return rows


def _parse_row(line, values, report):
    errors = []
    for column in REQUIRED:
        if not values.get(column):
            errors.append(gettext(
                    'mlm_network.msg_import_required', line=line,
                    column=column))
    join_date = None
    if values.get('join_date'):
        try:
            join_date = dt.date.fromisoformat(values['join_date'])
        except ValueError:
            errors.append(gettext(
                    'mlm_network.msg_import_date', line=line,
                    value=values['join_date'], column='join_date'))
    status = values.get('status') or 'active'
    if status not in IMPORT_STATUSES:
        errors.append(gettext(
                'mlm_network.msg_import_selection', line=line,
                value=status, column='status',
                allowed=', '.join(IMPORT_STATUSES)))
    tax_status = values.get('tax_status') or 'regular'
    tax_statuses = [s for s, _ in TAX_STATUSES]
    if tax_status not in tax_statuses:
        errors.append(gettext(
                'mlm_network.msg_import_selection', line=line,
                value=tax_status, column='tax_status',
                allowed=', '.join(tax_statuses)))
    vat_id = values.get('vat_id', '')
    if vat_id:
        if not stdnum_vat.is_valid(vat_id):
            errors.append(gettext(
                    'mlm_network.msg_import_vat', line=line, vat=vat_id))
        else:
            vat_id = stdnum_vat.compact(vat_id)
    elif tax_status == 'reverse_charge':
        errors.append(gettext(
                'mlm_network.msg_import_reverse_charge_vat', line=line))
    iban = values.get('iban', '')
    if iban:
        if not stdnum_iban.is_valid(iban):
            errors.append(gettext(
                    'mlm_network.msg_import_iban', line=line, iban=iban))
        else:
            iban = stdnum_iban.compact(iban)
    report.errors.extend((line, e) for e in errors)
    if errors:
        return None
    return Row(
        line=line, number=values['number'], name=values['name'],
        sponsor=values.get('sponsor', ''), join_date=join_date,
        status=status, tax_status=tax_status, vat_id=vat_id, iban=iban)


def _chunks(values, size=None):
    values = list(values)
    if size is None:
        # SQLite limits the number of parameters of a query
        size = 100000 if backend.name == 'postgresql' else 500
    for index in range(0, len(values), size):
        yield values[index:index + size]


def _any(cursor, query, values):
    """Execute query (with one %s for an array) over chunks of values.

    One array parameter instead of an IN list: a million numbers take a
    few queries instead of a thousand."""
    for chunk in _chunks(values):
        if backend.name == 'postgresql':
            cursor.execute(query % '= ANY(%s)', (chunk,))
        else:
            cursor.execute(
                query % ('IN (%s)' % ', '.join(['?'] * len(chunk))), chunk)
        yield from cursor


def existing_distributors(numbers, company):
    "Return {number: (id, path, depth, join_date, status)} found in database"
    cursor = Transaction().connection.cursor()
    query = ('SELECT number, id, path, depth, join_date, status '
        'FROM mlm_distributor WHERE company = %s AND number ' % int(company)
        + '%s')
    return {number: tuple(values)
        for number, *values in _any(cursor, query, numbers)}


def validate(rows, report, company):
    "Check numbers, sponsors, dates and cycles across all rows"
    by_number = {}
    for row in rows:
        if row.number in by_number:
            report.errors.append((row.line, gettext(
                        'mlm_network.msg_import_number_duplicate',
                        line=row.line, number=row.number,
                        other=by_number[row.number].line)))
        else:
            by_number[row.number] = row
    existing = existing_distributors(
        set(by_number) | {r.sponsor for r in rows if r.sponsor}, company)
    for row in rows:
        if row.number in existing:
            report.errors.append((row.line, gettext(
                        'mlm_network.msg_import_number_exists',
                        line=row.line, number=row.number)))
        if not row.sponsor:
            continue
        if row.sponsor in by_number:
            sponsor_join = by_number[row.sponsor].join_date
        elif row.sponsor in existing:
            sponsor_join = existing[row.sponsor][3]
            if existing[row.sponsor][4] == 'terminated':
                report.errors.append((row.line, gettext(
                            'mlm_network.msg_sponsor_terminated',
                            sponsor=row.sponsor)))
        else:
            report.errors.append((row.line, gettext(
                        'mlm_network.msg_import_sponsor_unknown',
                        line=row.line, sponsor=row.sponsor)))
            continue
        if sponsor_join and row.join_date and sponsor_join > row.join_date:
            report.errors.append((row.line, gettext(
                        'mlm_network.msg_import_sponsor_date',
                        line=row.line, sponsor=row.sponsor,
                        date=row.join_date)))
    # cycles: walk each chain iteratively (no recursion limit)
    state = {}  # number -> 1 visiting, 2 done
    for row in rows:
        if state.get(row.number):
            continue
        chain = []
        number = row.number
        while (number in by_number and not state.get(number)):
            state[number] = 1
            chain.append(number)
            number = by_number[number].sponsor
        if number in by_number and state.get(number) == 1:
            # the chain closes on itself from number on
            cycle = chain[chain.index(number):]
            for member in cycle:
                member_row = by_number[member]
                report.errors.append((member_row.line, gettext(
                            'mlm_network.msg_import_cycle',
                            line=member_row.line, number=member)))
        for member in chain:
            state[member] = 2
    for line, code in existing_party_codes(rows):
        report.errors.append((line, gettext(
                    'mlm_network.msg_import_party_code', line=line,
                    code=code)))
    report.errors.sort(key=lambda e: e[0])
    return existing


def existing_party_codes(rows):
    "Yield (line, code) of the rows whose party code is taken"
    cursor = Transaction().connection.cursor()
    lines = {PARTY_CODE % r.number: r.line for r in rows}
    for code, in _any(cursor,
            'SELECT code FROM party_party WHERE code %s', lines):
        yield lines[code], code


def import_partners(path_or_file, company=None):
    """Validate and import the partners of a CSV file.

    Runs inside an open transaction.  Returns an ImportReport; when it has
    errors nothing was written."""
    pool = Pool()
    Configuration = pool.get('mlm.network.configuration')
    company = company or Transaction().context.get('company')
    report = ImportReport()
    start = time.perf_counter()
    rows = parse(path_or_file, report)
    logger.info('parsed %s lines in %.1f s', report.lines,
        time.perf_counter() - start)
    existing = validate(rows, report, company)
    logger.info('validated in %.1f s', time.perf_counter() - start)
    if report.errors:
        return report
    Configuration(1)  # the configuration must exist
    write(rows, existing, company, report)
    logger.info('written in %.1f s', time.perf_counter() - start)
    return report


def write(rows, existing, company, report):
    "Write validated rows set-based and fill the counts of report"
    n = len(rows)
    party_ids = bulk.allocate_ids('party_party', n)
    distributor_ids = bulk.allocate_ids('mlm_distributor', n)
    id_of = {r.number: i for r, i in zip(rows, distributor_ids)}
    by_number = {r.number: r for r in rows}

    # paths in topological order without recursion
    paths, depths = {}, {}
    for number, (id_, path, depth, _, _) in existing.items():
        paths[number], depths[number] = path, depth
    for row in rows:
        chain = []
        number = row.number
        while number not in paths:
            chain.append(number)
            sponsor = by_number[number].sponsor
            if not sponsor:
                break
            number = sponsor
        for member in reversed(chain):
            sponsor = by_number[member].sponsor
            prefix = paths[sponsor] if sponsor else ''
            paths[member] = '%s%s/' % (prefix, id_of[member])
            depths[member] = depths[sponsor] + 1 if sponsor else 0

    def sponsor_id(row):
        if not row.sponsor:
            return None
        if row.sponsor in id_of:
            return id_of[row.sponsor]
        return existing[row.sponsor][0]

    tables = ['party_party', 'party_identifier', 'bank_account',
        'bank_account_number', 'bank_account-party_party',
        'mlm_distributor', 'mlm_genealogy_event']
    with bulk.loading(tables, n):
        bulk.write_rows(
            'party_party', ['id', 'name', 'code', 'code_alnum', 'active'],
            ((p, r.name, PARTY_CODE % r.number, PARTY_CODE % r.number, True)
                for p, r in zip(party_ids, rows)))
        vat_rows = [(p, r) for p, r in zip(party_ids, rows) if r.vat_id]
        bulk.write_rows(
            'party_identifier',
            ['party', 'type', 'code', 'code_compact', 'sequence', 'active'],
            ((p, 'eu_vat', r.vat_id, r.vat_id, 10, True) for p, r in vat_rows))
        iban_rows = [(p, r) for p, r in zip(party_ids, rows) if r.iban]
        account_ids = bulk.allocate_ids('bank_account', len(iban_rows))
        account_of = {}
        for account_id, (_, row) in zip(account_ids, iban_rows):
            account_of[row.number] = account_id
        bulk.write_rows('bank_account', ['id', 'active'],
            ((a, True) for a in account_ids))
        bulk.write_rows(
            'bank_account_number',
            ['account', 'type', 'number', 'number_compact', 'sequence',
                'active'],
            ((a, 'iban', stdnum_iban.format(r.iban), r.iban, 10, True)
                for a, (_, r) in zip(account_ids, iban_rows)))
        bulk.write_rows('bank_account-party_party', ['account', 'owner'],
            ((a, p) for a, (p, _) in zip(account_ids, iban_rows)))
        bulk.write_rows(
            'mlm_distributor',
            ['id', 'company', 'party', 'number', 'status', 'status_date',
                'join_date', 'sponsor', 'path', 'depth', 'tax_status',
                'bank_account'],
            ((id_of[r.number], company, p, r.number, r.status, r.join_date,
                    r.join_date, sponsor_id(r), paths[r.number],
                    depths[r.number], r.tax_status, account_of.get(r.number))
                for p, r in zip(party_ids, rows)))
        user = Transaction().user or None
        bulk.write_rows(
            'mlm_genealogy_event',
            ['company', 'kind', 'distributor', 'valid_from', 'new_sponsor',
                'requester', 'approver'],
            _events(rows, id_of, sponsor_id, company, user))
    _bump_sequence(rows)
    report.created = n
    report.roots = sum(1 for r in rows if not r.sponsor)
    report.max_depth = max(depths[r.number] for r in rows) if rows else 0
    return report


def _bump_sequence(rows):
    "Let the partner sequence continue after the highest imported number"
    pool = Pool()
    Configuration = pool.get('mlm.network.configuration')
    sequence = Configuration(1).partner_sequence
    numbers = [int(r.number) for r in rows if r.number.isdigit()]
    if (numbers and sequence.type == 'incremental'
            and not sequence.prefix and not sequence.suffix
            and sequence.number_next <= max(numbers)):
        sequence.number_next = max(numbers) + 1
        sequence.save()


def _events(rows, id_of, sponsor_id, company, user):
    for row in rows:
        distributor = id_of[row.number]
        yield (company, 'sponsor', distributor, row.join_date,
            sponsor_id(row), user, user)
