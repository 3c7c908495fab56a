"""A small OData query-option engine: ``$filter`` predicates and ``$select``.

It understands what the collection's client sends (docs/design/services.md#graph):

* comparisons ``eq ne gt ge lt le`` on property paths (``a/b``), with quoted
  strings (``''`` escapes a quote), numbers, ``true``/``false``/``null``, and
  bare GUID and date-time literals;
* ``and``, ``or``, ``not`` and parentheses;
* ``prop in ('a','b')``;
* lambdas ``coll/any(x:x eq 'v')`` and ``coll/any(x:x/skuId eq GUID)``
  (and ``all``);
* ``startswith(prop,'x')``, ``endswith``, ``contains``.

String comparisons are case-insensitive, as they are on directory objects.
A malformed expression raises :class:`ValueError` with a readable message.
"""

import re

_TOKEN_RE = re.compile(r"""
    (?P<ws>\s+)
  | (?P<string>'(?:[^']|'')*')
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)
  | (?P<guid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<ident>[A-Za-z_@$][\w.@$]*)
  | (?P<punct>[(),:/])
""", re.X)

_COMPARE = ("eq", "ne", "gt", "ge", "lt", "le")


def _tokenize(text):
    tokens, pos = [], 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m:
            raise ValueError("Invalid filter clause: syntax error at position %d in '%s'." % (pos, text))
        pos = m.end()
        kind = m.lastgroup
        if kind == "ws":
            continue
        val = m.group(kind)
        if kind == "string":
            val = val[1:-1].replace("''", "'")
        elif kind == "number":
            val = float(val) if "." in val else int(val)
        tokens.append((kind, val))
    return tokens


class _Parser:
    def __init__(self, text):
        self.text = text
        self.toks = _tokenize(text)
        self.i = 0

    def peek(self, offset=0):
        j = self.i + offset
        return self.toks[j] if j < len(self.toks) else (None, None)

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def expect(self, val):
        kind, v = self.take()
        if v != val:
            raise ValueError("Invalid filter clause: expected '%s' in '%s'." % (val, self.text))

    def word(self, w):
        kind, v = self.peek()
        return kind == "ident" and isinstance(v, str) and v.lower() == w

    def parse(self):
        node = self.parse_or()
        if self.i != len(self.toks):
            raise ValueError("Invalid filter clause: unexpected '%s' in '%s'." % (self.peek()[1], self.text))
        return node

    def parse_or(self):
        node = self.parse_and()
        while self.word("or"):
            self.take()
            node = ("or", node, self.parse_and())
        return node

    def parse_and(self):
        node = self.parse_unary()
        while self.word("and"):
            self.take()
            node = ("and", node, self.parse_unary())
        return node

    def parse_unary(self):
        if self.word("not"):
            self.take()
            return ("not", self.parse_unary())
        if self.peek()[1] == "(":
            self.take()
            node = self.parse_or()
            self.expect(")")
            return node
        return self.parse_comparison()

    def parse_operand(self):
        kind, val = self.peek()
        if kind in ("string", "number", "guid", "datetime"):
            self.take()
            return ("lit", val)
        if kind == "ident":
            low = val.lower()
            if low in ("true", "false"):
                self.take()
                return ("lit", low == "true")
            if low == "null":
                self.take()
                return ("lit", None)
            if low in ("startswith", "endswith", "contains") and self.peek(1)[1] == "(":
                self.take()
                self.take()
                a = self.parse_operand()
                self.expect(",")
                b = self.parse_operand()
                self.expect(")")
                return ("func", low, a, b)
            return self.parse_path()
        raise ValueError("Invalid filter clause: unexpected '%s' in '%s'." % (val, self.text))

    def parse_path(self):
        parts = [self.take()[1]]
        while self.peek()[1] == "/":
            self.take()
            kind, val = self.take()
            if kind != "ident":
                raise ValueError("Invalid filter clause: bad property path in '%s'." % self.text)
            if val.lower() in ("any", "all") and self.peek()[1] == "(":
                self.take()
                var_kind, var = self.take()
                if var_kind != "ident":
                    raise ValueError("Invalid filter clause: bad lambda in '%s'." % self.text)
                self.expect(":")
                body = self.parse_or()
                self.expect(")")
                return ("lambda", val.lower(), parts, var, body)
            parts.append(val)
        return ("path", parts)

    def parse_comparison(self):
        left = self.parse_operand()
        if left[0] in ("lambda", "func"):
            return left
        kind, val = self.peek()
        if kind == "ident" and val.lower() in _COMPARE:
            self.take()
            right = self.parse_operand()
            return ("cmp", val.lower(), left, right)
        if kind == "ident" and val.lower() == "in":
            self.take()
            self.expect("(")
            items = [self.parse_operand()]
            while self.peek()[1] == ",":
                self.take()
                items.append(self.parse_operand())
            self.expect(")")
            return ("in", left, items)
        if left[0] == "path":
            # A bare boolean property: "accountEnabled".
            return ("cmp", "eq", left, ("lit", True))
        raise ValueError("Invalid filter clause: expected an operator in '%s'." % self.text)


