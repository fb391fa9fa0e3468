"""The hub's cache on Redis, which a Redis outage does not take the hub down with: while Redis
does not answer, a read finds nothing, a write is dropped and a lock is granted, so pages
still answer and rate limits let requests through until Redis is back."""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

OUTAGE = (RedisConnectionError, RedisTimeoutError)


class OutageTolerantRedisCache(RedisCache):
    """After a failure Redis is left alone for ``RETRY_AFTER`` seconds, so a Redis that hangs
    costs one timeout every few seconds, not one for every cache call of every request."""

    RETRY_AFTER = 5
    # Until when each Redis (by its address) is left alone, shared by every thread's client.
    _down_until = {}

    def _call(self, method, fallback, *args):
        servers = tuple(self._servers)
        if time.monotonic() < self._down_until.get(servers, 0):
            return fallback
        try:
            return getattr(super(), method)(*args)
        except OUTAGE as error:
            self._down_until[servers] = time.monotonic() + self.RETRY_AFTER
            log.warning("Cache unavailable (%s); carrying on without it", type(error).__name__)
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # Granted: allauth takes a lock with add() before counting a rate limit.
        return self._call("add", True, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def clear(self):
        return self._call("clear", False)
