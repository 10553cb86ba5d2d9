# This file is part of the MLM suite. See LICENSE for details.
"""Bulk import of an existing organisation from CSV.

    number,name,sponsor,join_date,status,tax_status,vat_id,iban,
    street,postal_code,city,country,termination_date,termination_reason

``number``, ``name`` and ``join_date`` (YYYY-MM-DD) are required;
``sponsor`` is the number of a partner in the file or in the database;
``status`` is applicant, active, inactive, suspended or terminated (default
active; terminated needs ``termination_date``, the reason is optional);
``tax_status`` is regular, small_business or reverse_charge (default
regular).  The optional address (``street``, ``postal_code``, ``city`` and
``country`` as ISO code, default DE) becomes the party's address; a city is
required when any address column is filled.  Every line is validated first
and every problem is reported with its line number; nothing is written
unless all lines are valid.  The rows are then written set-based (COPY on
PostgreSQL), not through the ORM.
"""
import csv
import dataclasses
import datetime as dt
import functools
import io
import logging
import time

from sql import Column, Literal, Table
from sql.aggregate import Count
from stdnum import iban as stdnum_iban
from stdnum.eu import vat as stdnum_vat

from trytond import backend
from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.transaction import Transaction

from . import bulk
from .distributor import TAX_STATUSES
from .downline_stats import refresh_downline_stats
from .partner_csv import (
    COLUMNS, DEFAULT_COUNTRY, IMPORT_STATUSES, REQUIRED)

__all__ = ['import_partners', 'ImportReport', 'COLUMNS']
logger = logging.getLogger(__name__)

# the parties of imported partners are coded after the partner number
PARTY_CODE = 'VP%s'
TAX_STATUS_CODES = [s for s, _ in TAX_STATUSES]


@dataclasses.dataclass
class ImportReport:
    "The outcome of an import: errors (line, message) or the counts"
    errors: list = dataclasses.field(default_factory=list)
    lines: int = 0
    created: int = 0
    roots: int = 0
    max_depth: int = 0
    addresses: int = 0
    terminated: int = 0

    @property
    def ok(self):
        return not self.errors


@dataclasses.dataclass(slots=True)
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
    street: str = ''
    postal_code: str = ''
    city: str = ''
    country: str = ''
    termination_date: dt.date = None
    termination_reason: str = ''

    @property
    def has_address(self):
        return bool(self.city)


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
    today = functools.cache(Pool().get('ir.date').today)
    with _open(path_or_file) as file:
        reader = csv.reader(file)
        header = [h.strip() for h in next(reader, [])]
        if not set(REQUIRED) <= set(header):
            report.errors.append((1, gettext(
                        'mlm_network.msg_import_header',
                        columns=', '.join(COLUMNS))))
            return rows
        # the first column of each known name; absent ones read the ''
        # appended after the values
        width = len(header)
        positions = [
            header.index(c) if c in header else width for c in COLUMNS]
        padding = [''] * (width + 1)
        dates = {}
        for values in reader:
            if not values:
                continue
            values += padding[len(values):]
            values = dict(zip(COLUMNS, [values[i].strip() for i in positions]))
            report.lines += 1
            row = _parse_row(reader.line_num, values, dates, today, report)
            if row:
                rows.append(row)
    if not rows and not report.errors:
        report.errors.append((1, gettext('mlm_network.msg_import_empty')))
    return rows


def _date(line, values, column, dates, errors):
    "Parse the date of column (dates caches the few distinct values)"
    text = values[column]
    try:
        return dates[text]
    except KeyError:
        pass
    try:
        date = dates[text] = dt.date.fromisoformat(text)
        return date
    except ValueError:
        errors.append(gettext(
                'mlm_network.msg_import_date', line=line,
                value=text, column=column))


