"""millrace's Python runtime: the Lambda Runtime API (2018-06-01) client loop of AWS's Python
runtimes (aws-lambda-python-runtime-interface-client), in one file of the standard library.

Started as `python3 bootstrap.py` in LAMBDA_TASK_ROOT with AWS_LAMBDA_RUNTIME_API and _HANDLER
(FILE.FUNCTION, FILE possibly "pkg/mod"); imports the handler, then answers one event at a time.
"""

import decimal
import http.client
import importlib
import json
import os
import sys
import time
import traceback


class Fault(Exception):
    """A failure the runtime names itself (Runtime.ImportModuleError...), as Lambda's does."""

    def __init__(self, error_type, message, trace=()):
        super().__init__(message)
        self.error_type, self.message, self.trace = error_type, message, list(trace)


class RuntimeAPI:
    """One persistent connection, and no timeout: `next` may wait minutes for an event."""

    def __init__(self, address):
        self.conn = http.client.HTTPConnection(address)

    def request(self, method, path, body=None, headers={}):
        for attempt in (1, 2):
            try:
                self.conn.request(method, "/2018-06-01/runtime" + path, body, headers)
                response = self.conn.getresponse()
                return response.status, response.headers, response.read()
            except ConnectionError:
                # The server closed the kept-alive connection while a handler ran: once more on
                # a fresh one.
                self.conn.close()
                if attempt == 2:
                    raise

    def post(self, path, payload, headers={}):
        return self.request("POST", path, payload.encode(), {"Content-Type": "application/json", **headers})

    def post_error(self, path, error):
        lines = [f"[ERROR] {error['errorType']}: {error['errorMessage']}", "Traceback (most recent call last):"]
        print("\n".join(lines + [frame.rstrip("\n") for frame in error["stackTrace"]]), file=sys.stderr)
        # A header value is ASCII here (an error type may be any identifier).
        header = error["errorType"].encode("ascii", "replace").decode()
        status, _, answer = self.post(path, json.dumps(error), {"Lambda-Runtime-Function-Error-Type": header})
        if status != 202:
            print(f"bootstrap: POST {path} refused: {status} {answer.decode(errors='replace')}", file=sys.stderr)


def error_of(exc):
    """The error body of Lambda's Python runtime: the traceback starts in the user's code."""
    if isinstance(exc, Fault):
        return {"errorMessage": exc.message, "errorType": exc.error_type, "stackTrace": exc.trace}
    frames = traceback.extract_tb(exc.__traceback__)
    while frames and frames[0].filename == __file__:
        frames.pop(0)
    return {"errorMessage": str(exc), "errorType": type(exc).__name__, "stackTrace": traceback.format_list(frames)}


def load_handler(handler):
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as e:
        raise Fault("Runtime.MalformedHandlerName", f"Bad handler '{handler}': {e}")
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise Fault("Runtime.BuiltInModuleConflict", f"Cannot use built-in module {module_name} as a handler module")
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as e:
        raise Fault("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {e}")
    except SyntaxError as e:
        trace = [f'  File "{e.filename}" Line {e.lineno}\n    {e.text}']
        raise Fault("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {e}", trace)
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise Fault("Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'")


class LambdaContext:
    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
    function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
    memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
    log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", f"/aws/lambda/{function_name}")
    log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME",
                                     time.strftime("%Y/%m/%d/[$LATEST]") + os.urandom(16).hex())
    client_context = identity = None

    def __init__(self, request_id, deadline_ms, invoked_function_arn):
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_function_arn
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)


def number(value):
    """DynamoDB's numbers (boto3 gives Decimals) as JSON numbers, as Lambda's runtime writes them."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def main():
    # Handler output reaches millrace through pipes: a line at a time, not a buffer at a time.
    sys.stdout.reconfigure(line_buffering=True)
    sys.stderr.reconfigure(line_buffering=True)
    # The code directory first, in place of this file's (which would shadow a user's "bootstrap").
    sys.path[0] = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    api = RuntimeAPI(os.environ["AWS_LAMBDA_RUNTIME_API"])
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except Exception as e:
        api.post_error("/init/error", error_of(e))
        sys.exit(1)
    encode = json.JSONEncoder(default=number).encode
    while True:
        status, headers, body = api.request("GET", "/invocation/next")
        if status != 200:
            raise http.client.HTTPException(f"GET /invocation/next: {status} {body.decode(errors='replace')}")
        request_id = headers["Lambda-Runtime-Aws-Request-Id"]
        if headers["Lambda-Runtime-Trace-Id"]:
            os.environ["_X_AMZN_TRACE_ID"] = headers["Lambda-Runtime-Trace-Id"]
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        context = LambdaContext(request_id, int(headers["Lambda-Runtime-Deadline-Ms"]),
                                headers["Lambda-Runtime-Invoked-Function-Arn"])
        error = None
        try:
            try:
                event = json.loads(body)
            except ValueError as e:
                raise Fault("Runtime.UnmarshalError", f"Unable to unmarshal input: {e}")
            result = handler(event, context)
            try:
                payload = encode(result)
            except (TypeError, ValueError) as e:
                raise Fault("Runtime.MarshalError", f"Unable to marshal response: {e}")
        except Exception as e:
            error = error_of(e)
        sys.stdout.flush()  # the handler's unfinished last line, before its invocation ends
        if error is not None:
            api.post_error(f"/invocation/{request_id}/error", error)
            continue
        # A refusal ends the invocation too: above 6 MB, 413 fails it as Function.ResponseSizeTooLarge.
        status, _, answer = api.post(f"/invocation/{request_id}/response", payload)
        if status != 202:
            print(f"bootstrap: POST /invocation/{request_id}/response refused: {status} {answer.decode(errors='replace')}",
                  file=sys.stderr)


if __name__ == "__main__":
    try:
        main()
    except (OSError, http.client.HTTPException) as e:
        sys.exit(f"bootstrap: the Runtime API at {os.environ.get('AWS_LAMBDA_RUNTIME_API')}: {e!r}")
