"""KMS key rotation: the key material each rotation adds (kms_key_materials) and, per key, the instant up to which
automatic rotations have been applied and the current material (kms_keys.rotation_checked_at, current_material_id;
None: the first). A key's first material stays in kms_keys, so existing keys and their ciphertexts keep working.

Revision ID: 0028
Revises: 0027
"""

import sqlalchemy as sa
from alembic import op

import rootplane.store.base

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kms_key_materials',
    sa.Column('key_id', sa.String(length=36), nullable=False),
    sa.Column('material_id', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('sealed_material', sa.LargeBinary(), nullable=False),
    sa.Column('rotation_type', sa.String(length=16), nullable=False),
    sa.Column('rotation_date', rootplane.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key_id', 'material_id', name=op.f('pk_kms_key_materials'))
    )
    op.create_index('ix_kms_key_materials_key', 'kms_key_materials', ['key_id', 'seq'], unique=False)
    with op.batch_alter_table('kms_keys') as batch:
        batch.add_column(sa.Column('rotation_checked_at', rootplane.store.base.UtcDateTime(timezone=True),
                                   nullable=True))
        batch.add_column(sa.Column('current_material_id', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('kms_keys') as batch:
        batch.drop_column('current_material_id')
        batch.drop_column('rotation_checked_at')
    op.drop_index('ix_kms_key_materials_key', table_name='kms_key_materials')
    op.drop_table('kms_key_materials')
