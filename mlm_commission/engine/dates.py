"""Dates as integer day numbers (days since 1970-01-01) for vectorised comparison."""
import datetime as dt

EPOCH = dt.date(1970, 1, 1)
NO_DATE = -1


def parse_day(text):
    """``"2024-07-31"`` -> day number; raises ``ValueError`` with a reason."""
    if not isinstance(text, str):
        raise ValueError(f'expected a date "YYYY-MM-DD", got {text!r}')
    try:
        return (dt.date.fromisoformat(text) - EPOCH).days
    except ValueError:
        raise ValueError(f'not a date "YYYY-MM-DD": {text!r}') from None


def format_day(day):
    """Day number -> ``"YYYY-MM-DD"``."""
    return (EPOCH + dt.timedelta(days=int(day))).isoformat()
