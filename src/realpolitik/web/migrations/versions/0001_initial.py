"""The first schema: scenarios (versioned), runs (immutable records), app_meta.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scenarios",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scenario_id", sa.String(200), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("valid", sa.Boolean, nullable=False),
        sa.Column("origin", sa.String(300), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "scenario_row",
            sa.Integer,
            sa.ForeignKey("scenarios.id", ondelete="SET NULL", name="fk_runs_scenario_row"),
            nullable=True,
        ),
        sa.Column("scenario_version", sa.Integer, nullable=True),
        sa.Column("scenario_id", sa.String(200), nullable=False),
        sa.Column("scenario_title", sa.String(500), nullable=False),
        sa.Column("scenario_content", sa.Text, nullable=False),
        sa.Column("scenario_hash", sa.String(64), nullable=False),
        sa.Column("realpolitik_version", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("step", sa.String(200), nullable=False),
        sa.Column("done_steps", sa.Integer, nullable=False),
        sa.Column("total_steps", sa.Integer, nullable=False),
        sa.Column("cancel_requested", sa.Boolean, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("results", sa.LargeBinary, nullable=True),
        sa.Column("view", sa.LargeBinary, nullable=True),
        sa.Column("instance", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=True),
        sa.Column("finished_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_runs_scenario_row", "runs", ["scenario_row"])
    op.create_index("ix_runs_scenario_hash", "runs", ["scenario_hash"])
    op.create_index("ix_runs_status", "runs", ["status"])
    op.create_table(
        "app_meta",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("app_meta")
    op.drop_index("ix_runs_status", "runs")
    op.drop_index("ix_runs_scenario_hash", "runs")
    op.drop_index("ix_runs_scenario_row", "runs")
    op.drop_table("runs")
    op.drop_table("scenarios")
