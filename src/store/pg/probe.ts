/**
 * Does PostgreSQL answer at an address? Asked before the driver connects, because
 * postgres.js cannot tell: pointed at something else (an HTTP server on that port), it
 * reconnected some 350 times a second for ever, and the first query never settled.
 *
 * The question is PostgreSQL's SSLRequest, 8 bytes that every PostgreSQL server (and
 * PgBouncer, and the PostgreSQL-compatible servers) answers with one byte, 'S' or 'N',
 * before it knows who is asking. The probe then closes: after 'N' the server logs
 * nothing; after 'S' (ssl = on) it logs that a client left before its TLS handshake.
 */
import { connect, type Socket } from "node:net";
import { describeEndpoint, type PgEndpoint } from "./target.ts";

const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/**
 * PostgreSQL answers the SSLRequest with the one byte 'S' or 'N' and then waits for the
 * client, so a longer first answer is something else, e.g. an SSH banner ("SSH-2.0-…").
 * A server that refuses to negotiate but speaks the protocol sends an ErrorResponse:
 * 'E' and the message's length; the driver's first query will say more.
 */
function answersAsPostgres(received: Buffer): boolean {
  const first = received[0];
  if (received.length === 1) return first === 0x53 || first === 0x4e; // 'S', 'N'
  if (first !== 0x45 || received.length < 5) return false; // 'E'
  const length = received.readInt32BE(1);
  return length >= 4 && length <= 10_000 && received.at(-1) === 0;
}

export type ProbeOutcome =
  | { readonly kind: "postgres" }
  | { readonly kind: "not-postgres"; readonly sent: string }
  | { readonly kind: "closed" }
  | { readonly kind: "silent"; readonly ms: number }
  | { readonly kind: "unreachable"; readonly code: string };

export interface ProbeResult {
  readonly endpoint: PgEndpoint;
  readonly outcome: ProbeOutcome;
}

/** Asks one endpoint; settles within `timeoutMs`, never rejects. */
export function probePostgres(endpoint: PgEndpoint, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket: Socket =
      endpoint.kind === "socket"
        ? connect({ path: endpoint.path })
        : connect({ host: endpoint.host, port: endpoint.port });
    let received = Buffer.alloc(0);
    const finish = (outcome: ProbeOutcome) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ endpoint, outcome });
    };
    const timer = setTimeout(() => finish({ kind: "silent", ms: timeoutMs }), timeoutMs);
    socket.once("connect", () => socket.write(SSL_REQUEST));
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (answersAsPostgres(received)) return finish({ kind: "postgres" });
      // Enough to quote its first line (an HTTP status line, an SSH banner).
      if (received.includes(0x0a) || received.length >= 80) {
        finish({ kind: "not-postgres", sent: firstLine(received) });
      }
    });
    socket.once("end", () =>
      finish(
        received.length > 0
          ? { kind: "not-postgres", sent: firstLine(received) }
          : { kind: "closed" },
      ),
    );
    socket.once("error", (error: NodeJS.ErrnoException) =>
      finish({ kind: "unreachable", code: error.code ?? error.message }),
    );
  });
}

/**
 * Asks every endpoint at once (postgres.js moves on to the next host when one fails):
 * the answers of all of them, or undefined as soon as one is PostgreSQL.
 */
export async function probeEndpoints(
  endpoints: readonly PgEndpoint[],
  timeoutMs: number,
): Promise<readonly ProbeResult[] | undefined> {
  const probes = endpoints.map((endpoint) => probePostgres(endpoint, timeoutMs));
  const anyPostgres = Promise.any(
    probes.map((probe) =>
      probe.then((result) =>
        result.outcome.kind === "postgres" ? result : Promise.reject(result),
      ),
    ),
  ).then(
    () => undefined,
    () => Promise.all(probes),
  );
  return anyPostgres;
}

/** What was found at `result.endpoint`, as the second half of a sentence that names it. */
export function describeProbe({ endpoint, outcome }: ProbeResult): string {
  const where = describeEndpoint(endpoint);
  switch (outcome.kind) {
    case "postgres":
      return `${where} answered as PostgreSQL`;
    case "not-postgres":
      return `${where} answered, but not as PostgreSQL (it sent ${JSON.stringify(outcome.sent)})`;
    case "closed":
      return `${where} accepted the connection and closed it without answering as PostgreSQL`;
    case "silent":
      return `${where} accepted the connection but did not answer as PostgreSQL within ${outcome.ms / 1000} s`;
    case "unreachable":
      return `${where}: ${unreachable(outcome.code, endpoint)}`;
  }
}

function unreachable(code: string, endpoint: PgEndpoint): string {
  if (code === "ECONNREFUSED") return "connection refused (nothing listens there)";
  if (code === "ENOENT" && endpoint.kind === "socket") return "no such socket";
  if (code === "EACCES") return "permission denied";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `host not found (${code})`;
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return `no route to host (${code})`;
  if (code === "ECONNRESET") return "the connection was reset before it answered";
  return code;
}

/** Printable text up to the first line break, so a binary answer cannot garble the message. */
function firstLine(bytes: Buffer): string {
  const text = bytes.subarray(0, 80).toString("latin1").split(/\r?\n/)[0] ?? "";
  return text.replace(/[^\x20-\x7e]/g, "?");
}
