// Callbacks passed to playwright's page.evaluate run in Chromium, not in Node. Test code is type-checked
// without DOM types (main code must never see them), so the few browser globals those callbacks use are
// declared loosely here.
// biome-ignore lint/suspicious/noExplicitAny: browser objects are untyped on the Node side.
declare const document: any;
// biome-ignore lint/suspicious/noExplicitAny: browser objects are untyped on the Node side.
declare const window: any;
declare function requestAnimationFrame(callback: (time: number) => void): number;
