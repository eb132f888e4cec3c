"""Complaint handling's models, moved from evaluations with their tables (evaluations_*),
rows, content types and permissions.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models
from hall.app_move import move_content_types, sync_role_groups


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('evaluations', '0008_cases_and_rectification_move_out'),
        ('windows', '0009_window_live_version'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay as they are, rows and all: only Django's state moves.
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Complaint',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('channel', models.CharField(choices=[('on_site', 'on site'), ('hotline', 'supervision hotline'), ('work_order_12345', '12345 work order'), ('online', 'online'), ('bad_review', 'bad review')], default='bad_review', max_length=20, verbose_name='channel')),
                        ('work_order_no', models.CharField(blank=True, max_length=40, verbose_name='work-order number')),
                        ('received_at', models.DateTimeField(verbose_name='received at')),
                        ('level', models.PositiveSmallIntegerField(blank=True, choices=[(5, 'very satisfied'), (4, 'satisfied'), (3, 'basically satisfied'), (2, 'dissatisfied'), (1, 'very dissatisfied')], null=True, verbose_name='level')),
                        ('reasons', models.JSONField(blank=True, default=list, verbose_name='bad-review reasons')),
                        ('complainant_name', models.CharField(blank=True, max_length=50, verbose_name='complainant')),
                        ('callback_phone', models.CharField(blank=True, max_length=20, verbose_name='complainant phone')),
                        ('category', models.CharField(blank=True, choices=[('attitude', 'service attitude'), ('efficiency', 'efficiency and waiting'), ('notification', 'one-time notification'), ('discipline', 'work discipline'), ('policy', 'policy and procedure'), ('environment', 'facilities and environment'), ('other', 'other')], max_length=20, verbose_name='category')),
                        ('comment', models.TextField(blank=True, verbose_name='description')),
                        ('attachment', models.FileField(blank=True, upload_to='complaints/%Y/%m/', verbose_name='attachment')),
                        ('status', models.CharField(choices=[('received', 'received'), ('verified', 'verified'), ('assigned', 'assigned'), ('in_progress', 'in progress'), ('replied', 'replied'), ('callback_done', 'callback done'), ('closed', 'closed')], default='received', max_length=20, verbose_name='status')),
                        ('due_date', models.DateField(verbose_name='current step due')),
                        ('verification_note', models.TextField(blank=True, verbose_name='verification note')),
                        ('reply', models.TextField(blank=True, verbose_name='reply to the complainant')),
                        ('replied_at', models.DateTimeField(blank=True, null=True, verbose_name='replied at')),
                        ('callback_result', models.CharField(blank=True, choices=[('satisfied', 'satisfied'), ('not_satisfied', 'not satisfied'), ('unreachable', 'could not be reached')], max_length=20, verbose_name='callback result')),
                        ('callback_note', models.TextField(blank=True, verbose_name='callback note')),
                        ('callback_at', models.DateTimeField(blank=True, null=True, verbose_name='callback at')),
                        ('reopen_count', models.PositiveSmallIntegerField(default=0, verbose_name='times reopened')),
                        ('escalated', models.BooleanField(default=False, verbose_name='escalated')),
                        ('verdict', models.CharField(blank=True, choices=[('substantiated', 'substantiated'), ('unsubstantiated', 'unsubstantiated')], max_length=20, verbose_name='verdict')),
                        ('closing_note', models.TextField(blank=True, verbose_name='closing note')),
                        ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed at')),
                        ('personal_data_erased_at', models.DateTimeField(blank=True, null=True, verbose_name='personal data erased at')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('hall', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='complaints', to='windows.hall', verbose_name='hall')),
                        ('handler', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='handled_complaints', to=settings.AUTH_USER_MODEL, verbose_name='handler')),
                        ('rating', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='complaint', to='evaluations.rating', verbose_name='rating')),
                        ('service_item', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='complaints', to='windows.serviceitem', verbose_name='service item')),
                        ('staff', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='complaints', to='windows.staff', verbose_name='staff member')),
                        ('window', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='complaints', to='windows.window', verbose_name='window')),
                    ],
                    options={
                        'verbose_name': 'complaint case',
                        'verbose_name_plural': 'complaint cases',
                        'db_table': 'evaluations_complaint',
                        'ordering': ['due_date', '-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='DeadlineExtension',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('step', models.CharField(choices=[('received', 'received'), ('verified', 'verified'), ('assigned', 'assigned'), ('in_progress', 'in progress'), ('replied', 'replied'), ('callback_done', 'callback done'), ('closed', 'closed')], max_length=20, verbose_name='step')),
                        ('working_days', models.PositiveSmallIntegerField(verbose_name='extra working days')),
                        ('reason', models.TextField(verbose_name='reason')),
                        ('requested_at', models.DateTimeField(verbose_name='requested at')),
                        ('status', models.CharField(choices=[('pending', 'pending'), ('approved', 'approved'), ('rejected', 'rejected')], default='pending', max_length=10, verbose_name='status')),
                        ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                        ('complaint', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='extensions', to='complaints.complaint', verbose_name='case')),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by')),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                    ],
                    options={
                        'verbose_name': 'deadline extension',
                        'verbose_name_plural': 'deadline extensions',
                        'db_table': 'evaluations_deadlineextension',
                        'ordering': ['-requested_at'],
                    },
                ),
                migrations.CreateModel(
                    name='DeadlineRule',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('channel', models.CharField(choices=[('on_site', 'on site'), ('hotline', 'supervision hotline'), ('work_order_12345', '12345 work order'), ('online', 'online'), ('bad_review', 'bad review')], max_length=20, verbose_name='channel')),
                        ('step', models.CharField(choices=[('received', 'received'), ('verified', 'verified'), ('assigned', 'assigned'), ('in_progress', 'in progress'), ('replied', 'replied'), ('callback_done', 'callback done')], help_text='The step the case is in; the deadline runs until it moves on.', max_length=20, verbose_name='step')),
                        ('working_days', models.PositiveSmallIntegerField(verbose_name='working days')),
                        ('hall', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deadline_rules', to='windows.hall', verbose_name='hall')),
                    ],
                    options={
                        'verbose_name': 'deadline rule',
                        'verbose_name_plural': 'deadline rules',
                        'db_table': 'evaluations_deadlinerule',
                        'ordering': ['hall', 'channel', 'step'],
                    },
                ),
                migrations.CreateModel(
                    name='DutyAlert',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('recipients', models.JSONField(default=list, verbose_name='recipients')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                        ('acknowledged_at', models.DateTimeField(blank=True, null=True, verbose_name='acknowledged at')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('complaint', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='duty_alert', to='complaints.complaint', verbose_name='case')),
                    ],
                    options={
                        'verbose_name': 'duty-leader alert',
                        'verbose_name_plural': 'duty-leader alerts',
                        'db_table': 'evaluations_dutyalert',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalComplaint',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('channel', models.CharField(choices=[('on_site', 'on site'), ('hotline', 'supervision hotline'), ('work_order_12345', '12345 work order'), ('online', 'online'), ('bad_review', 'bad review')], default='bad_review', max_length=20, verbose_name='channel')),
                        ('work_order_no', models.CharField(blank=True, max_length=40, verbose_name='work-order number')),
                        ('received_at', models.DateTimeField(verbose_name='received at')),
                        ('level', models.PositiveSmallIntegerField(blank=True, choices=[(5, 'very satisfied'), (4, 'satisfied'), (3, 'basically satisfied'), (2, 'dissatisfied'), (1, 'very dissatisfied')], null=True, verbose_name='level')),
                        ('reasons', models.JSONField(blank=True, default=list, verbose_name='bad-review reasons')),
                        ('category', models.CharField(blank=True, choices=[('attitude', 'service attitude'), ('efficiency', 'efficiency and waiting'), ('notification', 'one-time notification'), ('discipline', 'work discipline'), ('policy', 'policy and procedure'), ('environment', 'facilities and environment'), ('other', 'other')], max_length=20, verbose_name='category')),
                        ('comment', models.TextField(blank=True, verbose_name='description')),
                        ('attachment', models.TextField(blank=True, max_length=100, verbose_name='attachment')),
                        ('status', models.CharField(choices=[('received', 'received'), ('verified', 'verified'), ('assigned', 'assigned'), ('in_progress', 'in progress'), ('replied', 'replied'), ('callback_done', 'callback done'), ('closed', 'closed')], default='received', max_length=20, verbose_name='status')),
                        ('due_date', models.DateField(verbose_name='current step due')),
                        ('verification_note', models.TextField(blank=True, verbose_name='verification note')),
                        ('reply', models.TextField(blank=True, verbose_name='reply to the complainant')),
                        ('replied_at', models.DateTimeField(blank=True, null=True, verbose_name='replied at')),
                        ('callback_result', models.CharField(blank=True, choices=[('satisfied', 'satisfied'), ('not_satisfied', 'not satisfied'), ('unreachable', 'could not be reached')], max_length=20, verbose_name='callback result')),
                        ('callback_note', models.TextField(blank=True, verbose_name='callback note')),
                        ('callback_at', models.DateTimeField(blank=True, null=True, verbose_name='callback at')),
                        ('reopen_count', models.PositiveSmallIntegerField(default=0, verbose_name='times reopened')),
                        ('escalated', models.BooleanField(default=False, verbose_name='escalated')),
                        ('verdict', models.CharField(blank=True, choices=[('substantiated', 'substantiated'), ('unsubstantiated', 'unsubstantiated')], max_length=20, verbose_name='verdict')),
                        ('closing_note', models.TextField(blank=True, verbose_name='closing note')),
                        ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed at')),
                        ('personal_data_erased_at', models.DateTimeField(blank=True, null=True, verbose_name='personal data erased at')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created at')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('hall', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='windows.hall', verbose_name='hall')),
                        ('handler', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='handler')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('rating', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='evaluations.rating', verbose_name='rating')),
                        ('service_item', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='windows.serviceitem', verbose_name='service item')),
                        ('staff', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='windows.staff', verbose_name='staff member')),
                        ('window', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='windows.window', verbose_name='window')),
                    ],
                    options={
                        'verbose_name': 'historical complaint case',
                        'verbose_name_plural': 'historical complaint cases',
                        'db_table': 'evaluations_historicalcomplaint',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.AddIndex(
                    model_name='complaint',
                    index=models.Index(fields=['hall', 'status', 'due_date'], name='complaint_hall_due'),
                ),
                migrations.AddConstraint(
                    model_name='complaint',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'closed'), _negated=True), models.Q(models.Q(('verdict', ''), _negated=True), models.Q(('callback_result', ''), _negated=True)), _connector='OR'), name='closed_case_has_verdict_and_callback', violation_error_message='Closing a case needs its callback result and verdict.'),
                ),
                migrations.AddConstraint(
                    model_name='complaint',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('channel', 'work_order_12345'), _negated=True), models.Q(('work_order_no', ''), _negated=True), _connector='OR'), name='work_order_has_its_number', violation_error_message='A 12345 work order needs its work-order number.'),
                ),
                migrations.AddConstraint(
                    model_name='deadlinerule',
                    constraint=models.UniqueConstraint(fields=('hall', 'channel', 'step'), name='one_deadline_rule_per_step'),
                ),
            ],
        ),
        move_content_types(
            old="evaluations",
            new="complaints",
            models=["complaint", "deadlinerule", "deadlineextension", "dutyalert", "historicalcomplaint"],
        ),
        sync_role_groups(),
    ]
