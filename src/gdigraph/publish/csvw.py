"""CSV on the Web: write a table with its metadata, check both, and turn the table into RDF.

* :class:`Column` describes one column (name, Dutch title, datatype, ``propertyUrl``/``valueUrl``/
  ``aboutUrl`` templates, ``suppressOutput``, ``virtual``); :func:`write_csv` writes a DataFrame with
  one formatting rule per datatype (so the bytes only change when the data does) and
  :func:`table_metadata` the metadata document of W3C "Metadata Vocabulary for Tabular Data".
* :func:`validate_csvw` checks a metadata document: JSON-LD in the CSVW context (every key a CSVW
  term, a prefixed name of the CSVW initial context or an absolute IRI; parsed with rdflib against an
  offline copy of the context terms used here), a compatible header, every cell of the CSV against
  its column's datatype, required cells, unique primary keys, and template variables that exist.
* :func:`csvw_to_rdf` is our own minimal-mode converter of "Generating RDF from Tabular Data on the
  Web": per row and cell, subject from ``aboutUrl`` (else a blank node per row), predicate from
  ``propertyUrl`` (else ``<table-url>#<name>``), object from ``valueUrl`` or the typed cell value;
  URI templates expanded per RFC 6570 (simple ``{var}``, reserved ``{+var}``, fragment ``{#var}``).
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import quote, urljoin

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

CSVW_CONTEXT = "http://www.w3.org/ns/csvw"
CSVW = "http://www.w3.org/ns/csvw#"

#: prefixes of the CSVW initial context that our metadata uses (propertyUrl "rdf:type", "dc:title")
PREFIXES = {
    "csvw": CSVW,
    "dc": "http://purl.org/dc/terms/",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "prov": "http://www.w3.org/ns/prov#",
    "qb": "http://purl.org/linked-data/cube#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "schema": "http://schema.org/",
    "void": "http://rdfs.org/ns/void#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "org": "http://www.w3.org/ns/org#",
}

_TEMPLATE = {"@id": None, "@type": "csvw:uriTemplate"}
#: offline copy of the terms of the CSVW context (http://www.w3.org/ns/csvw) that this module may
#: write, with the term definitions of the W3C context; used to parse metadata as JSON-LD without
#: fetching the context over the network.
CONTEXT_TERMS: dict[str, object] = {
    **PREFIXES,
    "url": {"@id": "csvw:url", "@type": "@id"},
    "tables": {"@id": "csvw:table", "@type": "@id", "@container": "@set"},
    "tableSchema": {"@id": "csvw:tableSchema", "@type": "@id"},
    "columns": {"@id": "csvw:column", "@type": "@id", "@container": "@list"},
    "name": {"@id": "csvw:name", "@type": "xsd:string"},
    "titles": {"@id": "csvw:title", "@container": "@language"},
    "datatype": {"@id": "csvw:datatype", "@type": "@vocab"},
    "aboutUrl": {**_TEMPLATE, "@id": "csvw:aboutUrl"},
    "propertyUrl": {**_TEMPLATE, "@id": "csvw:propertyUrl"},
    "valueUrl": {**_TEMPLATE, "@id": "csvw:valueUrl"},
    "primaryKey": {"@id": "csvw:primaryKey", "@type": "xsd:string"},
    "null": {"@id": "csvw:null", "@type": "xsd:string"},
    "required": {"@id": "csvw:required", "@type": "xsd:boolean"},
    "separator": {"@id": "csvw:separator", "@type": "xsd:string"},
    "suppressOutput": {"@id": "csvw:suppressOutput", "@type": "xsd:boolean"},
    "virtual": {"@id": "csvw:virtual", "@type": "xsd:boolean"},
    "lang": {"@id": "csvw:lang", "@type": "xsd:string"},
    "notes": {"@id": "csvw:note", "@container": "@set"},
    "dialect": {"@id": "csvw:dialect", "@type": "@id"},
    "header": {"@id": "csvw:header", "@type": "xsd:boolean"},
    "encoding": {"@id": "csvw:encoding", "@type": "xsd:string"},
    "delimiter": {"@id": "csvw:delimiter", "@type": "xsd:string"},
    "Table": "csvw:Table", "TableGroup": "csvw:TableGroup", "Schema": "csvw:Schema", "Column": "csvw:Column",
    "integer": "xsd:integer", "decimal": "xsd:decimal", "gYear": "xsd:gYear", "string": "xsd:string",
    "boolean": "xsd:boolean", "anyURI": "xsd:anyURI",
}
_KEYWORDS = {"@context", "@id", "@type", "@language", "@base", "@value"}

DATATYPES = ("integer", "decimal", "gYear", "string", "boolean", "anyURI")
_CELL_RE = {
    "integer": re.compile(r"[+-]?[0-9]+"),
    "decimal": re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"),
    "gYear": re.compile(r"-?([1-9][0-9]{3,}|0[0-9]{3})(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"),
    "boolean": re.compile(r"true|false|1|0"),
    "anyURI": re.compile(r"[^\s<>\"{}|\\^`]*"),
}
_VARNAME = re.compile(r"(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:\.?(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2}))*")
_BUILTIN_VARS = {"_row", "_sourceRow", "_column", "_sourceColumn", "_name"}
_INHERITED = ("aboutUrl", "propertyUrl", "valueUrl", "null", "separator", "datatype", "lang", "required")


@dataclass(frozen=True)
class Column:
    """One column of a CSVW table (``virtual`` columns have no cells: they add a fixed triple)."""

    name: str
    title: str
    datatype: str = "string"
    property_url: str | None = None
    value_url: str | None = None
    about_url: str | None = None
    suppress: bool = False
    virtual: bool = False
    separator: str | None = None
    required: bool = False

    def as_json(self) -> dict:
        d: dict[str, object] = {"name": self.name}
        if not self.virtual:
            d["titles"] = {"nl": self.title}
        d["datatype"] = self.datatype
        for key, value in (("aboutUrl", self.about_url), ("propertyUrl", self.property_url),
                           ("valueUrl", self.value_url), ("separator", self.separator)):
            if value is not None:
                d[key] = value
        if self.required:
            d["required"] = True
        if self.suppress:
            d["suppressOutput"] = True
        if self.virtual:
            d["virtual"] = True
        return d


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

def _is_null(value) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, pd.NA raises TypeError
    except TypeError:
        return True


def format_decimal(value) -> str:
    """A decimal cell: no exponent, no trailing zeros (``1234567``, ``27.7``, ``-6.6``); floats are
    written in their shortest round-trip form, so a value read from ``27.7`` is written ``27.7``."""
    d = value if isinstance(value, Decimal) else Decimal(value if isinstance(value, str) else repr(float(value)))
    s = format(d.normalize(), "f")
    return "0" if s in ("-0", "0") else s


def format_cell(value, datatype: str, digits: int | None = None) -> str:
    """The text of one cell ('' for null)."""
    if _is_null(value):
        return ""
    if datatype == "boolean":
        return "true" if bool(value) else "false"
    if datatype in ("integer", "gYear"):
        return str(int(value))
    if datatype == "decimal":
        if digits is not None:
            s = f"{float(value):.{digits}f}"
            return s[1:] if s.startswith("-") and float(s) == 0 else s
        return format_decimal(value)
    return str(value)


def csv_bytes(frame, columns: list[Column], digits: dict[str, int] | None = None) -> bytes:
    """The CSV text of ``frame`` for the non-virtual ``columns``: UTF-8, header of titles, LF."""
    digits = digits or {}
    cols = [c for c in columns if not c.virtual]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([c.title for c in cols])
    data = [frame[c.name].tolist() for c in cols]
    for row in zip(*data):
        w.writerow([("" if _is_null(v) else str(v)) if c.separator else format_cell(v, c.datatype, digits.get(c.name))
                    for v, c in zip(row, cols)])
    return buf.getvalue().encode("utf-8")


def table_metadata(url: str, title: str, columns: list[Column], *, description: str = "",
                   sources: list[str] = (), about_url: str | None = None, primary_key: list[str] = (),
                   extra: dict | None = None) -> dict:
    """A CSVW metadata document for one table (``url`` relative to the metadata file)."""
    meta: dict[str, object] = {"@context": [CSVW_CONTEXT, {"@language": "nl"}], "url": url, "dc:title": title}
    if description:
        meta["dc:description"] = description
    if sources:
        meta["dc:source"] = [{"@id": s} for s in sources]
    meta.update(extra or {})
    schema: dict[str, object] = {"columns": [c.as_json() for c in columns]}
    if primary_key:
        schema["primaryKey"] = list(primary_key)
    if about_url:
        schema["aboutUrl"] = about_url
    schema["null"] = ""
    meta["tableSchema"] = schema
    return meta


def metadata_bytes(meta: dict) -> bytes:
    return (json.dumps(meta, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------------------------
# URI templates (RFC 6570, levels 1 and 2)
# ---------------------------------------------------------------------------------------------

_EXPRESSION = re.compile(r"\{([+#]?)([^{}]*)\}")
_RESERVED = ":/?#[]@!$&'()*+,;="
_PCT = re.compile(r"(%[0-9A-Fa-f]{2})")


def _encode(value: str, reserved: bool) -> str:
    if not reserved:
        return quote(value, safe="")
    # reserved expansion keeps reserved characters and existing percent-encoded triplets
    return "".join(p if _PCT.fullmatch(p) else quote(p, safe=_RESERVED) for p in _PCT.split(value))


def template_variables(template: str) -> list[str]:
    return [n.strip() for m in _EXPRESSION.finditer(template) for n in m.group(2).split(",") if n.strip()]


def expand_template(template: str, variables: dict[str, object]) -> str:
    """RFC 6570 expansion of ``{var}``, ``{+var}`` and ``{#var}`` (undefined variables expand to '')."""
    def repl(m: re.Match) -> str:
        op, names = m.group(1), [n.strip() for n in m.group(2).split(",")]
        parts = []
        for n in names:
            v = variables.get(n)
            if v is None or v == [] or v == "":
                continue
            items = v if isinstance(v, list) else [v]
            parts.append(",".join(_encode(str(x), op in ("+", "#")) for x in items))
        if not parts:
            return ""
        return ("#" if op == "#" else "") + ",".join(parts)
    return _EXPRESSION.sub(repl, template)


def _expand_prefixed(url: str) -> str:
    prefix, colon, rest = url.partition(":")
    if colon and prefix in PREFIXES and not rest.startswith("//"):
        return PREFIXES[prefix] + rest
    return url


# ---------------------------------------------------------------------------------------------
# Reading and validating
# ---------------------------------------------------------------------------------------------

def _columns(meta: dict) -> list[dict]:
    """The column descriptions with the inherited properties (table, then schema, then column)."""
    schema = meta.get("tableSchema") or {}
    out = []
    for col in schema.get("columns") or []:
        merged = {k: meta[k] for k in _INHERITED if k in meta}
        merged.update({k: schema[k] for k in _INHERITED if k in schema})
        merged.update(col)
        out.append(merged)
    return out


def _check_keywords(node, path: str, errors: list[str]) -> None:
    """JSON-LD keyword values rdflib lets through: ``@id``, ``@type``, ``@language`` strings and
    ``@value`` a scalar."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            _check_keywords(item, f"{path}[{i}]", errors)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in ("@id", "@type", "@language") and not isinstance(value, str):
            errors.append(f"JSON-LD: {path}.{key} must be a string, not {value!r}")
        elif key == "@value" and isinstance(value, (dict, list)):
            errors.append(f"JSON-LD: {path}.@value must be a string, number or boolean")
        elif key != "@context":
            _check_keywords(value, f"{path}.{key}", errors)


def _check_keys(node, path: str, errors: list[str]) -> None:
    if isinstance(node, list):
        for i, item in enumerate(node):
            _check_keys(item, f"{path}[{i}]", errors)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in _KEYWORDS:
            continue
        if isinstance(CONTEXT_TERMS.get(key), dict):  # a CSVW property
            if key != "titles":  # a language map: its keys are language tags
                _check_keys(value, f"{path}.{key}", errors)
            continue
        prefix, colon, _ = key.partition(":")
        if colon and (prefix in PREFIXES or prefix in ("http", "https")):
            continue  # a common property (dc:title) or an absolute IRI: any JSON-LD value
        errors.append(f"{path}: {key!r} is not a term of the CSVW context nor a prefixed name or IRI")


def _json_ld_errors(meta: dict, base: str) -> list[str]:
    ctx = meta.get("@context")
    extra: dict = {}
    if ctx == CSVW_CONTEXT:
        pass
    elif isinstance(ctx, list) and ctx and ctx[0] == CSVW_CONTEXT and len(ctx) == 2 and isinstance(ctx[1], dict):
        extra = ctx[1]
        bad = set(extra) - {"@language", "@base"}
        if bad:
            return [f"@context: the local context may only set @language and @base, not {sorted(bad)}"]
    else:
        return [f"@context must be {CSVW_CONTEXT!r} or [{CSVW_CONTEXT!r}, {{@language/@base}}], not {ctx!r}"]
    errors: list[str] = []
    _check_keys({k: v for k, v in meta.items() if k != "@context"}, "$", errors)
    _check_keywords(meta, "$", errors)
    schema = meta.get("tableSchema")
    if not isinstance(schema, dict) or not isinstance(schema.get("columns"), list) or \
            not all(isinstance(c, dict) for c in schema["columns"]):
        return errors + ["tableSchema must be an object with a list of column objects"]
    doc = dict(meta)
    doc["@context"] = {**CONTEXT_TERMS, **extra}
    g = Graph()
    try:
        with warnings.catch_warnings():  # rdflib's JSON-LD parser warns about its own ConjunctiveGraph use
            warnings.simplefilter("ignore", DeprecationWarning)
            g.parse(data=json.dumps(doc), format="json-ld", base=base)
    except Exception as e:  # rdflib raises many kinds of errors on bad JSON-LD
        return errors + [f"not valid JSON-LD: {type(e).__name__}: {e}"]
    C = lambda t: URIRef(CSVW + t)  # noqa: E731
    schemas = list(g.objects(None, C("tableSchema")))
    urls = list(g.objects(None, C("url")))
    if len(schemas) != 1 or len(urls) != 1:
        errors.append(f"JSON-LD: expected one csvw:tableSchema and one csvw:url, found {len(schemas)} and {len(urls)}")
        return errors
    from rdflib.collection import Collection

    head = g.value(schemas[0], C("column"))
    n = len(list(Collection(g, head))) if head is not None else 0
    expected = len(schema["columns"])
    if n != expected:
        errors.append(f"JSON-LD: the csvw:column list has {n} members, the metadata {expected}")
    return errors


def validate_csvw(metadata_path) -> list[str]:
    """Problems of a CSVW metadata document and its CSV (empty: valid)."""
    metadata_path = Path(metadata_path)
    try:
        meta = json.loads(metadata_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        return [f"{metadata_path.name}: cannot read as JSON: {e}"]
    if not isinstance(meta, dict):
        return [f"{metadata_path.name}: the metadata must be a JSON object"]
    errors = _json_ld_errors(meta, metadata_path.resolve().as_uri())
    if any(e.startswith("tableSchema must be") for e in errors):
        return errors
    url = meta.get("url")
    if not isinstance(url, str) or not url:
        return errors + ["the table has no url"]
    columns = _columns(meta)
    if not columns:
        return errors + ["tableSchema has no columns"]
    names = [c.get("name") for c in columns]
    for i, (col, name) in enumerate(zip(columns, names)):
        if not isinstance(name, str) or not _VARNAME.fullmatch(name) or name.startswith("_"):
            errors.append(f"column {i + 1}: invalid name {name!r}")
        dt = col.get("datatype", "string")
        if dt not in DATATYPES:
            errors.append(f"column {name}: datatype {dt!r} not supported (one of {', '.join(DATATYPES)})")
        for key in ("aboutUrl", "propertyUrl", "valueUrl"):
            for var in template_variables(col.get(key) or ""):
                if var not in names and var not in _BUILTIN_VARS:
                    errors.append(f"column {name}: {key} uses {{{var}}}, which is not a column")
        if col.get("virtual") and "valueUrl" not in col:
            errors.append(f"column {name}: a virtual column needs a valueUrl")
    if len(set(names)) != len(names):
        errors.append("column names are not unique")
    pk = (meta.get("tableSchema") or {}).get("primaryKey") or []
    pk = [pk] if isinstance(pk, str) else pk
    for k in pk:
        if k not in names:
            errors.append(f"primaryKey names {k!r}, which is not a column")
    csv_path = metadata_path.parent / url
    try:
        text = csv_path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return errors + [f"{url}: cannot read as UTF-8: {e}"]
    rows = list(csv.reader(io.StringIO(text, newline="")))
    real = [c for c in columns if not c.get("virtual")]
    if not rows:
        return errors + [f"{url}: no header row"]
    header, body = rows[0], rows[1:]
    if len(header) != len(real):
        errors.append(f"{url}: header has {len(header)} cells, the schema {len(real)} non-virtual columns")
    for i, (cell, col) in enumerate(zip(header, real)):
        titles = col.get("titles") or {}
        titles = [titles] if isinstance(titles, str) else (
            list(titles.values()) if isinstance(titles, dict) else list(titles))
        flat = [t for v in titles for t in (v if isinstance(v, list) else [v])] or [col.get("name")]
        if cell.strip() not in flat:
            errors.append(f"{url}: header cell {i + 1} {cell!r} is not a title of column {col.get('name')!r}")
    seen: dict[tuple, int] = {}
    pk_index = [names.index(k) for k in pk if k in names]
    for r, row in enumerate(body, start=2):
        if len(row) != len(real):
            errors.append(f"{url}: row {r} has {len(row)} cells, expected {len(real)}")
            continue
        for cell, col in zip(row, real):
            errors.extend(f"{url}: row {r}, column {col.get('name')}: {e}" for e in _cell_errors(cell, col))
        if pk_index:
            key = tuple(row[i].strip() for i in pk_index)
            if any(k == "" for k in key):
                errors.append(f"{url}: row {r}: empty primary key cell")
            elif key in seen:
                errors.append(f"{url}: row {r}: primary key {key} repeats row {seen[key]}")
            else:
                seen[key] = r
    return errors


def _null_values(col: dict) -> list[str]:
    n = col.get("null", "")
    return n if isinstance(n, list) else [n]


def _cell_errors(cell: str, col: dict) -> list[str]:
    value = cell.strip()
    if value in _null_values(col):
        return ["required cell is empty"] if col.get("required") else []
    dt = col.get("datatype", "string")
    items = value.split(col["separator"]) if col.get("separator") else [value]
    pattern = _CELL_RE.get(dt)
    if pattern is None:
        return []
    return [f"{item!r} is not a valid {dt}" for item in items if not pattern.fullmatch(item.strip())]


# ---------------------------------------------------------------------------------------------
# CSVW -> RDF (minimal mode)
# ---------------------------------------------------------------------------------------------

def _literal(value: str, datatype: str, lang: str | None) -> Literal:
    if datatype == "string":
        return Literal(value, lang=lang) if lang else Literal(value)
    if datatype == "boolean":
        return Literal(value in ("true", "1"), datatype=XSD.boolean)
    if datatype == "decimal":
        try:
            return Literal(format_decimal(Decimal(value)), datatype=XSD.decimal)
        except InvalidOperation as e:
            raise ValueError(f"not a decimal: {value!r}") from e
    if datatype == "integer":
        return Literal(str(int(value)), datatype=XSD.integer)
    return Literal(value, datatype=XSD[datatype])


def csvw_to_rdf(metadata_path, base: str | None = None) -> Graph:
    """The triples of the table in CSVW minimal mode. ``base``: the URL of the metadata document when
    published (default: its file URL); the table URL is its ``url`` resolved against it."""
    metadata_path = Path(metadata_path)
    meta = json.loads(metadata_path.read_text(encoding="utf-8"))
    base = base or metadata_path.resolve().as_uri()
    table_url = urljoin(base, meta["url"])
    columns = _columns(meta)
    real = [c for c in columns if not c.get("virtual")]
    text = (metadata_path.parent / meta["url"]).read_bytes().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))[1:]
    g = Graph()
    for row_number, row in enumerate(rows, start=1):
        values: dict[str, object] = {}
        for col, cell in zip(real, row):
            v = cell.strip()
            if v in _null_values(col):
                values[col["name"]] = None
            elif col.get("separator"):
                values[col["name"]] = [x.strip() for x in v.split(col["separator"])]
            else:
                values[col["name"]] = v
        default_subject = BNode()
        for index, col in enumerate(columns, start=1):
            if col.get("suppressOutput"):
                continue
            name = col["name"]
            value = values.get(name)
            if value is None and not col.get("virtual"):
                continue
            variables = {**values, "_row": row_number, "_sourceRow": row_number + 1, "_column": index,
                         "_sourceColumn": index, "_name": quote(name, safe="")}
            subject = (URIRef(urljoin(table_url, expand_template(col["aboutUrl"], variables)))
                       if col.get("aboutUrl") else default_subject)
            if col.get("propertyUrl"):
                predicate = URIRef(urljoin(table_url, _expand_prefixed(expand_template(col["propertyUrl"], variables))))
            else:
                predicate = URIRef(f"{table_url}#{quote(name, safe='')}")
            if col.get("valueUrl"):
                obj = _expand_prefixed(expand_template(col["valueUrl"], variables))
                g.add((subject, predicate, URIRef(urljoin(table_url, obj))))
                continue
            for item in value if isinstance(value, list) else [value]:
                g.add((subject, predicate, _literal(item, col.get("datatype", "string"), col.get("lang"))))
    return g

