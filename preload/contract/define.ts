import type { z } from 'zod';

/** A request/response method of the operator API. */
export interface MethodSpec<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  request: Req;
  response: Res;
  description: string;
}

/**
 * A pushed event. `latest` events are coalesced per client (only the newest value matters, e.g. stats);
 * `stream` events are queued in a bounded buffer and counted when dropped (e.g. log lines, packets).
 */
export interface EventSpec<Data extends z.ZodType = z.ZodType> {
  data: Data;
  delivery: 'latest' | 'stream';
  description: string;
}

export function method<Req extends z.ZodType, Res extends z.ZodType>(
  request: Req,
  response: Res,
  description: string,
): MethodSpec<Req, Res> {
  return { request, response, description };
}

export function event<Data extends z.ZodType>(
  data: Data,
  delivery: EventSpec['delivery'],
  description: string,
): EventSpec<Data> {
  return { data, delivery, description };
}
