"""Reference implementation: plain, slow, obviously correct Python for every component.

It walks the trees one partner at a time with lists and dicts, computes
amounts with :class:`decimal.Decimal` (``ROUND_HALF_UP`` to the cent), and
never uses numpy for arithmetic.  Property tests compare it with the
vectorised engine line by line; the benchmark reports the speed ratio.
Entry point: :func:`.period.run_period` (same inputs as the engine's).
"""