def _get(obj, name):
    if not isinstance(obj, dict):
        return None
    if name in obj:
        return obj[name]
    low = name.lower()
    for k, v in obj.items():
        if k.lower() == low:
            return v
    return None


def _resolve(parts, obj, env):
    first = parts[0]
    if first in env:
        cur, rest = env[first], parts[1:]
    else:
        cur, rest = obj, parts
    for p in rest:
        cur = _get(cur, p)
    return cur


def _norm(v):
    return v.lower() if isinstance(v, str) else v


def _value(node, obj, env):
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "path":
        return _resolve(node[1], obj, env)
    return _eval(node, obj, env)


def _compare(op, a, b):
    a, b = _norm(a), _norm(b)
    if op == "eq":
        return a == b
    if op == "ne":
        return a != b
    if a is None or b is None:
        return False
    try:
        return {"gt": a > b, "ge": a >= b, "lt": a < b, "le": a <= b}[op]
    except TypeError:
        return False


def _eval(node, obj, env):
    kind = node[0]
    if kind == "and":
        return _eval(node[1], obj, env) and _eval(node[2], obj, env)
    if kind == "or":
        return _eval(node[1], obj, env) or _eval(node[2], obj, env)
    if kind == "not":
        return not _eval(node[1], obj, env)
    if kind == "cmp":
        return _compare(node[1], _value(node[2], obj, env), _value(node[3], obj, env))
    if kind == "in":
        v = _norm(_value(node[1], obj, env))
        return any(v == _norm(_value(i, obj, env)) for i in node[2])
    if kind == "func":
        a, b = _value(node[2], obj, env), _value(node[3], obj, env)
        if not isinstance(a, str) or not isinstance(b, str):
            return False
        a, b = a.lower(), b.lower()
        return {"startswith": a.startswith(b), "endswith": a.endswith(b), "contains": b in a}[node[1]]
    if kind == "lambda":
        _, quant, parts, var, body = node
        coll = _resolve(parts, obj, env) or []
        results = (_eval(body, obj, dict(env, **{var: item})) for item in coll)
        return any(results) if quant == "any" else all(results)
    if kind in ("path", "lit"):
        return bool(_value(node, obj, env))
    raise ValueError("Invalid filter clause.")


def compile_filter(text):
    """Compile a ``$filter`` expression to a predicate ``f(obj) -> bool``."""
    tree = _Parser(text).parse()
    return lambda obj: bool(_eval(tree, obj, {}))


def filter_uses(text, fragment):
    """True when the raw ``$filter`` text mentions ``fragment`` (case-insensitive)."""
    return fragment.lower() in (text or "").lower().replace(" ", "")


def parse_select(text):
    """Split a ``$select`` value into property names (empty list when absent)."""
    if not text:
        return []
    return [p.strip() for p in text.split(",") if p.strip()]


def apply_select(obj, fields):
    """Project ``obj`` onto ``fields`` (case-insensitive keys, response casing)."""
    if not fields:
        return obj
    out = {}
    for f in fields:
        for k, v in obj.items():
            if k.lower() == f.lower():
                out[k] = v
                break
        else:
            out[f] = None
    return out
