"""The benchmark's baseline: the base layout with nothing of its own and no SQL query, so
that every page's latency can be read as a multiple of what any page costs."""

from functools import cache

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.template import engines

SOURCE = """{% extends "base.html" %}
{% block title %}Baseline{% endblock %}
{% block content %}
  <h1>Baseline</h1>
  <p>The base layout and nothing else: what every page costs before its own work.</p>
{% endblock %}"""


@cache
def _template():
    return engines["django"].from_string(SOURCE)


@login_not_required
def baseline(request):
    return HttpResponse(_template().render({}, request))
