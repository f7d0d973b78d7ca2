import net from 'node:net';
import type { EndpointScheme } from '../../preload/contract/tenancy';
import { endpointSchemes } from '../../preload/contract/tenancy';
import { ApiError } from '../api/api-error';

const ACCOUNT_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const USERNAME = /^[\x21-\x7e]{1,128}$/;
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** The username API-key clients present; no credential may take it. */
export const API_KEY_USERNAME = 'authorization';

export function assertAccountName(name: string): void {
  if (name.startsWith('$')) throw new ApiError('BAD_REQUEST', 'Account names may not start with "$".');
  if (!ACCOUNT_NAME.test(name)) {
    throw new ApiError(
      'BAD_REQUEST',
      `Invalid account name "${name}": use 1 to 64 characters among letters, digits, "_" and "-".`,
    );
  }
}

export function assertUsername(username: string): void {
  if (!USERNAME.test(username)) {
    throw new ApiError(
      'BAD_REQUEST',
      'Invalid username: use 1 to 128 printable ASCII characters without spaces.',
    );
  }
  if (username.toLowerCase() === API_KEY_USERNAME) {
    throw new ApiError('BAD_REQUEST', `The username "${API_KEY_USERNAME}" is reserved for API-key logins.`);
  }
}

export function assertPassword(password: string): void {
  if (password.length < 8 || password.length > 1024) {
    throw new ApiError('BAD_REQUEST', 'Passwords must be 8 to 1024 characters long.');
  }
}

export function assertEmail(email: string | null): void {
  if (email === null) return;
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(email)) {
    throw new ApiError('BAD_REQUEST', `Invalid e-mail address "${email}".`);
  }
}

export function isDomainName(domain: string): boolean {
  if (net.isIPv4(domain)) return true;
  const name = domain.endsWith('.') ? domain.slice(0, -1) : domain;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  if (labels.every((label) => /^\d+$/.test(label))) return false; // a malformed IPv4 address
  return labels.every((label) => DOMAIN_LABEL.test(label));
}

export interface EndpointFields {
  scheme: string;
  domain: string;
  port: number;
  secure: boolean;
}

export function isSecureScheme(scheme: EndpointScheme): boolean {
  return scheme === 'mqtts' || scheme === 'wss';
}

/** Checks scheme, domain, port and the secure flag together; returns the normalised endpoint. */
export function validateEndpoint(fields: EndpointFields): EndpointFields & { scheme: EndpointScheme } {
  const scheme = fields.scheme.toLowerCase();
  if (!(endpointSchemes as readonly string[]).includes(scheme)) {
    throw new ApiError(
      'BAD_REQUEST',
      `Unsupported scheme "${fields.scheme}": use one of ${endpointSchemes.join(', ')}.`,
      { field: 'scheme' },
    );
  }
  const typed = scheme as EndpointScheme;
  if (!Number.isInteger(fields.port) || fields.port < 1 || fields.port > 65535) {
    throw new ApiError('BAD_REQUEST', `Invalid port ${fields.port}: use a whole number from 1 to 65535.`, {
      field: 'port',
    });
  }
  const domain = fields.domain.trim().toLowerCase();
  if (!isDomainName(domain)) {
    throw new ApiError(
      'BAD_REQUEST',
      `Invalid domain name "${fields.domain}": use dot-separated labels of letters, digits and inner hyphens (or an IPv4 address).`,
      { field: 'domain' },
    );
  }
  if (fields.secure !== isSecureScheme(typed)) {
    throw new ApiError(
      'BAD_REQUEST',
      `The secure flag must be ${isSecureScheme(typed)} for ${typed} endpoints.`,
      { field: 'secure' },
    );
  }
  return { scheme: typed, domain, port: fields.port, secure: fields.secure };
}
