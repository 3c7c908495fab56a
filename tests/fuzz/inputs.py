#!/usr/bin/python3
"""Input tests run against every module binary (tests/run.sh layer "inputs").

For each module:
  null      every option null (a template's empty variable): JSON output, no
            crash; a module with required options reports them missing.
  nested    required options given, every other option and sub-option null.
  names     every option declared a name, one line or free text refuses a
            control, invisible or direction-changing character (and a name
            '/' and a list) before any request, naming the option and the
            code point; a value above its length limit is refused too.
Prints one "ok: ..." or "FAILED: ..." line per check.
"""
import sys

import fuzzlib

BAD = {
    "name": [("a\u202eb", "U+202E"), ("../../Global", "U+002F"), ("a\\b", "U+005C"),
             ("Seattle\r\nX-Injected: 1", "U+000D"), ("a\u200bb", "U+200B"),
             ("a\u0007b", "U+0007")],
    "line": [("a\nb", "U+000A"), ("a\u202eb", "U+202E"), ("a\ufeffb", "U+FEFF")],
    "free": [("a\u0007b", "U+0007"), ("a\u2066b", "U+2066"), ("a\rb", "U+000D")],
}


def text_cases(spec, path=()):
    """(path, option) for every text-checked option, sub-options included."""
    for o in spec:
        if o.get("options"):
            yield from text_cases(o["options"], path + (o,))
        elif o.get("text", "any") != "any" or (o.get("max_len") and not o["no_log"]):
            yield path, o


# Options a module's rules (required_if...) ask for besides the required ones.
RULES_FILL = {
    "teams_phone_number": {"assigned_to": "user@contoso.com"},
}


def place(mod, spec, path, opt, value):
    """Arguments with required options filled and value at path/opt."""
    args = fuzzlib.required_of(spec)
    args.update(RULES_FILL.get(mod, {}))
    cur, cur_spec = args, spec
    for p in path:
        sub = fuzzlib.required_of(p["options"])
        cur[p["name"]] = [sub] if p["type"] == "list" else sub
        cur = sub
    if opt["type"] == "list":
        value = ["ok", value]
    cur[opt["name"]] = value
    args["_ansible_check_mode"] = True
    return args


def main():
    passed = failed = 0

    def report(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
            print("ok: " + what)
        else:
            failed += 1
            print("FAILED: " + what)

    for mod in fuzzlib.modules():
        spec = fuzzlib.argspec(mod)
        required = sorted(o["name"] for o in spec if o["required"])

        args = fuzzlib.all_null(spec)
        args["_ansible_check_mode"] = True
        res = fuzzlib.run_module(mod, args)
        why = fuzzlib.problem(res)
        if not why and required:
            msg = res["result"].get("msg", "")
            if not (res["result"].get("failed") and
                    msg == "missing required arguments: " + ", ".join(required)):
                why = "expected the missing required arguments, got: " + msg[:200]
        report(not why, "%s: every option null%s" % (mod, " (" + why + ")" if why else ""))

        args = fuzzlib.nested_null(spec)
        args["_ansible_check_mode"] = True
        res = fuzzlib.run_module(mod, args)
        why = fuzzlib.problem(res)
        report(not why, "%s: required given, the rest null%s" %
               (mod, " (" + why + ")" if why else ""))

        bad = []
        for path, opt in text_cases(spec):
            name = opt["name"]
            cases = list(BAD.get(opt.get("text", "any"), []))
            if opt.get("max_len") and not opt["no_log"]:
                cases.append(("x" * (opt["max_len"] + 1), "characters long"))
            if opt.get("text") == "name" and opt["type"] == "str":
                cases.append((["Seattle", "Other"], "is a list"))
            for value, want in cases:
                res = fuzzlib.run_module(mod, place(mod, spec, path, opt, value))
                why = fuzzlib.problem(res)
                msg = res["result"].get("msg", "") if res["result"] else ""
                if why or not res["result"].get("failed") or \
                        ("option '%s'" % name) not in msg or want not in msg or \
                        res["result"].get("changed"):
                    bad.append("%s=%r: %s" % (name, value if len(str(value)) < 40 else
                                              "<%d chars>" % len(value), why or msg[:160]))
        report(not bad, "%s: malformed names and text refused before any request%s" %
               (mod, (" (" + "; ".join(bad[:5]) + ")") if bad else ""))
    print("%d ok, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
