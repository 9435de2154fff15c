/**
 * How many client sessions RDS Proxy can hold on a server whose
 * max_connections is known, whichever engine: the proxy's share, less the
 * connections that bypass it.
 */

/** The proxy may open this share of max_connections (DatabaseProxy maxConnectionsPercent). */
export const PROXY_MAX_CONNECTIONS_PERCENT = 90;

/**
 * Connections that bypass the proxy: the schema migrator and the secret
 * rotation function (one each), plus 5 for the server's reserved superuser
 * slots (superuser_reserved_connections, 3 by default) and RDS's own
 * sessions.
 */
export const DIRECT_CONNECTIONS = 2 + 5;

/** The daily maintenance's proxy session (its function's reserved concurrency is 1). */
export const MAINTENANCE_SESSIONS = 1;

/** How many concurrent sessions the proxy can give clients on a server with this max_connections. */
export function proxyConnectionCapacity(maxConnections: number): number {
  return Math.min(Math.floor((maxConnections * PROXY_MAX_CONNECTIONS_PERCENT) / 100), maxConnections - DIRECT_CONNECTIONS);
}