def _parse_row(line, values, dates, today, report):
    errors = []
    for column in REQUIRED:
        if not values[column]:
            errors.append(gettext(
                    'mlm_network.msg_import_required', line=line,
                    column=column))
    join_date = None
    if values['join_date']:
        join_date = _date(line, values, 'join_date', dates, errors)
    status = values['status'] or 'active'
    if status not in IMPORT_STATUSES:
        errors.append(gettext(
                'mlm_network.msg_import_selection', line=line,
                value=status, column='status',
                allowed=', '.join(IMPORT_STATUSES)))
    tax_status = values['tax_status'] or 'regular'
    if tax_status not in TAX_STATUS_CODES:
        errors.append(gettext(
                'mlm_network.msg_import_selection', line=line,
                value=tax_status, column='tax_status',
                allowed=', '.join(TAX_STATUS_CODES)))
    vat_id = values['vat_id']
    if vat_id:
        if not stdnum_vat.is_valid(vat_id):
            errors.append(gettext(
                    'mlm_network.msg_import_vat', line=line, vat=vat_id))
        else:
            vat_id = stdnum_vat.compact(vat_id)
    elif tax_status == 'reverse_charge':
        errors.append(gettext(
                'mlm_network.msg_import_reverse_charge_vat', line=line))
    iban = values['iban']
    if iban:
        if not stdnum_iban.is_valid(iban):
            errors.append(gettext(
                    'mlm_network.msg_import_iban', line=line, iban=iban))
        else:
            iban = stdnum_iban.compact(iban)
    country = _parse_address(line, values, errors)
    termination_date = _parse_termination(
        line, values, status, join_date, dates, today, errors)
    report.errors.extend((line, e) for e in errors)
    if errors:
        return None
    return Row(
        line, values['number'], values['name'], values['sponsor'],
        join_date, status, tax_status, vat_id, iban, values['street'],
        values['postal_code'], values['city'], country, termination_date,
        values['termination_reason'])


def _parse_address(line, values, errors):
    "Return the country code of the address ('' without address)"
    if not (values['street'] or values['postal_code'] or values['city']
            or values['country']):
        return ''
    country = (values['country'] or DEFAULT_COUNTRY).upper()
    if not values['city']:
        errors.append(gettext(
                'mlm_network.msg_import_address_city', line=line))
    postal_code = values['postal_code']
    if (country == 'DE' and postal_code
            and not (len(postal_code) == 5 and postal_code.isdigit())):
        errors.append(gettext(
                'mlm_network.msg_import_postal_code', line=line,
                postal_code=postal_code, country=country))
    return country


def _parse_termination(
        line, values, status, join_date, dates, today, errors):
    "Return the termination date of a terminated partner"
    if status != 'terminated':
        for column in ['termination_date', 'termination_reason']:
            if values[column]:
                errors.append(gettext(
                        'mlm_network.msg_import_termination_status',
                        line=line, column=column))
        return None
    if not values['termination_date']:
        errors.append(gettext(
                'mlm_network.msg_import_termination_date_required',
                line=line))
        return None
    date = _date(line, values, 'termination_date', dates, errors)
    if date and join_date and date < join_date:
        errors.append(gettext(
                'mlm_network.msg_import_termination_before_join',
                line=line, date=date, join_date=join_date))
    if date and date > today():
        errors.append(gettext(
                'mlm_network.msg_import_termination_future',
                line=line, date=date))
    return date


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


def _present(table, column, values, company=None):
    """Return the subset of values found in column of table.

    Looking up a million keys one index probe at a time is slower than
    reading the column of a table that has fewer rows than keys (the
    usual migration into an empty or small database)."""
    values = set(values)
    if not values:
        return set()
    cursor = Transaction().connection.cursor()
    sql_table = Table(table)
    where = None
    if company is not None:
        where = sql_table.company == int(company)
    cursor.execute(*sql_table.select(Count(Literal(1)), where=where))
    size, = cursor.fetchone()
    if size < len(values):
        cursor.execute(*sql_table.select(
                Column(sql_table, column), where=where))
        return {v for v, in cursor if v in values}
    query = 'SELECT "%s" FROM "%s" WHERE ' % (column, table)
    if company is not None:
        query += 'company = %s AND ' % int(company)
    query += '"%s" ' % column
    return {v for v, in _any(cursor, query + '%s', values)}


def existing_distributors(numbers, company):
    """Return {number: (id, path, depth, join_date, status,
    termination_date)} found in database"""
    company = int(company)
    found = _present('mlm_distributor', 'number', numbers, company)
    cursor = Transaction().connection.cursor()
    query = ('SELECT number, id, path, depth, join_date, status, '
        'termination_date FROM mlm_distributor WHERE company = %s '
        'AND number ' % company + '%s')
    return {number: tuple(values)
        for number, *values in _any(cursor, query, found)}


