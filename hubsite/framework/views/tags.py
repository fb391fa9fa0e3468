"""Framework: tags (being built)."""

urlpatterns = []
