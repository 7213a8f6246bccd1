#!/usr/bin/python3
"""A custom Lambda runtime that holds the Runtime API it is served to the letter.

usage: strict_runtime.py --log DIR --function NAME --region REGION --memory MB --timeout-ms MS
                         --root DIR --handler FILE.FUNCTION --stream NAME --input FILE
                         --batch-size N [--endpoint URL] [--env NAME=VALUE]... [--group PGID]
                         [--abuse]

Run by `ks-consume --runtime-cmd` (stdlib only, http.client). As a bootstrap does, it imports
the handler named by _HANDLER from LAMBDA_TASK_ROOT (posting /init/error and exiting when it
cannot: Runtime.ImportModuleError) and runs it on each event, posting its return value or its
exception. Its options are what ks-consume was told, so that everything it is given can be
checked against them:
  - its environment at start: AWS_LAMBDA_RUNTIME_API (127.0.0.1:PORT), _HANDLER,
    LAMBDA_TASK_ROOT (the working directory), AWS_LAMBDA_FUNCTION_NAME, _VERSION, _MEMORY_SIZE,
    AWS_REGION, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL (absent without --endpoint), each --env;
    stdin /dev/null, no descriptor but 0, 1 and 2, and a process group other than PGID's;
  - every `next`: 200, Content-Type application/json, Lambda-Runtime-Aws-Request-Id a version 4
    UUID never given before, Lambda-Runtime-Deadline-Ms in epoch ms no further than the
    timeout from now, Lambda-Runtime-Invoked-Function-Arn
    arn:aws:lambda:REGION:000000000000:function:NAME, Lambda-Runtime-Trace-Id as X-Ray's; the
    body a Kinesis event of 1 to N records of one shard, in sequence order, each with Lambda's
    fields and data that is one of the input lines (its partition key the line's "id");
  - every post: response 202 {"status":"OK"} up to 6291556 bytes, 413 RequestEntityTooLarge
    above; error 202; init/error 202.
With --abuse it also misbehaves, and checks the answers: requests to paths that are not the
API's (404) and with the wrong method (405), before its first `next` and after each event; the
first event of each process it leaves unanswered and asks `next` again (that invocation fails);
while it works on an event it answers an unknown id (400 InvalidRequestID); after answering it
answers the same id again, as a response and as an error (400 InvalidRequestID each).

Each violation goes to stderr as "strict_runtime: VIOLATION: ..." and to DIR/violations.PID.
With --abuse it writes DIR/ignored.PID ("REQUEST_ID SHARD SEQ" for each record of the event it
left unanswered). A `next` answered 500
Runtime.Stopping, or a connection refused, means ks-consume is ending: it exits 0.
"""

import argparse
import base64
import http.client
import importlib
import json
import os
import re
import stat
import sys
import time
import traceback
import uuid

MAX_RESPONSE_BYTES = 6291556
API = "/2018-06-01/runtime"
UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
TRACE_ID = re.compile(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=[01]")
SHARD_ID = re.compile(r"shardId-[0-9]{12}")


class Stopping(Exception):
    pass


class Context:
    """The context object of Lambda's Python runtime (the members the tests' handlers use)."""

    def __init__(self, request_id, deadline_ms, arn):
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)


