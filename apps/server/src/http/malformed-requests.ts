import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorBody } from '../errors/app-error.filter.js';

/** What Node could not parse, as a status and a message. */
function statusFor(code: string): { status: number; message: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, message: 'request headers are too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, message: 'the request was not received in time' };
    default:
      return { status: 400, message: 'malformed HTTP request' };
  }
}

/** True while a response is being written on the socket: raw bytes then would corrupt it. */
function isAnswering(socket: Duplex): boolean {
  const message = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  return message?.headersSent === true;
}

/**
 * Requests Node cannot parse (bad framing, invalid header characters, headers too large) never
 * reach Express; Node answers them with an empty 400. This answers them in the API's error shape
 * instead, then closes the connection.
 */
export function answerMalformedRequests(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable || isAnswering(socket)) {
      socket.destroy();
      return;
    }
    const { status, message } = statusFor(error.code ?? '');
    const body: ErrorBody = { error: { code: 'INVALID_ARGUMENT', message } };
    const text = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${String(status)} ${STATUS_CODES[status] ?? 'Bad Request'}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${String(Buffer.byteLength(text))}\r\nconnection: close\r\n\r\n${text}`,
    );
  });
}
