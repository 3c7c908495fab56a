#!/usr/bin/python3
"""Checks every module's documentation stub against the module itself.

For each plugins/modules/NAME binary, compares its argument table (printed by
"NAME --argument-spec") with what "ansible-doc --json" reads from NAME.py and
its doc fragments: the same options, with the same type, default, choices,
required, aliases and elements, sub-options included; a no_log option says
in its description that it is never logged. It also fails on any
documentation entry (options, sub-options, return values) that does not
render as written: a YAML flow mapping "{description: a, b, type: str}"
turns the text after the comma into a key of its own with a null value.

Prints one line per problem and a last line "docs: N passed, N failed"
(one check per module). Exit status 1 when anything failed.

    tests/docs/check_docs.py [NAME ...]
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTION = "dialtone.teams_phone"

# Keys an option or a return value may carry in module documentation.
OPTION_KEYS = {"description", "type", "required", "default", "choices", "aliases",
               "elements", "suboptions", "version_added", "version_added_collection",
               "no_log", "env", "ini", "vars", "deprecated", "options"}
RETURN_KEYS = {"description", "returned", "type", "sample", "contains", "elements",
               "version_added", "version_added_collection", "choices"}


def modules():
    out = []
    for name in sorted(os.listdir(os.path.join(ROOT, "plugins", "modules"))):
        path = os.path.join(ROOT, "plugins", "modules", name)
        if name.endswith(".py") or name.startswith("__") or not os.access(path, os.X_OK):
            continue
        if os.path.exists(path + ".py"):
            out.append(name)
    return out


def argument_spec(name):
    binary = os.path.join(ROOT, "plugins", "modules", name)
    text = subprocess.run([binary, "--argument-spec"], check=True, capture_output=True,
                          text=True).stdout
    return json.loads(text)


def ansible_doc(names, env):
    text = subprocess.run(["ansible-doc", "--json", "-t", "module"] +
                          ["%s.%s" % (COLLECTION, n) for n in names],
                          check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(text)


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def description_text(doc):
    return " ".join(str(d) for d in as_list(doc.get("description")))


def check_description(at, doc, problems):
    """Every item of a description must be text: "- a: b" in YAML is a mapping."""
    for i, d in enumerate(as_list(doc.get("description"))):
        if not isinstance(d, str):
            problems.append("%s: description item %d is not text but %r (a ': ' inside "
                            "an unquoted line?)" % (at, i + 1, d))


def compare_options(where, spec, doc, problems):
    """spec: {name: {type, ...}} from the binary; doc: {name: {...}} from ansible-doc."""
    doc = doc or {}
    for name in spec:
        if name not in doc:
            problems.append("%s: option %s is in the module but not documented" % (where, name))
    for name in doc:
        if name not in spec:
            problems.append("%s: option %s is documented but the module has no such option"
                            % (where, name))
    for name, s in spec.items():
        d = doc.get(name)
        if d is None:
            continue
        at = "%s: option %s" % (where, name)
        if not isinstance(d, dict):
            problems.append("%s: documentation is not a mapping: %r" % (at, d))
            continue
        check_description(at, d, problems)
        bad = sorted(k for k in d if k not in OPTION_KEYS)
        if bad:
            problems.append("%s: unknown documentation keys %s (a comma inside a flow "
                            "mapping's description?)" % (at, ", ".join(repr(k) for k in bad)))
        checks = [
            ("type", s.get("type", "str"), d.get("type", "str")),
            ("required", bool(s.get("required")), bool(d.get("required"))),
            ("default", s.get("default"), d.get("default")),
            ("choices", s.get("choices"), d.get("choices")),
            ("aliases", sorted(s.get("aliases") or []), sorted(d.get("aliases") or [])),
            ("elements", s.get("elements"), d.get("elements")),
        ]
        for key, have, documented in checks:
            if have != documented:
                problems.append("%s: %s is %s in the module but %s in the documentation"
                                % (at, key, json.dumps(have), json.dumps(documented)))
        if s.get("no_log") and "never logged" not in description_text(d).lower():
            problems.append("%s: no_log option whose description does not say it is never logged"
                            % at)
        if "options" in s:
            compare_options("%s.%s" % (where, name), s["options"], d.get("suboptions"), problems)
        elif d.get("suboptions"):
            problems.append("%s: documented sub-options, but the module takes none" % at)


def check_returns(where, doc, problems):
    for name, d in (doc or {}).items():
        at = "%s: return value %s" % (where, name)
        if not isinstance(d, dict):
            problems.append("%s: documentation is not a mapping: %r" % (at, d))
            continue
        check_description(at, d, problems)
        bad = sorted(k for k in d if k not in RETURN_KEYS)
        if bad:
            problems.append("%s: unknown documentation keys %s (a comma inside a flow "
                            "mapping's description?)" % (at, ", ".join(repr(k) for k in bad)))
        if not description_text(d).strip():
            problems.append("%s: no description" % at)
        if isinstance(d.get("contains"), dict):
            check_returns("%s.%s" % (where, name), d["contains"], problems)


def main(argv):
    names = argv[1:] or modules()
    if not names:
        print("docs: no module binaries (run make first)")
        print("docs: 0 passed, 1 failed")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        coll = os.path.join(tmp, "ansible_collections", "dialtone")
        os.makedirs(coll)
        os.symlink(ROOT, os.path.join(coll, "teams_phone"))
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=tmp,
                   ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false", ANSIBLE_NOCOLOR="1",
                   ANSIBLE_LOCAL_TEMP=os.path.join(tmp, "local"))
        docs = ansible_doc(names, env)
    passed = failed = 0
    for name in names:
        problems = []
        entry = docs.get("%s.%s" % (COLLECTION, name))
        if not entry:
            problems.append("%s: ansible-doc found no documentation" % name)
        else:
            spec = argument_spec(name)
            doc = entry.get("doc") or {}
            check_description(name, doc, problems)
            for i, note in enumerate(as_list(doc.get("notes"))):
                if not isinstance(note, str):
                    problems.append("%s: note %d is not text but %r" % (name, i + 1, note))
            compare_options(name, spec["options"], doc.get("options"), problems)
            if spec.get("check_mode") and "check_mode" not in json.dumps(doc.get("attributes", {})) \
                    and "check mode" not in json.dumps(doc).lower():
                problems.append("%s: supports check mode but its documentation never says so" % name)
            check_returns(name, entry.get("return"), problems)
        for p in problems:
            print(p)
        if problems:
            failed += 1
        else:
            passed += 1
    print("docs: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
