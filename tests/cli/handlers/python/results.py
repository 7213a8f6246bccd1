"""Results that cannot go out as they are, DynamoDB's Decimals, and logs written along the way."""
import os
import signal
import sys
from decimal import Decimal


def handler(event, context):
    mode = event.get("mode")
    if mode == "crash":  # what was printed before must be in the pipe, not in a buffer
        print(f"before crash {event['n']}")
        os.kill(os.getpid(), signal.SIGKILL)
    print(f"stdout {event['n']}")
    print(f"stderr {event['n']}", file=sys.stderr)
    print(f"partial {event['n']}", end="")
    if mode == "set":
        return {"n": {event["n"]}}
    if mode == "decimal":
        return {"whole": Decimal(event["n"]), "half": Decimal(event["n"]) / 2}
    if mode == "huge":
        return "x" * event["size"]
    return {"ok": event["n"]}
