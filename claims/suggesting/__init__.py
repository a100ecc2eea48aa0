"""Suggestions while annotating: which existing propositions a span of text bears on, which
propositions a new wording repeats, and which sentences of a source bear on a proposition.

`text` and `ranking` are pure Python (words BM25 and character n-gram BM25, fused);
`propositions` keeps one index of the propositions per process, brought up to date from the
database before each use; `sentences` ranks a source's sentences for the silence check.
"""
