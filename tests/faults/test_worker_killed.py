"""A worker killed in the middle of sending: a real Celery worker, in a process of its own
on Redis and the test's PostgreSQL database, sends an outbox batch of 300 emails through an
SMTP server; it is killed (SIGKILL) while the mail server holds one message it has taken
but not yet answered for. A new worker and the beat tick then send the rest: no one's email
is lost, and no one gets two different emails.

Delivery is at least once at the mail server: the message the server took while its sender
died is sent again, with the same Message-ID (one per outbox row), which mail servers and
clients drop as a repeat. So each person gets exactly one distinct Message-ID."""

import email
import os
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections import defaultdict
from datetime import timedelta
from email import policy
from urllib.parse import quote

import pytest
import redis as redis_client
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F

from hubsite import celery_app
from hubsite.notify import services
from hubsite.notify import tasks as notify_tasks
from hubsite.notify.models import OutboxMessage
from hubsite.people.models import Person
from tests.faults.conftest import broker_at
from tests.organise.factories_calls import people_in_bulk

PEOPLE = 300
# The mail server holds its answer to this message, and the worker is killed meanwhile.
HELD = 100

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql" or not settings.REDIS_URL,
    reason="Needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL): the worker runs in a process "
    "of its own, which cannot share the in-memory SQLite test database",
)


class MailServer(socketserver.ThreadingTCPServer):
    """An SMTP server on loopback keeping every message it takes: (recipient, Message-ID).
    It holds its "250 OK" for the ``hold_at``-th message, as a server whose answer never
    reached a sender that died."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, hold_at):
        super().__init__(("127.0.0.1", 0), SmtpSession)
        self.hold_at = hold_at
        self.taken = []
        self.lock = threading.Lock()
        self.holding = threading.Event()
        self.release = threading.Event()

    def take(self, recipients, message_id):
        with self.lock:
            self.taken.extend((to, message_id) for to in recipients)
            return len(self.taken) == self.hold_at

    def message_ids_by_recipient(self):
        with self.lock:
            found = defaultdict(list)
            for to, message_id in self.taken:
                found[to].append(message_id)
            return found

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.shutdown()
        self.server_close()


class SmtpSession(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        recipients = []
        self.reply("220 mail.example.test ESMTP")
        while line := self.rfile.readline():
            command = line[:4].upper()
            if command in (b"EHLO", b"HELO"):
                self.reply("250 mail.example.test")
            elif command == b"RCPT":
                recipients.append(line.split(b"<", 1)[1].split(b">", 1)[0].decode().lower())
                self.reply("250 OK")
            elif command == b"DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = b"".join(iter(self.rfile.readline, b".\r\n"))
                message = email.message_from_bytes(data, policy=policy.default)
                if self.server.take(recipients, message["Message-ID"]):
                    self.server.holding.set()
                    self.server.release.wait(60)  # the sender dies meanwhile
                    return
                recipients = []
                self.reply("250 OK: queued")
            elif command == b"QUIT":
                self.reply("221 Bye")
                return
            else:  # MAIL, RSET, NOOP
                self.reply("250 OK")


def database_url_for_worker():
    """The test database, which pytest-django made, for the worker's process."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    return f"postgres://{user}{password}@{host}/{db['NAME']}"


class Worker:
    """``celery -A hubsite worker`` in a process group of its own (the prefork pool's
    children with it), so that killing it kills everything it runs."""

    def __init__(self, name, env, log):
        self.name, self.env, self.log = name, env, log
        self.process = None

    @property
    def hostname(self):
        return f"{self.name}@{socket.gethostname()}"

    def start(self, queue="celery"):
        command = [sys.executable, "-m", "celery", "-A", "hubsite", "worker", "-Q", queue]
        options = ["--pool=prefork", "--concurrency=4", "--loglevel=INFO", "-n", self.hostname]
        quiet = ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [*command, *options, *quiet],
                cwd=settings.BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def take_queue(self, queue):
        """Once the worker answers, it consumes ``queue`` too (Celery's remote control)."""
        wait_until(
            lambda: celery_app.control.ping(destination=[self.hostname], timeout=0.5),
            60,
            f"{self.hostname} answered",
        )
        answer = celery_app.control.add_consumer(
            queue, destination=[self.hostname], reply=True, timeout=10
        )
        assert answer, self.log.read_text()[-3000:]

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"Timed out waiting until {what}")


def pending():
    return OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).count()


def time_passes(minutes):
    """Minutes pass for the outbox: a message being sent when its worker died is free to be
    tried again once its lease is over, and the beat tick takes what waited."""
    OutboxMessage.objects.update(
        created_at=F("created_at") - timedelta(minutes=minutes),
        next_attempt_at=F("next_attempt_at") - timedelta(minutes=minutes),
    )


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_loses_no_email_and_repeats_one_only_with_its_message_id(
    own_redis, tmp_path
):
    with MailServer(hold_at=HELD) as mail_server, broker_at(own_redis.url):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "hubsite.settings",
            "DATABASE_URL": database_url_for_worker(),
            "REDIS_URL": own_redis.url,
            "HUB_VAR_DIR": str(tmp_path),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(mail_server.server_address[1]),
            "EMAIL_USE_TLS": "0",
        }
        env.pop("CELERY_BROKER_URL", None)
        log = tmp_path / "worker.log"
        first = Worker("first", env, log).start()  # it starts while the batch is written
        # The new worker starts now too, on a queue no one uses, and takes the hub's queue
        # once the first has died: starting a worker takes longer than the whole batch.
        second = Worker("second", env, log).start(queue="standby")
        try:
            ids = people_in_bulk(PEOPLE, prefix="batch")
            emails = sorted(Person.objects.filter(pk__in=ids).values_list("email", flat=True))
            with transaction.atomic():  # one task each, queued when this commits
                for person in Person.objects.filter(pk__in=ids):
                    services.message_queue(
                        key=f"faults:batch:{person.pk}",
                        to_email=person.email,
                        subject="The lifts meeting is on Thursday",
                        body_text="Come along at 6pm.",
                        person=person,
                    )
            assert mail_server.holding.wait(60), log.read_text()[-3000:]
            first.kill()
            mail_server.release.set()
            taken = len(mail_server.taken)
            assert HELD <= taken < PEOPLE, "the worker was to be killed part way through"
            sent = OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count()
            assert 0 < sent < taken

            second.take_queue("celery")
            queue = redis_client.Redis.from_url(own_redis.url)
            # The new worker sends what was still queued; what the dead worker had taken
            # waits, unacknowledged, for the beat tick.
            wait_until(lambda: queue.llen("celery") == 0, 60, "the queue was empty")
            last = -1
            while (now := pending()) != last:
                last = now
                time.sleep(1)
            assert pending() > 0, "the dead worker left messages for the beat tick"
            time_passes(minutes=services.SEND_LEASE.seconds // 60 + 1)
            notify_tasks.outbox_deliver_pending.delay()
            wait_until(lambda: pending() == 0, 30, "every message was sent")
        finally:
            first.stop()
            second.stop()

    by_recipient = mail_server.message_ids_by_recipient()
    assert sorted(by_recipient) == emails  # no one's email is lost
    assert all(len(set(ids)) == 1 for ids in by_recipient.values())  # one message each
    # The message the server took as its sender died came again, with the same Message-ID.
    repeated = {to: ids for to, ids in by_recipient.items() if len(ids) > 1}
    assert repeated and all(len(ids) == 2 for ids in repeated.values())
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count() == PEOPLE
    print(f"taken before the kill: {taken}; sent again with the same Message-ID: {len(repeated)}")
