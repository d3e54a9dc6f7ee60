"""Customer portal pages, one module per concern; each defines its own ``urlpatterns``."""
