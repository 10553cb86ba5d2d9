# This file is part of the MLM suite. See LICENSE for details.
from trytond.exceptions import RateLimitException
from trytond.res.user import LoginAttempt

# attempts per key and per IP network within the session timeout
LIMITS = {
    'reset': (3, 30),
    'register': (None, 20),
    }


class Attempt(LoginAttempt):
    """Portal Attempt

    The password reset requests and registrations of the portal, counted to
    throttle them per address and per IP network."""
    __string__ = "Portal Attempt"
    __name__ = 'mlm.portal.attempt'
    _table = None

    @classmethod
    def check(cls, kind, key):
        "Count an attempt of kind for key; raise when over the limit"
        per_key, per_ip = LIMITS[kind]
        login = '%s:%s' % (kind, key)
        if per_ip is not None and cls.count_ip_kind(kind) >= per_ip:
            raise RateLimitException()
        if per_key is not None and cls.count(login) >= per_key:
            raise RateLimitException()
        cls.add(login)

    @classmethod
    def count_ip_kind(cls, kind):
        from sql.aggregate import Count
        from trytond.transaction import Transaction
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        table = cls.__table__()
        _, ip_network = transaction.remote_address()
        ip_network = str(ip_network) if ip_network else None
        cursor.execute(*table.select(Count(),
                where=(table.ip_network == ip_network)
                & table.login.like(kind + ':%')
                & (table.create_date >= cls.delay())))
        return cursor.fetchone()[0]
