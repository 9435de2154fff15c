/**
 * Checks every synthesized stack must pass, whichever engine (`-c database=`)
 * it runs on: registered by each test file on its own synthesis, so the same
 * assertions hold for RDS and Aurora without a second copy.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Validations } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { DatabaseEngine } from '../../infra/context.js';
import { docAlarmMentions, docAlarmNames, docAlarmTableNames, docWatchedMetrics } from './ops-docs.js';
import type { Synthesized } from './synth.js';

type MetricStat = {
  Metric: { Namespace: string; MetricName: string; Dimensions?: unknown[] };
  Stat: string;
  Period: number;
};

/** An alarm's properties with its metric's namespace, name, dimensions, statistic and period at the top. */
export type FlatAlarm = Record<string, unknown> & { AlarmName: string; MetricName: string; Threshold: number };

/**
 * The template's alarms. An alarm on a labelled metric is rendered in the
 * `Metrics` (metric math) form; both forms are flattened alike.
 */
export function flatAlarms(template: Template): FlatAlarm[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => {
    const p = (a as { Properties: Record<string, unknown> }).Properties;
    const stat = (p.Metrics as { MetricStat?: MetricStat }[] | undefined)?.find((m) => m.MetricStat)?.MetricStat;
    return (
      stat
        ? {
            ...p,
            Namespace: stat.Metric.Namespace,
            MetricName: stat.Metric.MetricName,
            Dimensions: stat.Metric.Dimensions,
            Statistic: stat.Stat,
            Period: stat.Period,
          }
        : p
    ) as FlatAlarm;
  });
}

/** The alarm of that name (without the stack prefix); fails the test if there is none. */
export function alarmNamed(alarms: FlatAlarm[], stackName: string, name: string): FlatAlarm {
  const alarm = alarms.find((a) => a.AlarmName === `${stackName}-${name}`);
  assert.ok(alarm, `alarm ${name}`);
  return alarm;
}

/**
 * Asserts one database alarm's metric, dimensions, comparison and threshold;
 * `dimensions` are the server's (the instance's, or Aurora's writer role).
 */
export function databaseAlarmCheck(alarms: FlatAlarm[], stackName: string, dimensions: unknown[]) {
  return (name: string, metric: string, comparison: string, threshold: number): void => {
    const a = alarmNamed(alarms, stackName, name);
    assert.equal(a.Namespace, 'AWS/RDS', name);
    assert.equal(a.MetricName, metric, name);
    assert.deepEqual(a.Dimensions, dimensions, name);
    assert.equal(a.ComparisonOperator, comparison, name);
    assert.equal(a.Threshold, threshold, name);
  };
}

/**
 * The parameter group both engines must carry, spelled out: TLS only;
 * connections, lock waits and slow statements logged without their bind
 * values; forgotten transactions closed after 5 minutes.
 */
export const EXPECTED_PARAMETERS = {
  'rds.force_ssl': '1',
  log_connections: '1',
  log_lock_waits: '1',
  log_min_duration_statement: '1000',
  log_parameter_max_length: '0',
  log_parameter_max_length_on_error: '0',
  idle_in_transaction_session_timeout: '300000',
};

