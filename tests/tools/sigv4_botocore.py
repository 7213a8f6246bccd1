#!/usr/bin/python3
"""botocore, an independent SigV4 implementation, against lib/aws's (through sigv4_check).

usage: sigv4_botocore.py --checker BUILD/sigv4_check --workdir DIR [--seed N] [--count N]

Makes COUNT varied requests and has botocore sign each: Kinesis, DynamoDB and S3 calls made by
real botocore clients (captured on their way out, never sent), and requests signed directly
with SigV4Auth, S3SigV4Auth and, presigned, SigV4QueryAuth and S3SigV4QueryAuth -- random
paths with spaces, unicode and '~', queries with repeated names and empty values, headers
with runs of spaces and tabs, given twice, binary bodies, session tokens. Then checks, through
`sigv4_check check`, that lib/aws:
  - accepts each request as sent;
  - refuses it after one byte of the signature, of the date, of a signed header or of the
    body changes (a body the signature does not cover -- UNSIGNED-PAYLOAD -- stays accepted);
  - signs it to the same Authorization header and added headers, or presigns it to the same
    query string.
Prints the counts; exits 1 on the first disagreements (listing a few), 0 when all agree.
Needs Debian's python3-botocore (the version in packages.txt's Debian release).
"""

import argparse
import datetime
import json
import os
import random
import subprocess
import sys
import types
from unittest import mock
from urllib.parse import quote, urlsplit

import botocore.auth
import botocore.session
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

# With python3-awscrt installed (a dependency of Debian's python3-botocore), botocore's clients
# sign with the CRT (awslabs/aws-c-auth, AWS's C implementation) instead of botocore.auth: two
# independent implementations for the price of one.
SIGNER_MODULES = [botocore.auth]
SIGNERS = {"botocore": {(False, False): SigV4Auth, (True, False): S3SigV4Auth,
                        (False, True): SigV4QueryAuth, (True, True): S3SigV4QueryAuth}}
try:
    import botocore.crt.auth as crt

    SIGNER_MODULES.append(crt)
    SIGNERS["crt"] = {(False, False): crt.CrtSigV4Auth, (True, False): crt.CrtS3SigV4Auth,
                      (False, True): crt.CrtSigV4QueryAuth, (True, True): crt.CrtS3SigV4QueryAuth}
except ImportError:
    pass

PROFILES = {
    "default": ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None),
    "sts": ("ASIAEXAMPLETEMPORARY", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
            "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoI"),
    "other": ("AKIAOTHEREXAMPLE", "9drTJvcXLB89EXAMPLEKEY/bPxRfiCYEXAMPLEKEY", None),
}
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
# What random names and values are made of: unreserved characters, reserved ones, space,
# '+', and non-ASCII (two, three and four UTF-8 bytes).
ALPHABET = "abcXYZ019-_.~ +=:@!*'()&/é日🦄%"


def write_credentials(path):
    with open(path, "w", encoding="utf-8") as out:
        out.write("# written by sigv4_botocore.py\n")
        for name, (key, secret, token) in PROFILES.items():
            out.write(f"[{name}]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n")
            if token:
                out.write(f"aws_session_token = {token}\n")


def amz(moment):
    return moment.strftime("%Y%m%dT%H%M%SZ")


class Clock:
    """Both signers read the time through datetime.datetime.utcnow(): make it this one."""

    def __init__(self, moment):
        fixed = moment

        class FixedDatetime(datetime.datetime):
            @classmethod
            def utcnow(cls):
                return fixed

        clock = types.SimpleNamespace(datetime=FixedDatetime, timezone=datetime.timezone)
        self._patches = [mock.patch.object(module, "datetime", clock) for module in SIGNER_MODULES]

    def __enter__(self):
        for patch in self._patches:
            patch.start()

    def __exit__(self, *exc):
        for patch in self._patches:
            patch.stop()


def random_text(rng, low, high, alphabet=ALPHABET):
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(low, high)))


def random_path(rng, s3):
    if s3:
        key = random_text(rng, 1, 24)
        return "/bucket-" + random_text(rng, 3, 8, "abc019") + "/" + quote(key, safe="/~")
    segments = []
    for _ in range(rng.randint(0, 4)):
        roll = rng.random()
        segments.append("." if roll < 0.08 else ".." if roll < 0.16 else "" if roll < 0.22 else
                        quote(random_text(rng, 1, 10), safe="~"))
    return "/" + "/".join(segments) + ("/" if rng.random() < 0.3 else "")


