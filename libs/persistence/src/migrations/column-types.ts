import type { QueryRunner } from 'typeorm';

/**
 * Column types that differ by engine, chosen so both store the same values. SQLite's `real` is
 * 8 bytes and its `integer` 64 bits; PostgreSQL's are 4 bytes and 32 bits, so PostgreSQL gets
 * `double precision` (costs in dollars keep their cents) and, for a row id that only grows,
 * `bigint` (read back as text: through Number()).
 */
const isPostgres = (queryRunner: QueryRunner): boolean => queryRunner.dataSource.options.type === 'postgres';

export const doubleType = (queryRunner: QueryRunner): string => (isPostgres(queryRunner) ? 'double precision' : 'real');

export const rowIdType = (queryRunner: QueryRunner): string => (isPostgres(queryRunner) ? 'bigint' : 'integer');
