#!/usr/bin/python3
"""pty_run: run a command with its stderr (and optionally stdout) on a pseudo-terminal.

tests/cli/test_progress.sh uses it to see the progress line as a terminal would, and
tests/cli/test_cw_stats_charts.sh cw-stats's charts.

pty_run.py --capture FILE [--columns N] [--rows N] [--stdout-pty] [--feed FILE --interval SECONDS]
           [--signal-when TEXT [--count N] [--signal NAME]] [--timeout SECONDS] -- CMD...
  Everything CMD writes to the terminal goes to FILE, byte for byte (escapes included); the
  seconds CMD ran go to FILE.elapsed. CMD's stdout is pty_run's own unless --stdout-pty. With
  --feed, CMD's stdin is a pipe that receives FILE's lines one every SECONDS; else stdin is
  inherited. With --signal-when, CMD is sent the signal NAME (default TERM) once TEXT has
  appeared N times (default 1) in what it wrote. After --timeout (default 60) seconds CMD is
  killed and pty_run exits 124. Exits with CMD's status, 128 + N when a signal N killed it.
"""
import argparse
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("--capture", required=True)
parser.add_argument("--columns", type=int, default=200)
parser.add_argument("--rows", type=int, default=24)
parser.add_argument("--stdout-pty", action="store_true")
parser.add_argument("--signal-when")
parser.add_argument("--count", type=int, default=1)
parser.add_argument("--signal", default="TERM")
parser.add_argument("--timeout", type=float, default=60.0)
parser.add_argument("--feed")
parser.add_argument("--interval", type=float, default=0.0)
parser.add_argument("command", nargs="+")
args = parser.parse_args()

master, slave = os.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", args.rows, args.columns, 0, 0))
started = time.monotonic()
child = subprocess.Popen(
    args.command,
    stdin=subprocess.PIPE if args.feed else None,
    stdout=slave if args.stdout_pty else None,
    stderr=slave,
)
os.close(slave)


def feed():
    with open(args.feed, "rb") as lines:
        for line in lines:
            child.stdin.write(line)
            child.stdin.flush()
            time.sleep(args.interval)
    child.stdin.close()


feeder = threading.Thread(target=feed) if args.feed else None
if feeder:
    feeder.start()
captured = bytearray()
signalled = timed_out = False
while True:
    if not timed_out and time.monotonic() - started > args.timeout:
        child.kill()
        timed_out = True
    ready, _, _ = select.select([master], [], [], 0.1)
    if not ready:
        continue
    try:
        chunk = os.read(master, 65536)
    except OSError:  # EIO: every process holding the terminal has closed it
        break
    if not chunk:
        break
    captured += chunk
    if args.signal_when and not signalled and captured.count(args.signal_when.encode()) >= args.count:
        child.send_signal(getattr(signal, "SIG" + args.signal))
        signalled = True
status = child.wait()
elapsed = time.monotonic() - started
if feeder:
    feeder.join()
with open(args.capture, "wb") as out:
    out.write(bytes(captured))
with open(args.capture + ".elapsed", "w") as out:
    out.write(f"{elapsed:.3f}\n")
sys.exit(124 if timed_out else 128 - status if status < 0 else status)
