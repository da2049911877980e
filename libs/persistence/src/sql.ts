import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** The engines Harness runs on: embedded SQLite (the default) or a shared PostgreSQL server. @public */
export type DatabaseKind = 'sqlite' | 'postgres';

type Source = DataSource | EntityManager | QueryRunner;

function dataSourceOf(source: Source): DataSource {
  return 'createQueryRunner' in source ? source : source.dataSource;
}

/** Which engine a DataSource (or a manager or query runner of one) talks to. @public */
export function databaseKind(source: Source): DatabaseKind {
  const type = dataSourceOf(source).options.type;
  if (type === 'postgres') return 'postgres';
  if (type === 'better-sqlite3') return 'sqlite';
  throw new Error(`unsupported database type ${type}`);
}

/**
 * Rewrites `?` placeholders as the engine's own: unchanged for SQLite, `$1, $2, …` for PostgreSQL.
 * A `?` inside quoted text ('…') or a quoted identifier ("…") is left alone.
 */
export function nativePlaceholders(sql: string, kind: DatabaseKind): string {
  if (kind === 'sqlite') return sql;
  let out = '';
  let quote: "'" | '"' | undefined;
  let n = 0;
  for (const char of sql) {
    if (quote !== undefined) {
      // A doubled quote inside a quoted run closes and reopens it: the state comes out right.
      if (char === quote) quote = undefined;
      out += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      out += char;
    } else if (char === '?') {
      n += 1;
      out += `$${String(n)}`;
    } else {
      out += char;
    }
  }
  return out;
}

/**
 * Runs one statement written with `?` placeholders on either engine and answers its rows: those of
 * a SELECT or of a RETURNING clause, none for other statements. `DataSource.query` answers in the
 * driver's shape instead (PostgreSQL's UPDATE and DELETE come back as `[rows, count]`).
 * In a transaction, pass its EntityManager: the statement runs on the transaction's connection.
 * Integers PostgreSQL computes as bigint or numeric (COUNT, SUM) come back as text: read them
 * through Number().
 * @public
 */
export async function sqlRows<T>(
  source: DataSource | EntityManager,
  sql: string,
  params: readonly unknown[] = [],
): Promise<T[]> {
  const native = nativePlaceholders(sql, databaseKind(source));
  const shared = 'createQueryRunner' in source ? undefined : source.queryRunner;
  const runner = shared ?? dataSourceOf(source).createQueryRunner();
  try {
    const result = await runner.query(native, [...params], true);
    return result.records as T[];
  } finally {
    if (shared === undefined) await runner.release();
  }
}

/** What of better-sqlite3's connection `sqlRowArrays` uses. */
interface RawStatement {
  raw(toggle: boolean): RawStatement;
  all(...params: unknown[]): unknown[];
}

/** Per SQLite data source, its raw-mode statements by SQL text (a finite set: values are never inlined). */
const rawStatements = new WeakMap<DataSource, Map<string, RawStatement>>();

/**
 * The rows of a SELECT written with `?` placeholders, as arrays in its column order: no object per
 * row, for the hot reads that build their own. On SQLite, better-sqlite3's raw mode on the data
 * source's one connection (the statement prepared once); on PostgreSQL, `sqlRows`' rows as arrays.
 */
export async function sqlRowArrays(
  dataSource: DataSource,
  sql: string,
  params: readonly unknown[] = [],
): Promise<unknown[][]> {
  if (databaseKind(dataSource) === 'postgres')
    return (await sqlRows<Record<string, unknown>>(dataSource, sql, params)).map((row) => Object.values(row));
  let statements = rawStatements.get(dataSource);
  if (statements === undefined) rawStatements.set(dataSource, (statements = new Map<string, RawStatement>()));
  let statement = statements.get(sql);
  if (statement === undefined) {
    const connection = (dataSource.driver as unknown as { databaseConnection: { prepare(sql: string): RawStatement } })
      .databaseConnection;
    statement = connection.prepare(sql).raw(true);
    statements.set(sql, statement);
  }
  return statement.all(...params) as unknown[][];
}

/**
 * A `WHERE` clause matching each given column to its value (`undefined` values are left out), with
 * its `?` parameters: the filter of a listing.
 */
export function whereEqual(columns: Readonly<Record<string, unknown>>): { sql: string; params: unknown[] } {
  const given = Object.entries(columns).filter(([, value]) => value !== undefined);
  return {
    sql: given.length === 0 ? '' : `WHERE ${given.map(([column]) => `${column} = ?`).join(' AND ')}`,
    params: given.map(([, value]) => value),
  };
}
