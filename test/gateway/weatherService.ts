/**
 * A weather service for the failover tests: it records each request with its `Idempotency-Key`,
 * and answers only when the test says so (or at once, for requests it is told to answer), so a
 * test can hold a gateway's tool in the middle of its call.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the service got. */
export interface WeatherRequest {
  /** 1-based, in order of arrival. */
  readonly n: number;
  readonly city: string;
  readonly idempotencyKey: string;
  /** Answers it now (`{ city, tempC, sky, served: n }`). */
  answer(): void;
  /** Whether its client went away before the answer. */
  readonly aborted: boolean;
}

/** The service. */
export interface WeatherService {
  readonly url: string;
  readonly requests: readonly WeatherRequest[];
  /** Answer every request from now on at once (those waiting, too). */
  answerAll(): void;
  /** Resolves with the `n`th request (1-based) once it came. */
  request(n: number, timeoutMs?: number): Promise<WeatherRequest>;
  close(): Promise<void>;
}

/** Starts the service on 127.0.0.1, holding every request until told. */
export async function startWeatherService(): Promise<WeatherService> {
  const requests: WeatherRequest[] = [];
  const waiters = new Set<() => void>();
  let answerAtOnce = false;
  const server = createServer((incoming, response: ServerResponse) => {
    const url = new URL(incoming.url ?? '/', 'http://weather');
    let answered = false;
    let aborted = false;
    const n = requests.length + 1;
    const city = url.searchParams.get('city') ?? '';
    const request: WeatherRequest = {
      n,
      city,
      idempotencyKey: String(incoming.headers['idempotency-key'] ?? ''),
      get aborted() {
        return aborted;
      },
      answer() {
        if (answered || aborted) return;
        answered = true;
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ city, tempC: 18, sky: 'sunny', served: n }));
      },
    };
    response.on('close', () => (aborted = !answered));
    requests.push(request);
    if (answerAtOnce) request.answer();
    for (const waiter of [...waiters]) waiter();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/weather`,
    requests,
    answerAll() {
      answerAtOnce = true;
      for (const request of requests) request.answer();
    },
    request: (n, timeoutMs = 15_000) =>
      new Promise<WeatherRequest>((resolve, reject) => {
        const check = () => {
          const found = requests[n - 1];
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no weather request #${n} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
