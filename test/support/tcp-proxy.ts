/**
 * A TCP proxy to stand between hookyard and a shared PostgreSQL server, so a test can take
 * the database away and bring it back without stopping the server others' tests use.
 * `cut()` destroys every open connection and stops listening: from hookyard's side that
 * is a database that crashed (connections reset, new ones refused). `restore()` listens
 * again on the same port, so the URL hookyard holds keeps working. `stall()` keeps every
 * connection open but carries nothing either way until `resume()`: a network partition
 * that drops packets without a reset, where a query waits on TCP instead of failing.
 * `resetAtFirstQuery(n)` resets the next n connections as their client sends its first
 * query: a connection lost just after it was set up.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";

export interface TcpProxy {
  readonly port: number;
  /** Whether new connections are accepted right now. */
  readonly up: boolean;
  /** Connections accepted since the start (a reconnect after an outage adds to it). */
  readonly accepted: number;
  /** Drops every connection and refuses new ones until `restore()`. */
  cut(): Promise<void>;
  /** Accepts connections again, on the same port. */
  restore(): Promise<void>;
  /** Holds every byte in both directions, on open connections and new ones alike. */
  stall(): void;
  /** Passes on what was held, and everything after it. */
  resume(): void;
  /**
   * Resets each of the next `count` connections when its client sends its first query
   * (after start-up and authentication), before that query reaches the server. Such a
   * connection is not stalled by `stall()`.
   */
  resetAtFirstQuery(count: number): void;
  close(): Promise<void>;
}

export interface TcpProxyTarget {
  readonly host: string;
  readonly port: number;
}

/** The target of a `postgres://` URL (default port 5432). */
export function targetOf(url: string): TcpProxyTarget {
  const parsed = new URL(url);
  return { host: parsed.hostname || "127.0.0.1", port: Number(parsed.port || 5432) };
}

/** The same URL, pointing at the proxy instead (query options such as search_path kept). */
export function viaProxy(url: string, proxy: TcpProxy): string {
  const parsed = new URL(url);
  parsed.hostname = "127.0.0.1";
  parsed.port = String(proxy.port);
  return parsed.toString();
}

export async function startTcpProxy(target: TcpProxyTarget): Promise<TcpProxy> {
  const open = new Set<Socket>();
  /** Each accepted connection and its upstream, to stall and resume them together. */
  const pairs = new Set<readonly [Socket, Socket]>();
  let accepted = 0;
  let up = true;
  let stalled = false;
  let resetsArmed = 0;
  const carry = ([client, upstream]: readonly [Socket, Socket]) => {
    client.pipe(upstream);
    upstream.pipe(client);
  };

  const onConnection = (client: Socket) => {
    if (!up) {
      client.destroy();
      return;
    }
    accepted++;
    const upstream = createConnection({ host: target.host, port: target.port });
    open.add(client);
    open.add(upstream);
    const pair = [client, upstream] as const;
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
      pairs.delete(pair);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    if (resetsArmed > 0) {
      resetsArmed--;
      resetAtQuery(client, upstream);
      return;
    }
    pairs.add(pair);
    if (!stalled) carry(pair);
  };

  let server: Server = createServer(onConnection);
  await listen(server, 0);
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("proxy: no port");
  const port = address.port;

  const closeServer = (s: Server) =>
    new Promise<void>((resolve) => {
      if (!s.listening) return resolve();
      s.close(() => resolve());
    });

  return {
    port,
    get up() {
      return up;
    },
    get accepted() {
      return accepted;
    },
    async cut() {
      up = false;
      const closed = closeServer(server);
      // resetAndDestroy sends an RST, as a crashed server's kernel would; a FIN would
      // look like an orderly close.
      for (const socket of open) socket.resetAndDestroy();
      open.clear();
      await closed;
    },
    async restore() {
      if (up) return;
      server = createServer(onConnection);
      await listen(server, port);
      up = true;
    },
    stall() {
      stalled = true;
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    resume() {
      stalled = false;
      for (const pair of pairs) carry(pair);
    },
    resetAtFirstQuery(count) {
      resetsArmed = count;
    },
    async close() {
      up = false;
      for (const socket of open) socket.destroy();
      open.clear();
      await closeServer(server);
    },
  };
}

/**
 * Carries `client`'s messages to `upstream` until the first that starts a query: a Parse
 * ("P", the extended protocol postgres.js uses) or a Query ("Q"). Start-up, SSL and
 * password messages begin otherwise, and the client waits for each answer before it
 * sends a query, so a query never shares a chunk with them.
 */
function resetAtQuery(client: Socket, upstream: Socket): void {
  upstream.pipe(client);
  const PARSE = 0x50;
  const QUERY = 0x51;
  client.on("data", (chunk: Buffer) => {
    if (chunk[0] === PARSE || chunk[0] === QUERY) {
      client.resetAndDestroy();
      upstream.destroy();
    } else upstream.write(chunk);
  });
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
}
