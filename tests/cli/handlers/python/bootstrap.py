"""The user's own module named bootstrap (_HANDLER bootstrap.handler), not the runtime's."""


def handler(event, context):
    return {"kind": "user-bootstrap", "n": event["n"]}
