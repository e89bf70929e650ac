"""inspection records (巡查记录): records, their photos and every superseded version

A record's key is the UUID its device generated, so a retried upload is the same row, never a
second one. ``version`` counts accepted edits; each superseded version, and each version that
lost a conflict, is kept in ``inspection_record_history``. Photos are stored in the database
(``bytea``): they commit with their record in one transaction, a database backup holds them,
and several API processes need no shared disk (docs/rules-records.md).

Revision ID: 0011_records
Revises: 0007_reliab2
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011_records"
down_revision: str | None = "0007_reliab2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("排污口", "违法占用", "水华", "垃圾", "水利设施损坏", "其他")


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.execute(
        f"""
        CREATE TABLE inspection_records (
            id uuid PRIMARY KEY,
            kind varchar(16) NOT NULL CONSTRAINT ck_inspection_records_kind
                CHECK ({_in("kind", KINDS)}),
            severity varchar(8) NOT NULL CONSTRAINT ck_inspection_records_severity
                CHECK ({_in("severity", ("low", "medium", "high"))}),
            notes text NOT NULL DEFAULT '' CONSTRAINT ck_inspection_records_notes
                CHECK (length(notes) <= 2000),
            geom geometry(Point, 4490) NOT NULL,
            accuracy_m double precision CONSTRAINT ck_inspection_records_accuracy
                CHECK (accuracy_m IS NULL OR accuracy_m >= 0),
            located_by varchar(8) NOT NULL CONSTRAINT ck_inspection_records_located_by
                CHECK ({_in("located_by", ("gps", "map"))}),
            observed_at timestamptz NOT NULL,
            device_id varchar(64),
            status varchar(8) NOT NULL DEFAULT 'open' CONSTRAINT ck_inspection_records_status
                CHECK ({_in("status", ("open", "closed"))}),
            close_note text,
            closed_by varchar(100),
            closed_at timestamptz,
            version integer NOT NULL DEFAULT 1,
            created_by varchar(100) NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_by varchar(100) NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT ck_inspection_records_closed CHECK (
                (status = 'open') = (close_note IS NULL AND closed_at IS NULL)
            )
        );
        CREATE INDEX ix_inspection_records_geom ON inspection_records USING gist (geom);
        CREATE INDEX ix_inspection_records_observed_at ON inspection_records (observed_at);

        CREATE TABLE inspection_record_history (
            id serial PRIMARY KEY,
            record_id uuid NOT NULL REFERENCES inspection_records (id) ON DELETE CASCADE,
            version integer NOT NULL,
            reason varchar(12) NOT NULL CONSTRAINT ck_inspection_record_history_reason
                CHECK ({_in("reason", ("superseded", "conflict"))}),
            based_on integer,
            snapshot jsonb NOT NULL,
            conflicts jsonb NOT NULL DEFAULT '[]',
            written_by varchar(100) NOT NULL,
            written_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX ix_inspection_record_history_record
            ON inspection_record_history (record_id, id);

        CREATE TABLE inspection_photos (
            id uuid PRIMARY KEY,
            record_id uuid NOT NULL REFERENCES inspection_records (id) ON DELETE CASCADE,
            sha256 char(64) NOT NULL,
            content_type varchar(16) NOT NULL CONSTRAINT ck_inspection_photos_type
                CHECK ({_in("content_type", ("image/jpeg", "image/png", "image/webp"))}),
            size_bytes integer NOT NULL,
            width integer,
            height integer,
            taken_at timestamp,
            taken_geom geometry(Point, 4490),
            data bytea NOT NULL,
            uploaded_by varchar(100) NOT NULL,
            uploaded_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT ck_inspection_photos_size CHECK (size_bytes = octet_length(data))
        );
        CREATE INDEX ix_inspection_photos_record ON inspection_photos (record_id);
        CREATE INDEX ix_inspection_photos_taken_geom ON inspection_photos USING gist (taken_geom);
        """
    )


def downgrade() -> None:
    op.execute(
        "DROP TABLE inspection_photos; DROP TABLE inspection_record_history; "
        "DROP TABLE inspection_records"
    )
