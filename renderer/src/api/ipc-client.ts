import type { ApiErrorShape, EventName, MethodName, OperatorApi } from '../../../preload/contract';
import { ApiCallError } from './api-call-error';

/** What the preload bridge exposes on `window.fieldbench`. */
export interface PreloadBridge {
  methods: Record<
    string,
    (request: unknown) => Promise<{ ok: true; result: unknown } | { ok: false; error: ApiErrorShape }>
  >;
  on: Record<string, (listener: (data: unknown) => void) => () => void>;
}

export function createIpcClient(bridge: PreloadBridge): OperatorApi {
  return {
    async call(method: MethodName, request: unknown) {
      const fn = bridge.methods[method];
      if (!fn) throw new ApiCallError({ code: 'UNKNOWN_METHOD', message: `Unknown method ${method}` });
      const outcome = await fn(request);
      if (!outcome.ok) throw new ApiCallError(outcome.error);
      return outcome.result as never;
    },
    on(event: EventName, listener: (data: never) => void) {
      const subscribe = bridge.on[event];
      if (!subscribe) throw new Error(`Unknown event ${event}`);
      return subscribe(listener as (data: unknown) => void);
    },
  };
}
