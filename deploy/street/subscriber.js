// What a street office runs to receive escalations, in Node: the same contract as
// subscriber.py (docs/events/README.md), for offices whose systems are JavaScript.
//
//   npm ci && AMQP_URI=amqps://street-lanshan:…@mq.district.example/grid \
//   node subscriber.js --street lanshan --jsonl in.jsonl --state street-lanshan
//
// It consumes the street's own durable queue, handles each event id once (ids kept
// in the state folder), acknowledges only after the escalation was written, and
// parks what it cannot read (not JSON, not an envelope, a newer major version) in
// the state folder with the reason.
"use strict";

const amqp = require("amqplib");
const fs = require("node:fs");
const path = require("node:path");

const EXCHANGE = "dispatch.events";
const READABLE_VERSION = 1;
const ENVELOPE_FIELDS = ["id", "type", "version", "occurred_at", "payload"];

function options(argv) {
  const found = { amqpUri: process.env.AMQP_URI || "amqp://guest:guest@127.0.0.1:5672/" };
  for (let i = 0; i < argv.length; i += 2) {
    const name = { "--street": "street", "--jsonl": "jsonl", "--state": "state", "--amqp-uri": "amqpUri" }[argv[i]];
    if (!name || argv[i + 1] === undefined) throw new Error(`unknown or incomplete option ${argv[i]}`);
    found[name] = argv[i + 1];
  }
  if (!found.street) throw new Error("--street is required, e.g. --street lanshan");
  found.state = found.state || `street-${found.street}`;
  return found;
}

function append(file, text) {
  const fd = fs.openSync(file, "a");
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

// Throws a reason when the message can never be read by this subscriber.
function read(body, street) {
  let event;
  try {
    event = JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw new Error(`not JSON: ${error.message}`);
  }
  if (event === null || typeof event !== "object" || ENVELOPE_FIELDS.some((f) => !(f in event))) {
    throw new Error(`not an event envelope (needs ${ENVELOPE_FIELDS.join(", ")})`);
  }
  if (!Number.isInteger(event.version) || event.version > READABLE_VERSION) {
    throw new Error(`version ${event.version} of ${event.type} is newer than this subscriber reads ` +
                    `(${READABLE_VERSION}): upgrade the subscriber, then replay it`);
  }
  if (event.type !== "report.escalated" || event.payload.street !== street) {
    throw new Error(`not an escalation for street ${street}: ${event.type} for ${event.payload.street}`);
  }
  return event;
}

async function main() {
  const opts = options(process.argv.slice(2));
  fs.mkdirSync(opts.state, { recursive: true });
  const seenFile = path.join(opts.state, "seen");
  const parkedFile = path.join(opts.state, "parked.jsonl");
  const seen = new Set(fs.existsSync(seenFile) ? fs.readFileSync(seenFile, "utf8").split(/\s+/).filter(Boolean) : []);
  const queue = `street.${opts.street}.escalations`;

  const connection = await amqp.connect(opts.amqpUri);
  connection.on("error", (error) => console.error(`broker connection error: ${error.message}`));
  connection.on("close", () => process.exit(3));  // a supervisor restarts it; nothing unacked is lost
  const channel = await connection.createChannel();
  // Declared exactly as the platform declares it, so this changes nothing.
  await channel.assertQueue(queue, { durable: true, arguments: { "x-queue-type": "quorum" } });
  await channel.bindQueue(queue, EXCHANGE, `report.escalated.street.${opts.street}.#`);
  await channel.prefetch(10);
  await channel.consume(queue, (message) => {
    try {
      const event = read(message.content, opts.street);
      if (!seen.has(event.id)) {
        if (opts.jsonl) append(opts.jsonl, JSON.stringify(event) + "\n");
        else console.log(`${event.occurred_at} ${event.payload.community} ${event.payload.category}: ${event.payload.reason}`);
        append(seenFile, event.id + "\n");
        seen.add(event.id);
      }
    } catch (reason) {
      append(parkedFile, JSON.stringify({ parked_at: new Date().toISOString(), reason: reason.message,
                                          body: message.content.toString("utf8"),
                                          headers: message.properties.headers || {} }) + "\n");
      console.error(`parked a message: ${reason.message}`);
    }
    channel.ack(message);
  });
  console.error(`listening on ${queue}`);
}

main().catch((error) => {
  console.error(`subscriber stopped: ${error.message}`);
  process.exit(1);
});
