import { describe, expect, it } from 'vitest';
import { ActorCheck, type ActorCheckOptions, type CollaboratorPermission } from './actor-check.js';

const repo = { owner: 'octo', repo: 'app' };
const user = (login: string) => ({ login, isBot: false });
const bot = (login: string) => ({ login, isBot: true });

function checker(options: Partial<ActorCheckOptions>, roles: Record<string, CollaboratorPermission> = {}) {
  let now = 0;
  const asked: string[] = [];
  const check = new ActorCheck({
    allowedActors: [],
    allowBots: false,
    permissionOf: (_repo, login) => {
      asked.push(login);
      const role = roles[login];
      return role === undefined ? Promise.reject(new Error('GitHub is down')) : Promise.resolve(role);
    },
    now: () => now,
    ...options,
  });
  return { check, asked, advance: (ms: number) => (now += ms) };
}

describe('ActorCheck', () => {
  it('by default allows collaborators with write, maintain or admin, asking GitHub', async () => {
    const { check } = checker({}, { w: 'write', m: 'maintain', a: 'admin', t: 'triage', r: 'read', n: 'none' });
    for (const login of ['w', 'm', 'a']) expect((await check.check(repo, user(login))).allowed, login).toBe(true);
    for (const login of ['t', 'r', 'n']) expect((await check.check(repo, user(login))).allowed, login).toBe(false);
    expect(await check.check(repo, user('r'))).toEqual({
      allowed: false,
      reason: 'r has read permission on octo/app; write, maintain or admin is needed',
    });
  });

  it('remembers an answer for a minute, and never a failure', async () => {
    const { check, asked, advance } = checker({}, { ann: 'write' });
    await check.check(repo, user('ann'));
    await check.check(repo, user('ANN'));
    expect(asked).toEqual(['ann']);
    advance(60_001);
    await check.check(repo, user('ann'));
    expect(asked).toEqual(['ann', 'ann']);
    expect(await check.check(repo, user('ghost'))).toEqual({
      allowed: false,
      reason: "could not check ghost's permission on octo/app: GitHub is down",
    });
    await check.check(repo, user('ghost'));
    expect(asked.filter((l) => l === 'ghost')).toHaveLength(2);
  });

  it('with allowed_actors, exactly those logins (any case), without asking GitHub', async () => {
    const { check, asked } = checker({ allowedActors: ['Ann'] }, { bob: 'admin' });
    expect(await check.check(repo, user('ann'))).toEqual({ allowed: true, why: 'ann is in [github] allowed_actors' });
    expect(await check.check(repo, user('bob'))).toEqual({
      allowed: false,
      reason: 'bob is not in [github] allowed_actors',
    });
    expect(asked).toEqual([]);
  });

  it('refuses bots unless allow_bots; then only listed ones when allowed_actors is set', async () => {
    expect(await checker({}).check.check(repo, bot('renovate[bot]'))).toEqual({
      allowed: false,
      reason: 'renovate[bot] is a bot, and [github] allow_bots is false',
    });
    expect((await checker({ allowedActors: ['renovate[bot]'] }).check.check(repo, bot('renovate[bot]'))).allowed).toBe(
      false,
    );
    expect((await checker({ allowBots: true }).check.check(repo, bot('renovate[bot]'))).allowed).toBe(true);
    const listed = checker({ allowBots: true, allowedActors: ['dependabot[bot]'] }).check;
    expect((await listed.check(repo, bot('dependabot[bot]'))).allowed).toBe(true);
    expect((await listed.check(repo, bot('renovate[bot]'))).allowed).toBe(false);
  });

  it('without a token to ask GitHub, refuses and says how to allow', async () => {
    expect(await checker({ permissionOf: undefined }).check.check(repo, user('ann'))).toEqual({
      allowed: false,
      reason: "no GitHub token to check ann's permission on octo/app; set GITHUB_TOKEN or [github] allowed_actors",
    });
  });
});
