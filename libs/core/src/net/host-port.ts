/** A listen address split into its parts. @public */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Splits `host:port` (IPv6 hosts in brackets) into host and port. @public */
export function parseHostPort(addr: string): HostPort {
  const cut = addr.lastIndexOf(':');
  let host = addr.slice(0, cut);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { host, port: Number(addr.slice(cut + 1)) };
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1 and localhost. @public */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  const octets = host.split('.');
  return octets.length === 4 && octets[0] === '127' && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
}
