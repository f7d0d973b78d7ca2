import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONTENT_SECURITY_POLICY } from '../../main/api';
import { isTrustedAppUrl, secureWindowOptions } from '../../main/app/window-options';

test('the desktop window is isolated, sandboxed and has no Node integration', () => {
  const { webPreferences } = secureWindowOptions('/app/out/preload/index.js');
  assert.equal(webPreferences.contextIsolation, true);
  assert.equal(webPreferences.sandbox, true);
  assert.equal(webPreferences.nodeIntegration, false);
  assert.equal(webPreferences.nodeIntegrationInWorker, false);
  assert.equal(webPreferences.nodeIntegrationInSubFrames, false);
  assert.equal(webPreferences.webSecurity, true);
  assert.equal(webPreferences.allowRunningInsecureContent, false);
  assert.equal(webPreferences.webviewTag, false);
  assert.equal(webPreferences.preload, '/app/out/preload/index.js');
});

test('only the bundled app origin is trusted for IPC and navigation', () => {
  assert.equal(isTrustedAppUrl('app://fieldbench/index.html'), true);
  for (const url of [
    'https://example.com/',
    'app://other/index.html',
    'file:///etc/passwd',
    'http://127.0.0.1:7333/',
    '',
    undefined,
  ]) {
    assert.equal(isTrustedAppUrl(url), false, String(url));
  }
});

test('the content security policy forbids eval, inline script and remote origins', () => {
  const directives = Object.fromEntries(
    CONTENT_SECURITY_POLICY.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name, values];
    }),
  );
  assert.deepEqual(directives['script-src'], ["'self'"]);
  assert.deepEqual(directives['default-src'], ["'self'"]);
  assert.deepEqual(directives['object-src'], ["'none'"]);
  assert.ok(!CONTENT_SECURITY_POLICY.includes('unsafe-eval'));
  assert.ok(!CONTENT_SECURITY_POLICY.includes('http:') && !CONTENT_SECURITY_POLICY.includes('https:'));
});