class Runtime:
    def __init__(self, args):
        self.args = args
        self.request_ids = set()
        self.inputs = {}
        with open(args.input, "rb") as f:
            for line in f:
                line = line.rstrip(b"\n")
                self.inputs[line] = json.loads(line).get("id")
        self.api = os.environ.get("AWS_LAMBDA_RUNTIME_API", "")
        self.conn = None

    # ---- reporting -----------------------------------------------------------------------

    def violation(self, what):
        print(f"strict_runtime: VIOLATION: {what}", file=sys.stderr, flush=True)
        self.append("violations", what)

    def append(self, kind, line):
        with open(os.path.join(self.args.log, f"{kind}.{os.getpid()}"), "a") as f:
            f.write(line + "\n")

    def expect(self, condition, what):
        if not condition:
            self.violation(what)
        return condition

    # ---- HTTP ----------------------------------------------------------------------------

    def request(self, method, path, body=None, headers=None):
        """One request on the kept-alive connection (made again when the server closed it)."""
        for attempt in (1, 2):
            if self.conn is None:
                host, _, port = self.api.rpartition(":")
                self.conn = http.client.HTTPConnection(host, int(port))  # no timeout: `next` waits
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return response.status, response, data
            except (ConnectionRefusedError, http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt == 2 or method == "GET" and path.endswith("/next"):
                    raise Stopping()
        raise Stopping()

    def expect_status(self, want, method, path, body=None, headers=None, error_type=None):
        status, response, data = self.request(method, path, body, headers)
        what = f"{method} {path}"
        if self.expect(status == want, f"{what}: status {status}, expected {want}: {data[:200]!r}"):
            if want == 202:
                self.expect(self.json_or_none(data) == {"status": "OK"}, f"{what}: 202 body {data[:200]!r}")
            elif error_type is not None:
                document = self.json_or_none(data)
                self.expect(isinstance(document, dict) and document.get("errorType") == error_type
                            and isinstance(document.get("errorMessage"), str),
                            f"{what}: {status} body {data[:200]!r}, expected errorType {error_type} and an errorMessage")
        return status

    @staticmethod
    def json_or_none(data):
        try:
            return json.loads(data)
        except ValueError:
            return None

    # ---- the start -------------------------------------------------------------------------

    def check_environment(self):
        a, env = self.args, os.environ
        self.expect(re.fullmatch(r"127\.0\.0\.1:[0-9]{1,5}", self.api), f"AWS_LAMBDA_RUNTIME_API is {self.api!r}")
        wanted = {
            "_HANDLER": a.handler,
            "LAMBDA_TASK_ROOT": a.root,
            "AWS_LAMBDA_FUNCTION_NAME": a.function,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(a.memory),
            "AWS_REGION": a.region,
            "AWS_DEFAULT_REGION": a.region,
            "AWS_ENDPOINT_URL": a.endpoint,
        }
        for entry in a.env:
            name, _, value = entry.partition("=")
            wanted[name] = value
        for name, value in wanted.items():
            self.expect(env.get(name) == value, f"{name} is {env.get(name)!r}, expected {value!r}")
        self.expect(os.path.samefile(os.getcwd(), a.root), f"working directory {os.getcwd()}, expected {a.root}")
        self.expect(os.path.samestat(os.fstat(0), os.stat("/dev/null")), "stdin is not /dev/null")
        for fd in (1, 2):
            self.expect(stat.S_ISFIFO(os.fstat(fd).st_mode), f"descriptor {fd} is not a pipe")
        fd_dir = f"/proc/{os.getpid()}/fd"
        for name in os.listdir(fd_dir):
            try:
                target = os.readlink(f"{fd_dir}/{name}")
            except OSError:
                continue  # the listing's own descriptor, closed since
            self.expect(int(name) <= 2 or target == fd_dir, f"descriptor {name} ({target}) was left open")
        if a.group is not None:
            self.expect(os.getpgrp() != a.group, "the runtime is in ks-consume's process group")

    def load_handler(self):
        module_name, _, function_name = os.environ.get("_HANDLER", "").rpartition(".")
        try:
            if not module_name:
                raise ValueError(f"_HANDLER {os.environ.get('_HANDLER')!r} is not FILE.FUNCTION")
            sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
            return getattr(importlib.import_module(module_name), function_name)
        except Exception as e:  # noqa: BLE001 -- whatever the module raises fails the init
            # Said before the post: ks-consume may end the process as soon as it has it.
            print(f"strict_runtime: cannot load the handler: {e}", file=sys.stderr, flush=True)
            document = error_document(e, "Runtime.ImportModuleError")
            self.expect_status(202, "POST", f"{API}/init/error", json.dumps(document),
                               {"Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError"})
            sys.exit(1)

    def abuse_paths(self):
        some_id = str(uuid.uuid4())
        for method, path, want in [
            ("GET", "/", 404),
            ("GET", f"{API}/", 404),
            ("GET", f"{API}/invocation/nextx", 404),
            ("GET", "/2018-06-02/runtime/invocation/next", 404),
            ("POST", f"{API}/invocation/{some_id}/bogus", 404),
            ("POST", f"{API}/invocation/next", 405),
            ("DELETE", f"{API}/invocation/next", 405),
            ("GET", f"{API}/invocation/{some_id}/response", 405),
            ("PUT", f"{API}/invocation/{some_id}/error", 405),
            ("GET", f"{API}/init/error", 405),
        ]:
            self.expect_status(want, method, path, b"{}" if method != "GET" else None)

    # ---- events ----------------------------------------------------------------------------

    def next_event(self):
        a = self.args
        status, response, data = self.request("GET", f"{API}/invocation/next")
        now_ms = int(time.time() * 1000)
        if status == 500 and (self.json_or_none(data) or {}).get("errorType") == "Runtime.Stopping":
            raise Stopping()
        if not self.expect(status == 200, f"next: status {status}: {data[:200]!r}"):
            time.sleep(0.1)
            return None
        content_type = response.getheader("Content-Type", "")
        self.expect(content_type.split(";")[0].strip() == "application/json", f"next: Content-Type {content_type!r}")
        rid = response.getheader("Lambda-Runtime-Aws-Request-Id", "")
        self.expect(UUID4.fullmatch(rid), f"next: Lambda-Runtime-Aws-Request-Id {rid!r} is not a version 4 UUID")
        self.expect(rid not in self.request_ids, f"next: Lambda-Runtime-Aws-Request-Id {rid} given twice")
        self.request_ids.add(rid)
        deadline = response.getheader("Lambda-Runtime-Deadline-Ms", "")
        if self.expect(deadline.isdigit(), f"next: Lambda-Runtime-Deadline-Ms {deadline!r}"):
            left = int(deadline) - now_ms
            # Set when the event was handed out, a moment ago: not past, not beyond the timeout.
            self.expect(max(a.timeout_ms - 5000, 0) < left <= a.timeout_ms + 20,
                        f"next: Lambda-Runtime-Deadline-Ms is now + {left} ms, the timeout is {a.timeout_ms} ms")
        arn = response.getheader("Lambda-Runtime-Invoked-Function-Arn", "")
        want_arn = f"arn:aws:lambda:{a.region}:000000000000:function:{a.function}"
        self.expect(arn == want_arn, f"next: Lambda-Runtime-Invoked-Function-Arn {arn!r}, expected {want_arn!r}")
        trace = response.getheader("Lambda-Runtime-Trace-Id", "")
        self.expect(TRACE_ID.fullmatch(trace), f"next: Lambda-Runtime-Trace-Id {trace!r}")
        event = self.json_or_none(data)
        if not self.expect(isinstance(event, dict), f"next: the body is not a JSON object: {data[:200]!r}"):
            return None
        self.check_event(rid, event)
        return rid, int(deadline) if deadline.isdigit() else now_ms, arn, event

    def check_event(self, rid, event):
        a = self.args
        records = event.get("Records")
        if not self.expect(isinstance(records, list) and 1 <= len(records) <= a.batch_size,
                           f"{rid}: Records is not a list of 1 to {a.batch_size} records"):
            return
        shards, sequences = set(), []
        for r in records:
            k = r.get("kinesis", {})
            for name, value in [("eventSource", "aws:kinesis"), ("eventName", "aws:kinesis:record"),
                                ("eventVersion", "1.0")]:
                self.expect(r.get(name) == value, f"{rid}: a record's {name} is {r.get(name)!r}")
            self.expect(r.get("eventSourceARN") == f"arn:aws:kinesis:{a.region}:000000000000:stream/{a.stream}",
                        f"{rid}: eventSourceARN {r.get('eventSourceARN')!r}")
            self.expect(r.get("awsRegion") == a.region, f"{rid}: awsRegion {r.get('awsRegion')!r}")
            shard, _, seq = str(r.get("eventID", "")).partition(":")
            self.expect(SHARD_ID.fullmatch(shard) and seq == k.get("sequenceNumber") and seq.isdigit(),
                        f"{rid}: eventID {r.get('eventID')!r} is not SHARD:SEQ of sequenceNumber {k.get('sequenceNumber')!r}")
            shards.add(shard)
            sequences.append(int(seq) if seq.isdigit() else 0)
            try:
                data = base64.b64decode(k.get("data", ""), validate=True)
            except ValueError:
                self.violation(f"{rid}: kinesis.data is not base64")
                continue
            if self.expect(data in self.inputs, f"{rid}: kinesis.data {data[:80]!r} is none of the input lines"):
                self.expect(k.get("partitionKey") == self.inputs[data],
                            f"{rid}: partitionKey {k.get('partitionKey')!r} of a record whose id is {self.inputs[data]!r}")
            self.expect(isinstance(k.get("approximateArrivalTimestamp"), (int, float)),
                        f"{rid}: approximateArrivalTimestamp {k.get('approximateArrivalTimestamp')!r}")
        self.expect(len(shards) == 1, f"{rid}: records of several shards: {sorted(shards)}")
        self.expect(sequences == sorted(set(sequences)), f"{rid}: sequence numbers not in increasing order")

    def answer(self, rid, handler, deadline, arn, event):
        try:
            result = handler(event, Context(rid, deadline, arn))
        except Exception as e:  # noqa: BLE001 -- the handler's error is the invocation's
            kind = type(e).__name__
            self.expect_status(202, "POST", f"{API}/invocation/{rid}/error", json.dumps(error_document(e, kind)),
                               {"Lambda-Runtime-Function-Error-Type": kind})
            return
        body = json.dumps(result, separators=(",", ":")).encode()
        if len(body) <= MAX_RESPONSE_BYTES:
            self.expect_status(202, "POST", f"{API}/invocation/{rid}/response", body)
        else:
            self.expect_status(413, "POST", f"{API}/invocation/{rid}/response", body, error_type="RequestEntityTooLarge")

    def run(self):
        self.check_environment()
        if self.args.abuse:
            self.abuse_paths()
        handler = self.load_handler()
        ignored = not self.args.abuse
        while True:
            got = self.next_event()
            if got is None:
                continue
            rid, deadline, arn, event = got
            if not ignored:  # asks `next` again without answering: this invocation fails
                ignored = True
                for r in event.get("Records", []):
                    self.append("ignored", f"{rid} {r['eventID'].replace(':', ' ')}")
                continue
            if self.args.abuse:
                other = str(uuid.uuid4())
                self.expect_status(400, "POST", f"{API}/invocation/{other}/response", b'"stray"',
                                   error_type="InvalidRequestID")
            self.answer(rid, handler, deadline, arn, event)
            if self.args.abuse:
                self.expect_status(400, "POST", f"{API}/invocation/{rid}/response", b'"again"',
                                   error_type="InvalidRequestID")
                self.expect_status(400, "POST", f"{API}/invocation/{rid}/error",
                                   json.dumps({"errorMessage": "again", "errorType": "Again"}),
                                   error_type="InvalidRequestID")
                self.abuse_paths()


def error_document(e, kind):
    return {"errorMessage": str(e), "errorType": kind,
            "stackTrace": traceback.format_exception(type(e), e, e.__traceback__)}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--log", required=True)
    p.add_argument("--function", required=True)
    p.add_argument("--region", required=True)
    p.add_argument("--memory", type=int, required=True)
    p.add_argument("--timeout-ms", type=int, required=True)
    p.add_argument("--root", required=True)
    p.add_argument("--handler", required=True)
    p.add_argument("--stream", required=True)
    p.add_argument("--input", required=True)
    p.add_argument("--batch-size", type=int, required=True)
    p.add_argument("--endpoint")
    p.add_argument("--env", action="append", default=[])
    p.add_argument("--group", type=int)
    p.add_argument("--abuse", action="store_true")
    runtime = Runtime(p.parse_args())
    try:
        runtime.run()
    except Stopping:
        pass


if __name__ == "__main__":
    main()
