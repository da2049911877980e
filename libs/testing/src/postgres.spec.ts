import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTempPostgresDatabase, POSTGRES_START_COMMAND, TEST_POSTGRES_URL } from './postgres.js';

async function databaseExists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return result.rowCount === 1;
  } finally {
    await client.end();
  }
}

describe('createTempPostgresDatabase (the machine’s PostgreSQL)', () => {
  it('creates a database of its own, usable at its URL, and drops it even with a connection still open', async () => {
    const [a, b] = await Promise.all([createTempPostgresDatabase(), createTempPostgresDatabase()]);
    expect(a.name).toMatch(/^harness_test_[0-9a-f]{16}$/);
    expect(a.name).not.toBe(b.name);
    const client = new pg.Client({ connectionString: a.url });
    await client.connect();
    client.on('error', () => undefined); // the drop ends this session
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    expect(rows).toEqual([{ db: a.name }]);
    await a.drop();
    await b.drop();
    await a.drop(); // twice is no error
    expect(await databaseExists(a.name)).toBe(false);
    expect(await databaseExists(b.name)).toBe(false);
    await client.end().catch(() => undefined);
  });

  it('copies a template database', async () => {
    const template = await createTempPostgresDatabase();
    try {
      const client = new pg.Client({ connectionString: template.url });
      await client.connect();
      await client.query("CREATE TABLE t (v text); INSERT INTO t VALUES ('kept')");
      await client.end();
      const copy = await createTempPostgresDatabase({ template: template.name });
      try {
        const reader = new pg.Client({ connectionString: copy.url });
        await reader.connect();
        expect((await reader.query('SELECT v FROM t')).rows).toEqual([{ v: 'kept' }]);
        await reader.end();
      } finally {
        await copy.drop();
      }
      await expect(createTempPostgresDatabase({ template: 'x; DROP DATABASE test' })).rejects.toThrow(
        /not a plain database name/,
      );
    } finally {
      await template.drop();
    }
  });

  it('fails, saying how to start PostgreSQL, when no server answers', async () => {
    // Port 1 on the loopback: nothing listens there.
    const unreachable = createTempPostgresDatabase({ serverUrl: 'postgres://postgres@127.0.0.1:1/test' });
    await expect(unreachable).rejects.toThrow(/PostgreSQL is not reachable at 127\.0\.0\.1:1/);
    await expect(unreachable).rejects.toThrow(POSTGRES_START_COMMAND);
  });
});
