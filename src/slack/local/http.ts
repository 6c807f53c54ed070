// Reading and answering the HTTP the local Slack serves: Web API bodies (form, JSON or multipart, as
// the WebClient sends them), uploaded file bytes, JSON answers.

import type { IncomingMessage, ServerResponse } from 'node:http';

const JSON_FIELDS = new Set(['blocks', 'attachments', 'files', 'metadata']);

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

// biome-ignore lint/suspicious/noExplicitAny: Web API arguments arrive untyped.
export async function parseApiBody(contentType: string, raw: Buffer): Promise<any> {
  if (contentType.includes('application/json')) return parseMaybeJson(raw.toString('utf8')) ?? {};
  const fields: Record<string, unknown> = {};
  if (contentType.includes('multipart/form-data')) {
    const form = await new Request('http://local/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: new Uint8Array(raw),
    }).formData();
    for (const [key, value] of form.entries())
      fields[key] = typeof value === 'string' ? value : `<file ${value.size} bytes>`;
    return fields;
  }
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) {
    fields[key] = JSON_FIELDS.has(key) ? (parseMaybeJson(value) ?? value) : value;
  }
  return fields;
}

/** The WebClient posts the file as multipart (field `body`); other clients may post it raw. */
export async function uploadedContent(contentType: string, raw: Buffer): Promise<string> {
  if (!contentType.includes('multipart/form-data')) return raw.toString('utf8');
  const form = await new Request('http://local/', {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: new Uint8Array(raw),
  }).formData();
  for (const value of form.values()) {
    if (typeof value !== 'string') return await value.text();
  }
  return '';
}

// biome-ignore lint/suspicious/noExplicitAny: JSON of unknown shape.
export function parseMaybeJson(text: string): any {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
