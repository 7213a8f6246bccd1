// The stream-processing reference architecture's event processor: a Lambda function that
// Kinesis invokes with batches of records, writing each record to a DynamoDB table.
// Nothing in it knows millrace: the SDK client is built with no endpoint, so it goes where
// AWS_ENDPOINT_URL says (ks-consume --endpoint sets it) and, with none, to AWS itself.
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, PutCommand } = require('@aws-sdk/lib-dynamodb');

// Built once per runtime, outside the handler: a warm runtime reuses its connections.
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const tableName = process.env.TABLE_NAME;

exports.handler = async (event) => {
  // One record after another: a later record of the same key overwrites an earlier one, as the
  // shard ordered them.
  for (const record of event.Records) {
    const item = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'));
    await documents.send(new PutCommand({ TableName: tableName, Item: item }));
  }
};
