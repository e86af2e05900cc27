"""Reports: a reference that the tracker CSV carries (so that an export read back updates the same reports)
and the region, for a report on a Scottish Parliament region's list MSPs (whose seat has no GSS code).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("ref", sa.String(16), nullable=True))
        batch.add_column(sa.Column("region", sa.String(60), nullable=False, server_default=""))
    conn = op.get_bind()
    reports = sa.table("reports", sa.column("id", sa.Integer), sa.column("ref", sa.String))
    for (report_id,) in conn.execute(sa.select(reports.c.id)).all():
        conn.execute(reports.update().where(reports.c.id == report_id).values(ref=secrets.token_hex(8)))
    with op.batch_alter_table("reports") as batch:
        batch.alter_column("ref", existing_type=sa.String(16), nullable=False)
    op.create_index("ix_reports_ref", "reports", ["ref"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_reports_ref", "reports")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("region")
        batch.drop_column("ref")
