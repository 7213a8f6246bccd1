#!/usr/bin/python3
"""A strict Lambda Runtime API (2018-06-01) server that runs one runtime process against a script.

usage: runtime_api_stub.py --report FILE (--events FILE | --bench N [--bench-event FILE] [--warmup K])
                           [--handler H] [--code DIR] [--function-name NAME] [--memory MB]
                           [--max-seconds S] -- COMMAND...

Independent of millrace's own server: the runtimes' tests drive the bootstraps with it. Starts
COMMAND as millrace starts a runtime (working directory and LAMBDA_TASK_ROOT the code dir, its own
process group, stdin /dev/null, Lambda's environment with AWS_LAMBDA_RUNTIME_API pointing here;
stdout and stderr are the stub's), then serves it the events of FILE in order, one JSON object a
line: {"event": ANY, "timeout_ms": 30000, "hold_ms": 0, "trace": true} (hold_ms: how long `next`
waits before answering; trace false: no Lambda-Runtime-Trace-Id). --bench N serves N events
{"i": K}, or N times the JSON of --bench-event, after K more (not measured: a JIT warms up).

Every request is checked against the API as Lambda serves it; what the runtime gets wrong is a
violation (listed in the report, and the stub exits 1): an unknown path or method, a request
that is not HTTP/1.1 or has no Host, a body on `next`, a POST without Content-Length, `next`
while an event is unanswered, an answer for an unknown or answered id, a response body that is
not JSON, an error body that is not {"errorMessage": str, "errorType": str, "stackTrace": [str]}
or whose Lambda-Runtime-Function-Error-Type header is not its errorType, /init/error after the
first `next`, any request after /init/error. Answers are Lambda's: 202 {"status":"OK"}, 400
InvalidRequestID, 413 RequestEntityTooLarge for a response above 6291556 bytes (which ends the
invocation: outcome "too_large"), 403 for a misplaced /init/error, 404, 405.

When every event is answered and the runtime asks for one more, the stub stops it (SIGKILL to
its group); a runtime that exits is waited for. The report (JSON) holds: "invocations" (each:
id, event, deadline_ms, arn, trace_id, sent_ms and answered_ms (epoch ms, when the event went
out and the answer came in), outcome "response"|"error"|"too_large"|null, body, error_type (the
header), refused (the answers that were not 202)), "init_error" (body and error_type, or null),
"exit_status" (null when the stub stopped the runtime), "drained" (it asked for an event after
the last), "connections" (TCP connections it opened), "violations", and with --bench N (where
an invocation keeps only its outcome and refused) "bench":
wall time, the runtime's user and system CPU time and the stub's own CPU time, per invocation in
µs, from the first event sent to the last answer.
"""

import argparse
import http.server
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid

PREFIX = "/2018-06-01/runtime"
INVOCATION = re.compile(r"^/2018-06-01/runtime/invocation/([^/]+)/(response|error)$")
MAX_PAYLOAD = 6291556  # Lambda's synchronous response limit, in bytes
ERROR_TYPE = "Lambda-Runtime-Function-Error-Type"
REGION = "us-east-1"


def now_ms():
    return time.time() * 1000


