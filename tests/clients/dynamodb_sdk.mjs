// The AWS SDK for JavaScript v3's DynamoDB clients against gw-serve, as the SDK's examples and
// the tutorials write them: the low-level client (@aws-sdk/client-dynamodb: CreateTable,
// PutItem, GetItem, Query with KeyConditions, BatchWriteItem, Scan) on Wild Rydes rides, and
// the document client (@aws-sdk/lib-dynamodb: put, get, query, batchWrite) on chat messages of
// native JavaScript values, sets and binaries included. Every answer is checked against what
// was put, worked out from the input here; the script exits non-zero on the first difference.
//
// Inputs are plain JSON lines, the items as kv-get prints them (gw-serve(1), "Typed values"):
// the rides have strings and numbers; a message's {"$SS":[...]}, {"$NS":[...]} and
// {"$BS":[...]} are JavaScript Sets, {"$B":"base64"} a Uint8Array. The tables are left for
// kv-get to read.
// Usage: node dynamodb_sdk.mjs ENDPOINT RIDES.jsonl MESSAGES.jsonl
import { readFileSync } from "node:fs";
import assert from "node:assert/strict";
import {
  DynamoDBClient, CreateTableCommand, PutItemCommand, GetItemCommand, QueryCommand, BatchWriteItemCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient, PutCommand, GetCommand, QueryCommand as DocQueryCommand, BatchWriteCommand,
} from "@aws-sdk/lib-dynamodb";

const [endpoint, ridesFile, messagesFile] = process.argv.slice(2);
const client = new DynamoDBClient({
  endpoint, region: "us-east-1",
  credentials: { accessKeyId: "AKIDMILLRACETEST", secretAccessKey: "millrace-test-secret" },
});
const jsonLines = (file) => readFileSync(file, "utf8").split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l));

// ---- the low-level client: typed values written by hand, as the SDK's examples do

const rides = jsonLines(ridesFile);
// A ride's typed item: strings S, numbers N (JavaScript's shortest form of the number).
const typed = (ride) => Object.fromEntries(Object.entries(ride).map(([name, value]) =>
  [name, typeof value === "number" ? { N: String(value) } : { S: value }]));
const byTime = (a, b) => (a.StatusTime < b.StatusTime ? -1 : a.StatusTime > b.StatusTime ? 1 : 0);

await client.send(new CreateTableCommand({
  TableName: "js-rides",
  AttributeDefinitions: [{ AttributeName: "Name", AttributeType: "S" }, { AttributeName: "StatusTime", AttributeType: "S" }],
  KeySchema: [{ AttributeName: "Name", KeyType: "HASH" }, { AttributeName: "StatusTime", KeyType: "RANGE" }],
  BillingMode: "PAY_PER_REQUEST",
}));
// The first 20 rides one PutItem each, concurrently; the rest by BatchWriteItem, 25 a request.
const single = rides.slice(0, 20), batched = rides.slice(20);
await Promise.all(single.map((ride) => client.send(new PutItemCommand({ TableName: "js-rides", Item: typed(ride) }))));
for (let at = 0; at < batched.length; at += 25) {
  const out = await client.send(new BatchWriteItemCommand({
    RequestItems: { "js-rides": batched.slice(at, at + 25).map((ride) => ({ PutRequest: { Item: typed(ride) } })) },
  }));
  assert.deepEqual(out.UnprocessedItems ?? {}, {}, "BatchWriteItem left items unprocessed");
}
for (const ride of rides) {
  const { Item } = await client.send(new GetItemCommand({
    TableName: "js-rides", Key: { Name: { S: ride.Name }, StatusTime: { S: ride.StatusTime } },
  }));
  assert.deepEqual(Item, typed(ride), `GetItem of ${ride.Name} ${ride.StatusTime}`);
}
assert.equal((await client.send(new GetItemCommand({
  TableName: "js-rides", Key: { Name: { S: "Nobody" }, StatusTime: { S: "2024" } },
}))).Item, undefined, "GetItem of a key never put");

