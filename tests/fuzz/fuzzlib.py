"""Shared helpers of the input tests and fuzzers: running a module binary.

Every module binary prints its option table with --argument-spec; the tools here
read it to build arguments. Modules run with their service endpoints pointed
at 127.0.0.1 only (a closed port unless a test server is given), so no
traffic ever leaves the machine.
"""
import json
import os
import signal
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# A port nothing listens on: a module that tries the network fails at once.
CLOSED = "http://127.0.0.1:9"


def module_dir():
    return os.environ.get("MODULE_DIR", os.path.join(ROOT, "plugins", "modules"))


def modules():
    d = module_dir()
    return sorted(n for n in os.listdir(d)
                  if not n.endswith((".py", ".tmp", ".o")) and not n.startswith("_")
                  and os.access(os.path.join(d, n), os.X_OK)
                  and os.path.isfile(os.path.join(d, n)))


def _option_list(options):
    """The options object of --argument-spec as the list the tools walk:
    [{"name", "type", "required", "no_log", "choices": "a|b", "elements",
    "text", "max_len", "min", "max", "options": [...]}]."""
    out = []
    for name, o in options.items():
        item = dict(o, name=name, required=bool(o.get("required")),
                    no_log=bool(o.get("no_log")), text=o.get("text", "any"))
        if "choices" in o:
            item["choices"] = "|".join(str(c) for c in o["choices"])
        if "options" in o:
            item["options"] = _option_list(o["options"])
        out.append(item)
    return out


def argspec(name):
    out = subprocess.run([os.path.join(module_dir(), name), "--argument-spec"],
                         capture_output=True, timeout=30, check=True)
    return _option_list(json.loads(out.stdout)["options"])


def base_env(endpoint=CLOSED):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AZURE_", "DIALTONE_", "ARM_"))}
    env.update({
        "DIALTONE_LOGIN_ENDPOINT": endpoint,
        "DIALTONE_GRAPH_ENDPOINT": endpoint,
        "DIALTONE_TEAMS_ENDPOINT": endpoint,
    })
    return env


def run_module(name, args, env=None, timeout=60):
    """Runs module name with args (a dict, or raw text). Returns a dict:
    rc, signal, stdout, stderr, result (the parsed object or None), hang."""
    text = args if isinstance(args, (str, bytes)) else json.dumps(args)
    if isinstance(text, str):
        text = text.encode("utf-8", "surrogatepass")
    with tempfile.NamedTemporaryFile(prefix="fuzzargs-", suffix=".json", delete=False) as f:
        f.write(text)
        path = f.name
    res = {"rc": None, "signal": None, "stdout": b"", "stderr": b"", "result": None,
           "hang": False}
    try:
        p = subprocess.Popen([os.path.join(module_dir(), name), path],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=env if env is not None else base_env(),
                             start_new_session=True)
        try:
            res["stdout"], res["stderr"] = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            res["hang"] = True
            os.killpg(p.pid, signal.SIGKILL)
            res["stdout"], res["stderr"] = p.communicate()
        res["rc"] = p.returncode
        if p.returncode is not None and p.returncode < 0:
            res["signal"] = -p.returncode
        try:
            obj = json.loads(res["stdout"].decode("utf-8"))
            if isinstance(obj, dict):
                res["result"] = obj
        except (ValueError, UnicodeDecodeError):
            pass
    finally:
        os.unlink(path)
    return res


def problem(res):
    """What is wrong with a run whatever its input: crash, hang, output."""
    if res["hang"]:
        return "hang"
    if res["signal"]:
        return "killed by signal %d" % res["signal"]
    if b"runtime error" in res["stderr"] or b"Sanitizer" in res["stderr"]:
        return "sanitizer report: %r" % res["stderr"][:300]
    if res["rc"] not in (0, 1):
        return "exit status %s" % res["rc"]
    if res["result"] is None:
        return "output is not one JSON object: %r" % res["stdout"][:200]
    if "BUG:" in str(res["result"].get("msg", "")):
        return "internal error: %s" % res["result"]["msg"][:300]
    return None


def plausible(opt):
    """A value AnsibleModule accepts for opt, used to fill required options."""
    if opt.get("choices"):
        first = opt["choices"].split("|")[0]
        return [first] if opt["type"] == "list" else first
    t = opt["type"]
    if t == "bool":
        return True
    if t == "int":
        return int(opt.get("min", 1))
    if t == "float":
        return 1.0
    if t == "dict":
        return required_of(opt.get("options") or [])
    if t == "list":
        if opt.get("elements") == "dict":
            return [required_of(opt.get("options") or [])]
        return ["test-item"]
    return "test-value"


def required_of(spec):
    return {o["name"]: plausible(o) for o in spec if o["required"]}


def all_null(spec):
    """Every option null; dicts and lists of dicts hold their own nulls."""
    out = {}
    for o in spec:
        out[o["name"]] = None
    return out


def nested_null(spec, fill_required=True):
    out = {}
    for o in spec:
        if o.get("options"):
            sub = nested_null(o["options"], fill_required)
            out[o["name"]] = [sub] if o["type"] == "list" else sub
        elif fill_required and o["required"]:
            out[o["name"]] = plausible(o)
        else:
            out[o["name"]] = None
    return out
