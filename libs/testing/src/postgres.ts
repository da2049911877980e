import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL server the tests use: the development and CI machines run one on 127.0.0.1:5432
 * with trust auth for user `postgres`, database `test`. `HARNESS_TEST_POSTGRES_URL` names another.
 * @public
 */
export const TEST_POSTGRES_URL = process.env['HARNESS_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** How to start the machine's PostgreSQL when it has stopped. @public */
export const POSTGRES_START_COMMAND = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

/** A database of its own for one test (or one test file), dropped by `drop()`. @public */
export interface TempPostgresDatabase {
  /** `harness_test_<random>`. */
  readonly name: string;
  /** Its URL, for `openDatabase({ url })` or `[database] url`. */
  readonly url: string;
  /** Drops the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

/** @public */
export interface CreateTempPostgresDatabaseOptions {
  /** The server, as the URL of a database on it to connect to first. Default TEST_POSTGRES_URL. */
  readonly serverUrl?: string | undefined;
  /** Copy this database (schema and rows) instead of starting empty; nobody may be connected to it. */
  readonly template?: string | undefined;
}

const NAME = /^[a-z_][a-z0-9_]*$/;

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    // Never skip: a machine without the server fails every PostgreSQL test, saying how to start it.
    throw new Error(
      `PostgreSQL is not reachable at ${new URL(serverUrl).host} (${error instanceof Error ? error.message : String(error)}). ` +
        `The PostgreSQL tests need it: start it with \`${POSTGRES_START_COMMAND}\`, ` +
        'or point HARNESS_TEST_POSTGRES_URL at another server (a user that may CREATE DATABASE).',
      { cause: error },
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates a uniquely named database `harness_test_<random>` on the test server, so test files can
 * run in parallel, each on its own. Throws, with the command that starts the server, when it is
 * unreachable: PostgreSQL tests fail loudly rather than pass unrun.
 * @public
 */
export async function createTempPostgresDatabase(
  options: CreateTempPostgresDatabaseOptions = {},
): Promise<TempPostgresDatabase> {
  const serverUrl = options.serverUrl ?? TEST_POSTGRES_URL;
  const name = `harness_test_${randomBytes(8).toString('hex')}`;
  if (options.template !== undefined && !NAME.test(options.template))
    throw new Error(`template ${JSON.stringify(options.template)} is not a plain database name`);
  await withAdmin(serverUrl, (client) =>
    client.query(`CREATE DATABASE ${name}${options.template === undefined ? '' : ` TEMPLATE ${options.template}`}`),
  );
  let dropped = false;
  return {
    name,
    url: databaseUrl(serverUrl, name),
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await withAdmin(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