// Query by KeyConditions: a unicorn's rides by time; the last two of them, descending.
const unicorn = rides[0].Name;
const hers = rides.filter((r) => r.Name === unicorn).sort(byTime);
const query = await client.send(new QueryCommand({
  TableName: "js-rides",
  KeyConditions: { Name: { ComparisonOperator: "EQ", AttributeValueList: [{ S: unicorn }] } },
}));
assert.deepEqual(query.Items, hers.map(typed), `Query of ${unicorn}`);
assert.equal(query.Count, hers.length);
const lastTwo = await client.send(new QueryCommand({
  TableName: "js-rides", ScanIndexForward: false, Limit: 2,
  KeyConditions: {
    Name: { ComparisonOperator: "EQ", AttributeValueList: [{ S: unicorn }] },
    StatusTime: { ComparisonOperator: "BEGINS_WITH", AttributeValueList: [{ S: hers[0].StatusTime.slice(0, 10) }] },
  },
}));
assert.deepEqual(lastTwo.Items, hers.filter((r) => r.StatusTime.startsWith(hers[0].StatusTime.slice(0, 10)))
  .reverse().slice(0, 2).map(typed), `Query of ${unicorn}'s last two`);

// Scan, in pages of 30: every ride once.
const scanned = [];
let ExclusiveStartKey;
do {
  const page = await client.send(new ScanCommand({ TableName: "js-rides", Limit: 30, ExclusiveStartKey }));
  scanned.push(...page.Items);
  ExclusiveStartKey = page.LastEvaluatedKey;
} while (ExclusiveStartKey);
const key = (item) => `${item.Name.S}\t${item.StatusTime.S}`;
assert.deepEqual(scanned.map(key).sort(), rides.map(typed).map(key).sort(), "Scan's rides");
assert.deepEqual(new Map(scanned.map((i) => [key(i), i])), new Map(rides.map(typed).map((i) => [key(i), i])),
  "Scan's items");

// ---- the document client: native values

const doc = DynamoDBDocumentClient.from(client);
// A plain item as kv-get prints it, as the native values the document client takes.
const native = (value) => {
  if (Array.isArray(value)) return value.map(native);
  if (value === null || typeof value !== "object") return value;
  const names = Object.keys(value);
  if (names.length === 1) {
    const [tag] = names, inner = value[tag];
    if (tag === "$B") return new Uint8Array(Buffer.from(inner, "base64"));
    if (tag === "$SS" || tag === "$NS") return new Set(inner);
    if (tag === "$BS") return new Set(inner.map((b) => new Uint8Array(Buffer.from(b, "base64"))));
  }
  return Object.fromEntries(names.map((n) => [n, native(value[n])]));
};
const messages = jsonLines(messagesFile).map(native);

await client.send(new CreateTableCommand({
  TableName: "js-messages",
  AttributeDefinitions: [{ AttributeName: "UserId", AttributeType: "S" }, { AttributeName: "SentAt", AttributeType: "N" }],
  KeySchema: [{ AttributeName: "UserId", KeyType: "HASH" }, { AttributeName: "SentAt", KeyType: "RANGE" }],
  BillingMode: "PAY_PER_REQUEST",
}));
// The first message by put, the others by batchWrite.
await doc.send(new PutCommand({ TableName: "js-messages", Item: messages[0] }));
const written = await doc.send(new BatchWriteCommand({
  RequestItems: { "js-messages": messages.slice(1).map((Item) => ({ PutRequest: { Item } })) },
}));
assert.deepEqual(written.UnprocessedItems ?? {}, {}, "batchWrite left items unprocessed");
for (const message of messages) {
  const { Item } = await doc.send(new GetCommand({
    TableName: "js-messages", Key: { UserId: message.UserId, SentAt: message.SentAt },
  }));
  assert.deepEqual(Item, message, `get of ${message.UserId} ${message.SentAt}`);
}
// A user's messages, newest first (the chatbot's history).
const user = messages[0].UserId;
const history = await doc.send(new DocQueryCommand({
  TableName: "js-messages", ScanIndexForward: false,
  KeyConditionExpression: "UserId = :u", ExpressionAttributeValues: { ":u": user },
}));
assert.deepEqual(history.Items, messages.filter((m) => m.UserId === user).sort((a, b) => b.SentAt - a.SentAt),
  `query of ${user}'s messages`);
// The same by the older KeyConditions, as code written before expressions sends it.
const older = await doc.send(new DocQueryCommand({
  TableName: "js-messages", ScanIndexForward: false,
  KeyConditions: { UserId: { ComparisonOperator: "EQ", AttributeValueList: [user] } },
}));
assert.deepEqual(older.Items, history.Items, `query of ${user}'s messages by KeyConditions`);
console.log(`${rides.length} rides and ${messages.length} messages put and read back`);
