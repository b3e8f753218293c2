"""breaker transitions, failing since, endpoint health checks

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 04:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "breaker_transition",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("endpoint_id", sa.String(length=64), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=False),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("window_requests", sa.Integer(), nullable=False),
        sa.Column("window_failures", sa.Integer(), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("at", store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("breaker_transition", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_breaker_transition_endpoint_id"), ["endpoint_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_breaker_transition_at"), ["at"], unique=False)
    with op.batch_alter_table("endpoint_runtime", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failing_since", store.types.UTCDateTime(), nullable=True))
    with op.batch_alter_table("endpoint", schema=None) as batch_op:
        batch_op.add_column(sa.Column("health_check", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("endpoint", schema=None) as batch_op:
        batch_op.drop_column("health_check")
    with op.batch_alter_table("endpoint_runtime", schema=None) as batch_op:
        batch_op.drop_column("failing_since")
    with op.batch_alter_table("breaker_transition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_breaker_transition_at"))
        batch_op.drop_index(batch_op.f("ix_breaker_transition_endpoint_id"))
    op.drop_table("breaker_transition")
