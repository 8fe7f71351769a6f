"""Scanned documents (DESIGN.md section 11): `blobs` holds one row per stored page file (named by
the SHA-256 of its compressed bytes, in `<data folder>/attachments/`), `attachments` links a blob
to a request and the required document it proves, with its page number and its sending state.

A blob is deleted only when no attachment row needs it any more (never while one is unsent);
`blobs.upload_url` is left for the uploader (the tus upload's address while it resumes).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(), primary_key=True),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(), nullable=False),
        sa.Column("sent_at", sa.String(), nullable=True),
        sa.Column("upload_url", sa.String(), nullable=True),
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(), sa.ForeignKey("requests.request_id"), nullable=False),
        sa.Column("sha256", sa.String(), sa.ForeignKey("blobs.sha256"), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(), nullable=False),
        sa.Column("document", sa.String(), nullable=True),
        sa.Column("page_no", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("created_at", sa.String(), nullable=False),
        sa.Column("sent_at", sa.String(), nullable=True),
        sa.UniqueConstraint("request_id", "sha256", name="uq_attachments_request_sha256"),
        sa.CheckConstraint("state IN ('pending', 'sent')", name="ck_attachments_state"),
    )
    op.create_index("ix_attachments_request", "attachments", ["request_id"])
    op.create_index("ix_attachments_sha256", "attachments", ["sha256"])
    op.create_index("ix_attachments_state", "attachments", ["state"])


def downgrade() -> None:
    op.drop_index("ix_attachments_state", "attachments")
    op.drop_index("ix_attachments_sha256", "attachments")
    op.drop_index("ix_attachments_request", "attachments")
    op.drop_table("attachments")
    op.drop_table("blobs")
