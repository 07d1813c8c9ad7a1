import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `es_append_many` appends to several streams in one round trip: `es_append` per item of `p_batch`
 * (`[{ "stream": …, "expected": …, "events": [...] }, …]`), in the order given, one result row per item. It stops after
 * the first item that is not appended (a conflict, a duplicate, a reordering): the caller rolls the transaction back,
 * so what the earlier items wrote never commits. A transaction that records a carrier's batch of scans for hundreds of
 * shipments then appends with one statement instead of one per shipment.
 */
/**
 * The SQL of this migration's function — `es_append` per item, stopping at the first not appended — under `name`
 * (`CREATE FUNCTION` or `CREATE OR REPLACE FUNCTION`): ADR 33's set-based version falls back on it for a batch that
 * names a stream twice, its `down` restores it, and `npm run bench:append-many` measures it.
 */
export function appendManyItemByItem(create: 'CREATE FUNCTION' | 'CREATE OR REPLACE FUNCTION', name: string): string {
  return `
      ${create} ${name}(p_batch jsonb)
      RETURNS TABLE (stream_id text, status text, next_version bigint, first_position bigint, last_position bigint)
      LANGUAGE plpgsql AS $$
      DECLARE
        v_item jsonb;
        r      record;
      BEGIN
        FOR v_item IN SELECT value FROM jsonb_array_elements(p_batch) LOOP
          SELECT * INTO r FROM es_append(v_item->>'stream', (v_item->>'expected')::bigint, v_item->'events');
          stream_id := v_item->>'stream';
          status := r.status;
          next_version := r.next_version;
          first_position := r.first_position;
          last_position := r.last_position;
          RETURN NEXT;
          EXIT WHEN r.status <> 'appended';
        END LOOP;
      END
      $$`;
}

export class AppendMany1732500400000 implements MigrationInterface {
  name = 'AppendMany1732500400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(appendManyItemByItem('CREATE FUNCTION', 'es_append_many'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION es_append_many(jsonb)`);
  }
}
