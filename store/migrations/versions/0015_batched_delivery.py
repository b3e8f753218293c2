"""batched delivery: endpoint batch settings, the batch an attempt rode in

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 05:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("endpoint", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch", sa.JSON(), nullable=True))
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.drop_column("batch_id")
    with op.batch_alter_table("endpoint", schema=None) as batch_op:
        batch_op.drop_column("batch")
