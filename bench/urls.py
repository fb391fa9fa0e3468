"""The hub's URLs plus the benchmark's baseline page; ``HUB_BENCH`` selects this URLconf
(``hubsite/settings.py``), so the baseline is never part of the hub itself."""

from django.urls import path

from hubsite.urls import urlpatterns as hub_urlpatterns

from . import views

urlpatterns = [
    path("bench/baseline/", views.baseline, name="bench_baseline"),
    *hub_urlpatterns,
]
