import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CreateTimers1732500200000 } from './1732500200000-create-timers';
import { StableEventHash1732500300000 } from './1732500300000-stable-event-hash';
import { AppendMany1732500400000 } from './1732500400000-append-many';
import { FinishedTimersIndex1732500500000 } from './1732500500000-finished-timers-index';
import { SetBasedAppendMany1732500600000 } from './1732500600000-set-based-append-many';
import { FoldSnapshots1732500700000 } from './1732500700000-fold-snapshots';
import { UpdateHeavyFillfactor1732500800000 } from './1732500800000-update-heavy-fillfactor';
import { AppendManyByIndex1732500900000 } from './1732500900000-append-many-by-index';

/**
 * The event store: one table that is at once the source of truth, the audit trail and the outbox.
 *
 * - `position` is a global sequence, `transaction_id` the writer's `xid8`: readers of all events page
 *   by (transaction_id, position) below the snapshot's xmin so no in-flight transaction is skipped.
 * - `hash` chains each event to the previous one of its stream (tamper evidence).
 * - `es_append` does the whole append in one round trip: optimistic concurrency, idempotency by event
 *   id, hash chaining, and a guard that keeps (transaction_id, position) order equal to stream order.
 */
export class CreateEventStore1732500000000 implements MigrationInterface {
  name = 'CreateEventStore1732500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE es_events (
        position        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transaction_id  xid8        NOT NULL,
        event_id        uuid        NOT NULL UNIQUE,
        stream_id       text        NOT NULL,
        stream_version  bigint      NOT NULL,
        type            text        NOT NULL,
        data            jsonb       NOT NULL,
        metadata        jsonb       NOT NULL,
        recorded_at     timestamptz NOT NULL,
        hash            bytea       NOT NULL,
        CONSTRAINT es_events_stream_version UNIQUE (stream_id, stream_version)
      )`);
    await q.query(`CREATE INDEX es_events_global_order ON es_events (transaction_id, position)`);
    await q.query(`
      CREATE TABLE es_streams (
        stream_id           text   PRIMARY KEY,
        version             bigint NOT NULL,
        last_hash           bytea,
        last_transaction_id xid8   NOT NULL
      )`);
    await q.query(`
      CREATE TABLE es_checkpoints (
        name           text        PRIMARY KEY,
        transaction_id xid8        NOT NULL,
        position       bigint      NOT NULL,
        updated_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE es_inbox (
        consumer     text        NOT NULL,
        event_id     text        NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
    await q.query(`
      CREATE FUNCTION es_event_hash(prev bytea, event_id uuid, stream_id text, stream_version bigint, type text,
                                    data jsonb, metadata jsonb, recorded_at timestamptz)
      RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
        SELECT sha256(coalesce(prev, ''::bytea) || convert_to(concat_ws(E'\\n',
          event_id::text, stream_id, stream_version::text, type, data::text, metadata::text,
          ((extract(epoch FROM recorded_at) * 1000000)::bigint)::text), 'UTF8'))
      $$`);
    await q.query(`
      CREATE FUNCTION es_append(p_stream text, p_expected bigint, p_events jsonb)
      RETURNS TABLE (status text, next_version bigint, first_position bigint, last_position bigint)
      LANGUAGE plpgsql AS $$
      DECLARE
        v_tx       xid8        := pg_current_xact_id();
        v_now      timestamptz := clock_timestamp();
        v_version  bigint;
        v_hash     bytea;
        v_last_tx  xid8;
        v_hashes   bytea[]     := '{}';
        v_event    jsonb;
        v_dup      bigint;
      BEGIN
        -- p_expected: -2 = any, -1 = no stream, n >= 0 = exact version (0 = empty stream)
        SELECT s.version, s.last_hash, s.last_transaction_id INTO v_version, v_hash, v_last_tx
          FROM es_streams s WHERE s.stream_id = p_stream FOR UPDATE;
        IF NOT FOUND THEN
          INSERT INTO es_streams (stream_id, version, last_hash, last_transaction_id)
            VALUES (p_stream, 0, NULL, v_tx) ON CONFLICT (stream_id) DO NOTHING;
          SELECT s.version, s.last_hash, s.last_transaction_id INTO v_version, v_hash, v_last_tx
            FROM es_streams s WHERE s.stream_id = p_stream FOR UPDATE;
        END IF;

        SELECT e.stream_version INTO v_dup FROM es_events e WHERE e.event_id = (p_events->0->>'id')::uuid;
        IF FOUND THEN
          RETURN QUERY SELECT 'duplicate'::text, v_version, NULL::bigint, NULL::bigint;
          RETURN;
        END IF;

        IF (p_expected = -1 AND v_version <> 0) OR (p_expected >= 0 AND p_expected <> v_version) THEN
          RETURN QUERY SELECT 'conflict'::text, v_version, NULL::bigint, NULL::bigint;
          RETURN;
        END IF;
        -- A transaction whose id is older than the stream's last writer would sort before it in global
        -- order; refuse so the caller retries in a new transaction and stream order stays global order.
        IF v_last_tx > v_tx THEN
          RETURN QUERY SELECT 'reordered'::text, v_version, NULL::bigint, NULL::bigint;
          RETURN;
        END IF;

        FOR v_event IN SELECT value FROM jsonb_array_elements(p_events) LOOP
          v_hash := es_event_hash(v_hash, (v_event->>'id')::uuid, p_stream,
                                  v_version + coalesce(array_length(v_hashes, 1), 0) + 1,
                                  v_event->>'type', v_event->'data', v_event->'metadata', v_now);
          v_hashes := v_hashes || v_hash;
        END LOOP;

        RETURN QUERY
        WITH inserted AS (
          INSERT INTO es_events (transaction_id, event_id, stream_id, stream_version, type, data, metadata,
                                 recorded_at, hash)
          SELECT v_tx, (t.e->>'id')::uuid, p_stream, v_version + t.ord, t.e->>'type', t.e->'data',
                 t.e->'metadata', v_now, v_hashes[t.ord]
            FROM jsonb_array_elements(p_events) WITH ORDINALITY AS t(e, ord)
           ORDER BY t.ord
          RETURNING es_events.position
        )
        SELECT 'appended'::text, v_version + jsonb_array_length(p_events), min(i.position), max(i.position)
          FROM inserted i;

        UPDATE es_streams SET version = v_version + jsonb_array_length(p_events), last_hash = v_hash,
                              last_transaction_id = v_tx
         WHERE es_streams.stream_id = p_stream;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS es_append(text, bigint, jsonb)`);
    await q.query(`DROP FUNCTION IF EXISTS es_event_hash(bytea, uuid, text, bigint, text, jsonb, jsonb, timestamptz)`);
    await q.query(`DROP TABLE IF EXISTS es_inbox, es_checkpoints, es_streams, es_events`);
  }
}

export const EventStoreMigrations = [
  CreateEventStore1732500000000,
  CreateTimers1732500200000,
  StableEventHash1732500300000,
  AppendMany1732500400000,
  FinishedTimersIndex1732500500000,
  SetBasedAppendMany1732500600000,
  FoldSnapshots1732500700000,
  UpdateHeavyFillfactor1732500800000,
  AppendManyByIndex1732500900000,
];
