import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Projects known to the server: those from the config file and those registered at runtime through
 * the API. Built with TypeORM's schema API (not raw SQL) so the same migration runs on PostgreSQL.
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  readonly name = 'InitialSchema1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'projects',
        columns: [
          { name: 'name', type: 'varchar', length: '200', isPrimary: true },
          { name: 'root', type: 'varchar', length: '4096', isUnique: true },
          { name: 'is_default', type: 'boolean', default: false },
          { name: 'default_agent', type: 'varchar', length: '100', isNullable: true },
          { name: 'max_concurrent', type: 'integer', isNullable: true },
          { name: 'repo', type: 'varchar', length: '200', isNullable: true },
          { name: 'base_branch', type: 'varchar', length: '255', isNullable: true },
          { name: 'origin', type: 'varchar', length: '16' },
          { name: 'active', type: 'boolean', default: true },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'updated_at', type: 'varchar', length: '32' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('projects');
  }
}
