import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  KMS_CONTEXT_DATA_KEY_ID,
  KMS_CONTEXT_PURPOSE,
  KMS_CONTEXT_PURPOSE_KEY,
} from '../../lambda/vault/kms-context.js';

export interface PiiKeysProps {
  readonly prod: boolean;
  readonly stackName: string;
}

/** The roles {@link PiiKeys.admit} lets use the keys. */
export interface PiiKeyUsers {
  /** Reads the keyring; creates vault data keys. */
  readonly pipeline: iam.IRole;
  /** Each reads and rotates the keyring and unwraps vault data keys. */
  readonly operators: readonly iam.IRole[];
}

/**
 * What the account keeps on the vault key: management, no cryptography.
 * CDK's key-admin list (aws-kms `ADMIN_ACTIONS`) with `kms:Create*` narrowed
 * to `kms:CreateAlias`, because `kms:Create*` includes `kms:CreateGrant`,
 * with which a principal could grant itself Decrypt. CloudFormation's own
 * calls on the key (create, policy and rotation updates, alias, tags,
 * scheduled deletion on destroy) are all in it, so the deploying role is
 * not locked out.
 */
export const KEY_ADMIN_ACTIONS = [
  'kms:CreateAlias',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
];

/** The keyring writes `npm run rotate-key --apply` makes (a new version, then the AWSCURRENT move). */
export const KEYRING_ROTATION_ACTIONS = ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'];

/**
 * The two keys behind PII protection:
 * - the HMAC masking keyring (`{"current":"v1","v1":"<secret>"}`), which
 *   turns IPs and device ids into stable pseudonyms;
 * - the vault key-encryption key (KMS), which wraps the data keys that seal
 *   the originals for lawful unmasking.
 *
 * Both answer only to the roles given to {@link admit}: the key policy
 * replaces CDK's default (account root `kms:*`, which would let any IAM
 * policy in the account grant Decrypt) and the keyring's resource policy
 * denies its reads and writes to every other principal.
 */
export class PiiKeys extends Construct {
  readonly maskingSecret: secretsmanager.Secret;
  readonly vaultKey: kms.Key;

  constructor(scope: Construct, id: string, props: PiiKeysProps) {
    super(scope, id);
    // Losing either key in production makes stored pseudonyms unjoinable
    // (keyring) or the vault unreadable (KEK), so production retains them.
    const removalPolicy = props.prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.maskingSecret = new secretsmanager.Secret(this, 'MaskingKeyring', {
      description: 'login-etl HMAC masking keyring {"current":"v1","v1":"<secret>"}; rotate with npm run rotate-key',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ current: 'v1' }),
        generateStringKey: 'v1',
        passwordLength: 64,
        excludePunctuation: true,
      },
      removalPolicy,
    });
    Validations.of(this.maskingSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'An HMAC keyring, not a credential: rotation adds a new key version next to the old ones (npm run rotate-key) so existing pseudonyms stay verifiable. Secrets Manager rotation would replace the whole value and orphan every stored token.',
    });

    this.vaultKey = new kms.Key(this, 'VaultKek', {
      alias: `alias/${props.stackName}/vault-kek`,
      description: 'login-etl PII vault key-encryption key: wraps the data keys that seal original IPs and device ids',
      enableKeyRotation: true,
      pendingWindow: Duration.days(props.prod ? 30 : 7),
      removalPolicy,
      // Replaces the default policy; admit() adds the users' statements.
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'AccountAdministersKeyOnly',
            principals: [new iam.AccountRootPrincipal()],
            actions: KEY_ADMIN_ACTIONS,
            resources: ['*'],
          }),
        ],
      }),
    });
  }

  /** Lets exactly these roles use the keys; call once, when they all exist. */
  admit(users: PiiKeyUsers): void {
    this.#admitToVaultKey(users);
    this.#admitToKeyring(users);
  }

  /**
   * Crypto permissions live in the key policy alone (no IAM policy can add
   * any, as the account holds no crypto action here), each bound to the
   * vault's encryption context:
   * - `kms:EncryptionContext:purpose` must be the vault's;
   * - `ForAllValues` on `kms:EncryptionContextKeys`: no key beyond `purpose`
   *   and `data_key_id` (vacuously true with no context, which the purpose
   *   condition already refuses);
   * - for GenerateDataKey, `ForAnyValue` on the same: `data_key_id` must be
   *   present, so every new data key's CloudTrail records name it. Decrypt
   *   does not require it: data keys made before it existed carry `purpose`
   *   only, and Decrypt must repeat the context they were made with.
   */
  #admitToVaultKey({ pipeline, operators }: PiiKeyUsers): void {
    const purpose = { [`kms:EncryptionContext:${KMS_CONTEXT_PURPOSE_KEY}`]: KMS_CONTEXT_PURPOSE };
    const onlyVaultContext = { 'kms:EncryptionContextKeys': [KMS_CONTEXT_PURPOSE_KEY, KMS_CONTEXT_DATA_KEY_ID] };
    this.vaultKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'PipelineGeneratesVaultDataKeys',
        principals: [pipeline],
        actions: ['kms:GenerateDataKey'],
        resources: ['*'],
        conditions: {
          StringEquals: purpose,
          'ForAllValues:StringEquals': onlyVaultContext,
          'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': [KMS_CONTEXT_DATA_KEY_ID] },
        },
      }),
    );
    if (operators.length === 0) return;
    this.vaultKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OperatorsDecryptVaultDataKeys',
        principals: [...operators],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: purpose, 'ForAllValues:StringEquals': onlyVaultContext },
      }),
    );
  }

  /**
   * Reading the keyring (with the tokens of a table) is enough to re-identify
   * users by enumerating addresses, so its resource policy denies reads to
   * every principal but these roles, whatever their IAM policies say.
   * Rotation (a new version, then the AWSCURRENT move) is the operators':
   * whoever can read the keyring can already re-identify, a write adds only
   * the power to break matching, which moving AWSCURRENT back undoes, and
   * CloudTrail records it. The same Deny keeps anyone else, CloudFormation
   * included, from replacing the value.
   */
  #admitToKeyring({ pipeline, operators }: PiiKeyUsers): void {
    this.maskingSecret.grantRead(pipeline);
    for (const operator of operators) {
      this.maskingSecret.grantRead(operator);
      operator.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: KEYRING_ROTATION_ACTIONS, resources: [this.maskingSecret.secretArn] }),
      );
    }
    const denyOthers = (sid: string, actions: string[], allowed: readonly iam.IRole[]) =>
      this.maskingSecret.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions,
          resources: ['*'],
          ...(allowed.length > 0
            ? { conditions: { ArnNotEquals: { 'aws:PrincipalArn': allowed.map((r) => r.roleArn) } } }
            : {}),
        }),
      );
    denyOthers('OnlyPipelineAndOperatorsRead', ['secretsmanager:GetSecretValue'], [pipeline, ...operators]);
    denyOthers('OnlyOperatorsRotate', KEYRING_ROTATION_ACTIONS, operators);
  }
}