def validate(rows, report, company):
    "Check numbers, sponsors, dates, countries and cycles across all rows"
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
    seen, ordered = set(), True
    for row in rows:
        if row.number in existing:
            report.errors.append((row.line, gettext(
                        'mlm_network.msg_import_number_exists',
                        line=row.line, number=row.number)))
        if row.sponsor:
            _validate_sponsor(row, by_number, existing, report)
            if row.sponsor in by_number and row.sponsor not in seen:
                ordered = False
        seen.add(row.number)
    if not ordered:
        # a cycle needs a sponsor that comes after its partner
        _validate_cycles(rows, by_number, report)
    countries = country_ids({r.country for r in rows if r.country})
    for row in rows:
        if row.country and row.country not in countries:
            report.errors.append((row.line, gettext(
                        'mlm_network.msg_import_country', line=row.line,
                        country=row.country)))
    for line, code in existing_party_codes(rows):
        report.errors.append((line, gettext(
                    'mlm_network.msg_import_party_code', line=line,
                    code=code)))
    report.errors.sort(key=lambda e: e[0])
    return existing


def _validate_sponsor(row, by_number, existing, report):
    if row.sponsor in by_number:
        sponsor = by_number[row.sponsor]
        sponsor_join, status, terminated = (
            sponsor.join_date, sponsor.status, sponsor.termination_date)
    elif row.sponsor in existing:
        _, _, _, sponsor_join, status, terminated = existing[row.sponsor]
    else:
        report.errors.append((row.line, gettext(
                    'mlm_network.msg_import_sponsor_unknown',
                    line=row.line, sponsor=row.sponsor)))
        return
    if sponsor_join and row.join_date and sponsor_join > row.join_date:
        report.errors.append((row.line, gettext(
                    'mlm_network.msg_import_sponsor_date',
                    line=row.line, sponsor=row.sponsor,
                    date=row.join_date)))
    if status != 'terminated':
        return
    # below a terminated sponsor only partners terminated themselves
    # remain (the others were rolled up), and they joined before
    if row.status != 'terminated':
        report.errors.append((row.line, gettext(
                    'mlm_network.msg_import_sponsor_terminated',
                    line=row.line, sponsor=row.sponsor)))
    elif terminated and row.join_date and row.join_date > terminated:
        report.errors.append((row.line, gettext(
                    'mlm_network.msg_import_sponsor_terminated_before',
                    line=row.line, sponsor=row.sponsor, date=terminated)))


def _validate_cycles(rows, by_number, report):
    "Walk each chain iteratively (no recursion limit)"
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


def country_ids(codes):
    "Return {ISO code: id} of the countries of codes found in database"
    if not codes:
        return {}
    cursor = Transaction().connection.cursor()
    country = Table('country_country')
    cursor.execute(*country.select(
            country.code, country.id, where=country.code.in_(list(codes))))
    return dict(cursor)


def existing_party_codes(rows):
    "Yield (line, code) of the rows whose party code is taken"
    lines = {PARTY_CODE % r.number: r.line for r in rows}
    for code in _present('party_party', 'code', lines):
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


def compute_paths(rows, existing, id_of):
    """Return ({number: path}, {number: depth}) of the rows.

    Sponsors before their partners without recursion; the sponsors already
    in the database come from existing."""
    by_number = {r.number: r for r in rows}
    paths, depths = {}, {}
    for number, values in existing.items():
        paths[number], depths[number] = values[1], values[2]
    for row in rows:
        number, sponsor = row.number, row.sponsor
        if sponsor in paths:
            # the usual case: the sponsor comes first
            paths[number] = '%s%s/' % (paths[sponsor], id_of[number])
            depths[number] = depths[sponsor] + 1
            continue
        chain = []
        while number not in paths:
            chain.append(number)
            sponsor = by_number[number].sponsor
            if not sponsor:
                break
            number = sponsor
        for member in reversed(chain):
            sponsor = by_number[member].sponsor
            if sponsor:
                paths[member] = '%s%s/' % (paths[sponsor], id_of[member])
                depths[member] = depths[sponsor] + 1
            else:
                paths[member] = '%s/' % id_of[member]
                depths[member] = 0
    return paths, depths


