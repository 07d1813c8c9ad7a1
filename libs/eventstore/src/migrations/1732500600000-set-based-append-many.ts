import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appendManyItemByItem } from './1732500400000-append-many';

/**
 * `es_append_many` set-based (ADR 33). The first version ran `es_append` once per stream: about six SQL statements per
 * stream through plpgsql's SPI (lock, duplicate check, hash loop, insert, update), ≈ 100 µs of backend CPU per stream —
 * the largest single cost of a carrier's batch of 500 scans. This one does the same work for the whole batch in five
 * statements whatever its size:
 *
 * 1. the streams not yet stored are created (`ON CONFLICT DO NOTHING`, in stream-id order);
 * 2. every stream of the batch is locked `FOR UPDATE` in stream-id order and its version, last hash and last writer read;
 * 3. the first events of all items are looked up by id in one probe of the unique index (`es_append`'s idempotency
 *    check);
 * 4. the items are checked in the order given — duplicate, conflict, reordered exactly as `es_append` decides — and the
 *    hash chain of every event computed in plpgsql expressions (no statement per event);
 * 5. every event inserted by one `INSERT … SELECT FROM unnest(…)` in batch order (positions ascend with stream versions),
 *    every stream's row updated by one `UPDATE … FROM unnest(…)`.
 *
 * Results: one row per item, in the order given, when everything was appended. When an item is not appended nothing
 * is written and only that item's row is returned (the first one in the order given that fails): the caller throws on
 * it and rolls back, as it did when the earlier items' writes were undone with its transaction. A batch that names a
 * stream twice is appended item by item through `es_append`, as before (`es_append_many_by_item`, the first version
 * kept under that name).
 */
