from . import views  # noqa: F401
from .views import audit, erasure, mine, requests, retention

app_name = "privacy"

urlpatterns = [
    *mine.urlpatterns,
    *requests.urlpatterns,
    *audit.urlpatterns,
    *retention.urlpatterns,
    *erasure.urlpatterns,
]
