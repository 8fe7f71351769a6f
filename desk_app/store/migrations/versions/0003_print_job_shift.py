"""Reprints linked to the clerk and shift that made them (DESIGN: every reprint is linked to its
shift by id); both nullable: a print from the command line may have no clerk.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("print_jobs") as batch:
        batch.add_column(sa.Column("clerk_username", sa.String(), nullable=True))
        batch.add_column(
            sa.Column("shift_id", sa.String(), sa.ForeignKey("shifts.id", name="fk_print_jobs_shift"), nullable=True)
        )
        batch.create_index("ix_print_jobs_shift_id", ["shift_id"])


def downgrade() -> None:
    with op.batch_alter_table("print_jobs") as batch:
        batch.drop_index("ix_print_jobs_shift_id")
        batch.drop_column("shift_id")
        batch.drop_column("clerk_username")
