"""Views of Organise: join (being built)."""

urlpatterns = []
