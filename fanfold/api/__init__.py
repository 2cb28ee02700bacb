"""The JSON API under /api/v1/ (django-ninja). It shares the query, visibility and write code with the
HTML pages (search.engine, core.permissions, social.services, works.posting), so both always show the
same works and apply the same rules. The guide for callers is docs/api.md."""
