#!/usr/bin/python3
"""An endpoint that fails for a while, in front of a real one: the AWS client's failure tests.

aws_fault_proxy.py UPSTREAM_URL LOG_FILE [--fail N] [--throttle N] [--partial N] [--only OPERATION]
                   [--forever] [--capture FILE]

Listens on a free loopback port and prints "http://127.0.0.1:PORT" on stdout once it does.
Each request (X-Amz-Target's operation; --only limits the faults to one operation):
  --fail N       the first N are answered HTTP 500 {"__type":"InternalFailure"} and not forwarded;
  --throttle N   the next N are answered HTTP 400 ThrottlingException, not forwarded;
  --partial N    the next N PutRecords are forwarded without the last third of their records,
                 which are answered as failed entries (ProvisionedThroughputExceededException,
                 as Kinesis fails a shard's tail when its throughput runs out); the next N
                 BatchWriteItem likewise, the last third of their requests (at least one) answered
                 as UnprocessedItems, as DynamoDB leaves what it has no capacity for;
  --forever      every request is answered 500, for good;
  everything else is forwarded as it came, and the upstream's answer returned as it is.
--capture FILE appends each request as a JSON line {"time","method","path","headers":[[n,v]...],
"body"} (time: the proxy's monotonic clock when the request was read, in seconds; body in base64). LOG_FILE gets one line per request: the operation and what was done.
"""
import argparse, base64, http.client, http.server, json, socketserver, sys, threading, time, urllib.parse

args = argparse.ArgumentParser()
args.add_argument("upstream")
args.add_argument("log")
args.add_argument("--fail", type=int, default=0)
args.add_argument("--throttle", type=int, default=0)
args.add_argument("--partial", type=int, default=0)
args.add_argument("--only", default="")
args.add_argument("--forever", action="store_true")
args.add_argument("--capture", default="")
options = args.parse_args()
upstream = urllib.parse.urlsplit(options.upstream)
lock = threading.Lock()
budget = {"fail": options.fail, "throttle": options.throttle, "partial": options.partial}


def take(kind):
    with lock:
        if budget[kind] > 0:
            budget[kind] -= 1
            return True
        return False


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, status, body, content_type="application/x-amz-json-1.1"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def forward(self, body):
        connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("content-length", "connection")}
        connection.request(self.command, self.path, body, headers)
        response = connection.getresponse()
        data = response.read()
        connection.close()
        return response.status, data, response.getheader("Content-Type") or "application/json"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        operation = (self.headers.get("X-Amz-Target") or "").split(".")[-1]
        if options.capture:
            with lock, open(options.capture, "a") as f:
                f.write(json.dumps({"time": time.monotonic(), "method": self.command, "path": self.path,
                                    "headers": [[k, v] for k, v in self.headers.items()],
                                    "body": base64.b64encode(body).decode()}) + "\n")
        faulty = not options.only or operation == options.only
        what = "forwarded"
        try:
            if faulty and options.forever:
                what = "500 forever"
                return self.answer(500, {"__type": "InternalFailure", "message": "injected, for good"})
            if faulty and take("fail"):
                what = "500"
                return self.answer(500, {"__type": "InternalFailure", "message": "injected"})
            if faulty and take("throttle"):
                what = "throttled"
                return self.answer(400, {"__type": "ThrottlingException", "message": "Rate exceeded (injected)"})
            if faulty and operation == "PutRecords" and take("partial"):
                request = json.loads(body)
                records = request["Records"]
                kept = len(records) - len(records) // 3
                request["Records"] = records[:kept]
                status, data, content_type = self.forward(json.dumps(request).encode())
                if status != 200:
                    return self.answer(status, data, content_type)
                answer = json.loads(data)
                failed = len(records) - kept
                answer["Records"] += [{"ErrorCode": "ProvisionedThroughputExceededException",
                                       "ErrorMessage": "Rate exceeded for shard (injected)"}] * failed
                answer["FailedRecordCount"] = answer.get("FailedRecordCount", 0) + failed
                what = f"partial: {failed} of {len(records)} failed"
                return self.answer(200, answer)
            if faulty and operation == "BatchWriteItem" and take("partial"):
                request = json.loads(body)
                (table, requests), = request["RequestItems"].items()
                kept = len(requests) - max(1, len(requests) // 3)
                answer = {"UnprocessedItems": {}}
                if kept > 0:
                    request["RequestItems"][table] = requests[:kept]
                    status, data, content_type = self.forward(json.dumps(request).encode())
                    if status != 200:
                        return self.answer(status, data, content_type)
                    answer = json.loads(data)
                answer.setdefault("UnprocessedItems", {})[table] = requests[kept:]
                what = f"partial: {len(requests) - kept} of {len(requests)} unprocessed"
                return self.answer(200, answer, "application/x-amz-json-1.0")
            status, data, content_type = self.forward(body)
            what = f"forwarded {status}"
            self.answer(status, data, content_type)
        finally:
            with lock, open(options.log, "a") as f:
                f.write(f"{operation} {what}\n")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
server.serve_forever()
