#!/usr/bin/python3
"""pty_run: run a command with its stderr (and optionally stdout) on a pseudo-terminal.

tests/cli/test_progress.sh uses it to see the progress line as a terminal would.

pty_run.py --capture FILE [--columns N] [--stdout-pty] [--feed FILE --interval SECONDS] -- CMD...
  Everything CMD writes to the terminal goes to FILE, byte for byte (escapes included); the
  seconds CMD ran go to FILE.elapsed. CMD's stdout is pty_run's own unless --stdout-pty. With
  --feed, CMD's stdin is a pipe that receives FILE's lines one every SECONDS; else stdin is
  inherited. Exits with CMD's status.
"""
import argparse
import fcntl
import os
import struct
import subprocess
import sys
import termios
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("--capture", required=True)
parser.add_argument("--columns", type=int, default=200)
parser.add_argument("--stdout-pty", action="store_true")
parser.add_argument("--feed")
parser.add_argument("--interval", type=float, default=0.0)
parser.add_argument("command", nargs="+")
args = parser.parse_args()

master, slave = os.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, args.columns, 0, 0))
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
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:  # EIO: every process holding the terminal has closed it
        break
    if not chunk:
        break
    captured += chunk
status = child.wait()
elapsed = time.monotonic() - started
if feeder:
    feeder.join()
with open(args.capture, "wb") as out:
    out.write(bytes(captured))
with open(args.capture + ".elapsed", "w") as out:
    out.write(f"{elapsed:.3f}\n")
sys.exit(status)
