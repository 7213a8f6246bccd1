"""A Lambda handler of Kinesis events for the runtime tests: it records what it handles, and
misbehaves on the records that ask it to.

handler(event, context), as a Lambda Python handler (any runtime that follows the Runtime API
runs it: tests/tools/strict_runtime.py, or a bootstrap given --handler records_handler.handler).
Each record's data is a JSON object {"n": N, ...}; its member "act" says what to do with it:
  throw           raise an exception (the runtime posts it to invocation/ID/error)
  throw-once      the same, the first time the record is seen only
  fail-item-once  the first time: a partial batch response naming this record
  sleep-once      the first time: sleep 60 s (past any timeout of the tests: killed)
  crash-once      the first time: exit the process with status 3 in the middle of the batch
  huge            return 7 MB, past Lambda's response limit (the batch fails)
  limit           return exactly Lambda's largest response, 6291556 bytes as compact JSON (a
                  partial batch response with no failure, padded: the batch succeeds, nothing
                  reaches stdout)
  over-limit      the same, one byte longer (the batch fails)
  noisy           write 2000 lines "rt-noise SHARD SEQ I ..." (some 200 KB) on stderr
"The first time" is across processes: a marker file made with O_EXCL in RECORDS_LOG.

What it did goes into files of the directory RECORDS_LOG (an environment variable, given with
--env), one file of each kind per process so that no two processes append to one file:
  start.PID the time it was loaded (epoch ms): one a runtime process
  seen.PID  "REQUEST_ID SHARD SEQ N" for each record of each event, as it is read
  done.PID  "REQUEST_ID SHARD SEQ N HOW" for each record handled: HOW is "ret" for a batch that
            returned, "part" for the records before the failure of a partial batch response.
            Written before the handler returns; never for records whose invocation fails.
  events    "SHARD FIRST_SEQ LAST_SEQ" for each event, one file for all processes, each line
            appended in one write as the event is read: the order the shard's events came in
            (a shard has one event at a handler at a time).
For each event it writes "rt-out SHARD SEQ" on stdout and "rt-err SHARD SEQ" on stderr (SEQ
the first record's), and "rt-crash SHARD SEQ" on stderr before it crashes: the runtime's lines
on ks-consume's stderr, prefixed with the shard id.

Its return value, but for a partial batch response: {"n": [N, ...]} with the batch's numbers,
or None when the lowest of them is a multiple of 3 (then nothing reaches ks-consume's stdout).
"""

import base64
import json
import os
import sys
import time

LOG = os.environ.get("RECORDS_LOG", ".")
# Lambda's response limit as its error message states it (Function.ResponseSizeTooLarge).
MAX_RESPONSE_BYTES = 6291556


class BadRecord(Exception):
    pass


def first_time(seq):
    try:
        os.close(os.open(os.path.join(LOG, f"once.{seq}"), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        return True
    except FileExistsError:
        return False


def append(kind, lines):
    if lines:
        with open(os.path.join(LOG, f"{kind}.{os.getpid()}"), "a") as f:
            f.write("".join(line + "\n" for line in lines))


def padded_batch_response(size):
    empty = json.dumps({"batchItemFailures": [], "pad": ""}, separators=(",", ":"))
    return {"batchItemFailures": [], "pad": "x" * (size - len(empty))}


append("start", [str(int(time.time() * 1000))])


def handler(event, context):
    rid = context.aws_request_id
    records = []
    for r in event["Records"]:
        shard, seq = r["eventID"].split(":")
        data = json.loads(base64.b64decode(r["kinesis"]["data"]))
        records.append((shard, seq, data))
    append("seen", [f"{rid} {shard} {seq} {data['n']}" for shard, seq, data in records])
    events = os.open(os.path.join(LOG, "events"), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.write(events, f"{records[0][0]} {records[0][1]} {records[-1][1]}\n".encode())
    os.close(events)
    shard, seq = records[0][0], records[0][1]
    print(f"rt-out {shard} {seq}", flush=True)
    print(f"rt-err {shard} {seq}", file=sys.stderr, flush=True)

    result = None
    for i, (shard, seq, data) in enumerate(records):
        act = data.get("act")
        if act == "throw" or (act == "throw-once" and first_time(seq)):
            raise BadRecord(f"record {data['n']} is bad")
        if act == "sleep-once" and first_time(seq):
            time.sleep(60)
        if act == "crash-once" and first_time(seq):
            print(f"rt-crash {shard} {seq}", file=sys.stderr, flush=True)
            os._exit(3)
        if act == "noisy":
            for j in range(2000):
                print(f"rt-noise {shard} {seq} {j} {'.' * 64}", file=sys.stderr)
            sys.stderr.flush()
        if act == "huge":
            return "x" * (7 << 20)
        if act == "limit":
            result = padded_batch_response(MAX_RESPONSE_BYTES)
        if act == "over-limit":
            return padded_batch_response(MAX_RESPONSE_BYTES + 1)
        if act == "fail-item-once" and first_time(seq):
            append("done", [f"{rid} {s} {q} {d['n']} part" for s, q, d in records[:i]])
            return {"batchItemFailures": [{"itemIdentifier": seq}]}

    append("done", [f"{rid} {s} {q} {d['n']} ret" for s, q, d in records])
    if result is not None:
        return result
    numbers = [d["n"] for _, _, d in records]
    return None if min(numbers) % 3 == 0 else {"n": numbers}
