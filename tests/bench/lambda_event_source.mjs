// A Kinesis event source for a Lambda handler where there is no Lambda (kinesalite): what
// tests/bench/lambda.sh runs the reference architecture's handler with, beside ks-consume.
//
//   node lambda_event_source.mjs put KINESIS_URL STREAM FILE
//       PutRecords of FILE's lines, 500 a request (Kinesis' most), Data the line, PartitionKey
//       its Name; four requests in flight; entries that fail are sent again.
//   node lambda_event_source.mjs poll KINESIS_URL STREAM SHARD HANDLER_FILE.FUNCTION
//       Lambda's event source mapping for one shard, as ks-consume --handler with --parallel
//       runs one runtime a shard: GetShardIterator TRIM_HORIZON, then GetRecords of 100 records
//       (the batch size) until one comes back empty (everything was put beforehand), each batch
//       given to the handler, in this process, as the event Lambda gives and awaited before the
//       next. The handler's SDK calls go where AWS_ENDPOINT_URL says. Prints the records handled.
//   node lambda_event_source.mjs count DYNAMODB_URL TABLE
//       The items of TABLE (Scan, Select COUNT, page after page).
//
// The SDK for JavaScript is tests/clients' (npm ci --prefix tests/clients). Exit 1 on any error:
// a benchmark stops rather than retry around a failure.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const clients = path.join(path.dirname(fileURLToPath(import.meta.url)), '../clients/package.json');
const require = createRequire(clients);
const { KinesisClient, PutRecordsCommand, GetShardIteratorCommand, GetRecordsCommand } = require('@aws-sdk/client-kinesis');
const { DynamoDBClient, ScanCommand } = require('@aws-sdk/client-dynamodb');
const { NodeHttpHandler } = require('@smithy/node-http-handler');

const region = process.env.AWS_REGION || 'us-east-1';
// An explicit endpoint: AWS_ENDPOINT_URL is the handler's (the table's server), not the stream's.
// HTTP/1.1, which kinesalite speaks: the Kinesis client's default is HTTP/2.
const kinesisAt = (url) => new KinesisClient({ endpoint: url, region, maxAttempts: 10,
  requestHandler: new NodeHttpHandler() });

async function put(url, stream, file) {
  const kinesis = kinesisAt(url);
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  const inFlight = new Set();
  let batch = [];
  let sent = 0;
  const send = async (entries) => {
    while (entries.length > 0) {
      const answer = await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: entries }));
      entries = entries.filter((_, i) => answer.Records[i].ErrorCode);
    }
  };
  const flush = async () => {
    const request = send(batch).finally(() => inFlight.delete(request));
    inFlight.add(request);
    sent += batch.length;
    batch = [];
    if (inFlight.size >= 4) await Promise.race(inFlight);
  };
  for await (const line of lines) {
    batch.push({ Data: Buffer.from(line), PartitionKey: JSON.parse(line).Name });
    if (batch.length === 500) await flush();
  }
  if (batch.length > 0) await flush();
  await Promise.all(inFlight);
  console.log(sent);
}

// The event of a batch, field for field as Lambda's Kinesis event source builds it.
function lambdaEvent(stream, shard, records) {
  const streamArn = `arn:aws:kinesis:${region}:000000000000:stream/${stream}`;
  return {
    Records: records.map((r) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: r.PartitionKey,
        sequenceNumber: r.SequenceNumber,
        data: Buffer.from(r.Data).toString('base64'),
        approximateArrivalTimestamp: r.ApproximateArrivalTimestamp.getTime() / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${shard}:${r.SequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/lambda-role',
      awsRegion: region,
      eventSourceARN: streamArn,
    })),
  };
}

async function poll(url, stream, shard, handlerSpec) {
  const dot = handlerSpec.lastIndexOf('.');
  const handler = require(path.resolve(handlerSpec.slice(0, dot)))[handlerSpec.slice(dot + 1)];
  if (typeof handler !== 'function') throw new Error(`${handlerSpec} is not a function`);
  const kinesis = kinesisAt(url);
  let { ShardIterator: iterator } = await kinesis.send(new GetShardIteratorCommand({
    StreamName: stream, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }));
  let handled = 0;
  let invocation = 0;
  for (;;) {
    const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
    if (page.Records.length === 0) break;
    const context = {
      awsRequestId: `${shard}-${++invocation}`,
      functionName: 'reference-architecture',
      getRemainingTimeInMillis: () => 300000,
    };
    await handler(lambdaEvent(stream, shard, page.Records), context);
    handled += page.Records.length;
    iterator = page.NextShardIterator;
  }
  console.log(handled);
}

async function count(url, table) {
  const dynamodb = new DynamoDBClient({ endpoint: url, region });
  let items = 0;
  let start;
  do {
    const page = await dynamodb.send(new ScanCommand({ TableName: table, Select: 'COUNT', ExclusiveStartKey: start }));
    items += page.Count;
    start = page.LastEvaluatedKey;
  } while (start);
  console.log(items);
}

const [command, ...args] = process.argv.slice(2);
const commands = { put: [put, 3], poll: [poll, 4], count: [count, 2] };
if (!commands[command] || args.length !== commands[command][1]) {
  console.error('usage: lambda_event_source.mjs put KINESIS_URL STREAM FILE | poll KINESIS_URL STREAM SHARD FILE.FUNCTION | count DYNAMODB_URL TABLE');
  process.exit(64);
}
commands[command][0](...args).catch((e) => {
  console.error(`lambda_event_source.mjs ${command}: ${e.name}: ${e.message}`);
  process.exit(1);
});