def write(rows, existing, company, report):
    """Write validated rows set-based and fill the counts of report.

    The rows are written in the order of their paths (depth-first, the
    byte order of the path key index): every imported downline is then a
    contiguous block of the tables and PostgreSQL reads a downline of
    100,000 members from a few thousand neighbouring pages instead of most
    of the table (ADR 0025)."""
    n = len(rows)
    party_ids = bulk.allocate_ids('party_party', n)
    distributor_ids = bulk.allocate_ids('mlm_distributor', n)
    id_of = {r.number: i for r, i in zip(rows, distributor_ids)}
    party_of = {r.number: p for r, p in zip(rows, party_ids)}
    paths, depths = compute_paths(rows, existing, id_of)
    rows = sorted(rows, key=lambda r: paths[r.number])
    party_ids = [party_of[r.number] for r in rows]

    def sponsor_id(row):
        if not row.sponsor:
            return None
        if row.sponsor in id_of:
            return id_of[row.sponsor]
        return existing[row.sponsor][0]

    tables = ['party_party', 'party_identifier', 'party_address',
        'bank_account', 'bank_account_number', 'bank_account-party_party',
        'mlm_distributor', 'mlm_genealogy_event']
    with bulk.loading(tables, n):
        bulk.write_rows(
            'party_party', ['id', 'name', 'code', 'code_alnum', 'active'],
            ((p, r.name, PARTY_CODE % r.number, PARTY_CODE % r.number, True)
                for p, r in zip(party_ids, rows)))
        report.addresses = _write_addresses(party_ids, rows)
        vat_rows = [(p, r) for p, r in zip(party_ids, rows) if r.vat_id]
        bulk.write_rows(
            'party_identifier',
            ['party', 'type', 'code', 'code_compact', 'sequence', 'active'],
            ((p, 'eu_vat', r.vat_id, r.vat_id, 10, True) for p, r in vat_rows))
        account_of = _write_bank_accounts(party_ids, rows)
        bulk.write_rows(
            'mlm_distributor',
            ['id', 'company', 'party', 'number', 'status', 'status_date',
                'status_reason', 'join_date', 'termination_date', 'sponsor',
                'path', 'depth', 'tax_status', 'bank_account'],
            ((id_of[r.number], company, p, r.number, r.status,
                    r.termination_date or r.join_date,
                    r.termination_reason or None, r.join_date,
                    r.termination_date, sponsor_id(r), paths[r.number],
                    depths[r.number], r.tax_status, account_of.get(r.number))
                for p, r in zip(party_ids, rows)))
        user = Transaction().user or None
        bulk.write_rows(
            'mlm_genealogy_event',
            ['company', 'kind', 'distributor', 'valid_from', 'new_sponsor',
                'requester', 'approver'],
            ((company, 'sponsor', id_of[r.number], r.join_date,
                    sponsor_id(r), user, user) for r in rows))
        terminated = [r for r in rows if r.status == 'terminated']
        bulk.write_rows(
            'mlm_genealogy_event',
            ['company', 'kind', 'distributor', 'valid_from', 'old_status',
                'new_status', 'reason', 'requester', 'approver'],
            ((company, 'status', id_of[r.number], r.termination_date,
                    'active', 'terminated', r.termination_reason or None,
                    user, user) for r in terminated))
    _bump_sequence(rows)
    # the rows bypassed the ORM that keeps the downline statistics exact
    refresh_downline_stats()
    report.created = n
    report.terminated = len(terminated)
    report.roots = sum(1 for r in rows if not r.sponsor)
    report.max_depth = max(depths[r.number] for r in rows) if rows else 0
    return report


def _write_addresses(party_ids, rows):
    "Write the address of the rows that have one; return their number"
    addressed = [(p, r) for p, r in zip(party_ids, rows) if r.has_address]
    countries = country_ids({r.country for _, r in addressed})
    bulk.write_rows(
        'party_address',
        ['party', 'street_unstructured', 'postal_code', 'city', 'country',
            'sequence', 'active'],
        ((p, r.street or None, r.postal_code or None, r.city,
                countries[r.country], 10, True) for p, r in addressed))
    return len(addressed)


def _write_bank_accounts(party_ids, rows):
    "Write the IBAN accounts; return {number: account id}"
    iban_rows = [(p, r) for p, r in zip(party_ids, rows) if r.iban]
    account_ids = bulk.allocate_ids('bank_account', len(iban_rows))
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
    return {r.number: a for a, (_, r) in zip(account_ids, iban_rows)}


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
