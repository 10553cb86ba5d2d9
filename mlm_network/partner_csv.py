# This file is part of the MLM suite. See LICENSE for details.
"""The CSV layout of ``mlm import partners``.

No trytond import here: the ``mlm`` command reads it to build its help before
the configuration, and so the database backend, is known."""

COLUMNS = [
    'number', 'name', 'sponsor', 'join_date', 'status', 'tax_status',
    'vat_id', 'iban', 'street', 'postal_code', 'city', 'country',
    'termination_date', 'termination_reason']
REQUIRED = ['number', 'name', 'join_date']
ADDRESS_COLUMNS = ['street', 'postal_code', 'city', 'country']
IMPORT_STATUSES = ['applicant', 'active', 'inactive', 'suspended', 'terminated']
DEFAULT_COUNTRY = 'DE'
