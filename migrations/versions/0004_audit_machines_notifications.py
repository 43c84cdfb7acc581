"""audit log, machines, generic notifications

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 09:35:43.575414

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _tables():
    meta = sa.MetaData()
    audit = sa.Table("audit_events", meta, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("actor_id", sa.Integer), sa.Column("action", sa.String(60)),
                     sa.Column("subject_type", sa.String(40)), sa.Column("subject_id", sa.BigInteger),
                     sa.Column("reason", sa.Text), sa.Column("data", sa.JSON),
                     sa.Column("created_at", sa.DateTime(timezone=True)))
    return audit


def _move_history(conn, audit) -> None:
    """ProposalEvent and ParameterChange rows become audit entries, in time order."""
    rows = []
    names = dict(conn.execute(sa.text("SELECT name_ko, code FROM municipalities")).all())
    for kind, pid, frm, to, actor, note, at in conn.execute(sa.text(
            "SELECT kind, proposal_id, from_stage, to_stage, actor_id, note, created_at FROM proposal_events ORDER BY id")
            .columns(created_at=sa.DateTime(timezone=True))):
        if kind == "adopted":
            action, data = "proposal.adopted", {"to": to}
        elif kind == "replicated":
            action, data = "proposal.replicated", {"municipality": names.get(note, note)}
        else:
            action, data = f"proposal.{to}", {"from": frm, "to": to}
        rows.append({"actor_id": actor, "action": action, "subject_type": "proposal", "subject_id": pid,
                     "reason": None, "data": data, "created_at": at})
    for key, old, new, reason, actor, at in conn.execute(sa.text(
            "SELECT key, old_value, new_value, reason, changed_by_id, changed_at FROM parameter_changes ORDER BY id")
            .columns(changed_at=sa.DateTime(timezone=True))):
        rows.append({"actor_id": actor, "action": "parameter.changed", "subject_type": "parameter", "subject_id": None,
                     "reason": reason, "data": {"key": key, "old": old, "new": new}, "created_at": at})
    rows.sort(key=lambda r: str(r["created_at"]))
    if rows:
        conn.execute(audit.insert(), rows)


PROPOSAL_KINDS = ("proposal_stage", "proposal_update")


def _convert_notifications(conn) -> None:
    """Each notification names its subject (type, id) and carries the data its message needs."""
    meta = sa.MetaData()
    table = sa.Table("notifications", meta, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("subject_type", sa.String(40)), sa.Column("subject_id", sa.BigInteger),
                     sa.Column("data", sa.JSON))
    rows = conn.execute(sa.text(
        "SELECT n.id, n.kind, n.idea_id, n.link_idea_id, n.comment_id, i.title, p.id, p.title, u.display_name "
        "FROM notifications n JOIN ideas i ON i.id = n.idea_id "
        "LEFT JOIN proposals p ON p.idea_id = n.idea_id "
        "LEFT JOIN comments c ON c.id = n.comment_id LEFT JOIN users u ON u.id = c.author_id")).all()
    for nid, kind, idea_id, link_id, comment_id, title, pid, _ptitle, actor in rows:
        data = {"title": title}
        if link_id:
            data["link_id"] = link_id
        if comment_id:
            data["comment_id"] = comment_id
        if actor:
            data["actor"] = actor
        subject = ("proposal", pid) if kind in PROPOSAL_KINDS and pid else ("idea", idea_id)
        conn.execute(table.update().where(table.c.id == nid).values(
            subject_type=subject[0], subject_id=subject[1], data=data))


def upgrade():
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('subject_type', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.BigInteger(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(action) > 0', name=op.f('ck_audit_events_action_nonempty')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_action', ['action', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index('ix_audit_events_subject', ['subject_type', 'subject_id', 'id'], unique=False)
    conn = op.get_bind()
    _move_history(conn, _tables())
    if conn.dialect.name == "postgresql":
        # The log is append-only: the database itself refuses to change or remove an entry.
        op.execute("""
            CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$;
            CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
            FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
        """)

    with op.batch_alter_table('parameter_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parameter_changes_changed_at'))
    op.drop_table('parameter_changes')
    with op.batch_alter_table('proposal_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_events_proposal_created'))
    op.drop_table('proposal_events')

    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=10), server_default='pending', nullable=False))
    op.execute("UPDATE memberships SET status = 'confirmed' WHERE confirmed_at IS NOT NULL")
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index('ix_memberships_status_created', ['status', 'created_at'], unique=False)
        batch_op.create_check_constraint('status_known', "status IN ('pending', 'confirmed', 'declined')")
        batch_op.create_check_constraint('confirmed_when', "(status = 'confirmed') = (confirmed_at IS NOT NULL)")

    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=10), server_default='invited', nullable=False))
    op.execute("UPDATE team_members SET status = 'accepted' WHERE accepted_at IS NOT NULL")
    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.create_check_constraint('status_known', "status IN ('invited', 'accepted', 'declined')")
        batch_op.create_check_constraint('accepted_when', "(status = 'accepted') = (accepted_at IS NOT NULL)")

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_type', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('subject_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('data', sa.JSON(), nullable=True))
    _convert_notifications(conn)
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.alter_column('subject_type', existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column('subject_id', existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column('data', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_index(batch_op.f('ix_notifications_idea_id'))
        batch_op.create_index('ix_notifications_subject', ['subject_type', 'subject_id'], unique=False)
        batch_op.drop_constraint(batch_op.f('fk_notifications_link_idea_id_ideas'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_notifications_comment_id_comments'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_notifications_idea_id_ideas'), type_='foreignkey')
        batch_op.drop_column('comment_id')
        batch_op.drop_column('idea_id')
        batch_op.drop_column('link_idea_id')


def downgrade():
    raise NotImplementedError("0004 moved the proposal timeline, the parameter history and the notifications into "
                              "new shapes; restore a backup taken before the upgrade to go back.")
