"""Framework: assessments (being built)."""

urlpatterns = []
