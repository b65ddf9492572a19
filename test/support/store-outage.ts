/**
 * A store whose calls fail as they do when the database has gone away, at the flip of a
 * switch: for pages and forms that must say so, on either database. The error is the one
 * postgres.js raises for a connection that was closed under it (on SQLite nothing else
 * could make the file vanish under a running server). Only the parts a page reads and a
 * form writes are switched; the workers' queue calls keep working.
 */
import type { DatabaseTarget } from "../../src/config.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/store.ts";

export interface Outage {
  down: boolean;
}

export const connectionClosed = () =>
  Object.assign(new Error("write CONNECTION_CLOSED 127.0.0.1:5432"), {
    code: "CONNECTION_CLOSED",
  });

function switched<T extends object>(part: T, outage: Outage): T {
  return new Proxy(part, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) =>
        outage.down ? Promise.reject(connectionClosed()) : value.apply(target, args);
    },
  });
}

/** What pages read and forms write; the delivery and relay workers' parts are left alone. */
const SWITCHED = new Set<PropertyKey>(["events", "changes", "endpoints", "hooks"]);

/** For `startTestApp`'s `openStore`: the real store, with `outage.down` taking it away. */
export function openStoreWithOutage(outage: Outage): (target: DatabaseTarget) => Store {
  return (target) => {
    const store = openStore(target);
    const parts = new Map<PropertyKey, object>();
    return new Proxy(store, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key);
        if (SWITCHED.has(key) && typeof value === "object" && value !== null) {
          if (!parts.has(key)) parts.set(key, switched(value, outage));
          return parts.get(key);
        }
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  };
}
