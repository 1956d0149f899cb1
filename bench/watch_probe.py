"""For bench/sync.sh: runs a `cubby sync --watch --json` command, saves small files one at a
time in its folder and times each from the save to its `done` upload line (the object is in
S3 by then), after one warm-up save that also waits out the first run. Prints one JSON line:
{"samples", "median_s", "p95_s", "peak_rss_mib"} (the peak resident memory of the watching
process so far, VmHWM).

usage: watch_probe.py SAMPLES FOLDER -- COMMAND...
"""
import json
import math
import os
import queue
import signal
import statistics
import subprocess
import sys
import threading
import time

samples, folder = int(sys.argv[1]), sys.argv[2]
command = sys.argv[sys.argv.index("--") + 1:]
process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
lines = queue.Queue()
threading.Thread(target=lambda: [lines.put(l) for l in process.stdout], daemon=True).start()


def save_and_wait(name, limit=600.0):
    started = time.monotonic()
    with open(os.path.join(folder, name), "w") as f:
        f.write(f"probe {name}\n")
    while True:
        left = limit - (time.monotonic() - started)
        if left <= 0:
            sys.exit(f"watch_probe: {name} did not arrive within {limit:.0f} s")
        try:
            line = json.loads(lines.get(timeout=left))
        except queue.Empty:
            continue
        if line.get("event") == "done" and line.get("action") == "upload" and line.get("path") == name:
            return time.monotonic() - started


def peak_rss_mib():
    with open(f"/proc/{process.pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return 0


try:
    save_and_wait("probe-warm-up.txt")
    took = []
    for i in range(samples):
        took.append(save_and_wait(f"probe-{i:03}.txt", limit=60.0))
        time.sleep(0.3)
    took.sort()
    print(json.dumps({
        "samples": len(took),
        "median_s": round(statistics.median(took), 3),
        "p95_s": round(took[math.ceil(0.95 * len(took)) - 1], 3),
        "peak_rss_mib": peak_rss_mib(),
    }))
finally:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
