"""koll_tokens.expires_at: a token may end by itself (None: until revoked).

The board sessions (koll_sessions) and failed sign-ins (koll_signin_failures) are new tables
that need no data moved: create_all adds them.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A ledger stamped with the baseline may have been made by a Koll that already had the column.
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("koll_tokens")}
    if "expires_at" not in columns:
        op.add_column("koll_tokens", sa.Column("expires_at", sa.DateTime, nullable=True))


def downgrade() -> None:
    op.drop_column("koll_tokens", "expires_at")
