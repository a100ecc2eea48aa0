"""The benchmark corpus generator, as a Django app of its own.

It is installed only by the benchmark settings (`bench.settings`), never by the site's own, so
that a production deployment has no `generate_corpus` command: the command replaces the corpus,
and with `--force` deletes one it did not make.
"""
