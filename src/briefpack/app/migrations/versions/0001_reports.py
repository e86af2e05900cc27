"""Clubs' reports, their uploads, coordinators' accounts.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parliament", sa.String(20), nullable=False),
        sa.Column("gss_code", sa.String(12), nullable=False),
        sa.Column("club", sa.String(200), nullable=False),
        sa.Column("contact_name", sa.String(200), nullable=False),
        sa.Column("contact_email", sa.String(200), nullable=False),
        sa.Column("agreed_to_act", sa.Date),
        sa.Column("contact_made", sa.Date),
        sa.Column("meeting_date", sa.Date),
        sa.Column("met", sa.Boolean, nullable=False),
        sa.Column("letter_to_home_secretary", sa.Date),
        sa.Column("reply_received", sa.Date),
        sa.Column("press_release", sa.Date),
        sa.Column("reply_summary", sa.Text, nullable=False),
        sa.Column("token_hash", sa.String(64), unique=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_reports_gss_code", "reports", ["gss_code"])
    op.create_index("ix_reports_updated", "reports", ["updated"])
    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("stored_name", sa.String(64), nullable=False, unique=True),
        sa.Column("media_type", sa.String(40), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_uploads_report_id", "uploads", ["report_id"])
    op.create_table(
        "coordinators",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(80), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("failed_signins", sa.Integer, nullable=False),
        sa.Column("paused_until", sa.DateTime(timezone=True)),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("coordinators")
    op.drop_table("uploads")
    op.drop_table("reports")
