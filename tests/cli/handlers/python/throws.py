"""Exceptions raised by handlers, one of a class of the user's."""


class QuotaExceeded(Exception):
    pass


def handler(event, context):
    raise ValueError(f"bad n {event['n']}")


def quota(event, context):
    check(event["n"])


def check(n):
    raise QuotaExceeded(f"quota {n}")
