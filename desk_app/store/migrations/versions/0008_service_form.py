"""Service forms (DESIGN.md section 10). `services.form_json`: the JSON Schema of the fields the
service's requests carry, as the catalog gave it (canonical JSON); NULL = the service asks for
nothing beyond the citizen. `requests.fields_json` / `requests.form_version`: the answers frozen
at intake (canonical JSON, as in the payload) and the catalog version whose form they were checked
by; NULL for requests made before forms.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE ADD COLUMN: no table copy (requests may hold a million rows and has triggers)
    op.add_column("services", sa.Column("form_json", sa.Text(), nullable=True))
    op.add_column("requests", sa.Column("fields_json", sa.Text(), nullable=True))
    op.add_column("requests", sa.Column("form_version", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("form_version")
        batch.drop_column("fields_json")
    with op.batch_alter_table("services") as batch:
        batch.drop_column("form_json")
