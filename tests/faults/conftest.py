"""Faults for the tests of this folder: a Redis server of the test's own, which it can stop,
freeze and start again, with the hub's broker and cache pointed at it as configured for
production (the same transport options and cache backend, on another port)."""

import shutil
import signal
import socket
import subprocess
import time
from contextlib import contextmanager

import pytest
import redis

from hubsite import celery_app
from hubsite import settings as configured

# Ports kept for these tests' own Redis servers: never the hub's own Redis, which other
# tests (and perhaps other test runs) use.
PORTS = range(6391, 6400)


def free_port():
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    pytest.skip(f"No free port for a Redis of the test's own in {PORTS.start}-{PORTS.stop - 1}")


class OwnRedis:
    """A redis-server that keeps nothing on disk: started again, it is empty, as a Redis
    restarted without persistence is (whatever was queued in it is lost)."""

    def __init__(self, port):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_timeout=1, socket_connect_timeout=1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise AssertionError(f"redis-server on port {self.port} did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # a frozen server cannot stop
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def freeze(self):
        """The server stops answering but its port still accepts connections, as a Redis
        on a machine that hangs does."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture
def own_redis():
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = OwnRedis(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _reset_pools():
    """Celery keeps a pool of broker connections; forget it, so the next publish connects
    to the broker now configured."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def broker_at(url):
    """The hub's broker at ``url``, with the transport options the settings give Redis."""
    saved = celery_app.conf.broker_url, celery_app.conf.broker_transport_options
    options = configured.CELERY_BROKER_TRANSPORT_OPTIONS if configured.REDIS_URL else {}
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options = url, dict(options)
    _reset_pools()
    try:
        yield
    finally:
        celery_app.conf.broker_url, celery_app.conf.broker_transport_options = saved
        _reset_pools()


@pytest.fixture
def redis_of_the_hub(own_redis, settings):
    """The hub's broker and cache on the test's own Redis, configured as the settings
    configure them on the hub's Redis."""
    settings.CACHES = {"default": {**configured.CACHES["default"], "LOCATION": own_redis.url}}
    with broker_at(own_redis.url):
        yield own_redis
