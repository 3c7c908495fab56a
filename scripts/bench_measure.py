#!/usr/bin/python3
"""Runs one module binary on an args file; prints its wall time, CPU time and
peak resident memory as JSON. The module's own output goes to OUT.

    bench_measure.py BINARY ARGS_JSON OUT_JSON
"""

import json
import os
import sys
import time


def main(argv):
    binary, args, out = argv[1:4]
    t0 = time.monotonic()
    with open(out, "wb") as f:
        pid = os.fork()
        if pid == 0:
            os.dup2(f.fileno(), 1)
            os.execv(binary, [binary, args])
        _, status, ru = os.wait4(pid, 0)
    wall = time.monotonic() - t0
    cpu = ru.ru_utime + ru.ru_stime
    print(json.dumps({"status": os.waitstatus_to_exitcode(status), "wall": round(wall, 3),
                      "cpu": round(cpu, 3), "cpu_share": round(cpu / wall, 3) if wall else 0,
                      "max_rss_mib": round(ru.ru_maxrss / 1024.0, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
