"""Rows of CSV imports, so that running `request import` again on the same file registers no row
twice (the file by its content hash, a row by line number and content hash; written in the
request's own transaction).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_rows",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("file_sha256", sa.String(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("row_sha256", sa.String(), nullable=False),
        sa.Column("request_id", sa.String(), sa.ForeignKey("requests.request_id"), nullable=False, unique=True),
        sa.Column("imported_at", sa.String(), nullable=False),
        sa.UniqueConstraint("file_sha256", "line", "row_sha256", name="uq_import_rows_key"),
    )


def downgrade() -> None:
    op.drop_table("import_rows")
