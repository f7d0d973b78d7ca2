import Fastify, { type FastifyInstance, type FastifyServerFactory } from 'fastify';
import type { Logger } from 'pino';
import { ResourceError } from './errors';
import type { ResourceKeys } from './keys';
import { keyFrom } from './native-sockets';
import { parseResourceAddress, type ResourcePath } from './paths';
import type { ResourceService } from './service';

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

/** Which write method each path takes: POST creates, PUT updates. */
function writeMethod(path: ResourcePath): 'PUT' | 'POST' {
  switch (path.kind) {
    case 'list':
    case 'actionTypes':
    case 'actions':
      return 'POST';
    case 'tasks':
      return path.taskId === null ? 'POST' : 'PUT';
    default:
      return 'PUT';
  }
}

const errorBody = (status: number, message: string) => ({ status, errors: [message] });

/**
 * The device-facing REST API: `Authorization: <key>`, JSON in and out, errors as
 * `{ status, errors: [message] }` with 400 (bad JSON or input), 401, 403, 404, 405, 413.
 */
export function createRestApp(
  deps: { service: ResourceService; keys: ResourceKeys; logger: Logger; maxBodyBytes: number },
  serverFactory: FastifyServerFactory,
): FastifyInstance {
  const app = Fastify({ bodyLimit: deps.maxBodyBytes, serverFactory, logger: false });
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (err instanceof ResourceError) return reply.code(err.status).send(errorBody(err.status, err.message));
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.statusCode === 413) {
      return reply.code(413).send(errorBody(413, `The body is larger than ${deps.maxBodyBytes} bytes`));
    }
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return reply.code(400).send(errorBody(400, 'The body is not valid JSON'));
    }
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send(errorBody(err.statusCode, err.message));
    }
    deps.logger.error({ err }, 'resource REST request failed');
    return reply.code(500).send(errorBody(500, 'Internal error'));
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send(errorBody(404, 'No such resource path')));

  app.route({
    method: ['GET', 'PUT', 'POST', 'DELETE'],
    url: '/*',
    handler: async (req, reply) => {
      const method = req.method as Method;
      const access = deps.keys.authenticate(
        keyFrom(req.headers.authorization, ''),
        method === 'GET' ? 'read' : 'write',
      );
      const address = parseResourceAddress(req.url, { rest: true });
      if (method === 'GET') return deps.service.read(access, address, req.query);
      if (method === 'DELETE') {
        deps.service.remove(access, address);
        return reply.code(200).send({});
      }
      if (method !== writeMethod(address.path)) {
        return reply.code(405).send(errorBody(405, `Use ${writeMethod(address.path)} on this path`));
      }
      const result = deps.service.write(access, address, req.body);
      return reply.code(result.status).send(result.body);
    },
  });
  return app;
}