def random_query(rng):
    pairs = []
    names = [random_text(rng, 1, 6) for _ in range(rng.randint(0, 4))]
    for _ in range(rng.randint(0, 6)):
        if not names:
            break
        name = quote(rng.choice(names), safe="-_.~")  # repeated names
        roll = rng.random()
        pairs.append(name if roll < 0.15 else f"{name}=" if roll < 0.3 else
                     f"{name}={quote(random_text(rng, 0, 8), safe='-_.~')}")
    return "&".join(pairs)


def random_headers(rng):
    headers = []
    for name in rng.sample(["X-Custom-A", "x-amz-meta-Colour", "Content-Type", "My-Header", "X-Amz-Target"],
                           rng.randint(0, 4)):
        value = random_text(rng, 1, 12, "abcXYZ019-_.~;,=/ \t")
        headers.append((name, rng.choice(["", " ", "  ", "\t"]) + value + rng.choice(["", " ", "\t "])))
    if headers and rng.random() < 0.3:
        headers.append((headers[0][0], random_text(rng, 1, 6, "abc  019")))  # given twice
    if rng.random() < 0.5:
        headers.append(("User-Agent", "Botocore/1.29.27 Python/3.11"))  # never signed
    return headers


def wire(request, moment, service, profile):
    """The request as sent: the line sigv4_check verifies."""
    url = urlsplit(request.url)
    headers = [(k, v.decode("utf-8") if isinstance(v, bytes) else v) for k, v in request.headers.items()]
    if not any(k.lower() == "host" for k, _ in headers):  # the HTTP client's part
        headers.insert(0, ("Host", botocore.auth._host_from_url(request.url)))
    body = request.body if request.body is not None else b""
    if hasattr(body, "read"):
        position = body.tell()
        body = body.read()
        request.body.seek(position)
    if isinstance(body, str):
        body = body.encode("utf-8")
    return {"method": request.method, "path": url.path, "query": url.query, "headers": headers,
            "body_hex": body.hex(), "now": amz(moment), "service": service, "profile": profile}


def sign_direct(rng, moment, service, profile, presigned, implementation):
    """A random request signed by botocore's signer classes directly, or by the CRT's."""
    key, secret, token = PROFILES[profile]
    credentials = Credentials(key, secret, token)
    region = rng.choice(REGIONS)
    s3 = service == "s3"
    scheme = rng.choice(["http", "https"])
    host = f"{service}.{region}.amazonaws.com" + (":8443" if rng.random() < 0.2 else "")
    query = random_query(rng)
    url = f"{scheme}://{host}{random_path(rng, s3)}" + (f"?{query}" if query else "")
    method = "GET" if presigned else rng.choice(["GET", "POST", "PUT"])
    body = b"" if presigned or method == "GET" else bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))
    headers = random_headers(rng)
    request = AWSRequest(method=method, url=url, data=body)
    for name, value in headers:
        request.headers[name] = value  # HTTPHeaders: a name set twice is sent twice
    before = [("Host", botocore.auth._host_from_url(url))] + [(k, v) for k, v in request.headers.items()]
    expires = rng.choice([300, 3600, 86400, 604800])
    signer_class = SIGNERS[implementation][(s3, presigned)]
    signer = signer_class(credentials, service, region, **({"expires": expires} if presigned else {}))
    with Clock(moment):
        signer.add_auth(request)
    line = wire(request, moment, service, profile)
    line.update(region=region, expires=expires, presigned=presigned, before=before)
    return line


class Captured(Exception):
    """Raised on a request's way out: it is kept, not sent."""

    def __init__(self, request):
        super().__init__()
        self.request = request


def raise_captured(request, **_):
    raise Captured(request)


CLIENTS = {}


def client_for(service, region, endpoint, profile):
    """A botocore client that never sends: made once, as making one takes a tenth of a second."""
    if (service, region, endpoint, profile) not in CLIENTS:
        key, secret, token = PROFILES[profile]
        client = botocore.session.get_session().create_client(
            service, region_name=region, endpoint_url=endpoint, aws_access_key_id=key,
            aws_secret_access_key=secret, aws_session_token=token,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 0}))
        client.meta.events.register("before-send", raise_captured)
        CLIENTS[(service, region, endpoint, profile)] = client
    return CLIENTS[(service, region, endpoint, profile)]


