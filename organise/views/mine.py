"""Views of Organise: mine (being built)."""

urlpatterns = []
