import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `es_append_many` appends to several streams in one round trip: `es_append` per item of `p_batch`
 * (`[{ "stream": …, "expected": …, "events": [...] }, …]`), in the order given, one result row per item. It stops after
 * the first item that is not appended (a conflict, a duplicate, a reordering): the caller rolls the transaction back,
 * so what the earlier items wrote never commits. A transaction that records a carrier's batch of scans for hundreds of
 * shipments then appends with one statement instead of one per shipment.
 */
export class AppendMany1732500400000 implements MigrationInterface {
  name = 'AppendMany1732500400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION es_append_many(p_batch jsonb)
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
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION es_append_many(jsonb)`);
  }
}
