"""The stream-processing reference architecture's event processor, in Python: a Lambda function
that Kinesis invokes with batches of records, writing each record to a DynamoDB table."""
import base64
import json
import os
from decimal import Decimal

import boto3

# boto3 before 1.28 (Debian 12 has 1.26) does not read AWS_ENDPOINT_URL itself, so the handler
# passes it on; unset (on AWS), the endpoint is the region's as usual. Built once per runtime,
# outside the handler: a warm runtime reuses its connections.
table = boto3.resource("dynamodb", endpoint_url=os.environ.get("AWS_ENDPOINT_URL")).Table(
    os.environ["TABLE_NAME"])


def handler(event, context):
    # One record after another: a later record of the same key overwrites an earlier one, as
    # the shard ordered them. DynamoDB's numbers are decimals: boto3 refuses floats.
    for record in event["Records"]:
        item = json.loads(base64.b64decode(record["kinesis"]["data"]), parse_float=Decimal)
        table.put_item(Item=item)
