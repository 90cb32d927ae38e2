import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Plain node:http for the two byte-heavy registry calls, where Node's fetch costs memory and copies: it reads an
 * async-iterable request body as fast as it is produced and holds what the socket has not taken (a 1 GB upload held
 * ~1 GB), and it copies every body chunk through web streams. Everything else stays on fetch.
 */
export interface StreamedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** Sends `body` with backpressure: each chunk waits until the socket has taken the last. Rejects if either side fails. */
export async function streamUpload(url: string, method: string, headers: Record<string, string>, body: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<StreamedResponse> {
  const request = requestFor(url)(url, { method, headers });
  const answered = new Promise<StreamedResponse>((resolve, reject) => {
    request.once('error', reject);
    request.once('response', async (response) => {
      try {
        let text = '';
        for await (const chunk of response) text += chunk;
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text });
      } catch (error) {
        reject(error);
      }
    });
  });
  answered.catch(() => undefined); // awaited below; a failed body must not leave it unhandled meanwhile
  await pipeline(Readable.from(body, { objectMode: false }), request);
  return answered;
}

/**
 * GETs `url` and hands back the response to read as a stream. Follows up to five redirects (blob stores often send
 * one), sending `authorization` only to the registry's own origin.
 */
export async function streamDownload(url: string, authorization: string | undefined): Promise<IncomingMessage> {
  const origin = new URL(url).origin;
  let current = url;
  for (let hop = 0; hop <= 5; hop++) {
    const headers: Record<string, string> = authorization && new URL(current).origin === origin ? { Authorization: authorization } : {};
    const response = await new Promise<IncomingMessage>((resolve, reject) => requestFor(current)(current, { method: 'GET', headers }, resolve).once('error', reject).end());
    const location = response.headers.location;
    if (!location || ![301, 302, 303, 307, 308].includes(response.statusCode ?? 0)) return response;
    response.resume();
    current = new URL(location, current).toString();
  }
  throw new Error(`${url}: more than five redirects`);
}

function requestFor(url: string): typeof httpRequest {
  return url.startsWith('https:') ? httpsRequest : httpRequest;
}
