import { describe, expect, it } from 'vitest';
import { isLoopbackHost, parseHostPort } from './host-port.js';

describe('host and port', () => {
  it('splits IPv4, names and bracketed IPv6', () => {
    expect(parseHostPort('127.0.0.1:9800')).toEqual({ host: '127.0.0.1', port: 9800 });
    expect(parseHostPort('localhost:0')).toEqual({ host: 'localhost', port: 0 });
    expect(parseHostPort('[::1]:80')).toEqual({ host: '::1', port: 80 });
  });

  it('knows which hosts only this machine reaches', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', 'localhost']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '10.0.0.1', '192.168.1.2', '::', 'example.com', '127.0.0.256', '127.1']) {
      expect(isLoopbackHost(host)).toBe(false);
    }
  });
});
