"""Routes of the web workbench; each feature module brings its own urlpatterns."""

from gridgov.web.views import auth, create, detail, gridmap, inbox, mobile

app_name = "web"
urlpatterns = auth.urlpatterns + inbox.urlpatterns + detail.urlpatterns + create.urlpatterns + gridmap.urlpatterns + mobile.urlpatterns
