#!/usr/bin/python3
"""Writes the seeds of the sigv4_verify fuzz target, tests/fuzz/corpus/sigv4_verify/.

Requests signed by botocore (Debian's python3-botocore), at 2026-11-23T10:00:00Z, the fuzz
target's clock, with the keys of tests/tools/sigv4_botocore.py, whose signing code this reuses:
real clients' calls (Kinesis PutRecord and PutRecords, ListShards, DynamoDB, S3) and requests
signed by SigV4Auth directly, presigned ones and one with a session token among them. Each is
written in the target's format (tests/fuzz/sigv4_verify.cpp). The seeds are committed: rerun
this after changing it (usage: make_sigv4_corpus.py), and commit what changed.
"""

import datetime
import os
import random
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import sigv4_botocore as signing  # noqa: E402

MOMENT = datetime.datetime(2026, 11, 23, 10, 0, 0)
SEED = 20261123


def as_seed(line, service):
    """The fuzz target's text: service, request line, header fields, an empty line, the body."""
    target = line["path"] + ("?" + line["query"] if line["query"] else "")
    text = f"{service}\n{line['method']} {target}\n"
    for name, value in line["headers"]:
        text += f"{name}:{value}\n"
    return text.encode("utf-8") + b"\n" + bytes.fromhex(line["body_hex"])


def main():
    rng = random.Random(SEED)
    out = os.path.join(HERE, "corpus", "sigv4_verify")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    seeds = {}
    for i in range(6):  # real clients' calls, each verified for its own service
        line = signing.capture_client_call(rng, MOMENT, rng.choice(list(signing.PROFILES)))
        seeds[f"client-{i + 1}-{line['service']}"] = as_seed(line, line["service"])
    for i, (service, profile, presigned) in enumerate([("kinesis", "default", False), ("kinesis", "sts", False),
                                                        ("kinesis", "default", True), ("dynamodb", "other", True),
                                                        ("s3", "default", True)]):
        line = signing.sign_direct(rng, MOMENT, service, profile, presigned, "botocore")
        kind = "presigned" if presigned else "signed"
        seeds[f"direct-{i + 1}-{service}-{kind}"] = as_seed(line, service)
    # Refused as they are: verified for another service, and signed a day early.
    line = signing.sign_direct(rng, MOMENT, "kinesis", "default", False, "botocore")
    seeds["refused-other-service"] = as_seed(line, "dynamodb")
    line = signing.sign_direct(rng, MOMENT - datetime.timedelta(days=1), "kinesis", "default", False, "botocore")
    seeds["refused-expired"] = as_seed(line, "kinesis")
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"{len(seeds)} seeds in {out}")


if __name__ == "__main__":
    main()
