import { CONSOLE_MAX_SEND_BYTES } from '../../preload/contract/serial';
import { ApiError } from '../api/api-error';
import type { EventBus } from '../api/event-bus';
import { SerialConsole, SerialLinkError } from '../serial';

const MAX_CONSOLES = 16;
const LINE_ENDINGS = { none: '', lf: '\n', cr: '\r', crlf: '\r\n' } as const;

/** The raw serial consoles (one per port) behind the `serial.console*` methods. */
export function createConsoleHandlers(events: EventBus, isRunning: (path: string) => boolean) {
  const held = new Map<string, SerialConsole>();
  const require = (path: string) => {
    const open = held.get(path);
    if (!open) throw new ApiError('NOT_FOUND', `No console is open on ${path}.`);
    return open;
  };
  return {
    held,
    'serial.consoleOpen': async (req: { path: string; baudRate: number }) => {
      if (held.has(req.path)) return { ok: true as const };
      if (isRunning(req.path)) throw new ApiError('CONFLICT', `${req.path} is being commissioned.`);
      if (held.size >= MAX_CONSOLES)
        throw new ApiError('BAD_REQUEST', `At most ${MAX_CONSOLES} consoles at once.`);
      try {
        const console = await SerialConsole.open(req.path, req.baudRate, (entry) =>
          events.emit('serial.console', { path: req.path, entry }),
        );
        held.set(req.path, console);
        console.link.once('closed', () => held.get(req.path) === console && held.delete(req.path));
      } catch (err) {
        const busy = err instanceof SerialLinkError && err.code === 'busy';
        throw new ApiError(busy ? 'CONFLICT' : 'BAD_REQUEST', (err as Error).message);
      }
      return { ok: true as const };
    },
    'serial.consoleClose': async (req: { path: string }) => {
      const open = held.get(req.path);
      held.delete(req.path);
      await open?.close();
      return { ok: true as const };
    },
    'serial.consoleSend': async (req: {
      path: string;
      data: string;
      encoding: 'text' | 'hex' | 'base64';
      lineEnding: keyof typeof LINE_ENDINGS;
    }) => {
      let bytes: Buffer;
      if (req.encoding === 'hex') {
        const digits = req.data.replace(/[\s:]/g, '');
        if (!/^([0-9a-fA-F]{2})*$/.test(digits))
          throw new ApiError('BAD_REQUEST', 'Hex input needs pairs of hex digits.');
        bytes = Buffer.from(digits, 'hex');
      } else if (req.encoding === 'base64') {
        bytes = Buffer.from(req.data, 'base64');
      } else {
        bytes = Buffer.from(req.data + LINE_ENDINGS[req.lineEnding], 'utf8');
      }
      if (bytes.length > CONSOLE_MAX_SEND_BYTES) {
        throw new ApiError('BAD_REQUEST', `Send at most ${CONSOLE_MAX_SEND_BYTES} bytes at a time.`);
      }
      try {
        await require(req.path).send(bytes);
      } catch (err) {
        if (err instanceof ApiError) throw err;
        throw new ApiError('BAD_REQUEST', (err as Error).message);
      }
      return { bytes: bytes.length };
    },
    'serial.consoleRead': (req: { path: string; afterSeq: number }) => {
      const open = require(req.path);
      return { entries: open.read(req.afterSeq), dropped: open.dropped, paused: open.paused };
    },
    'serial.consoleControl': (req: { path: string; paused?: boolean; clear?: boolean }) => {
      const open = require(req.path);
      if (req.paused !== undefined) open.paused = req.paused;
      if (req.clear) open.clear();
      return { ok: true as const };
    },
  };
}
