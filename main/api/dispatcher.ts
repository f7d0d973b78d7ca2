import type { Logger } from 'pino';
import { type ApiErrorShape, type MethodName, methods } from '../../preload/contract';
import { ApiError } from './api-error';
import { internalErrorMessage } from './internal-error';
import type { AllHandlers, CallContext } from './handlers';

export type DispatchResult = { ok: true; result: unknown } | { ok: false; error: ApiErrorShape };

export type Dispatch = (method: string, request: unknown, ctx: CallContext) => Promise<DispatchResult>;

function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(methods, name);
}

/**
 * The one validated entry point both transports call. Requests are parsed against the contract
 * before any handler runs; responses are checked on the way out so the UI can trust their shape.
 */
export function createDispatcher(handlers: Partial<AllHandlers>, logger: Logger): Dispatch {
  return async (method, request, ctx) => {
    if (!isMethodName(method)) {
      return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `Unknown method "${method}".` } };
    }
    const handler = handlers[method] as ((req: unknown, ctx: CallContext) => unknown) | undefined;
    if (!handler) {
      return {
        ok: false,
        error: { code: 'UNAVAILABLE', message: `"${method}" is not available in this build or mode.` },
      };
    }
    const spec = methods[method];
    const parsed = spec.request.safeParse(request ?? {});
    if (!parsed.success) {
      return {
        ok: false,
        error: {
          code: 'BAD_REQUEST',
          message: `Invalid request for ${method}: ${parsed.error.issues
            .map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`)
            .join('; ')}`,
          details: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
        },
      };
    }
    try {
      const result = await handler(parsed.data, ctx);
      const checked = spec.response.safeParse(result);
      if (!checked.success) {
        logger.error(
          { method, issues: checked.error.issues },
          'handler returned a response that breaks the contract',
        );
        return { ok: false, error: { code: 'INTERNAL', message: `${method} produced an invalid response.` } };
      }
      return { ok: true, result: checked.data };
    } catch (err) {
      if (err instanceof ApiError) return { ok: false, error: err.toShape() };
      const { message, reference } = internalErrorMessage(method, err);
      logger.error({ method, reference, err }, 'operator API handler failed');
      return { ok: false, error: { code: 'INTERNAL', message } };
    }
  };
}
