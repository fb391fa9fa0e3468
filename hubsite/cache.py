"""The hub's cache on Redis, which a Redis outage does not take the hub down with: while Redis
does not answer, each process keeps its cache in its own memory, so pages still answer and
the rate limits (sign-in, the public forms) and the "each code once" check of the second
factor still hold, per process, until Redis is back. A Redis that refuses the hub's password
is not an outage but a mistake: it raises."""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import AuthenticationError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

OUTAGE = (RedisConnectionError, RedisTimeoutError)


class OutageTolerantRedisCache(RedisCache):
    """After a failure Redis is left alone for ``RETRY_AFTER`` seconds, so a Redis that hangs
    costs one timeout every few seconds, not one for every cache call of every request;
    meanwhile every call goes to this process's memory instead."""

    RETRY_AFTER = 5
    # Until when each Redis (by its address) is left alone, shared by every thread's client.
    _down_until = {}

    def __init__(self, server, params):
        super().__init__(server, params)
        self._stand_in = LocMemCache(f"outage-{server}", {"OPTIONS": {"MAX_ENTRIES": 10000}})

    def _call(self, method, *args):
        servers = tuple(self._servers)
        if time.monotonic() >= self._down_until.get(servers, 0):
            try:
                return getattr(super(), method)(*args)
            except AuthenticationError:
                raise  # a wrong password is a mistake to mend, not an outage to ride out
            except OUTAGE as error:
                self._down_until[servers] = time.monotonic() + self.RETRY_AFTER
                log.error(
                    "Cache unavailable (%s); this process keeps it in memory meanwhile",
                    type(error).__name__,
                )
        return getattr(self._stand_in, method)(*args)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        return self._call("clear")