def cpu_ticks(pid):
    """A process's user and system CPU time, in clock ticks (fields 14 and 15 of /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]), int(fields[12])


class State:
    def __init__(self, events, function_name):
        self.events = events
        self.arn = f"arn:aws:lambda:{REGION}:000000000000:function:{function_name}"
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.stop = threading.Event()  # set once the runtime is gone: held requests end
        self.next_index = 0
        self.outstanding = None  # the invocation sent and not answered yet
        self.invocations = []
        self.by_id = {}
        self.init_error = None
        self.started = False  # a first `next` came
        self.drained = False
        self.connections = 0
        self.violations = []
        self.measured_pid = None  # with --bench: the runtime whose CPU time is taken
        self.bench_from = 0  # the index of the first event measured
        self.bench_start = None  # (ms, runtime ticks, stub CPU s) when that event went out
        self.bench_end = None

    def violation(self, text):
        self.violations.append(text)
        print(f"runtime_api_stub: violation: {text}", file=sys.stderr)


def make_handler(state):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            super().setup()
            # Answers leave at once: Nagle's algorithm would hold one behind an unacknowledged other.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with state.lock:
                state.connections += 1

        def log_message(self, *args):
            pass

        def answer(self, status, body, headers=()):
            data = json.dumps(body).encode() if not isinstance(body, bytes) else body
            head = [f"HTTP/1.1 {status} {self.responses[status][0]}", f"Content-Length: {len(data)}"]
            head += [f"{k}: {v}" for k, v in headers]
            if not any(k == "Content-Type" for k, _ in headers):
                head.append("Content-Type: application/json")
            self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)

        def refuse(self, status, error_type, message):
            self.answer(status, {"errorMessage": message, "errorType": error_type})

        def read_body(self, what):
            """The request's body; None (after a violation and an answer) when it cannot be read."""
            if self.headers.get("Transfer-Encoding"):
                state.violation(f"{what}: Transfer-Encoding {self.headers['Transfer-Encoding']} instead of Content-Length")
                self.close_connection = True
                self.refuse(411, "LengthRequired", "a Content-Length is required")
                return None
            length = self.headers.get("Content-Length")
            if self.command == "POST" and length is None:
                state.violation(f"{what}: no Content-Length")
            return self.rfile.read(int(length or 0))

        def common_checks(self, what):
            if self.request_version != "HTTP/1.1":
                state.violation(f"{what}: {self.request_version}, not HTTP/1.1")
            if not self.headers.get("Host"):
                state.violation(f"{what}: no Host header")
            if state.init_error is not None:
                state.violation(f"{what}: a request after /init/error (the runtime should have exited)")

        def do_GET(self):
            what = f"GET {self.path}"
            if self.path != PREFIX + "/invocation/next":
                return self.unknown(what)
            body = self.read_body(what)
            if body is None:
                return
            with state.lock:
                self.common_checks(what)
                if body:
                    state.violation(f"{what}: a body of {len(body)} bytes")
                state.started = True
                if state.outstanding is not None:
                    state.violation(f"{what}: while {state.outstanding['id']} is unanswered")
                    return self.refuse(400, "InvalidStateTransition", "the invocation in progress is unanswered")
                if state.next_index == len(state.events):
                    state.drained = True
                    state.changed.notify_all()
                    held = True
                else:
                    held = False
                    spec = state.events[state.next_index]
                    state.next_index += 1
            if held:  # as Lambda: no event, no answer (the stub stops the runtime)
                state.stop.wait()
                self.close_connection = True
                return
            time.sleep(spec.get("hold_ms", 0) / 1000)
            request_id = str(uuid.uuid4())
            event = json.dumps(spec.get("event"), separators=(",", ":")).encode()
            with state.lock:
                sent = now_ms()
                record = {"id": request_id, "event": spec.get("event"),
                          "deadline_ms": int(sent) + spec.get("timeout_ms", 30000), "arn": state.arn,
                          "trace_id": None, "sent_ms": sent, "answered_ms": None, "outcome": None,
                          "body": None, "error_type": None, "refused": []}
                if spec.get("trace", True):
                    record["trace_id"] = (f"Root=1-{int(sent / 1000):08x}-{uuid.uuid4().hex[:24]};"
                                          f"Parent={uuid.uuid4().hex[:16]};Sampled=0")
                state.invocations.append(record)
                state.by_id[request_id] = record
                state.outstanding = record
                if state.next_index - 1 == state.bench_from and state.measured_pid is not None:
                    state.bench_start = (sent, cpu_ticks(state.measured_pid), time.process_time())
            headers = [("Lambda-Runtime-Aws-Request-Id", request_id),
                       ("Lambda-Runtime-Deadline-Ms", str(record["deadline_ms"])),
                       ("Lambda-Runtime-Invoked-Function-Arn", state.arn)]
            if record["trace_id"]:
                headers.append(("Lambda-Runtime-Trace-Id", record["trace_id"]))
            self.answer(200, event, headers)

        def do_POST(self):
            what = f"POST {self.path}"
            match = INVOCATION.match(self.path)
            if not match and self.path != PREFIX + "/init/error":
                return self.unknown(what)
            body = self.read_body(what)
            if body is None:
                return
            with state.lock:
                self.common_checks(what)
                if not match:
                    return self.post_init_error(what, body)
                request_id, kind = match.groups()
                record = state.by_id.get(request_id)
                if record is None or record is not state.outstanding:
                    state.violation(f"{what}: {'an answered' if record else 'an unknown'} request id")
                    return self.refuse(400, "InvalidRequestID", f"Invalid request ID: {request_id}")
                if kind == "response" and len(body) > MAX_PAYLOAD:
                    record["refused"].append({"status": 413, "size": len(body)})
                    record.update(outcome="too_large", answered_ms=now_ms())
                    state.outstanding = None
                    return self.refuse(413, "RequestEntityTooLarge",
                                       f"Exceeded maximum allowed payload size ({MAX_PAYLOAD} bytes).")
                parsed = self.parse_json(what, body)
                if kind == "error":
                    self.check_error(what, parsed)
                    record["error_type"] = self.headers.get(ERROR_TYPE)
                record.update(outcome=kind, body=parsed, answered_ms=now_ms())
                state.outstanding = None
                if state.measured_pid is not None and state.next_index == len(state.events):
                    state.bench_end = (record["answered_ms"], cpu_ticks(state.measured_pid), time.process_time())
            self.answer(202, {"status": "OK"})

        def post_init_error(self, what, body):
            if state.started:
                state.violation(f"{what}: after the first next")
                return self.refuse(403, "InvalidStateTransition", "init/error is allowed only during init")
            parsed = self.parse_json(what, body)
            self.check_error(what, parsed)
            state.init_error = {"body": parsed, "error_type": self.headers.get(ERROR_TYPE)}
            state.changed.notify_all()
            self.answer(202, {"status": "OK"})

        def parse_json(self, what, body):
            try:
                return json.loads(body)
            except ValueError as e:
                state.violation(f"{what}: the body is not JSON ({e}): {body[:200]!r}")
                return None

        def check_error(self, what, body):
            ok = (isinstance(body, dict) and isinstance(body.get("errorMessage"), str)
                  and isinstance(body.get("errorType"), str) and isinstance(body.get("stackTrace"), list)
                  and all(isinstance(line, str) for line in body["stackTrace"]))
            if not ok:
                state.violation(f"{what}: not an error body: {json.dumps(body)[:300]}")
            header = self.headers.get(ERROR_TYPE)
            if not header:
                state.violation(f"{what}: no {ERROR_TYPE} header")
            elif ok and header != body["errorType"]:
                state.violation(f"{what}: {ERROR_TYPE} {header!r} is not the errorType {body['errorType']!r}")

        def unknown(self, what):
            known = self.path == PREFIX + "/invocation/next" or self.path == PREFIX + "/init/error" \
                or INVOCATION.match(self.path)
            state.violation(f"{what}: {'wrong method' if known else 'no such path'}")
            self.close_connection = True
            self.refuse(405 if known else 404, "InvalidRequest", f"{what} is not part of the Runtime API")

        do_PUT = do_DELETE = do_HEAD = do_PATCH = lambda self: self.unknown(f"{self.command} {self.path}")

    return Handler


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a runtime that died mid-request
            super().handle_error(request, client_address)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--report", required=True)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--events")
    source.add_argument("--bench", type=int)
    parser.add_argument("--bench-event")
    parser.add_argument("--warmup", type=int, default=0)
    parser.add_argument("--handler", default="index.handler")
    parser.add_argument("--code", default=".")
    parser.add_argument("--function-name", default="stub-function")
    parser.add_argument("--memory", default="128")
    parser.add_argument("--max-seconds", type=float, default=60)
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()

    if args.bench is not None:
        if args.bench_event:
            with open(args.bench_event) as f:
                event = json.load(f)
            events = [{"event": event}] * (args.warmup + args.bench)
        else:
            events = [{"event": {"i": i}} for i in range(args.warmup + args.bench)]
    else:
        with open(args.events) as f:
            events = [json.loads(line) for line in f if line.strip()]
    state = State(events, args.function_name)
    state.bench_from = args.warmup if args.bench is not None else 0
    server = Server(("127.0.0.1", 0), make_handler(state))
    # shutdown() waits for serve_forever to look at its flag, every poll_interval: at the default
    # 0.5 s that was most of the wall time of a short run.
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    code = os.path.abspath(args.code)
    env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{server.server_address[1]}", _HANDLER=args.handler,
               LAMBDA_TASK_ROOT=code, LAMBDA_RUNTIME_DIR=os.path.dirname(os.path.abspath(args.command[-1])),
               AWS_LAMBDA_FUNCTION_NAME=args.function_name, AWS_LAMBDA_FUNCTION_VERSION="$LATEST",
               AWS_LAMBDA_FUNCTION_MEMORY_SIZE=args.memory, AWS_REGION=REGION, AWS_DEFAULT_REGION=REGION)
    child = subprocess.Popen(args.command, cwd=code, env=env, stdin=subprocess.DEVNULL, start_new_session=True)
    if args.bench is not None:
        with state.lock:
            state.measured_pid = child.pid

    deadline = time.monotonic() + args.max_seconds
    exit_status = None
    with state.lock:
        while True:
            exit_status = child.poll()
            if exit_status is not None or state.drained:
                break
            if time.monotonic() > deadline:
                state.violation(f"the runtime neither exited nor drained the events in {args.max_seconds} s")
                break
            state.changed.wait(0.02)
    if exit_status is None:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    state.stop.set()
    server.shutdown()

    if args.bench is not None:  # thousands of copies of the same event: the outcomes are enough
        state.invocations = [{"outcome": r["outcome"], "refused": r["refused"]} for r in state.invocations]
    report = {"invocations": state.invocations, "init_error": state.init_error, "exit_status": exit_status,
              "drained": state.drained, "connections": state.connections, "violations": state.violations}
    if args.bench is not None and state.bench_start and state.bench_end:
        n = len([r for r in state.invocations[state.bench_from:] if r["outcome"] == "response"])
        tick_us = 1e6 / os.sysconf("SC_CLK_TCK")
        (t0, c0, s0), (t1, c1, s1) = state.bench_start, state.bench_end
        report["bench"] = {"invocations": n, "wall_us": (t1 - t0) * 1000 / n,
                           "runtime_user_us": (c1[0] - c0[0]) * tick_us / n, "runtime_sys_us": (c1[1] - c0[1]) * tick_us / n,
                           "stub_cpu_us": (s1 - s0) * 1e6 / n}
    with open(args.report, "w") as f:
        json.dump(report, f, indent=1)
    sys.exit(1 if state.violations else 0)


if __name__ == "__main__":
    main()
