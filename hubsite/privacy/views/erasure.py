"""erasure"""

urlpatterns = []
