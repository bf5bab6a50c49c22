/**
 * Node lockdown for the thread that runs Python inside the confined child process.
 *
 * The child runs under Node's permission model (no file writes, reads only of Pyodide and
 * this bundle, no child processes, no native addons, no inspector, no WASI). Node 20's
 * permission model does not cover the network, and Python reaches all of Node through
 * `import js` (js.process.getBuiltinModule, Function-constructed dynamic import()), so every
 * network entry point is replaced here, in the module objects themselves, which are shared
 * by every route to them.
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import tls from 'node:tls';
import workerThreads from 'node:worker_threads';

function denied(what: string) {
  return function blocked(): never {
    throw new Error(`${what} is not available to sandboxed Python (no network, no processes)`);
  };
}

function replace(target: object, names: string[], what: string) {
  for (const name of names) {
    if (name in target) Object.defineProperty(target, name, { value: denied(`${what}.${name}`), configurable: false, writable: false });
  }
}

export function lockdownNodeThread(): void {
  for (const name of ['fetch', 'WebSocket', 'EventSource', 'XMLHttpRequest', 'Request']) {
    delete (globalThis as Record<string, unknown>)[name];
  }
  replace(net, ['connect', 'createConnection', 'createServer'], 'net');
  replace(net.Socket.prototype, ['connect'], 'net.Socket');
  replace(net.Server.prototype, ['listen'], 'net.Server');
  replace(tls, ['connect', 'createServer'], 'tls');
  replace(http, ['request', 'get', 'createServer'], 'http');
  replace(https, ['request', 'get', 'createServer'], 'https');
  replace(http2, ['connect', 'createServer', 'createSecureServer'], 'http2');
  replace(dgram, ['createSocket'], 'dgram');
  replace(dgram.Socket.prototype, ['send', 'bind', 'connect'], 'dgram.Socket');
  const dnsFns = (o: object) => Object.keys(o).filter((k) => /^(lookup|resolve|reverse)/.test(k));
  replace(dns, dnsFns(dns), 'dns');
  replace(dns.promises, dnsFns(dns.promises), 'dns.promises');
  replace(dns.Resolver.prototype, dnsFns(dns.Resolver.prototype), 'dns.Resolver');
  replace(dns.promises.Resolver.prototype, dnsFns(dns.promises.Resolver.prototype), 'dns.promises.Resolver');
  // A new worker thread would get fresh, unpatched modules: no threads for Python.
  replace(workerThreads, ['Worker'], 'worker_threads');
  replace(process, ['kill', 'abort', 'chdir', 'dlopen', 'binding', '_linkedBinding', 'setuid', 'setgid', 'umask'], 'process');
  // Make `import('node:net')` and friends see the replaced functions too.
  syncBuiltinESMExports();
}
