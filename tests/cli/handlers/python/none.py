"""A handler that returns nothing."""


def handler(event, context):
    pass
