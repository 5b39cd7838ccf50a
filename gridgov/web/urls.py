"""Routes of the web workbench; each feature module brings its own urlpatterns."""

from gridgov.web.views import auth, create, dashboard, detail, figures, gridmap, inbox, mobile

app_name = "web"
urlpatterns = auth.urlpatterns + inbox.urlpatterns + detail.urlpatterns + create.urlpatterns + gridmap.urlpatterns + mobile.urlpatterns
urlpatterns += dashboard.urlpatterns + figures.urlpatterns