export class SetBasedAppendMany1732500600000 implements MigrationInterface {
  name = 'SetBasedAppendMany1732500600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(appendManyItemByItem('CREATE FUNCTION', 'es_append_many_by_item'));
    await q.query(`
      CREATE OR REPLACE FUNCTION es_append_many(p_batch jsonb)
      RETURNS TABLE (stream_id text, status text, next_version bigint, first_position bigint, last_position bigint)
      LANGUAGE plpgsql AS $$
      DECLARE
        v_tx       xid8        := pg_current_xact_id();
        v_now      timestamptz := clock_timestamp();
        v_streams  text[];
        v_expected bigint[];
        v_items    jsonb[];
        v_count    int;
        v_version  bigint[];
        v_hash     bytea[];
        v_last_tx  xid8[];
        v_first    uuid[];
        v_stored   uuid[];
        e_item     int[];
        e_id       uuid[];
        e_version  bigint[];
        e_type     text[];
        e_data     jsonb[];
        e_metadata jsonb[];
        e_hash     bytea[]  := '{}';
        s_next     bigint[];
        s_hash     bytea[];
        v_chain    bytea;
      BEGIN
        SELECT array_agg(x.v->>'stream' ORDER BY x.ord), array_agg((x.v->>'expected')::bigint ORDER BY x.ord),
               array_agg(x.v->'events' ORDER BY x.ord)
          INTO v_streams, v_expected, v_items
          FROM jsonb_array_elements(p_batch) WITH ORDINALITY AS x(v, ord);
        v_count := coalesce(array_length(v_streams, 1), 0);
        IF v_count = 0 THEN
          RETURN;
        END IF;

        IF (SELECT count(DISTINCT s) FROM unnest(v_streams) AS s) <> v_count THEN
          RETURN QUERY SELECT * FROM es_append_many_by_item(p_batch);
          RETURN;
        END IF;

        INSERT INTO es_streams AS s (stream_id, version, last_hash, last_transaction_id)
          SELECT n.id, 0, NULL, v_tx FROM unnest(v_streams) AS n(id) ORDER BY n.id
          ON CONFLICT ON CONSTRAINT es_streams_pkey DO NOTHING;

        SELECT array_agg(l.version ORDER BY x.ord), array_agg(l.last_hash ORDER BY x.ord),
               array_agg(l.last_transaction_id ORDER BY x.ord)
          INTO v_version, v_hash, v_last_tx
          FROM unnest(v_streams) WITH ORDINALITY AS x(id, ord)
          JOIN (SELECT s.stream_id, s.version, s.last_hash, s.last_transaction_id
                  FROM es_streams s
                 WHERE s.stream_id = ANY (v_streams)
                 ORDER BY s.stream_id
                   FOR UPDATE) AS l ON l.stream_id = x.id;

        -- Probed by the unique index, whatever the planner thinks of a join with an array of unknown length.
        v_first := ARRAY(SELECT (x.events->0->>'id')::uuid FROM unnest(v_items) WITH ORDINALITY AS x(events, ord)
                          ORDER BY x.ord);
        v_stored := ARRAY(SELECT e.event_id FROM es_events e WHERE e.event_id = ANY (v_first));

        FOR i IN 1 .. v_count LOOP
          IF cardinality(v_stored) > 0 AND v_first[i] = ANY (v_stored) THEN
            RETURN QUERY SELECT v_streams[i], 'duplicate'::text, v_version[i], NULL::bigint, NULL::bigint;
            RETURN;
          END IF;
          -- expected: -2 = any, -1 = no stream, n >= 0 = exact version (0 = empty stream)
          IF (v_expected[i] = -1 AND v_version[i] <> 0) OR (v_expected[i] >= 0 AND v_expected[i] <> v_version[i]) THEN
            RETURN QUERY SELECT v_streams[i], 'conflict'::text, v_version[i], NULL::bigint, NULL::bigint;
            RETURN;
          END IF;
          -- An older transaction would sort before the stream's last writer in global order: the caller retries.
          IF v_last_tx[i] > v_tx THEN
            RETURN QUERY SELECT v_streams[i], 'reordered'::text, v_version[i], NULL::bigint, NULL::bigint;
            RETURN;
          END IF;
        END LOOP;

        -- Every event of the batch in order, its fields taken apart set-based; the hash chain in one loop of expressions.
        SELECT array_agg(x.ord ORDER BY x.ord, e.n), array_agg((e.ev->>'id')::uuid ORDER BY x.ord, e.n),
               array_agg(v_version[x.ord] + e.n ORDER BY x.ord, e.n), array_agg(e.ev->>'type' ORDER BY x.ord, e.n),
               array_agg(e.ev->'data' ORDER BY x.ord, e.n), array_agg(e.ev->'metadata' ORDER BY x.ord, e.n)
          INTO e_item, e_id, e_version, e_type, e_data, e_metadata
          FROM unnest(v_items) WITH ORDINALITY AS x(events, ord)
         CROSS JOIN LATERAL jsonb_array_elements(x.events) WITH ORDINALITY AS e(ev, n);
        s_next := v_version;
        s_hash := v_hash;
        FOR k IN 1 .. cardinality(e_id) LOOP
          v_chain := es_event_hash(s_hash[e_item[k]], e_id[k], v_streams[e_item[k]], e_version[k], e_type[k], e_data[k],
                                   e_metadata[k], v_now);
          e_hash := e_hash || v_chain;
          s_hash[e_item[k]] := v_chain;
          s_next[e_item[k]] := e_version[k];
        END LOOP;

        UPDATE es_streams AS s SET version = u.next, last_hash = u.hash, last_transaction_id = v_tx
          FROM unnest(v_streams, s_next, s_hash) AS u(id, next, hash)
         WHERE s.stream_id = u.id;

        RETURN QUERY
        WITH inserted AS (
          INSERT INTO es_events (transaction_id, event_id, stream_id, stream_version, type, data, metadata,
                                 recorded_at, hash)
          SELECT v_tx, n.id, v_streams[n.item], n.version, n.type, n.data, n.metadata, v_now, n.hash
            FROM unnest(e_item, e_id, e_version, e_type, e_data, e_metadata, e_hash) WITH ORDINALITY
                 AS n(item, id, version, type, data, metadata, hash, ord)
           ORDER BY n.ord
          RETURNING es_events.stream_id AS id, es_events.position
        ), spans AS (
          SELECT i.id, min(i.position) AS first, max(i.position) AS last FROM inserted i GROUP BY i.id
        )
        SELECT x.id, 'appended'::text, s_next[x.ord], p.first, p.last
          FROM unnest(v_streams) WITH ORDINALITY AS x(id, ord)
          JOIN spans p ON p.id = x.id
         ORDER BY x.ord;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(appendManyItemByItem('CREATE OR REPLACE FUNCTION', 'es_append_many'));
    await q.query(`DROP FUNCTION es_append_many_by_item(jsonb)`);
  }
}
