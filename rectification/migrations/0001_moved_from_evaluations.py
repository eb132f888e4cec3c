"""Rectification's models, moved from evaluations with their tables (evaluations_*), rows,
content types and permissions.
"""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models
from hall.app_move import move_content_types, sync_role_groups


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('complaints', '0001_moved_from_evaluations'),
        ('windows', '0009_window_live_version'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay as they are, rows and all: only Django's state moves.
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Inspection',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('group_name', models.CharField(max_length=100, verbose_name='supervision group')),
                        ('visited_on', models.DateField(verbose_name='visited on')),
                        ('findings', models.TextField(blank=True, verbose_name='findings')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('best_windows', models.ManyToManyField(blank=True, related_name='inspection_honours', to='windows.window', verbose_name='best windows')),
                        ('hall', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='inspections', to='windows.hall', verbose_name='hall')),
                        ('worst_windows', models.ManyToManyField(blank=True, related_name='inspection_warnings', to='windows.window', verbose_name='worst windows')),
                    ],
                    options={
                        'verbose_name': 'inspection',
                        'verbose_name_plural': 'inspections',
                        'db_table': 'evaluations_inspection',
                        'ordering': ['hall', '-visited_on'],
                    },
                ),
                migrations.CreateModel(
                    name='RectificationChecklist',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('source', models.CharField(choices=[('third_party', 'third-party evaluation'), ('inspection', 'unannounced inspection'), ('questionnaire', 'questionnaire survey'), ('complaint', 'complaint'), ('bad_review', 'bad review')], max_length=20, verbose_name='source')),
                        ('period_start', models.DateField(verbose_name='period from')),
                        ('period_end', models.DateField(verbose_name='period to')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('hall', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='checklists', to='windows.hall', verbose_name='hall')),
                    ],
                    options={
                        'verbose_name': 'rectification checklist',
                        'verbose_name_plural': 'rectification checklists',
                        'db_table': 'evaluations_rectificationchecklist',
                        'ordering': ['hall', '-period_start'],
                    },
                ),
                migrations.CreateModel(
                    name='Measure',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('order', models.PositiveSmallIntegerField(default=0, verbose_name='no.')),
                        ('title', models.CharField(max_length=200, verbose_name='measure')),
                        ('deadline', models.DateField(verbose_name='deadline')),
                        ('status', models.CharField(choices=[('not_started', 'not started'), ('in_progress', 'in progress'), ('done', 'done'), ('verified', 'verified')], default='not_started', max_length=20, verbose_name='status')),
                        ('progress_pct', models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(100)], verbose_name='progress %')),
                        ('evidence_notes', models.TextField(blank=True, verbose_name='evidence')),
                        ('evidence_file', models.FileField(blank=True, upload_to='measures/%Y/%m/', verbose_name='evidence file')),
                        ('completed_on', models.DateField(blank=True, null=True, verbose_name='completed on')),
                        ('verified_at', models.DateTimeField(blank=True, null=True, verbose_name='verified at')),
                        ('questionnaire_week', models.DateField(blank=True, null=True, verbose_name='from questionnaire week')),
                        ('complaint', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='measures', to='complaints.complaint', verbose_name='from case')),
                        ('responsible_department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='measures', to='windows.department', verbose_name='responsible department')),
                        ('responsible_person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='measures', to=settings.AUTH_USER_MODEL, verbose_name='responsible person')),
                        ('verified_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='verified by')),
                        ('checklist', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='measures', to='rectification.rectificationchecklist', verbose_name='checklist')),
                    ],
                    options={
                        'verbose_name': 'rectification measure',
                        'verbose_name_plural': 'rectification measures',
                        'db_table': 'evaluations_measure',
                        'ordering': ['checklist', 'order', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalMeasure',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('order', models.PositiveSmallIntegerField(default=0, verbose_name='no.')),
                        ('title', models.CharField(max_length=200, verbose_name='measure')),
                        ('deadline', models.DateField(verbose_name='deadline')),
                        ('status', models.CharField(choices=[('not_started', 'not started'), ('in_progress', 'in progress'), ('done', 'done'), ('verified', 'verified')], default='not_started', max_length=20, verbose_name='status')),
                        ('progress_pct', models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(100)], verbose_name='progress %')),
                        ('evidence_notes', models.TextField(blank=True, verbose_name='evidence')),
                        ('evidence_file', models.TextField(blank=True, max_length=100, verbose_name='evidence file')),
                        ('completed_on', models.DateField(blank=True, null=True, verbose_name='completed on')),
                        ('verified_at', models.DateTimeField(blank=True, null=True, verbose_name='verified at')),
                        ('questionnaire_week', models.DateField(blank=True, null=True, verbose_name='from questionnaire week')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('complaint', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='complaints.complaint', verbose_name='from case')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('responsible_department', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='windows.department', verbose_name='responsible department')),
                        ('responsible_person', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='responsible person')),
                        ('verified_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='verified by')),
                        ('checklist', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='rectification.rectificationchecklist', verbose_name='checklist')),
                    ],
                    options={
                        'verbose_name': 'historical rectification measure',
                        'verbose_name_plural': 'historical rectification measures',
                        'db_table': 'evaluations_historicalmeasure',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.AddConstraint(
                    model_name='rectificationchecklist',
                    constraint=models.CheckConstraint(condition=models.Q(('period_end__gte', models.F('period_start'))), name='checklist_period_in_order', violation_error_message='The period ends before it starts.'),
                ),
                migrations.AddConstraint(
                    model_name='measure',
                    constraint=models.CheckConstraint(condition=models.Q(('progress_pct__lte', 100)), name='measure_progress_at_most_100'),
                ),
            ],
        ),
        move_content_types(
            old="evaluations",
            new="rectification",
            models=["rectificationchecklist", "measure", "inspection", "historicalmeasure"],
        ),
        sync_role_groups(),
    ]
