"""Staff pages, one module per concept; each module exposes its own ``urlpatterns``."""
