"""Suggestions while annotating: which existing propositions a span of text bears on, which
propositions a new wording repeats, and which sentences of a source bear on a proposition.

`text` and `ranking` hold the rankers (words BM25 and character n-gram BM25, pure Python, and
the cosine of sentence embeddings) and their fusion; `embedding` runs the sentence encoder with
numpy; `propositions` keeps one index of the propositions per process, brought up to date from
the database before each use, with their vectors stored there; `sentences` ranks a source's
sentences for the silence check.
"""