/** The alarms, the topic and docs/operations.md's alarm table and "Watch" paragraphs, for a stack on `engine`. */
export function alarmDocsChecks(synth: Synthesized, engine: DatabaseEngine): void {
  const { template, stack } = synth;
  const alarms = flatAlarms(template);
  const deployed = alarms.map((a) => a.AlarmName.slice(`${stack.stackName}-`.length)).sort();

  test('every alarm notifies the topic, is named after the stack, and treats missing data as fine but MaintenanceMissing', () => {
    assert.ok(alarms.length > 0);
    for (const alarm of alarms) {
      assert.equal((alarm.AlarmActions as unknown[]).length, 1);
      assert.equal((alarm.OKActions as unknown[]).length, 1);
      // The one alarm on a metric's absence: no successful maintenance run.
      const absence = alarm.AlarmName === `${stack.stackName}-MaintenanceMissing`;
      assert.equal(alarm.TreatMissingData, absence ? 'breaching' : 'notBreaching', alarm.AlarmName);
      assert.match(alarm.AlarmName, new RegExp(`^${stack.stackName}-[A-Za-z]+$`));
    }
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test(`the alarm table in docs/operations.md names exactly the alarms in the template (database=${engine})`, () => {
    assert.deepEqual(docAlarmNames(engine), deployed);
  });

  test('every alarm the docs mention by name is a row of the alarm table', () => {
    const table = docAlarmTableNames();
    const mentions = docAlarmMentions();
    assert.ok(mentions.length > 0);
    for (const { file, name } of mentions) assert.ok(table.has(name), `${file} mentions alarm ${name}`);
  });

  test('the dashboard graphs every metric docs/operations.md tells operators to watch', () => {
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard')));
    const watched = docWatchedMetrics();
    for (const name of ['CPUUtilization', 'WriteIOPS', 'DatabaseConnectionsCurrentlySessionPinned']) {
      assert.ok(watched.includes(name), `operations.md tells operators to watch ${name}`);
    }
    for (const name of watched) assert.ok(body.includes(`\\"${name}\\"`), `dashboard shows ${name}`);
  });
}

/** cdk-nag's AWS Solutions pack: nothing unacknowledged, and every acknowledgement with a reason. */
export function cdkNagChecks(synth: Synthesized): void {
  test('synth reports no unacknowledged violations', () => {
    const violations = synth.report.pluginReports.flatMap((p) =>
      (p.violations ?? []).map((v) => `${v.severity} ${v.ruleName}`),
    );
    assert.deepEqual(violations, []);
    // The same pack run directly over the tree: nothing left after acknowledgements.
    const direct = new AwsSolutionsChecks().validateScope(synth.app);
    assert.deepEqual(
      direct.violations.map((v) => v.ruleName),
      [],
    );
    assert.deepEqual(Annotations.fromStack(synth.stack).findError('*', Match.anyValue()), []);
  });

  test('every acknowledgement carries a real reason', () => {
    const acks: [string, string][] = [];
    const walk = (c: IConstruct): void => {
      for (const entry of c.node.metadata) {
        if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) {
          for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) acks.push([id, reason]);
        }
      }
      c.node.children.forEach(walk);
    };
    walk(synth.app);
    const ours = acks.filter(([id]) => id.includes('AwsSolutions-'));
    assert.ok(ours.length > 0);
    for (const [id, reason] of ours) assert.ok(reason.length >= 40, `${id}: "${reason}"`);
  });
}

/** No resource depends, through Ref, GetAtt or DependsOn, on itself. */
export function noCycleCheck(synth: Synthesized): void {
  test('the template has no dependency cycle', () => {
    const resources = synth.template.toJSON().Resources as Record<string, { Properties?: unknown; DependsOn?: string[] }>;
    const edges = new Map<string, Set<string>>();
    const collect = (node: unknown, into: Set<string>): void => {
      if (Array.isArray(node)) node.forEach((n) => collect(n, into));
      else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          if (k === 'Ref' && typeof v === 'string' && v in resources) into.add(v);
          else if (k === 'Fn::GetAtt' && Array.isArray(v)) into.add(String(v[0]));
          else collect(v, into);
        }
      }
    };
    for (const [id, r] of Object.entries(resources)) {
      const deps = new Set<string>(r.DependsOn ?? []);
      collect(r.Properties, deps);
      edges.set(id, deps);
    }
    const state = new Map<string, 'open' | 'done'>();
    const visit = (id: string, trail: string[]): void => {
      if (state.get(id) === 'done') return;
      assert.notEqual(state.get(id), 'open', `cycle: ${[...trail, id].join(' → ')}`);
      state.set(id, 'open');
      for (const next of edges.get(id) ?? []) if (edges.has(next)) visit(next, [...trail, id]);
      state.set(id, 'done');
    };
    for (const id of edges.keys()) visit(id, []);
  });
}
