"""Public, server-rendered pages. One module per group of pages; each view is thin: it reads
through `claims.selectors` (published material only) and hands the result to a template."""

from .citations import cite
from .compare import compare
from .overview import home, source_index, topic_index
from .people import author_detail, publisher_detail
from .search import search
from .sources import source_detail, source_text
from .topics import proposition_detail, topic_detail

__all__ = [
    "author_detail",
    "cite",
    "compare",
    "home",
    "proposition_detail",
    "publisher_detail",
    "search",
    "source_detail",
    "source_index",
    "source_text",
    "topic_detail",
    "topic_index",
]
