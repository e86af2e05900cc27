"""Coordinators: the time of the last sign-out (sessions from before it are no longer accepted).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("coordinators") as batch:
        batch.add_column(sa.Column("signed_out", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("coordinators") as batch:
        batch.drop_column("signed_out")
