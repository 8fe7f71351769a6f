"""Search and report indexes on requests (national code, folded name keys, shift, service/clerk
by day) and the drafts table that blocks closing a shift.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_requests_national_code": ["national_code"],
    "ix_requests_first_key": ["first_key"],
    "ix_requests_last_key": ["last_key"],
    "ix_requests_shift": ["shift_id"],
    "ix_requests_service_day": ["service_code", "tehran_day"],
    "ix_requests_clerk_day": ["clerk_username", "tehran_day"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "requests", columns)
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("shift_id", sa.String(), sa.ForeignKey("shifts.id"), nullable=False),
        sa.Column("clerk_username", sa.String(), nullable=False),
        sa.Column("data_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(), nullable=False),
        sa.Column("updated_at", sa.String(), nullable=False),
    )
    op.create_index("ix_drafts_shift_id", "drafts", ["shift_id"])


def downgrade() -> None:
    op.drop_index("ix_drafts_shift_id", table_name="drafts")
    op.drop_table("drafts")
    for name in INDEXES:
        op.drop_index(name, table_name="requests")
