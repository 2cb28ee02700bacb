"""The fast filter and search engine: an in-memory index per server process (search.fast.index),
kept fresh across processes by a change log (search.fast.changes), answering exactly what
``search.engine.OrmEngine`` answers (search.fast.engine)."""
