import type { FleetResponse } from '@agent-harness/core';
import type { CommandModule } from 'yargs';
import type { CliContext } from '../cli-context.js';
import type { CommandBody } from '../lazy-command.js';
import { clientFor, withServer, type ServerFlags } from '../client/server-flags.js';
import { guarded } from './tasks.command.js';

/** "a1b2c3d4  host-1  pid 812  running  alive  3/4 slots  beat 2s ago" and its tasks, one per line. */
export function fleetLines(fleet: FleetResponse, now: number): string[] {
  const lines = [`database: ${fleet.database} · ${String(fleet.servers.length)} server(s)`];
  for (const s of fleet.servers) {
    const ago = Math.max(0, Math.round((now - Date.parse(s.heartbeat_at)) / 1000));
    const self = s.id === fleet.self ? ' (this server)' : '';
    lines.push(
      `${s.id}${self}  ${s.host}  pid ${String(s.pid)}  ${s.state}  ${s.alive ? 'alive' : 'gone'}  ${String(s.running.length)}/${String(s.slots)} slots  beat ${String(ago)}s ago`,
    );
    for (const t of s.running) lines.push(`  ${t.id.slice(0, 8)}  ${t.project}  ${t.status}`);
  }
  return lines;
}

export function fleetCommand(ctx: CliContext): CommandBody<object> {
  const status: CommandModule<object, ServerFlags> = {
    command: 'status',
    describe: 'The servers sharing the database: heartbeat, state, and the tasks each runs',
    builder: (y) => withServer(y),
    handler: guarded(ctx, async (a) => {
      const fleet = await (await clientFor(ctx, a)).request<FleetResponse>('GET', '/api/fleet');
      ctx.stdout.write(
        a.json === true ? `${JSON.stringify(fleet)}\n` : `${fleetLines(fleet, Date.now()).join('\n')}\n`,
      );
    }),
  };
  return {
    builder: (y) => y.command(status).demandCommand(1, 'name a fleet command: status'),
    handler: () => undefined,
  };
}
