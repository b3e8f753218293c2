"""breaker transitions as an outbox: when each one's operational event was handed over

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 09:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("breaker_transition", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handed_over_at", store.types.UTCDateTime(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_breaker_transition_handed_over_at"), ["handed_over_at"], unique=False
        )
    # The transitions before this revision were told (or lost) by the old code: the sweep must
    # not tell them again after the upgrade.
    op.execute("UPDATE breaker_transition SET handed_over_at = at WHERE handed_over_at IS NULL")


def downgrade() -> None:
    with op.batch_alter_table("breaker_transition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_breaker_transition_handed_over_at"))
        batch_op.drop_column("handed_over_at")
