"""Production settings, proven in a fresh process configured as a deployment is (DEBUG off, a
long secret key, the hosts, the mail server): Django's deployment checklist finds nothing, and
the hardening that it does not check (CSP, the second factor for staff, cookies) is on."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

CLEAN = "System check identified no issues (0 silenced)."


def production_env(tmp_path, **extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "HUB_", "STAFF_MFA", "SECURE_", "PYTEST"))
        and key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "EMAIL_HOST"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="deploy-check-0f9b8c7d6e5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9",
        ALLOWED_HOSTS="hub.example.org",
        CSRF_TRUSTED_ORIGINS="https://hub.example.org",
        SITE_URL="https://hub.example.org",
        EMAIL_HOST="smtp.example.org",
        HUB_VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
    )
    env.update(extra)
    return env


def run(args, env):
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_finds_nothing_with_production_settings(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "DEBUG"], production_env(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (result.stdout + result.stderr).strip() in ("", CLEAN)


PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "debug": s.DEBUG,
    "mfa": s.STAFF_MFA_REQUIRED,
    "csp_middleware": "django.middleware.csp.ContentSecurityPolicyMiddleware" in s.MIDDLEWARE,
    "csp": s.SECURE_CSP,
    "csp_report_only": s.SECURE_CSP_REPORT_ONLY,
    "cookies": [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,
                s.CSRF_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE],
    "hsts": s.SECURE_HSTS_SECONDS,
    "ssl_redirect": s.SECURE_SSL_REDIRECT,
    "reporter_filter": s.DEFAULT_EXCEPTION_REPORTER_FILTER,
}))
"""


def test_production_turns_on_what_the_checklist_does_not_check(tmp_path):
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="hubsite.settings")
    result = run(["-c", PRINT_SETTINGS], env)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["debug"] is False
    assert values["mfa"] is True  # staff need a second factor
    assert values["csp_middleware"]
    policy = json.dumps(values["csp"])
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert values["csp"]["script-src"][0] == "'self'"
    assert not values["csp_report_only"]  # enforced, not only reported
    assert values["cookies"] == [True, True, True, True, "Lax"]
    assert values["hsts"] >= 31536000
    assert values["ssl_redirect"] is True
    assert values["reporter_filter"] == "hubsite.security.HubExceptionReporterFilter"


@pytest.mark.parametrize("secret", ["", None])
def test_production_refuses_to_start_without_a_secret_key(tmp_path, secret):
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="hubsite.settings")
    if secret is None:
        del env["SECRET_KEY"]
    else:
        env["SECRET_KEY"] = secret
    result = run(["-c", "import django; django.setup()"], env)
    assert result.returncode != 0
    assert "Set SECRET_KEY when DEBUG is off." in result.stderr
