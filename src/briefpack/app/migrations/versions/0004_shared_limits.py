"""What every server instance on one database shares: rate-limit hits, and the key that signs form
tokens and sessions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_hits",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("at", sa.Double, nullable=False),
        sa.Column("expires", sa.Double, nullable=False),
    )
    op.create_index("ix_rate_limit_hits_expires", "rate_limit_hits", ["expires"])
    op.create_index("ix_rate_limit_hits_key_expires", "rate_limit_hits", ["key", "expires"])
    op.create_table(
        "app_secrets",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("app_secrets")
    op.drop_index("ix_rate_limit_hits_key_expires", "rate_limit_hits")
    op.drop_index("ix_rate_limit_hits_expires", "rate_limit_hits")
    op.drop_table("rate_limit_hits")
