"""Counts the SQL queries of every request and puts the count in a response header, for the
benchmark only: ``hubsite/settings.py`` adds it when ``HUB_BENCH`` is set, never otherwise."""

import time
from contextlib import ExitStack

from django.db import connections

QUERIES_HEADER = "X-Bench-Queries"
QUERY_TIME_HEADER = "X-Bench-Query-Ms"


class _Counter:
    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


class QueryCountMiddleware:
    """Outermost, so that it counts the queries of the session, the signed-in user and every
    other middleware as well as the view's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        counter = _Counter()
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(counter))
            response = self.get_response(request)
        response[QUERIES_HEADER] = str(counter.count)
        response[QUERY_TIME_HEADER] = f"{counter.seconds * 1000:.2f}"
        return response
