"""Initial schema: settings, users, shifts, citizens, catalog, requests, outbox, sync, print, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _text(name: str, nullable: bool = True, **kw: Any) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=nullable, **kw)


def upgrade() -> None:
    op.create_table("settings", _text("key", False, primary_key=True), sa.Column("value", sa.Text()))
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        _text("username", False, unique=True),
        _text("full_name", False),
        _text("role", False),
        _text("password_hash", False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _text("created_at", False),
    )
    op.create_table(
        "shifts",
        _text("id", False, primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        _text("opened_at", False),
        sa.Column("opening_cash", sa.Integer(), nullable=False),
        _text("closed_at"),
        sa.Column("counted_json", sa.Text()),
        sa.Column("expected_json", sa.Text()),
    )
    op.create_index("ix_shifts_user_open", "shifts", ["user_id", "closed_at"])
    op.create_table(
        "citizens",
        sa.Column("id", sa.Integer(), primary_key=True),
        _text("national_code", False, unique=True),
        _text("first_name", False),
        _text("last_name", False),
        _text("mobile"),
        _text("first_key", False),
        _text("last_key", False),
        _text("updated_at", False),
    )
    op.create_table(
        "catalog_versions",
        _text("version", False, primary_key=True),
        _text("imported_at", False),
        _text("content_sha256", False),
    )
    op.create_table(
        "services",
        _text("code", False, primary_key=True),
        _text("title", False),
        _text("title_key", False),
        _text("agency", False),
        sa.Column("fees_json", sa.Text(), nullable=False),
        sa.Column("documents_json", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _text("catalog_version", False),
    )
    op.create_table(
        "requests",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        _text("request_id", False, unique=True),
        _text("receipt_no", False, unique=True),
        _text("office", False),
        _text("device", False),
        _text("created_at", False),
        _text("tehran_day", False),
        sa.Column("citizen_id", sa.Integer(), sa.ForeignKey("citizens.id")),
        _text("national_code", False),
        _text("first_name", False),
        _text("last_name", False),
        _text("first_key", False),
        _text("last_key", False),
        _text("mobile"),
        _text("service_code", False),
        _text("service_title", False),
        _text("catalog_version", False),
        sa.Column("fees_json", sa.Text(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        _text("payment_method", False),
        _text("payment_ref"),
        _text("clerk_username", False),
        sa.Column("shift_id", sa.String(), sa.ForeignKey("shifts.id")),
        _text("status", False),
        sa.Column("status_note", sa.Text()),
        _text("server_ref"),
        sa.Column("clock_skew_s", sa.Integer()),
        sa.Column("reprint_count", sa.Integer(), nullable=False),
        _text("updated_at", False),
    )
    op.create_index("ix_requests_tehran_day", "requests", ["tehran_day"])
    op.create_index("ix_requests_status", "requests", ["status"])
    op.create_table(
        "request_history",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.String(), sa.ForeignKey("requests.request_id"), nullable=False),
        _text("at", False),
        _text("from_status"),
        _text("to_status", False),
        _text("actor", False),
        sa.Column("note", sa.Text()),
    )
    op.create_index("ix_request_history_request_id", "request_history", ["request_id"])
    op.create_table(
        "cancellations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.String(), sa.ForeignKey("requests.request_id"), nullable=False),
        sa.Column("shift_id", sa.String(), sa.ForeignKey("shifts.id")),
        _text("clerk_username", False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("refund", sa.Integer(), nullable=False),
        _text("at", False),
    )
    op.create_index("ix_cancellations_request_id", "cancellations", ["request_id"])
    op.create_index("ix_cancellations_shift_id", "cancellations", ["shift_id"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _text("op_id", False, unique=True),
        _text("kind", False),
        _text("request_id", False),
        _text("receipt_no", False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        _text("payload_sha256", False),
        _text("state", False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text()),
        _text("result"),
        _text("result_code"),
        sa.Column("result_detail", sa.Text()),
        _text("created_at", False),
        _text("sent_at"),
        _text("acked_at"),
    )
    op.create_index("ix_outbox_state", "outbox", ["state"])
    op.create_index("ix_outbox_request", "outbox", ["request_id"])
    op.create_table("sync_state", _text("key", False, primary_key=True), sa.Column("value", sa.Text()))
    op.create_table(
        "print_jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        _text("request_id"),
        _text("kind", False),
        _text("target", False),
        sa.Column("copy_no", sa.Integer(), nullable=False),
        _text("state", False),
        sa.Column("error", sa.Text()),
        _text("created_at", False),
        _text("finished_at"),
    )
    op.create_index("ix_print_jobs_request_id", "print_jobs", ["request_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        _text("at", False),
        _text("actor", False),
        _text("action", False),
        _text("subject"),
        sa.Column("details_json", sa.Text(), nullable=False),
        _text("prev_hash", False),
        _text("hash", False),
    )


def downgrade() -> None:
    for table in (
        "audit_log",
        "print_jobs",
        "sync_state",
        "outbox",
        "cancellations",
        "request_history",
        "requests",
        "services",
        "catalog_versions",
        "citizens",
        "shifts",
        "users",
        "settings",
    ):
        op.drop_table(table)