def capture_client_call(rng, moment, profile):
    """A request made by a real botocore client, captured before it is sent."""
    region = rng.choice(REGIONS)
    service, operation, params = rng.choice([
        ("kinesis", "put_record", {"StreamName": "rides", "Data": rng.randbytes(rng.randint(1, 200)),
                                   "PartitionKey": random_text(rng, 1, 20)}),
        ("kinesis", "put_records", {"StreamName": "rides", "Records": [
            {"Data": rng.randbytes(40), "PartitionKey": random_text(rng, 1, 12)} for _ in range(rng.randint(1, 5))]}),
        ("kinesis", "list_shards", {"StreamName": random_text(rng, 1, 12, "abc019-_.")}),
        ("dynamodb", "put_item", {"TableName": "rides", "Item": {"Name": {"S": random_text(rng, 1, 20)},
                                                                 "n": {"N": str(rng.randint(0, 10**9))}}}),
        ("dynamodb", "get_item", {"TableName": "rides", "Key": {"Name": {"S": random_text(rng, 1, 20)}}}),
        ("s3", "put_object", {"Bucket": "archive", "Key": random_text(rng, 1, 30), "Body": rng.randbytes(64)}),
        ("s3", "list_objects_v2", {"Bucket": "archive", "Prefix": random_text(rng, 0, 12), "MaxKeys": 7}),
        ("s3", "get_object", {"Bucket": "archive", "Key": random_text(rng, 1, 30), "Range": "bytes=0-9"}),
    ])
    endpoint = rng.choice(["http://localhost:4566", f"https://{service}.{region}.amazonaws.com"])
    client = client_for(service, region, endpoint, profile)
    with Clock(moment):
        try:
            getattr(client, operation)(**params)
        except Captured as captured:
            line = wire(captured.request, moment, service, profile)
    line.update(region=region, presigned=False)
    signed = signed_header_names(line)
    added = {"x-amz-date", "x-amz-security-token"} | ({"x-amz-content-sha256"} if service == "s3" else set())
    line["before"] = [(k, v) for k, v in line["headers"] if k.lower() in signed and k.lower() not in added]
    return line


def header(line, name):
    return next((v for k, v in line["headers"] if k.lower() == name), None)


def signed_header_names(line):
    authorization = header(line, "authorization")
    return set(authorization.split("SignedHeaders=")[1].split(",")[0].split(";"))


def with_header(line, name, change):
    out = dict(line, headers=[(k, change(v) if k.lower() == name else v) for k, v in line["headers"]])
    return out


def change_byte(text, rng, position=None):
    """`text` with one character replaced by another that is not white space."""
    candidates = [i for i, c in enumerate(text) if not c.isspace()] if position is None else [position]
    if not candidates:  # a value of white space only: make it something else
        return text + "x"
    i = rng.choice(candidates)
    replacement = rng.choice([c for c in "0123456789abcdefXYZ" if c != text[i]])
    return text[:i] + replacement + text[i + 1:]


def change_seconds(stamp):
    """20150830T123600Z → 20150830T123601Z: still a valid date, still within the skew."""
    seconds = int(stamp[13:15])
    return stamp[:13] + f"{(seconds + 1) % 60:02d}" + stamp[15:]


def change_query_parameter(query, name, change):
    parts = []
    for pair in query.split("&"):
        key, _, value = pair.partition("=")
        parts.append(f"{key}={change(value)}" if key == name else pair)
    return "&".join(parts)


def checks_for(line, rng):
    """(description, input line for sigv4_check, expectation) for one signed request."""
    verify = {k: line[k] for k in ("method", "path", "query", "headers", "body_hex", "now")}
    verify["op"] = "verify"
    # The server's clock: within the skew of the signing time, and within a presigned URL's life.
    moment = datetime.datetime.strptime(line["now"], "%Y%m%dT%H%M%SZ")
    offset = rng.randint(0, min(240, line["expires"])) if line["presigned"] else rng.randint(-240, 240)
    verify["now"] = amz(moment + datetime.timedelta(seconds=offset))
    yield "accepted as sent", verify, ("ok",)

    invalid = ("refused", "InvalidSignatureException")
    if line["presigned"]:
        yield "signature changed", dict(verify, query=change_query_parameter(
            verify["query"], "X-Amz-Signature", lambda v: change_byte(v, rng))), invalid
        yield "date changed", dict(verify, query=change_query_parameter(verify["query"], "X-Amz-Date", change_seconds)), invalid
        signed = set(verify["query"].split("X-Amz-SignedHeaders=")[1].split("&")[0].replace("%3B", ";").split(";"))
    else:
        yield "signature changed", with_header(verify, "authorization", lambda v: change_byte(v, rng, len(v) - 1 - rng.randrange(64))), invalid
        yield "date changed", with_header(verify, "x-amz-date", change_seconds), invalid
        signed = signed_header_names(line)
    choices = sorted(signed - {"x-amz-date", "x-amz-security-token"})
    name = rng.choice(choices)
    yield f"signed header {name} changed", with_header(verify, name, lambda v: change_byte(v, rng)), invalid

    body = bytes.fromhex(verify["body_hex"])
    changed = body + b"x" if not body else body[:-1] + bytes([body[-1] ^ 0x01])
    content_sha256 = header(line, "x-amz-content-sha256")
    unsigned = content_sha256 == "UNSIGNED-PAYLOAD" or (line["presigned"] and line["service"] == "s3")
    yield "body changed", dict(verify, body_hex=changed.hex()), ("ok",) if unsigned else invalid

    request = {k: line[k] for k in ("method", "path", "body_hex", "profile", "region", "service", "now")}
    request["headers"] = line["before"]
    if line["presigned"]:
        query = verify["query"]
        operation = query.split("X-Amz-Algorithm=")[0].rstrip("&")
        yield "presigned alike", dict(request, op="presign", query=operation, expires=line["expires"]), ("query", query)
    else:
        request["query"] = line["query"]
        added = [[k, v] for k, v in line["headers"]
                 if k.lower() in {"x-amz-date", "x-amz-security-token"} or
                 (k.lower() == "x-amz-content-sha256" and line["service"] == "s3")]
        yield "signed alike", dict(request, op="sign", unsigned_payload=unsigned), (
            "signed", header(line, "authorization"), added)


