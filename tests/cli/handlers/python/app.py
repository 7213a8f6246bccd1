"""A plain handler: the event's number doubled and its word upper-cased."""


def handler(event, context):
    return {"kind": "python", "doubled": event["n"] * 2, "word": event["word"].upper()}
