"""The JSON API under /api/v1/ (django-ninja). Reads only; it shares the query and visibility code
with the HTML pages, so both always show the same works."""
