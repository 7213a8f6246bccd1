"""A handler in a package directory (_HANDLER pkg/mod.handler): the sum of the event's values."""


def handler(event, context):
    return {"kind": "pkg", "sum": sum(event["values"])}
