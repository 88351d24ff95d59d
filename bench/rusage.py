#!/usr/bin/env python3
"""Wall time, CPU time (user + sys) and peak RSS of commands, interleaved.

    bench/rusage.py RUNS WARMUP EXPORT.json CMD [CMD...]

Each CMD is one string, split like a shell word list (no shell runs it).
The commands take turns (A B C, A B C, ...) so a change in machine load
hits them all alike; the first WARMUP rounds are not counted. Standard
output goes to /dev/null and the exit code is ignored (diff tools exit 1).

Prints one line per command: median wall seconds, median CPU seconds
(user + sys of the child, from wait4, microsecond resolution, where
/usr/bin/time prints hundredths) and median peak RSS in KiB. EXPORT.json
keeps every sample.
"""

import json
import os
import shlex
import statistics
import subprocess
import sys
import time


def one(argv):
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = 0  # reaped by wait4 already
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def main():
    runs, warmup, export = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    cmds = [shlex.split(c) for c in sys.argv[4:]]
    samples = [[] for _ in cmds]
    for r in range(warmup + runs):
        for i, argv in enumerate(cmds):
            s = one(argv)
            if r >= warmup:
                samples[i].append(s)
    with open(export, "w") as f:
        json.dump(
            [{"command": " ".join(c), "wall_cpu_rsskib": s} for c, s in zip(cmds, samples)],
            f,
            indent=1,
        )
    for s in samples:
        med = [statistics.median(x[k] for x in s) for k in range(3)]
        print(f"{med[0]:.6f} {med[1]:.6f} {med[2]:.0f}")


if __name__ == "__main__":
    main()
