"""Connect: checkin (being built)."""

urlpatterns = []
