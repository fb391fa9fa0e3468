"""audit"""

urlpatterns = []
