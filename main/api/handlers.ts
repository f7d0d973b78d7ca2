import type { MethodName, ParsedRequestOf, ResponseOf } from '../../preload/contract';

/** Who is calling, for audit records and authorization. */
export interface CallContext {
  transport: 'ipc' | 'ws' | 'internal';
  actor: string;
}

export type Handler<M extends MethodName> = (
  request: ParsedRequestOf<M>,
  ctx: CallContext,
) => ResponseOf<M> | Promise<ResponseOf<M>>;

/** Handlers for a subset of methods, e.g. `HandlersFor<keyof typeof brokerMethods>`. */
export type HandlersFor<M extends MethodName> = { [K in M]: Handler<K> };

export type AllHandlers = HandlersFor<MethodName>;
