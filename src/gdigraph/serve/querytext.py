"""What a SPARQL request text is, before it goes to the query engine.

``analyse(text)`` tokenises the text with the SPARQL 1.1 lexical rules (comments, the four string forms,
IRIs, variables, prefixed names, keywords) and reports:

* ``form``: the query form (``SELECT``, ``CONSTRUCT``, ``DESCRIBE``, ``ASK``) -- the first keyword after
  the prologue (``BASE``, ``PREFIX``, ``VERSION``); it decides which media types the answer can have;
* ``kind``: ``"query"``, ``"update"`` or ``"unknown"``. A text that is not a query form is parsed with a
  real SPARQL Update parser (rdflib's ``parseUpdate``, which only parses, never executes); if that
  succeeds it is an update. A text whose first keyword is an update operation (``INSERT``, ``DELETE``,
  ``LOAD``, ``CLEAR``, ``DROP``, ``CREATE``, ``ADD``, ``MOVE``, ``COPY``, ``WITH``) is also an update,
  even when rdflib cannot parse it (malformed, or too deeply nested for rdflib's recursive parser);
* ``service``: whether a ``SERVICE`` keyword occurs (a federated query makes the engine fetch a URL);
* ``prefixes``: the ``PREFIX`` declarations (used to write readable Turtle answers).

Syntax errors in query texts are left to the query engine's own parser (Oxigraph's, or the remote
endpoint's), whose message is passed on with 400: it is the grammar the query actually runs under, and
rdflib's recursive-descent parser fails on large but valid queries (RecursionError at ~200 triple
patterns in one group, measured with rdflib 7.6).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS = _PN_CHARS_BASE + "_0-9\u00b7\u0300-\u036f\u203f-\u2040-"

_TOKENS = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
              |\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'
              |"(?:[^"\\\n\r]|\\.)*")
  | (?P<var>[?$][%CHARS%]+)
  | (?P<pname>(?:[%BASE%](?:[%CHARS%.]*[%CHARS%])?)?:(?:(?:[%CHARS%:]|%[0-9A-Fa-f]{2}|\\.)(?:(?:[%CHARS%.:]|%[0-9A-Fa-f]{2}|\\.)*(?:[%CHARS%:]|%[0-9A-Fa-f]{2}|\\.))?)?)
  | (?P<bnode>_:[%CHARS%.]*)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<punct>\^\^|\|\||&&|!=|<=|>=|.)
    """.replace("%CHARS%", _PN_CHARS).replace("%BASE%", _PN_CHARS_BASE),
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    pos: int


def tokens(text: str) -> list[Token]:
    """The significant tokens of a SPARQL text (no whitespace, no comments)."""
    out: list[Token] = []
    for m in _TOKENS.finditer(text):
        kind = m.lastgroup or "punct"
        if kind in ("ws", "comment"):
            continue
        out.append(Token(kind, m.group(), m.start()))
    return out


@dataclass
class QueryInfo:
    kind: str  # "query", "update" or "unknown"
    form: str | None = None  # SELECT, CONSTRUCT, DESCRIBE, ASK
    keyword: str | None = None  # the first keyword after the prologue, upper case
    service: bool = False
    prefixes: dict[str, str] = field(default_factory=dict)
    base: str | None = None
    update_parse_error: str | None = None

    @property
    def is_graph(self) -> bool:
        """CONSTRUCT and DESCRIBE answer with RDF triples."""
        return self.form in ("CONSTRUCT", "DESCRIBE")


_CACHED_TEXT_CHARS = 16 * 1024


def analyse(text: str) -> QueryInfo:
    """What ``text`` is (see the module docstring); treat the answer as read-only.

    Texts up to 16K characters are remembered (the last 512): the same query text comes again and
    again (the named queries, the example queries, a page's own queries), and tokenising it is most of
    what ``/sparql`` itself spends on a small query.
    """
    if len(text) <= _CACHED_TEXT_CHARS:
        return _analyse_cached(text)
    return _analyse(text)


@lru_cache(maxsize=512)
def _analyse_cached(text: str) -> QueryInfo:
    return _analyse(text)


def _analyse(text: str) -> QueryInfo:
    toks = tokens(text)
    prefixes: dict[str, str] = {}
    base = None
    i = 0
    # prologue: BASE <iri> | PREFIX pname: <iri> | VERSION "1.2"
    while i < len(toks):
        t = toks[i]
        word = t.text.upper() if t.kind == "word" else None
        if word == "BASE" and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            base = toks[i + 1].text[1:-1]
            i += 2
        elif word == "PREFIX" and i + 2 < len(toks) and toks[i + 1].kind == "pname" and toks[i + 2].kind == "iri":
            prefixes[toks[i + 1].text.rstrip(":")] = toks[i + 2].text[1:-1]
            i += 3
        elif word == "VERSION" and i + 1 < len(toks) and toks[i + 1].kind == "string":
            i += 2
        else:
            break
    keyword = toks[i].text.upper() if i < len(toks) and toks[i].kind == "word" else None
    service = any(t.kind == "word" and t.text.upper() == "SERVICE" for t in toks)
    info = QueryInfo("unknown", keyword=keyword, service=service, prefixes=prefixes, base=base)
    if keyword in QUERY_FORMS:
        info.kind, info.form = "query", keyword
        return info
    try:
        from rdflib.plugins.sparql.parser import parseUpdate

        parseUpdate(text)
    except RecursionError:
        info.update_parse_error = "too deeply nested for the update parser"
    except Exception as e:  # pyparsing.ParseException and friends
        info.update_parse_error = str(e)
    else:
        if keyword is not None:  # a prologue alone (or nothing) parses as an empty update: not an update
            info.kind = "update"
        return info
    if keyword in UPDATE_KEYWORDS:
        info.kind = "update"
    return info
