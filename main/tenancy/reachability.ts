import dns from 'node:dns/promises';
import net from 'node:net';
import os from 'node:os';
import type { Reachability } from '../../preload/contract/tenancy';
import type { AccountService } from './accounts';
import { type EndpointRow, listenersServing, type RunningListener } from './endpoints';
import { probeMqtt } from './mqtt-probe';

const WILDCARD_HOSTS = new Set(['', '0.0.0.0', '::', '[::]']);

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function localAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(os.networkInterfaces())) {
    for (const info of list ?? []) out.add(info.address);
  }
  return out;
}

function listenerAccepts(listener: RunningListener, address: string): boolean {
  if (WILDCARD_HOSTS.has(listener.host)) return true;
  if (listener.host === 'localhost') return isLoopback(address);
  return listener.host === address || `::ffff:${listener.host}` === address;
}

/** Listener, name-resolution and live-connection checks for one endpoint of the embedded broker. */
export async function checkReachability(
  endpoint: EndpointRow,
  accounts: AccountService,
  runningListeners: () => RunningListener[],
  timeoutMs: number,
): Promise<Reachability> {
  const service = accounts.effectiveService(accounts.require(endpoint.account_id));
  const embedded = service?.kind === 'embedded';

  let addresses: string[] = [];
  let dnsDetail: string;
  let dnsOk = false;
  try {
    addresses = (await dns.lookup(endpoint.domain, { all: true })).map((a) => a.address);
    const locals = localAddresses();
    const mine = addresses.filter((a) => isLoopback(a) || locals.has(a));
    dnsOk = embedded ? mine.length > 0 : addresses.length > 0;
    dnsDetail = embedded
      ? mine.length > 0
        ? `${endpoint.domain} resolves to ${mine.join(', ')} on this machine`
        : `${endpoint.domain} resolves to ${addresses.join(', ')}, none of which belongs to this machine`
      : `${endpoint.domain} resolves to ${addresses.join(', ')}`;
  } catch (err) {
    dnsDetail = `${endpoint.domain} does not resolve (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
  }

  const serving = listenersServing(runningListeners(), endpoint.scheme, endpoint.port);
  const matched = serving.find((l) => addresses.length === 0 || addresses.some((a) => listenerAccepts(l, a)));
  const listener: Reachability['listener'] = !embedded
    ? { ok: false, detail: 'the account is not served by the embedded broker' }
    : matched
      ? {
          ok: true,
          detail: `${matched.kind} listener running on ${matched.host}:${matched.port}`,
          matched: { kind: matched.kind, host: matched.host, port: matched.port },
        }
      : serving.length > 0
        ? {
            ok: false,
            detail: `a ${endpoint.scheme} listener runs on port ${endpoint.port} but not on these addresses`,
          }
        : { ok: false, detail: `no ${endpoint.scheme} listener is running on port ${endpoint.port}` };

  const host = addresses.find((a) => net.isIPv4(a)) ?? addresses[0] ?? endpoint.domain;
  const connect =
    dnsOk || addresses.length > 0
      ? await probeMqtt(
          {
            scheme: endpoint.scheme,
            host,
            port: endpoint.port,
            path: matched?.path,
            servername: endpoint.domain,
          },
          timeoutMs,
        )
      : { ok: false, detail: 'skipped: the domain does not resolve', elapsedMs: 0 };

  return {
    endpointId: endpoint.id,
    listener,
    dns: { ok: dnsOk, addresses, detail: dnsDetail },
    connect,
    reachable: connect.ok && (!embedded || (listener.ok && dnsOk)),
  };
}
