"""The benchmark of the hub's pages at scale (``make bench``; README.md, "Benchmark"): a
runner that serves the hub with gunicorn on PostgreSQL filled by ``manage.py seed_bench``,
the middleware that counts each request's SQL queries, and the baseline page."""
