/* gdigraph query page: a small SPARQL highlighter over a textarea, example queries, results as a table.
   No dependencies; everything the page shows from the server is inserted as text (never as HTML). */
(function (root) {
  "use strict";

  // -- highlighter ------------------------------------------------------------------------------
  var KEYWORDS = ("SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED PREFIX BASE VERSION OPTIONAL FILTER UNION MINUS " +
    "GRAPH SERVICE SILENT BIND VALUES AS ORDER BY ASC DESC GROUP HAVING LIMIT OFFSET DISTINCT REDUCED EXISTS NOT IN " +
    "UNDEF A TRUE FALSE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI " +
    "URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS " +
    "STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 " +
    "SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE " +
    "INSERT DELETE DATA LOAD CLEAR DROP CREATE ADD MOVE COPY WITH USING DEFAULT ALL TO INTO LATERAL").split(" ");
  var KW = {};
  KEYWORDS.forEach(function (k) { KW[k] = true; });

  var TOKEN = new RegExp([
    "(#[^\\n\\r]*)",                                            // 1 comment
    "(<[^<>\"{}|^`\\\\\\u0000-\\u0020]*>)",                     // 2 IRI
    "('''[\\s\\S]*?(?:'''|$)|\"\"\"[\\s\\S]*?(?:\"\"\"|$)|'(?:[^'\\\\\\n\\r]|\\\\.)*'?|\"(?:[^\"\\\\\\n\\r]|\\\\.)*\"?)", // 3 string
    "([?$][\\w\\u00B7\\u00C0-\\uFFFF]+)",                       // 4 variable
    "((?:[A-Za-z\\u00C0-\\uFFFF][\\w.\\-\\u00B7\\u00C0-\\uFFFF]*)?:(?:[\\w\\-:%\\u00B7\\u00C0-\\uFFFF]|\\\\.)(?:[\\w.\\-:%\\u00B7\\u00C0-\\uFFFF]|\\\\.)*(?:[\\w\\-:%\\u00B7\\u00C0-\\uFFFF]|\\\\.)?|(?:[A-Za-z\\u00C0-\\uFFFF][\\w.\\-\\u00B7\\u00C0-\\uFFFF]*)?:)", // 5 prefixed name
    "(@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",                           // 6 language tag
    "([A-Za-z_][A-Za-z0-9_]*)",                                  // 7 word
    "([+-]?(?:\\d+\\.?\\d*(?:[eE][+-]?\\d+)?|\\.\\d+(?:[eE][+-]?\\d+)?))" // 8 number
  ].join("|"), "g");

  function escapeHtml(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function span(cls, text) { return '<span class="' + cls + '">' + escapeHtml(text) + "</span>"; }

  function highlight(text) {
    var out = "", last = 0, m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(text)) !== null) {
      if (m[0] === "") { TOKEN.lastIndex++; continue; }
      out += escapeHtml(text.slice(last, m.index));
      if (m[1]) out += span("tok-comment", m[1]);
      else if (m[2]) out += span("tok-iri", m[2]);
      else if (m[3]) out += span("tok-str", m[3]);
      else if (m[4]) out += span("tok-var", m[4]);
      else if (m[5]) out += span("tok-pname", m[5]);
      else if (m[6]) out += span("tok-lang", m[6]);
      else if (m[7]) out += KW[m[7].toUpperCase()] ? span("tok-kw", m[7]) : escapeHtml(m[7]);
      else if (m[8]) out += span("tok-num", m[8]);
      last = TOKEN.lastIndex;
    }
    out += escapeHtml(text.slice(last));
    // a final newline needs a character after it to be drawn
    return out + (text.endsWith("\n") || text === "" ? " " : "");
  }

  // -- prefixes for compact display ---------------------------------------------------------------
  var WELL_KNOWN = {
    rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#", rdfs: "http://www.w3.org/2000/01/rdf-schema#",
    xsd: "http://www.w3.org/2001/XMLSchema#", owl: "http://www.w3.org/2002/07/owl#",
    skos: "http://www.w3.org/2004/02/skos/core#", dcterms: "http://purl.org/dc/terms/"
  };
  function prefixesOf(query) {
    var map = {}, re = /PREFIX\s+([\w\-.]*):\s*<([^>\s]*)>/gi, m;
    Object.keys(WELL_KNOWN).forEach(function (k) { map[k] = WELL_KNOWN[k]; });
    while ((m = re.exec(query)) !== null) map[m[1]] = m[2];
    return map;
  }
  function compact(iri, prefixes) {
    var best = null;
    Object.keys(prefixes).forEach(function (p) {
      var ns = prefixes[p];
      if (ns && iri.indexOf(ns) === 0 && /^[\w\-.]*$/.test(iri.slice(ns.length)) &&
          (best === null || ns.length > prefixes[best].length)) best = p;
    });
    return best === null ? iri : best + ":" + iri.slice(prefixes[best].length);
  }

  // the pure functions, for tests (node) and the console
  root.GdigraphSparql = { highlight: highlight, prefixesOf: prefixesOf, compact: compact };

  var document = root.document;
  var form = document && document.getElementById("query-form");
  if (!form) return;
  var config = JSON.parse(form.getAttribute("data-config") || "{}");
  var endpoint = config.endpoint || form.getAttribute("action");
  var textarea = document.getElementById("query");
  var editor = document.getElementById("editor");
  var code = document.getElementById("highlight");
  var formatSelect = document.getElementById("format");
  var runButton = document.getElementById("run");
  var statusBox = document.getElementById("status");
  var resultsBox = document.getElementById("results");
  var running = null;

  function refresh() {
    code.innerHTML = highlight(textarea.value);
    textarea.style.height = "auto";
    textarea.style.height = Math.max(textarea.scrollHeight, 256) + "px";
  }

  editor.classList.add("hl");
  textarea.addEventListener("input", refresh);
  textarea.addEventListener("scroll", function () { code.parentNode.scrollTop = textarea.scrollTop; });
  textarea.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
  });
  refresh();

  // -- examples ---------------------------------------------------------------------------------
  Array.prototype.forEach.call(document.querySelectorAll("a.example"), function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      textarea.value = a.getAttribute("data-query");
      refresh();
      textarea.focus();
      run();
    });
  });

  // -- rendering --------------------------------------------------------------------------------
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function link(iri, label) {
    if (/^https?:\/\//i.test(iri)) return el("a", { href: iri, title: iri }, label);
    return el("span", { title: iri }, label);
  }

  function term(t, prefixes) {
    var box = document.createDocumentFragment();
    if (!t) return box;
    if (t.type === "uri") {
      box.appendChild(link(t.value, compact(t.value, prefixes)));
    } else if (t.type === "literal" || t.type === "typed-literal") {
      box.appendChild(document.createTextNode(t.value));
      if (t["xml:lang"]) box.appendChild(el("span", { "class": "meta" }, " @" + t["xml:lang"]));
      else if (t.datatype && t.datatype !== WELL_KNOWN.xsd + "string") {
        box.appendChild(el("span", { "class": "meta" }, " ^^" + compact(t.datatype, prefixes)));
      }
    } else if (t.type === "bnode") {
      box.appendChild(document.createTextNode("_:" + t.value));
    } else if (t.type === "triple" && t.value) {
      box.appendChild(document.createTextNode("<< "));
      ["subject", "predicate", "object"].forEach(function (k) {
        box.appendChild(term(t.value[k], prefixes));
        box.appendChild(document.createTextNode(" "));
      });
      box.appendChild(document.createTextNode(">>"));
    } else {
      box.appendChild(document.createTextNode(JSON.stringify(t)));
    }
    return box;
  }

  function renderSolutions(data, prefixes) {
    var vars = (data.head && data.head.vars) || [];
    var rows = (data.results && data.results.bindings) || [];
    var table = el("table");
    var caption = el("caption", { "class": "meta" }, rows.length + (rows.length === 1 ? " row" : " rows"));
    table.appendChild(caption);
    var thead = el("thead"), tr = el("tr");
    vars.forEach(function (v) { tr.appendChild(el("th", { scope: "col" }, v)); });
    thead.appendChild(tr);
    table.appendChild(thead);
    var tbody = el("tbody");
    rows.forEach(function (b) {
      var row = el("tr");
      vars.forEach(function (v) {
        var td = el("td");
        td.appendChild(term(b[v], prefixes));
        row.appendChild(td);
      });
      tbody.appendChild(row);
    });
    table.appendChild(tbody);
    return table;
  }

  function renderRdf(text) {
    var pre = el("pre"), re = /<(https?:\/\/[^<>"\s]+)>/g, last = 0, m;
    while ((m = re.exec(text)) !== null) {
      pre.appendChild(document.createTextNode(text.slice(last, m.index) + "<"));
      pre.appendChild(el("a", { href: m[1] }, m[1]));
      pre.appendChild(document.createTextNode(">"));
      last = re.lastIndex;
    }
    pre.appendChild(document.createTextNode(text.slice(last)));
    return pre;
  }

  function getUrl(query, format) {
    var url = endpoint + "?query=" + encodeURIComponent(query);
    if (format) url += "&format=" + encodeURIComponent(format);
    return url;
  }

  function downloads(query, isGraph) {
    var p = el("p", { "class": "downloads" });
    var formats = isGraph ? [["ttl", "Turtle"], ["jsonld", "JSON-LD"], ["nt", "N-Triples"]]
                          : [["json", "JSON"], ["xml", "XML"], ["csv", "CSV"], ["tsv", "TSV"]];
    if (getUrl(query, "json").length > 7000) return p;  // too long for a link; POST with a program instead
    p.appendChild(document.createTextNode("Download: "));
    formats.forEach(function (f) { p.appendChild(el("a", { href: getUrl(query, f[0]), download: "result." + f[0] }, f[1])); });
    return p;
  }

  function setStatus(text, isError) {
    statusBox.textContent = text;
    statusBox.className = isError ? "status error" : "status";
  }

  // -- running ----------------------------------------------------------------------------------
  function run() {
    var query = textarea.value;
    if (!query.trim()) { setStatus("Write a query first.", true); return; }
    if (running) running.abort();
    var controller = typeof AbortController !== "undefined" ? new AbortController() : null;
    running = controller;
    var accept = "application/sparql-results+json, text/turtle;q=0.9";
    var url = getUrl(query, ""), options;
    if (url.length <= 4000) {
      options = { method: "GET", headers: { Accept: accept } };
      if (window.history && history.replaceState) {
        history.replaceState(null, "", "?query=" + encodeURIComponent(query));
      }
    } else {
      url = endpoint;
      options = { method: "POST", headers: { Accept: accept, "Content-Type": "application/sparql-query" }, body: query };
    }
    if (controller) options.signal = controller.signal;
    var started = Date.now();
    runButton.disabled = true;
    setStatus("Running… (at most " + (config.timeout || "?") + " s)");
    resultsBox.textContent = "";
    fetch(url, options).then(function (response) {
      var type = (response.headers.get("Content-Type") || "").split(";")[0].trim();
      if (!response.ok) {
        return response.text().then(function (body) {
          var detail = body;
          try { detail = JSON.parse(body).detail || body; } catch (e) { /* plain text */ }
          var retry = response.headers.get("Retry-After");
          setStatus("Error " + response.status + ": " + detail + (retry ? " (try again in " + retry + " s)" : ""), true);
        });
      }
      var ms = Date.now() - started;
      if (type === "application/sparql-results+json") {
        return response.json().then(function (data) {
          var prefixes = prefixesOf(query);
          if (typeof data.boolean === "boolean") {
            setStatus("Answer in " + ms + " ms.");
            resultsBox.appendChild(el("p", { "class": "boolean" }, data.boolean ? "true" : "false"));
          } else {
            var n = (data.results && data.results.bindings || []).length;
            setStatus(n + (n === 1 ? " row" : " rows") + " in " + ms + " ms.");
            resultsBox.appendChild(downloads(query, false));
            resultsBox.appendChild(renderSolutions(data, prefixes));
          }
        });
      }
      return response.text().then(function (text) {
        var n = response.headers.get("X-Result-Rows");
        setStatus((n !== null ? n + " triples" : "Result") + " in " + ms + " ms.");
        resultsBox.appendChild(downloads(query, true));
        resultsBox.appendChild(renderRdf(text));
      });
    }).catch(function (e) {
      if (e && e.name === "AbortError") return;
      setStatus("The query could not be sent: " + e, true);
    }).then(function () {
      if (running === controller) { running = null; runButton.disabled = false; }
    });
  }

  form.addEventListener("submit", function (e) {
    if (formatSelect.value) return;  // a download format: let the browser fetch it
    e.preventDefault();
    run();
  });

  if (config.autorun) run();
})(typeof window !== "undefined" ? window : globalThis);