def agrees(expectation, answer):
    kind = expectation[0]
    if kind == "ok":
        return answer.get("ok") is True
    if kind == "refused":
        return answer.get("ok") is False and answer.get("type") == expectation[1]
    if kind == "query":  # the same parameters; the CRT orders them otherwise
        return sorted(answer.get("query", "").split("&")) == sorted(expectation[1].split("&"))
    # Header names without case: the CRT writes x-amz-content-sha256, botocore.auth X-Amz-Content-SHA256.
    def headers(pairs):
        return sorted((name.lower(), value) for name, value in pairs)

    return answer.get("authorization") == expectation[1] and headers(answer["headers"]) == headers(expectation[2])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--checker", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    credentials = os.path.join(args.workdir, "credentials")
    write_credentials(credentials)

    lines, kinds = [], {}
    start = datetime.datetime(2026, 11, 23, 10, 0, 0)
    for i in range(args.count):
        moment = start + datetime.timedelta(seconds=rng.randint(0, 3 * 86400))
        profile = rng.choice(list(PROFILES))
        roll = rng.random()
        if roll < 0.35:
            line = capture_client_call(rng, moment, profile)
            kind = f"{line['service']} client"  # signed by the CRT when it is installed
        else:
            presigned = roll > 0.75
            service = rng.choice(["kinesis", "dynamodb", "s3"])
            implementation = rng.choice(sorted(SIGNERS))
            line = sign_direct(rng, moment, service, profile, presigned, implementation)
            kind = f"{service} {'presigned' if presigned else 'signed'} by {implementation}"
        kinds[kind] = kinds.get(kind, 0) + 1
        lines.append(line)

    checks = [(i, description, payload, expectation)
              for i, line in enumerate(lines) for description, payload, expectation in checks_for(line, rng)]
    feed = "".join(json.dumps(payload, ensure_ascii=False) + "\n" for _, _, payload, _ in checks)
    with open(os.path.join(args.workdir, "requests.jsonl"), "w", encoding="utf-8") as out:
        out.write(feed)
    result = subprocess.run([args.checker, "check", "--credentials", credentials], input=feed.encode("utf-8"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if result.returncode != 0:
        sys.exit(f"sigv4_check failed ({result.returncode}): {result.stderr.decode(errors='replace')}")
    answers = [json.loads(text) for text in result.stdout.decode("utf-8").splitlines()]
    if len(answers) != len(checks):
        sys.exit(f"sigv4_check answered {len(answers)} lines for {len(checks)}")

    tally, failures = {}, []
    for (i, description, payload, expectation), answer in zip(checks, answers):
        what = description.split(" ", 2)[-1] if description.startswith("signed header") else description
        passed, total = tally.get(what, (0, 0))
        ok = agrees(expectation, answer)
        tally[what] = (passed + ok, total + 1)
        if not ok:
            failures.append(f"request {i} ({description}): expected {expectation}, got {answer}\n  input: {json.dumps(payload)}")
    print(f"seed {args.seed}: {len(lines)} requests signed by botocore {botocore.__version__}: "
          + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
    for what, (passed, total) in sorted(tally.items()):
        print(f"  {what}: {passed}/{total}")
    if failures:
        print(f"{len(failures)} disagreements; the first:", file=sys.stderr)
        for failure in failures[:5]:
            print(failure, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
