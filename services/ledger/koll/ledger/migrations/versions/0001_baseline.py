"""The schema as Koll 0.1 made it with create_all, before it carried a version.

A ledger of that age is stamped with this revision (see koll.ledger.migrations); an empty
database gets today's tables from create_all and the newest revision, so this step creates
nothing.

Revision ID: 0001
Revises:
"""

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
