"""The hub's cache while its Redis is away: each process keeps the cache in its own memory,
so the limits and the second factor's "each code once" still hold; when Redis is back, the
cache is Redis again; and a Redis that refuses the hub's password raises, as a mistake."""

import pytest
from redis.exceptions import AuthenticationError

from hubsite.cache import OutageTolerantRedisCache


def cache_at(url):
    cache = OutageTolerantRedisCache(
        url, {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
    )
    OutageTolerantRedisCache._down_until.clear()
    return cache


def test_while_redis_is_away_a_lock_is_granted_once_and_counts_still_count(own_redis):
    cache = cache_at(own_redis.url)
    assert cache.add("before", 1)
    own_redis.stop()

    assert cache.add("totp-used", 1, 60) is True
    assert cache.add("totp-used", 1, 60) is False  # a code is still used once
    cache.set("attempts", 4, 60)
    assert cache.incr("attempts") == 5
    assert cache.get("attempts") == 5

    own_redis.start()
    OutageTolerantRedisCache._down_until.clear()  # the pause before trying Redis again
    assert cache.add("after", 1) is True
    assert cache.get("after") == 1


def test_a_redis_that_refuses_the_password_is_a_mistake_not_an_outage(own_redis):
    import redis

    redis.Redis.from_url(own_redis.url).config_set("requirepass", "the-right-one")
    wrong = own_redis.url.replace("redis://", "redis://:the-wrong-one@")
    with pytest.raises(AuthenticationError):
        cache_at(wrong).get("anything")
