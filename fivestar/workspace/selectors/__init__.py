"""Queries the staff pages need that span several domain apps, one module per page."""
