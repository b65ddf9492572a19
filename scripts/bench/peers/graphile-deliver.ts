#!/usr/bin/env bun
/**
 * The delivery benchmark's peer: what a user would build instead of hookyard, with Bun,
 * PostgreSQL and graphile-worker. `POST /endpoints` registers an endpoint;
 * `POST /trigger/:type` stores the event, one delivery row per matching endpoint and one
 * job per delivery in one statement (so in one transaction); the job reads its delivery
 * with the event and the endpoint, signs with the Standard Webhooks library, POSTs, and
 * records the outcome on the delivery's row. A failed POST throws, and graphile-worker
 * retries it on its own schedule.
 *
 * Configured as graphile-worker's performance guide advises for many small jobs
 * (https://worker.graphile.org/docs/performance): a local queue of 500 jobs and batched
 * completions and failures (delay 0), pool size concurrency + 2.
 *
 *   bun scripts/bench/peers/graphile-deliver.ts PORT DATABASE_URL [CONCURRENCY]
 */
import { type JobHelpers, run } from "graphile-worker";
import postgres from "postgres";
import { Webhook } from "standardwebhooks";

const [port, databaseUrl, concurrencyArg] = process.argv.slice(2);
if (!port || !databaseUrl) {
  console.error("usage: graphile-deliver.ts PORT DATABASE_URL [CONCURRENCY]");
  process.exit(2);
}
const concurrency = Number(concurrencyArg ?? 32);

const sql = postgres(databaseUrl, { max: 10, onnotice: () => {} });

await sql.unsafe(`
  create table if not exists endpoints (
    id bigserial primary key,
    url text not null,
    secret text not null,
    event_types text[] not null default '{*}',
    enabled boolean not null default true
  );
  create table if not exists events (
    id bigserial primary key,
    type text not null,
    payload jsonb not null,
    received_at timestamptz not null default now()
  );
  create table if not exists deliveries (
    id bigserial primary key,
    event_id bigint not null references events (id),
    endpoint_id bigint not null references endpoints (id),
    status text not null default 'pending',
    attempts integer not null default 0,
    response_status integer,
    delivered_at timestamptz
  );
  create index if not exists deliveries_event_id on deliveries (event_id);
`);

interface DeliverPayload {
  readonly deliveryId: string;
}

interface DeliveryRow {
  readonly event_id: string;
  readonly type: string;
  readonly payload: unknown;
  readonly received_at: Date;
  readonly url: string;
  readonly secret: string;
}

async function deliver(payload: unknown, helpers: JobHelpers): Promise<void> {
  const { deliveryId } = payload as DeliverPayload;
  const { rows } = await helpers.query<DeliveryRow>(
    `select d.event_id, ev.type, ev.payload, ev.received_at, en.url, en.secret
       from deliveries d
       join events ev on ev.id = d.event_id
       join endpoints en on en.id = d.endpoint_id
      where d.id = $1`,
    [deliveryId],
  );
  const row = rows[0];
  if (!row) return; // deleted meanwhile: nothing left to send
  const body = JSON.stringify({
    type: row.type,
    timestamp: row.received_at.toISOString(),
    data: row.payload,
  });
  const messageId = `evt_${row.event_id}`;
  // One reading of the clock for the signature and its header: two could fall either side
  // of a second, and the receiver would refuse the signature.
  const sentAt = new Date();
  const signature = new Webhook(row.secret).sign(messageId, sentAt, body);
  const response = await fetch(row.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "webhook-id": messageId,
      "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
      "webhook-signature": signature,
    },
    body,
    redirect: "manual",
    signal: AbortSignal.timeout(30_000),
  });
  await response.arrayBuffer();
  const ok = response.status >= 200 && response.status < 300;
  await helpers.query(
    `update deliveries
        set status = $2, attempts = attempts + 1, response_status = $3,
            delivered_at = case when $2 = 'delivered' then now() end
      where id = $1`,
    [deliveryId, ok ? "delivered" : "failed", response.status],
  );
  if (!ok) throw new Error(`HTTP ${response.status} from ${row.url}`);
}

const runner = await run({
  connectionString: databaseUrl,
  concurrency,
  maxPoolSize: concurrency + 2,
  taskList: { deliver },
  crontab: "",
  // the server owns SIGTERM: it stops taking triggers before the worker drains
  noHandleSignals: true,
  preset: {
    worker: {
      localQueue: { size: 500 },
      completeJobBatchDelay: 0,
      failJobBatchDelay: 0,
    },
  },
});

/**
 * One statement: the event, its deliveries and their jobs commit together or not at all.
 * add_jobs takes the whole batch in one call. The body goes as text and PostgreSQL parses
 * it (a bare `::jsonb` parameter would be sent as a JSON string).
 */
async function trigger(type: string, body: string): Promise<Response> {
  const [row] = await sql<{ event_id: string; deliveries: number }[]>`
    with event as (
      insert into events (type, payload) values (${type}, ${body || "null"}::text::jsonb)
      returning id
    ), delivery as (
      insert into deliveries (event_id, endpoint_id)
      select event.id, en.id from event, endpoints en
       where en.enabled and exists (
         select 1 from unnest(en.event_types) p
          where p = '*' or p = ${type} or (p like '%.*' and ${type} like left(p, -1) || '%'))
      returning id
    ), job as (
      select graphile_worker.add_jobs(array_agg(
        row('deliver', json_build_object('deliveryId', delivery.id::text), null, null, null,
            null, null, null)::graphile_worker.job_spec)) from delivery
    )
    select (select id from event) as event_id, (select count(*)::int from delivery) as deliveries,
           (select count(*) from job) as queued`;
  return Response.json({ event_id: row?.event_id, deliveries: row?.deliveries }, { status: 202 });
}

async function createEndpoint(request: Request): Promise<Response> {
  const input = (await request.json()) as { url: string; secret: string; event_types?: string[] };
  const [row] = await sql<{ id: string }[]>`
    insert into endpoints (url, secret, event_types)
    values (${input.url}, ${input.secret}, ${input.event_types ?? ["*"]})
    returning id`;
  return Response.json({ id: row?.id, secret: input.secret }, { status: 201 });
}

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(port),
  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (request.method === "GET" && pathname === "/healthz") return new Response("ok");
    if (request.method === "POST" && pathname === "/endpoints") return createEndpoint(request);
    if (request.method === "POST" && pathname.startsWith("/trigger/")) {
      return trigger(decodeURIComponent(pathname.slice("/trigger/".length)), await request.text());
    }
    return new Response("not found", { status: 404 });
  },
  error: (error) => new Response(String(error), { status: 500 }),
});

process.on("SIGTERM", async () => {
  server.stop(true);
  await runner.stop();
  await sql.end();
  process.exit(0);
});
