// Socket Mode as Slack plays it: the app opens a websocket (the URL apps.connections.open handed
// out), gets `hello`, then envelopes; it must ack each `{envelope_id, payload}` within the deadline,
// or Slack gives up on it (the user sees operation_timeout).

import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { parseMaybeJson } from './http.ts';
import { LOCAL_APP_ID } from './payloads.ts';

export class SocketModeServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private socket: WebSocket | undefined;
  private readonly pendingAcks = new Map<string, (payload: unknown) => void>();
  private readonly pinger: NodeJS.Timeout;

  constructor(private readonly waitForSocket: (find: () => WebSocket | undefined) => Promise<WebSocket>) {
    // Slack pings its Socket Mode clients; the client's server-ping watchdog expects it.
    this.pinger = setInterval(() => this.socket?.ping(), 10_000);
    this.pinger.unref();
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!req.url?.startsWith('/socket/')) {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  /** Sends an envelope; the app's ack payload (`{}` when empty), or undefined when it came too late. */
  async deliver(type: string, payload: unknown, deadlineMs: number): Promise<Record<string, unknown> | undefined> {
    const socket = this.socket ?? (await this.waitForSocket(() => this.socket));
    const envelopeId = randomUUID();
    const acked = new Promise<unknown>((resolve) => {
      this.pendingAcks.set(envelopeId, resolve);
      setTimeout(() => resolve(undefined), deadlineMs).unref();
    });
    socket.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: true }));
    const ack = await acked;
    this.pendingAcks.delete(envelopeId);
    return ack === undefined ? undefined : (ack as Record<string, unknown>);
  }

  async close(): Promise<void> {
    clearInterval(this.pinger);
    for (const resolve of this.pendingAcks.values()) resolve(undefined);
    this.pendingAcks.clear();
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(ws: WebSocket): void {
    this.socket = ws;
    ws.on('message', (data) => {
      const message = parseMaybeJson(String(data));
      const resolve = message?.envelope_id ? this.pendingAcks.get(message.envelope_id) : undefined;
      resolve?.(message.payload ?? {});
    });
    ws.on('close', () => {
      if (this.socket === ws) this.socket = undefined;
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'local-slack', approximate_connection_time: 18_060 },
        connection_info: { app_id: LOCAL_APP_ID },
      }),
    );
  }
}
